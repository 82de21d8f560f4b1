"""Settling what sync could not: HQ's conflicts and possible duplicates, and the changes HQ refused, with permissions
(a clinical conflict is a doctor's call) and an audit entry for every decision (never the values decided on)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select

from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import Base, PatientRow
from clinicdesk.store.outbox_review import (
    NotRefused,
    RecordWords,
    RejectedChange,
    describe_records,
    field_label,
    keep_on_device,
    rejected_changes,
    send_again,
)
from clinicdesk.sync.review_client import (
    ALL,
    DECISIONS,
    DIFFERENT_PEOPLE,
    LIST_LIMIT,
    OPEN,
    SAME_PERSON,
    Conflict,
    LoserEntry,
    ReviewItem,
    Version,
)

# Tables whose conflicts are scheduling, not clinical: the desk that keeps the diary may settle them.
SCHEDULING_TABLES = frozenset({"appointments"})
MATCH_LABELS = {"name": "Name", "local_name": "Name in local script", "phone": "Phone",
                "date_of_birth": "Date of birth"}
DECISION_LABELS = {DIFFERENT_PEOPLE: "Different people", SAME_PERSON: "Same person, merge later"}
WHY_MAX = 150
NOTE_MAX = 200
_NO_VALUE = object()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReviewHq(Protocol):
    """HQ's review endpoints (clinicdesk.sync.review_client.ReviewClient is the real one)."""

    def list_conflicts(self, state: str = OPEN, limit: int = LIST_LIMIT) -> list[Conflict]: ...

    def resolve_conflict(self, conflict_id: str, *, resolved_by: str, choice: int | None = None,
                         value: Any = ...) -> Conflict: ...

    def list_loser_log(self, limit: int = LIST_LIMIT) -> list[LoserEntry]: ...

    def list_review_items(self, state: str = OPEN, limit: int = LIST_LIMIT) -> list[ReviewItem]: ...

    def settle_review_item(self, item_id: str, *, decision: str, settled_by: str,
                           note: str | None = None) -> ReviewItem: ...


class NoLongerOpen(ClinicError):
    """Someone settled the item meanwhile (on this device or another)."""


def needs_clinician(table: str) -> bool:
    """A conflict outside the diary touches who the patient is or their clinical record."""
    return table not in SCHEDULING_TABLES


