"""Staff sign-in: username and password checked by the auth service, its refusal shown as it is worded."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.ui.tasks import TaskRunner, error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner


class SignInDialog(QDialog):
    def __init__(self, ctx: ServiceContext, runner: TaskRunner, *, username: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.user: SignedInUser | None = None
        self.setWindowTitle(self.tr("ClinicDesk — Sign in"))
        self.setMinimumWidth(420)
        title = QLabel(self.tr("Sign in to ClinicDesk"))
        title.setObjectName("pageTitle")
        self.banner = ErrorBanner()
        self.username = QLineEdit(username)
        self.username.setPlaceholderText(self.tr("your username"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(self.tr("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def sign_in(self) -> None:
        self.banner.clear_messages()
        self.sign_in_button.setEnabled(False)
        self.runner.run(auth.sign_in, self.ctx, self.username.text(), self.password.text(), owner=self,
                        on_done=self._signed_in, on_error=self._refused)

    def _signed_in(self, user: SignedInUser) -> None:
        self.user = user
        self.ctx.user = user
        self.password.clear()
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.sign_in_button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        self.banner.show_messages([error_text(exc).rstrip(".")])
