"""Endpoints for the HQ admin (admin token): create centres, issue one-time enrolment codes, revoke devices."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Path, Request

from clinicdesk.server.auth import check_admin_token
from clinicdesk.server.centre_keys import centre_key_for
from clinicdesk.server.enrolment import create_centre, issue_enrolment_code, revoke_device
from clinicdesk.server.models import ID_LENGTH
from clinicdesk.server.schemas import NewCentre, NewEnrolmentCode, Revocation
from clinicdesk.server.state import ServerState, server_state


def require_admin(request: Request, state: ServerState = Depends(server_state)) -> None:
    check_admin_token(request, state.admin_token)


router = APIRouter(prefix="/v1/admin", dependencies=[Depends(require_admin)])


@router.post("/centres", status_code=201)
def new_centre(body: NewCentre, request: Request, state: ServerState = Depends(server_state)) -> dict:
    with state.transaction() as session:
        centre = create_centre(session, body.name, now=state.clock())
        master = getattr(request.app.state, "centre_master_key", None)
        if master is not None:  # the centre's shared key is made with it (centres made earlier get one on first use)
            centre_key_for(session, centre.id, master, now=state.clock())
        return {"id": centre.id, "name": centre.name}


@router.post("/enrolment-codes", status_code=201)
def new_enrolment_code(body: NewEnrolmentCode, state: ServerState = Depends(server_state)) -> dict:
    with state.transaction() as session:
        issued = issue_enrolment_code(session, body.centre_id, valid_for=timedelta(hours=body.valid_hours),
                                      now=state.clock())
    return {"code": issued.code, "centre_id": issued.centre_id, "expires_at": issued.expires_at.isoformat(),
            "note": "Give this code to the centre; it enrols one device, once, before it expires."}


@router.post("/devices/{device_id}/revoke")
def revoke(body: Revocation, device_id: str = Path(min_length=1, max_length=ID_LENGTH),
           state: ServerState = Depends(server_state)) -> dict:
    with state.transaction() as session:
        device = revoke_device(session, device_id, body.reason, now=state.clock())
        return {"device_id": device.id, "revoked_at": device.revoked_at.isoformat(), "reason": device.revoked_reason}
