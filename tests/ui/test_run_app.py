"""The whole start-up path with the real database thread: sign in, use the window, sign out, sign in, close."""

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from clinicdesk.ui import app as app_module
from clinicdesk.ui.main_window import MainWindow
from tests.conftest import ADMIN_PASSWORD


def test_run_app_session_round_trip_leaves_no_thread_running(qtbot, qapp, admin_ctx, some_patients, monkeypatch):
    data_dir = admin_ctx.db.data_dir
    sign_ins = []

    def fake_sign_in_exec(dialog):
        # What a person does: type and press Sign in; the check runs on the database thread.
        dialog.username.setText("admin")
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.sign_in()
        qtbot.waitUntil(lambda: dialog.user is not None, timeout=10_000)
        sign_ins.append(dialog.user.username)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(app_module.SignInDialog, "exec", fake_sign_in_exec)
    seen = []

    def drive() -> None:
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()),
                      None)
        if window is None or window.reception.search.model.rowCount() < 3:
            QTimer.singleShot(20, drive)
            return
        seen.append(sorted(window.reception.search.model.row(r).display_name for r in range(3)))
        if len(seen) == 1:
            window.sign_out()  # back to the sign-in dialog, same process
        else:
            window.close()  # ends the app
        if len(seen) == 1:
            QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    assert app_module.run_app(data_dir) == 0
    assert sign_ins == ["admin", "admin"]
    assert seen == [["Anitha Sharma", "Jisha Chacko", "Rohit Tiwari"]] * 2
    assert [t.name for t in threading.enumerate() if t.name.startswith("clinicdesk")] == []
