"""After a sync, prove this device and HQ hold the same synced rows (per-table counts and hashes), and repair when
not: HQ's merged state of the differing rows is merged in here, and what only this device has is queued again."""

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.sync.digest import TableDigest, row_line, table_digest
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.store.database import Database
from clinicdesk.store.models import Base, SettingRow
from clinicdesk.store.outbox import (
    ALL_FIELDS,
    PENDING,
    REJECTED,
    SENT,
    OutboxRow,
    SyncRowStampRow,
    SyncStateRow,
    applying_remote_changes,
    load_hlc,
    save_hlc,
    wire_value,
)
from clinicdesk.store.sync_registry import CENTRE_SEALED_COLUMNS, may_travel, row_id_of, synced_columns
from clinicdesk.sync.apply import Applied, apply_operation, primary_key_of, synced_mappers
from clinicdesk.sync.page import apply_page, held_back_changes
from clinicdesk.sync.transport import HqTransport

ROWS_PAGE = 5000  # HQ's largest page of row digests
STATE_CHUNK = 500  # HQ's limit of rows per state request
CATCH_UP_ATTEMPTS = 3  # another device may push between our pull and HQ's summary
# Local-only setting: when this device last proved itself equal to HQ (the resync dialog counts changes since).
LAST_VERIFIED_SETTING = "sync.last_verified"
REQUEUED_REASON = "queued again: HQ did not hold this change when the two sides were compared"
_STATE_ID = 1

LocalRow = tuple[dict[str, str], str | None]  # (field -> stamp text, tombstone stamp text)


@dataclass(frozen=True)
class VerifyReport:
    """What the comparison found (table names and row counts only, never values)."""

    verified: bool  # after any repair, every table's count and hash agree (rows held back for staff aside)
    mismatched_tables: tuple[str, ...] = ()  # tables that differed when first compared
    rows_from_hq: int = 0  # rows whose HQ state was merged in here
    rows_sent_again: int = 0  # rows queued again because HQ lacked this device's version
    still_different: tuple[str, ...] = ()  # tables that still differ after the repair
    skipped_reason: str = ""  # why no comparison was made (changes still waiting to be sent)


# --- this device's side -------------------------------------------------------------------------------------

def _field_names(table: str) -> list[str]:
    """The fields of `table` that carry stamps: the synced columns its insert operation sends."""
    synced = synced_columns(table)
    mapper = synced_mappers().get(table)
    if mapper is None:
        return sorted(synced)
    return [column.name for column in mapper.local_table.columns if column.name in synced]


def expand_stamps(table: str, stamps_json: str, withheld: Collection[str] = ()) -> dict[str, str]:
    """The device's stamps per field, as HQ stores them (the all-fields shorthand of an insert spelled out), less
    the `withheld` fields: their values never left this device, so HQ holds no stamp for them."""
    saved = json.loads(stamps_json)
    default = saved.get(ALL_FIELDS)
    expanded = {name: saved.get(name, default) for name in _field_names(table) if name not in withheld}
    return {name: stamp for name, stamp in expanded.items() if stamp}


def withheld_fields(session: Session, table: str, row_ids: Collection[str] | None = None) -> dict[str, frozenset]:
    """Per row id, the sealed fields whose value here only this database's key opens. The outbox never sends those
    (sync_registry.may_travel), so they are no difference from HQ: comparing them would find the same rows differ,
    and send them again, on every sync until a centre key exists."""
    sealed = CENTRE_SEALED_COLUMNS.get(table, frozenset())
    source = Base.metadata.tables.get(table)
    if not sealed or source is None:
        return {}
    keys = list(source.primary_key.columns)
    columns = [column for column in source.columns if column.name in sealed]
    query = select(*keys, *columns)
    if row_ids is not None and len(keys) == 1:
        query = query.where(keys[0].in_(list(row_ids)))
    withheld = {}
    for row in session.connection().execute(query).mappings():
        names = frozenset(c.name for c in columns if not may_travel(table, c.name, row[c.name]))
        if names:
            withheld[row_id_of([row[key.name] for key in keys])] = names
    return withheld


