"""Puts a transaction inside one centre (PostgreSQL row-level security then hides every other centre's rows) and
finds which centre a device or an enrolment code belongs to before that is known."""

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinicdesk.server.models import DeviceRow, EnrolmentCodeRow

CENTRE_SETTING = "clinicdesk.centre_id"  # read by the policies of migrations_server/versions/0002


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def enter_centre(session: Session, centre_id: str) -> None:
    """SET LOCAL clinicdesk.centre_id for the rest of this transaction (set_config(..., true) is SET LOCAL with a
    bound parameter). On SQLite there is no row-level security and this does nothing."""
    if _on_postgresql(session):
        session.execute(text("SELECT set_config(:setting, :centre, true)"),
                        {"setting": CENTRE_SETTING, "centre": centre_id})


def centre_of_device(session: Session, device_id: str) -> str | None:
    """The device's centre id, or None. On PostgreSQL a SECURITY DEFINER function answers this one question
    across centres; the device row itself is only readable after enter_centre."""
    if _on_postgresql(session):
        return session.scalar(text("SELECT clinicdesk_centre_of_device(:device_id)"), {"device_id": device_id})
    return session.scalar(select(DeviceRow.centre_id).where(DeviceRow.id == device_id))


def centre_of_enrolment_code(session: Session, code_sha256: str) -> str | None:
    """The centre an enrolment code (by its SHA-256) was issued for, or None; same rule as centre_of_device."""
    if _on_postgresql(session):
        return session.scalar(text("SELECT clinicdesk_centre_of_enrolment_code(:digest)"), {"digest": code_sha256})
    return session.scalar(select(EnrolmentCodeRow.centre_id).where(EnrolmentCodeRow.code_sha256 == code_sha256))
