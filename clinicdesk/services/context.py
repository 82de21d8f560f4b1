"""Who is acting, on which database, at what time: passed to every service call; plus the Changes value."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from clinicdesk.domain.errors import PermissionDenied
from clinicdesk.domain.roles import ROLE_LABELS, Action, Role, may
from clinicdesk.store.audit_log import append_audit
from clinicdesk.store.database import Database, new_id
from clinicdesk.store.engine import BEGIN_IMMEDIATE


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SignedInUser:
    staff_id: str
    username: str
    full_name: str
    role: Role
    centre_id: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class Changes:
    """Which kinds of records a write touched, so each screen can decide whether to reload."""

    patients: bool = False
    staff: bool = False
    centres: bool = False
    audit: bool = False
    settings: bool = False
    appointments: bool = False
    therapy: bool = False  # care plans, sessions and their records, incidents, outcomes
    stock: bool = False
    consultations: bool = False  # consultations, recording consent, recordings, transcripts, notes, vitals, Rx
    messages: bool = False  # patients' reminders and messages, message templates and channels, staff alerts
    billing: bool = False  # invoices, credit notes, payments, refunds, claims, prices and packages
    leads: bool = False  # enquiries, their history and assignment


@dataclass
class ServiceContext:
    db: Database
    user: SignedInUser | None = None
    clock: Callable[[], datetime] = utc_now
    make_id: Callable[[], str] = field(default=new_id)

    def now(self) -> datetime:
        return self.clock()

    def require_user(self) -> SignedInUser:
        if self.user is None:
            raise PermissionDenied("Please sign in first.")
        return self.user

    @contextmanager
    def unit_of_work(self, *, write_lock: bool = False) -> Iterator[Session]:
        """One transaction: commits when the block ends normally, rolls back on any error.

        `write_lock` takes the database's write lock at the start (BEGIN IMMEDIATE) for a check-then-write that
        must not interleave with another desk doing the same, such as a booking; others wait for it, then see it.
        """
        session = self.db.session()
        try:
            with session.begin():
                if write_lock:
                    session.connection(execution_options={BEGIN_IMMEDIATE: True})
                yield session
        finally:
            session.close()

    def authorise(self, action: Action, *, entity: str = "", entity_id: str = "") -> SignedInUser:
        """Enforce the role matrix here, in the service layer; a denial is itself audited."""
        user = self.require_user()
        if not may(user.role, action):
            with self.unit_of_work() as session:
                append_audit(session, at=self.now(), actor=user.username, action=str(action), entity=entity,
                             entity_id=entity_id, outcome="denied")
            raise PermissionDenied(f"A {user.role_label.lower()} may not do this ({action.value}). "
                                   "Ask an administrator if you need it.")
        return user

    def audit(self, session: Session, action: str, *, entity: str = "", entity_id: str = "",
              outcome: str = "ok", detail: str = "") -> None:
        actor = self.user.username if self.user else "system"
        append_audit(session, at=self.now(), actor=actor, action=action, entity=entity, entity_id=entity_id,
                     outcome=outcome, detail=detail)
