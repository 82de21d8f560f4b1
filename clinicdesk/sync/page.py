"""Apply one pulled page in the caller's transaction: keys checked at commit, rows held back until their parents come.

A page may hold a child before its parent from another device, so foreign keys are checked at commit (SQLite's
`defer_foreign_keys`). A row whose parent is still missing when the page is done, or that clashes with a unique
value on this device, is not dropped: its changes are held back (with a sentence saying why) in this database and
tried again, first, with every later page, until the parent arrives. Nothing held back ever wedges the pull.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Table, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinicdesk.domain.sync.operations import Operation
from clinicdesk.store.models import Base, SettingRow
from clinicdesk.store.outbox import applying_remote_changes
from clinicdesk.sync.apply import Applied, apply_operation, primary_key_of, synced_mappers

# Held-back changes live in the local settings table (never synced): one JSON list, small, and saved in the same
# transaction as the page, so a crash can neither lose them nor apply them twice.
HELD_BACK_KEY = "sync.held_back_changes"
MISSING_PARENT = "waits for the {parent} record it belongs to, which has not reached this device yet"
UNIQUE_CLASH = "has the same code, name or number as another record on this device; change one of them"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeldBack:
    """A pulled change waiting here; `reason` says why in words (never values)."""

    operation: Operation
    reason: str

    @property
    def sentence(self) -> str:
        return f"A change to {self.operation.table.replace('_', ' ')} {self.reason}."


@dataclass(frozen=True)
class PageResult:
    applied: int  # operations that changed this database (or were already here)
    skipped: int  # tables this version does not sync
    held_back: tuple[HeldBack, ...]  # everything still waiting after this page, older pages' included


def held_back_changes(session: Session) -> list[HeldBack]:
    """What is waiting for a parent (or a clash to be resolved), oldest first."""
    text = session.scalar(select(SettingRow.value).where(SettingRow.key == HELD_BACK_KEY))
    if not text:
        return []
    return [HeldBack(Operation.from_wire(item["operation"]), item["reason"]) for item in json.loads(text)]


def _save_held_back(session: Session, held: Sequence[HeldBack]) -> None:
    row = session.get(SettingRow, HELD_BACK_KEY)
    if not held:
        if row is not None:
            session.delete(row)
        return
    text = json.dumps([{"operation": h.operation.to_wire(), "reason": h.reason} for h in held],
                      separators=(",", ":"))
    if row is None:
        session.add(SettingRow(key=HELD_BACK_KEY, value=text))
    else:
        row.value = text


def apply_page(session: Session, operations: Sequence[Operation]) -> PageResult:
    """Apply what was held back and then `operations`, in order, inside the caller's transaction."""
    session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # reset by SQLite at commit
    earlier = held_back_changes(session)
    seen = {h.operation.op_id for h in earlier}
    queue = [h.operation for h in earlier] + [op for op in operations if op.op_id not in seen]
    held: dict[tuple[str, str], str] = {}
    careful = False  # one savepoint per operation only once a page met a clash: they cost a fifth of the time
    while True:
        attempt = session.begin_nested()
        try:
            applied, skipped, touched = _apply_all(session, queue, held, careful=careful)
        except IntegrityError:
            attempt.rollback()
            careful = True
            continue
        missing = {row: reason for row, reason in _missing_references(session, touched).items() if row not in held}
        if not missing:
            attempt.commit()
            break
        attempt.rollback()  # and again without them: a row held back may be the parent another row waited for
        held |= missing
    still = tuple(HeldBack(op, held[(op.table, op.row_id)]) for op in queue if (op.table, op.row_id) in held)
    _save_held_back(session, still)
    if still:
        log.warning("%d pulled change(s) held back until their parent records arrive", len(still))
    return PageResult(applied, skipped, still)


def _apply_all(session: Session, queue: Sequence[Operation], held: dict[tuple[str, str], str], *,
               careful: bool) -> tuple[int, int, dict[tuple[str, str], Operation]]:
    """Apply every operation of a row not held back. `careful`: each in its own savepoint, so a clash with a unique
    value here holds that row back instead of failing the page (otherwise the IntegrityError goes to the caller)."""
    applied, skipped, touched = 0, 0, {}
    with applying_remote_changes(session):
        for op in queue:
            row = (op.table, op.row_id)
            if row in held:
                continue  # its earlier change waits, so do its later ones (they apply in order)
            if careful:
                try:
                    with session.begin_nested():
                        outcome = apply_operation(session, op)
                        session.flush()
                except IntegrityError:
                    held[row] = UNIQUE_CLASH
                    continue
            else:
                outcome = apply_operation(session, op)
            if outcome == Applied.SKIPPED:
                skipped += 1
                continue
            applied += 1
            touched[row] = op
    return applied, skipped, touched


def _missing_references(session: Session, touched: dict[tuple[str, str], Operation]) -> dict[tuple[str, str], str]:
    """Rows of this page that break a foreign key: a present row whose parent is missing, or a deleted row that
    local rows still point at (that delete waits until their own deletes arrive)."""
    problems: dict[tuple[str, str], str] = {}
    mappers = synced_mappers()
    by_table: dict[str, list[str]] = {}
    for table_name, row_id in touched:
        by_table.setdefault(table_name, []).append(row_id)
    conn = session.connection()
    for table_name, row_ids in by_table.items():
        table: Table = Base.metadata.tables[table_name]
        keys = list(table.primary_key.columns)
        wanted = {primary_key_of(mappers[table_name], row_id): row_id for row_id in row_ids}
        present = {}
        for chunk in _chunks(list(wanted), 200):
            for row in conn.execute(select(table).where(_key_in(keys, chunk))).mappings():
                present[tuple(row[k.name] for k in keys)] = row
        for key, row_id in wanted.items():
            row = present.get(key)
            if row is not None:
                parent = _missing_parent(conn, table, row)
            else:
                parent = _child_still_pointing(conn, table, keys, key)
            if parent:
                problems[(table_name, row_id)] = parent
    return problems


def _missing_parent(conn, table: Table, row) -> str | None:
    for fk in table.foreign_keys:
        value = row[fk.parent.name]
        if value is not None and conn.execute(select(exists().where(fk.column == value))).scalar() is False:
            return MISSING_PARENT.format(parent=fk.column.table.name.replace("_", " "))
    return None


def _child_still_pointing(conn, table: Table, keys: list, key: tuple) -> str | None:
    if len(keys) != 1:
        return None  # nothing points at a link row
    for child in Base.metadata.tables.values():
        for fk in child.foreign_keys:
            if fk.column.table is table and conn.execute(select(exists().where(fk.parent == key[0]))).scalar():
                return (f"is a deletion that waits until the {child.name.replace('_', ' ')} records pointing at it "
                        "are deleted here too")
    return None


def _key_in(keys: list, values: Sequence[tuple]):
    if len(keys) == 1:
        return keys[0].in_([value[0] for value in values])
    return or_(*(and_(*(k == v for k, v in zip(keys, value, strict=True))) for value in values))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
