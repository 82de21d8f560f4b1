"""Asks for the clinic passphrase when the OS keyring cannot unlock the database."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from clinicdesk.ui.widgets.form_errors import ErrorBanner


class PassphraseDialog(QDialog):
    def __init__(self, message: str, *, error: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("ClinicDesk — Unlock clinic database"))
        self.setMinimumWidth(460)
        intro = QLabel(message)
        intro.setWordWrap(True)
        self.banner = ErrorBanner()
        if error:
            self.banner.show_messages([error.rstrip(".")])
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Passphrase"), self.passphrase_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def passphrase(self) -> str:
        return self.passphrase_edit.text()
