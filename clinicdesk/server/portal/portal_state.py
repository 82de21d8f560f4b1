"""What portal handlers reach through request.app.state.portal: the portal's sessions, clock and settings."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.sms import CodeSender

CLOCK_INFO_KEY = "portal_clock"  # session.info key: audit() stamps rows with the portal's (injectable) clock


@dataclass
class PortalState:
    sessions: sessionmaker[Session]  # on PostgreSQL: connected as the portal's own role (clinicdesk_portal)
    clock: Callable[[], datetime]
    config: PortalConfig
    send_code: CodeSender | None = None  # None: no SMS gateway, so sign-in by code is not set up

    @contextmanager
    def transaction(self, centre_id: str | None = None) -> Iterator[Session]:
        """Committed on success, rolled back on error; with a centre, PostgreSQL shows only that centre's rows."""
        with self.sessions.begin() as session:
            session.info[CLOCK_INFO_KEY] = self.clock
            if centre_id is not None:
                enter_centre(session, centre_id)
            yield session


def portal_state(request: Request) -> PortalState:
    return request.app.state.portal
