"""Client-side sync outbox: every ORM write to a synced table queues an operation in the same transaction."""

import base64
import json
import secrets
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from functools import cache

from sqlalchemy import Index, Integer, String, Text, event, func, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.sync.hlc import Hlc, HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.store.models import Base, UtcDateTime
from clinicdesk.store.sync_registry import ROW_ID_SEPARATOR, is_synced, may_travel, row_id_of, synced_columns

PENDING, SENT, ACKNOWLEDGED, REJECTED = "pending", "sent", "acknowledged", "rejected"

# session.info keys. The clock: a callable returning an aware datetime (a ServiceContext's `clock`). Without one the
# hook reads the real UTC time, which is what an HLC wants: a test's or demo's frozen business clock would stamp
# every change at one fake moment (still ordered, by the counter) and hide real clock skew from HQ's warning.
CLOCK_INFO_KEY = "clinicdesk.sync.clock"
# Set while the sync client applies pulled changes: those came from HQ and must not be echoed back as local edits.
APPLYING_REMOTE_INFO_KEY = "clinicdesk.sync.applying_remote"

_STAMP_CHARS = 90  # 15 + 1 + 6 + 1 + a node of up to 64 characters
_IN_CHUNK = 500  # stays far below SQLite's limit on bound parameters


class OutboxRow(Base):
    """One local change waiting for (or answered by) HQ; kept after acknowledgement as the device's change log."""

    __tablename__ = "sync_outbox"
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(6))  # upsert, delete
    fields_json: Mapped[str] = mapped_column(Text)  # changed fields; dates and decimals as text, bytes as base64
    base_json: Mapped[str] = mapped_column(Text)  # stamp of each field's value this device had seen before the edit
    hlc: Mapped[str] = mapped_column(String(_STAMP_CHARS), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(12), default=PENDING)  # pending, sent, acknowledged, rejected
    result_reason: Mapped[str] = mapped_column(String(300), default="")


# The push reads "everything not yet acknowledged, oldest first".
Index("ix_sync_outbox_state_hlc", OutboxRow.state, OutboxRow.hlc)


