"""Start-up: the first-run wizard creates a clinic, unlocking asks for a passphrase, sign-in explains refusals."""

import pytest
from PySide6.QtWidgets import QDialog, QWizard

from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext
from clinicdesk.store import keys
from clinicdesk.store.database import create_database, database_exists, open_database
from clinicdesk.store.errors import DatabaseTooNewError
from clinicdesk.ui import app as app_module
from clinicdesk.ui.dialogs.setup_wizard import SetupWizard
from clinicdesk.ui.dialogs.sign_in_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD

PASSPHRASE = "backwaters and banyan trees"


def _wizard(qtbot, data_dir, **kwargs) -> SetupWizard:
    wizard = SetupWizard(data_dir, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _fill_and_advance(wizard: SetupWizard) -> None:
    wizard.clinic_name.setText("Sukham Ayurveda")
    wizard.next()
    wizard.centre_code.setText("koc")
    wizard.centre_name.setText("Kochi")
    wizard.next()
    wizard.admin_username.setText("asha")
    wizard.admin_full_name.setText("Asha Menon")


def test_wizard_creates_the_clinic_and_signs_in_its_administrator(qtbot, tmp_path):
    data_dir = tmp_path / "clinic"
    wizard = _wizard(qtbot, data_dir, keyring_available=True)
    wizard.next()
    assert wizard.currentId() == SetupWizard.CLINIC and "Clinic name is required" in wizard.clinic_page.banner.text()
    _fill_and_advance(wizard)
    wizard.admin_password.setText("password1")
    wizard.admin_password_again.setText("password1")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not database_exists(data_dir)  # nothing is created before every page is right
    assert "Password must be at least 10 characters" in wizard.admin_page.banner.text()
    wizard.admin_password.setText("tea estates of munnar")
    wizard.admin_password_again.setText("tea estates of munnar")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.user.username == "asha" and database_exists(data_dir)
    wizard.database.close()
    reopened = open_database(data_dir)
    try:
        assert auth.sign_in(ServiceContext(reopened), "asha", "tea estates of munnar").full_name == "Asha Menon"
    finally:
        reopened.close()


def test_wizard_asks_for_a_passphrase_without_a_keyring(qtbot, tmp_path, memory_keyring, monkeypatch):
    data_dir = tmp_path / "clinic"
    monkeypatch.setattr(keys, "keyring_store", lambda *a: False)  # no usable keyring on this computer
    wizard = _wizard(qtbot, data_dir, keyring_available=False)
    _fill_and_advance(wizard)
    wizard.admin_password.setText("tea estates of munnar")
    wizard.admin_password_again.setText("tea estates of munnar")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PASSPHRASE
    wizard.passphrase.setText(PASSPHRASE)
    wizard.passphrase_again.setText("something different")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert "Passphrase again does not match" in wizard.passphrase_page.banner.text()
    wizard.passphrase_again.setText(PASSPHRASE)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted
    wizard.database.close()
    assert (data_dir / keys.WRAPPED_KEY_FILE).exists() and not memory_keyring.secrets
    open_database(data_dir, passphrase=PASSPHRASE).close()


def test_sign_in_dialog_shows_the_refusal_and_then_signs_in(qtbot, admin_ctx, runner):
    ctx = ServiceContext(admin_ctx.db, clock=admin_ctx.clock)
    dialog = SignInDialog(ctx, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("admin")
    dialog.password.setText("not the password")
    dialog.sign_in()
    assert "username or password is not right" in dialog.banner.text() and ctx.user is None
    assert dialog.password.text() == ""
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.sign_in()
    assert dialog.result() == QDialog.DialogCode.Accepted and ctx.user.username == "admin"


def test_unlock_asks_for_the_passphrase_and_lets_a_wrong_one_be_retried(qtbot, tmp_path, monkeypatch):
    data_dir = tmp_path / "clinic"
    monkeypatch.setattr(keys, "keyring_store", lambda *a: False)
    create_database(data_dir, passphrase=PASSPHRASE).close()
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    typed = iter(["wrong passphrase", PASSPHRASE])
    seen_errors = []

    def fake_exec(dialog):
        seen_errors.append(dialog.banner.text())
        dialog.passphrase_edit.setText(next(typed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(app_module.PassphraseDialog, "exec", fake_exec)
    database = app_module.unlock_database(data_dir)
    database.close()
    assert seen_errors[0] == "" and "passphrase does not unlock" in seen_errors[1]


def test_unlock_cancelled_or_impossible_gives_an_exit_code(qtbot, tmp_path, monkeypatch):
    data_dir = tmp_path / "clinic"
    monkeypatch.setattr(keys, "keyring_store", lambda *a: False)
    create_database(data_dir, passphrase=PASSPHRASE).close()
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr(app_module.PassphraseDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    with pytest.raises(app_module.StartupAborted) as cancelled:
        app_module.unlock_database(data_dir)
    assert cancelled.value.code == 1

    shown = []
    monkeypatch.setattr(app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text))

    def too_new(*args, **kwargs):
        raise DatabaseTooNewError("This clinic database was written by a newer version of ClinicDesk.")

    monkeypatch.setattr(app_module, "open_database", too_new)
    with pytest.raises(app_module.StartupAborted) as refused:
        app_module.unlock_database(data_dir)
    assert refused.value.code == 2 and "newer version" in shown[0]
