"""Applies one push batch to one centre inside the caller's transaction: remembered op ids, the merge of each
operation into its row, and the centre's change log, conflicts and loser log."""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import Conflict, FieldVersion, LoserEntry, RowState, merge_row
from clinicdesk.domain.sync.operations import Operation, OperationResult, Outcome, validate_operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES, PolicyTable
from clinicdesk.server.sync_duplicates import DuplicateWatch
from clinicdesk.server.sync_models import (
    AppliedOpRow,
    ChangeRow,
    ConflictRow,
    LoserLogRow,
    RowStateRow,
    SyncSequenceRow,
)

REUSED_OP_ID_REASON = ("This operation id was already used for a different change; the change was not applied. "
                       "The device must send it again under a new operation id.")
_INSERT_BY_DIALECT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def wire_digest(wire: dict) -> str:
    return sha256_hex(json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=True))


def lock_centre_sequence(session: Session, centre_id: str) -> SyncSequenceRow:
    """The centre's sequence row, created if missing and locked until commit (PostgreSQL: FOR UPDATE; SQLite: the
    INSERT takes the database write lock before anything is read, so no read can be stale)."""
    insert = _INSERT_BY_DIALECT[session.get_bind().dialect.name]
    session.execute(insert(SyncSequenceRow).values(centre_id=centre_id, last_seq=0)
                    .on_conflict_do_nothing(index_elements=["centre_id"]))
    return session.scalars(select(SyncSequenceRow).where(SyncSequenceRow.centre_id == centre_id)
                           .with_for_update()).one()


def row_state_of(row: RowStateRow) -> RowState:
    deleted = HlcStamp.parse(row.deleted) if row.deleted else None
    stamps = {name: HlcStamp.parse(text) for name, text in row.field_stamps.items()}
    return RowState(row.table_name, row.row_id, row.field_values, stamps, deleted)


def _version_json(version: FieldVersion) -> dict:
    return {"value": version.value, "stamp": version.stamp.to_string()}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


