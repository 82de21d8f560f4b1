"""The rule file format (JSON), read into Rule values with a specific message for every mistake, and written back.

A rule is one JSON object:

    {"key": "virechana-nausea", "name": "Nausea after Virechana", "on": "outcome_reported",
     "when": [{"fact": "therapy", "is": "Virechana"}, {"fact": "symptom:nausea", "at_least": 6}],
     "then": [{"do": "call_patient", "within_hours": 24}, {"do": "reduce_next_session"}, {"do": "send_diet_alert"}],
     "enabled": true, "note": "why the rule exists"}

"on" is one Trigger; each "when" item names one fact and exactly one comparison (is, at_least, at_most, above,
below) and all of them must hold; each "then" item names one action with its whole-number parameters, if any.
A rule file holds {"rules": [...]}.
"""

import json
import re

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.rules.model import (
    ACTION_PARAMS,
    FACTS,
    NUMERIC,
    SYMPTOM_PREFIX,
    TRIGGER_WORDS,
    ActionKind,
    Compare,
    Condition,
    Rule,
    RuleAction,
    Trigger,
    fact_kind,
)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_CONDITIONS = 8
MAX_ACTIONS = 6
_LABELS = {"key": "Rule key", "name": "Rule name", "on": "Trigger", "when": "Rule", "then": "Rule", "rule": "Rule"}


def _refuse(field: str, message: str):
    raise ValidationError({field: message}, _LABELS)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_condition(item, trigger: Trigger, number: int) -> Condition:
    where = f"condition {number}"
    if not isinstance(item, dict) or not isinstance(item.get("fact"), str):
        _refuse("when", f"{where} must name a fact, like {{\"fact\": \"symptom:nausea\", \"at_least\": 6}}")
    fact = item["fact"].strip().lower()
    kind = fact_kind(fact)
    if kind is None:
        known = ", ".join(sorted(f if f != SYMPTOM_PREFIX else "symptom:<name>" for f in FACTS))
        _refuse("when", f"{where}: \"{fact}\" is not a known fact (known: {known})")
    if trigger not in kind.triggers:
        _refuse("when", f"{where}: \"{fact}\" is not known {TRIGGER_WORDS[trigger]}")
    comparisons = [key for key in item if key != "fact"]
    if len(comparisons) != 1 or comparisons[0] not in {c.value for c in Compare}:
        _refuse("when", f"{where} must have exactly one comparison: " + ", ".join(c.value for c in Compare))
    compare, value = Compare(comparisons[0]), item[comparisons[0]]
    if kind.numeric:
        if compare not in NUMERIC:
            _refuse("when", f"{where}: \"{fact}\" is a number, so compare it with at_least, at_most, above or below")
        if not _whole(value) or not kind.low <= value <= kind.high:
            _refuse("when", f"{where}: \"{fact}\" must be compared with a whole number from {kind.low} to "
                            f"{kind.high} (not {value!r})")
    else:
        if compare is not Compare.IS:
            _refuse("when", f"{where}: \"{fact}\" is text, so compare it with \"is\"")
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 60:
            _refuse("when", f"{where}: \"{fact}\" must be compared with a text of 1-60 characters")
        value = value.strip()
    return Condition(fact, compare, value)


def parse_action(item, number: int) -> RuleAction:
    where = f"action {number}"
    kinds = ", ".join(k.value for k in ActionKind)
    if not isinstance(item, dict) or item.get("do") not in {k.value for k in ActionKind}:
        _refuse("then", f"{where} must say what to do with \"do\", one of: {kinds}")
    kind = ActionKind(item["do"])
    specs = ACTION_PARAMS[kind]
    params = []
    for name, value in item.items():
        if name == "do":
            continue
        spec = specs.get(name)
        if spec is None:
            allowed = ", ".join(specs) or "none"
            _refuse("then", f"{where}: {kind.value} has no setting \"{name}\" (its settings: {allowed})")
        if not _whole(value) or not spec.low <= value <= spec.high:
            _refuse("then", f"{where}: {name} must be a whole number from {spec.low} to {spec.high} (not {value!r})")
        params.append((name, value))
    return RuleAction(kind, tuple(sorted(params)))


def parse_rule(data, *, version: int = 0) -> Rule:
    """A Rule from its JSON object; ValidationError with one specific sentence for the first mistake found."""
    if not isinstance(data, dict):
        _refuse("rule", "must be a JSON object with key, name, on, when and then")
    unknown = sorted(set(data) - {"key", "name", "on", "when", "then", "enabled", "note"})
    if unknown:
        _refuse("rule", "has unknown parts: " + ", ".join(unknown))
    key = data.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        _refuse("key", "must be 2-40 lowercase letters, digits or hyphens, like \"virechana-nausea\"")
    name = data.get("name")
    if not isinstance(name, str) or not 3 <= len(name.strip()) <= 120:
        _refuse("name", "must be 3-120 characters")
    if data.get("on") not in {t.value for t in Trigger}:
        _refuse("on", "must be one of: " + ", ".join(t.value for t in Trigger))
    trigger = Trigger(data["on"])
    when, then = data.get("when"), data.get("then")
    if not isinstance(when, list) or not 1 <= len(when) <= MAX_CONDITIONS:
        _refuse("when", f"must list 1-{MAX_CONDITIONS} conditions, all of which must hold")
    if not isinstance(then, list) or not 1 <= len(then) <= MAX_ACTIONS:
        _refuse("then", f"must list 1-{MAX_ACTIONS} actions")
    conditions = tuple(parse_condition(item, trigger, n) for n, item in enumerate(when, start=1))
    actions = tuple(parse_action(item, n) for n, item in enumerate(then, start=1))
    if len({a.kind for a in actions}) != len(actions):
        _refuse("then", "names the same action twice")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        _refuse("rule", "\"enabled\" must be true or false")
    note = data.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        _refuse("rule", "\"note\" must be a text of at most 500 characters")
    return Rule(key, name.strip(), trigger, conditions, actions, enabled, version, note.strip())


def rule_to_data(rule: Rule) -> dict:
    """The JSON object of a rule, in the order a person reads it."""
    data: dict = {"key": rule.key, "name": rule.name, "on": rule.trigger.value,
                  "when": [{"fact": c.fact, c.compare.value: c.value} for c in rule.conditions],
                  "then": [{"do": a.kind.value, **dict(a.params)} for a in rule.actions]}
    if not rule.enabled:
        data["enabled"] = False
    if rule.note:
        data["note"] = rule.note
    return data


def parse_rule_text(text: str, *, version: int = 0) -> Rule:
    """A rule typed in the app's editor: JSON syntax errors get the line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError({"rule": f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"},
                              _LABELS) from None
    return parse_rule(data, version=version)


def rule_to_text(rule: Rule) -> str:
    """JSON laid out for reading: one line per part, one line per condition and per action."""
    data = rule_to_data(rule)

    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for name, value in data.items():
        if isinstance(value, list):
            items = ",\n".join(f"    {line(item)}" for item in value)
            parts.append(f"  {line(name)}: [\n{items}\n  ]")
        else:
            parts.append(f"  {line(name)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


def parse_rule_file(text: str) -> tuple[Rule, ...]:
    """A rule file {"rules": [...]}; keys must be unique."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        _refuse("rule", "file must be a JSON object with a \"rules\" list")
    rules = tuple(parse_rule(item) for item in data["rules"])
    keys = [r.key for r in rules]
    if len(set(keys)) != len(keys):
        _refuse("key", "must be unique in a rule file")
    return rules
