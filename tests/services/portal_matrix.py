"""Permission-matrix calls for the desk's side of the patient portal: its settings, online requests, check-in codes."""

import uuid
from datetime import timedelta

from clinicdesk.domain.portal import check_in_payload
from clinicdesk.domain.roles import Action
from clinicdesk.services import portal_check_in, portal_requests, portal_settings
from clinicdesk.store.models_portal import PortalRequestRow


def _pending(diary, kind: str, appointment_id: str | None = None) -> str:
    """A request as the portal writes it; a cancellation names a fresh appointment, so confirming it succeeds."""
    now = diary.boss.now()
    row = PortalRequestRow(
        id=str(uuid.uuid4()), centre_id=diary.centre, patient_id=diary.ids["booker"], kind=kind,
        service_id=diary.ids["service"], appointment_id=appointment_id,
        requested_start=now + timedelta(days=3) if kind == "book" else None, note="", requested_at=now,
        language="en", status="pending", decision_note="")
    with diary.boss.db.session() as session, session.begin():
        session.add(row)
    return row.id


def registry(diary_of) -> dict[Action, dict[str, object]]:
    """Calls per action; `diary_of(world)` gives the matrix world's bookable corner."""
    d = diary_of
    return {
        Action.CENTRE_MANAGE: {
            "portal_settings.get_settings": lambda c, w: portal_settings.get_settings(c, d(w).centre),
            "portal_settings.save_settings": lambda c, w: portal_settings.save_settings(
                c, portal_settings.PortalSettings(d(w).centre, booking_enabled=True,
                                                  bookable_service_ids=(d(w).ids["service"],)))},
        Action.APPOINTMENT_VIEW: {
            "portal_requests.list_requests": lambda c, w: portal_requests.list_requests(c, d(w).centre),
            "portal_requests.pending_count": lambda c, w: portal_requests.pending_count(c, d(w).centre),
            "portal_check_in.find_by_code": lambda c, w: portal_check_in.find_by_code(
                c, check_in_payload(d(w).ids["appointment"]), d(w).centre)},
        Action.APPOINTMENT_BOOK: {
            "portal_requests.confirm_request": lambda c, w: portal_requests.confirm_request(
                c, _pending(d(w), "cancel", d(w).fresh())),
            "portal_requests.decline_request": lambda c, w: portal_requests.decline_request(
                c, _pending(d(w), "book"), "That day is fully booked")},
    }
