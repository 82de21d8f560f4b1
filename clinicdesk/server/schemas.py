"""Request bodies of the HQ API, each a StrictModel with bounded fields; responses are plain dicts."""

from pydantic import Field

from clinicdesk.server.credentials import CODE_MAX_LENGTH
from clinicdesk.server.limits import StrictModel, text
from clinicdesk.server.models import CENTRE_NAME_MAX, DEVICE_NAME_MAX, ID_LENGTH, REASON_MAX

MAX_CODE_VALID_HOURS = 7 * 24


class NewCentre(StrictModel):
    name: text(CENTRE_NAME_MAX)


class NewEnrolmentCode(StrictModel):
    centre_id: text(ID_LENGTH)  # the admin names the centre; a device never does
    valid_hours: int = Field(default=24, ge=1, le=MAX_CODE_VALID_HOURS)


class Enrolment(StrictModel):
    code: text(CODE_MAX_LENGTH)
    device_name: text(DEVICE_NAME_MAX)


class Revocation(StrictModel):
    reason: text(REASON_MAX)
