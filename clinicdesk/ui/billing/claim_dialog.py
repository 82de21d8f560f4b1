"""An invoice's insurance claim: record it (insurer, policy, amount), then move it a step at a time."""

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from clinicdesk.domain.billing.claims import TRANSITIONS, ClaimDraft, ClaimStatus
from clinicdesk.domain.billing.money import parse_amount
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import billing_claims
from clinicdesk.services.billing_dto import ClaimView, InvoiceDetail
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.formatting import rupees
from clinicdesk.ui.widgets.form_dialog import FormDialog


class ClaimDialog(FormDialog):
    def __init__(self, app: AppContext, detail: InvoiceDetail, parent: QWidget | None = None):
        super().__init__(app, "Insurance claim", parent)
        self.detail = detail
        self.claim: ClaimView | None = next((c for c in reversed(detail.claims) if c.status != "settled"), None)
        self.form.addRow(self.tr("Invoice"), QLabel(f"{detail.summary.number} · {rupees(detail.summary.total)}"))
        self.insurer, self.policy, self.claimed = QLineEdit(), QLineEdit(), QLineEdit()
        self.status, self.claim_number, self.amount = QComboBox(), QLineEdit(), QLineEdit()
        if self.claim is None:
            self.claimed.setText(f"{detail.summary.total}")
            self.form.addRow(self.tr("Insurer or TPA"), self.insurer)
            self.form.addRow(self.tr("Policy number"), self.policy)
            self.form.addRow(self.tr("Amount claimed (₹)"), self.claimed)
            self.save_button.setText(self.tr("Record claim"))
        else:
            claim = self.claim
            self.form.addRow(self.tr("Claim"), QLabel(f"{claim.insurer} · policy {claim.policy_number} · "
                                                      f"{claim.status.replace('_', ' ')} · {rupees(claim.claimed)}"))
            for step in sorted(TRANSITIONS[ClaimStatus(claim.status)]):
                self.status.addItem(step.value.replace("_", " ").capitalize(), step.value)
            self.claim_number.setText(claim.claim_number)
            self.form.addRow(self.tr("Move to"), self.status)
            self.form.addRow(self.tr("Claim number"), self.claim_number)
            self.form.addRow(self.tr("Amount approved or settled (₹)"), self.amount)
            self.save_button.setText(self.tr("Update claim"))
        self.errors.fields.update({"insurer": self.insurer, "policy_number": self.policy, "claimed": self.claimed,
                                   "claim_number": self.claim_number, "approved": self.amount,
                                   "settled": self.amount})

    def save(self) -> None:
        try:
            if self.claim is None:
                draft = ClaimDraft(self.insurer.text(), self.policy.text(),
                                   parse_amount(self.claimed.text(), field="claimed", label="Amount claimed"))
                self.submit(billing_claims.record_claim, self.app.ctx, self.detail.summary.id, draft)
                return
            step = self.status.currentData()
            amount = parse_amount(self.amount.text(), field="approved", label="Amount") \
                if self.amount.text().strip() else None
        except ValidationError as exc:
            self.refused(exc)
            return
        approved = amount if step in ("approved", "partly_approved") else None
        settled = amount if step == "settled" else None
        self.submit(billing_claims.update_claim, self.app.ctx, self.claim.id, step,
                    claim_number=self.claim_number.text(), approved=approved, settled=settled)
