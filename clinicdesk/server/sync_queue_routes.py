"""Endpoints of the conflict queue (list, resolve), the loser log and review items (list, settle) for a centre's
devices, and the admin's epoch reset. The centre always comes from the device credential."""

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field, model_validator

from clinicdesk.server.admin_routes import require_admin
from clinicdesk.server.auth import AuthenticatedDevice
from clinicdesk.server.device_routes import current_device
from clinicdesk.server.limits import StrictModel, text
from clinicdesk.server.models import REASON_MAX
from clinicdesk.server.state import ServerState, server_state
from clinicdesk.server.sync_clock import ServerClock
from clinicdesk.server.sync_conflicts import (
    ALL,
    DIFFERENT_PEOPLE,
    OPEN,
    RESOLVED,
    SAME_PERSON,
    list_conflicts,
    list_loser_log,
    list_review_items,
    resolve_conflict,
    settle_review_item,
)
from clinicdesk.server.sync_epoch import reset_epoch
from clinicdesk.server.sync_models import RESOLVER_MAX, SETTLEMENT_NOTE_MAX

MAX_LIST_LIMIT = 500
DEFAULT_LIST_LIMIT = 100
MAX_VERSION_INDEX = 100
ConflictId = Path(min_length=1, max_length=64)
ReviewItemId = Path(min_length=1, max_length=64)  # its own: FastAPI binds a Path() object to the first name used
ListState = Literal[OPEN, RESOLVED, ALL]

router = APIRouter(prefix="/v1/sync")
admin_router = APIRouter(prefix="/v1/admin", dependencies=[Depends(require_admin)])


class Resolution(StrictModel):
    """Exactly one of `choice` (the index of a version) or `value` (a new value; null is a value), and who decided."""

    choice: int | None = Field(default=None, ge=0, le=MAX_VERSION_INDEX)
    value: Any = None
    resolved_by: text(RESOLVER_MAX)

    @model_validator(mode="after")
    def _one_of_choice_or_value(self):
        given = {"choice", "value"} & self.model_fields_set
        if given == {"choice", "value"} or (given == {"choice"} and self.choice is None) or not given:
            raise ValueError("send exactly one of 'choice' (the index of a version) or 'value' (a new value)")
        return self


class Settlement(StrictModel):
    """A person's decision on a possible duplicate: two people, or one person to merge later (never automatically)."""

    decision: Literal[DIFFERENT_PEOPLE, SAME_PERSON]
    settled_by: text(RESOLVER_MAX)
    note: text(SETTLEMENT_NOTE_MAX, min_length=0) | None = None


class EpochReset(StrictModel):
    reason: text(REASON_MAX) | None = None


def _sync_clock(request: Request) -> ServerClock:
    return request.app.state.sync_clock


@router.get("/conflicts")
def conflicts(state_filter: ListState = Query(OPEN, alias="state"),
              limit: int = Query(DEFAULT_LIST_LIMIT, ge=1, le=MAX_LIST_LIMIT),
              device: AuthenticatedDevice = Depends(current_device),
              state: ServerState = Depends(server_state)) -> dict:
    """The centre's conflicts, oldest first, each with every version (value, who, when)."""
    with state.transaction(device.centre_id) as session:
        return {"conflicts": list_conflicts(session, device.centre_id, state_filter, limit)}


@router.post("/conflicts/{conflict_id}/resolve")
def resolve(body: Resolution, conflict_id: str = ConflictId, device: AuthenticatedDevice = Depends(current_device),
            state: ServerState = Depends(server_state), clock: ServerClock = Depends(_sync_clock)) -> dict:
    """A person's decision becomes a change every device pulls; another centre's conflict is 404, never 403."""
    value = body.value if "value" in body.model_fields_set else None
    with state.transaction(device.centre_id) as session:
        return {"conflict": resolve_conflict(session, centre_id=device.centre_id, conflict_id=conflict_id,
                                             choice=body.choice, value=value, resolved_by=body.resolved_by,
                                             clock=clock, now=state.clock())}


@router.get("/loser-log")
def loser_log(limit: int = Query(DEFAULT_LIST_LIMIT, ge=1, le=MAX_LIST_LIMIT),
              device: AuthenticatedDevice = Depends(current_device),
              state: ServerState = Depends(server_state)) -> dict:
    """Recent low-risk values that lost to a concurrent later one, newest first, with both values."""
    with state.transaction(device.centre_id) as session:
        return {"entries": list_loser_log(session, device.centre_id, limit)}


@router.get("/review-items")
def review_items(state_filter: ListState = Query(OPEN, alias="state"),
                 limit: int = Query(DEFAULT_LIST_LIMIT, ge=1, le=MAX_LIST_LIMIT),
                 device: AuthenticatedDevice = Depends(current_device),
                 state: ServerState = Depends(server_state)) -> dict:
    """Possible duplicate patients for a person to look at (row ids only; the device shows the records)."""
    with state.transaction(device.centre_id) as session:
        return {"review_items": list_review_items(session, device.centre_id, state_filter, limit)}


@router.post("/review-items/{item_id}/settle")
def settle(body: Settlement, item_id: str = ReviewItemId, device: AuthenticatedDevice = Depends(current_device),
           state: ServerState = Depends(server_state)) -> dict:
    """Record who decided what about a possible duplicate; another centre's item is 404, never 403."""
    with state.transaction(device.centre_id) as session:
        return {"review_item": settle_review_item(session, centre_id=device.centre_id, item_id=item_id,
                                                  decision=body.decision, settled_by=body.settled_by,
                                                  note=body.note, now=state.clock())}


@admin_router.post("/epoch/reset")
def new_epoch(_body: EpochReset, state: ServerState = Depends(server_state)) -> dict:
    """After a restore or a schema change: every device still on the old epoch is sent through a full resync."""
    with state.transaction() as session:
        epoch = reset_epoch(session, state.clock())
    return {"epoch": epoch, "note": "Devices on the previous epoch are refused (409 epoch_changed) until they resync "
                                    "in full."}
