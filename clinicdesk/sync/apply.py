"""Apply one pulled operation to the local database: merge it into the row as HQ did, then write the row's result."""

import base64
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from functools import cache

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric, Time, TypeDecorator
from sqlalchemy.orm import Mapper, Session

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import RowState, merge_row
from clinicdesk.domain.sync.operations import Operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.store.models import Base
from clinicdesk.store.outbox import ALL_FIELDS, SyncRowStampRow, wire_value
from clinicdesk.store.sync_registry import CENTRE_SEALED_COLUMNS, LOCAL_ONLY_COLUMNS, is_synced, key_values_of


class Applied(StrEnum):
    CHANGED = "changed"  # the local row (or its stamps) changed
    UNCHANGED = "unchanged"  # already here (this device's own change coming back, or a repeat)
    REFUSED = "refused"  # the merge rejected it (HQ would have too); nothing changed
    SKIPPED = "skipped"  # a table this version of ClinicDesk does not know or does not sync


@cache
def synced_mappers() -> dict[str, Mapper]:
    """Each synced table's SQLAlchemy mapper, from the models the store declares."""
    return {mapper.local_table.name: mapper for mapper in Base.registry.mappers if is_synced(mapper.local_table.name)}


def _kind(column):
    return column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type


def from_wire(column, value):
    """Undo `outbox.wire_value` for one column: ISO text to dates and times, base64 to bytes, text to decimals."""
    if value is None:
        return None
    kind = _kind(column)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, Date):
        return date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, Time):
        return time.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value) if isinstance(value, str) else value
    if isinstance(kind, Float):
        return value
    if isinstance(kind, Numeric):
        return Decimal(str(value)) if kind.asdecimal else value
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer) and isinstance(value, str) and isinstance(column.type, TypeDecorator):
        return Decimal(value)  # money kept as whole paise (models_billing.Paise) travels as its rupee text
    if isinstance(kind, Integer) and isinstance(value, str):
        return int(value)  # a key given as text
    return value


def apply_operation(session: Session, op: Operation) -> Applied:
    """Merge `op` into its local row and save the outcome; call inside `applying_remote_changes`."""
    mapper = synced_mappers().get(op.table)
    fields = CLINICDESK_POLICIES.schema().get(op.table)
    if mapper is None or fields is None:
        return Applied.SKIPPED
    try:
        key = primary_key_of(mapper, op.row_id)
    except ValueError:
        return Applied.SKIPPED  # HQ checked the shape; a key this version cannot read is left for a newer one
    row = session.get(mapper.class_, key)
    stamp_row = session.get(SyncRowStampRow, (op.table, op.row_id))
    current = _row_state(mapper, op, row, stamp_row, fields)
    outcome = merge_row(current, op, CLINICDESK_POLICIES)
    new = outcome.new_state
    if new is None or new == current:
        return Applied.REFUSED if str(outcome.result.outcome) == "rejected" else Applied.UNCHANGED
    _write_row(session, mapper, row, new, op)
    _write_stamps(session, op, stamp_row, new)
    return Applied.CHANGED


def primary_key_of(mapper: Mapper, row_id: str) -> tuple:
    """The primary-key values an operation's row id stands for (a link row's id joins its key columns)."""
    columns = list(mapper.local_table.primary_key.columns)
    return tuple(from_wire(column, value) for column, value in zip(columns, key_values_of(row_id, len(columns)),
                                                                   strict=True))


def _row_state(mapper: Mapper, op: Operation, row, stamp_row: SyncRowStampRow | None,
               fields: frozenset[str]) -> RowState | None:
    """The row as the merge sees it: only fields whose stamp this device knows take part (others lose to HQ)."""
    if row is None and stamp_row is None:
        return None
    saved = json.loads(stamp_row.stamps_json) if stamp_row else {}
    deleted = HlcStamp.parse(stamp_row.deleted_hlc) if stamp_row and stamp_row.deleted_hlc else None
    values, stamps = {}, {}
    if row is not None:  # a deleted row's values are gone here (HQ keeps them), so it takes part with none
        for column in mapper.local_table.columns:
            stamp = saved.get(column.name, saved.get(ALL_FIELDS))
            if column.name in fields and stamp:
                values[column.name] = wire_value(getattr(row, mapper.get_property_by_column(column).key))
                stamps[column.name] = HlcStamp.parse(stamp)
    return RowState(op.table, op.row_id, values, stamps, deleted)


def _write_row(session: Session, mapper: Mapper, row, new: RowState, op: Operation) -> None:
    if new.is_deleted:
        if row is not None:
            session.delete(row)
            session.flush()  # before a later insert of the same unique value (a replaced holiday) is flushed
        return
    columns = {column.name: column for column in mapper.local_table.columns}
    values = {mapper.get_property_by_column(columns[name]).key: from_wire(columns[name], value)
              for name, value in new.values.items() if name in columns}
    changed_at = datetime.fromtimestamp(op.hlc.wall_ms / 1000, UTC)
    if row is None:
        values |= _unsynced_required_values(mapper, new, changed_at)
        session.add(mapper.class_(**values))
        return
    for attribute, value in values.items():
        if getattr(row, attribute) != value:
            setattr(row, attribute, value)
    if "updated_at" in columns and "updated_at" not in new.values and session.is_modified(row):
        row.updated_at = changed_at  # "recently changed" lists show a remote edit too


def _unsynced_required_values(mapper: Mapper, new: RowState, changed_at: datetime) -> dict:
    """A new row needs what HQ does not carry: its key (the row id), its local timestamps (the change's time) and,
    for a required sealed column, an empty value: a record written before its device had the centre key gets its
    sealed value in a later operation (another device's own key could not open it anyway)."""
    extra = {}
    table = mapper.local_table.name
    local_only = LOCAL_ONLY_COLUMNS.get(table, frozenset()) | CENTRE_SEALED_COLUMNS.get(table, frozenset())
    key = dict(zip([c.name for c in mapper.local_table.primary_key.columns], primary_key_of(mapper, new.row_id),
                   strict=True))
    for column in mapper.local_table.columns:
        if column.name in new.values or column.default is not None or column.server_default is not None:
            continue
        attribute = mapper.get_property_by_column(column).key
        if column.primary_key:
            extra[attribute] = key[column.name]
        elif not column.nullable and isinstance(_kind(column), DateTime):
            extra[attribute] = changed_at
        elif not column.nullable and column.name in local_only:
            extra[attribute] = b"" if isinstance(_kind(column), LargeBinary) else ""
    return extra


def _write_stamps(session: Session, op: Operation, stamp_row: SyncRowStampRow | None, new: RowState) -> None:
    # Saved stamps (and the all-fields default) stay unless overridden: a row deleted here took part without them.
    saved = json.loads(stamp_row.stamps_json) if stamp_row else {}
    stamps = saved | {name: stamp.to_string() for name, stamp in new.stamps.items()}
    text = json.dumps(stamps, sort_keys=True, separators=(",", ":"))
    deleted = new.deleted.to_string() if new.deleted else None
    if stamp_row is None:
        session.add(SyncRowStampRow(table_name=op.table, row_id=op.row_id, stamps_json=text, deleted_hlc=deleted))
    else:
        stamp_row.stamps_json, stamp_row.deleted_hlc = text, deleted
