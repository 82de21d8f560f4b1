"""The daily payment reminders: an apscheduler cron job on the encrypted job store rings every morning; the open
window queues the day's reminders on the database thread (clinicdesk/services/payment_reminders.py)."""

import logging

from PySide6.QtCore import QObject

from clinicdesk.services.payment_reminders import ReminderRun, queue_payment_reminders
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.sync.requests import SyncRequests

log = logging.getLogger(__name__)

JOB_ID = "clinicdesk-payment-reminders"
RUN_AT = (10, 0)  # mid-morning on the desk's clock: a reminder reads as a courtesy, not a midnight dunning text
MISSED_RUN_GRACE_S = 12 * 3600  # the desk switched on later that day still sends the day's reminders
_bell: SyncRequests | None = None


def payment_bell() -> SyncRequests:
    """The job's doorbell (same shape as the sync's); create it first on the main thread."""
    global _bell
    if _bell is None:
        _bell = SyncRequests()
    return _bell


def ring_payment_reminders(reason: str = "daily") -> None:
    """The scheduler's job: a plain module function, so the persisted job stores only this reference."""
    payment_bell().request(reason)


def schedule_payment_reminders(scheduler) -> None:
    """Add (or replace) the daily job on the app's scheduler; a failure is logged, never fatal."""
    payment_bell()
    try:
        from apscheduler.triggers.cron import CronTrigger

        scheduler.add_job(ring_payment_reminders, CronTrigger(hour=RUN_AT[0], minute=RUN_AT[1],
                                                              timezone=scheduler.timezone),
                          id=JOB_ID, name="Queue payment reminders", replace_existing=True, coalesce=True,
                          max_instances=1, misfire_grace_time=MISSED_RUN_GRACE_S)
    except Exception as error:
        log.warning("the payment reminders could not be scheduled: %s", type(error).__name__)


class PaymentReminderJob(QObject):
    """Listens to the bell while a window is open; a ring missed while signed out runs at the next sign-in."""

    def __init__(self, app: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self.last_run: ReminderRun | None = None
        self._bell = payment_bell()
        self._bell.requested.connect(self.run_now)
        self._attached = False

    def start(self) -> None:
        self._attached = True
        if self._bell.attach():
            self.run_now()

    def shutdown(self) -> None:
        if self._attached:
            self._attached = False
            self._bell.detach()

    def run_now(self, _reason: str = "") -> bool:
        if self.app.user is None:
            return False
        # the runner announces the Changes, so the message screens reload when something was queued
        self.app.runner.run(queue_payment_reminders, self.app.ctx, on_done=self._done,
                            on_error=lambda error: log.warning("payment reminders failed: %s", type(error).__name__))
        return True

    def _done(self, result: tuple[ReminderRun, object]) -> None:
        self.last_run = result[0]