class SyncStateRow(Base):
    """The one row of this database's sync bookkeeping: its HLC node name and last stamp, pull cursor and epoch."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    node_id: Mapped[str] = mapped_column(String(64))
    last_hlc: Mapped[str] = mapped_column(String(_STAMP_CHARS), default="")
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)  # the last HQ sequence number applied here
    epoch: Mapped[str] = mapped_column(String(64), default="")  # HQ's epoch when this device last synced


class SyncRowStampRow(Base):
    """Per synced row: the HLC stamp of each field's current value, and of its deletion (a tombstone).

    `stamps_json` maps field names to stamps; the key `ALL_FIELDS` gives the stamp of every field not named, so an
    insert costs one short entry instead of one per column.
    """

    __tablename__ = "sync_row_stamps"
    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    stamps_json: Mapped[str] = mapped_column(Text)
    deleted_hlc: Mapped[str | None] = mapped_column(String(_STAMP_CHARS), nullable=True)


ALL_FIELDS = "*"
_STATE_ID = 1


# --- the hook ------------------------------------------------------------------------------------------------

def install_outbox_hook(target) -> None:
    """Listen on a sessionmaker (or Session class); calling it again for the same target changes nothing."""
    if not event.contains(target, "after_flush", _record_flush):
        event.listen(target, "after_flush", _record_flush)
    if not event.contains(target, "do_orm_execute", _record_bulk_statement):
        event.listen(target, "do_orm_execute", _record_bulk_statement)


@contextmanager
def applying_remote_changes(session: Session) -> Iterator[Session]:
    """Writes inside this block came from HQ: they update the tables but queue nothing.

    The block ends with a flush, so a commit after it (which would flush once more) finds nothing left to record.
    """
    session.info[APPLYING_REMOTE_INFO_KEY] = True
    try:
        yield session
        session.flush()
    finally:
        session.info.pop(APPLYING_REMOTE_INFO_KEY, None)


def _record_flush(session: Session, flush_context) -> None:
    # after_flush, not before_flush: the rows are written (defaults filled in, the write lock held, so reading and
    # bumping sync_state cannot race another writer), yet new/dirty/deleted and attribute history are still there.
    if session.info.get(APPLYING_REMOTE_INFO_KEY):
        return
    _queue(session, _collect_changes(session, _deleted_in_flush(session, flush_context)))


def _deleted_in_flush(session: Session, flush_context) -> list:
    """Objects this flush deleted: those given to session.delete() and the orphans a delete-orphan cascade removed
    (a centre's replaced holidays, a staff member's replaced hours), which session.deleted does not list."""
    deleted = {inspect(obj) for obj in session.deleted}
    deleted |= {state for state, (is_delete, list_only) in flush_context.states.items() if is_delete and not list_only}
    return [state.obj() for state in deleted if state.obj() is not None]


def _record_bulk_statement(execute_state):
    """ORM UPDATE and DELETE statements never pass through a flush: read the rows around them and queue the diff."""
    mapper = execute_state.bind_mapper if execute_state.is_update or execute_state.is_delete else None
    session = execute_state.session
    if mapper is None or not is_synced(mapper.local_table.name) or session.info.get(APPLYING_REMOTE_INFO_KEY):
        return None
    table = mapper.local_table
    keys = list(table.primary_key.columns)
    synced = synced_columns(table.name)
    columns = [column for column in table.columns if column.name in synced]
    conn = session.connection()  # plain Core here, so these reads do not come back through this event
    where = execute_state.statement.whereclause
    read = select(*keys, *(c for c in columns if c not in keys))
    before = {row_id_of([row[k.name] for k in keys]): row for row in conn.execute(
        read if where is None else read.where(where)).mappings()}
    result = execute_state.invoke_statement()
    if execute_state.is_delete:
        changes = [("delete", table.name, row_id, {}) for row_id in before]
    elif len(keys) == 1:
        [key] = keys
        ids = [row[key.name] for row in before.values()]
        after = {row_id_of([row[key.name]]): row for start in range(0, len(ids), _IN_CHUNK) for row in conn.execute(
            read.where(key.in_(ids[start:start + _IN_CHUNK]))).mappings()}
        changes = []
        for row_id, new in after.items():
            fields = {c.name: wire_value(new[c.name]) for c in columns
                      if new[c.name] != before[row_id][c.name] and may_travel(table.name, c.name, new[c.name])}
            if fields:
                changes.append(("update", table.name, row_id, fields))
    else:  # a link row is all key: a bulk UPDATE of one would change its identity, which no service does
        changes = []
    _queue(session, changes)
    return result


def _queue(session: Session, changes: list[tuple[str, str, str, dict]]) -> None:
    """Stamp each change on this database's clock and write its outbox entry and field stamps."""
    if not changes:
        return
    conn = session.connection()
    wall = _wall_clock(session)
    created_at = wall.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")  # as UtcDateTime stores it
    hlc = _load_hlc(conn)
    # A link row (composite key, all key) may be "inserted" again under its old key: the same row kept by a save
    # that replaced a list with an equal one (SQLAlchemy turns that delete + insert into no change), or a link
    # added back after its deletion. Only those inserts are looked up: any other insert is a new id.
    known = _known_stamps(conn, [(table, row_id) for kind, table, row_id, _ in changes
                                 if kind != "insert" or ROW_ID_SEPARATOR in row_id])
    outbox_rows, fresh_stamps = [], []
    for kind, table, row_id, fields in changes:
        if kind == "insert" and (table, row_id) in known and known[(table, row_id)][1] is None:
            continue  # the link is here already: nothing changed
        if kind == "update" and (table, row_id) not in known:
            continue  # a row never queued (written before its table synced): backfill sends it whole, edit included
        stamp = hlc.now(int(wall.timestamp() * 1000)).to_string()
        before, deleted = known.get((table, row_id), ({}, None))
        base = {} if kind == "delete" else _base(before, fields)
        outbox_rows.append((_new_op_id(), table, row_id, str(OpKind.DELETE if kind == "delete" else OpKind.UPSERT),
                            _dumps(fields), _dumps(base), stamp, created_at, PENDING, ""))
        after = {ALL_FIELDS: stamp} if kind == "insert" else before | dict.fromkeys(fields, stamp)
        if kind == "delete":
            deleted = stamp
        if (table, row_id) in known:
            conn.exec_driver_sql("UPDATE sync_row_stamps SET stamps_json = ?, deleted_hlc = ? "
                                 "WHERE table_name = ? AND row_id = ?", (_dumps(after), deleted, table, row_id))
        else:
            fresh_stamps.append((table, row_id, _dumps(after), deleted))
        known[(table, row_id)] = (after, deleted)  # a second change to the same row in this flush sees the first
    if outbox_rows:
        conn.exec_driver_sql(_INSERT_OUTBOX, outbox_rows)
    if fresh_stamps:
        conn.exec_driver_sql("INSERT INTO sync_row_stamps (table_name, row_id, stamps_json, deleted_hlc) "
                             "VALUES (?, ?, ?, ?)", fresh_stamps)
    _save_hlc(conn, hlc)


