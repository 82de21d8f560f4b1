"""The idle lock: covers the whole window, shows no patient data, and opens only with the user's own password."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import auth
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner


class LockPage(QWidget):
    unlocked = Signal()
    sign_out_requested = Signal()

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setObjectName("lockPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFixedWidth(440)
        title = QLabel(self.tr("Screen locked"))
        title.setObjectName("pageTitle")
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.banner = ErrorBanner()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        sign_out = QPushButton(self.tr("Sign out"))
        sign_out.setToolTip(self.tr("Another person can then sign in on this computer"))
        sign_out.clicked.connect(self.sign_out_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(sign_out)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(24, 24, 24, 24)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addWidget(self.banner)
        inner.addWidget(self.password)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def prepare(self) -> None:
        user = self.app.user
        self.who.setText(self.tr("ClinicDesk is locked, so no patient details are on screen. %1, enter your "
                                 "password to continue.").replace("%1", user.full_name if user else ""))
        self.banner.clear_messages()
        self.password.clear()
        self.unlock_button.setEnabled(True)
        self.password.setFocus()

    def try_unlock(self) -> None:
        self.banner.clear_messages()
        self.unlock_button.setEnabled(False)
        self.app.runner.run(auth.unlock_screen, self.app.ctx, self.password.text(), owner=self,
                            on_done=self._checked, on_error=self._failed)

    def _checked(self, ok: bool) -> None:
        self.unlock_button.setEnabled(True)
        self.password.clear()
        if ok:
            self.unlocked.emit()
        else:
            self.banner.show_messages([self.tr("That password is not right. Check Caps Lock and try again; after "
                                               "5 wrong tries the account locks")])
            self.password.setFocus()

    def _failed(self, exc: Exception) -> None:
        self.unlock_button.setEnabled(True)
        self.password.clear()
        self.banner.show_messages([error_text(exc).rstrip(".")])
