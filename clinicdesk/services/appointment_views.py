"""Reads appointments into AppointmentItem values in one statement (names, staff, no-shows), plus their history."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, aliased

from clinicdesk.domain.appointments import Status
from clinicdesk.services.appointment_dto import AppointmentItem, StatusChange
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.store.models import CentreRow, PatientRow, RoomRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, AppointmentStaffRow, AppointmentStatusRow, ServiceRow

_FIELD, _RECORD = "\x1f", "\x1e"  # separators no name contains


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _statement(*where, order_by=(), limit: int | None = None):
    staff_link = aliased(AppointmentStaffRow)
    staff = aliased(StaffRow)
    # Correlated subqueries rather than a second round trip per appointment: a busy week is still one statement.
    staff_list = (select(func.group_concat(staff_link.staff_id.op("||")(literal(_FIELD)).op("||")(staff.full_name),
                                           literal(_RECORD)))
                  .select_from(staff_link).join(staff, staff.id == staff_link.staff_id)
                  .where(staff_link.appointment_id == AppointmentRow.id).scalar_subquery())
    other = aliased(AppointmentRow)
    no_shows = (select(func.count()).select_from(other)
                .where(other.patient_id == AppointmentRow.patient_id, other.status == Status.NO_SHOW.value)
                .scalar_subquery())
    successor = aliased(AppointmentRow)
    moved_to = select(successor.id).where(successor.rescheduled_from == AppointmentRow.id).limit(1).scalar_subquery()
    return (select(AppointmentRow, PatientRow.given_name, PatientRow.family_name, PatientRow.uhid, ServiceRow.name,
                   RoomRow.name, CentreRow.timezone, staff_list, no_shows, moved_to)
            .join(PatientRow, PatientRow.id == AppointmentRow.patient_id)
            .join(ServiceRow, ServiceRow.id == AppointmentRow.service_id)
            .join(CentreRow, CentreRow.id == AppointmentRow.centre_id)
            .outerjoin(RoomRow, RoomRow.id == AppointmentRow.room_id)
            .where(*where).order_by(*order_by).limit(limit))


def _staff(packed: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = sorted((tuple(part.split(_FIELD, 1)) for part in packed.split(_RECORD)), key=lambda p: (p[1], p[0])) \
        if packed else []
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def load_items(session: Session, *where, order_by=(AppointmentRow.start_at, AppointmentRow.reference),
               limit: int | None = None) -> list[AppointmentItem]:
    items = []
    for row, given, family, uhid, service, room, timezone, packed, no_shows, moved_to in session.execute(
            _statement(*where, order_by=order_by, limit=limit)):
        zone = _zone(timezone)
        staff_ids, staff_names = _staff(packed)
        items.append(AppointmentItem(
            id=row.id, reference=row.reference, centre_id=row.centre_id, patient_id=row.patient_id,
            patient_name=f"{given} {family}".strip(), patient_uhid=uhid, service_id=row.service_id,
            service_name=service, start=to_local(row.start_at, zone), end=to_local(row.end_at, zone),
            room_id=row.room_id, room_name=room or "", staff_ids=staff_ids, staff_names=staff_names,
            status=row.status, source=row.source, follow_up_of=row.follow_up_of, notes=row.notes,
            row_version=row.row_version, approval_pending=row.approval_pending, patient_no_shows=no_shows or 0,
            rescheduled_from=row.rescheduled_from, rescheduled_to=moved_to))
    return items


def load_history(session: Session, appointment_id: str, zone_name: str) -> tuple[StatusChange, ...]:
    """Who moved it when and why, oldest first, in the centre's local time."""
    zone = _zone(zone_name)
    rows = session.execute(
        select(AppointmentStatusRow, StaffRow.full_name)
        .outerjoin(StaffRow, StaffRow.id == AppointmentStatusRow.by_staff_id)
        .where(AppointmentStatusRow.appointment_id == appointment_id)
        .order_by(AppointmentStatusRow.seq))
    return tuple(StatusChange(at=to_local(entry.at, zone), by=name or "system", from_status=entry.from_status,
                              to_status=entry.to_status, reason=entry.reason) for entry, name in rows)


def local_time(moment: datetime, zone_name: str) -> datetime:
    return to_local(moment, _zone(zone_name))
