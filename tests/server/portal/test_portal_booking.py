"""The portal's appointment pages on HQ's own database: upcoming appointments with check-in codes, booking from the
published free starts, moving and cancelling by request, withdrawing; every refusal says why and writes nothing, and
another patient's ids are a 404. Synced rows are seeded as a desk's pushes (sync_push.apply_batch)."""

import io
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
import segno
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from clinicdesk.domain.portal import availability_row_id, check_in_payload
from clinicdesk.domain.sync.hlc import Hlc, HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.server.database import open_server_database
from clinicdesk.server.models import CentreRow, ServerBase
from clinicdesk.server.portal.app import create_portal_app
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_models import PortalAuditRow
from clinicdesk.server.portal.sessions import current_identity
from clinicdesk.server.portal.writer import PORTAL_DEVICE_ID
from clinicdesk.server.sync_models import ChangeRow, RowStateRow
from clinicdesk.server.sync_push import apply_batch

NOW = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # Thursday 10:00 in Kochi
DESK = "desk-a"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class MovableClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


class World:
    """HQ's database with one centre as a desk synced it: a bookable and a desk-only service, two patients,
    appointments, booking rules and the free starts the desk published."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.hq_centre, self.centre = new_id(), new_id()
        self.patient, self.other_patient = new_id(), new_id()
        self.massage, self.consultation = new_id(), new_id()
        self.soon, self.later, self.past, self.others = new_id(), new_id(), new_id(), new_id()
        self.stale = new_id()
        self.desk_ms = int(NOW.timestamp() * 1000)
        self.desk_clock = Hlc(DESK)
        with sessions.begin() as session:
            session.add(CentreRow(id=self.hq_centre, name=f"Kochi {self.hq_centre[:8]}", created_at=NOW))
        self.push("centres", self.centre, {"code": "KOC", "name": "Kochi", "timezone": "Asia/Kolkata",
                                           "active": True})
        self.push("services", self.massage, {"name": "Abhyanga", "duration_minutes": 60, "active": True})
        self.push("services", self.consultation, {"name": "Doctor's consultation", "duration_minutes": 20,
                                                  "active": True})
        for patient in (self.patient, self.other_patient):
            self.push("patients", patient, {"centre_id": self.centre, "given_name": "Test", "family_name": "Patient"})
        self.settings(booking_enabled=True)
        self.publish("2026-11-26", ["15:00"])  # today, but within the 12 hours' notice
        self.publish("2026-11-28", ["09:00", "10:30", "14:00"])
        self.publish("2026-12-20", ["09:00"])  # beyond the 14 days
        self.appointment(self.soon, self.patient, datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # 17:30 today
        self.appointment(self.later, self.patient, datetime(2026, 11, 30, 5, 0, tzinfo=UTC))  # 10:30 on Monday
        self.appointment(self.past, self.patient, datetime(2026, 11, 20, 5, 0, tzinfo=UTC), status="completed")
        self.appointment(self.stale, self.patient, datetime(2026, 11, 19, 5, 0, tzinfo=UTC))  # never closed
        self.appointment(self.others, self.other_patient, datetime(2026, 11, 30, 6, 0, tzinfo=UTC))

    def push(self, table: str, row_id: str, fields: dict) -> None:
        """One change from the desk, as its push would apply it."""
        with self.sessions() as session:
            state = session.get(RowStateRow, (self.hq_centre, table, row_id))
            base = {name: HlcStamp.parse(text) for name, text in (state.field_stamps if state else {}).items()
                    if name in fields}
        for seen in base.values():  # the desk pulled these before editing: its clock is past them
            self.desk_clock.receive(seen, self.desk_ms)
        stamp = self.desk_clock.now(self.desk_ms)
        wire = Operation(new_id(), table, row_id, OpKind.UPSERT, fields, stamp, DESK, base).to_wire()
        with self.sessions.begin() as session:
            [result] = apply_batch(session, centre_id=self.hq_centre, device_id=DESK, batch_id=new_id(),
                                   wires=[wire], now=NOW)
        assert result.outcome == "applied", result.reason

    def settings(self, **changes) -> None:
        fields = {"booking_enabled": False, "auto_approve": False, "min_notice_hours": 12, "max_days_ahead": 14,
                  "change_notice_hours": 24, "bookable_service_ids": [self.massage], **changes}
        self.push("portal_settings", self.centre, fields)

    def publish(self, day: str, starts: list[str], service: str | None = None) -> None:
        service = service or self.massage
        self.push("portal_availability", availability_row_id(self.centre, service, date.fromisoformat(day)),
                  {"centre_id": self.centre, "service_id": service, "day": day, "starts": starts,
                   "computed_at": NOW.isoformat()})

    def appointment(self, appointment_id: str, patient: str, start: datetime, status: str = "confirmed") -> None:
        self.push("appointments", appointment_id, {
            "centre_id": self.centre, "patient_id": patient, "service_id": self.massage, "source": "front_desk",
            "start_at": start.isoformat(), "end_at": (start + timedelta(hours=1)).isoformat(), "status": status})

    def requests(self) -> dict[str, dict]:
        with self.sessions() as session:
            return {s.row_id: s.field_values for s in session.scalars(select(RowStateRow).where(
                RowStateRow.centre_id == self.hq_centre, RowStateRow.table_name == "portal_requests"))}

    def change_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(ChangeRow))

    def audit_entries(self) -> list[tuple[str, str]]:
        with self.sessions() as session:
            return list(session.execute(select(PortalAuditRow.action, PortalAuditRow.subject)
                                        .order_by(PortalAuditRow.id)))


@dataclass
class Portal:
    client: TestClient
    world: World
    clock: MovableClock
    identity: PortalIdentity

    def sign_in_as(self, patient_id: str, language: str = "en") -> None:
        self.identity = replace(self.identity, patient_id=patient_id, language=language)

    def get(self, path: str, **params):
        return self.client.get(f"/portal{path}", params=params, follow_redirects=False)

    def post(self, path: str, **form):
        return self.client.post(f"/portal{path}", data={"csrf": "csrf-token", **form}, follow_redirects=False)


@pytest.fixture
def world(tmp_path):
    sessions = open_server_database(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    engine = sessions.kw["bind"]
    # the portal shell's tables (in case its migration has not landed); checkfirst keeps this harmless after it has
    ServerBase.metadata.create_all(engine, tables=[t for name, t in ServerBase.metadata.tables.items()
                                                   if name.startswith("portal_")], checkfirst=True)
    yield World(sessions)
    engine.dispose()


@pytest.fixture
def portal(world):
    clock = MovableClock()
    portal_app = create_portal_app(world.sessions, clock=clock,
                                   config=PortalConfig(hash_key=b"k" * 32, secure_cookies=False))
    holder = Portal(None, world, clock, PortalIdentity("session-1", world.hq_centre, world.patient, "0001", False,
                                                       "en", "csrf-token"))
    portal_app.dependency_overrides[current_identity] = lambda: holder.identity
    app = FastAPI()
    app.mount("/portal", portal_app)
    with TestClient(app) as client:
        holder.client = client
        yield holder


def test_the_appointments_page_lists_the_patients_upcoming_appointments_in_the_centres_time(portal, world):
    page = portal.get("/appointments")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "Thu 26/11/2026, 17:30" in html and "Mon 30/11/2026, 10:30" in html  # Asia/Kolkata, not UTC
    assert html.index("Thu 26/11/2026, 17:30") < html.index("Mon 30/11/2026, 10:30")
    assert world.others not in html and world.past not in html and world.stale not in html
    # only the next appointment's check-in code is on the page; a later one's is a link away
    assert f'src="/portal/appointments/{world.soon}/qr.svg"' in html
    assert f'src="/portal/appointments/{world.later}/qr.svg"' not in html
    assert f'href="/portal/appointments/{world.later}/code"' in html
    assert f'href="/portal/appointments/{world.soon}/code"' not in html
    assert f'href="/portal/appointments/{world.later}/reschedule"' in html
    assert f'action="/portal/appointments/{world.later}/cancel"' in html
    # today's appointment is within the 24 hours' change notice: no change links, the reason instead
    assert f"/portal/appointments/{world.soon}/reschedule" not in html
    assert "too late to change or cancel this appointment online" in html
    assert "You have not made any requests online." in html
    assert world.audit_entries() == [("booking.appointments.view", "")]


def test_the_page_speaks_the_patients_language(portal):
    portal.sign_in_as(portal.world.patient, language="ml")
    html = portal.get("/appointments").text
    assert 'lang="ml"' in html and "വരാനിരിക്കുന്ന അപ്പോയിന്റ്മെന്റുകൾ" in html and "തിങ്കൾ 30/11/2026, 10:30" in html


def test_booking_offers_only_free_starts_within_the_rules_and_sends_a_pending_request(portal, world):
    services = portal.get("/book").text
    assert "Abhyanga" in services and "Doctor&#39;s consultation" not in services  # not bookable online
    days = portal.get("/book", service=world.massage).text
    assert 'value="2026-11-28"' in days and "Sat 28/11/2026" in days
    assert 'value="2026-11-26"' not in days and 'value="2026-12-20"' not in days  # too soon, too far
    starts = portal.get("/book", service=world.massage, day="2026-11-28").text
    assert [s for s in ("09:00", "10:30", "14:00") if f'value="{s}"' in starts] == ["09:00", "10:30", "14:00"]
    assert 'name="csrf" value="csrf-token"' in starts

    sent = portal.post("/book", service=world.massage, day="2026-11-28", start="09:00", note="Back pain")
    assert sent.status_code == 303 and sent.headers["location"] == "/portal/appointments?done=requested"
    [(request_id, fields)] = world.requests().items()
    assert fields == {"centre_id": world.centre, "patient_id": world.patient, "kind": "book",
                      "service_id": world.massage, "appointment_id": None,
                      "requested_start": "2026-11-28T03:30:00+00:00", "note": "Back pain",
                      "requested_at": "2026-11-26T04:30:00+00:00", "language": "en", "status": "pending",
                      "decision_note": "", "result_appointment_id": None, "decided_at": None, "decided_by": None}
    with world.sessions() as session:
        change = session.scalars(select(ChangeRow).where(ChangeRow.row_id == request_id)).one()
    assert change.pushed_by_device_id == PORTAL_DEVICE_ID
    assert world.audit_entries()[-1] == ("booking.book.request", request_id)

    html = portal.get("/appointments", done="requested").text
    assert "Your request has been sent. The clinic will confirm it." in html
    assert "Requested - the clinic will confirm" in html and "For Sat 28/11/2026, 09:00" in html
    assert f'action="/portal/requests/{request_id}/withdraw"' in html
    # the start is asked for now: nobody is offered it again until the clinic decides
    portal.sign_in_as(world.other_patient)
    again = portal.get("/book", service=world.massage, day="2026-11-28").text
    assert 'value="09:00"' not in again and 'value="10:30"' in again


def _refused(portal, world, status: int, text: str, **form) -> None:
    changes = world.change_count()
    answer = portal.post("/book", **form)
    assert answer.status_code == status, answer.text
    assert text in answer.text
    assert world.requests() == {} and world.change_count() == changes
    assert world.audit_entries()[-1][0] == "booking.book.refused"


@pytest.mark.parametrize(("case", "status", "text"), [
    ("disabled", 409, "Online booking is switched off at this clinic."),
    ("service", 409, "This treatment cannot be booked online."),
    ("too soon", 409, "This time is too soon to request online."),
    ("too far", 409, "This day is too far ahead to request online."),
    ("not published", 409, "This time is no longer free."),
    ("not a time", 422, "Please choose a treatment, a day and a time."),
    ("no start", 422, "Please choose a treatment, a day and a time."),
    ("long note", 422, "The note is too long."),
])
def test_a_booking_the_rules_or_the_free_starts_do_not_allow_is_refused_and_writes_nothing(portal, world, case,
                                                                                          status, text):
    form = {"service": world.massage, "day": "2026-11-28", "start": "09:00"}
    if case == "disabled":
        world.settings(booking_enabled=False)
    form.update({"service": {"service": world.consultation}, "too soon": {"day": "2026-11-26", "start": "15:00"},
                 "too far": {"day": "2026-12-20"}, "not published": {"start": "11:00"},
                 "not a time": {"start": "nine"}, "no start": {"start": ""},
                 "long note": {"note": "x" * 501}}.get(case, {}))
    _refused(portal, world, status, text, **form)


def test_a_start_another_patient_already_asked_for_is_refused(portal, world):
    portal.post("/book", service=world.massage, day="2026-11-28", start="10:30")
    portal.sign_in_as(world.other_patient)
    answer = portal.post("/book", service=world.massage, day="2026-11-28", start="10:30")
    assert answer.status_code == 409 and "This time is no longer free." in answer.text
    assert len(world.requests()) == 1


def test_a_refusal_is_in_the_patients_language(portal, world):
    portal.sign_in_as(world.patient, language="hi")
    answer = portal.post("/book", service=world.massage, day="2026-11-28", start="11:00")
    assert answer.status_code == 409 and "यह समय अब खाली नहीं है।" in answer.text and 'lang="hi"' in answer.text


def test_a_reschedule_asks_for_a_published_start_and_a_second_change_waits_for_the_answer(portal, world):
    page = portal.get(f"/appointments/{world.later}/reschedule", day="2026-11-28")
    assert page.status_code == 200 and "Now booked: Abhyanga, Mon 30/11/2026, 10:30" in page.text
    assert 'value="14:00"' in page.text
    sent = portal.post(f"/appointments/{world.later}/reschedule", day="2026-11-28", start="14:00")
    assert sent.status_code == 303
    [fields] = world.requests().values()
    assert (fields["kind"], fields["appointment_id"], fields["service_id"], fields["requested_start"]) == (
        "reschedule", world.later, world.massage, "2026-11-28T08:30:00+00:00")
    assert "You have asked to change this appointment" in portal.get("/appointments").text

    again = portal.post(f"/appointments/{world.later}/cancel")
    assert again.status_code == 409 and "You have already asked to change or cancel this appointment." in again.text
    moved_again = portal.post(f"/appointments/{world.later}/reschedule", day="2026-11-28", start="09:00")
    assert moved_again.status_code == 409 and len(world.requests()) == 1


def test_a_cancel_request_names_the_appointment(portal, world):
    sent = portal.post(f"/appointments/{world.later}/cancel")
    assert sent.status_code == 303
    [fields] = world.requests().values()
    assert (fields["kind"], fields["appointment_id"], fields["requested_start"]) == ("cancel", world.later, None)
    assert world.audit_entries()[-1][0] == "booking.cancel.request"


def test_changes_inside_the_clinics_notice_are_refused(portal, world):
    for answer in (portal.post(f"/appointments/{world.soon}/cancel"),
                   portal.post(f"/appointments/{world.soon}/reschedule", day="2026-11-28", start="09:00")):
        assert answer.status_code == 409 and "too late to change or cancel this appointment online" in answer.text
    assert world.requests() == {}


def test_changes_are_refused_while_online_booking_is_off(portal, world):
    world.settings(booking_enabled=False)
    answer = portal.post(f"/appointments/{world.later}/cancel")
    assert answer.status_code == 409 and "Online booking is switched off" in answer.text
    assert world.requests() == {}


def test_another_patients_ids_are_a_404_that_changes_nothing(portal, world):
    portal.sign_in_as(world.other_patient)
    portal.post("/book", service=world.massage, day="2026-11-28", start="09:00")
    [others_request] = world.requests()
    portal.sign_in_as(world.patient)
    changes = world.change_count()
    answers = [portal.get(f"/appointments/{world.others}/reschedule"),
               portal.post(f"/appointments/{world.others}/reschedule", day="2026-11-28", start="10:30"),
               portal.post(f"/appointments/{world.others}/cancel"),
               portal.get(f"/appointments/{world.others}/qr.svg"),
               portal.post(f"/requests/{others_request}/withdraw"),
               portal.get(f"/appointments/{new_id()}/qr.svg"),
               portal.get(f"/appointments/{world.past}/qr.svg"),
               portal.get(f"/appointments/{world.stale}/qr.svg"),
               portal.post(f"/appointments/{world.stale}/cancel")]
    assert [answer.status_code for answer in answers] == [404] * 9
    assert all("This appointment or request was not found." in answer.text for answer in answers)
    assert world.change_count() == changes and world.requests()[others_request]["status"] == "pending"
    assert [action for action, _ in world.audit_entries()[-9:]] == ["booking.not_found"] * 9


def test_requests_come_before_appointments_with_pending_ones_marked(portal, world):
    portal.post("/book", service=world.massage, day="2026-11-28", start="09:00")
    html = portal.get("/appointments", done="requested").text
    assert html.index('id="requests-heading"') < html.index('id="upcoming-heading"')
    requests = html[html.index('id="requests-heading"'):html.index('id="upcoming-heading"')]
    assert '<li class="pending">' in requests and "Requested - the clinic will confirm" in requests


def test_a_later_appointments_check_in_code_has_a_page_of_its_own(portal, world):
    page = portal.get(f"/appointments/{world.later}/code")
    assert page.status_code == 200 and "Mon 30/11/2026, 10:30" in page.text
    assert f'src="/portal/appointments/{world.later}/qr.svg"' in page.text
    assert 'href="/portal/appointments"' in page.text
    assert world.audit_entries()[-1] == ("booking.code.view", world.later)
    refused = [portal.get(f"/appointments/{appointment}/code") for appointment in (world.others, world.past,
                                                                                    new_id())]
    assert [answer.status_code for answer in refused] == [404] * 3
    assert [action for action, _ in world.audit_entries()[-3:]] == ["booking.not_found"] * 3


def test_free_times_are_grouped_by_part_of_the_day_as_labelled_radio_buttons(portal, world):
    html = portal.get("/book", service=world.massage, day="2026-11-28").text
    assert html.index(">Morning</legend>") < html.index('value="09:00"') < html.index('value="10:30"')
    assert html.index(">Afternoon</legend>") < html.index('value="14:00"')
    assert ">Evening</legend>" not in html  # a part of the day without a free time is left out
    for number, start in enumerate(("09:00", "10:30", "14:00"), start=1):
        assert (f'<input type="radio" id="booking-start-{number}" name="start" value="{start}" required >'
                in html)
        assert f'<label for="booking-start-{number}">{start}</label>' in html


def test_the_check_in_code_is_the_qr_of_the_appointments_check_in_text(portal, world):
    answer = portal.get(f"/appointments/{world.later}/qr.svg")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(check_in_payload(world.later), micro=False).save(expected, kind="svg", scale=4, xmldecl=False)
    assert answer.content == expected.getvalue()
    other = io.BytesIO()
    segno.make(check_in_payload(world.soon), micro=False).save(other, kind="svg", scale=4, xmldecl=False)
    assert answer.content != other.getvalue()  # the code depends on the appointment
    assert answer.content.startswith(b"<svg") and answer.headers["cache-control"] == "no-store"
    assert world.audit_entries()[-1] == ("booking.qr.view", world.later)


def test_a_pending_request_can_be_withdrawn_and_an_answered_one_cannot(portal, world):
    portal.post("/book", service=world.massage, day="2026-11-28", start="09:00")
    portal.post("/book", service=world.massage, day="2026-11-28", start="14:00")
    first, second = sorted(world.requests(), key=lambda rid: world.requests()[rid]["requested_start"])
    withdrawn = portal.post(f"/requests/{first}/withdraw")
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == "/portal/appointments?done=withdrawn"
    assert world.requests()[first]["status"] == "withdrawn"
    assert world.audit_entries()[-1] == ("booking.withdraw", first)
    assert 'value="09:00"' in portal.get("/book", service=world.massage, day="2026-11-28").text  # free again

    world.push("portal_requests", second, {"status": "declined", "decision_note": "The therapist is on leave",
                                           "decided_by": "auto"})
    html = portal.get("/appointments").text
    assert "Declined: The therapist is on leave" in html and "Withdrawn by you" in html
    assert f"/portal/requests/{second}/withdraw" not in html
    changes = world.change_count()
    refused = portal.post(f"/requests/{second}/withdraw")
    assert refused.status_code == 409 and "can no longer be withdrawn" in refused.text
    assert world.requests()[second]["status"] == "declined" and world.change_count() == changes


def test_a_desk_note_on_a_request_still_pending_stays_off_the_patients_page(portal, world):
    portal.post("/book", service=world.massage, day="2026-11-28", start="09:00")
    [request_id] = world.requests()
    # auto-approval could not confirm it: its note is for the desk (it may name staff and their bookings)
    world.push("portal_requests", request_id, {"decision_note": "Not confirmed automatically: Rajan is booked"})
    html = portal.get("/appointments").text
    assert "Rajan" not in html and "Not confirmed automatically" not in html
    assert f"/portal/requests/{request_id}/withdraw" in html  # still pending, still the patient's to withdraw


def test_a_confirmed_request_shows_as_confirmed(portal, world):
    portal.post(f"/appointments/{world.later}/cancel")
    [request_id] = world.requests()
    world.push("portal_requests", request_id, {"status": "confirmed", "decided_by": "auto"})
    html = portal.get("/appointments").text
    assert "Confirmed" in html and "Requested - the clinic will confirm" not in html


def test_every_booking_page_needs_a_signed_in_patient(world):
    portal_app = create_portal_app(world.sessions, clock=MovableClock(),
                                   config=PortalConfig(hash_key=b"k" * 32, secure_cookies=False))
    app = FastAPI()
    app.mount("/portal", portal_app)
    with TestClient(app) as client:
        answers = [client.get("/portal/appointments", follow_redirects=False),
                   client.get("/portal/book", follow_redirects=False),
                   client.post("/portal/book", data={"service": world.massage, "day": "2026-11-28",
                                                     "start": "09:00"}, follow_redirects=False),
                   client.get(f"/portal/appointments/{world.later}/qr.svg", follow_redirects=False),
                   client.post(f"/portal/appointments/{world.later}/cancel", follow_redirects=False)]
    assert [(a.status_code, a.headers.get("location")) for a in answers] == [(303, "/portal/sign-in")] * 5
    assert world.requests() == {}


def test_the_pages_stay_small_for_slow_connections(portal, world):
    portal.post("/book", service=world.massage, day="2026-11-28", start="09:00")
    sizes = {path: len(portal.get(path, **params).content) for path, params in (
        ("/appointments", {}), ("/book", {"service": world.massage, "day": "2026-11-28"}),
        (f"/appointments/{world.later}/reschedule", {"day": "2026-11-28"}),
        (f"/appointments/{world.later}/qr.svg", {}))}
    print(sizes)
    assert all(size < 16_000 for size in sizes.values()), sizes
