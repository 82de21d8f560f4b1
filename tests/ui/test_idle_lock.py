"""Idle lock: after the quiet period the window hides patient data; only the user's own password opens it."""

import time

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from clinicdesk.ui.main_window import MainWindow
from tests.conftest import ADMIN_PASSWORD


def _visible_texts(window) -> str:
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    for i in range(window.sidebar.count()):
        if window.sidebar.isVisible():
            texts.append(window.sidebar.item(i).text())
    return "\n".join(texts) + "\n" + window.windowTitle()


def _open_patient_window(qtbot, app_ctx, patient_id, timeout_ms) -> MainWindow:
    window = MainWindow(app_ctx, idle_timeout_ms=timeout_ms)
    qtbot.addWidget(window)
    window.show()
    window.reception.open_patient(patient_id)
    return window


def test_idle_locks_hides_patient_data_and_unlocks_only_with_the_right_password(qtbot, app_ctx, some_patients):
    window = _open_patient_window(qtbot, app_ctx, some_patients["Jisha Chacko"], 150)
    assert "Jisha Chacko" in _visible_texts(window)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)

    shown = _visible_texts(window)
    for secret in ("Jisha", "ജിഷ", "KOC-", "0124", "Patients"):
        assert secret not in shown
    assert window.lock_page.isVisible() and not window.workspace.isVisible() and not window.toolbar.isVisible()
    assert window.windowTitle() == "ClinicDesk — Locked"

    window.lock_page.password.setText("wrong password here")
    window.lock_page.unlock_button.click()
    assert window.locked and "not right" in window.lock_page.banner.text()

    window.lock_page.password.setText(ADMIN_PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert not window.locked
    assert "Jisha Chacko" in _visible_texts(window)
    assert window.lock_page.password.text() == ""


def test_input_postpones_the_lock(qtbot, app_ctx, some_patients):
    window = _open_patient_window(qtbot, app_ctx, some_patients["Anitha Sharma"], 600)
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:  # keep "using" the app for twice the timeout
        event = QMouseEvent(QEvent.Type.MouseMove, QPointF(20, 20), QPointF(20, 20), Qt.MouseButton.NoButton,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window.reception.search.search_box, event)
        qtbot.wait(50)
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=3000)


def test_lock_hides_open_dialogs_and_brings_them_back(qtbot, app_ctx, some_patients):
    window = _open_patient_window(qtbot, app_ctx, some_patients["Anitha Sharma"], 0)
    form = window.reception.profile.open_edit_form()
    assert form.isVisible()
    window.lock_action.trigger()
    assert window.locked and not form.isVisible()
    window.lock_page.password.setText(ADMIN_PASSWORD)
    window.lock_page.try_unlock()
    assert form.isVisible() and form.field_widget("given_name").text() == "Anitha"
    form.reject()


def test_idle_timeout_comes_from_local_config(qtbot, app_ctx):
    app_ctx.ctx.db.config.idle_lock_minutes = 7
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    assert window.idle.timeout_ms == 7 * 60_000
