"""What the portal's booking pages show and check: a patient's appointments and requests, the clinic's booking rules
and the free starts it may still offer, all read from the centre's synced rows and shown in the centre's time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.portal import BookingRules, booking_refusal, change_refusal
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.record_values import as_datetime as parse_moment  # noqa: F401 (pages call view.parse_moment)
from clinicdesk.server.portal.record_values import zone_named
from clinicdesk.server.sync_models import RowStateRow

CHANGEABLE_STATUSES = frozenset({"requested", "confirmed"})  # the appointment's own status (desk-side)
UPCOMING_STATUSES = CHANGEABLE_STATUSES | {"checked_in"}
NOTE_MAX_CHARS = 500
RECENT_DECIDED_REQUESTS = 10  # older answered requests are history the desk keeps; the phone page stays small
# parts of the day the free times are grouped in, each from its first clock time to the next part's
DAY_PERIODS = (("morning", time(0, 0)), ("afternoon", time(12, 0)), ("evening", time(17, 0)))


class BookingRefused(Exception):
    """A request the clinic's rules or the published free times do not allow; `key` is a booking.* text key."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class CentreFacts:
    """The signed-in patient's clinic as the portal needs it."""

    desk_centre_id: str  # the centre's id in the desks' rows (HQ's own centre id is the identity's)
    zone: ZoneInfo
    rules: BookingRules
    service_names: dict[str, str]  # every active service of the centre, by id
    service_minutes: dict[str, int]


@dataclass(frozen=True)
class AppointmentView:
    id: str
    service: str
    start: datetime  # aware, in the centre's zone
    status: str
    change_refusal: str | None  # a booking.refused.* key, or None when it may be moved or cancelled online
    has_pending_change: bool
    shows_code: bool


@dataclass(frozen=True)
class RequestView:
    id: str
    kind: str
    service: str
    start: datetime | None  # the requested start in the centre's zone
    status: str
    decision_note: str
    requested_at: datetime


@dataclass(frozen=True)
class DayOffer:
    day: date
    starts: tuple[str, ...]  # "HH:MM" centre-local


@dataclass(frozen=True)
class StartChoice:
    number: int  # 1, 2, ... across the whole day, so each radio button's id stays unique and in time order
    text: str  # "HH:MM" centre-local


def period_of(start_text: str) -> str:
    """"morning", "afternoon" or "evening" for a published "HH:MM" start."""
    clock_time = time.fromisoformat(start_text)
    return [name for name, first in DAY_PERIODS if clock_time >= first][-1]


def starts_by_period(starts: tuple[str, ...]) -> list[tuple[str, list[StartChoice]]]:
    """A day's free starts grouped by part of the day, in time order; parts without a free start are left out."""
    groups: dict[str, list[StartChoice]] = {name: [] for name, _first in DAY_PERIODS}
    for number, text in enumerate(sorted(starts), start=1):
        groups[period_of(text)].append(StartChoice(number, text))
    return [(name, choices) for name, choices in groups.items() if choices]


def next_code_appointment(appointments: list[AppointmentView]) -> AppointmentView | None:
    """The appointment whose check-in code the page shows at once: today's or else the nearest one with a code
    (the list is soonest first); the others' codes are one link away, which keeps the page short."""
    return next((appointment for appointment in appointments if appointment.shows_code), None)


def wire_moment(moment: datetime) -> str:
    """A datetime as the desks' wire format has it (clinicdesk.store.outbox.wire_value)."""
    return moment.astimezone(UTC).isoformat()


def rules_of(settings: dict | None) -> BookingRules:
    """The clinic's synced portal_settings row as rules; no row yet means online booking is off."""
    if settings is None:
        return BookingRules()
    defaults = BookingRules()
    return BookingRules(
        booking_enabled=bool(settings.get("booking_enabled")), auto_approve=bool(settings.get("auto_approve")),
        min_notice_hours=int(settings.get("min_notice_hours") or defaults.min_notice_hours),
        max_days_ahead=int(settings.get("max_days_ahead") or defaults.max_days_ahead),
        change_notice_hours=int(settings.get("change_notice_hours") or defaults.change_notice_hours),
        bookable_service_ids=tuple(settings.get("bookable_service_ids") or ()))


