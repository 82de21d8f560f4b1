"""The demo clinic's patient portal: online booking switched on in Kochi for three therapies (a person confirms
each request), the free times published, and two requests waiting under Reception > Online requests."""

import uuid
from datetime import datetime, timedelta

from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.portal_availability import publish_availability
from clinicdesk.services.portal_settings import PortalSettings, save_settings
from clinicdesk.services.scheduling_adapter import to_local, to_utc
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models_portal import PortalRequestRow

BOOKABLE = ("ABH", "SHI", "NAS")  # Abhyanga, Shirodhara and Nasya: therapies a returning patient books again
# (patient index, service, days ahead, time of day, what the patient wrote, the portal language they used)
_REQUESTS = ((1, "ABH", 2, "afternoon", "Evening after 4 would suit me better if there is a choice.", "ml"),
             (2, "SHI", 3, "morning", "", "en"))
SEARCH_DAYS = 7


def add_portal(ctx: ServiceContext, now: datetime, *, centre_id: str, services: dict[str, str],
               patients: list[str]) -> int:
    """Settings, the waiting requests (each at a time the engine finds free for that patient, as the portal would
    have offered it) and the published free times; returns how many requests were added."""
    save_settings(ctx, PortalSettings(centre_id, booking_enabled=True, auto_approve=False,
                                      bookable_service_ids=tuple(services[code] for code in BOOKABLE)))
    with ctx.unit_of_work() as session:
        zone = centre_zone(session, centre_id)
    today = to_local(now, zone).date()
    rows = []
    for index, code, days, time_of_day, note, language in _REQUESTS:
        if len(patients) <= index:
            continue
        found = appointments.find_slots(ctx, BookingRequest(
            patients[index], services[code], centre_id, today + timedelta(days=days), search_days=SEARCH_DAYS,
            time_of_day=time_of_day), count=1)
        if not found.suggestions:
            continue
        rows.append(PortalRequestRow(
            id=str(uuid.uuid4()), centre_id=centre_id, patient_id=patients[index], kind="book",
            service_id=services[code], appointment_id=None, requested_start=to_utc(found.suggestions[0].start, zone),
            note=note, requested_at=now - timedelta(hours=3 - index), language=language, status="pending",
            decision_note=""))
    with ctx.unit_of_work() as session:
        session.add_all(rows)
    publish_availability(ctx)
    return len(rows)
