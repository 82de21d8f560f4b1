"""Reminders follow their appointment: planned at booking, moved with it, withdrawn when it is cancelled."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments
from tests.services.notification_world import messages, reachable
from tests.services.scheduling_world import FRIDAY, at

KOCHI = ZoneInfo("Asia/Kolkata")


def _local(moment):
    return moment.astimezone(KOCHI).strftime("%a %H:%M")


def test_booking_plans_the_therapy_messages_in_the_same_transaction(world):
    reachable(world.boss, world.patients["asha"])
    appointment_id = world.book("asha", day=FRIDAY, at="11:00")
    planned = {m.template_key: m for m in messages(world.boss, appointment_id=appointment_id)}
    assert {key: (_local(m.send_at), m.status, m.channel) for key, m in planned.items()} == {
        "booking_confirmation": ("Thu 10:00", "due", "sms"),
        "preparation_day_before": ("Thu 11:00", "scheduled", "sms"),
        "preparation_two_hours": ("Fri 09:00", "scheduled", "sms"),
        "recovery_one_hour": ("Fri 13:00", "scheduled", "sms"),
        "recovery_twelve_hours": ("Sat 08:00", "scheduled", "sms"),  # midnight is quiet
        "recovery_next_day": ("Sat 12:00", "scheduled", "sms"),
        "check_in_next_day": ("Sat 12:00", "scheduled", "sms"),
    }
    body = planned["booking_confirmation"].body
    assert "Asha" in body and "Abhyanga" in body and "Fri 27 Nov, 11:00" in body
    assert "Menon" not in body  # the given name only: the minimum needed


def test_without_a_consent_for_the_channel_nothing_is_planned(world):
    appointment_id = world.book("ravi", day=FRIDAY, at="11:00")  # default preference sms, but no consent
    assert messages(world.boss, appointment_id=appointment_id) == []


def test_a_consultation_gets_a_confirmation_and_one_reminder_in_hindi(world):
    reachable(world.boss, world.patients["lata"], language="hi")
    appointment_id = world.book("lata", service="CON", day=FRIDAY, at="10:00")
    planned = messages(world.boss, appointment_id=appointment_id)
    assert [m.template_key for m in planned] == ["booking_confirmation", "reminder_day_before"]
    assert all(m.language == "hi" and "नमस्ते" in m.body for m in planned)


def test_a_rescheduled_appointment_moves_its_reminders(world):
    reachable(world.boss, world.patients["asha"])
    desk = world.ctx(Role.FRONT_DESK)
    old_id = world.book("asha", day=FRIDAY, at="11:00")
    appointments.reschedule(desk, old_id, at(FRIDAY + timedelta(days=1), "14:00"), reason="Patient asked")
    old = messages(world.boss, appointment_id=old_id)
    assert {m.status for m in old if m.template_key != "booking_confirmation"} == {"cancelled"}
    assert all("rescheduled" in m.last_reason for m in old if m.status == "cancelled")
    [moved] = [a for a in appointments.list_range(desk, world.centre, FRIDAY, FRIDAY + timedelta(days=1))
               if a.status == "confirmed"]
    new = {m.template_key: m for m in messages(world.boss, appointment_id=moved.id)}
    assert "booking_confirmation" not in new
    assert "from Fri 27 Nov, 11:00 to Sat 28 Nov, 14:00" in new["time_changed"].body
    assert _local(new["preparation_two_hours"].send_at) == "Sat 12:00"
    assert _local(new["recovery_one_hour"].send_at) == "Sat 16:00"


def test_a_cancelled_appointment_removes_its_reminders_and_tells_the_patient(world):
    reachable(world.boss, world.patients["asha"])
    desk = world.ctx(Role.FRONT_DESK)
    appointment_id = world.book("asha", day=FRIDAY, at="11:00")
    appointments.transition(desk, appointment_id, "cancel", reason="Unwell")
    left = messages(world.boss, appointment_id=appointment_id)
    open_ones = [m for m in left if m.status in ("scheduled", "due")]
    assert [m.template_key for m in open_ones] == ["cancellation"]
    assert "cancelled" in open_ones[0].body
    assert {m.status for m in left if m.template_key != "cancellation"} == {"cancelled"}