def _base(stamps: dict, fields: dict) -> dict:
    """The stamp of each changed field's previous value; a field this device never saw a value for is left out."""
    default = stamps.get(ALL_FIELDS)
    base = {name: stamps.get(name, default) for name in fields}
    return {name: stamp for name, stamp in base.items() if stamp is not None}


def _collect_changes(session: Session, deleted: list) -> list[tuple[str, str, str, dict]]:
    """(insert|update|delete, table, row id, wire fields) in an order HQ can apply: parents first, deletes last."""
    found = []
    for kind, objects in (("insert", session.new), ("update", session.dirty), ("delete", deleted)):
        for obj in objects:
            state = inspect(obj)
            table = state.mapper.local_table
            if not is_synced(table.name):
                continue
            fields = {} if kind == "delete" else _fields(state, changed_only=kind == "update")
            if kind == "update" and not fields:
                continue  # touched but equal, or only device-local columns changed
            found.append((kind, table, _row_id(state), fields))
    found = _without_row_switches(found)
    order = _table_order()
    found.sort(key=lambda c: (c[0] == "delete", -order[c[1]] if c[0] == "delete" else order[c[1]]))
    return [(kind, table.name, row_id, fields) for kind, table, row_id, fields in found]


def _without_row_switches(found: list) -> list:
    """A row deleted and inserted again under the same key in one flush (a service's practitioner links replaced by
    the same set) is one row that stays: its insert travels, and its delete would tombstone it everywhere else. A
    link row (composite key) is all key, so there is nothing to send at all."""
    inserted = {(table.name, row_id) for kind, table, row_id, _ in found if kind == "insert"}
    switched = {(table.name, row_id) for kind, table, row_id, _ in found
                if kind == "delete" and (table.name, row_id) in inserted}
    if not switched:
        return found
    return [change for change in found if (change[1].name, change[2]) not in switched
            or (change[0] == "insert" and len(change[1].primary_key.columns) == 1)]


@cache
def _table_order() -> dict:
    """Each table's place in foreign-key order (referenced tables first), worked out once."""
    return {table: index for index, table in enumerate(Base.metadata.sorted_tables)}


def _fields(state, *, changed_only: bool) -> dict:
    """The synced columns' values (sync_registry): device-local columns, and values sealed with this database's own
    key, never enter the outbox."""
    fields = {}
    synced = synced_columns(state.mapper.local_table.name)
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if column.table is not state.mapper.local_table or column.name not in synced:
            continue
        if changed_only:
            added = state.attrs[prop.key].history.added
            if not added:
                continue
            value = added[0]
        else:
            value = state.dict.get(prop.key)  # never loads: after the insert every written column is in the dict
        if may_travel(column.table.name, column.name, value):  # never a value sealed with this database's own key
            fields[column.name] = wire_value(value)
    return fields


def _row_id(state) -> str:
    mapper = state.mapper
    values = [state.dict.get(mapper.get_property_by_column(column).key) for column in mapper.primary_key]
    if any(value is None for value in values) and state.identity:
        values = list(state.identity)
    return row_id_of(values)


def wire_value(value):
    """A column value as JSON: dates, times and decimals as ISO/plain text (exact), bytes as base64."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _new_op_id() -> str:
    return uuid7(unix_ms=time.time_ns() // 1_000_000, random_bytes=secrets.token_bytes(10))


def _wall_clock(session: Session) -> datetime:
    clock: Callable[[], datetime] | None = session.info.get(CLOCK_INFO_KEY)
    return clock().astimezone(UTC) if clock is not None else datetime.now(UTC)


# --- the clock's persistence ---------------------------------------------------------------------------------

# The hook runs in every flush that touches a synced table, so it speaks SQL directly: building and compiling
# SQLAlchemy statements each time cost more than executing them (about a millisecond per save, measured).
_INSERT_OUTBOX = ("INSERT INTO sync_outbox (op_id, table_name, row_id, kind, fields_json, base_json, hlc, created_at, "
                  "state, result_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _load_hlc(conn) -> Hlc:
    row = conn.exec_driver_sql("SELECT node_id, last_hlc FROM sync_state WHERE id = ?", (_STATE_ID,)).first()
    if row is None:
        node = _new_op_id()  # this database's own node name, made once; a uuid7 fits the HLC node alphabet
        conn.exec_driver_sql("INSERT INTO sync_state (id, node_id, last_hlc, pull_cursor, epoch) "
                             "VALUES (?, ?, '', 0, '')", (_STATE_ID, node))
        return Hlc(node)
    node_id, last_hlc = row
    return Hlc(node_id, HlcStamp.parse(last_hlc) if last_hlc else None)


def _save_hlc(conn, hlc: Hlc) -> None:
    conn.exec_driver_sql("UPDATE sync_state SET last_hlc = ? WHERE id = ?", (hlc.last.to_string(), _STATE_ID))


def load_hlc(session: Session) -> Hlc:
    """This database's clock as last saved (made on first use); the sync client merges remote stamps into it."""
    return _load_hlc(session.connection())


