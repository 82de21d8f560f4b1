"""The appointment window: after a move it shows the appointment that now holds the time, not the old one."""

from dataclasses import replace
from datetime import datetime

from clinicdesk.services.appointment_dto import RESCHEDULED
from clinicdesk.ui.calendar.appointment_dialog import AppointmentDialog
from clinicdesk.ui.widgets.inputs import to_qdate
from tests.ui.calendar.builders import DAY, appointment
from tests.ui.calendar.conftest import appointment_changes


def test_after_a_move_the_dialog_follows_to_the_new_appointment(qtbot, app_ctx, fake_appointments, monkeypatch):
    from clinicdesk.services import appointments

    old = appointment("a1", "09:00", 60)
    fake_appointments.items = [old]

    def reschedule(ctx, appointment_id, new_start, *, room_id=None, staff_ids=None, reason=""):
        moved = replace(old, id="a2", reference="KOC-A-a2", start=new_start, end=new_start + (old.end - old.start),
                        rescheduled_from="a1")
        fake_appointments.items = [replace(old, status=RESCHEDULED, rescheduled_to="a2"), moved]
        return appointment_changes()

    monkeypatch.setattr(appointments, "reschedule", reschedule)
    dialog = AppointmentDialog(app_ctx, old)  # never shown: following must not depend on being on screen
    qtbot.addWidget(dialog)
    dialog.move_day.setDate(to_qdate(DAY))
    dialog.move_time.setTime(dialog.move_time.time().fromString("11:30", "HH:mm"))
    dialog.move()
    assert dialog.item.id == "a2" and dialog.item.start == datetime(2026, 11, 26, 11, 30)
    assert dialog.fields["reference"].text() == "KOC-A-a2"
    assert dialog.move_box.isEnabled()  # the new appointment can be moved again
