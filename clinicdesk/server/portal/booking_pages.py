"""The portal's appointment pages: upcoming appointments with check-in codes, booking, moving and cancelling by
request, and withdrawing a request. Every request is a portal_requests row a desk decides at its next sync."""

import io
import uuid
from collections.abc import Callable
from datetime import date, datetime

import segno
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from clinicdesk.domain.portal import check_in_payload
from clinicdesk.server.portal import booking_view as view
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.access import portal_transaction
from clinicdesk.server.portal.audit import audit
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_state import portal_state
from clinicdesk.server.portal.record_choice import opens_several_records
from clinicdesk.server.portal.rendering import render, translate
from clinicdesk.server.portal.sessions import current_identity
from clinicdesk.server.portal.writer import submit_rows
from clinicdesk.server.sync_push import lock_centre_sequence

router = APIRouter()

APPOINTMENTS_PATH = "/portal/appointments"
DONE_NOTICES = {"requested": "booking.done.requested", "withdrawn": "booking.done.withdrawn"}
BAD_INPUT = frozenset({"booking.refused.missing_choice", "booking.refused.note_too_long"})
QR_SCALE = 4  # 4 px a module: about 160 px for a check-in code, readable off a cheap phone's screen


def _now(request: Request) -> datetime:
    return portal_state(request).clock()


def _refusal_status(key: str) -> int:
    return 422 if key in BAD_INPUT else 409


