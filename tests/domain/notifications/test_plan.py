"""The plan for a visit: offsets, quiet hours in the centre's zone, do-not-disturb, consent, marketing opt-in."""

from datetime import UTC, datetime, time, timedelta

import pytest

from clinicdesk.domain.notifications.plan import (
    CONSULTATION_PLAYBOOK,
    THERAPY_PLAYBOOK,
    Recipient,
    decide,
    plan_visit,
)
from clinicdesk.domain.notifications.quiet_hours import in_quiet_hours, shift_out_of_quiet_hours

KOLKATA = "Asia/Kolkata"  # UTC+05:30
QUIET = {"quiet_start": time(21, 0), "quiet_end": time(8, 0)}
SMS_OK = Recipient(channels=("sms",), consented=frozenset({"sms"}), **QUIET)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("local", "start", "end", "quiet"), [
    (time(22, 0), time(21, 0), time(8, 0), True),
    (time(7, 59), time(21, 0), time(8, 0), True),
    (time(8, 0), time(21, 0), time(8, 0), False),
    (time(20, 59), time(21, 0), time(8, 0), False),
    (time(13, 30), time(13, 0), time(14, 0), True),
    (time(14, 0), time(13, 0), time(14, 0), False),
    (time(3, 0), time(5, 0), time(5, 0), False),  # an empty window
])
def test_quiet_window(local, start, end, quiet):
    assert in_quiet_hours(local, start, end) is quiet


@pytest.mark.parametrize(("send_at", "zone", "expected"), [
    # 16:00 UTC is 21:30 in Kolkata: quiet; it goes at 08:00 Kolkata next morning = 02:30 UTC
    (utc(2026, 11, 26, 16, 0), KOLKATA, utc(2026, 11, 27, 2, 30)),
    # 23:00 UTC is 04:30 in Kolkata (already the next day): it goes at 08:00 that same Kolkata day
    (utc(2026, 11, 26, 23, 0), KOLKATA, utc(2026, 11, 27, 2, 30)),
    # 04:00 UTC is 09:30 in Kolkata: not quiet, unchanged
    (utc(2026, 11, 27, 4, 0), KOLKATA, utc(2026, 11, 27, 4, 0)),
    # the same 16:00 UTC is 11:00 in New York: not quiet there, unchanged
    (utc(2026, 11, 26, 16, 0), "America/New_York", utc(2026, 11, 26, 16, 0)),
    # 03:00 UTC is 22:00 in New York (EST): quiet; 08:00 New York next morning is 13:00 UTC
    (utc(2026, 11, 27, 3, 0), "America/New_York", utc(2026, 11, 27, 13, 0)),
    # across the spring-forward night in London (29 Mar 2026): 07:30 BST is quiet, 08:00 BST = 07:00 UTC
    (utc(2026, 3, 29, 6, 30), "Europe/London", utc(2026, 3, 29, 7, 0)),
])
def test_quiet_hours_are_read_on_the_centres_clock(send_at, zone, expected):
    assert shift_out_of_quiet_hours(send_at, timezone=zone, **QUIET) == expected


def test_no_quiet_hours_means_no_shift():
    at = utc(2026, 11, 26, 16, 0)
    assert shift_out_of_quiet_hours(at, quiet_start=None, quiet_end=None, timezone=KOLKATA) == at