def value_text(value: Any) -> str:
    """A synced value as staff read it; the screen shows it, nothing else keeps it."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(name)}: {value_text(item)}" for name, item in sorted(value.items()))
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return f"{date.fromisoformat(value):%d %b %Y}"  # a date of birth reads as staff write it
        except ValueError:
            return value
    return str(value)


@dataclass(frozen=True)
class VersionView:
    index: int
    value: Any
    text: str
    device_name: str
    at: datetime
    may_keep: bool  # a deleted row can be kept deleted; bringing one back is not offered yet


@dataclass(frozen=True)
class ConflictView:
    id: str
    record: RecordWords
    field: str | None
    field_label: str
    versions: tuple[VersionView, ...]
    is_open: bool
    needs_clinician: bool
    created_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    resolved_text: str

    @property
    def may_enter_value(self) -> bool:
        return self.field is not None


@dataclass(frozen=True)
class PatientCard:
    patient_id: str
    held_here: bool  # False until this device has pulled the record
    uhid: str = ""
    name: str = ""
    date_of_birth: date | None = None
    phone: str = ""


@dataclass(frozen=True)
class DuplicateView:
    id: str
    new: PatientCard  # the registration whose arrival raised the item
    existing: PatientCard
    matched_on: tuple[str, ...]  # labels
    is_open: bool
    created_at: datetime
    decision: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    note: str | None

    @property
    def decision_text(self) -> str:
        return DECISION_LABELS.get(self.decision or "", "")


@dataclass(frozen=True)
class LoserView:
    record: RecordWords
    field_label: str
    lost: VersionView
    kept: VersionView
    created_at: datetime


@dataclass(frozen=True)
class ReviewSnapshot:
    """What HQ said when it was last asked, in words, and when that was."""

    conflicts: tuple[ConflictView, ...]
    duplicates: tuple[DuplicateView, ...]
    overwritten: tuple[LoserView, ...]
    fetched_at: datetime

    @property
    def open_count(self) -> int:
        return sum(c.is_open for c in self.conflicts) + sum(d.is_open for d in self.duplicates)


def _version_view(version: Version, whole_row: bool) -> VersionView:
    deleted = whole_row and version.value is None
    text = "Deleted" if deleted else value_text(version.value)
    return VersionView(version.index, version.value, text, version.device_name or version.device_id[:8], version.at,
                       may_keep=deleted or not whole_row)


def _conflict_views(ctx: ServiceContext, conflicts: Iterable[Conflict]) -> list[ConflictView]:
    conflicts = list(conflicts)
    with ctx.unit_of_work() as session:
        words = describe_records(session, [(c.table, c.row_id, {}) for c in conflicts])
    views = []
    for c in conflicts:
        whole_row = c.field is None
        resolved = "" if c.is_open else ("Kept deleted" if whole_row else value_text(c.resolved_value))
        views.append(ConflictView(c.id, words[(c.table, c.row_id)], c.field, field_label(c.field),
                                  tuple(_version_view(v, whole_row) for v in c.versions), c.is_open,
                                  needs_clinician(c.table), c.created_at, c.resolved_by, c.resolved_at, resolved))
    return views


def _patient_cards(ctx: ServiceContext, ids: Iterable[str]) -> dict[str, PatientCard]:
    ids = sorted(set(ids))
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(PatientRow).where(PatientRow.id.in_(ids))).all() if ids else []
        cards = {row.id: PatientCard(row.id, True, row.uhid, f"{row.given_name} {row.family_name}".strip(),
                                     row.date_of_birth, row.phone) for row in rows}
    return {pid: cards.get(pid, PatientCard(pid, False)) for pid in ids}


def _duplicate_views(ctx: ServiceContext, items: Iterable[ReviewItem]) -> list[DuplicateView]:
    items = list(items)
    cards = _patient_cards(ctx, [pid for item in items for pid in (item.row_id, item.other_row_id)])
    return [DuplicateView(item.id, cards[item.row_id], cards[item.other_row_id],
                          tuple(MATCH_LABELS.get(m, m) for m in item.matched_on), item.is_open, item.created_at,
                          item.decision, item.resolved_by, item.resolved_at, item.note) for item in items]


def _loser_views(ctx: ServiceContext, entries: Iterable[LoserEntry]) -> list[LoserView]:
    entries = list(entries)
    with ctx.unit_of_work() as session:
        words = describe_records(session, [(e.table, e.row_id, {}) for e in entries])
    return [LoserView(words[(e.table, e.row_id)], field_label(e.field), _version_view(e.lost, False),
                      _version_view(e.kept, False), e.created_at) for e in entries]


def fetch_review(ctx: ServiceContext, hq: ReviewHq) -> ReviewSnapshot:
    """Everything HQ holds for a person in this centre (open and settled), described with this device's records.
    Runs off the UI thread: it waits for HQ. An unreachable HQ raises the transport's SyncError sentence."""
    ctx.authorise(Action.SYNC_REVIEW)
    conflicts = hq.list_conflicts(ALL)
    items = hq.list_review_items(ALL)
    losers = hq.list_loser_log()
    fetched_at = ctx.now()
    return ReviewSnapshot(tuple(_conflict_views(ctx, conflicts)), tuple(_duplicate_views(ctx, items)),
                          tuple(_loser_views(ctx, losers)), fetched_at)


def _open_conflict(hq: ReviewHq, conflict_id: str) -> Conflict:
    conflict = next((c for c in hq.list_conflicts(OPEN) if c.id == conflict_id), None)
    if conflict is None:
        raise NoLongerOpen("This conflict is no longer open: someone settled it meanwhile. Refresh the list.")
    return conflict


def typed_value(table: str, field: str, text: str) -> Any:
    """A value a person typed, in the field's wire form (dates as ISO text); a wrong one is a ValidationError that
    names the field, so nothing reaches HQ that a device could not apply."""
    column = Base.metadata.tables[table].c[field] if table in Base.metadata.tables else None
    text = text.strip()
    label = field_label(field)
    if column is None:
        return text
    if not text:
        if column.nullable:
            return None
        raise ValidationError({field: "cannot be empty"}, {field: label})
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    try:
        if kind is date:
            return date.fromisoformat(text).isoformat()
        if kind is datetime:
            return datetime.fromisoformat(text).isoformat()
        if kind is bool:
            if text.lower() not in ("yes", "no", "true", "false"):
                raise ValueError(text)
            return text.lower() in ("yes", "true")
        if kind is int:
            return int(text)
    except ValueError:
        example = {date: "a date such as 1984-03-09", datetime: "a date and time such as 2026-11-26T10:30",
                   bool: "yes or no", int: "a whole number"}[kind]
        raise ValidationError({field: f"must be {example}"}, {field: label}) from None
    return text


