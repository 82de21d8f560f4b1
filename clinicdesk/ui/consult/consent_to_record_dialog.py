"""The patient's written consent to recording: what will happen to the audio, their typed name and signature."""

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.ui.consult.touch import set_points
from clinicdesk.ui.widgets.signature_pad import SignaturePad

CONSENT_TO_RECORD_TEXT = (
    "I agree that this consultation is recorded. The recording stays encrypted on this clinic's computer, is "
    "turned into text on this computer only, and is deleted after the retention period. I may withdraw my "
    "consent at any time; recording then stops and the audio is deleted.")


class SignedConsentDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Consent to recording"))
        self.resize(720, 560)
        text = QLabel(self.tr(CONSENT_TO_RECORD_TEXT))
        text.setWordWrap(True)
        set_points(text, 15)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Patient's full name"))
        self.name.setMinimumHeight(48)
        set_points(self.name, 15)
        self.pad = SignaturePad()
        clear = QPushButton(self.tr("Clear signature"))
        clear.setMinimumHeight(48)
        clear.clicked.connect(self.pad.clear)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setMinimumHeight(48)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(QLabel(self.tr("Typed name")))
        layout.addWidget(self.name)
        layout.addWidget(QLabel(self.tr("Signature")))
        layout.addWidget(self.pad, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def typed_name(self) -> str:
        return self.name.text().strip()

    def signature_png(self) -> bytes:
        return self.pad.png_bytes()

    def _check(self) -> None:
        # the service checks too; saying it here keeps the patient at the tablet instead of a round trip
        if not self.typed_name():
            self.problem.setText(self.tr("Type the patient's full name."))
        elif self.pad.is_empty():
            self.problem.setText(self.tr("Ask the patient to sign in the box."))
        else:
            self.accept()
            return
        self.problem.show()
