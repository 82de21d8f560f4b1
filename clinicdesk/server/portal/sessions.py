"""Portal sessions: the "cdportal" cookie's random token (kept at HQ only as SHA-256), timeouts, CSRF checks and
the `current_identity` dependency every signed-in page uses."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException, Request
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.portal.hashing import client_key, same, sha256_hex
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_models import PortalSessionRow
from clinicdesk.server.portal.portal_state import PortalState, portal_state

SESSION_COOKIE = "cdportal"
COOKIE_PATH = "/portal"
SIGN_IN_PATH = "/portal/sign-in"
CHOOSE_PATH = "/portal/choose"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(HTTPException):
    """A POST without this session's (or, before sign-in, this browser's) CSRF token: nothing was changed."""

    def __init__(self):
        super().__init__(status_code=403, detail="csrf")


class NotSignedIn(HTTPException):
    """No live session: the browser goes to the sign-in page (with a note when the session had expired)."""

    def __init__(self, *, expired: bool = False, location: str | None = None):
        target = location or (f"{SIGN_IN_PATH}?expired=1" if expired else SIGN_IN_PATH)
        headers = {"Location": target}
        if expired:
            headers["Set-Cookie"] = f"{SESSION_COOKIE}=; Max-Age=0; Path={COOKIE_PATH}; HttpOnly; SameSite=strict"
        super().__init__(status_code=303, detail="sign-in", headers=headers)


@dataclass(frozen=True)
class SignedInPhone:
    """A live session before or after a record was chosen (the chooser page needs the former)."""

    session_id: str
    phone_last4: str
    records: list  # [{"centre_id", "patient_id", "as_guardian"}]
    centre_id: str | None
    patient_id: str | None
    as_guardian: bool
    language: str
    csrf_token: str

    def identity(self) -> PortalIdentity:
        if self.centre_id is None or self.patient_id is None:
            raise ValueError("no record chosen yet")
        return PortalIdentity(session_id=self.session_id, centre_id=self.centre_id, patient_id=self.patient_id,
                              phone_last4=self.phone_last4, as_guardian=self.as_guardian, language=self.language,
                              csrf_token=self.csrf_token)


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def find_session(session: Session, token: str) -> PortalSessionRow | None:
    """The session row of a cookie token. On PostgreSQL the row is only visible inside its centre: a SECURITY
    DEFINER function (migration 0010) says which centre a token's session is in before that is known."""
    digest = sha256_hex(token)
    if session.get_bind().dialect.name == "postgresql":
        centre_id = session.scalar(text("SELECT clinicdesk_portal_session_centre(:digest)"), {"digest": digest})
        if centre_id is not None:
            enter_centre(session, centre_id)
    return session.scalar(select(PortalSessionRow).where(PortalSessionRow.token_sha256 == digest))


def start_session(session: Session, state: PortalState, *, phone_key: str, phone_last4: str, records: list,
                  language: str, client_ip_key: str) -> tuple[PortalSessionRow, str]:
    """A new session for a verified phone; returns the row and the cookie token (never stored)."""
    token = new_token()
    now = state.clock()
    row = PortalSessionRow(id=str(uuid.uuid4()), token_sha256=sha256_hex(token), phone_key=phone_key,
                           phone_last4=phone_last4, records=records, centre_id=None, patient_id=None,
                           as_guardian=False, language=language, csrf_token=secrets.token_urlsafe(32),
                           client_ip_key=client_ip_key, created_at=now, last_seen_at=now, ended_at=None,
                           end_reason=None)
    session.add(row)
    return row, token


def expired(row: PortalSessionRow, state: PortalState, now: datetime) -> bool:
    return (now - row.last_seen_at > state.config.idle_timeout
            or now - row.created_at > state.config.absolute_timeout)


def set_session_cookie(response, token: str, state: PortalState) -> None:
    # no Max-Age: the cookie ends with the browser; HQ ends the session itself after the idle/absolute timeouts
    response.set_cookie(SESSION_COOKIE, token, path=COOKIE_PATH, httponly=True, secure=state.config.secure_cookies,
                        samesite="strict")


def clear_session_cookie(response, state: PortalState) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, secure=state.config.secure_cookies,
                           samesite="strict")


def _load_signed_in(request: Request, state: PortalState, token: str | None) -> SignedInPhone:
    if not token:
        raise NotSignedIn()
    with state.transaction() as session:
        row = find_session(session, token)
        if row is None or row.ended_at is not None:
            raise NotSignedIn(expired=row is not None)
        now = state.clock()
        if expired(row, state, now):
            row.ended_at, row.end_reason = now, "expired"
            session.flush()
            # the transaction commits on leaving; raise after it so the ended session is saved
            result = None
        else:
            row.last_seen_at = now
            row.client_ip_key = client_key(state.config.hash_key, client_address(request))
            result = SignedInPhone(session_id=row.id, phone_last4=row.phone_last4, records=list(row.records),
                                   centre_id=row.centre_id, patient_id=row.patient_id, as_guardian=row.as_guardian,
                                   language=row.language, csrf_token=row.csrf_token)
    if result is None:
        raise NotSignedIn(expired=True)
    return result


async def _check_csrf(request: Request, expected: str) -> None:
    if request.method in SAFE_METHODS:
        return
    form = await request.form()  # Starlette caches the parsed form: the route's own Form fields still work
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not expected or not same(sent, expected):
        raise CsrfRefused()


async def current_signed_in(request: Request) -> SignedInPhone:
    """A live session, chosen record or not; checks CSRF on POST. Used by the chooser and sign-out."""
    state = portal_state(request)
    signed_in = await run_in_threadpool(_load_signed_in, request, state, request.cookies.get(SESSION_COOKIE))
    await _check_csrf(request, signed_in.csrf_token)
    return signed_in


async def current_identity(request: Request) -> PortalIdentity:
    """FastAPI dependency of every signed-in page: the session's identity. Not signed in (or expired) -> a
    redirect to /portal/sign-in; signed in but no record chosen -> /portal/choose; a POST without the session's
    CSRF token -> 403 and nothing changes."""
    signed_in = await current_signed_in(request)
    if signed_in.centre_id is None:
        raise NotSignedIn(location=CHOOSE_PATH)
    return signed_in.identity()
