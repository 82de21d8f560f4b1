"""What every request handler reaches through request.app.state: sessions, the clock, settings, the auth cache."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from clinicdesk.server.auth import VerifiedCredentials
from clinicdesk.server.centre_scope import enter_centre


@dataclass
class ServerState:
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    admin_token: str | None
    verified: VerifiedCredentials = field(default_factory=VerifiedCredentials)

    @contextmanager
    def transaction(self, centre_id: str | None = None) -> Iterator[Session]:
        """One request, one unit of work: committed on success, rolled back on any refusal or error. A device's
        work passes its centre (AuthenticatedDevice.centre_id): on PostgreSQL the transaction then sees and
        writes only that centre's rows, whatever its queries say."""
        with self.sessions.begin() as session:
            if centre_id is not None:
                enter_centre(session, centre_id)
            yield session


def server_state(request: Request) -> ServerState:
    return request.app.state.hq
