"""The full-resync question: plain words with HQ's reset date and the changes at stake, "Back up and resync" as the
default; shown after a sync that HQ refused for its new epoch, and again from the status bar's "Resync…" link."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from clinicdesk.services import sync_status
from clinicdesk.sync.errors import EpochChangedError
from clinicdesk.sync.resync import EpochNotice
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync.controller import SyncController
from clinicdesk.ui.sync.requests import SyncRequests
from clinicdesk.ui.sync.resync_dialog import ResyncDialog
from clinicdesk.ui.sync.status_widget import AMBER, GREEN, RED
from tests.ui.test_sync_status import HQ, enrol

KOCHI = ZoneInfo("Asia/Kolkata")
NOTICE = EpochNotice(reset_at=datetime(2026, 11, 25, 12, 35, tzinfo=UTC), changes_hq_may_lack=3)


class FakeResync:
    """sync_once refused by HQ's new epoch until the resync ran; then both succeed."""

    def __init__(self):
        self.synced = self.resynced = self.notices = 0

    def sync(self, database, hq):
        self.synced += 1
        if not self.resynced:
            raise EpochChangedError("HQ's data was reset or restored since this device last synced.",
                                    code="epoch_changed")
        return SyncSummary(pushed=0, pulled=0, conflicts=0, rejected=0, seconds=0.1, verified=True)

    def resync(self, database, hq):
        self.resynced += 1
        return SyncSummary(pushed=2, pulled=9, conflicts=1, rejected=0, seconds=1.2, verified=True, resynced=True,
                           repaired={"rows_sent_again": 2})

    def notice(self, database, hq):
        self.notices += 1
        return NOTICE


@pytest.fixture
def fake():
    return FakeResync()


@pytest.fixture
def window(qtbot, app_ctx, fake):
    controller = SyncController(app_ctx, sync_fn=fake.sync, resync_fn=fake.resync, notice_fn=fake.notice,
                                load_hq=lambda _dir: HQ, synchronous=True, requests=SyncRequests())
    main = MainWindow(app_ctx, idle_timeout_ms=0, sync=controller)
    qtbot.addWidget(main)
    main.show()
    return main


def open_dialog(window) -> ResyncDialog | None:
    dialogs = [d for d in window.findChildren(ResyncDialog) if d.isVisible()]
    assert len(dialogs) <= 1
    return dialogs[0] if dialogs else None


def test_the_dialog_says_when_hq_was_reset_and_what_is_at_stake(qtbot):
    dialog = ResyncDialog(NOTICE, KOCHI)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.headline.text() == "HQ was reset or restored on 25 Nov 2026 at 18:05."  # 12:35 UTC in Kochi
    body = dialog.body.text()
    assert "This desk has 3 changes that HQ may not have" in body and "encrypted backup" in body
    assert "conflict queue" in body and "Nothing on this desk is deleted" in body
    assert dialog.resync_button.text() == "Back up and resync" and dialog.later_button.text() == "Not now"
    assert dialog.resync_button.isDefault() and not dialog.later_button.isDefault()
    qtbot.wait(50)
    assert dialog.grab().save("/tmp/h4_resync.png")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter takes the default: back up and resync
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_without_a_date_or_with_a_stopped_resync_the_words_still_fit(qtbot):
    dialog = ResyncDialog(EpochNotice(reset_at=None, changes_hq_may_lack=1, unfinished_step="push"), KOCHI)
    qtbot.addWidget(dialog)
    assert dialog.headline.text() == "HQ was reset or restored since this desk last synced."
    assert "1 change that HQ may not have" in dialog.body.text()
    assert "carry on where it stopped" in dialog.body.text()
    dialog.later_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_a_refused_sync_asks_and_back_up_and_resync_runs_it(window, app_ctx, fake):
    enrol(app_ctx)
    window.sync.controller.sync_now()
    indicator = window.sync.indicator
    assert indicator.text.text() == "Sync stopped: HQ was reset or restored, so this desk needs a full resync"
    assert indicator.colour == RED and indicator.resync_link.isVisible()
    dialog = open_dialog(window)
    assert dialog is not None and fake.notices == 1 and fake.resynced == 0
    assert dialog.headline.text() == "HQ was reset or restored on 25 Nov 2026 at 18:05."

    dialog.resync_button.click()
    assert fake.resynced == 1
    assert indicator.text.text().startswith("Synced") and indicator.colour == GREEN
    assert not indicator.resync_link.isVisible()
    assert sync_status.sync_status(app_ctx.ctx).last_result == "2 sent, 9 received, 1 conflict, 2 rows repaired"


def test_not_now_changes_nothing_and_the_status_bar_offers_it_again(window, app_ctx, fake):
    enrol(app_ctx)
    window.sync.controller.sync_now()
    open_dialog(window).later_button.click()
    assert fake.resynced == 0 and open_dialog(window) is None
    indicator = window.sync.indicator
    assert indicator.resync_link.isVisible()

    indicator.resync_link.linkActivated.emit("resync")
    dialog = open_dialog(window)
    assert dialog is not None and fake.notices == 2
    dialog.resync_button.click()
    assert fake.resynced == 1 and not indicator.resync_link.isVisible()


def test_tables_still_different_after_a_repair_are_named_in_amber(window, app_ctx):
    enrol(app_ctx)
    summary = SyncSummary(pushed=0, pulled=0, conflicts=0, rejected=0, seconds=0.1, verified=False,
                          mismatched_tables=("patients",), repaired={"still_different": ["patients"]})
    status = sync_status.record_sync_result(app_ctx.ctx, summary)
    window.sync.controller.status_changed.emit(status)
    indicator = window.sync.indicator
    assert "differs from HQ in patients" in indicator.text.text() and indicator.colour == AMBER
