"""App start-up: the QApplication, first-run wizard or database unlock, sign-in, then the main window."""

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from clinicdesk.services import auth, maintenance
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store.database import Database, database_exists, open_database
from clinicdesk.store.errors import DatabaseTooNewError, KeyUnavailableError, PassphraseNeeded, WrongKeyError
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.backup_timer import DailyBackupTimer
from clinicdesk.ui.dialogs.passphrase_dialog import PassphraseDialog
from clinicdesk.ui.dialogs.setup_wizard import SetupWizard
from clinicdesk.ui.dialogs.sign_in_dialog import SignInDialog
from clinicdesk.ui.i18n import install_translators, translate
from clinicdesk.ui.look import apply_look
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.notifications.payment_job import schedule_payment_reminders
from clinicdesk.ui.notifications.sender import schedule_message_sender
from clinicdesk.ui.sync.nightly import start_nightly_sync
from clinicdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
LANGUAGE_ENV = "CLINICDESK_LANGUAGE"


class StartupAborted(Exception):
    """The person cancelled, or the database cannot be opened here; carries the process exit code."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ClinicDesk")
    app.setOrganizationName("ClinicDesk")
    apply_look(app)
    language = os.environ.get(LANGUAGE_ENV)  # e.g. "hi" or "ml"; default: the system's language
    if language:
        QLocale.setDefault(QLocale(language))
    # Keep the translators referenced from Python, or they are collected and the strings fall back to English.
    app._clinicdesk_translators = install_translators(app, language)  # type: ignore[attr-defined]
    return app


def unlock_database(data_dir: Path) -> Database:
    """Keyring first (inside open_database), then CLINICDESK_PASSPHRASE, then ask; a wrong passphrase may retry."""
    passphrase: str | None = None
    error = ""
    message = translate("Startup", "Enter the clinic passphrase to unlock the database.")
    while True:
        try:
            return open_database(data_dir, passphrase=passphrase)
        except PassphraseNeeded as exc:
            message = str(exc)
        except WrongKeyError as exc:
            error = str(exc)
        except (DatabaseTooNewError, KeyUnavailableError) as exc:
            QMessageBox.critical(None, translate("Startup", "ClinicDesk cannot open the clinic"), str(exc))
            raise StartupAborted(2) from None
        dialog = PassphraseDialog(message, error=error)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            raise StartupAborted(1)
        passphrase, error = dialog.passphrase(), ""


def prepare_clinic(data_dir: Path) -> tuple[Database, SignedInUser | None]:
    """An open database, and the user if the set-up wizard just created (and so signed in) the administrator."""
    database = None
    if database_exists(data_dir):
        database = unlock_database(data_dir)
        if not auth.needs_setup(ServiceContext(database)):
            return database, None
    wizard = SetupWizard(data_dir, database=database)
    # after joining a centre nobody is signed in yet: the sign-in screen comes next (user None)
    if wizard.exec() != QDialog.DialogCode.Accepted or (wizard.user is None and wizard.joined is None):
        wizard.wait_for_join()
        if wizard.database is not None:
            wizard.database.close()
        raise StartupAborted(1)
    return wizard.database, wizard.user


def run_session(app: QApplication, ctx: ServiceContext, runner: TaskRunner, *, tablet: bool = False) -> int:
    """Sign-in, main window, and again after each sign-out, until the window is closed or sign-in is cancelled."""
    app.setQuitOnLastWindowClosed(False)  # the sign-out path closes the window without ending the app
    while True:
        if ctx.user is None:
            dialog = SignInDialog(ctx, runner)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
        window = MainWindow(AppContext(ctx, runner))
        outcome = {"signed_out": False}

        def signed_out(window=window, outcome=outcome) -> None:
            outcome["signed_out"] = True
            window.hide()
            app.quit()

        window.signed_out.connect(signed_out)
        window.closed.connect(app.quit)
        window.show()
        if tablet:
            window.set_tablet_mode(True)
        app.exec()
        window.deleteLater()
        if not outcome["signed_out"]:
            return 0
        ctx.user = None


def run_app(data_dir: Path, screenshot_dir: Path | None = None, *, tablet: bool = False) -> int:
    """`clinicdesk app`: returns the process exit code (0 normal, 1 cancelled, 2 cannot open the database)."""
    app = make_application()
    if screenshot_dir is not None:
        from clinicdesk.ui.screenshots import take_screenshots

        return take_screenshots(app, data_dir, screenshot_dir)
    try:
        database, user = prepare_clinic(data_dir)
    except StartupAborted as exc:
        return exc.code
    runner = TaskRunner(threaded=True)
    backups = DailyBackupTimer(ServiceContext(database), runner)
    backups.start()
    nightly = start_nightly_sync(database)  # nightly at clinicdesk.json's sync_time, and once now
    if nightly is not None:
        schedule_message_sender(nightly.scheduler)  # every minute, persisted on the same encrypted job store
        schedule_payment_reminders(nightly.scheduler)  # every morning, on the same store
    try:
        return run_session(app, ServiceContext(database, user=user), runner, tablet=tablet)
    finally:
        if nightly is not None:
            nightly.stop()
        backups.stop()
        runner.shutdown()
        maintenance.remember_audit_position(ServiceContext(database))
        database.close()
