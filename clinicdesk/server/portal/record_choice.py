"""Whether the signed-in phone opens more than one patient record (its own and a child's, or records at two
centres): then every page's menu offers "Switch record", back to the chooser at /portal/choose."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_models import PortalSessionRow


def opens_several_records(session: Session, identity: PortalIdentity) -> bool:
    """Read from the session row, which keeps the records found at sign-in (one primary-key lookup; on PostgreSQL
    the row is visible inside its chosen centre, the one `session` is in)."""
    records = session.scalar(select(PortalSessionRow.records).where(PortalSessionRow.id == identity.session_id))
    return isinstance(records, list) and len(records) > 1
