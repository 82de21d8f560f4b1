"""The rule format: starter rules load, rules round-trip, every kind of mistake is refused with a specific message."""

import json

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.rules.format import parse_rule, parse_rule_file, parse_rule_text, rule_to_data, rule_to_text
from clinicdesk.domain.rules.wording import describe_evidence, describe_rule
from clinicdesk.resources import resource_path

STARTER_TEXT = resource_path("rules", "starter.json").read_text(encoding="utf-8")
GOOD = {"key": "virechana-nausea", "name": "Nausea after Virechana", "on": "outcome_reported",
        "when": [{"fact": "therapy", "is": "Virechana"}, {"fact": "symptom:nausea", "at_least": 6}],
        "then": [{"do": "call_patient", "within_hours": 24}, {"do": "reduce_next_session"}, {"do": "send_diet_alert"}]}


def test_the_starter_rules_load_and_read_as_sentences():
    rules = parse_rule_file(STARTER_TEXT)
    assert [r.key for r in rules] == ["virechana-nausea", "vamana-nausea", "low-adherence", "low-overall-rating"]
    words = {r.key: describe_rule(r) for r in rules}
    assert words["virechana-nausea"] == (
        "If nausea is 6/10 or worse after Virechana (when an outcome report is saved), then a clinician calls the "
        "patient within 24 hours; the next session is marked for reduced intensity; a diet alert is sent to the "
        "patient.")
    assert words["low-adherence"].startswith("If adherence over the week is under 70 % ")
    assert "the patient gets 2 extra reminders" in words["low-adherence"]
    assert words["low-overall-rating"].startswith("If the overall rating is 2/5 or less (when feedback is submitted)")


def test_a_rule_round_trips_through_json():
    rule = parse_rule(GOOD)
    assert parse_rule_text(rule_to_text(rule)) == rule
    assert rule_to_data(rule) == GOOD
    off = parse_rule(GOOD | {"enabled": False})
    assert describe_rule(off).endswith("(Switched off.)") and rule_to_data(off)["enabled"] is False


def test_evidence_reads_briefly():
    assert describe_evidence((("symptom:nausea", 8), ("therapy", "virechana"))) == "nausea 8/10, the therapy virechana"


def _with(**changes):
    return json.dumps(GOOD | changes)


@pytest.mark.parametrize(("text", "message"), [
    ("{", "Rule is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    ("[1]", "Rule must be a JSON object with key, name, on, when and then"),
    (_with(colour="red"), "Rule has unknown parts: colour"),
    (_with(key="Nausea Rule"), "Rule key must be 2-40 lowercase letters, digits or hyphens"),
    (_with(name="x"), "Rule name must be 3-120 characters"),
    (_with(on="daily"), "Trigger must be one of: outcome_reported, feedback_submitted, weekly_adherence"),
    (_with(when=[]), "Rule must list 1-8 conditions"),
    (_with(then=[]), "Rule must list 1-6 actions"),
    (_with(when=[{"fact": "mood", "at_least": 3}]), "condition 1: \"mood\" is not a known fact"),
    (_with(when=[{"fact": "symptom:", "at_least": 3}]), "condition 1: \"symptom:\" is not a known fact"),
    (_with(when=[{"fact": "rating:overall", "at_most": 2}]),
     "condition 1: \"rating:overall\" is not known when an outcome report is saved"),
    (_with(when=[{"fact": "symptom:nausea", "at_least": 11}]),
     "condition 1: \"symptom:nausea\" must be compared with a whole number from 0 to 10 (not 11)"),
    (_with(when=[{"fact": "symptom:nausea", "at_least": "6"}]), "whole number from 0 to 10 (not '6')"),
    (_with(when=[{"fact": "symptom:nausea", "is": 6}]), "is a number, so compare it with at_least"),
    (_with(when=[{"fact": "therapy", "at_least": 6}]), "\"therapy\" is text, so compare it with \"is\""),
    (_with(when=[{"fact": "symptom:nausea", "at_least": 6, "at_most": 9}]), "must have exactly one comparison"),
    (_with(when=[{"fact": "symptom:nausea", "greater": 6}]), "must have exactly one comparison"),
    (_with(then=[{"do": "email_the_boss"}]), "action 1 must say what to do with \"do\", one of: call_patient"),
    (_with(then=[{"do": "call_patient", "within_hours": 0}]),
     "action 1: within_hours must be a whole number from 1 to 72 (not 0)"),
    (_with(then=[{"do": "call_patient", "within_days": 1}]),
     "action 1: call_patient has no setting \"within_days\" (its settings: within_hours)"),
    (_with(then=[{"do": "open_complaint", "count": 2}]),
     "open_complaint has no setting \"count\" (its settings: none)"),
    (_with(then=[{"do": "open_complaint"}, {"do": "open_complaint"}]), "Rule names the same action twice"),
    (_with(enabled="yes"), "\"enabled\" must be true or false"),
])
def test_invalid_rules_are_refused_with_a_specific_message(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_rule_text(text)
    assert message in str(caught.value)


def test_a_rule_file_needs_unique_keys():
    with pytest.raises(ValidationError, match="must be unique"):
        parse_rule_file(json.dumps({"rules": [GOOD, GOOD]}))
