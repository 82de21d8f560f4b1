"""Request bodies of the HQ API, each a StrictModel with bounded fields; responses are plain dicts."""

from typing import Annotated

from pydantic import Field, StringConstraints

from clinicdesk.server.credentials import CODE_MAX_LENGTH
from clinicdesk.server.limits import StrictModel, text
from clinicdesk.server.models import CENTRE_NAME_MAX, DEVICE_CODE_MAX, DEVICE_NAME_MAX, ID_LENGTH, REASON_MAX

MAX_CODE_VALID_HOURS = 7 * 24


class NewCentre(StrictModel):
    name: text(CENTRE_NAME_MAX)


class NewEnrolmentCode(StrictModel):
    centre_id: text(ID_LENGTH)  # the admin names the centre; a device never does
    valid_hours: int = Field(default=24, ge=1, le=MAX_CODE_VALID_HOURS)


DeviceCode = Annotated[str, StringConstraints(pattern=rf"^[A-Z]{{1,{DEVICE_CODE_MAX}}}$")]


class Enrolment(StrictModel):
    code: text(CODE_MAX_LENGTH)
    device_name: text(DEVICE_NAME_MAX)
    # the code this device numbers with today ("A" on a new install); kept if free in the centre. Devices of an
    # older version send none and get the next free one.
    device_code: DeviceCode | None = None


class Revocation(StrictModel):
    reason: text(REASON_MAX)
