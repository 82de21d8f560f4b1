"""First run: create the encrypted clinic database, its first centre and its first administrator."""

from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, QWizard, QWizardPage

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.errors import PassphraseNeeded
from clinicdesk.ui.admin.centre_dialog import state_combo, timezone_combo
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors

MIN_PASSPHRASE = 8


def keyring_usable() -> bool:
    """Whether an OS keyring backend exists; a locked one is still caught later (PassphraseNeeded)."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
    except Exception:  # a broken D-Bus or keyring install means "no keyring" to us
        return False
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _Page(QWizardPage):
    def __init__(self, title: str, intro: str):
        super().__init__()
        self.setTitle(title)
        text = QLabel(intro)
        text.setWordWrap(True)
        self.banner = ErrorBanner()
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.errors = FieldErrors(self.banner, {})

    def add(self, name: str, label: str, widget: QWidget) -> QWidget:
        self.form.addRow(label, widget)
        self.errors.fields[name] = widget
        return widget


class SetupWizard(QWizard):
    """`database` and `user` are set once the clinic exists; the new administrator is then signed in."""

    CLINIC, CENTRE, ADMIN, PASSPHRASE = range(4)

    def __init__(self, data_dir: Path, *, keyring_available: bool | None = None, database: Database | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.database = database  # given when an earlier run created the file but not the clinic
        self.user: SignedInUser | None = None
        self.need_passphrase = database is None and not (keyring_usable() if keyring_available is None
                                                         else keyring_available)
        self.setWindowTitle(self.tr("ClinicDesk — Set up your clinic"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(680, 520)

        self.clinic_page = _Page(self.tr("Your clinic"), self.tr(
            "Welcome to ClinicDesk. These few steps create the clinic's encrypted database on this computer and "
            "the first administrator account. Everything can be changed later under Administration."))
        self.clinic_name = self.clinic_page.add("clinic_name", self.tr("Clinic name"), QLineEdit())
        self.clinic_name.setPlaceholderText(self.tr("e.g. Sukham Ayurveda Panchakarma Centre"))

        self.centre_page = _Page(self.tr("First centre"), self.tr(
            "A centre is one location of the clinic. Its short code starts every hospital number (UHID) issued "
            "there, e.g. KOC-A-000123."))
        self.centre_code = self.centre_page.add("centre_code", self.tr("Centre code"), QLineEdit())
        self.centre_code.setPlaceholderText(self.tr("2-6 letters, e.g. KOC"))
        self.centre_code.setMaxLength(6)
        self.centre_name = self.centre_page.add("centre_name", self.tr("Centre name"), QLineEdit())
        self.centre_name.setPlaceholderText(self.tr("e.g. Kochi"))
        self.centre_state = self.centre_page.add("centre_state", self.tr("State"), state_combo("Kerala"))
        self.centre_timezone = self.centre_page.add("centre_timezone", self.tr("Time zone"), timezone_combo())

        self.admin_page = _Page(self.tr("First administrator"), self.tr(
            "This account manages staff, centres and rooms. Use a password of at least 10 characters; a short "
            "sentence is easy to remember and hard to guess."))
        self.admin_username = self.admin_page.add("admin_username", self.tr("Username"), QLineEdit())
        self.admin_username.setPlaceholderText(self.tr("e.g. admin or asha.menon"))
        self.admin_full_name = self.admin_page.add("admin_full_name", self.tr("Full name"), QLineEdit())
        self.admin_password = self.admin_page.add("admin_password", self.tr("Password"), _password_edit())
        self.admin_password_again = self.admin_page.add("admin_password_again", self.tr("Password again"),
                                                        _password_edit())
        # The auth service names these fields "username" and "password"; point them at the same widgets.
        self.admin_page.errors.fields["username"] = self.admin_username
        self.admin_page.errors.fields["password"] = self.admin_password

        self.passphrase_page = _Page(self.tr("Database passphrase"), self.tr(
            "This computer has no usable keyring to keep the database key, so a passphrase protects it instead. "
            "It is asked for each time ClinicDesk starts. Write it down and keep it safe: without it the clinic's "
            "data cannot be opened."))
        self.passphrase = self.passphrase_page.add("passphrase", self.tr("Passphrase"), _password_edit())
        self.passphrase_again = self.passphrase_page.add("passphrase_again", self.tr("Passphrase again"),
                                                         _password_edit())

        for page_id, page in ((self.CLINIC, self.clinic_page), (self.CENTRE, self.centre_page),
                              (self.ADMIN, self.admin_page), (self.PASSPHRASE, self.passphrase_page)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Create clinic"))

    def nextId(self) -> int:
        current = self.currentId()
        if current == self.ADMIN:
            return self.PASSPHRASE if self.need_passphrase else -1
        if current == self.PASSPHRASE:
            return -1
        return super().nextId()

    # --- validation and creation ------------------------------------------------------------------------------

    def validateCurrentPage(self) -> bool:
        page = self.currentPage()
        page.errors.clear()
        try:
            self._check_page(self.currentId())
            if self.nextId() == -1:
                return self._create()
        except ValidationError as exc:
            page.errors.show(exc)
            return False
        return True

    def _check_page(self, page_id: int) -> None:
        if page_id == self.CLINIC and not self.clinic_name.text().strip():
            raise ValidationError({"clinic_name": "is required"}, {"clinic_name": self.tr("Clinic name")})
        if page_id == self.ADMIN:
            auth.check_username(self.admin_username.text())
            auth.check_new_password(self.admin_password.text(), username=self.admin_username.text(),
                                    full_name=self.admin_full_name.text())
            if self.admin_password.text() != self.admin_password_again.text():
                raise ValidationError({"admin_password_again": "does not match the password"},
                                      {"admin_password_again": self.tr("Password again")})
        if page_id == self.PASSPHRASE:
            if len(self.passphrase.text()) < MIN_PASSPHRASE:
                raise ValidationError({"passphrase": f"must be at least {MIN_PASSPHRASE} characters long"},
                                      {"passphrase": self.tr("Passphrase")})
            if self.passphrase.text() != self.passphrase_again.text():
                raise ValidationError({"passphrase_again": "does not match the passphrase"},
                                      {"passphrase_again": self.tr("Passphrase again")})

    def setup_values(self) -> auth.ClinicSetup:
        return auth.ClinicSetup(
            clinic_name=self.clinic_name.text(), centre_code=self.centre_code.text(),
            centre_name=self.centre_name.text(), centre_timezone=self.centre_timezone.currentText().strip(),
            centre_state=self.centre_state.currentText().strip(), admin_username=self.admin_username.text(),
            admin_full_name=self.admin_full_name.text(), admin_password=self.admin_password.text())

    def _create(self) -> bool:
        """Create the database (once, even if the clinic details need another try) and then the clinic."""
        page = self.currentPage()
        if self.database is None:
            try:
                self.database = create_database(self.data_dir,
                                                passphrase=self.passphrase.text() if self.need_passphrase else None)
            except PassphraseNeeded as exc:
                # The keyring exists but refused the key (locked): fall back to a passphrase page.
                self.need_passphrase = True
                page.errors.show_text(str(exc))
                page.completeChanged.emit()
                return False
            except (ClinicError, OSError) as exc:
                page.errors.show_text(error_text(exc) if isinstance(exc, ClinicError) else str(exc))
                return False
        try:
            self.user = auth.set_up_clinic(ServiceContext(self.database), self.setup_values())
        except ValidationError as exc:
            self._show_on_its_page(exc)
            return False
        except ClinicError as exc:
            page.errors.show_text(error_text(exc))
            return False
        return True

    def _show_on_its_page(self, exc: ValidationError) -> None:
        """Go back to the earliest page holding a wrong field and mark it there."""
        for page_id in (self.CLINIC, self.CENTRE, self.ADMIN):
            page = self.page(page_id)
            if any(name in page.errors.fields for name in exc.problems):
                while self.currentId() != page_id and self.currentId() != self.startId():
                    self.back()
                page.errors.show(exc)
                return
        self.currentPage().errors.show(exc)