def local_rows(session: Session, table: str) -> dict[str, LocalRow]:
    rows = session.execute(select(SyncRowStampRow.row_id, SyncRowStampRow.stamps_json, SyncRowStampRow.deleted_hlc)
                           .where(SyncRowStampRow.table_name == table))
    withheld = withheld_fields(session, table)
    return {row_id: (expand_stamps(table, stamps, withheld.get(row_id, ())), deleted)
            for row_id, stamps, deleted in rows}


def row_digest(row_id: str, stamps: dict, deleted: str | None) -> str:
    """The same per-row SHA-256 HQ lists (clinicdesk/server/sync_rows.py): the table digest's line for one row."""
    return hashlib.sha256(row_line(row_id, stamps, deleted)).hexdigest()


def local_digests(session: Session) -> dict[str, TableDigest]:
    return {table: table_digest((row_id, stamps, deleted) for row_id, (stamps, deleted) in local_rows(
        session, table).items()) for table in CLINICDESK_POLICIES.schema()}


def held_back(session: Session, table: str | None = None) -> set[tuple[str, str]]:
    """Rows with a change HQ has not taken: waiting to be sent, or refused and waiting for staff. Their difference
    is known and shown elsewhere, so it is neither a mismatch nor repaired here."""
    query = select(OutboxRow.table_name, OutboxRow.row_id).where(OutboxRow.state.in_((PENDING, SENT, REJECTED)))
    if table is not None:
        query = query.where(OutboxRow.table_name == table)
    # pulled changes waiting here for a parent record (clinicdesk/sync/page.py) are known differences too
    waiting = {(h.operation.table, h.operation.row_id) for h in held_back_changes(session)
               if table is None or h.operation.table == table}
    return {(t, r) for t, r in session.execute(query)} | waiting


def has_changes_waiting(session: Session) -> bool:
    return session.scalars(select(OutboxRow.op_id).where(OutboxRow.state.in_((PENDING, SENT))).limit(1)).first() \
        is not None


# --- HQ's side ----------------------------------------------------------------------------------------------

def hq_row_digests(client: HqTransport, table: str) -> dict[str, str]:
    digests, after = {}, ""
    while True:
        page = client.request("GET", "/v1/sync/rows", params={"table": table, "after": after,
                                                             "limit": ROWS_PAGE}).json()
        digests.update((row["row_id"], row["sha256"]) for row in page["rows"])
        if not page["has_more"] or not page["rows"]:
            return digests
        after = page["next_after"]


def hq_row_states(client: HqTransport, table: str, row_ids: list[str]) -> list[Operation]:
    operations = []
    for start in range(0, len(row_ids), STATE_CHUNK):
        answer = client.request("POST", "/v1/sync/rows/state",
                                json={"table": table, "row_ids": row_ids[start:start + STATE_CHUNK]}).json()
        operations += [Operation.from_wire(wire) for wire in answer["operations"]]
    return operations


# --- comparing ------------------------------------------------------------------------------------------------

def find_differences(database: Database, client: HqTransport, pull: Callable[[], object]) -> dict[str, list[str]]:
    """Per table whose count or hash differs: the row ids that differ, rows held back for staff left out (a table
    whose only differences are those is not listed). Pulls first when HQ has changes this device has not seen."""
    for _attempt in range(CATCH_UP_ATTEMPTS):
        summary = client.request("GET", "/v1/sync/summary").json()
        with database.session() as session:
            cursor = session.get(SyncStateRow, _STATE_ID).pull_cursor
        if int(summary["last_seq"]) <= cursor:
            break
        pull()
    with database.session() as session:
        mine = local_digests(session)
    # only the tables this version syncs: a newer HQ's extra table is skipped on pull and cannot be compared
    differing_tables = sorted(table for table in mine
                              if _as_dict(mine[table]) != summary["tables"].get(table, _as_dict(None)))
    differences = {}
    for table in differing_tables:
        theirs = hq_row_digests(client, table)
        with database.session() as session:
            rows = local_rows(session, table)
            skip = {row_id for _table, row_id in held_back(session, table)}
        ours = {row_id: row_digest(row_id, stamps, deleted) for row_id, (stamps, deleted) in rows.items()}
        rows_differing = sorted(row_id for row_id in set(ours) | set(theirs)
                                if ours.get(row_id) != theirs.get(row_id) and row_id not in skip)
        if rows_differing:
            differences[table] = rows_differing
    return differences


