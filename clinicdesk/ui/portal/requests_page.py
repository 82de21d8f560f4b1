"""Reception > Online requests: what patients asked for on the portal, with Confirm and Decline...; the sidebar's
pending count."""

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import portal_requests
from clinicdesk.services.context import Changes
from clinicdesk.services.portal_requests import PENDING, RequestItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.refreshing_view import RefreshingView
from clinicdesk.ui.widgets.tables import reselect

KIND_LABELS = {"book": "New booking", "reschedule": "Move", "cancel": "Cancel"}
STATUS_LABELS = {"pending": "Waiting", "confirmed": "Confirmed", "declined": "Declined", "withdrawn": "Withdrawn"}
# A sync brings new requests without any write of this desk; the count follows it on this beat too.
BADGE_REFRESH_MS = 60_000


def _when(item: RequestItem) -> str:
    moment = item.current_start if item.kind == "cancel" else item.requested_start
    text = f"{moment:%a %d %b %H:%M}" if moment else "—"
    if item.kind == "reschedule" and item.current_start:
        text = f"{item.current_start:%a %d %b %H:%M} → {text}"
    return text


def _decided_by(item: RequestItem) -> str:
    return {"": "", "auto": "automatically"}.get(item.decided_by, "at the desk")


def ask_reason(parent: QWidget) -> str | None:
    """The reason the patient will read; None when the receptionist cancels."""
    text, ok = QInputDialog.getMultiLineText(
        parent, parent.tr("Decline request"),
        parent.tr("Why can this not be done? The patient reads this on the portal (at most 300 characters)."))
    return text if ok else None


class OnlineRequestsPage(RefreshingView):
    """Pending requests oldest first; "Show decided" lists the latest decisions instead."""

    def __init__(self, app: AppContext, parent: QWidget | None = None, *,
                 ask_reason: Callable[[QWidget], str | None] = ask_reason,
                 open_booking: Callable[[RequestItem], None] | None = None):
        super().__init__(app, parent)
        self._ask_reason, self._open_booking = ask_reason, open_booking
        self.model = ListTableModel([
            Column(self.tr("Asked"), lambda r: f"{r.requested_at:%d %b %H:%M}"),
            Column(self.tr("Kind"), lambda r: self.tr(KIND_LABELS.get(r.kind, r.kind))),
            Column(self.tr("Patient"), lambda r: r.patient_name, stretch=True),
            Column(self.tr("UHID"), lambda r: r.uhid),
            Column(self.tr("Service"), lambda r: r.service_name),
            Column(self.tr("Time asked for"), _when),
            Column(self.tr("Status"), lambda r: self.tr(STATUS_LABELS.get(r.status, r.status))),
        ], self)
        self.table = QTableView()
        self.table.setObjectName("onlineRequestsTable")
        configure_table(self.table, self.model)
        for column, width in enumerate((110, 110, 180, 130, 150, 230)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        title = QLabel(self.tr("Online requests"))
        title.setObjectName("pageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        self.show_decided = QCheckBox(self.tr("Show decided requests"))
        self.show_decided.toggled.connect(lambda _: self.refresh_now())
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.show_decided)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(self.tr("Select a request to see the patient's note and any reason."))
        self.banner = ErrorBanner()
        self.confirm_button = QPushButton(self.tr("Confirm"))
        self.confirm_button.setObjectName("primary")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.decline_button = QPushButton(self.tr("Decline…"))
        self.decline_button.clicked.connect(self.decline_selected)
        self.suggest_button = QPushButton(self.tr("Suggest another time…"))
        self.suggest_button.setToolTip(self.tr("Opens the booking wizard for this patient and service"))
        self.suggest_button.clicked.connect(self.suggest_selected)
        self.suggest_button.setVisible(open_booking is not None)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.suggest_button, self.decline_button, self.confirm_button):
            button.setMinimumHeight(40)
            buttons.addWidget(button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([420, 150])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._show_selected()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.appointments

    def reload(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(portal_requests.list_requests, self.app.ctx, self.app.user.centre_id,
                            pending=not self.show_decided.isChecked(), owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _loaded(self, items: list[RequestItem]) -> None:
        chosen = self.selected()
        self.model.set_rows(items)
        reselect(self.table, items, chosen, key=lambda item: item.id)
        waiting = sum(item.status == PENDING for item in items)
        self.count_label.setText(self.tr("%n waiting", "", waiting) if not self.show_decided.isChecked() else "")
        self._show_selected()

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_messages([error_text(exc).rstrip(".")])

    def selected(self) -> RequestItem | None:
        return selected_row(self.table)

    def _show_selected(self) -> None:
        item = self.selected()
        pending = item is not None and item.status == PENDING
        for button in (self.confirm_button, self.decline_button, self.suggest_button):
            button.setEnabled(pending)
        if item is None:
            self.details.clear()
            return
        lines = [f"{self.tr(KIND_LABELS.get(item.kind, item.kind))}: {item.patient_name} ({item.uhid or '—'})",
                 f"{item.service_name} · {_when(item)}"]
        if item.note:
            lines += ["", self.tr("Patient's note: ") + item.note]
        if item.decision_note:
            lines += ["", self.tr("Reason: ") + item.decision_note]
        if item.status != PENDING and item.decided_at:
            lines += ["", self.tr("%1 %2 on %3").replace("%1", self.tr(STATUS_LABELS.get(item.status, item.status)))
                      .replace("%2", self.tr(_decided_by(item))).replace("%3", f"{item.decided_at:%d %b %H:%M}")]
        self.details.setPlainText("\n".join(lines))

    def confirm_selected(self) -> None:
        item = self.selected()
        if item is None or item.status != PENDING:
            return
        self.banner.clear_messages()
        self.app.runner.run(portal_requests.confirm_request, self.app.ctx, item.id, owner=self,
                            on_error=self._failed)

    def decline_selected(self) -> None:
        item = self.selected()
        if item is None or item.status != PENDING:
            return
        reason = self._ask_reason(self)
        if reason is None:
            return
        self.banner.clear_messages()
        self.app.runner.run(portal_requests.decline_request, self.app.ctx, item.id, reason, owner=self,
                            on_error=self._failed)

    def suggest_selected(self) -> None:
        item = self.selected()
        if item is not None and self._open_booking is not None:
            self._open_booking(item)


class PendingBadge(QObject):
    """Keeps the sidebar entry's text at "Online requests (n)" while requests wait."""

    def __init__(self, app: AppContext, item: QListWidgetItem, title: str, parent: QObject | None = None):
        super().__init__(parent)
        self.app, self.item, self.title = app, item, title
        self.count = 0
        app.runner.changes_did_apply.connect(lambda changes: self.refresh() if changes.appointments else None)
        self.timer = QTimer(self)
        self.timer.setInterval(BADGE_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(portal_requests.pending_count, self.app.ctx, self.app.user.centre_id,
                            on_done=self._show, on_error=lambda _exc: None)

    def _show(self, count: int) -> None:
        self.count = count
        self.item.setText(f"{self.title} ({count})" if count else self.title)
