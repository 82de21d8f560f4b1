"""The daily payment-reminder job: persisted on the encrypted job store, and a ring queues the day's reminders."""

from decimal import Decimal as D

from clinicdesk.domain.billing.gst import HEALTH_CARE_EXEMPT
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.services import billing
from clinicdesk.ui.notifications.payment_job import JOB_ID, ring_payment_reminders, schedule_payment_reminders
from clinicdesk.ui.notifications.sender import MessageSender
from tests.services.notification_world import messages, reachable


def test_the_job_runs_every_morning_from_the_encrypted_job_store(app_ctx):
    from clinicdesk.ui.sync.nightly import make_scheduler

    first = make_scheduler(app_ctx.ctx.db)
    first.start(paused=True)  # paused: stored, never run by this test
    schedule_payment_reminders(first)
    first.shutdown(wait=False)
    again = make_scheduler(app_ctx.ctx.db)
    again.start(paused=True)
    try:
        job = again.get_job(JOB_ID)
        assert job.func_ref == "clinicdesk.ui.notifications.payment_job:ring_payment_reminders"
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert (fields["hour"], fields["minute"], fields["day"]) == ("10", "0", "*")
    finally:
        again.shutdown(wait=False)


def test_a_ring_queues_the_overdue_bills_reminder_once_while_a_window_is_open(qtbot, app_ctx, some_patients):
    ctx, patient_id = app_ctx.ctx, some_patients["Jisha Chacko"]
    reachable(ctx, patient_id, "sms", quiet=None)
    billing.issue_invoice(ctx, patient_id, [LineInput("Consultation", HEALTH_CARE_EXEMPT, D("1000"))])
    ctx.clock.advance(days=8)  # a week's terms, then a day overdue
    sender = MessageSender(app_ctx, synchronous=True)
    sender.start()
    try:
        with qtbot.waitSignal(app_ctx.runner.changes_did_apply, timeout=5000) as applied:
            ring_payment_reminders("test")
        assert applied.args[0].messages
        assert sender.payment_reminders.last_run.queued == 1
        ring_payment_reminders("test")  # the next morning's ring, with nothing new owed
        assert sender.payment_reminders.last_run.already_reminded == 1
    finally:
        sender.shutdown()
    [reminder] = messages(ctx, template_key="payment_reminder")
    assert "₹1,000.00" in reminder.body and reminder.status == "due"
    ring_payment_reminders("while signed out")  # no window listens: kept for the next one
    app_ctx.ctx.user, user = None, app_ctx.ctx.user
    assert sender.payment_reminders.run_now() is False
    app_ctx.ctx.user = user
    late = MessageSender(app_ctx, synchronous=True)
    late.start()  # the next sign-in takes the ring that was waiting
    late.shutdown()
    assert late.payment_reminders.last_run.already_reminded == 1
