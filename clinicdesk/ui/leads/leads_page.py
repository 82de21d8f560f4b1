"""Enquiries: filters, the list, one lead's details and history, and the actions that move it along."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.leads import LOST_REASONS, SOURCE_LABELS, STATUS_LABELS, TRANSITIONS, Event, Source, Status
from clinicdesk.domain.roles import Action
from clinicdesk.services import leads
from clinicdesk.services.context import Changes
from clinicdesk.services.leads import LeadDetail, LeadSummary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.leads.convert_dialog import ConvertDialog
from clinicdesk.ui.leads.lead_dialog import LeadDialog
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.tables import reselect

MOVES = ((Event.CONTACT, "Log a call"), (Event.HESITATE, "Send to customer relations"), (Event.LOSE, "Mark lost"),
         (Event.REOPEN, "Reopen"))
EVENT_WORDS = {"created": "Enquiry taken", "contact": "Contacted", "hesitate": "Sent to customer relations",
               "convert": "Converted", "lose": "Lost", "reopen": "Reopened", "assign": "Assigned"}


def _status(value: str) -> str:
    return STATUS_LABELS[Status(value)]


def _source(value: str) -> str:
    return SOURCE_LABELS.get(Source(value), value) if value in set(Source) else value


class LeadsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.detail: LeadDetail | None = None
        self.dialog: LeadDialog | ConvertDialog | None = None
        tz = app.tz
        self.status_filter, self.source_filter = QComboBox(), QComboBox()
        self.status_filter.addItem(self.tr("Open and closed"), "")
        for status, label in STATUS_LABELS.items():
            self.status_filter.addItem(self.tr(label), status.value)
        self.source_filter.addItem(self.tr("Every source"), "")
        for source, label in SOURCE_LABELS.items():
            self.source_filter.addItem(self.tr(label), source.value)
        self.mine = QCheckBox(self.tr("Assigned to me"))
        self.queue = QCheckBox(self.tr("Intervention queue (hesitating, oldest first)"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Name or phone…"))
        self.new_button = QPushButton(self.tr("New enquiry"))
        self.new_button.setVisible(app.may(Action.LEAD_WORK))
        self.new_button.clicked.connect(self.open_new)
        for widget in (self.status_filter, self.source_filter):
            widget.currentIndexChanged.connect(lambda _: self.refresh())
        for box in (self.mine, self.queue):
            box.toggled.connect(lambda _: self.refresh())
        self.search.returnPressed.connect(self.refresh)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("<b>Enquiries</b>")))
        for widget in (self.status_filter, self.source_filter, self.search, self.mine, self.queue):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.new_button)

        self.model = ListTableModel([
            Column(self.tr("Taken"), lambda s: format_datetime(s.created_at, tz)),
            Column(self.tr("Name"), lambda s: s.name),
            Column(self.tr("Phone"), lambda s: s.phone),
            Column(self.tr("Source"), lambda s: _source(s.source)),
            Column(self.tr("Interest"), lambda s: s.interest),
            Column(self.tr("Status"), lambda s: _status(s.status)),
            Column(self.tr("Since"), lambda s: format_datetime(s.status_changed_at, tz)),
            Column(self.tr("Officer"), lambda s: s.assigned_to or "—", stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in enumerate((150, 170, 110, 90, 170, 150, 150)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._load_selected())

        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.history = QPlainTextEdit()
        self.history.setReadOnly(True)
        self.history.setPlaceholderText(self.tr("Select an enquiry to see its history."))
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.facts)
        detail_layout.addWidget(self.history, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setSizes([420, 240])

        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("What was said, or why (needed to send to customer relations)"))
        self.note.setMinimumHeight(40)
        self.reason = QComboBox()
        for reason in LOST_REASONS:
            self.reason.addItem(self.tr(reason.capitalize()), reason)
        self.move_buttons: dict[Event, QPushButton] = {}
        actions = QHBoxLayout()
        actions.addWidget(self.note, 1)
        for event, text in MOVES:
            button = QPushButton(self.tr(text))
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, e=event: self.move_selected(e))
            actions.addWidget(button)
            self.move_buttons[event] = button
            if event is Event.LOSE:
                actions.addWidget(self.reason)
        self.convert_button = QPushButton(self.tr("Convert to patient…"))
        self.convert_button.setMinimumHeight(40)
        self.convert_button.clicked.connect(self.open_convert)
        actions.addWidget(self.convert_button)
        for widget in (self.note, self.reason, self.convert_button, *self.move_buttons.values()):
            widget.setVisible(app.may(Action.LEAD_WORK))

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._show_detail(None)
        self.refresh()

    # --- loading -----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.app.user is None:
            return
        if self.queue.isChecked():
            self.app.runner.run(leads.intervention_queue, self.app.ctx, owner=self, on_done=self._loaded,
                                on_error=self._failed)
            return
        self.app.runner.run(leads.list_leads, self.app.ctx, status=self.status_filter.currentData(),
                            source=self.source_filter.currentData(), text=self.search.text(),
                            assigned_to=self.app.user.staff_id if self.mine.isChecked() else "", owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.leads:
            self.refresh()

    def _loaded(self, items: list[LeadSummary]) -> None:
        chosen = self.selected()
        self.model.set_rows(items)
        if not reselect(self.table, items, chosen, key=lambda item: item.id):
            self._show_detail(None)

    def selected(self) -> LeadSummary | None:
        return selected_row(self.table)

    def _load_selected(self) -> None:
        item = self.selected()
        if item is None:
            self._show_detail(None)
            return
        self.app.runner.run(leads.get_lead, self.app.ctx, item.id, owner=self, on_done=self._show_detail,
                            on_error=self._failed)

    def _show_detail(self, detail: LeadDetail | None) -> None:
        self.detail = detail
        status = Status(detail.summary.status) if detail else None
        allowed = TRANSITIONS[status] if status else {}
        for event, button in self.move_buttons.items():
            button.setEnabled(event in allowed)
        self.reason.setEnabled(Event.LOSE in allowed)
        self.convert_button.setEnabled(Event.CONVERT in allowed)
        if detail is None:
            self.facts.clear()
            self.history.clear()
            return
        s = detail.summary
        parts = [f"{s.name} · {s.phone or detail.email} · {_source(s.source)}",
                 self.tr("Interested in: %1").replace("%1", s.interest or "—"),
                 self.tr("Problem: %1").replace("%1", detail.problem or "—")]
        if detail.referred_by:
            parts.append(self.tr("Referred by: %1").replace("%1", detail.referred_by))
        if detail.lost_reason:
            parts.append(self.tr("Lost: %1").replace("%1", detail.lost_reason))
        self.facts.setText("\n".join(parts))
        lines = [f"{format_datetime(h.at, self.app.tz)} · {h.by or self.tr('system')} · "
                 f"{self.tr(EVENT_WORDS.get(h.event, h.event))}"
                 + (f" ({_status(h.from_status)} → {_status(h.to_status)})"
                    if h.from_status and h.from_status != h.to_status else "")
                 + (f": {h.note}" if h.note else "") for h in detail.history]
        self.history.setPlainText("\n".join(lines))

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    # --- actions -----------------------------------------------------------------------------------------------

    def move_selected(self, event: Event) -> None:
        if self.detail is None:
            return
        self.banner.hide()
        reason = self.reason.currentData() if event is Event.LOSE else (
            self.note.text() if event is Event.HESITATE else "")
        note = "" if event is Event.HESITATE else self.note.text()
        self.app.runner.run(leads.move_lead, self.app.ctx, self.detail.summary.id, event.value, note=note,
                            reason=reason, owner=self, on_done=lambda _: self.note.clear(), on_error=self._failed)

    def open_new(self) -> LeadDialog:
        self.dialog = LeadDialog(self.app, parent=self.window())
        self.dialog.open()
        return self.dialog

    def open_convert(self) -> None:
        if self.detail is None:
            return
        self.app.runner.run(leads.patient_draft_for, self.app.ctx, self.detail.summary.id, owner=self,
                            on_done=self._show_convert, on_error=self._failed)

    def _show_convert(self, draft) -> None:
        self.dialog = ConvertDialog(self.app, self.detail.summary.id, draft, parent=self.window())
        self.dialog.accepted.connect(self._converted)
        self.dialog.open()

    def _converted(self) -> None:
        dialog = self.dialog
        if isinstance(dialog, ConvertDialog) and dialog.patient_id and dialog.book_next.isChecked():
            window = self.window()
            if "calendar" in getattr(window, "nav_items", {}):  # the booking wizard opens on the new patient
                window.navigate("calendar").open_booking(patient_id=dialog.patient_id)