class _BatchWriter:
    """What one batch writes, with the lookups it needs loaded once (not per operation)."""

    def __init__(self, session: Session, centre_id: str, device_id: str, batch_id: str, now: datetime,
                 wires: Sequence[dict]):
        self.session, self.centre_id, self.device_id, self.batch_id, self.now = (session, centre_id, device_id,
                                                                                batch_id, now)
        self.sequence = lock_centre_sequence(session, centre_id)
        op_ids = {wire["op_id"] for wire in wires}
        self.answered = {row.op_id: row for row in session.scalars(
            select(AppliedOpRow).where(AppliedOpRow.centre_id == centre_id, AppliedOpRow.op_id.in_(op_ids)))}
        row_ids = {wire["row_id"] for wire in wires}
        self.states = {(row.table_name, row.row_id): row for row in session.scalars(
            select(RowStateRow).where(RowStateRow.centre_id == centre_id, RowStateRow.row_id.in_(row_ids)))}
        self.recorded_keys: set[tuple[type, str]] = set()
        self.duplicates = DuplicateWatch(session, centre_id, now, wires)

    def answer(self, wire: dict, result: OperationResult, digest: str, server_seq: int | None) -> None:
        row = AppliedOpRow(centre_id=self.centre_id, op_id=wire["op_id"], op_sha256=digest, batch_id=self.batch_id,
                           pushed_by_device_id=self.device_id, outcome=str(result.outcome), reason=result.reason,
                           server_seq=server_seq, received_at=self.now)
        self.session.add(row)
        self.answered[row.op_id] = row

    def record_change(self, op: Operation, new_state: RowState, conflicts, losers) -> int:
        self.sequence.last_seq += 1
        seq = self.sequence.last_seq
        self.session.add(ChangeRow(centre_id=self.centre_id, server_seq=seq, table_name=op.table, row_id=op.row_id,
                                   op_id=op.op_id, hlc=op.hlc.to_string(), operation=op.to_wire(),
                                   pushed_by_device_id=self.device_id, recorded_at=self.now))
        if (op.table, op.row_id) not in self.states:  # a new row: a new patient may be someone already registered
            self.duplicates.row_created(new_state, op.op_id)
        self._store_state(new_state, seq)
        for conflict in conflicts:
            self._record_conflict(conflict, op.op_id)
        for loser in losers:
            self._record_loser(loser)
        return seq

    def _store_state(self, state: RowState, seq: int) -> None:
        row = self.states.get((state.table, state.row_id))
        if row is None:
            row = RowStateRow(centre_id=self.centre_id, table_name=state.table, row_id=state.row_id)
            self.session.add(row)
            self.states[(state.table, state.row_id)] = row
        row.field_values = dict(state.values)
        row.field_stamps = {name: stamp.to_string() for name, stamp in state.stamps.items()}
        row.deleted = state.deleted.to_string() if state.deleted else None
        row.server_seq = seq

    def _is_new(self, model: type, key: str) -> bool:
        # the same conflict or loser entry raised again (another order of the same operations) is stored once
        if (model, key) in self.recorded_keys or self.session.get(model, (self.centre_id, key)) is not None:
            return False
        self.recorded_keys.add((model, key))
        return True

    def _record_conflict(self, conflict: Conflict, op_id: str) -> None:
        key = sha256_hex(conflict.key)
        if self._is_new(ConflictRow, key):
            self.session.add(ConflictRow(centre_id=self.centre_id, id=key, table_name=conflict.table,
                                         row_id=conflict.row_id, field=conflict.field, kind=str(conflict.kind),
                                         versions=[_version_json(v) for v in conflict.versions],
                                         raised_by_op_id=op_id, created_at=self.now))

    def _record_loser(self, loser: LoserEntry) -> None:
        key = sha256_hex(loser.key)
        if self._is_new(LoserLogRow, key):
            self.session.add(LoserLogRow(centre_id=self.centre_id, id=key, table_name=loser.table,
                                         row_id=loser.row_id, field=loser.field, lost=_version_json(loser.lost),
                                         kept=_version_json(loser.kept), created_at=self.now))


def apply_batch(session: Session, *, centre_id: str, device_id: str, batch_id: str, wires: Sequence[dict],
                now: datetime, policies: PolicyTable = CLINICDESK_POLICIES) -> list[OperationResult]:
    """One result per wire operation, in order. An operation id answered before gets its earlier answer again and
    changes nothing; the caller commits (all of it) or rolls back (none of it)."""
    writer = _BatchWriter(session, centre_id, device_id, batch_id, now, wires)
    schema = policies.schema()
    results = []
    for wire in wires:
        digest = wire_digest(wire)
        earlier = writer.answered.get(wire["op_id"])
        if earlier is not None:
            same = earlier.op_sha256 == digest
            results.append(OperationResult(wire["op_id"], Outcome(earlier.outcome), earlier.reason) if same
                           else OperationResult(wire["op_id"], Outcome.REJECTED, REUSED_OP_ID_REASON))
            continue
        result, seq = _apply_one(writer, wire, schema, policies)
        writer.answer(wire, result, digest, seq)
        results.append(result)
    return results


def _apply_one(writer: _BatchWriter, wire: dict, schema, policies: PolicyTable) -> tuple[OperationResult, int | None]:
    try:
        op = Operation.from_wire(wire)
    except ValueError as error:  # the message names the part that is wrong, never a value
        return OperationResult(wire["op_id"], Outcome.REJECTED, _sentence(str(error))), None
    problems = validate_operation(op, schema)
    if problems:
        return OperationResult(op.op_id, Outcome.REJECTED, _sentence("; ".join(problems))), None
    stored = writer.states.get((op.table, op.row_id))
    merged = merge_row(row_state_of(stored) if stored is not None else None, op, policies, validated=True)
    if merged.result.outcome == Outcome.REJECTED or merged.new_state is None:
        return merged.result, None
    seq = writer.record_change(op, merged.new_state, merged.conflicts, merged.loser_log)
    return merged.result, seq
