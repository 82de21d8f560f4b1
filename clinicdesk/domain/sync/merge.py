"""The merge of one incoming operation into one row: per-field policies, knowledge-based concurrency, tombstones.

Every field ends with the value of its highest HLC stamp and a row stays deleted once any delete is seen, so the
state depends only on which operations arrived, not their order. The policies decide what else is recorded: a
loser-log entry (low-risk fields), a conflict for a person (clinical fields), or a rejection (append-only).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OperationResult, OpKind, Outcome, validate_operation
from clinicdesk.domain.sync.policies import Policy, PolicyTable


@dataclass(frozen=True)
class FieldVersion:
    """A value with who wrote it and when: the stamp's node is the device, its wall time the moment."""

    value: object
    stamp: HlcStamp


@dataclass(frozen=True)
class RowState:
    """A synced row as the merge sees it; a deleted row keeps its values under the tombstone (nothing is lost)."""

    table: str
    row_id: str
    values: Mapping[str, object] = field(default_factory=dict)
    stamps: Mapping[str, HlcStamp] = field(default_factory=dict)
    deleted: HlcStamp | None = None  # the latest delete seen; once set the row stays deleted until a person restores

    def __post_init__(self):
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "stamps", MappingProxyType(dict(self.stamps)))

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    def version(self, name: str) -> FieldVersion:
        return FieldVersion(self.values[name], self.stamps[name])


class ConflictKind(StrEnum):
    CONCURRENT_EDIT = "concurrent_edit"  # two devices changed a clinical field without seeing each other's change
    EDITED_AFTER_DELETE = "edited_after_delete"  # a row of a clinical table was changed later than it was deleted


@dataclass(frozen=True)
class Conflict:
    """A decision for a person, with every competing version (value, who, when) in stamp order."""

    table: str
    row_id: str
    field: str | None  # None: the whole row (deleted on one device, edited on another)
    kind: ConflictKind
    versions: tuple[FieldVersion, ...]

    @property
    def key(self) -> str:
        """The same conflict always gets the same key, so recording it twice stores it once."""
        stamps = "|".join(version.stamp.to_string() for version in self.versions)
        return f"{self.kind}:{self.table}:{self.row_id}:{self.field or '*'}:{stamps}"


@dataclass(frozen=True)
class LoserEntry:
    """A low-risk value that lost to a concurrent later one; kept so staff can look it up."""

    table: str
    row_id: str
    field: str
    lost: FieldVersion
    kept: FieldVersion

    @property
    def key(self) -> str:
        return f"{self.table}:{self.row_id}:{self.field}:{self.lost.stamp.to_string()}"


@dataclass(frozen=True)
class MergeOutcome:
    new_state: RowState | None  # None only when a rejected operation met no row
    result: OperationResult
    conflicts: tuple[Conflict, ...] = ()
    loser_log: tuple[LoserEntry, ...] = ()


_RANK = {Outcome.APPLIED: 0, Outcome.MERGED: 1, Outcome.CONFLICT: 2, Outcome.REJECTED: 3}


def _label(name: str) -> str:
    return name.replace("_", " ")


def _rejected(current: RowState | None, op: Operation, reason: str) -> MergeOutcome:
    return MergeOutcome(current, OperationResult(op.op_id, Outcome.REJECTED, reason))


def merge_row(current: RowState | None, incoming: Operation, policies: PolicyTable, *,
              validated: bool = False) -> MergeOutcome:
    """Apply `incoming` to `current` (None: the row is new here); never raises for a bad operation, rejects it.

    `validated=True`: the caller already ran validate_operation with `policies.schema()` (HQ's push does, to word
    its own refusal), so it is not run a second time on that hot path.
    """
    if current is not None and (current.table, current.row_id) != (incoming.table, incoming.row_id):
        raise ValueError("merge_row was given an operation for a different row")
    problems = [] if validated else validate_operation(incoming, policies.schema())
    if problems:
        return _rejected(current, incoming, "; ".join(problems).capitalize() + ".")
    if incoming.kind == OpKind.DELETE:
        return _merge_delete(current, incoming, policies)
    return _merge_upsert(current, incoming, policies)


def _merge_delete(current: RowState | None, op: Operation, policies: PolicyTable) -> MergeOutcome:
    if policies.is_append_only(op.table):
        return _rejected(current, op, f"Rows of {_label(op.table)} are append-only and are never deleted; "
                                      "record a correction instead.")
    if current is None:
        tombstone = RowState(op.table, op.row_id, deleted=op.hlc)
        return MergeOutcome(tombstone, OperationResult(op.op_id, Outcome.APPLIED))
    if current.deleted is not None and current.deleted >= op.hlc:
        same = current.deleted == op.hlc
        return MergeOutcome(current, OperationResult(
            op.op_id, Outcome.APPLIED if same else Outcome.MERGED, "" if same else "The row was already deleted."))
    state = RowState(op.table, op.row_id, current.values, current.stamps, deleted=op.hlc)
    # The deleting device's stamp is later than everything it had seen, so a field stamped later than the delete
    # is an edit it never saw.
    unseen = sorted(name for name, stamp in current.stamps.items() if stamp > op.hlc)
    if not unseen:
        return MergeOutcome(state, OperationResult(op.op_id, Outcome.APPLIED))
    if policies.has_clinical_fields(op.table):
        edit = FieldVersion({name: current.values[name] for name in unseen}, max(current.stamps[n] for n in unseen))
        conflict = Conflict(op.table, op.row_id, None, ConflictKind.EDITED_AFTER_DELETE,
                            (FieldVersion(None, op.hlc), edit))
        return MergeOutcome(state, OperationResult(op.op_id, Outcome.CONFLICT, _AFTER_DELETE_REASON), (conflict,))
    return MergeOutcome(state, OperationResult(op.op_id, Outcome.MERGED, _KEPT_UNDER_TOMBSTONE))