def resolve_conflict(ctx: ServiceContext, hq: ReviewHq, conflict_id: str, *, choice: int | None = None,
                     value: Any = _NO_VALUE) -> ConflictView:
    """Keep one version (`choice`, its index) or enter the right value. HQ writes it as a change every device pulls
    at its next sync. A clinical or identity field needs SYNC_RESOLVE_CLINICAL; a scheduling one SYNC_RESOLVE."""
    user = ctx.require_user()
    if (choice is None) == (value is _NO_VALUE):
        raise ValidationError({"choice": "choose one version or enter a new value, not both"})
    conflict = _open_conflict(hq, conflict_id)  # which kind of conflict it is decides who may settle it
    if needs_clinician(conflict.table):
        ctx.authorise(Action.SYNC_RESOLVE_CLINICAL, entity=conflict.table, entity_id=conflict.row_id)
    else:
        ctx.authorise(Action.SYNC_RESOLVE, entity=conflict.table, entity_id=conflict.row_id)
    if choice is not None and not 0 <= choice < len(conflict.versions):
        raise ValidationError({"choice": f"must be one of the {len(conflict.versions)} versions"})
    if choice is not None:
        resolved = hq.resolve_conflict(conflict_id, resolved_by=user.full_name, choice=choice)
        how = f"kept the version of {conflict.versions[choice].device_name or 'a device'}"
    else:
        resolved = hq.resolve_conflict(conflict_id, resolved_by=user.full_name, value=value)
        how = "entered a new value"
    with ctx.unit_of_work() as session:
        ctx.audit(session, "sync.conflict_resolve", entity=conflict.table, entity_id=conflict.row_id,
                  detail=f"conflict {conflict_id[:16]} on {conflict.field or 'the whole record'}: {how}")
    return _conflict_views(ctx, [resolved])[0]


def settle_duplicate(ctx: ServiceContext, hq: ReviewHq, item_id: str, decision: str, note: str = "") -> DuplicateView:
    """Two people, or one person whose records a person merges later (nothing is merged here)."""
    user = ctx.authorise(Action.SYNC_RESOLVE, entity="patient", entity_id=item_id)
    note = note.strip()
    if decision not in DECISIONS:
        raise ValidationError({"decision": "must be 'Different people' or 'Same person, merge later'"})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"must be at most {NOTE_MAX} characters"})
    item = hq.settle_review_item(item_id, decision=decision, settled_by=user.full_name, note=note or None)
    with ctx.unit_of_work() as session:
        ctx.audit(session, "sync.duplicate_settle", entity="patient", entity_id=item.row_id,
                  detail=f"review item {item_id[:16]} with patient {item.other_row_id}: {decision}")
    return _duplicate_views(ctx, [item])[0]


def needs_attention(ctx: ServiceContext, *, include_done: bool = False) -> list[RejectedChange]:
    """Changes HQ refused, in words; with include_done also those already sent again or kept on this device."""
    ctx.authorise(Action.SYNC_REVIEW)
    with ctx.unit_of_work() as session:
        return rejected_changes(session, include_done=include_done)


_NOT_REFUSED = "This change is no longer waiting for a decision (someone dealt with it already). Refresh the list."


def send_change_again(ctx: ServiceContext, op_id: str) -> tuple[str, Changes]:
    """Queue a refused change again (e.g. after its conflict was settled); it goes with the next sync."""
    user = ctx.authorise(Action.SYNC_RESOLVE, entity="sync_outbox", entity_id=op_id)
    with ctx.unit_of_work(write_lock=True) as session:
        try:
            new_id = send_again(session, op_id, at=ctx.now(), by=user.full_name)
        except NotRefused:
            raise NotFound(_NOT_REFUSED) from None
        ctx.audit(session, "sync.change_send_again", entity="sync_outbox", entity_id=op_id,
                  detail=f"queued again as operation {new_id}")
    return new_id, Changes(audit=True)


def keep_change_on_device(ctx: ServiceContext, op_id: str, why: str) -> Changes:
    """Stop sending a refused change: kept here with who and why, never deleted; HQ's refusal stands."""
    user = ctx.authorise(Action.SYNC_RESOLVE, entity="sync_outbox", entity_id=op_id)
    why = " ".join(why.split())
    if not why:
        raise ValidationError({"why": "is needed: say why this device keeps its record"})
    if len(why) > WHY_MAX:
        raise ValidationError({"why": f"must be at most {WHY_MAX} characters"})
    with ctx.unit_of_work(write_lock=True) as session:
        try:
            keep_on_device(session, op_id, at=ctx.now(), by=user.full_name, why=why)
        except NotRefused:
            raise NotFound(_NOT_REFUSED) from None
        ctx.audit(session, "sync.change_keep_local", entity="sync_outbox", entity_id=op_id,
                  detail="kept on this device only; no longer sent")  # the reason stays with the change
    return Changes(audit=True)
