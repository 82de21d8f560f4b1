"""Erasure requests: record one from a patient's profile, list them, approve or refuse them, and carry them out."""

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.roles import Action
from clinicdesk.services import erasure
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.erasure import ErasureRequest
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_date, format_datetime
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.messages import confirm
from clinicdesk.ui.widgets.refreshing_view import RefreshingView
from clinicdesk.ui.widgets.tables import reselect, select_where

STATE_LABELS = {erasure.REQUESTED: "Waiting for review", erasure.APPROVED: "Approved",
                erasure.REFUSED: "Refused", erasure.CARRIED_OUT: "Carried out"}


@dataclass(frozen=True)
class ErasureRow:
    request: ErasureRequest
    uhid: str


def load_erasure_rows(ctx: ServiceContext) -> list[ErasureRow]:
    """The requests with each patient's UHID ("?" for a record no longer there)."""
    requests = erasure.list_erasure_requests(ctx)
    uhids = erasure.uhids_of_requests(ctx, requests)
    return [ErasureRow(r, uhids.get(r.patient_id, "?")) for r in requests]


def _requested_at(value: str, app: AppContext) -> str:
    try:
        return format_datetime(datetime.fromisoformat(value), app.tz)
    except ValueError:
        return value


def carry_out_question(uhid: str, request: ErasureRequest, today: date) -> str:
    """The confirmation: exactly what is cleared now and what is kept for the retention period."""
    cleared = translate("ErasurePage", (
        "Carry out the erasure for %1? This cannot be undone.\n\n"
        "Cleared now: the phone number (replaced by ERASED), alternate phone, email, address and pincode, emergency "
        "contact, occupation and Aadhaar number; every message to the patient stops.\n\n")).replace("%1", uhid)
    until = request.retention_until
    if until is not None and today > until:
        return cleared + translate("ErasurePage", (
            "The clinical retention period ended on %1, so the name is also replaced, only the year of birth is kept "
            "and the ABHA number and address are dropped. The clinical records (consultations, notes, prescriptions, "
            "therapy sessions, vitals, incidents, outcomes) stay, with nothing left that ties them to the person.")
        ).replace("%1", format_date(until))
    kept = (translate("ErasurePage", "Kept until %1").replace("%1", format_date(until)) if until
            else translate("ErasurePage", "Kept for the clinical retention period"))
    return cleared + kept + translate("ErasurePage", (
        " (the legal retention period for medical records): the name, date of birth, ABHA identifiers and every "
        "clinical record (consultations, notes, prescriptions, therapy sessions, vitals, incidents, outcomes). "
        "Those stay in the record; nothing clinical is deleted."))


class RequestErasureDialog(QDialog):
    """Record a patient's request to erase their data; the reason is chosen from a list, never typed."""

    requested = Signal(str)  # the new request's id

    def __init__(self, app: AppContext, patient_id: str, uhid: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.patient_id = app, patient_id
        self.setWindowTitle(self.tr("Request erasure"))
        self.reason = QComboBox()
        for key, label in erasure.REASONS.items():
            self.reason.addItem(self.tr(label), key)
        explanation = QLabel(self.tr(
            "The request is reviewed by someone else (a doctor or an administrator) before an administrator carries "
            "it out. Clinical records are kept for the legal retention period; contact details are cleared."))
        explanation.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.request_button = buttons.addButton(self.tr("Record request"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Patient"), QLabel(uhid))
        form.addRow(self.tr("Reason"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(buttons)

    def save(self) -> None:
        self.app.runner.run(erasure.request_erasure, self.app.ctx, self.patient_id, reason=self.reason.currentData(),
                            owner=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, result: tuple[str, Changes]) -> None:
        self.requested.emit(result[0])
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()


class ErasurePage(RefreshingView):
    """Every erasure request with its state; reviewers approve or refuse, administrators carry out."""

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.model = ListTableModel((
            Column(self.tr("Patient UHID"), lambda r: r.uhid),
            Column(self.tr("State"), lambda r: self.tr(STATE_LABELS.get(r.request.status, r.request.status))),
            Column(self.tr("Reason"), lambda r: self.tr(erasure.REASONS.get(r.request.reason, r.request.reason)),
                   stretch=True),
            Column(self.tr("Requested by"), lambda r: r.request.requested_by),
            Column(self.tr("Requested at"), lambda r: _requested_at(r.request.requested_at, app)),
            Column(self.tr("Reviewed by"), lambda r: r.request.reviewed_by),
            Column(self.tr("Records kept until"), lambda r: format_date(r.request.retention_until)),
            Column(self.tr("Done as"), lambda r: r.request.mode),
        ), self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in ((0, 120), (1, 150), (4, 150), (6, 130), (7, 110)):  # whole dates and UHIDs, never elided
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        title = QLabel(self.tr("Erasure requests"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        hint = QLabel(self.tr("Requests are recorded from a patient's profile. Someone other than the person who "
                              "recorded a request reviews it; an administrator then carries it out."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.status = QLabel()
        self.approve_button = QPushButton(self.tr("Approve"))
        self.refuse_button = QPushButton(self.tr("Refuse"))
        self.carry_out_button = QPushButton(self.tr("Carry out…"))
        for button, handler in ((self.approve_button, lambda: self.review(approve=True)),
                                (self.refuse_button, lambda: self.review(approve=False)),
                                (self.carry_out_button, self.carry_out)):
            button.setMinimumHeight(38)
            button.clicked.connect(handler)
        self.approve_button.setVisible(app.may(Action.ERASURE_REVIEW))
        self.refuse_button.setVisible(app.may(Action.ERASURE_REVIEW))
        self.carry_out_button.setVisible(app.may(Action.ERASURE_CARRY_OUT))
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        for button in (self.approve_button, self.refuse_button, self.carry_out_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        self._update_buttons()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.audit or changes.patients

    def reload(self) -> None:
        self.app.runner.run(load_erasure_rows, self.app.ctx, owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _loaded(self, rows: list[ErasureRow]) -> None:
        keep = self.selected()
        self.model.set_rows(rows)
        reselect(self.table, rows, keep, key=lambda row: row.request.id)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> ErasureRow | None:
        return selected_row(self.table)

    def select(self, request_id: str) -> None:
        select_where(self.table, self.model.rows(), lambda item: item.request.id == request_id)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        status = chosen.request.status if chosen else None
        self.approve_button.setEnabled(status == erasure.REQUESTED)
        self.refuse_button.setEnabled(status == erasure.REQUESTED)
        self.carry_out_button.setEnabled(status == erasure.APPROVED)

    def _done(self, message: str) -> None:
        self.banner.hide()
        self.status.setText(message)

    def review(self, *, approve: bool) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        done = self.tr("Approved: an administrator can now carry it out.") if approve else self.tr("Refused.")
        self.app.runner.run(erasure.review_erasure, self.app.ctx, chosen.request.id, approve=approve, owner=self,
                            on_done=lambda _changes: self._done(done), on_error=self._failed)

    def carry_out(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if not confirm(self, carry_out_question(chosen.uhid, chosen.request, self.app.today()),
                       title=self.tr("Carry out erasure")):
            return
        self.app.runner.run(erasure.carry_out_erasure, self.app.ctx, chosen.request.id, owner=self,
                            on_done=lambda result: self._done(self.tr("Carried out (%1).").replace(
                                "%1", result[0].mode)), on_error=self._failed)
