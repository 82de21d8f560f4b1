"""The care-rule engine, table-driven: many fact sets against the starter rules and hand-made ones -> exact firings."""

import pytest

from clinicdesk.domain.rules.engine import evaluate, holds, symptom_facts
from clinicdesk.domain.rules.format import parse_rule, parse_rule_file
from clinicdesk.domain.rules.model import Compare, Condition, Trigger
from clinicdesk.resources import resource_path

STARTER = parse_rule_file(resource_path("rules", "starter.json").read_text(encoding="utf-8"))
OUT, FEED, WEEK = Trigger.OUTCOME_REPORTED, Trigger.FEEDBACK_SUBMITTED, Trigger.WEEKLY_ADHERENCE
RATED = {"rating:effectiveness": 4, "rating:practitioner": 4, "rating:facility": 4, "rating:staff": 4,
         "rating:value": 4, "rating:overall": 4, "rating:lowest": 4, "recommend": 8, "scope": "session"}


@pytest.mark.parametrize(("trigger", "facts", "expected"), [
    # nausea after Virechana: 6 is the threshold, the therapy must match (any case), the symptom must be reported
    (OUT, {"therapy": "virechana", "symptom:nausea": 6}, ["virechana-nausea"]),
    (OUT, {"therapy": "Virechana", "symptom:nausea": 10}, ["virechana-nausea"]),
    (OUT, {"therapy": "VIRECHANA ", "symptom:nausea": 7}, ["virechana-nausea"]),
    (OUT, {"therapy": "virechana", "symptom:nausea": 5}, []),
    (OUT, {"therapy": "virechana", "symptom:nausea": 0}, []),
    (OUT, {"therapy": "virechana"}, []),
    (OUT, {"therapy": "abhyanga", "symptom:nausea": 9}, []),
    (OUT, {"symptom:nausea": 9}, []),  # no session: no therapy fact, the rule cannot hold
    (OUT, {"therapy": "virechana", "symptom:vomiting": 9}, []),
    (OUT, {"therapy": "virechana", "symptom:nausea": "9"}, []),  # text is never compared as a number
    # Vamana has its own, stricter threshold
    (OUT, {"therapy": "vamana", "symptom:nausea": 6}, []),
    (OUT, {"therapy": "vamana", "symptom:nausea": 7}, ["vamana-nausea"]),
    # a fact of another trigger never fires this trigger's rules
    (FEED, {"therapy": "virechana", "symptom:nausea": 9}, []),
    (WEEK, {"therapy": "virechana", "symptom:nausea": 9}, []),
    # adherence below 70 %: 69 fires, 70 does not
    (WEEK, {"adherence_percent": 69}, ["low-adherence"]),
    (WEEK, {"adherence_percent": 0}, ["low-adherence"]),
    (WEEK, {"adherence_percent": 70}, []),
    (WEEK, {"adherence_percent": 100}, []),
    (WEEK, {}, []),
    (OUT, {"adherence_percent": 10}, []),
    # an overall rating of 2 or less opens a complaint
    (FEED, RATED | {"rating:overall": 2}, ["low-overall-rating"]),
    (FEED, RATED | {"rating:overall": 1}, ["low-overall-rating"]),
    (FEED, RATED | {"rating:overall": 3}, []),
    (FEED, RATED | {"rating:facility": 1, "rating:lowest": 1}, []),  # only overall is in the starter rule
    (FEED, RATED, []),
    (OUT, RATED | {"rating:overall": 1}, []),
])
def test_starter_rules(trigger, facts, expected):
    assert [f.rule_key for f in evaluate(STARTER, trigger, facts)] == expected


def _rule(key, on, when, then=({"do": "call_patient"},), **extra):
    return parse_rule({"key": key, "name": f"Rule {key}", "on": on, "when": list(when), "then": list(then), **extra})


HAND_MADE = (
    _rule("b-sleep", "outcome_reported", [{"fact": "sleep", "at_most": 3}]),
    _rule("a-energy", "outcome_reported", [{"fact": "energy", "below": 3}, {"fact": "digestion", "above": 6}]),
    _rule("c-pain", "outcome_reported", [{"fact": "symptom:joint pain", "at_least": 8}]),
    _rule("d-off", "outcome_reported", [{"fact": "sleep", "at_most": 10}], enabled=False),
    _rule("e-recommend", "feedback_submitted", [{"fact": "recommend", "at_most": 6},
                                                {"fact": "scope", "is": "course"}]),
)


@pytest.mark.parametrize(("trigger", "facts", "expected"), [
    (OUT, {"sleep": 3}, ["b-sleep"]),
    (OUT, {"sleep": 4}, []),
    (OUT, {"sleep": 1, "energy": 2, "digestion": 7}, ["a-energy", "b-sleep"]),  # in key order, not file order
    (OUT, {"energy": 2, "digestion": 6}, []),  # above is strict
    (OUT, {"energy": 3, "digestion": 9}, []),  # below is strict
    (OUT, {"symptom:joint pain": 8}, ["c-pain"]),
    (OUT, symptom_facts({"Joint Pain ": 9}), ["c-pain"]),  # the outcome form's names become facts
    (OUT, {"symptom:joint pain": 7, "sleep": 0, "energy": 0, "digestion": 10}, ["a-energy", "b-sleep"]),
    (OUT, {"sleep": True}, []),  # a boolean is not a score
    (FEED, {"recommend": 6, "scope": "course"}, ["e-recommend"]),
    (FEED, {"recommend": 6, "scope": "session"}, []),
    (FEED, {"recommend": 7, "scope": "course"}, []),
])
def test_hand_made_rules(trigger, facts, expected):
    assert [f.rule_key for f in evaluate(HAND_MADE, trigger, facts)] == expected


def test_a_firing_keeps_only_the_facts_its_conditions_read():
    facts = {"therapy": "virechana", "symptom:nausea": 8, "symptom:headache": 9, "energy": 2, "sleep": 4}
    (firing,) = evaluate(STARTER, OUT, facts)
    assert firing.evidence == (("symptom:nausea", 8), ("therapy", "virechana"))
    assert [a.kind.value for a in firing.actions] == ["call_patient", "reduce_next_session", "send_diet_alert"]
    assert firing.actions[0].param("within_hours") == 24 and firing.rule_version == 0


def test_evaluation_is_deterministic_whatever_the_order_of_rules_and_facts():
    facts = {"sleep": 1, "energy": 2, "digestion": 7}
    forward = evaluate(HAND_MADE, OUT, facts)
    backward = evaluate(tuple(reversed(HAND_MADE)), OUT, dict(reversed(list(facts.items()))))
    assert forward == backward and len(forward) == 2


@pytest.mark.parametrize(("compare", "wanted", "value", "result"), [
    (Compare.AT_LEAST, 6, 6, True), (Compare.AT_LEAST, 6, 5, False),
    (Compare.AT_MOST, 2, 2, True), (Compare.AT_MOST, 2, 3, False),
    (Compare.ABOVE, 6, 7, True), (Compare.ABOVE, 6, 6, False),
    (Compare.BELOW, 70, 69, True), (Compare.BELOW, 70, 70, False),
    (Compare.IS, "course", "Course", True), (Compare.IS, "course", "session", False),
    (Compare.IS, "5", 5, False),
])
def test_each_comparison(compare, wanted, value, result):
    assert holds(Condition("x", compare, wanted), {"x": value}) is result
