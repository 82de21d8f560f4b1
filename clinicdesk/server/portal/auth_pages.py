"""Sign-in pages: phone number -> 6-digit code -> (which record, when the phone opens several) -> home; also the
language choice and sign-out. Every step is audited with the phone only as its last 4 digits and a keyed hash."""

import re
import secrets
from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from clinicdesk.domain.identifiers import normalise_indian_phone
from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.audit import audit, audit_sign_in_step
from clinicdesk.server.portal.hashing import client_key, phone_key, same, sha256_hex
from clinicdesk.server.portal.otp import check_code, issue_code
from clinicdesk.server.portal.phone_lookup import PhoneRecord
from clinicdesk.server.portal.portal_models import PortalCodeRow
from clinicdesk.server.portal.portal_state import PortalState, portal_state
from clinicdesk.server.portal.rendering import LANGUAGES, language_of, render, translate
from clinicdesk.server.portal.sessions import (
    COOKIE_PATH,
    SESSION_COOKIE,
    CsrfRefused,
    SignedInPhone,
    clear_session_cookie,
    client_address,
    current_signed_in,
    find_session,
    set_session_cookie,
    start_session,
)

router = APIRouter()

PENDING_COOKIE = "cdportal_pending"  # ties /verify to the sign-in attempt (a random challenge; HQ keeps its hash)
PRE_CSRF_COOKIE = "cdportal_csrf"  # double-submit CSRF token of the forms shown before sign-in
LANGUAGE_COOKIE = "lang"
HOME = "/portal/home"
CODE_PATTERN = re.compile(r"[0-9]{6}")
PHONE_FIELD_MAX = 20
NOTICES = {"expired": "signin.expired", "signed_out": "signin.signed_out"}


def _cookie(response: Response, state: PortalState, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True,
                        secure=state.config.secure_cookies, samesite="strict")


def _pre_csrf(request: Request) -> str:
    return request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)


def _with_pre_csrf(request: Request, response: Response, token: str) -> Response:
    if request.cookies.get(PRE_CSRF_COOKIE) != token:
        _cookie(response, portal_state(request), PRE_CSRF_COOKIE, token)
    return response


def _check_pre_csrf(request: Request, sent: str) -> None:
    """Double submit: the form's hidden field must equal this browser's cookie (another site can send the form but
    can neither read nor set our cookie)."""
    cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not cookie or not sent or not same(cookie, sent):
        raise CsrfRefused()


def _sign_in_page(request: Request, *, status_code: int = 200, error: str | None = None, phone: str = "",
                  notice: str | None = None) -> Response:
    token = _pre_csrf(request)
    enabled = portal_state(request).send_code is not None
    response = render(request, "sign_in.html", None, status_code=status_code, csrf=token, enabled=enabled,
                      error=error, phone=phone, notice=notice)
    return _with_pre_csrf(request, response, token)


@router.get("/")
def portal_root() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    notice = next((key for flag, key in NOTICES.items() if request.query_params.get(flag) == "1"), None)
    return _sign_in_page(request, notice=notice)


def _minutes(state: PortalState) -> int:
    return int(state.config.code_lifetime / timedelta(minutes=1))


@router.post("/sign-in")
def sign_in_start(request: Request, background: BackgroundTasks, phone: str = Form(""),
                  csrf: str = Form("")) -> Response:
    _check_pre_csrf(request, csrf)
    state = portal_state(request)
    if state.send_code is None:
        return _sign_in_page(request, status_code=503)
    shown = phone[:PHONE_FIELD_MAX]
    try:
        normalised = normalise_indian_phone(phone[:PHONE_FIELD_MAX])
    except ValueError:
        return _sign_in_page(request, status_code=400, error="signin.phone_invalid", phone=shown)
    ip_key = client_key(state.config.hash_key, client_address(request))
    key = phone_key(state.config.hash_key, normalised)
    with state.transaction() as session:
        issued = issue_code(session, state, normalised_phone=normalised, phone_key=key, client_ip_key=ip_key)
        action = "signin.refused" if issued.refusal else "signin.start"
        audit_sign_in_step(session, action, client_ip_key=ip_key, phone_last4=normalised[-4:], phone_key=key)
    if issued.refusal:
        return _sign_in_page(request, status_code=429, error=issued.refusal, phone=shown)
    if issued.code is not None:
        language = language_of(request, None)
        text = translate(language, "signin.sms_text", code=issued.code, minutes=_minutes(state))
        # sent after the reply: a known and an unknown phone answer equally fast
        background.add_task(_send_code, state, normalised, text, language, issued.code_id, ip_key, key)
    response = RedirectResponse("/portal/verify", status_code=303)
    _cookie(response, state, PENDING_COOKIE, issued.challenge or "",
            max_age=int(state.config.code_lifetime.total_seconds()) + 60)
    return response


