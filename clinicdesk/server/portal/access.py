"""How portal pages reach HQ's database: one transaction inside the signed-in patient's centre."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from clinicdesk.server.portal.identity import PortalIdentity


@contextmanager
def portal_transaction(request: Request, identity: PortalIdentity) -> Iterator[Session]:
    """Committed on success, rolled back on error; on PostgreSQL row-level security shows only the identity's
    centre. The portal app keeps its own sessionmaker (its own database role) in request.app.state.portal."""
    with request.app.state.portal.transaction(identity.centre_id) as session:
        yield session