_AFTER_DELETE_REASON = ("The row was changed on one device after it was deleted on another; a person decides in "
                        "the conflict queue whether to restore it.")
_KEPT_UNDER_TOMBSTONE = "The row is deleted; the change is kept with the deleted record and does not bring it back."


def _fixed_field_problem(current: RowState | None, op: Operation, policies: PolicyTable) -> str | None:
    # A fixed field may be written once: by the operation that creates the row (a repeat of it changes nothing).
    # The same value written by another device is no change either: rows whose id derives from their content (a
    # form version) are created on two desks offline and must merge, not bounce.
    stamps = current.stamps if current is not None else {}
    changed = sorted(name for name in op.fields if policies.policy(op.table, name) == Policy.APPEND_ONLY
                     and name in stamps and stamps[name] != op.hlc
                     and not _same_value(current.values.get(name), op.fields[name]))
    if not changed:
        return None
    names = ", ".join(_label(name) for name in changed)
    return (f"{names.capitalize()} of {_label(op.table)} {'is' if len(changed) == 1 else 'are'} fixed when the "
            "record is created and cannot change; add a new record instead.")


def _merge_upsert(current: RowState | None, op: Operation, policies: PolicyTable) -> MergeOutcome:
    problem = _fixed_field_problem(current, op, policies)
    if problem:
        return _rejected(current, op, problem)
    values = dict(current.values) if current else {}
    stamps = dict(current.stamps) if current else {}
    outcome, reasons, conflicts, losers = Outcome.APPLIED, [], [], []
    for name in sorted(op.fields):
        mine = FieldVersion(op.fields[name], op.hlc)
        theirs_stamp = stamps.get(name)
        if theirs_stamp is not None and theirs_stamp == op.hlc:
            continue  # this very write is already here
        # every field ends with its highest-stamped value: the same state whatever order operations arrive in
        if theirs_stamp is None or op.hlc > theirs_stamp:
            values[name], stamps[name] = mine.value, mine.stamp
        known = op.base.get(name)
        if theirs_stamp is None or (known is not None and known >= theirs_stamp):
            continue  # the editing device had seen the value it replaced: an ordinary edit
        theirs = FieldVersion(current.values[name], theirs_stamp)
        if _same_value(theirs.value, mine.value):
            outcome = max(outcome, Outcome.MERGED, key=_RANK.get)
            continue
        later, earlier = (mine, theirs) if mine.stamp > theirs.stamp else (theirs, mine)
        if policies.policy(op.table, name) == Policy.CLINICAL:
            conflicts.append(Conflict(op.table, op.row_id, name, ConflictKind.CONCURRENT_EDIT, (earlier, later)))
            reasons.append(f"{_label(name).capitalize()} was changed on two devices at once; a person chooses in "
                           "the conflict queue.")
            outcome = Outcome.CONFLICT
        else:
            losers.append(LoserEntry(op.table, op.row_id, name, lost=earlier, kept=later))
            outcome = max(outcome, Outcome.MERGED, key=_RANK.get)
    deleted = current.deleted if current else None
    state = RowState(op.table, op.row_id, values, stamps, deleted)
    if deleted is not None and not _is_repeat(current, op):
        if op.hlc > deleted and policies.has_clinical_fields(op.table):
            conflicts.append(Conflict(op.table, op.row_id, None, ConflictKind.EDITED_AFTER_DELETE,
                                      (FieldVersion(None, deleted), FieldVersion(dict(op.fields), op.hlc))))
            reasons.append(_AFTER_DELETE_REASON)
            outcome = Outcome.CONFLICT
        else:
            reasons.append(_KEPT_UNDER_TOMBSTONE)
            outcome = max(outcome, Outcome.MERGED, key=_RANK.get)
    return MergeOutcome(state, OperationResult(op.op_id, outcome, " ".join(reasons)), tuple(conflicts),
                        tuple(losers))


def _is_repeat(current: RowState | None, op: Operation) -> bool:
    """Every field of `op` already carries its stamp: the operation was applied before."""
    return current is not None and all(current.stamps.get(name) == op.hlc for name in op.fields)


def _same_value(a: object, b: object) -> bool:
    # 1 == True == 1.0 in Python, but they are different values to a database and to staff
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    return a == b