def save_hlc(session: Session, hlc: Hlc) -> None:
    """Persist the clock after `Hlc.receive`, in the same transaction as the pulled page it saw."""
    _save_hlc(session.connection(), hlc)


def _known_stamps(conn, keys: list[tuple[str, str]]) -> dict:
    known = {}
    for table, row_id in dict.fromkeys(keys):
        row = conn.exec_driver_sql("SELECT stamps_json, deleted_hlc FROM sync_row_stamps "
                                   "WHERE table_name = ? AND row_id = ?", (table, row_id)).first()
        if row is not None:
            known[(table, row_id)] = (json.loads(row[0]), row[1])
    return known


# --- for the sync client -------------------------------------------------------------------------------------

def queue_inserts(session: Session, table_name: str, rows: list[tuple[str, dict]]) -> None:
    """Queue an insert of each (row id, wire fields) of `table_name` as the hook would have, with its stamps: for rows
    already in the database that were never queued (clinicdesk/sync/backfill.py)."""
    _queue(session, [("insert", table_name, row_id, fields) for row_id, fields in rows])


def pending_operations(session: Session, limit: int) -> list[Operation]:
    """The oldest `limit` operations HQ has not acknowledged, in HLC order.

    Sent ones come again: a push whose answer was lost is simply repeated, and HQ's memory of operation ids makes
    the repeat change nothing.
    """
    rows = session.execute(select(OutboxRow).where(OutboxRow.state.in_((PENDING, SENT)))
                           .order_by(OutboxRow.hlc).limit(limit)).scalars()
    return [Operation(op_id=r.op_id, table=r.table_name, row_id=r.row_id, kind=OpKind(r.kind),
                      fields=json.loads(r.fields_json), hlc=HlcStamp.parse(r.hlc),
                      device_id=HlcStamp.parse(r.hlc).node,  # the author: a resync relays changes HQ lost
                      base={name: HlcStamp.parse(text) for name, text in json.loads(r.base_json).items()})
            for r in rows]


def _move(session: Session, op_ids: Collection[str], *, from_states: tuple[str, ...], to_state: str,
          reason: str | None = None) -> int:
    values = {"state": to_state} if reason is None else {"state": to_state, "result_reason": reason[:300]}
    ids, moved = list(op_ids), 0
    for start in range(0, len(ids), _IN_CHUNK):
        result = session.execute(update(OutboxRow).where(OutboxRow.op_id.in_(ids[start:start + _IN_CHUNK]),
                                                         OutboxRow.state.in_(from_states))
                                 .values(**values).execution_options(synchronize_session=False))
        moved += result.rowcount
    return moved


def mark_sent(session: Session, op_ids: Collection[str]) -> int:
    """Pending operations now in flight; returns how many changed state."""
    return _move(session, op_ids, from_states=(PENDING,), to_state=SENT)


def mark_acknowledged(session: Session, op_ids: Collection[str], *, reason: str = "") -> int:
    """HQ applied, merged or recorded a conflict for these (`reason` says which, in words); they leave the queue."""
    return _move(session, op_ids, from_states=(PENDING, SENT), to_state=ACKNOWLEDGED, reason=reason)


def mark_rejected(session: Session, op_ids: Collection[str], *, reason: str) -> int:
    """HQ refused these; they wait in "needs attention" with HQ's sentence and are never sent again or dropped."""
    return _move(session, op_ids, from_states=(PENDING, SENT), to_state=REJECTED, reason=reason)


def outbox_counts(session: Session) -> dict[str, int]:
    """Operations per state, for the status indicator ("12 changes waiting")."""
    counts = dict.fromkeys((PENDING, SENT, ACKNOWLEDGED, REJECTED), 0)
    counts.update((state, n) for state, n in session.execute(select(OutboxRow.state, func.count())
                                                              .group_by(OutboxRow.state)))
    return counts