def centre_facts(session: Session, identity: PortalIdentity) -> CentreFacts | None:
    """The patient's clinic: its desk-side id (from the patient's row), zone, rules and services; None when HQ
    does not hold the patient's row."""
    patient = rows.patient(session, identity.centre_id, identity.patient_id)
    if patient is None:
        return None
    desk_centre_id = patient.get("centre_id") or ""
    centre = rows.reference_row(session, identity.centre_id, "centres", desk_centre_id)
    settings = rows.reference_row(session, identity.centre_id, "portal_settings", desk_centre_id)
    services = [s for s in rows.reference_rows(session, identity.centre_id, "services") if s.get("active", True)]
    return CentreFacts(desk_centre_id=desk_centre_id, zone=zone_named(centre.get("timezone") if centre else None),
                       rules=rules_of(settings), service_names={s["id"]: s.get("name") or "" for s in services},
                       service_minutes={s["id"]: int(s.get("duration_minutes") or 0) for s in services})


def _pending(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r.get("status") == "pending"]


def appointments_of(session: Session, identity: PortalIdentity, facts: CentreFacts,
                    now: datetime) -> list[AppointmentView]:
    """The patient's appointments from today on that are still to happen, soonest first."""
    pending_changes = {r.get("appointment_id") for r in _pending(
        rows.rows_of_patient(session, identity.centre_id, "portal_requests", identity.patient_id))}
    today = now.astimezone(facts.zone).date()
    views = []
    for row in rows.rows_of_patient(session, identity.centre_id, "appointments", identity.patient_id):
        start = parse_moment(row.get("start_at"))
        status = row.get("status") or ""
        if start is None or status not in UPCOMING_STATUSES or start.astimezone(facts.zone).date() < today:
            continue
        changeable = status in CHANGEABLE_STATUSES and start > now
        views.append(AppointmentView(
            id=row["id"], service=facts.service_names.get(row.get("service_id") or "", ""),
            start=start.astimezone(facts.zone), status=status,
            change_refusal=(change_refusal(facts.rules, start, now) if changeable
                            else "booking.refused.not_changeable"),
            has_pending_change=row["id"] in pending_changes, shows_code=status in CHANGEABLE_STATUSES))
    return sorted(views, key=lambda view: view.start)


def requests_of(session: Session, identity: PortalIdentity, facts: CentreFacts) -> list[RequestView]:
    """The patient's pending requests, then the latest answered ones, newest first."""
    views = []
    for row in rows.rows_of_patient(session, identity.centre_id, "portal_requests", identity.patient_id):
        start = parse_moment(row.get("requested_start"))
        views.append(RequestView(
            id=row["id"], kind=row.get("kind") or "", service=facts.service_names.get(row.get("service_id") or "", ""),
            start=start.astimezone(facts.zone) if start else None, status=row.get("status") or "pending",
            decision_note=row.get("decision_note") or "",
            requested_at=parse_moment(row.get("requested_at")) or datetime.min.replace(tzinfo=UTC)))
    views.sort(key=lambda view: view.requested_at, reverse=True)
    pending = [view for view in views if view.status == "pending"]
    decided = [view for view in views if view.status != "pending"]
    return pending + decided[:RECENT_DECIDED_REQUESTS]


def own_upcoming_appointment(session: Session, identity: PortalIdentity, facts: CentreFacts, appointment_id: str,
                             now: datetime) -> dict | None:
    """The patient's own appointment of that id if it is still to happen (today or later in the centre's zone, not
    yet checked in, cancelled or done); another patient's id gives None."""
    row = rows.owned_row(session, identity.centre_id, "appointments", appointment_id, identity.patient_id)
    start = parse_moment(row.get("start_at")) if row is not None else None
    if start is None or row.get("status") not in CHANGEABLE_STATUSES:
        return None
    if start.astimezone(facts.zone).date() < now.astimezone(facts.zone).date():
        return None  # a past appointment the desk never closed: no check-in code, no change
    return row


