"""Procedure consent on the tablet: the consent text, the patient's typed name and a drawn signature."""

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import procedure_consent
from clinicdesk.services.therapy_dto import PlanConsentStatus
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets import messages
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.signature_pad import SignaturePad


class ConsentDialog(QDialog):
    def __init__(self, app: AppContext, plan_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.plan_id = plan_id
        self.status: PlanConsentStatus | None = None
        self.setWindowTitle(self.tr("Procedure consent"))
        may_record = app.may(Action.THERAPY_CONSENT)

        self.state = QLabel()
        self.state.setWordWrap(True)
        self.text = QLabel(procedure_consent.CONSENT_TEXT)
        self.text.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Patient's full name"))
        self.witnessed = QCheckBox(self.tr("Signed on the patient's behalf; I witness it"))
        self.pad = SignaturePad()
        clear = QPushButton(self.tr("Clear signature"))
        clear.clicked.connect(self.pad.clear)
        self.banner = ErrorBanner()
        self.errors = FieldErrors(self.banner, {"typed_name": self.name, "signature": self.pad})

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.withdraw_button = QPushButton(self.tr("Withdraw consent…"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.buttons.addButton(self.withdraw_button, QDialogButtonBox.ButtonRole.ActionRole)

        self.form = QWidget()
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.text)
        form.addWidget(QLabel(self.tr("Typed name")))
        form.addWidget(self.name)
        form.addWidget(self.witnessed)
        form.addWidget(QLabel(self.tr("Signature")))
        form.addWidget(self.pad, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(clear)
        form.addLayout(row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.banner)
        layout.addWidget(self.buttons)
        self.form.setVisible(may_record)
        self.save_button.setVisible(may_record)
        self.withdraw_button.setVisible(False)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(procedure_consent.plan_consent_status, self.app.ctx, self.plan_id, owner=self,
                            on_done=self._show, on_error=self._failed)

    def _show(self, status: PlanConsentStatus) -> None:
        self.status = status
        may_record = self.app.may(Action.THERAPY_CONSENT)
        if status.consented:
            witness = self.tr(", witnessed by %1").replace("%1", status.witness_name) if status.witness_name else ""
            self.state.setText(self.tr("Consent (text %1) signed as “%2” on %3%4.")
                               .replace("%1", status.text_version).replace("%2", status.typed_name)
                               .replace("%3", f"{status.signed_at:%d %b %Y %H:%M}").replace("%4", witness))
        else:
            self.state.setText(self.tr("No consent on record for %1's care plan.").replace("%1",
                                                                                         status.patient_name))
        self.form.setVisible(may_record and not status.consented)
        self.save_button.setVisible(may_record and not status.consented)
        self.withdraw_button.setVisible(may_record and status.consented)

    def save(self) -> None:
        self.errors.clear()
        witness = self.app.ctx.user.staff_id if self.witnessed.isChecked() and self.app.ctx.user else None
        self.app.runner.run(procedure_consent.record_procedure_consent, self.app.ctx, self.plan_id,
                            self.name.text(), self.pad.png_bytes(), procedure_consent.CONSENT_TEXT_VERSION,
                            witness_id=witness, owner=self, on_done=lambda _: self.accept(), on_error=self._failed)

    def withdraw(self) -> None:
        if not messages.confirm(self, self.tr("Withdraw this patient's consent to the care plan?")):
            return
        self.app.runner.run(procedure_consent.withdraw_procedure_consent, self.app.ctx, self.plan_id, owner=self,
                            on_done=lambda _: self.refresh(), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
