"""Booking through the whole HQ app and a real portal sign-in (the shell's fixtures): the forms carry the session's
CSRF token, a POST without it changes nothing, and the request lands as a synced row."""

from datetime import date

from sqlalchemy import select

from clinicdesk.domain.portal import availability_row_id
from clinicdesk.server.sync_models import RowStateRow
from tests.server.portal.conftest import MEERA, SOLO_PHONE, THRISSUR, seed_rows

MASSAGE = "0190d2a0-0000-7000-8000-0000000005e1"
APPOINTMENT = "0190d2a0-0000-7000-8000-0000000000e1"


def _seed_booking(portal) -> None:
    with portal.transaction(THRISSUR) as session:
        seed_rows(session, {
            (THRISSUR, "services", MASSAGE): {"name": "Abhyanga", "duration_minutes": 60, "active": True},
            (THRISSUR, "portal_settings", THRISSUR): {
                "booking_enabled": True, "auto_approve": False, "min_notice_hours": 12, "max_days_ahead": 14,
                "change_notice_hours": 24, "bookable_service_ids": [MASSAGE]},
            (THRISSUR, "portal_availability", availability_row_id(THRISSUR, MASSAGE, date(2026, 11, 28))): {
                "centre_id": THRISSUR, "service_id": MASSAGE, "day": "2026-11-28", "starts": ["09:00", "10:30"],
                "computed_at": "2026-11-26T04:00:00+00:00"},
            (THRISSUR, "appointments", APPOINTMENT): {
                "centre_id": THRISSUR, "patient_id": MEERA, "service_id": MASSAGE, "status": "confirmed",
                "start_at": "2026-11-30T05:00:00+00:00", "end_at": "2026-11-30T06:00:00+00:00"},
        })


def _requests(portal) -> list[dict]:
    with portal.transaction(THRISSUR) as session:
        return [state.field_values for state in session.scalars(select(RowStateRow).where(
            RowStateRow.table_name == "portal_requests"))]


def test_a_signed_in_patient_books_with_the_pages_csrf_token_and_without_it_nothing_happens(portal):
    _seed_booking(portal)
    client = portal.sign_in(SOLO_PHONE)
    page = client.get("/portal/appointments")
    assert page.status_code == 200 and "Mon 30/11/2026, 10:30" in page.text
    assert client.get(f"/portal/appointments/{APPOINTMENT}/qr.svg").headers["content-type"] == "image/svg+xml"

    form = {"service": MASSAGE, "day": "2026-11-28", "start": "10:30"}
    forged = client.post("/portal/book", data=form, follow_redirects=False)
    assert forged.status_code == 403 and _requests(portal) == []

    csrf = portal.csrf_of(client, f"/portal/book?service={MASSAGE}&day=2026-11-28")
    sent = client.post("/portal/book", data={**form, "csrf": csrf}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/portal/appointments?done=requested"
    [request] = _requests(portal)
    assert (request["patient_id"], request["requested_start"], request["status"]) == (
        MEERA, "2026-11-28T05:00:00+00:00", "pending")
    assert "Requested - the clinic will confirm" in client.get("/portal/appointments").text
    actions = [row.action for row in portal.audit_rows() if row.patient_id == MEERA]
    assert "booking.book.request" in actions and "booking.appointments.view" in actions