def _send_code(state: PortalState, to: str, text: str, language: str, code_id: str, ip_key: str,
               key: str) -> None:
    sent = state.send_code(to=to, text=text, language=language, idempotency_key=code_id)
    with state.transaction() as session:
        audit_sign_in_step(session, "signin.code_sent" if sent else "signin.code_not_sent", client_ip_key=ip_key,
                           phone_last4=to[-4:], phone_key=key)


def _pending(request: Request, state: PortalState) -> PortalCodeRow | None:
    challenge = request.cookies.get(PENDING_COOKIE)
    if not challenge:
        return None
    with state.transaction() as session:
        return session.scalar(select(PortalCodeRow).where(PortalCodeRow.challenge_sha256 == sha256_hex(challenge)))


def _verify_page(request: Request, attempt: PortalCodeRow, *, status_code: int = 200,
                 error: str | None = None) -> Response:
    state = portal_state(request)
    token = _pre_csrf(request)
    can_try = error not in ("signin.code_locked", "signin.code_expired", "signin.code_gone")
    response = render(request, "verify.html", None, status_code=status_code, csrf=token, last4=attempt.phone_last4,
                      minutes=_minutes(state), error=error, can_try=can_try)
    return _with_pre_csrf(request, response, token)


@router.get("/verify")
def verify_form(request: Request) -> Response:
    attempt = _pending(request, portal_state(request))
    if attempt is None:
        return RedirectResponse("/portal/sign-in", status_code=303)
    return _verify_page(request, attempt)


@router.post("/verify")
def verify_code(request: Request, code: str = Form(""), csrf: str = Form("")) -> Response:
    _check_pre_csrf(request, csrf)
    state = portal_state(request)
    attempt = _pending(request, state)
    if attempt is None:
        return RedirectResponse("/portal/sign-in", status_code=303)
    typed = code.strip().replace(" ", "")
    if not CODE_PATTERN.fullmatch(typed):  # a typo of form, not a guess: it costs no try
        return _verify_page(request, attempt, status_code=400, error="signin.code_format")
    ip_key = client_key(state.config.hash_key, client_address(request))
    with state.transaction() as session:
        checked = check_code(session, state, challenge=request.cookies[PENDING_COOKIE], typed=typed)
        if checked.refusal:
            audit_sign_in_step(session, "signin.code_refused", client_ip_key=ip_key, phone_last4=checked.phone_last4,
                               phone_key=checked.phone_key)
        else:
            row, token = start_session(session, state, phone_key=checked.phone_key, phone_last4=checked.phone_last4,
                                       records=[r.as_json() for r in checked.records],
                                       language=language_of(request, None), client_ip_key=ip_key)
            audit_sign_in_step(session, "signin.verified", client_ip_key=ip_key, phone_last4=row.phone_last4,
                               phone_key=row.phone_key, session_id=row.id)
            if len(checked.records) == 1:
                _choose(session, row, checked.records[0], ip_key)
    if checked.refusal:
        return _verify_page(request, attempt, status_code=400, error=checked.refusal)
    response = RedirectResponse(HOME if len(checked.records) == 1 else "/portal/choose", status_code=303)
    response.delete_cookie(PENDING_COOKIE, path=COOKIE_PATH, httponly=True, secure=state.config.secure_cookies,
                           samesite="strict")
    set_session_cookie(response, token, state)
    return response


