"""GET /v1/centre-key: an enrolled device fetches its own centre's key (the centre comes from its credential)."""

import base64

from fastapi import APIRouter, Depends, Request, Response

from clinicdesk.server.auth import AuthenticatedDevice
from clinicdesk.server.centre_keys import MasterKey, centre_key_for
from clinicdesk.server.device_routes import current_device
from clinicdesk.server.errors import ApiError
from clinicdesk.server.state import ServerState, server_state

router = APIRouter(prefix="/v1")


def master_key(request: Request) -> MasterKey:
    """HQ's master key (create_app's `centre_master_key`); without one, centre keys are off."""
    master = getattr(request.app.state, "centre_master_key", None)
    if master is None:
        raise ApiError(503, "centre_keys_off", "This HQ was started without a master key file, so it cannot hand out "
                                               "centre keys; sealed values stay on each device.")
    return master


@router.get("/centre-key")
def centre_key(response: Response, device: AuthenticatedDevice = Depends(current_device),
               master: MasterKey = Depends(master_key), state: ServerState = Depends(server_state)) -> dict:
    with state.transaction(centre_id=device.centre_id) as session:
        key = centre_key_for(session, device.centre_id, master, now=state.clock())
    response.headers["Cache-Control"] = "no-store"  # a secret: no proxy or client cache may keep it
    return {"centre_id": device.centre_id, "key_id": key.key_id, "key": base64.b64encode(key.raw).decode("ascii")}
