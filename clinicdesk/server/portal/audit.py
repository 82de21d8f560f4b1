"""The portal's audit trail: every page view and action, in the same transaction as the work it records."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_models import ACTION_MAX, SUBJECT_MAX, PortalAuditRow, PortalSessionRow
from clinicdesk.server.portal.portal_state import CLOCK_INFO_KEY


def _now(session: Session) -> datetime:
    return session.info.get(CLOCK_INFO_KEY, lambda: datetime.now(UTC))()


def audit(session: Session, identity: PortalIdentity, action: str, subject: str = "") -> None:
    """Record that the identity's session did `action` (e.g. "records.view") on `subject` (a row id, never a
    name or a phone number). Call it inside the page's portal_transaction so it commits with the work."""
    client_ip_key, phone_key = session.execute(
        select(PortalSessionRow.client_ip_key, PortalSessionRow.phone_key)
        .where(PortalSessionRow.id == identity.session_id)).one_or_none() or (None, None)
    session.add(PortalAuditRow(at=_now(session), session_id=identity.session_id, centre_id=identity.centre_id,
                               patient_id=identity.patient_id, action=action[:ACTION_MAX],
                               subject=subject[:SUBJECT_MAX], phone_last4=identity.phone_last4, phone_key=phone_key,
                               client_ip_key=client_ip_key))


def audit_sign_in_step(session: Session, action: str, *, client_ip_key: str, phone_last4: str | None = None,
                       phone_key: str | None = None, session_id: str | None = None, centre_id: str | None = None,
                       patient_id: str | None = None) -> None:
    """A step before a record is chosen (sign-in started, code sent, code wrong, chosen...)."""
    session.add(PortalAuditRow(at=_now(session), session_id=session_id, centre_id=centre_id, patient_id=patient_id,
                               action=action[:ACTION_MAX], subject="", phone_last4=phone_last4, phone_key=phone_key,
                               client_ip_key=client_ip_key))
