"""Endpoints a centre's device calls: enrol with a one-time code, then ask who it is (its centre comes from its
credential)."""

from fastapi import APIRouter, Depends, Request

from clinicdesk.server.auth import AuthenticatedDevice, authenticate_device, bearer_token
from clinicdesk.server.enrolment import enrol_device
from clinicdesk.server.schemas import Enrolment
from clinicdesk.server.state import ServerState, server_state

router = APIRouter(prefix="/v1")


def current_device(request: Request, state: ServerState = Depends(server_state)) -> AuthenticatedDevice:
    credential = bearer_token(request)
    with state.transaction() as session:
        return authenticate_device(session, credential, state.verified)


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}


@router.post("/enrol", status_code=201)
def enrol(body: Enrolment, state: ServerState = Depends(server_state)) -> dict:
    with state.transaction() as session:
        enrolled = enrol_device(session, body.code, body.device_name, now=state.clock(),
                                proposed_device_code=body.device_code)
    return {"device_id": enrolled.device_id, "device_name": enrolled.device_name,
            "centre_id": enrolled.centre_id, "centre_name": enrolled.centre_name,
            "device_code": enrolled.device_code, "credential": enrolled.credential,
            "note": "Store this credential now: HQ keeps only a hash of it and cannot show it again."}


@router.get("/whoami")
def whoami(device: AuthenticatedDevice = Depends(current_device)) -> dict:
    return {"device": {"id": device.device_id, "name": device.device_name},
            "centre": {"id": device.centre_id, "name": device.centre_name}}
