"""Row-level sync checks for a device: per-row digests of one table (paged), the merged state of given rows as
operations, and HQ's epoch with its start date. The centre always comes from the device credential."""

import hashlib
import uuid
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field, StringConstraints
from sqlalchemy import select

from clinicdesk.domain.sync.digest import row_line
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.server.auth import AuthenticatedDevice
from clinicdesk.server.device_routes import current_device
from clinicdesk.server.errors import ApiError
from clinicdesk.server.limits import StrictModel
from clinicdesk.server.state import ServerState, server_state
from clinicdesk.server.sync_epoch import current_epoch
from clinicdesk.server.sync_models import ROW_ID_MAX, TABLE_NAME_MAX, RowStateRow, ServerEpochRow
from clinicdesk.server.sync_push import row_state_of

MAX_ROWS_PAGE = 5000
DEFAULT_ROWS_PAGE = 2000
MAX_STATE_ROWS = 500
# Operations made from HQ's merged state get ids derived from (table, row, stamp): asking twice gives the same ids.
_STATE_OP_NAMESPACE = uuid.UUID("7d0f3c52-4a8e-4a55-9d7e-2f1c6b0e9a31")

router = APIRouter(prefix="/v1/sync")

TableName = Annotated[str, StringConstraints(min_length=1, max_length=TABLE_NAME_MAX)]
RowId = Annotated[str, StringConstraints(min_length=1, max_length=ROW_ID_MAX)]


class RowStateRequest(StrictModel):
    table: TableName
    row_ids: list[RowId] = Field(min_length=1, max_length=MAX_STATE_ROWS)


def row_digest(row_id: str, stamps: dict, deleted: str | None) -> str:
    """One row's SHA-256 over the same line the table digest hashes (row id, field stamps, tombstone)."""
    return hashlib.sha256(row_line(row_id, stamps, deleted)).hexdigest()


def _synced_table(table: str) -> str:
    if table not in CLINICDESK_POLICIES.schema():
        raise ApiError(422, "invalid_request", "The table named is not one that syncs.")
    return table


@router.get("/rows")
def list_rows(table: str = Query(..., min_length=1, max_length=TABLE_NAME_MAX),
              after: str = Query("", max_length=ROW_ID_MAX),
              limit: int = Query(DEFAULT_ROWS_PAGE, ge=1, le=MAX_ROWS_PAGE),
              device: AuthenticatedDevice = Depends(current_device),
              state: ServerState = Depends(server_state)) -> dict:
    """The centre's rows of one synced table in row id order after `after`: `{rows: [{row_id, sha256}],
    next_after, has_more}`; each digest is what the device computes from its own stamps for the same row."""
    _synced_table(table)
    with state.transaction(device.centre_id) as session:
        found = session.execute(
            select(RowStateRow.row_id, RowStateRow.field_stamps, RowStateRow.deleted)
            .where(RowStateRow.centre_id == device.centre_id, RowStateRow.table_name == table,
                   RowStateRow.row_id > after)
            .order_by(RowStateRow.row_id).limit(limit + 1)).all()
    page = found[:limit]
    return {"table": table, "rows": [{"row_id": row_id, "sha256": row_digest(row_id, stamps, deleted)}
                                     for row_id, stamps, deleted in page],
            "next_after": page[-1][0] if page else after, "has_more": len(found) > limit}


@router.post("/rows/state")
def rows_state(body: RowStateRequest, device: AuthenticatedDevice = Depends(current_device),
               state: ServerState = Depends(server_state)) -> dict:
    """HQ's current merged state of the given rows as operations a device merges like pulled changes: one upsert
    per distinct field stamp (each field keeps its own stamp and writer) and the tombstone, if any, first.
    Row ids HQ does not hold are listed in `missing`."""
    table = _synced_table(body.table)
    wanted = list(dict.fromkeys(body.row_ids))
    with state.transaction(device.centre_id) as session:
        rows = session.scalars(select(RowStateRow).where(RowStateRow.centre_id == device.centre_id,
                                                         RowStateRow.table_name == table,
                                                         RowStateRow.row_id.in_(wanted))).all()
        operations = [wire for row in rows for wire in state_operations(row)]
        held = {row.row_id for row in rows}
    return {"table": table, "operations": operations, "missing": [row_id for row_id in wanted if row_id not in held]}


def state_operations(row: RowStateRow) -> list[dict]:
    """The row's merged state as wire operations: stamps and writers exactly as HQ holds them."""
    current = row_state_of(row)
    operations = []
    if current.deleted is not None:
        operations.append(_operation(current.table, current.row_id, OpKind.DELETE, {}, current.deleted))
    by_stamp = defaultdict(dict)
    for name, stamp in current.stamps.items():
        by_stamp[stamp][name] = current.values.get(name)
    for stamp in sorted(by_stamp):
        operations.append(_operation(current.table, current.row_id, OpKind.UPSERT, by_stamp[stamp], stamp))
    return operations


def _operation(table: str, row_id: str, kind: OpKind, fields: dict, stamp) -> dict:
    op_id = str(uuid.uuid5(_STATE_OP_NAMESPACE, f"{table}:{row_id}:{kind}:{stamp.to_string()}"))
    return Operation(op_id=op_id, table=table, row_id=row_id, kind=kind, fields=fields, hlc=stamp,
                     device_id=stamp.node).to_wire()


@router.get("/epoch")
def epoch(device: AuthenticatedDevice = Depends(current_device), state: ServerState = Depends(server_state)) -> dict:
    """HQ's current epoch and when it began (a reset or restore), for the device's full-resync dialog."""
    with state.transaction(device.centre_id) as session:
        epoch_id = current_epoch(session)
        started_at = session.scalars(select(ServerEpochRow.started_at)).one()
    return {"epoch": epoch_id, "started_at": started_at.isoformat()}
