"""The scheduling world with the patient portal switched on, and online requests written as if pulled from HQ."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinicdesk.services.portal_settings import PortalSettings, save_settings
from clinicdesk.services.scheduling_adapter import to_utc
from clinicdesk.store.models_portal import PortalRequestRow
from tests.services.scheduling_world import World

KOCHI = ZoneInfo("Asia/Kolkata")


def switch_on(world: World, *, auto_approve: bool = False, services=("ABH", "NAS"), **overrides) -> PortalSettings:
    wanted = PortalSettings(world.centre, booking_enabled=True, auto_approve=auto_approve,
                            bookable_service_ids=tuple(world.services[code] for code in services), **overrides)
    save_settings(world.boss, wanted)
    return wanted


def portal_request(world: World, kind: str = "book", *, patient: str = "asha", service: str | None = "ABH",
                   local_start: datetime | None = None, appointment_id: str | None = None, note: str = "") -> str:
    """A pending request as the portal writes it (its times aware UTC)."""
    now = world.boss.now()
    row = PortalRequestRow(
        id=str(uuid.uuid4()), centre_id=world.centre, patient_id=world.patients[patient],
        kind=kind, service_id=world.services[service] if service else None, appointment_id=appointment_id,
        requested_start=to_utc(local_start, KOCHI) if local_start else None, note=note,
        requested_at=now - timedelta(minutes=5), language="en", status="pending", decision_note="")
    with world.boss.db.session() as session, session.begin():
        session.add(row)
    return row.id
