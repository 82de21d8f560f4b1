"""Incidents and near misses: the centre's list by severity and status, reporting one, moving it to closure."""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.incidents import TRANSITIONS, IncidentEvent, Resolution, Severity
from clinicdesk.domain.roles import Action
from clinicdesk.services import admin, incidents
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import IncidentItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.tables import row_table, select_where, selected_item

HEADERS = ("Reported", "Severity", "Status", "Description", "Immediate action", "Follow-up", "Resolution")
SEVERITY_LABELS = {Severity.NEAR_MISS: "Near miss", Severity.MINOR: "Minor", Severity.MODERATE: "Moderate",
                   Severity.SEVERE: "Severe"}
SEVERITY_COLOURS = {Severity.NEAR_MISS: "#eef3fb", Severity.MINOR: "#fff9e0", Severity.MODERATE: "#fff0d9",
                    Severity.SEVERE: "#fdecea"}
EVENT_LABELS = {IncidentEvent.INVESTIGATE: "Investigate", IncidentEvent.RESOLVE: "Resolve",
                IncidentEvent.CLOSE: "Close", IncidentEvent.REOPEN: "Reopen"}


class IncidentModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[IncidentItem] = []
        self.staff: dict[str, str] = {}

    def set_items(self, items: list[IncidentItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{item.occurred_at:%d %b %Y %H:%M}", SEVERITY_LABELS.get(item.severity, item.severity),
                    item.status.capitalize(), item.description, item.immediate_action,
                    self.staff.get(item.follow_up_owner_id or "", ""),
                    item.resolution.replace("\n", " · "))[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(SEVERITY_COLOURS.get(item.severity, "#ffffff")))
        return None


class ReportIncidentDialog(FormDialog):
    """Severity, what happened, what was done, who follows up; saved through services.incidents."""

    def __init__(self, app: AppContext, staff: dict[str, str], *, session_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(app, "Report an incident", parent)
        self.session_id = session_id
        self.setWindowTitle(self.tr("Report an incident or near miss"))
        self.resize(560, 440)
        self.severity = QComboBox()
        for severity, label in SEVERITY_LABELS.items():
            self.severity.addItem(self.tr(label), severity.value)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(self.tr("What happened (no more than needed to act on it)"))
        self.immediate_action = QPlainTextEdit()
        self.immediate_action.setPlaceholderText(self.tr("What was done at once"))
        self.owner = QComboBox()
        self.owner.addItem(self.tr("— nobody yet —"), None)
        for staff_id, name in sorted(staff.items(), key=lambda pair: pair[1]):
            self.owner.addItem(name, staff_id)
        self.save_button.setText(self.tr("Report"))
        self.save_button.setMinimumHeight(40)
        self.form.addRow(self.tr("Severity"), self.severity)
        self.form.addRow(self.tr("Description"), self.description)
        self.form.addRow(self.tr("Immediate action"), self.immediate_action)
        self.form.addRow(self.tr("Follow-up owner"), self.owner)

    def save(self) -> None:
        self.submit(incidents.report_incident, self.app.ctx, severity=self.severity.currentData(),
                    description=self.description.toPlainText(), immediate_action=self.immediate_action.toPlainText(),
                    session_id=self.session_id, follow_up_owner_id=self.owner.currentData())


class IncidentsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.model = IncidentModel(self)
        self.table = row_table(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.show_all = QCheckBox(self.tr("Show resolved and closed"))
        self.show_all.toggled.connect(lambda _: self.refresh())
        self.report_button = QPushButton(self.tr("Report an incident…"))
        self.report_button.setMinimumHeight(40)
        self.report_button.clicked.connect(lambda: self.open_report())
        self.report_button.setVisible(app.may(Action.SESSION_RUN))
        top = QHBoxLayout()
        top.addWidget(self.show_all)
        top.addStretch(1)
        top.addWidget(self.report_button)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        may_manage = app.may(Action.INCIDENT_MANAGE)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Note (what was found or done; needed to resolve)"))
        self.note.setMinimumHeight(40)
        self.note.setVisible(may_manage)
        self.move_buttons: dict[IncidentEvent, QPushButton] = {}
        moves = QHBoxLayout()
        moves.addWidget(self.note, 1)
        for event, text in EVENT_LABELS.items():
            button = QPushButton(self.tr(text))
            button.setMinimumHeight(40)
            button.setVisible(may_manage)
            button.clicked.connect(lambda _=False, e=event: self.move_selected(e))
            moves.addWidget(button)
            self.move_buttons[event] = button
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        layout.addLayout(moves)
        app.runner.changes_did_apply.connect(self._changes_applied)
        if app.may(Action.STAFF_VIEW):
            app.runner.run(admin.list_staff, app.ctx, include_inactive=False, owner=self, on_done=self._staff_loaded,
                           on_error=lambda _exc: None)  # names are a convenience; the list works without them
        self._update_buttons()
        self.refresh()

    def _staff_loaded(self, staff) -> None:
        self.model.staff = {s.id: s.full_name for s in staff}
        self.model.set_items(self.model.items)

    def refresh(self) -> None:
        user = self.app.user
        if user is None:
            return
        self.app.runner.run(incidents.list_incidents, self.app.ctx, user.centre_id,
                            open_only=not self.show_all.isChecked(), owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _loaded(self, items: list[IncidentItem]) -> None:
        selected = self.selected()
        self.model.set_items(items)
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> IncidentItem | None:
        return selected_item(self.table, self.model.items)

    def select(self, incident_id: str) -> None:
        select_where(self.table, self.model.items, lambda item: item.id == incident_id)

    def _update_buttons(self) -> None:
        item = self.selected()
        allowed = TRANSITIONS.get(Resolution(item.status), {}) if item else {}
        for event, button in self.move_buttons.items():
            button.setEnabled(event in allowed)

    def move_selected(self, event: IncidentEvent) -> None:
        item = self.selected()
        if item is None:
            return
        self.banner.hide()
        self.app.runner.run(incidents.update_incident, self.app.ctx, item.id, event.value, note=self.note.text(),
                            owner=self, on_done=lambda _: self.note.clear(), on_error=self._failed)

    def open_report(self, session_id: str | None = None):
        dialog = ReportIncidentDialog(self.app, self.model.staff, session_id=session_id, parent=self)
        dialog.open()
        return dialog
