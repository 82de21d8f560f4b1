"""What every request handler reaches through request.app.state: sessions, the clock, settings, the auth cache."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from clinicdesk.server.auth import VerifiedCredentials


@dataclass
class ServerState:
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    admin_token: str | None
    verified: VerifiedCredentials = field(default_factory=VerifiedCredentials)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One request, one unit of work: committed on success, rolled back on any refusal or error."""
        with self.sessions.begin() as session:
            yield session


def server_state(request: Request) -> ServerState:
    return request.app.state.hq