def _choose(session, row, record: PhoneRecord, ip_key: str) -> None:
    """Point the session at one record. On PostgreSQL a session row is visible while unchosen or inside its own
    centre: it is un-chosen first (still inside the old centre), then moved into the new centre."""
    if row.centre_id is not None and row.centre_id != record.centre_id:
        row.centre_id = None
        session.flush()
    enter_centre(session, record.centre_id)
    row.centre_id, row.patient_id, row.as_guardian = record.centre_id, record.patient_id, record.as_guardian
    session.flush()
    audit_sign_in_step(session, "signin.chosen", client_ip_key=ip_key, phone_last4=row.phone_last4,
                       phone_key=row.phone_key, session_id=row.id, centre_id=record.centre_id,
                       patient_id=record.patient_id)


def _choices(state: PortalState, records: list[PhoneRecord], language: str) -> list[dict]:
    """What the chooser shows of each record: the patient's name and the centre's name (nothing else)."""
    shown = []
    for record in records:
        with state.transaction(record.centre_id) as session:
            patient = rows.patient(session, record.centre_id, record.patient_id) or {}
            centre = rows.reference_row(session, record.centre_id, "centres", record.centre_id) or {}
        name = " ".join(str(patient.get(k) or "") for k in ("given_name", "family_name")).strip()
        shown.append({"name": name or translate(language, "signin.record_unnamed"),
                      "centre": str(centre.get("name") or ""), "as_guardian": record.as_guardian})
    return shown


def _choose_page(request: Request, signed_in: SignedInPhone, *, status_code: int = 200,
                 error: str | None = None) -> Response:
    records = [PhoneRecord.from_json(r) for r in signed_in.records]
    return render(request, "choose.html", None, status_code=status_code, csrf=signed_in.csrf_token, error=error,
                  choices=_choices(portal_state(request), records, signed_in.language), signed_in=True)


@router.get("/choose")
def choose_form(request: Request, signed_in: SignedInPhone = Depends(current_signed_in)) -> Response:
    if not signed_in.records:
        return render(request, "error.html", None, status_code=404, csrf=signed_in.csrf_token,
                      message="signin.no_records", back="/portal/sign-in")
    return _choose_page(request, signed_in)


@router.post("/choose")
def choose_record(request: Request, record: str = Form(""),
                  signed_in: SignedInPhone = Depends(current_signed_in)) -> Response:
    records = [PhoneRecord.from_json(r) for r in signed_in.records]
    if not record.isdigit() or not 0 <= int(record) < len(records):
        return _choose_page(request, signed_in, status_code=400, error="signin.choose_invalid")
    state = portal_state(request)
    ip_key = client_key(state.config.hash_key, client_address(request))
    with state.transaction() as session:
        row = find_session(session, request.cookies[SESSION_COOKIE])
        _choose(session, row, records[int(record)], ip_key)
    return RedirectResponse(HOME, status_code=303)


def _safe_next(target: str) -> str:
    """Only a path of this portal (never another site: //evil.example or https://...)."""
    if target.startswith("/portal/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return HOME


@router.post("/language")
def choose_language(request: Request, language: str = Form(""), csrf: str = Form(""),
                    next: str = Form("/portal/home")) -> Response:  # noqa: A002 (the form field's name)
    state = portal_state(request)
    chosen = language if language in LANGUAGES else None
    token = request.cookies.get(SESSION_COOKIE)
    with state.transaction() as session:
        row = find_session(session, token) if token else None
        live = row is not None and row.ended_at is None
        if live:
            if not csrf or not same(csrf, row.csrf_token):
                raise CsrfRefused()
            if chosen:
                row.language = chosen
    if not live:
        _check_pre_csrf(request, csrf)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, path=COOKIE_PATH,
                            secure=state.config.secure_cookies, samesite="strict", httponly=True)
    return response


@router.post("/sign-out")
def sign_out(request: Request, signed_in: SignedInPhone = Depends(current_signed_in)) -> Response:
    state = portal_state(request)
    with state.transaction(signed_in.centre_id) as session:
        row = find_session(session, request.cookies[SESSION_COOKIE])
        row.ended_at, row.end_reason = state.clock(), "signed-out"
        if signed_in.centre_id is not None:
            audit(session, signed_in.identity(), "signin.signed_out")
        else:
            audit_sign_in_step(session, "signin.signed_out", client_ip_key=row.client_ip_key,
                               phone_last4=row.phone_last4, phone_key=row.phone_key, session_id=row.id)
    response = RedirectResponse("/portal/sign-in?signed_out=1", status_code=303)
    clear_session_cookie(response, state)
    return response