@pytest.mark.parametrize(("recipient", "kwargs", "channel", "skipped"), [
    (SMS_OK, {}, "sms", ""),
    (Recipient(channels=("sms",), consented=frozenset()), {}, None, "no channel the patient chose and consented to"),
    (Recipient(channels=("email", "sms"), consented=frozenset({"sms", "email"}), has_email=False), {}, "sms", ""),
    (Recipient(channels=("whatsapp", "sms"), consented=frozenset({"sms", "whatsapp"})), {}, "whatsapp", ""),
    (Recipient(channels=("whatsapp", "sms"), consented=frozenset({"sms", "whatsapp"})),
     {"channel_hint": "sms"}, "sms", ""),
    (Recipient(channels=("sms",), consented=frozenset({"sms"})), {"channel_hint": "email"}, "sms", ""),
    (Recipient(channels=("phone",), consented=frozenset({"phone"})), {}, None,
     "no channel the patient chose and consented to"),
    (Recipient(channels=("sms",), consented=frozenset({"sms"}), do_not_disturb=True), {}, None, "do not disturb"),
    (Recipient(channels=("sms",), consented=frozenset({"sms"}), do_not_disturb=True), {"emergency": True}, "sms",
     ""),
    (SMS_OK, {"marketing": True}, None, "no marketing opt-in"),
    (Recipient(channels=("sms",), consented=frozenset({"sms"}), marketing_opt_in=True), {"marketing": True}, "sms",
     ""),
])
def test_channel_needs_preference_consent_and_an_address(recipient, kwargs, channel, skipped):
    decision = decide(recipient, send_at=utc(2026, 11, 26, 6, 0), timezone=KOLKATA, **kwargs)
    assert (decision.channel, decision.skipped) == (channel, skipped)


def test_emergency_overrides_quiet_hours():
    late = utc(2026, 11, 26, 17, 0)  # 22:30 in Kolkata
    assert decide(SMS_OK, send_at=late, timezone=KOLKATA).send_at == utc(2026, 11, 27, 2, 30)
    assert decide(SMS_OK, send_at=late, timezone=KOLKATA, emergency=True).send_at == late


def _plan(start_local_hour: float, *, booked: datetime, recipient=SMS_OK, steps=THERAPY_PLAYBOOK, minutes=60):
    start = utc(2026, 11, 28, 0, 0) + timedelta(hours=start_local_hour - 5.5)
    return {m.template_key: m for m in plan_visit(steps, recipient, booked_at=booked, start=start,
                                                  end=start + timedelta(minutes=minutes), timezone=KOLKATA)}


def test_a_therapy_gets_preparation_recovery_and_check_in_at_their_offsets():
    booked = utc(2026, 11, 26, 4, 30)  # 10:00 Kolkata, two days ahead of an 11:00 visit
    plan = _plan(11, booked=booked)
    local = {key: m.decision.send_at.astimezone(__import__("zoneinfo").ZoneInfo(KOLKATA)).strftime("%d %H:%M")
             for key, m in plan.items()}
    assert local == {"booking_confirmation": "26 10:00", "preparation_day_before": "27 11:00",
                     "preparation_two_hours": "28 09:00", "recovery_one_hour": "28 13:00",
                     "recovery_twelve_hours": "29 08:00",  # 00:00 is quiet: shifted to the end of quiet hours
                     "recovery_next_day": "29 12:00", "check_in_next_day": "29 12:00"}
    assert plan["preparation_two_hours"].expires_at is not None and plan["recovery_one_hour"].expires_at is None


def test_the_day_before_reminder_follows_the_patients_timing():
    recipient = Recipient(channels=("sms",), consented=frozenset({"sms"}), reminder_hours_before=48)
    plan = _plan(11, booked=utc(2026, 11, 25, 4, 30), recipient=recipient, steps=CONSULTATION_PLAYBOOK)
    assert plan["reminder_day_before"].decision.send_at == utc(2026, 11, 26, 5, 30)


def test_reminders_already_past_or_pushed_past_the_visit_are_left_out():
    booked = utc(2026, 11, 28, 0, 0)  # 05:30 Kolkata on the day, quiet until 08:00
    plan = _plan(7.5, booked=booked)  # a 07:30 visit: T-2h is 05:30 (quiet until after it starts)
    assert "preparation_day_before" not in plan and "preparation_two_hours" not in plan
    assert plan["booking_confirmation"].decision.send_at == utc(2026, 11, 28, 2, 30)  # 08:00 local


def test_do_not_disturb_drops_the_whole_plan():
    recipient = Recipient(channels=("sms",), consented=frozenset({"sms"}), do_not_disturb=True)
    plan = _plan(11, booked=utc(2026, 11, 26, 4, 30), recipient=recipient)
    assert {m.decision.skipped for m in plan.values()} == {"do not disturb"}
