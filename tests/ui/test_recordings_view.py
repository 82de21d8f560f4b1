"""Recordings admin page: rows from a real clinic, purge of only the expired ones, the retention setting's rules."""

from pathlib import Path

import pytest

from clinicdesk.services import recordings
from clinicdesk.ui.admin.recordings_view import RecordingsView, length_text, short_id
from clinicdesk.ui.look import STYLE_SHEET
from clinicdesk.ui.main_window import MainWindow
from tests.services.consultation_matrix import ConsultRoom

SCREENS = Path("out/screens")
STARTED, DELETE_AFTER, STATE, DELETED = 0, 5, 4, 6


@pytest.fixture
def room(admin_ctx) -> ConsultRoom:
    corner = ConsultRoom(admin_ctx)
    corner.set_up()
    return corner


def _record(room: ConsultRoom, seconds: float) -> str:
    start, _ = recordings.begin_recording(room.boss, room.consented())
    recordings.finish_recording(room.boss, start.recording_id, seconds)
    return start.recording_id


@pytest.fixture
def two_recordings(room, admin_ctx, clock) -> dict[str, str]:
    """One kept a year (the default), one made after the retention was cut to 30 days, a day later."""
    kept = _record(room, 754.4)
    recordings.set_recording_retention(admin_ctx, 30)
    clock.advance(days=1)
    short = _record(room, 75.5)
    return {"kept": kept, "short": short}


def _show(qtbot, view: RecordingsView) -> RecordingsView:
    qtbot.addWidget(view)
    view.resize(1150, 600)
    view.show()
    return view


def _cells(view: RecordingsView) -> list[list[str]]:
    model = view.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_length_and_short_ids():
    assert length_text(0) == "00:00" and length_text(75.9) == "01:15" and length_text(3725) == "62:05"
    assert short_id("0193a5b2-7c1e-7d00-8f3a-1b2c3d4e5f60") == "3D4E5F60"


def test_lists_recordings_newest_first_with_ids_but_never_names(qtbot, app_ctx, room, two_recordings):
    view = _show(qtbot, RecordingsView(app_ctx))
    rows = _cells(view)
    assert [r.id for r in view.model.rows()] == [two_recordings["short"], two_recordings["kept"]]
    assert rows[0][1:5] == [short_id(room.patient), short_id(view.model.row(0).consultation_id), "01:15",
                            "Complete"]
    assert rows[0][STARTED] == "27 Nov 2026, 10:00"  # 04:30 UTC shown in the centre's time (IST)
    assert rows[0][DELETE_AFTER] == "27 Dec 2026" and rows[1][DELETE_AFTER] == "26 Nov 2027"
    assert rows[1][3] == "12:34" and rows[0][DELETED] == ""
    assert view.retention.value() == 30
    assert "No recording is past" in view.due_hint.text()
    everything = " ".join(" ".join(r) for r in rows)
    for name in ("Consult", "Menon"):
        assert name not in everything


def test_purge_deletes_only_the_expired_and_says_how_many(qtbot, app_ctx, two_recordings, clock, monkeypatch):
    questions = []
    monkeypatch.setattr("clinicdesk.ui.admin.recordings_view.confirm", lambda _w, q, **_k: questions.append(q)
                        or True)
    view = _show(qtbot, RecordingsView(app_ctx))
    view.purge_button.click()
    assert view.notice.text() == "No recording was due for deletion."
    assert {r.state for r in recordings.list_recordings(app_ctx.ctx)} == {"complete"}

    clock.advance(days=31)  # the 30-day recording's date has come; the year-long one's has not
    view.refresh_now()
    assert view.due_hint.text() == "1 recording(s) past their delete-after date."
    view.purge_button.click()
    assert "(1 in this list)" in questions[-1]
    assert view.notice.text() == "1 recording was deleted."
    states = {r.id: r.state for r in recordings.list_recordings(app_ctx.ctx)}
    assert states == {two_recordings["short"]: "deleted", two_recordings["kept"]: "complete"}
    rows = _cells(view)  # reloaded through changes_did_apply
    assert rows[0][STATE] == "Deleted" and rows[0][DELETED] == "28 Dec 2026, 10:00 (Retention)"
    assert rows[1][STATE] == "Complete" and rows[1][DELETED] == ""
    assert "No recording is past" in view.due_hint.text()


