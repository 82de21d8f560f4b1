"""Payment reminders through the real services: overdue bills and instalments queue one message each, once."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from clinicdesk.domain.billing.gst import HEALTH_CARE_EXEMPT
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.roles import Role
from clinicdesk.services import billing, billing_views, payment_reminders
from clinicdesk.services.billing import PlanTerms
from clinicdesk.services.payment_reminders import ReminderRun, queue_payment_reminders, reminder_key
from tests.services.helpers import audit_rows
from tests.services.notification_world import messages, reachable

TREATMENT = [LineInput("Panchakarma course", HEALTH_CARE_EXEMPT, D("12500"))]


def _reminders(ctx):
    return messages(ctx, template_key="payment_reminder")


def _bill(desk, patient_id: str, **kwargs) -> str:
    invoice_id, _ = billing.issue_invoice(desk, patient_id, TREATMENT, **kwargs)
    return invoice_id


def test_an_overdue_bill_gets_one_reminder_in_the_patients_language_however_often_the_job_runs(world):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, language="hi", quiet=None)
    invoice_id = _bill(desk, asha)  # issued 26 Nov: due a week later, on 3 Dec
    billing.take_payment(desk, invoice_id, D("2500"), "cash")
    number = billing_views.invoice_detail(desk, invoice_id).summary.number
    world.boss.clock.advance(days=7)  # 3 Dec: due today, not yet overdue
    assert queue_payment_reminders(desk)[0] == ReminderRun() and _reminders(world.boss) == []

    world.boss.clock.advance(days=1)
    run, changes = queue_payment_reminders(desk)
    assert run == ReminderRun(queued=1) and changes.messages
    [message] = _reminders(world.boss)
    assert (message.language, message.channel, message.status, message.patient_id) == ("hi", "sms", "due", asha)
    assert "₹10,000.00" in message.body and number in message.body and "03/12/2026" in message.body
    assert message.body.startswith("नमस्ते Asha") and "{" not in message.body
    assert message.idempotency_key == reminder_key(invoice_id, 1, date(2026, 12, 3))
    assert [row.detail for row in audit_rows(desk, action="notification.queue")] == ["payment_reminder; due"]

    again, changes = queue_payment_reminders(desk)
    assert again == ReminderRun(already_reminded=1) and not changes.messages
    world.boss.clock.advance(days=3)
    assert queue_payment_reminders(desk)[0] == ReminderRun(already_reminded=1)
    assert len(_reminders(world.boss)) == 1


def test_a_paid_bill_gets_no_reminder(world):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, quiet=None)
    billing.take_payment(desk, _bill(desk, asha), D("12500"), "card", "4242")
    world.boss.clock.advance(days=20)
    assert queue_payment_reminders(desk)[0] == ReminderRun()
    assert _reminders(world.boss) == []


def test_no_consent_means_no_message_until_the_patient_consents(world):
    desk, ravi = world.ctx(Role.FRONT_DESK), world.patients["ravi"]
    _bill(desk, ravi)
    world.boss.clock.advance(days=9)
    assert queue_payment_reminders(desk)[0] == ReminderRun(not_reachable=1)
    assert messages(world.boss) == []  # nothing queued, not even a cancelled row
    reachable(world.boss, ravi, quiet=None)  # consent given at the next visit: the next run reminds, still owed
    world.boss.clock.advance(days=1)
    assert queue_payment_reminders(desk)[0] == ReminderRun(queued=1)


def test_do_not_disturb_is_honoured_and_quiet_hours_move_the_message_to_morning(world):
    desk = world.ctx(Role.FRONT_DESK)
    asha, lata = world.patients["asha"], world.patients["lata"]
    reachable(world.boss, asha, do_not_disturb=True)
    reachable(world.boss, lata)  # quiet from 21:00 to 08:00
    _bill(desk, asha)
    _bill(desk, lata)
    world.boss.clock.now = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # 21:30 in Kochi
    assert queue_payment_reminders(desk)[0] == ReminderRun(queued=1, not_reachable=1)
    [message] = _reminders(world.boss)
    assert message.patient_id == lata and message.status == "scheduled"
    assert message.send_at == datetime(2026, 12, 6, 2, 30, tzinfo=UTC)  # 08:00 in Kochi


def test_each_overdue_instalment_is_reminded_once_for_what_is_left_of_it(world):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, quiet=None)
    invoice_id = _bill(desk, asha, plan=PlanTerms(count=2, first_due=date(2026, 11, 26), every_days=14,
                                                   deposit=D("2500")))
    plan = [(i.due_on, i.amount) for i in billing_views.invoice_detail(desk, invoice_id).instalments]
    assert plan == [
        (date(2026, 11, 26), D("2500.00")), (date(2026, 12, 10), D("5000.00")), (date(2026, 12, 24), D("5000.00"))]
    billing.take_payment(desk, invoice_id, D("4000"), "cash")  # the deposit and 1,500 of the second part
    world.boss.clock.advance(days=15)  # 11 Dec
    assert queue_payment_reminders(desk)[0] == ReminderRun(queued=1)
    world.boss.clock.advance(days=14)  # 25 Dec: the third part is overdue too
    assert queue_payment_reminders(desk)[0] == ReminderRun(queued=1, already_reminded=1)
    bodies = [m.body for m in _reminders(world.boss)]
    assert len(bodies) == 2
    assert "₹3,500.00" in bodies[0] and "10/12/2026" in bodies[0]
    assert "₹5,000.00" in bodies[1] and "24/12/2026" in bodies[1]


def test_a_bill_issued_on_another_desk_is_left_to_that_desk(world):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, quiet=None)
    _bill(desk, asha)
    world.boss.clock.advance(days=9)
    desk.db.config.device_code = "B"  # the same clinic file, seen as another desk of the centre
    try:
        assert queue_payment_reminders(desk)[0] == ReminderRun()
    finally:
        desk.db.config.device_code = "A"
    assert queue_payment_reminders(desk)[0] == ReminderRun(queued=1)


def test_bills_overdue_longer_than_the_window_are_left_to_the_desk(world):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, quiet=None)
    _bill(desk, asha)
    world.boss.clock.advance(days=7 + payment_reminders.LOOKBACK_DAYS + 1)
    assert queue_payment_reminders(desk)[0] == ReminderRun()


@pytest.mark.parametrize("language, words", [("en", "a gentle reminder"), ("ml", "നമസ്കാരം")])
def test_the_message_reads_in_english_and_malayalam_too(world, language, words):
    desk, asha = world.ctx(Role.FRONT_DESK), world.patients["asha"]
    reachable(world.boss, asha, language=language, quiet=None)
    _bill(desk, asha)
    world.boss.clock.advance(days=8)
    queue_payment_reminders(desk)
    [message] = _reminders(world.boss)
    assert words in message.body and "₹12,500.00" in message.body and "KOC-A/I26/" in message.body
