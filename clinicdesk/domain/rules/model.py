"""The shape of a care rule, and the catalogues of events, facts, comparisons and actions a rule may use."""

from dataclasses import dataclass, field
from enum import StrEnum


class Trigger(StrEnum):
    OUTCOME_REPORTED = "outcome_reported"  # a patient-reported outcome was saved after a session
    FEEDBACK_SUBMITTED = "feedback_submitted"  # a feedback form was saved
    WEEKLY_ADHERENCE = "weekly_adherence"  # a course's adherence over the last 7 days was reviewed


TRIGGER_WORDS = {Trigger.OUTCOME_REPORTED: "when an outcome report is saved",
                 Trigger.FEEDBACK_SUBMITTED: "when feedback is submitted",
                 Trigger.WEEKLY_ADHERENCE: "when the week's adherence is reviewed"}


class Compare(StrEnum):
    IS = "is"  # text, compared without regard to case
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    ABOVE = "above"
    BELOW = "below"


NUMERIC = (Compare.AT_LEAST, Compare.AT_MOST, Compare.ABOVE, Compare.BELOW)


@dataclass(frozen=True)
class FactKind:
    """What a fact is: text, or a whole number in [low, high]; which triggers supply it; how to say it."""

    words: str  # "{name}" is replaced by the symptom's name for symptom facts
    triggers: frozenset[Trigger]
    low: int | None = None  # None: a text fact
    high: int | None = None
    unit: str = ""  # "/10", " %", "/5": how a value reads in a sentence

    @property
    def numeric(self) -> bool:
        return self.low is not None


_OUTCOME = frozenset({Trigger.OUTCOME_REPORTED})
_FEEDBACK = frozenset({Trigger.FEEDBACK_SUBMITTED})
SYMPTOM_PREFIX = "symptom:"  # symptom:nausea, symptom:joint pain: any symptom the outcome form names
FACTS: dict[str, FactKind] = {
    SYMPTOM_PREFIX: FactKind("{name}", _OUTCOME, 0, 10, "/10"),
    "therapy": FactKind("the therapy", frozenset({Trigger.OUTCOME_REPORTED, Trigger.FEEDBACK_SUBMITTED})),
    "energy": FactKind("energy", _OUTCOME, 0, 10, "/10"),
    "sleep": FactKind("sleep", _OUTCOME, 0, 10, "/10"),
    "digestion": FactKind("digestion", _OUTCOME, 0, 10, "/10"),
    "rating:effectiveness": FactKind("the treatment effectiveness rating", _FEEDBACK, 1, 5, "/5"),
    "rating:practitioner": FactKind("the practitioner rating", _FEEDBACK, 1, 5, "/5"),
    "rating:facility": FactKind("the facility rating", _FEEDBACK, 1, 5, "/5"),
    "rating:staff": FactKind("the staff rating", _FEEDBACK, 1, 5, "/5"),
    "rating:value": FactKind("the value rating", _FEEDBACK, 1, 5, "/5"),
    "rating:overall": FactKind("the overall rating", _FEEDBACK, 1, 5, "/5"),
    "rating:lowest": FactKind("the lowest rating", _FEEDBACK, 1, 5, "/5"),
    "recommend": FactKind("the likelihood to recommend", _FEEDBACK, 0, 10, "/10"),
    "scope": FactKind("the feedback", _FEEDBACK),  # session or course
    "adherence_percent": FactKind("adherence over the week", frozenset({Trigger.WEEKLY_ADHERENCE}), 0, 100, " %"),
}


def fact_kind(fact: str) -> FactKind | None:
    if fact.startswith(SYMPTOM_PREFIX):
        return FACTS[SYMPTOM_PREFIX] if fact[len(SYMPTOM_PREFIX):].strip() else None
    return FACTS.get(fact) if fact != SYMPTOM_PREFIX else None


class ActionKind(StrEnum):
    CALL_PATIENT = "call_patient"  # a clinician call task, due within `within_hours`
    REDUCE_NEXT_SESSION = "reduce_next_session"  # the patient's next session marked "reduced intensity"
    SEND_DIET_ALERT = "send_diet_alert"  # a message to the patient with diet guidance
    EXTRA_REMINDERS = "extra_reminders"  # `count` more reminders before the coming sessions
    PROPOSE_OTHER_SLOTS = "propose_other_slots"  # the desk offers the patient other time slots
    OPEN_COMPLAINT = "open_complaint"  # a complaint, pending, for customer relations


@dataclass(frozen=True)
class ParamSpec:
    low: int
    high: int
    default: int


# The only parameters an action takes, each a whole number with a range and a default.
ACTION_PARAMS: dict[ActionKind, dict[str, ParamSpec]] = {
    ActionKind.CALL_PATIENT: {"within_hours": ParamSpec(1, 72, 24)},
    ActionKind.REDUCE_NEXT_SESSION: {},
    ActionKind.SEND_DIET_ALERT: {},
    ActionKind.EXTRA_REMINDERS: {"count": ParamSpec(1, 5, 2)},
    ActionKind.PROPOSE_OTHER_SLOTS: {},
    ActionKind.OPEN_COMPLAINT: {},
}


@dataclass(frozen=True)
class Condition:
    fact: str
    compare: Compare
    value: int | str


@dataclass(frozen=True)
class RuleAction:
    kind: ActionKind
    params: tuple[tuple[str, int], ...] = ()  # sorted (name, value) pairs: hashable and deterministic

    def param(self, name: str) -> int:
        return dict(self.params).get(name, ACTION_PARAMS[self.kind][name].default)


@dataclass(frozen=True)
class Rule:
    key: str  # stable across versions: "virechana-nausea"
    name: str
    trigger: Trigger
    conditions: tuple[Condition, ...]  # all must hold
    actions: tuple[RuleAction, ...]
    enabled: bool = True
    version: int = 0  # 0: the starter rule from resources/rules; 1, 2...: saved in the app
    note: str = field(default="", compare=False)  # why the rule exists, for the medical director
