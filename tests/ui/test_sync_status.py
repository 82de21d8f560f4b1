"""The sync indicator, "Sync now" with a fake sync (the real client is tested in tests/sync), and the nightly job."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from clinicdesk.services import patients, sync_status
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.outbox import ACKNOWLEDGED, OutboxRow
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import HqSettings
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync.controller import RETRY_DELAYS_MS, SyncController
from clinicdesk.ui.sync.nightly import JOB_ID, NightlySync
from clinicdesk.ui.sync.requests import SyncRequests
from clinicdesk.ui.sync.status_widget import GREEN, GREY, RED
from tests.ui.conftest import draft

HQ = HqSettings("https://hq.example:8443", "", "device-1", "secret")
UNREACHABLE = "HQ could not be reached at https://hq.example:8443; check the network and try again."


def enrol(app_ctx) -> None:
    data_dir = app_ctx.ctx.db.data_dir
    config = LocalConfig.load(data_dir)
    config.hq_url, config.hq_device_id = HQ.url, HQ.device_id
    config.save(data_dir)


class FakeSync:
    """Stands in for sync_once: acknowledges everything pending and returns a summary, or raises what it is told."""

    def __init__(self):
        self.calls = 0
        self.error: Exception | None = None

    def __call__(self, database, hq: HqSettings) -> SyncSummary:
        self.calls += 1
        assert hq is HQ
        if self.error is not None:
            raise self.error
        with database.session() as session, session.begin():
            sent = session.execute(update(OutboxRow).values(state=ACKNOWLEDGED)).rowcount
        return SyncSummary(pushed=sent, pulled=4, conflicts=1, rejected=0, seconds=0.2)


@pytest.fixture
def fake_sync():
    return FakeSync()


@pytest.fixture
def window(qtbot, app_ctx, fake_sync):
    controller = SyncController(app_ctx, sync_fn=fake_sync, load_hq=lambda _dir: HQ, synchronous=True,
                                requests=SyncRequests())
    main = MainWindow(app_ctx, idle_timeout_ms=0, sync=controller)
    qtbot.addWidget(main)
    main.show()
    return main


def test_not_enrolled_says_so_and_offers_no_sync(window, fake_sync):
    indicator = window.sync.indicator
    assert indicator.text.text() == "Not connected to an HQ"
    assert indicator.colour == GREY
    assert not window.sync.action.isVisible()
    assert window.sync.controller.sync_now() is False and fake_sync.calls == 0


def test_sync_now_shows_the_summary_and_the_waiting_count_follows(window, app_ctx, some_patients, fake_sync):
    enrol(app_ctx)
    window.sync.controller.refresh()
    indicator = window.sync.indicator
    waiting = sync_status.sync_status(app_ctx.ctx).pending
    assert waiting > 0  # the three registrations queued changes for HQ
    assert indicator.text.text() == f"Not synced yet · {waiting} changes waiting"
    assert window.sync.action.isVisible()

    window.sync.action.trigger()

    assert fake_sync.calls == 1
    assert indicator.text.text() == "Synced 10:00 · all changes sent"  # 04:30 UTC is 10:00 in Kochi
    assert indicator.colour == GREEN and not indicator.busy.isVisible() and window.sync.action.isEnabled()
    status = sync_status.sync_status(app_ctx.ctx)
    assert status.last_result == f"{waiting} sent, 4 received, 1 conflict" and status.last_error == ""

    # a later write shows up as waiting at once (the runner's changes_did_apply), without another sync
    app_ctx.runner.run(patients.register_patient, app_ctx.ctx, draft(given_name="Meera", phone="9847000001"))
    assert indicator.text.text() == "Synced 10:00 · 1 change waiting"


def test_a_sync_error_shows_its_sentence_and_is_retried_later(window, app_ctx, fake_sync):
    enrol(app_ctx)
    fake_sync.error = SyncError(UNREACHABLE, code="unreachable")
    controller = window.sync.controller
    assert controller.sync_now() is True

    indicator = window.sync.indicator
    assert indicator.text.text() == f"Sync failed: {UNREACHABLE}"
    assert indicator.colour == RED and not controller.running
    assert controller.retry_timer.isActive() and controller.retry_timer.interval() == RETRY_DELAYS_MS[0]
    assert sync_status.sync_status(app_ctx.ctx).last_error == UNREACHABLE

    controller.retry_timer.timeout.emit()  # the back-off grows while HQ stays out of reach
    assert fake_sync.calls == 2 and controller.retry_timer.interval() == RETRY_DELAYS_MS[1]

    fake_sync.error = None  # the network is back
    controller.retry_timer.timeout.emit()
    assert indicator.text.text().startswith("Synced 10:00") and not controller.retry_timer.isActive()


def test_an_unexpected_error_shows_a_generic_sentence_and_is_not_retried(window, app_ctx, fake_sync):
    enrol(app_ctx)
    fake_sync.error = RuntimeError("patient Rohit Tiwari broke something")  # must never reach the screen
    window.sync.controller.sync_now()
    text = window.sync.indicator.text.text()
    assert text == f"Sync failed: {sync_status.GENERIC_FAILURE}" and "Rohit" not in text
    assert not window.sync.controller.retry_timer.isActive()


def test_a_request_made_while_no_window_listened_runs_when_one_opens(qtbot, app_ctx, fake_sync):
    enrol(app_ctx)
    requests = SyncRequests()
    requests.request("nightly")  # 02:00, nobody signed in
    controller = SyncController(app_ctx, sync_fn=fake_sync, load_hq=lambda _dir: HQ, synchronous=True,
                                requests=requests)
    main = MainWindow(app_ctx, idle_timeout_ms=0, sync=controller)
    qtbot.addWidget(main)
    assert fake_sync.calls == 1
    requests.request("nightly")  # with a window open the request goes straight to it
    assert fake_sync.calls == 2


def test_nightly_job_is_registered_at_the_configured_local_time(app_ctx):
    from apscheduler.schedulers.background import BackgroundScheduler

    kolkata = ZoneInfo("Asia/Kolkata")
    scheduler = BackgroundScheduler(timezone=kolkata)  # an in-memory store: the test never starts a thread
    requests = SyncRequests()
    nightly = NightlySync(scheduler, "02:30", requests=requests)
    scheduler.start(paused=True)
    try:
        nightly.start(sync_at_start=False)
        job = scheduler.get_job(JOB_ID)
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("2", "30")
        assert job.trigger.timezone == kolkata
        assert job.func_ref == "clinicdesk.ui.sync.requests:request_sync"
        after = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # 10:00 in Kochi
        assert job.trigger.get_next_fire_time(None, after) == datetime(2026, 11, 27, 2, 30, tzinfo=kolkata)
    finally:
        scheduler.shutdown(wait=False)


def test_a_bad_sync_time_falls_back_to_two_in_the_morning():
    assert NightlySync(object(), "25:99").hour == 2
    assert (NightlySync(object(), "").hour, NightlySync(object(), "").minute) == (2, 0)


def test_screenshot(window, app_ctx, some_patients, fake_sync, qtbot):
    enrol(app_ctx)
    window.sync.action.trigger()
    app_ctx.runner.run(patients.register_patient, app_ctx.ctx, draft(given_name="Meera", phone="9847000001"))
    window.resize(1100, 500)
    qtbot.waitExposed(window)
    qtbot.wait(100)  # let the status bar lay out the indicator's new text
    out = Path("out/screens")
    out.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out / "sync-status.png"))


def test_the_nightly_job_persists_in_the_encrypted_clinic_database(app_ctx):
    from clinicdesk.ui.sync.nightly import make_scheduler

    kolkata = ZoneInfo("Asia/Kolkata")
    first = make_scheduler(app_ctx.ctx.db, kolkata)
    first.start(paused=True)  # paused: the job is stored but never run by this test
    NightlySync(first, "01:15", requests=SyncRequests()).start(sync_at_start=False)
    first.shutdown(wait=False)

    again = make_scheduler(app_ctx.ctx.db, kolkata)  # as after a restart of the app
    again.start(paused=True)
    try:
        job = again.get_job(JOB_ID)
        assert job is not None
        assert job.next_run_time.astimezone(kolkata).strftime("%H:%M") == "01:15"  # the next night's run, real time
    finally:
        again.shutdown(wait=False)
