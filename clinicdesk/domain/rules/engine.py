"""Evaluating care rules against the facts of one event: pure, deterministic, and each firing keeps its evidence."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clinicdesk.domain.rules.model import Compare, Condition, Rule, RuleAction, Trigger

Facts = Mapping[str, int | str]


@dataclass(frozen=True)
class Firing:
    rule_key: str
    rule_version: int
    actions: tuple[RuleAction, ...]
    evidence: tuple[tuple[str, int | str], ...]  # only the facts the rule's conditions read, sorted by name


def holds(condition: Condition, facts: Facts) -> bool:
    """False when the fact is missing: a rule never fires on what was not reported."""
    if condition.fact not in facts:
        return False
    value, wanted = facts[condition.fact], condition.value
    if condition.compare is Compare.IS:
        return isinstance(value, str) and value.strip().casefold() == str(wanted).casefold()
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return {Compare.AT_LEAST: value >= wanted, Compare.AT_MOST: value <= wanted,
            Compare.ABOVE: value > wanted, Compare.BELOW: value < wanted}[condition.compare]


def evaluate(rules: Iterable[Rule], trigger: Trigger, facts: Facts) -> tuple[Firing, ...]:
    """Every enabled rule of this trigger whose conditions all hold, in rule-key order."""
    firings = []
    for rule in sorted(rules, key=lambda r: r.key):
        if rule.enabled and rule.trigger is trigger and all(holds(c, facts) for c in rule.conditions):
            evidence = tuple(sorted({c.fact: facts[c.fact] for c in rule.conditions}.items()))
            firings.append(Firing(rule.key, rule.version, rule.actions, evidence))
    return tuple(firings)


def symptom_facts(scores: Mapping[str, int]) -> dict[str, int]:
    """Outcome form symptoms as facts: "Nausea" scored 7 becomes symptom:nausea = 7."""
    return {f"symptom:{name.strip().casefold()}": value for name, value in scores.items()}