def test_admin_page_in_the_main_window_after_a_purge(qtbot, qapp, app_ctx, room, two_recordings, clock,
                                                     monkeypatch):
    """Also the picture for out/screens: a consent withdrawn, a purge done, one recording still kept."""
    monkeypatch.setattr("clinicdesk.ui.admin.recordings_view.confirm", lambda *a, **k: True)
    clock.advance(minutes=2)  # distinct start times keep the newest-first order certain
    start, _ = recordings.begin_recording(room.boss, consultation_id := room.consented())
    recordings.finish_recording(room.boss, start.recording_id, 42, interrupted=True)
    recordings.withdraw_recording_consent(room.boss, consultation_id)
    clock.advance(minutes=3)
    _record(room, 1321)
    clock.advance(days=31)
    window = MainWindow(app_ctx, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.setStyleSheet(STYLE_SHEET)  # the app's look on this window only, not on the shared QApplication
    window.resize(1366, 820)
    window.show()
    page = window.navigate("recordings")
    assert isinstance(page, RecordingsView) and page.model.rowCount() == 4
    assert page.due_hint.text() == "2 recording(s) past their delete-after date."
    page.purge_button.click()
    assert page.notice.text() == "2 recordings were deleted."
    assert [r[STATE] for r in _cells(page)] == ["Deleted", "Deleted", "Deleted", "Complete"]
    assert _cells(page)[1][DELETED] == "27 Nov 2026, 10:02 (Consent withdrawn)"
    qapp.processEvents()  # let the layouts settle before the grab, as the screenshot tour does
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENS / "admin-recordings.png"))


def test_declining_the_question_deletes_nothing(qtbot, app_ctx, two_recordings, clock, monkeypatch):
    monkeypatch.setattr("clinicdesk.ui.admin.recordings_view.confirm", lambda *a, **k: False)
    clock.advance(days=400)
    view = _show(qtbot, RecordingsView(app_ctx))
    view.purge_button.click()
    assert {r.state for r in recordings.list_recordings(app_ctx.ctx)} == {"complete"}
    assert view.notice.isHidden()


@pytest.mark.parametrize("bad", [0, 3651])
def test_retention_outside_the_rule_shows_the_services_sentence_and_changes_nothing(qtbot, app_ctx, bad):
    view = _show(qtbot, RecordingsView(app_ctx))
    assert view.retention.value() == 365  # the default
    view.retention.setValue(bad)
    view.save_retention_button.click()
    assert view.banner.text() == "Retention must be between 1 and 3650 days."
    assert view.errors.invalid_fields() == ["retention_days"]
    assert recordings.recording_retention(app_ctx.ctx) == 365
    assert view.notice.isHidden()


def test_retention_is_saved_and_applies_to_new_recordings(qtbot, app_ctx, room):
    view = _show(qtbot, RecordingsView(app_ctx))
    view.retention.setValue(0)
    view.save_retention_button.click()
    assert view.banner.isVisible()
    view.retention.setValue(90)
    view.save_retention_button.click()
    assert view.banner.isHidden() and view.errors.invalid_fields() == []
    assert view.notice.text() == "New recordings will be kept for 90 days."
    assert recordings.recording_retention(app_ctx.ctx) == 90
    _record(room, 10)
    view.refresh_now()
    assert view.retention.value() == 90
    assert _cells(view)[0][DELETE_AFTER] == "24 Feb 2027"  # 26 Nov 2026 + 90 days
