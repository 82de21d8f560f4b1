"""Calendar test fixtures: an in-memory stand-in for the appointment services, and a centre to show."""

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest

from clinicdesk.domain.errors import ClinicError
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.appointment_dto import CANCELLED, AppointmentItem, StatusChange
from clinicdesk.services.context import Changes
from tests.ui.calendar.builders import CENTRE, DAY


def appointment_changes() -> Changes:
    return Changes(appointments=True)


@dataclass
class FakeAppointments:
    """Holds appointments in a list, answers like the services do, and records every write it is asked for."""

    items: list[AppointmentItem] = field(default_factory=list)
    calls: list[tuple] = field(default_factory=list)
    refuse_moves: str = ""  # when set, reschedule() raises a ClinicError with this text

    def list_range(self, ctx, centre_id, start_day, end_day):
        self.calls.append(("list_range", centre_id, start_day, end_day))
        return [a for a in self.items if a.centre_id == centre_id and start_day <= a.start.date() <= end_day]

    def today_queue(self, ctx, centre_id, today):
        self.calls.append(("today_queue", centre_id, today))
        return [a for a in self.items if a.centre_id == centre_id and a.start.date() == today]

    def get_appointment(self, ctx, appointment_id):
        return next(a for a in self.items if a.id == appointment_id)

    def transition(self, ctx, appointment_id, event, *, reason=""):
        self.calls.append(("transition", appointment_id, event, reason))
        target = {"confirm": "confirmed", "approve": "confirmed", "check_in": "checked_in", "start": "in_progress",
                  "complete": "completed", "cancel": CANCELLED, "no_show": "no_show"}[event]
        self._update(appointment_id, status=target, reason=reason)
        return appointment_changes()

    def reschedule(self, ctx, appointment_id, new_start, *, room_id=None, staff_ids=None, reason=""):
        self.calls.append(("reschedule", appointment_id, new_start, room_id, staff_ids, reason))
        if self.refuse_moves:
            raise ClinicError(self.refuse_moves)
        item = self.get_appointment(ctx, appointment_id)
        changes = dict(start=new_start, end=new_start + (item.end - item.start))
        if room_id:
            changes.update(room_id=room_id, room_name=f"Room {room_id}")
        if staff_ids:
            changes.update(staff_ids=tuple(staff_ids), staff_names=tuple(f"Staff {s}" for s in staff_ids))
        self._replace(appointment_id, **changes)
        return appointment_changes()

    def _update(self, appointment_id, *, status, reason):
        item = self.get_appointment(None, appointment_id)
        change = StatusChange(item.start, "desk", item.status, status, reason)
        self._replace(appointment_id, status=status, history=item.history + (change,))

    def _replace(self, appointment_id, **changes):
        self.items = [replace(a, **changes) if a.id == appointment_id else a for a in self.items]


@pytest.fixture
def fake_appointments(monkeypatch):
    from clinicdesk.services import appointments

    fake = FakeAppointments()
    for name in ("list_range", "today_queue", "get_appointment", "transition", "reschedule"):
        monkeypatch.setattr(appointments, name, getattr(fake, name))
    return fake


@pytest.fixture
def centre() -> CentreItem:
    return CentreItem(CENTRE, "KOC", "Kochi", "Asia/Kolkata", "", "", "", "", "Kerala", True,
                      ((DAY + timedelta(days=29), "Christmas"),))
