"""Procedure consent on the tablet: the versioned consent form (statement, typed name, drawn signature)."""

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import procedure_consent
from clinicdesk.services.consent_forms import PROCEDURE_CONSENT_FORM, consent_form, record_procedure_consent_form
from clinicdesk.services.therapy_dto import PlanConsentStatus
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.labs.form_renderer import FormRenderer
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets import messages
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors


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
        # The statement, name and signature are a versioned form (resources/intake_forms/procedure_consent.v*.json).
        self.consent_form = consent_form(PROCEDURE_CONSENT_FORM)
        self.renderer = FormRenderer(self.consent_form)
        self.agree = self.renderer.inputs["procedures"]
        self.name = self.renderer.inputs["typed_name"]
        self.witnessed = self.renderer.inputs["on_behalf"]
        self.pad = self.renderer.inputs["signature"].pad
        self.banner = ErrorBanner()
        self.errors = FieldErrors(self.banner, dict(self.renderer.inputs))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.withdraw_button = QPushButton(self.tr("Withdraw consent…"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.buttons.addButton(self.withdraw_button, QDialogButtonBox.ButtonRole.ActionRole)

        self.form = self.renderer
        self.resize(720, 760)
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
        self.app.runner.run(record_procedure_consent_form, self.app.ctx, self.plan_id, self.renderer.answers(),
                            version=self.consent_form.version, owner=self, on_done=lambda _: self.accept(),
                            on_error=self._failed)

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
