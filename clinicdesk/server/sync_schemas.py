"""Request bodies of the sync endpoints: a push batch of wire operations, strictly shaped and bounded."""

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from clinicdesk.domain.sync.hlc import MAX_WALL_MS
from clinicdesk.server.limits import StrictModel
from clinicdesk.server.sync_models import FIELD_NAME_MAX, ROW_ID_MAX, STAMP_MAX, TABLE_NAME_MAX

MAX_BATCH_OPERATIONS = 500
MAX_PUSH_BODY_BYTES = 8 * 1024 * 1024  # a batch of notes and prescriptions; anything larger is split by the device
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500

LowerUuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


def _bounded(max_length: int):
    return Annotated[str, StringConstraints(max_length=max_length)]


class WireOperation(StrictModel):
    """The shape of Operation.to_wire. Only the shape is checked here (a wrong one refuses the whole batch); what the
    operation says is judged by validate_operation and merge_row, which answer it "rejected" with a reason."""

    op_id: LowerUuid
    table: _bounded(TABLE_NAME_MAX)
    row_id: _bounded(ROW_ID_MAX)
    kind: _bounded(16)
    fields: dict[_bounded(FIELD_NAME_MAX), Any] = Field(max_length=200)
    hlc: _bounded(STAMP_MAX)
    device_id: _bounded(64)
    base: dict[_bounded(FIELD_NAME_MAX), _bounded(STAMP_MAX)] = Field(default_factory=dict, max_length=200)


class PushBatch(StrictModel):
    batch_id: LowerUuid
    operations: list[WireOperation] = Field(max_length=MAX_BATCH_OPERATIONS)
    device_hlc: _bounded(STAMP_MAX)
    device_wall_ms: int = Field(ge=0, le=MAX_WALL_MS)