def _formatters(language: str, zone) -> dict[str, Callable]:
    """`when` and `day_text` for templates: dates as the patient reads them, in the centre's time zone."""

    def day_text(day: date) -> str:
        return f"{translate(language, f'booking.weekday.{day.weekday()}')} {day:%d/%m/%Y}"

    def when(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{day_text(local.date())}, {local:%H:%M}"

    return {"when": when, "day_text": day_text}


def _facts(session, identity: PortalIdentity) -> view.CentreFacts:
    facts = view.centre_facts(session, identity)
    if facts is None:  # HQ holds no row of the signed-in patient (yet): nothing of theirs to show
        raise HTTPException(status_code=404)
    return facts


def _one_writer_at_a_time(session, identity: PortalIdentity) -> None:
    """Take the centre's push lock before checking a request: two patients asking for the same start, or a desk
    answering the request being withdrawn, wait for each other instead of both passing the check."""
    lock_centre_sequence(session, identity.centre_id)


def _see_appointments(notice: str) -> RedirectResponse:
    return RedirectResponse(f"{APPOINTMENTS_PATH}?done={notice}", status_code=303)


def _appointments_page(request: Request, identity: PortalIdentity, session, facts: view.CentreFacts, *,
                       notice: str | None = None, error: str | None = None, status_code: int = 200):
    now = _now(request)
    appointments = view.appointments_of(session, identity, facts, now)
    return render(request, "appointments.html", identity, status_code=status_code, appointments=appointments,
                  next_code=view.next_code_appointment(appointments),
                  requests=view.requests_of(session, identity, facts), rules=facts.rules, notice=notice,
                  error=error, switch_record=opens_several_records(session, identity),
                  **_formatters(identity.language, facts.zone))


@router.get("/appointments")
def appointments_page(request: Request, done: str = Query(""),
                      identity: PortalIdentity = Depends(current_identity)):
    """Upcoming appointments (status, check-in code, change links) and the patient's requests with their answers."""
    with portal_transaction(request, identity) as session:
        facts = _facts(session, identity)
        audit(session, identity, "booking.appointments.view")
        return _appointments_page(request, identity, session, facts, notice=DONE_NOTICES.get(done))


def _bookable_services(facts: view.CentreFacts) -> list[dict]:
    return [{"id": service_id, "name": facts.service_names[service_id]}
            for service_id in facts.rules.bookable_service_ids if service_id in facts.service_names]


def _book_page(request: Request, identity: PortalIdentity, session, facts: view.CentreFacts, *, service_id: str,
               day: str, start: str = "", note: str = "", error: str | None = None, status_code: int = 200):
    services = _bookable_services(facts)
    service_id = service_id if service_id in {s["id"] for s in services} else ""
    offers = view.offers(session, identity, facts, service_id, _now(request)) if service_id else []
    chosen = next((offer for offer in offers if offer.day.isoformat() == day), None)
    return render(request, "book.html", identity, status_code=status_code, rules=facts.rules, services=services,
                  service_id=service_id, offers=offers, day=day, chosen=chosen,
                  start_groups=view.starts_by_period(chosen.starts) if chosen else [], start=start, note=note,
                  error=error, note_max=view.NOTE_MAX_CHARS, switch_record=opens_several_records(session, identity),
                  **_formatters(identity.language, facts.zone))


@router.get("/book")
def book_page(request: Request, service: str = Query(""), day: str = Query(""),
              identity: PortalIdentity = Depends(current_identity)):
    """Step by step without JavaScript: a service, then one of its days with free times, then a time."""
    with portal_transaction(request, identity) as session:
        facts = _facts(session, identity)
        audit(session, identity, "booking.book.view", service if service in facts.service_names else "")
        return _book_page(request, identity, session, facts, service_id=service, day=day)


@router.post("/book")
def book(request: Request, service: str = Form(""), day: str = Form(""), start: str = Form(""),
         note: str = Form(""), identity: PortalIdentity = Depends(current_identity)):
    """A pending booking request for a published free start, or the page again saying why not."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        _one_writer_at_a_time(session, identity)
        facts = _facts(session, identity)
        try:
            clean_note = view.check_note(note)
            requested = view.check_new_start(session, identity, facts, service, day, start, now)
        except view.BookingRefused as refusal:
            audit(session, identity, "booking.book.refused", refusal.key)
            return _book_page(request, identity, session, facts, service_id=service, day=day, start=start,
                              note=note, error=refusal.key, status_code=_refusal_status(refusal.key))
        request_id = str(uuid.uuid4())
        submit_rows(session, identity.centre_id, [("portal_requests", request_id, view.request_fields(
            facts, identity, kind="book", service_id=service, appointment_id=None, start=requested, note=clean_note,
            now=now))], now)
        audit(session, identity, "booking.book.request", request_id)
    return _see_appointments("requested")


def _not_found(request: Request, identity: PortalIdentity, session, subject: str):
    """Someone else's id, an unknown one or a past appointment: one answer for all, so ids cannot be probed; the
    attempt is audited."""
    audit(session, identity, "booking.not_found", subject)
    return render(request, "error.html", identity, status_code=404, message="booking.not_found",
                  back=APPOINTMENTS_PATH, switch_record=opens_several_records(session, identity))


def _reschedule_page(request: Request, identity: PortalIdentity, session, facts: view.CentreFacts,
                     appointment: dict, *, day: str, start: str = "", note: str = "", error: str | None = None,
                     status_code: int = 200):
    now = _now(request)
    service_id = appointment.get("service_id") or ""
    if error is None:
        try:
            view.check_change(session, identity, facts, appointment, now)
        except view.BookingRefused as refusal:
            error = refusal.key
    offers = view.offers(session, identity, facts, service_id, now) if service_id else []
    chosen = next((offer for offer in offers if offer.day.isoformat() == day), None)
    return render(request, "reschedule.html", identity, status_code=status_code, rules=facts.rules,
                  appointment_id=appointment["id"], service=facts.service_names.get(service_id, ""),
                  current=view.parse_moment(appointment["start_at"]), offers=offers, day=day, chosen=chosen,
                  start_groups=view.starts_by_period(chosen.starts) if chosen else [], start=start, note=note,
                  error=error, note_max=view.NOTE_MAX_CHARS, switch_record=opens_several_records(session, identity),
                  **_formatters(identity.language, facts.zone))


@router.get("/appointments/{appointment_id}/reschedule")
def reschedule_page(request: Request, appointment_id: str, day: str = Query(""),
                    identity: PortalIdentity = Depends(current_identity)):
    """The appointment's current time and the free times of its service to move it to."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        facts = _facts(session, identity)
        appointment = view.own_upcoming_appointment(session, identity, facts, appointment_id, now)
        if appointment is None:
            return _not_found(request, identity, session, appointment_id)
        audit(session, identity, "booking.reschedule.view", appointment_id)
        return _reschedule_page(request, identity, session, facts, appointment, day=day)


@router.post("/appointments/{appointment_id}/reschedule")
def reschedule(request: Request, appointment_id: str, day: str = Form(""), start: str = Form(""),
               note: str = Form(""), identity: PortalIdentity = Depends(current_identity)):
    """A pending request to move the appointment to a published free start."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        _one_writer_at_a_time(session, identity)
        facts = _facts(session, identity)
        appointment = view.own_upcoming_appointment(session, identity, facts, appointment_id, now)
        if appointment is None:
            return _not_found(request, identity, session, appointment_id)
        service_id = appointment.get("service_id") or ""
        try:
            clean_note = view.check_note(note)
            view.check_change(session, identity, facts, appointment, now)
            requested = view.check_new_start(session, identity, facts, service_id, day, start, now)
        except view.BookingRefused as refusal:
            audit(session, identity, "booking.reschedule.refused", refusal.key)
            return _reschedule_page(request, identity, session, facts, appointment, day=day, start=start,
                                    note=note, error=refusal.key, status_code=_refusal_status(refusal.key))
        request_id = str(uuid.uuid4())
        submit_rows(session, identity.centre_id, [("portal_requests", request_id, view.request_fields(
            facts, identity, kind="reschedule", service_id=service_id, appointment_id=appointment_id,
            start=requested, note=clean_note, now=now))], now)
        audit(session, identity, "booking.reschedule.request", request_id)
    return _see_appointments("requested")


@router.post("/appointments/{appointment_id}/cancel")
def cancel(request: Request, appointment_id: str, note: str = Form(""),
           identity: PortalIdentity = Depends(current_identity)):
    """A pending request to cancel the appointment, while the clinic's change notice allows it."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        _one_writer_at_a_time(session, identity)
        facts = _facts(session, identity)
        appointment = view.own_upcoming_appointment(session, identity, facts, appointment_id, now)
        if appointment is None:
            return _not_found(request, identity, session, appointment_id)
        try:
            clean_note = view.check_note(note)
            view.check_change(session, identity, facts, appointment, now)
        except view.BookingRefused as refusal:
            audit(session, identity, "booking.cancel.refused", refusal.key)
            return _appointments_page(request, identity, session, facts, error=refusal.key,
                                      status_code=_refusal_status(refusal.key))
        request_id = str(uuid.uuid4())
        submit_rows(session, identity.centre_id, [("portal_requests", request_id, view.request_fields(
            facts, identity, kind="cancel", service_id=appointment.get("service_id"), appointment_id=appointment_id,
            start=None, note=clean_note, now=now))], now)
        audit(session, identity, "booking.cancel.request", request_id)
    return _see_appointments("requested")


def check_in_svg(appointment_id: str) -> bytes:
    """The check-in QR code of an appointment as a standalone SVG document."""
    buffer = io.BytesIO()
    segno.make(check_in_payload(appointment_id), micro=False).save(buffer, kind="svg", scale=QR_SCALE,
                                                                    xmldecl=False)
    return buffer.getvalue()


@router.get("/appointments/{appointment_id}/code")
def check_in_code_page(request: Request, appointment_id: str,
                       identity: PortalIdentity = Depends(current_identity)):
    """One appointment's check-in code on a page of its own: the appointments list shows only the next one's."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        facts = _facts(session, identity)
        appointment = view.own_upcoming_appointment(session, identity, facts, appointment_id, now)
        if appointment is None:
            return _not_found(request, identity, session, appointment_id)
        audit(session, identity, "booking.code.view", appointment_id)
        return render(request, "appointment_code.html", identity, appointment_id=appointment_id,
                      service=facts.service_names.get(appointment.get("service_id") or "", ""),
                      start=view.parse_moment(appointment["start_at"]).astimezone(facts.zone),
                      switch_record=opens_several_records(session, identity),
                      **_formatters(identity.language, facts.zone))


@router.get("/appointments/{appointment_id}/qr.svg")
def check_in_code(request: Request, appointment_id: str, identity: PortalIdentity = Depends(current_identity)):
    """The QR code reception scans to check the patient in; only for the patient's own upcoming appointment."""
    with portal_transaction(request, identity) as session:
        if view.own_upcoming_appointment(session, identity, _facts(session, identity), appointment_id,
                                         _now(request)) is None:
            return _not_found(request, identity, session, appointment_id)
        audit(session, identity, "booking.qr.view", appointment_id)
    return Response(check_in_svg(appointment_id), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@router.post("/requests/{request_id}/withdraw")
def withdraw(request: Request, request_id: str, identity: PortalIdentity = Depends(current_identity)):
    """Withdraw one of the patient's own pending requests (a desk that already answered it has the last word)."""
    now = _now(request)
    with portal_transaction(request, identity) as session:
        _one_writer_at_a_time(session, identity)
        row = rows.owned_row(session, identity.centre_id, "portal_requests", request_id, identity.patient_id)
        if row is None:
            return _not_found(request, identity, session, request_id)
        facts = _facts(session, identity)
        if row.get("status") != "pending":
            audit(session, identity, "booking.withdraw.refused", request_id)
            return _appointments_page(request, identity, session, facts, error="booking.refused.not_pending",
                                      status_code=409)
        submit_rows(session, identity.centre_id, [("portal_requests", request_id, {
            "status": "withdrawn", "decided_at": view.wire_moment(now)})], now)
        audit(session, identity, "booking.withdraw", request_id)
    return _see_appointments("withdrawn")