def requested_starts(session: Session, centre_id: str, service_id: str) -> set[datetime]:
    """Starts that pending requests of the centre (any patient's) already ask for with this service. Reads only the
    start of each: no other field of another patient's request leaves the database."""
    texts = session.scalars(select(RowStateRow.field_values["requested_start"].as_string()).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == "portal_requests",
        RowStateRow.deleted.is_(None), RowStateRow.field_values["status"].as_string() == "pending",
        RowStateRow.field_values["service_id"].as_string() == service_id))
    return {moment for moment in map(parse_moment, texts) if moment is not None}


def local_start(day: date, start_text: str, zone: ZoneInfo) -> datetime | None:
    """A published "HH:MM" on `day` in the centre's zone, as an aware datetime; None if it is not a time."""
    try:
        clock_time = time.fromisoformat(start_text)
    except (TypeError, ValueError):
        return None
    return datetime.combine(day, clock_time, tzinfo=zone)


def offers(session: Session, identity: PortalIdentity, facts: CentreFacts, service_id: str,
           now: datetime) -> list[DayOffer]:
    """Each day from today up to the clinic's limit with the starts the portal may offer for the service: those the
    desks published as free, within the clinic's rules, less those pending requests already ask for."""
    taken = requested_starts(session, identity.centre_id, service_id)
    today = now.astimezone(facts.zone).date()
    last_day = today + timedelta(days=facts.rules.max_days_ahead + 1)
    result = []
    for row in rows.reference_rows(session, identity.centre_id, "portal_availability"):
        if row.get("centre_id") != facts.desk_centre_id or row.get("service_id") != service_id:
            continue
        try:
            day = date.fromisoformat(row.get("day") or "")
        except ValueError:
            continue
        if not today <= day <= last_day:
            continue
        starts = []
        for text in sorted(set(row.get("starts") or ())):
            start = local_start(day, text, facts.zone)
            if start is not None and start not in taken and booking_refusal(facts.rules, service_id, start,
                                                                             now) is None:
                starts.append(text)
        if starts:
            result.append(DayOffer(day, tuple(starts)))
    return sorted(result, key=lambda offer: offer.day)


def check_new_start(session: Session, identity: PortalIdentity, facts: CentreFacts, service_id: str,
                    day_text: str, start_text: str, now: datetime) -> datetime:
    """The chosen start as an aware UTC datetime, or BookingRefused saying why it may not be asked for."""
    if not service_id or not day_text or not start_text:
        raise BookingRefused("booking.refused.missing_choice")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise BookingRefused("booking.refused.missing_choice") from None
    start = local_start(day, start_text, facts.zone)
    if start is None:
        raise BookingRefused("booking.refused.missing_choice")
    refusal = booking_refusal(facts.rules, service_id, start, now)
    if refusal is not None:
        raise BookingRefused(refusal)
    offered = {offer.day: offer.starts for offer in offers(session, identity, facts, service_id, now)}
    if start_text not in offered.get(day, ()):
        raise BookingRefused("booking.refused.not_free")
    return start.astimezone(UTC)


def check_change(session: Session, identity: PortalIdentity, facts: CentreFacts, appointment: dict,
                 now: datetime) -> None:
    """BookingRefused unless the appointment may still be moved or cancelled online and no change is pending."""
    if not facts.rules.booking_enabled:
        raise BookingRefused("booking.refused.disabled")
    refusal = change_refusal(facts.rules, parse_moment(appointment["start_at"]), now)
    if refusal is not None:
        raise BookingRefused(refusal)
    pending = _pending(rows.rows_of_patient(session, identity.centre_id, "portal_requests", identity.patient_id))
    if any(r.get("appointment_id") == appointment["id"] for r in pending):
        raise BookingRefused("booking.refused.duplicate")


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise BookingRefused("booking.refused.note_too_long")
    return note


def request_fields(facts: CentreFacts, identity: PortalIdentity, *, kind: str, service_id: str | None,
                   appointment_id: str | None, start: datetime | None, note: str, now: datetime) -> dict:
    """A new pending portal_requests row (every synced field, as the desks' wire format has them)."""
    return {"centre_id": facts.desk_centre_id, "patient_id": identity.patient_id, "kind": kind,
            "service_id": service_id, "appointment_id": appointment_id,
            "requested_start": wire_moment(start) if start else None, "note": note,
            "requested_at": wire_moment(now), "language": identity.language, "status": "pending",
            "decision_note": "", "result_appointment_id": None, "decided_at": None, "decided_by": None}
