"""The signed-in user changes their own password (current one, then the new one twice)."""

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import auth
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.widgets.form_dialog import FormDialog


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(FormDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, self.tr("Change password"), parent)
        self.current, self.new, self.again = _password_edit(), _password_edit(), _password_edit()
        hint = QLabel(self.tr("At least 10 characters. A short sentence you can remember works well; "
                              "no need for symbols."))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.form.addRow(self.tr("Current password"), self.current)
        self.form.addRow(self.tr("New password"), self.new)
        self.form.addRow(self.tr("New password again"), self.again)
        self.form.addRow(hint)
        self.errors.fields = {"current": self.current, "password": self.new, "again": self.again}

    def save(self) -> None:
        if self.new.text() != self.again.text():
            self.refused(ValidationError({"again": "does not match the new password"},
                                         {"again": self.tr("New password again")}))
            return
        self.submit(auth.change_own_password, self.app.ctx, self.current.text(), self.new.text())
