"""The message sender in the app: an apscheduler job on the encrypted job store rings every minute; the open window
runs one sender pass on a worker thread (network calls never hold the database thread)."""

import logging
import threading
from collections.abc import Iterator

from PySide6.QtCore import QObject

from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.long_jobs import LongJob
from clinicdesk.ui.notifications.payment_job import PaymentReminderJob
from clinicdesk.ui.sync.requests import SyncRequests

log = logging.getLogger(__name__)

JOB_ID = "clinicdesk-message-sender"
INTERVAL_MINUTES = 1
_bell: SyncRequests | None = None


def sender_bell() -> SyncRequests:
    """The sender's doorbell (same shape as the sync's); create it first on the main thread."""
    global _bell
    if _bell is None:
        _bell = SyncRequests()
    return _bell


def ring_message_sender(reason: str = "minute") -> None:
    """The scheduler's job: a plain module function, so the persisted job stores only this reference."""
    sender_bell().request(reason)


def schedule_message_sender(scheduler) -> None:
    """Add (or replace) the every-minute job on the app's scheduler; a failure is logged, never fatal."""
    sender_bell()
    try:
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler.add_job(ring_message_sender, IntervalTrigger(minutes=INTERVAL_MINUTES), id=JOB_ID,
                          name="Send due messages", replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=INTERVAL_MINUTES * 60)
    except Exception as error:
        log.warning("the message sender could not be scheduled: %s", type(error).__name__)


class MessageSender(QObject):
    """Listens to the bell while a window is open; one pass at a time; tells the screens when something moved.
    The daily payment reminders (queued, then sent by this sender) listen and stop with it."""

    def __init__(self, app: AppContext, *, synchronous: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self._synchronous = synchronous
        self._job: LongJob | None = None
        self._bell = sender_bell()
        self._bell.requested.connect(self.send_now)
        self._attached = False
        self.payment_reminders = PaymentReminderJob(app, parent=self)

    def start(self) -> None:
        self._attached = True
        self.payment_reminders.start()
        if self._bell.attach():
            self.send_now()

    def shutdown(self) -> None:
        self.payment_reminders.shutdown()
        if self._attached:
            self._attached = False
            self._bell.detach()
        if self._job is not None:
            self._job.wait()

    def send_now(self, _reason: str = "") -> bool:
        if self.app.user is None or (self._job is not None and self._job.running):
            return False
        ctx = self.app.ctx

        def work(_cancel: threading.Event) -> Iterator[object]:
            from clinicdesk.services.notification_sender import send_due  # smtplib, ssl, httpx: on first use

            yield send_due(ctx)

        self._job = LongJob(work, synchronous=self._synchronous, parent=self)
        self._job.finished.connect(self._done)
        self._job.failed.connect(lambda error: log.warning("message sender pass failed: %s", type(error).__name__))
        self._job.start()
        return True

    def _done(self, report) -> None:
        if report.sent or report.failed or report.retrying or report.expired:
            self.app.runner.changes_did_apply.emit(Changes(messages=True))