def _as_dict(digest: TableDigest | None) -> dict:
    digest = digest or table_digest(())
    return {"rows": digest.rows, "deleted": digest.deleted, "sha256": digest.sha256}


# --- repairing ------------------------------------------------------------------------------------------------

def repair_table(database: Database, client: HqTransport, table: str, row_ids: list[str],
                 now: Callable[[], datetime]) -> tuple[int, int]:
    """Merge HQ's state of `row_ids` in here (by policy, as a pulled change), then queue again whatever this device
    holds that HQ lacks or holds older. Returns (rows changed from HQ, rows queued again)."""
    operations = hq_row_states(client, table, row_ids)
    changed: set[str] = set()
    hq_rows: dict[str, LocalRow] = {}
    for op in operations:
        stamps, deleted = hq_rows.get(op.row_id, ({}, None))
        if op.kind == OpKind.DELETE:
            deleted = op.hlc.to_string()
        else:
            stamps = stamps | dict.fromkeys(op.fields, op.hlc.to_string())
        hq_rows[op.row_id] = (stamps, deleted)
    with database.session() as session, session.begin():
        hlc = load_hlc(session)
        waiting = {h.operation.row_id for h in held_back_changes(session) if h.operation.table == table}
        here: list[Operation] = []
        absent: dict[str, list[Operation]] = {}
        for op in operations:
            hlc.receive(op.hlc, _wall_ms(now))
            if op.row_id in waiting:
                continue  # page.py holds this row back until its parent arrives, and applies it then
            if _held_here(session, table, op.row_id):
                here.append(op)
            else:
                absent.setdefault(op.row_id, []).append(op)
        with applying_remote_changes(session):
            for op in here:
                if apply_operation(session, op) == Applied.CHANGED:
                    changed.add(op.row_id)
        if absent:  # a row new here is made whole, and waits (page.py) when its parent has not come
            result = apply_page(session, [op for ops in absent.values() for op in whole_row_first(ops)])
            changed |= set(absent) - {h.operation.row_id for h in result.held_back if h.operation.table == table}
        save_hlc(session, hlc)
    with database.session() as session, session.begin():
        sent_again = _queue_again(session, table, row_ids, hq_rows)
    return len(changed), sent_again


def _held_here(session: Session, table: str, row_id: str) -> bool:
    """This device has the row, or its stamps (a deleted row keeps them)."""
    if session.get(SyncRowStampRow, (table, row_id)) is not None:
        return True
    mapper = synced_mappers().get(table)
    return mapper is not None and _local_row(session, mapper, row_id) is not None


def whole_row_first(operations: list[Operation]) -> list[Operation]:
    """HQ's state of a row this device lacks, as operations that never create it half made. HQ sends one upsert
    per stamp, so the oldest may lack a required field a later edit changed; creating the row from it alone would
    break NOT NULL. The first upsert therefore carries every field (each later one's value too, which that later
    upsert then stamps as HQ has it: same value, newer stamp); a row deleted at HQ is only a tombstone here."""
    upserts = sorted((op for op in operations if op.kind == OpKind.UPSERT), key=lambda op: op.hlc)
    if not upserts or len(upserts) != len(operations):
        return operations
    fields: dict = {}
    for op in upserts:
        fields |= dict(op.fields)
    first = upserts[0]
    whole = Operation(op_id=first.op_id, table=first.table, row_id=first.row_id, kind=OpKind.UPSERT, fields=fields,
                      hlc=first.hlc, device_id=first.device_id, base=dict(first.base))
    return [whole, *upserts[1:]]


def _wall_ms(now: Callable[[], datetime]) -> int:
    return int(now().timestamp() * 1000)


def _newer(mine: str, theirs: str | None) -> bool:
    return theirs is None or HlcStamp.parse(mine) > HlcStamp.parse(theirs)


