"""Queue the synced rows that were never queued: rows written before their table became synced (an upgrade that adds
tables to the policies, a database made by an older version) have no stamps, so no other device would ever get them."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import String, Table, cast, exists, select
from sqlalchemy.orm import Session

from clinicdesk.store.database import Database
from clinicdesk.store.models import Base
from clinicdesk.store.outbox import SyncRowStampRow, queue_inserts, wire_value
from clinicdesk.store.sync_registry import ROW_ID_SEPARATOR, may_travel, row_id_of, synced_columns

BATCH = 500  # rows queued per transaction: a large old database never holds one long write lock

log = logging.getLogger(__name__)


@dataclass
class Backfilled:
    """Rows queued per table; counts only, never values."""

    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def synced_tables_in_key_order() -> list[Table]:
    """The synced tables, each after the tables its foreign keys point at, so parents are queued (and stamped,
    hence pushed) before their children."""
    return [table for table in Base.metadata.sorted_tables if synced_columns(table.name)]


def _row_id_expression(table: Table):
    """The row id (sync_registry.row_id_of) as SQL, so a row with stamps is found through the stamps' primary key."""
    keys = [cast(column, String) for column in table.primary_key.columns]
    expression = keys[0]
    for key in keys[1:]:
        expression = expression + ROW_ID_SEPARATOR + key
    return expression


def _unstamped(session: Session, table: Table, limit: int) -> list:
    stamped = exists().where(SyncRowStampRow.table_name == table.name,
                             SyncRowStampRow.row_id == _row_id_expression(table))
    order = list(table.primary_key.columns)
    return list(session.connection().execute(select(table).where(~stamped).order_by(*order).limit(limit)).mappings())


def _insert_of(table: Table, row) -> tuple[str, dict]:
    """The row id and the fields an insert of `row` carries: synced columns, a value sealed with this database's
    own key left out (it travels once re-sealed with the centre key, as the outbox does for a new row)."""
    synced = synced_columns(table.name)
    fields = {column.name: wire_value(row[column.name]) for column in table.columns
              if column.name in synced and may_travel(table.name, column.name, row[column.name])}
    return row_id_of([row[column.name] for column in table.primary_key.columns]), fields


def backfill_outbox(database: Database, *, batch: int = BATCH) -> Backfilled:
    """Queue an insert for every synced row without stamps, parents first, `batch` rows per transaction. Queuing
    writes the row's stamps, so a second run finds nothing to do (and costs one indexed query per table)."""
    done = Backfilled()
    for table in synced_tables_in_key_order():
        queued: set[str] = set()
        while True:
            with database.session() as session, session.begin():
                inserts = [_insert_of(table, row) for row in _unstamped(session, table, batch)]
                fresh = [(row_id, fields) for row_id, fields in inserts if row_id not in queued]
                if fresh:
                    queue_inserts(session, table.name, fresh)
            if len(fresh) < len(inserts):  # a key whose row id SQL spells differently: never loop on it
                log.warning("%s: %d rows could not be matched to their stamps", table.name, len(inserts) - len(fresh))
            queued.update(row_id for row_id, _ in fresh)
            if fresh:
                done.tables[table.name] = done.tables.get(table.name, 0) + len(fresh)
            if len(fresh) < batch:
                break
    if done.rows:
        log.info("queued %d rows written before their tables synced (%d tables)", done.rows, len(done.tables))
    return done
