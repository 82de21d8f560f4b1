"""Reception search: typing shows matching patients (any script) after a short pause; the model stays thin."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QHeaderView

from clinicdesk.ui.reception.search_view import DEBOUNCE_MS, PatientSearchView


def _names(view: PatientSearchView) -> list[str]:
    return [view.model.index(r, 1).data() for r in range(view.model.rowCount())]


def _type(widget, text: str) -> None:
    """Key events carrying each character (QTest.keyClicks only handles Latin-1 characters)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def _search_view(qtbot, app_ctx) -> PatientSearchView:
    view = PatientSearchView(app_ctx)
    qtbot.addWidget(view)
    view.show()
    return view


def test_typing_shows_results_after_the_debounce(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    assert view.model.rowCount() == 3  # recent patients before anything is typed
    calls = []
    view.app.runner.changes_did_apply.connect(calls.append)
    qtbot.keyClicks(view.search_box, "Anit")
    assert view._debounce.isActive()  # no query per keystroke
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=DEBOUNCE_MS * 10)
    assert _names(view) == ["Anitha Sharma"]
    assert view.model.index(0, 0).data().startswith("KOC-")
    assert view.model.index(0, 2).data() == "41 y F"
    assert view.model.index(0, 3).data() == "+91 98470 12345"
    assert calls == []  # a search is not a write


def test_devanagari_and_malayalam_names_are_found_and_shown(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    _type(view.search_box, "रोहित")
    qtbot.waitUntil(lambda: _names(view) == ["Rohit Tiwari  ·  रोहित तिवारी"], timeout=2000)
    view.search_box.clear()
    _type(view.search_box, "ജിഷ")
    qtbot.waitUntil(lambda: _names(view) == ["Jisha Chacko  ·  ജിഷ ചാക്കോ"], timeout=2000)


def test_search_by_phone_with_spaces_and_no_match_message(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    view.search_box.setText("98123 45678")
    view.search_now()
    assert _names(view) == ["Rohit Tiwari  ·  रोहित तिवारी"]
    view.search_box.setText("Zzyzx")
    view.search_now()
    assert view.model.rowCount() == 0
    assert "No patient matches" in view.status.text()


def test_rows_have_a_fixed_height(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    header = view.table.verticalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {view.table.rowHeight(r) for r in range(view.model.rowCount())} == {header.defaultSectionSize()}


def test_a_late_answer_to_an_old_query_is_dropped(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    view._query_seq = 10
    view._show_results(11, "Anitha", [])
    view._show_results(10, "", ["stale"])  # arrives after the newer answer: ignored
    assert view.model.rowCount() == 0


def test_enter_opens_the_patient_from_the_box_or_the_table(qtbot, app_ctx, some_patients):
    view = _search_view(qtbot, app_ctx)
    view.search_box.setText("Jisha")
    with qtbot.waitSignal(view.open_patient) as opened:
        qtbot.keyClick(view.search_box, Qt.Key.Key_Return)  # a single match opens straight away
    assert opened.args == [some_patients["Jisha Chacko"]]
    view.search_box.setText("")
    view.search_now()
    row = next(r for r in range(view.model.rowCount()) if view.model.row(r).display_name == "Rohit Tiwari")
    view.table.setCurrentIndex(view.model.index(row, 1))
    with qtbot.waitSignal(view.open_patient) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [some_patients["Rohit Tiwari"]]
