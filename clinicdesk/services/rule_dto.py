"""Plain values the care-rule services hand to screens: rules in words, their versions, firings, clinician tasks."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RuleItem:
    key: str
    name: str
    version: int  # 0: the starter rule as shipped; 1, 2...: saved in the app
    enabled: bool
    trigger: str
    words: str  # "If nausea is 6/10 or worse after Virechana ..., then ..."
    text: str  # the rule as JSON, for the editor
    saved_at: datetime | None
    saved_by: str  # a name; "" for a starter rule


@dataclass(frozen=True)
class FiringItem:
    id: str
    at: datetime
    rule_key: str
    rule_version: int
    trigger: str
    evidence: dict[str, int | str]  # only the facts the rule read
    actions: list[dict[str, str]]  # [{"do": ..., "result": ...}]
    patient_id: str | None


@dataclass(frozen=True)
class TaskItem:
    id: str
    kind: str
    patient_id: str | None
    patient_name: str
    assignee_id: str | None
    assignee_name: str  # "" when anyone may take it
    due_at: datetime
    reason: str
    done_at: datetime | None
