"""The nightly sync: an apscheduler cron job, persisted in the clinic database, that rings the "Sync now" bell."""

import logging
import re
from datetime import tzinfo

from clinicdesk.store.database import Database
from clinicdesk.ui.sync.requests import SyncRequests, request_sync, shared_requests

log = logging.getLogger(__name__)

JOB_ID = "clinicdesk-nightly-sync"
JOBS_TABLE = "apscheduler_jobs"
DEFAULT_SYNC_TIME = (2, 0)
MISSED_RUN_GRACE_S = 12 * 3600  # a night's run missed while the desk was off still happens when it starts that day


def parse_sync_time(text: str) -> tuple[int, int]:
    """"HH:MM" from clinicdesk.json; anything else falls back to 02:00 (and says so in the log)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return int(match[1]), int(match[2])
    log.warning("sync_time %r in clinicdesk.json is not HH:MM; the nightly sync runs at 02:00", text)
    return DEFAULT_SYNC_TIME


def make_scheduler(database: Database, timezone: tzinfo | None = None):
    """A background scheduler whose jobs live in the clinic database itself (a table of apscheduler's own).

    The job store uses the app's encrypted engine from the scheduler's thread with its own pooled connection, like
    the sync worker does; it writes one small row only when the job is added or has run, and SQLite's locking with
    the engine's busy timeout serialises that against the database thread. Nothing patient-related is stored there.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(engine=database.engine, tablename=JOBS_TABLE)
    options = {"timezone": timezone} if timezone is not None else {}  # default: this computer's local time
    return BackgroundScheduler(jobstores={"default": store}, **options)


class NightlySync:
    """Adds (or replaces) the nightly job, starts the scheduler, and asks for one sync now, at start-up."""

    def __init__(self, scheduler, sync_time: str, *, requests: SyncRequests | None = None):
        self.scheduler = scheduler
        self.hour, self.minute = parse_sync_time(sync_time)
        self._requests = requests or shared_requests()

    def start(self, *, sync_at_start: bool = True) -> None:
        from apscheduler.triggers.cron import CronTrigger

        self.scheduler.add_job(request_sync, CronTrigger(hour=self.hour, minute=self.minute,
                                                         timezone=self.scheduler.timezone),
                               id=JOB_ID, name="Nightly sync with HQ", kwargs={"reason": "nightly"},
                               replace_existing=True, coalesce=True, misfire_grace_time=MISSED_RUN_GRACE_S)
        if not self.scheduler.running:
            self.scheduler.start()
        if sync_at_start:
            self._requests.request("start")

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def start_nightly_sync(database: Database) -> NightlySync | None:
    """For run_app: the scheduler must never keep the desk from opening, so a failure here is only logged."""
    shared_requests()  # made here, on the main thread, before the scheduler's thread can ring it
    try:
        nightly = NightlySync(make_scheduler(database), database.config.sync_time)
        nightly.start()
        return nightly
    except Exception as error:
        log.warning("the nightly sync could not be scheduled: %s", type(error).__name__)
        return None
