"""Which care rules are in force: the starter rules shipped in resources/rules, overlaid by versions saved here."""

from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.rules.format import parse_rule_file, parse_rule_text
from clinicdesk.domain.rules.model import Rule
from clinicdesk.resources import resource_path
from clinicdesk.store.models_feedback import CareRuleRow

STARTER_FILE = ("rules", "starter.json")


@cache
def starter_rules() -> tuple[Rule, ...]:
    """Version 0 of every shipped rule; read once (the file is part of the installation, not of the data)."""
    return parse_rule_file(resource_path(*STARTER_FILE).read_text(encoding="utf-8"))


def latest_rows(session: Session) -> dict[str, CareRuleRow]:
    """The highest saved version of each rule key."""
    newest = select(CareRuleRow.key, func.max(CareRuleRow.version).label("version")).group_by(CareRuleRow.key) \
        .subquery()
    rows = session.scalars(select(CareRuleRow).join(
        newest, (CareRuleRow.key == newest.c.key) & (CareRuleRow.version == newest.c.version)))
    return {row.key: row for row in rows}


def rules_in_force(session: Session) -> list[Rule]:
    """Starter rules unless the director saved a newer version; rules first made in the app join them."""
    rules = {rule.key: rule for rule in starter_rules()}
    for key, row in latest_rows(session).items():
        rules[key] = parse_rule_text(row.body, version=row.version)
    return [rules[key] for key in sorted(rules)]
