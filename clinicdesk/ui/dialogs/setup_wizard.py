"""First run: create the encrypted clinic database, its first centre and its first administrator, or join a centre
that already uses ClinicDesk (a new database filled from HQ)."""

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.errors import PassphraseNeeded
from clinicdesk.ui.admin.centre_dialog import state_combo, timezone_combo
from clinicdesk.ui.dialogs.join_centre_page import JoinCentreFields, JoinRunner
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
    """`database` and `user` are set once the clinic exists; the new administrator is then signed in. After joining a
    centre `joined` is set and `user` stays None: staff sign in with their usual passwords."""

    CLINIC, CENTRE, ADMIN, PASSPHRASE, JOIN = range(5)

    def __init__(self, data_dir: Path, *, keyring_available: bool | None = None, database: Database | None = None,
                 synchronous_jobs: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.database = database  # given when an earlier run created the file but not the clinic
        self.user: SignedInUser | None = None
        self.joined = None  # the JoinResult once this device joined a centre
        self.synchronous_jobs = synchronous_jobs
        self._join_job: JoinRunner | None = None
        self.need_passphrase = database is None and not (keyring_usable() if keyring_available is None
                                                         else keyring_available)
        self.setWindowTitle(self.tr("ClinicDesk — Set up your clinic"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(680, 520)

        self.clinic_page = _Page(self.tr("Your clinic"), self.tr(
            "Welcome to ClinicDesk. These few steps create the clinic's encrypted database on this computer and "
            "the first administrator account. Everything can be changed later under Administration."))
        self.new_clinic = QRadioButton(self.tr("Set up a new clinic"))
        self.join_existing = QRadioButton(self.tr("Join a centre that already uses ClinicDesk"))
        self.new_clinic.setChecked(True)
        choice = QButtonGroup(self)
        for button in (self.new_clinic, self.join_existing):
            choice.addButton(button)
            self.clinic_page.form.addRow(button)
        # a database left by an interrupted set-up is finished as a new clinic; joining needs an empty folder
        self.join_existing.setEnabled(database is None)
        self.clinic_name = self.clinic_page.add("clinic_name", self.tr("Clinic name"), QLineEdit())
        self.clinic_name.setPlaceholderText(self.tr("e.g. Sukham Ayurveda Panchakarma Centre"))
        self.join_existing.toggled.connect(self.clinic_name.setDisabled)

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

        self.join_page = _Page(self.tr("Join a centre"), self.tr(
            "This computer becomes one more device of a centre that already uses ClinicDesk. Ask the HQ "
            "administrator for an enrolment code and HQ's certificate file. Everything the centre holds is "
            "copied here, encrypted; afterwards staff sign in with their usual passwords."))
        self.join_fields = JoinCentreFields(self.join_page.add, self.tr)
        self.join_passphrase = self.join_page.add("join_passphrase", self.tr("Database passphrase"), _password_edit())
        self.join_passphrase.setPlaceholderText(self.tr("this computer has no keyring: at least 8 characters"))
        self.join_passphrase.setVisible(self.need_passphrase)
        self.join_page.form.labelForField(self.join_passphrase).setVisible(self.need_passphrase)

        for page_id, page in ((self.CLINIC, self.clinic_page), (self.CENTRE, self.centre_page),
                              (self.ADMIN, self.admin_page), (self.PASSPHRASE, self.passphrase_page),
                              (self.JOIN, self.join_page)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Create clinic"))
        self.currentIdChanged.connect(self._name_finish_button)

    def _name_finish_button(self, page_id: int) -> None:
        self.setButtonText(QWizard.WizardButton.FinishButton,
                           self.tr("Join centre") if page_id == self.JOIN else self.tr("Create clinic"))

    def nextId(self) -> int:
        current = self.currentId()
        if current == self.CLINIC and self.join_existing.isChecked():
            return self.JOIN
        if current == self.JOIN:
            return -1
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
            if self.currentId() == self.JOIN:
                return self._start_join()
            if self.nextId() == -1:
                return self._create()
        except ValidationError as exc:
            page.errors.show(exc)
            return False
        return True

    def _check_page(self, page_id: int) -> None:
        if page_id == self.JOIN:
            problems = self.join_fields.missing()
            if self.need_passphrase and len(self.join_passphrase.text()) < MIN_PASSPHRASE:
                problems["join_passphrase"] = f"must be at least {MIN_PASSPHRASE} characters long"
            if problems:
                raise ValidationError(problems, {"hq_url": self.tr("HQ address"), "code": self.tr("Enrolment code"),
                                                 "ca_file": self.tr("CA certificate"),
                                                 "device_name": self.tr("This device's name"),
                                                 "join_passphrase": self.tr("Database passphrase")})
        if page_id == self.CLINIC and self.join_existing.isChecked():
            return
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

    # --- joining a centre ------------------------------------------------------------------------------------------

    def _start_join(self) -> bool:
        """Run the join off the UI thread; the wizard stays on this page until it ends (False = do not move on)."""
        if self._join_job is not None and self._join_job.running:
            return False
        passphrase = self.join_passphrase.text() if self.need_passphrase else None
        self._join_job = JoinRunner(self.data_dir, self.join_fields, passphrase, synchronous=self.synchronous_jobs,
                                    parent=self)
        self._join_job.joined.connect(self._joined)
        self._join_job.failed.connect(self._join_failed)
        self._set_joining(True)
        self._join_job.start()
        return False

    def _set_joining(self, busy: bool) -> None:
        self.join_fields.set_busy(busy)
        for button in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton):
            self.button(button).setEnabled(not busy)

    def _joined(self, database: Database, result) -> None:
        self.database, self.joined = database, result
        self._set_joining(False)
        QDialog.done(self, QDialog.DialogCode.Accepted)  # not QWizard.accept: that would validate (join) again

    def _join_failed(self, exc: BaseException) -> None:
        # join_centre removed whatever it had made; the sentence is HQ's or the client's own (never patient data)
        self._set_joining(False)
        if isinstance(exc, PassphraseNeeded):
            self.need_passphrase = True
            self.join_passphrase.setVisible(True)
            self.join_page.form.labelForField(self.join_passphrase).setVisible(True)
        self.join_page.errors.show_text(error_text(exc) if isinstance(exc, ClinicError) else str(exc))

    def reject(self) -> None:
        # a join cannot stop half-way (it removes its database only when it fails); Cancel waits for its end
        if self._join_job is not None and self._join_job.running:
            return
        super().reject()

    def wait_for_join(self, timeout_ms: int = 60_000) -> bool:
        """Block until a running join ends (closing the wizard, and tests)."""
        return self._join_job is None or self._join_job.wait(timeout_ms)

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