def _queue_again(session: Session, table: str, row_ids: list[str], hq_rows: dict[str, LocalRow]) -> int:
    """Queue again every field (or tombstone) this device holds newer than HQ, as the very change HQ lost: under its
    original stamp and author, so every replica that already holds it sees a repeat and all converge on the same
    stamps. It goes without `base` (unless this device's own change log still has it), so HQ treats it as concurrent
    with whatever it holds: a clinical difference becomes a conflict for a person, a low-risk one goes to the loser
    log, and nothing is written over. Returns how many rows were queued."""
    mapper = synced_mappers().get(table)
    if mapper is None:
        return 0
    columns = {column.name: column for column in mapper.local_table.columns}
    queued = 0
    for row_id in row_ids:
        stamp_row = session.get(SyncRowStampRow, (table, row_id))
        if stamp_row is None:
            continue  # HQ has a row this device never held: merged in above, nothing to send
        withheld = withheld_fields(session, table, [row_id]).get(row_id, ())
        mine, my_deleted = expand_stamps(table, stamp_row.stamps_json, withheld), stamp_row.deleted_hlc
        theirs, their_deleted = hq_rows.get(row_id, ({}, None))
        by_stamp: dict[str, dict] = {}
        newer = [name for name, stamp in mine.items() if _newer(stamp, theirs.get(name))]
        row = _local_row(session, mapper, row_id) if newer else None
        for name in newer:  # a row deleted here has no values left: only its logged changes can go again
            value = wire_value(getattr(row, mapper.get_property_by_column(columns[name]).key)) if row else None
            by_stamp.setdefault(mine[name], {})[name] = value
        sent = [_send_again(session, stamp_row, OpKind.UPSERT, fields if row is not None else None, text)
                for text, fields in sorted(by_stamp.items())]
        if my_deleted and _newer(my_deleted, their_deleted):
            sent.append(_send_again(session, stamp_row, OpKind.DELETE, {}, my_deleted))
        queued += any(sent)
    return queued


def _local_row(session: Session, mapper, row_id: str):
    try:
        return session.get(mapper.class_, primary_key_of(mapper, row_id))
    except ValueError:
        return None  # a row id this version cannot read as a key: nothing to send from here


def _send_again(session: Session, stamp_row: SyncRowStampRow, kind: OpKind, fields: dict | None,
                stamp: str) -> bool:
    """Queue one lost change under a new operation id (HQ may remember the old id while having lost its effect);
    False when it cannot be rebuilt."""
    op_id = uuid7(unix_ms=time.time_ns() // 1_000_000, random_bytes=secrets.token_bytes(10))
    logged = session.scalars(select(OutboxRow).where(OutboxRow.hlc == stamp)).first()
    if logged is not None:  # this device's change log still holds it: send that very change again
        logged.op_id, logged.state, logged.result_reason = op_id, PENDING, REQUEUED_REASON
        return True
    if fields is None:
        return False  # neither the values nor the logged change are here any more
    session.add(OutboxRow(op_id=op_id, table_name=stamp_row.table_name, row_id=stamp_row.row_id, kind=str(kind),
                          fields_json=_dumps(fields), base_json=_dumps({}), hlc=stamp,
                          created_at=datetime.now(UTC), state=PENDING, result_reason=REQUEUED_REASON))
    return True


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- the whole check ----------------------------------------------------------------------------------------

def verify_and_repair(database: Database, client: HqTransport, *, now: Callable[[], datetime],
                      push: Callable[[], object], pull: Callable[[], object]) -> VerifyReport:
    """Compare; when tables differ, repair them, send what was queued again, pull, and compare once more."""
    with database.session() as session:
        if has_changes_waiting(session):
            return VerifyReport(False, skipped_reason="changes are still waiting to be sent")
    differences = find_differences(database, client, pull)
    if not differences:
        _remember_verified(database, now)
        return VerifyReport(True)
    from_hq = sent_again = 0
    for table, row_ids in differences.items():
        changed, queued = repair_table(database, client, table, row_ids, now)
        from_hq, sent_again = from_hq + changed, sent_again + queued
    if sent_again:
        push()
    pull()
    still = find_differences(database, client, pull)
    if not still:
        _remember_verified(database, now)
    return VerifyReport(not still, tuple(differences), from_hq, sent_again, tuple(still))


def _remember_verified(database: Database, now: Callable[[], datetime]) -> None:
    with database.session() as session, session.begin():
        row = session.get(SettingRow, LAST_VERIFIED_SETTING)
        value = json.dumps({"at": now().isoformat()})
        if row is None:
            session.add(SettingRow(key=LAST_VERIFIED_SETTING, value=value))
        else:
            row.value = value
