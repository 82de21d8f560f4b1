"""Care rules in plain English for the medical director: "If nausea is 6/10 or worse after Virechana, then ..."."""

from clinicdesk.domain.rules.model import (
    SYMPTOM_PREFIX,
    TRIGGER_WORDS,
    ActionKind,
    Compare,
    Condition,
    Rule,
    RuleAction,
    fact_kind,
)


def _subject(fact: str) -> str:
    kind = fact_kind(fact)
    if fact.startswith(SYMPTOM_PREFIX):
        return kind.words.replace("{name}", fact[len(SYMPTOM_PREFIX):])
    return kind.words if kind else fact


def describe_condition(condition: Condition) -> str:
    kind = fact_kind(condition.fact)
    subject, value = _subject(condition.fact), condition.value
    unit = kind.unit if kind else ""
    if condition.compare is Compare.IS:
        return f"{subject} is {value}"
    # Symptoms: a higher score is worse; for everything else a lower one is.
    worse_up = condition.fact.startswith(SYMPTOM_PREFIX)
    phrase = {Compare.AT_LEAST: "or worse" if worse_up else "or more",
              Compare.AT_MOST: "or less" if not worse_up else "or better"}.get(condition.compare)
    if phrase:
        return f"{subject} is {value}{unit} {phrase}"
    return f"{subject} is {'over' if condition.compare is Compare.ABOVE else 'under'} {value}{unit}"


def describe_action(action: RuleAction) -> str:
    if action.kind is ActionKind.CALL_PATIENT:
        return f"a clinician calls the patient within {action.param('within_hours')} hours"
    if action.kind is ActionKind.EXTRA_REMINDERS:
        return f"the patient gets {action.param('count')} extra reminders before coming sessions"
    return {ActionKind.REDUCE_NEXT_SESSION: "the next session is marked for reduced intensity",
            ActionKind.SEND_DIET_ALERT: "a diet alert is sent to the patient",
            ActionKind.PROPOSE_OTHER_SLOTS: "the desk proposes other time slots",
            ActionKind.OPEN_COMPLAINT: "a complaint is opened for customer relations"}[action.kind]


def describe_rule(rule: Rule) -> str:
    """One sentence: the therapy condition reads as "after Virechana", the rest joined with "and"."""
    therapy = [c for c in rule.conditions if c.fact == "therapy"]
    others = [describe_condition(c) for c in rule.conditions if c.fact != "therapy"]
    when = " and ".join(others) if others else "the therapy is " + str(therapy[0].value)
    if therapy and others:
        when += " after " + " and ".join(str(c.value) for c in therapy)
    text = f"If {when} ({TRIGGER_WORDS[rule.trigger]}), then " + "; ".join(describe_action(a) for a in rule.actions)
    return text + "." if rule.enabled else text + ". (Switched off.)"


def describe_evidence(evidence: tuple[tuple[str, int | str], ...]) -> str:
    """What a firing saw, briefly: "nausea 7/10, the therapy virechana"."""
    parts = []
    for fact, value in evidence:
        kind = fact_kind(fact)
        parts.append(f"{_subject(fact)} {value}{kind.unit if kind else ''}")
    return ", ".join(parts)
