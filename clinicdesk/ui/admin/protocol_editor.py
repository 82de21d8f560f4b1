"""Protocol templates for an admin: every therapy, SOP and course with its versions, and a form for a new version."""

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.protocols import MEASURES, PHASE_DAYS, Phase
from clinicdesk.services import protocol_versions
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import TemplateDraft, TemplateItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_dialog import FormDialog

KIND_LABELS = {"therapy": "Therapy", "sop": "SOP", "course": "Course"}
ALERT = "color: #b3261e;"


def _number(text: str):
    """A typed number as JSON; anything else is passed on as typed so the check names the field."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _days(text: str):
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else text


def _materials(text: str) -> list[dict]:
    """"DHANWANTARAM 150, LINEN-TOWEL 2" -> [{item, quantity}, ...]."""
    found = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        item, _, quantity = part.rpartition(" ")
        found.append({"item": item.strip() or quantity, "quantity": _number(quantity) if item else None})
    return found


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class ProtocolEditorDialog(FormDialog):
    """A new version of one template: its fields as a form, each refusal shown under the field it concerns."""

    def __init__(self, app: AppContext, draft: TemplateDraft, parent: QWidget | None = None):
        super().__init__(app, self_title(draft), parent)
        self.draft = draft
        self.template = dict(draft.body)
        self.setMinimumSize(980, 640)
        self.inline: dict[str, QLabel] = {}
        intro = QLabel(self.tr("Version %1 of %2. Plans already made keep the version they were made from; plans "
                               "starting on or after the effective date get this one.")
                       .replace("%1", str(draft.next_version)).replace("%2", draft.name))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        earliest = draft.earliest_effective
        self.effective = QDateEdit(QDate(earliest.year, earliest.month, earliest.day))
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("dd MMM yyyy")
        self._row(self.tr("Effective from"), "effective_from", self.effective)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Why this version (shown in the version list)"))
        self._row(self.tr("Note"), "note", self.note)
        self.steps: list[dict[str, QWidget]] = []
        self.phases: list[dict[str, QWidget]] = []
        self.sessions: list[tuple[int, int, dict[str, QWidget]]] = []
        {"therapy": self._therapy_form, "sop": self._sop_form, "course": self._course_form}[draft.kind]()

    # --- building -------------------------------------------------------------------------------------------------

    def _error_label(self, path: str) -> QLabel:
        label = QLabel()
        label.setStyleSheet(ALERT)
        label.setWordWrap(True)
        label.hide()
        self.inline[path] = label
        return label

    def _row(self, title: str, path: str, widget: QWidget) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        column.addWidget(self._error_label(path))
        self.form.addRow(title, box)
        self.errors.fields[path] = widget

    def _therapy_form(self) -> None:
        body = self.template
        self.name = QLineEdit(body.get("name", ""))
        self._row(self.tr("Name"), "name", self.name)
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(body.get("duration_minutes") or 0)
        self._row(self.tr("Duration"), "duration_minutes", self.duration)
        self.rest = QSpinBox()
        self.rest.setRange(0, 14)
        self.rest.setSuffix(self.tr(" days"))
        self.rest.setValue(body.get("rest_days_after") or 0)
        self._row(self.tr("Rest days after"), "rest_days_after", self.rest)
        self.contraindications = QPlainTextEdit("\n".join(body.get("contraindications", [])))
        self._row(self.tr("Contraindications (one a line)"), "contraindications", self.contraindications)
        self.outcomes = QPlainTextEdit("\n".join(body.get("expected_outcomes", [])))
        self._row(self.tr("Expected outcomes (one a line)"), "expected_outcomes", self.outcomes)

    def _therapy_choice(self, current: str) -> QComboBox:
        combo = QComboBox()
        for key, name in self.draft.therapies:
            combo.addItem(name, key)
        index = combo.findData(current)
        if index < 0:  # a therapy the list no longer has stays visible, so the check can name it
            combo.addItem(current, current)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        return combo

    def _sop_form(self) -> None:
        self.therapy = self._therapy_choice(self.template.get("therapy", ""))
        self._row(self.tr("Therapy"), "therapy", self.therapy)
        box = QGroupBox(self.tr("Steps, in order"))
        self.step_grid = QGridLayout(box)
        for column, title in enumerate((self.tr("Step"), self.tr("Mandatory"), self.tr("Safety check"),
                                        self.tr("Timer (min)"), self.tr("Measure"), self.tr("Min"), self.tr("Max"),
                                        self.tr("Materials (CODE qty, …)"))):
            self.step_grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for step in self.template.get("steps", []):
            self.add_step(step)
        buttons = QHBoxLayout()
        add, remove = QPushButton(self.tr("Add step")), QPushButton(self.tr("Remove last step"))
        add.clicked.connect(lambda: self.add_step({}))
        remove.clicked.connect(self.remove_step)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        outer = QVBoxLayout()
        outer.addWidget(box)
        outer.addLayout(buttons)
        self._scrolled(outer)

    def _scrolled(self, layout) -> None:
        holder = QWidget()
        holder.setLayout(layout)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.body.addWidget(scroll, 1)  # FormDialog's body: below the form rows, above the buttons

    def add_step(self, step: dict) -> None:
        i = len(self.steps)
        row = 1 + 2 * i
        measure = step.get("measure") or {}
        widgets = {"text": QLineEdit(step.get("text", "")), "mandatory": QCheckBox(),
                   "safety_check": QCheckBox(), "timer_seconds": QSpinBox(), "measure": QComboBox(),
                   "min": QLineEdit("" if measure.get("min") is None else str(measure["min"])),
                   "max": QLineEdit("" if measure.get("max") is None else str(measure["max"])),
                   "materials": QLineEdit(", ".join(f"{m['item']} {m['quantity']}"
                                                    for m in step.get("materials", [])))}
        widgets["text"].setMinimumWidth(260)
        widgets["mandatory"].setChecked(bool(step.get("mandatory")))
        widgets["safety_check"].setChecked(bool(step.get("safety_check")))
        widgets["timer_seconds"].setRange(0, 240)
        widgets["timer_seconds"].setSpecialValueText(self.tr("none"))
        widgets["timer_seconds"].setValue(round((step.get("timer_seconds") or 0) / 60))
        widgets["measure"].addItem(self.tr("none"), None)
        for quantity, unit in MEASURES.items():
            widgets["measure"].addItem(f"{quantity} ({unit})", quantity)
        widgets["measure"].setCurrentIndex(max(0, widgets["measure"].findData(measure.get("quantity"))))
        for column, name in enumerate(("text", "mandatory", "safety_check", "timer_seconds", "measure", "min", "max",
                                       "materials")):
            self.step_grid.addWidget(widgets[name], row, column)
        errors = self._error_label(f"steps[{i}]")
        self.step_grid.addWidget(errors, row + 1, 0, 1, 8)
        self.errors.fields[f"steps[{i}].text"] = widgets["text"]
        self.errors.fields[f"steps[{i}].timer_seconds"] = widgets["timer_seconds"]
        self.errors.fields[f"steps[{i}].measure.quantity"] = widgets["measure"]
        self.errors.fields[f"steps[{i}].measure.min"] = widgets["min"]
        self.errors.fields[f"steps[{i}].measure.max"] = widgets["max"]
        self.errors.fields[f"steps[{i}].materials"] = widgets["materials"]
        widgets["errors"] = errors
        self.steps.append(widgets)

    def remove_step(self) -> None:
        if len(self.steps) <= 1:
            return
        last = len(self.steps) - 1
        for path in [p for p in self.errors.fields if p.startswith(f"steps[{last}].")]:
            del self.errors.fields[path]
        self.inline.pop(f"steps[{last}]", None)
        for widget in self.steps.pop().values():
            self.step_grid.removeWidget(widget)
            widget.deleteLater()

    def _course_form(self) -> None:
        body = self.template
        self.name = QLineEdit(body.get("name", ""))
        self._row(self.tr("Name"), "name", self.name)
        self.max_late = QSpinBox()
        self.max_late.setRange(0, 7)
        self.max_late.setValue(body.get("max_days_late", 1))
        self._row(self.tr("Days a session may slip"), "max_days_late", self.max_late)
        self.contraindications = QPlainTextEdit("\n".join(body.get("contraindications", [])))
        self.contraindications.setMaximumHeight(70)
        self._row(self.tr("Contraindications (one a line)"), "contraindications", self.contraindications)
        outer = QVBoxLayout()
        for i, phase in enumerate(body.get("phases", [])):
            outer.addWidget(self._phase_box(i, phase))
        self._scrolled(outer)

    def _phase_box(self, i: int, phase: dict) -> QGroupBox:
        name = phase.get("phase", "")
        limits = PHASE_DAYS.get(Phase(name)) if name in {p.value for p in Phase} else None
        title = name.capitalize() + (self.tr(" (%1–%2 days)").replace("%1", str(limits[0]))
                                     .replace("%2", str(limits[1])) if limits else "")
        box = QGroupBox(title)
        grid = QGridLayout(box)
        first, last = QSpinBox(), QSpinBox()
        for spin, value in ((first, phase.get("first_day", 0)), (last, phase.get("last_day", 0))):
            spin.setRange(0, 60)
            spin.setValue(value)
        grid.addWidget(QLabel(self.tr("First day")), 0, 0)
        grid.addWidget(first, 0, 1)
        grid.addWidget(QLabel(self.tr("Last day")), 0, 2)
        grid.addWidget(last, 0, 3)
        grid.addWidget(self._error_label(f"phases[{i}]"), 1, 0, 1, 6)
        self.errors.fields[f"phases[{i}]"] = last
        self.errors.fields[f"phases[{i}].first_day"] = first
        self.errors.fields[f"phases[{i}].last_day"] = last
        self.phases.append({"first_day": first, "last_day": last})
        row = 2
        for j, session in enumerate(phase.get("sessions", [])):
            therapy = self._therapy_choice(session.get("therapy", ""))
            days = QLineEdit(", ".join(str(d) for d in session.get("days", [])))
            grid.addWidget(QLabel(session.get("key", "")), row, 0)
            grid.addWidget(therapy, row, 1, 1, 2)
            grid.addWidget(QLabel(self.tr("Days")), row, 3)
            grid.addWidget(days, row, 4, 1, 2)
            path = f"phases[{i}].sessions[{j}]"
            grid.addWidget(self._error_label(path), row + 1, 0, 1, 6)
            self.errors.fields[f"{path}.therapy"] = therapy
            self.errors.fields[f"{path}.days"] = days
            self.sessions.append((i, j, {"therapy": therapy, "days": days}))
            row += 2
        return box

    # --- saving ---------------------------------------------------------------------------------------------------

    def collect(self) -> dict:
        """The form as the template body the service checks."""
        body = dict(self.template)
        kind = self.draft.kind
        if kind == "therapy":
            body |= {"name": self.name.text(), "duration_minutes": self.duration.value(),
                     "rest_days_after": self.rest.value(), "contraindications": _lines(self.contraindications),
                     "expected_outcomes": _lines(self.outcomes)}
        elif kind == "sop":
            steps = []
            for widgets in self.steps:
                step = {"text": widgets["text"].text(), "mandatory": widgets["mandatory"].isChecked(),
                        "safety_check": widgets["safety_check"].isChecked()}
                if widgets["timer_seconds"].value():
                    step["timer_seconds"] = widgets["timer_seconds"].value() * 60
                if widgets["measure"].currentData() is not None:
                    step["measure"] = {"quantity": widgets["measure"].currentData(),
                                       "min": _number(widgets["min"].text()), "max": _number(widgets["max"].text())}
                materials = _materials(widgets["materials"].text())
                if materials:
                    step["materials"] = materials
                steps.append(step)
            body |= {"therapy": self.therapy.currentData(), "steps": steps}
        else:
            phases = [dict(p, sessions=[dict(s) for s in p.get("sessions", [])]) for p in body.get("phases", [])]
            for i, widgets in enumerate(self.phases):
                phases[i] |= {"first_day": widgets["first_day"].value(), "last_day": widgets["last_day"].value()}
            for i, j, widgets in self.sessions:
                phases[i]["sessions"][j] |= {"therapy": widgets["therapy"].currentData(),
                                             "days": _days(widgets["days"].text())}
            body |= {"name": self.name.text(), "max_days_late": self.max_late.value(),
                     "contraindications": _lines(self.contraindications), "phases": phases}
        return body

    def save(self) -> None:
        for label in self.inline.values():
            label.hide()
        self.submit(protocol_versions.save_template_version, self.app.ctx, self.draft.kind, self.draft.key,
                    self.collect(), self.effective.date().toPython(), note=self.note.text())

    def refused(self, exc: Exception) -> None:
        super().refused(exc)
        if not isinstance(exc, ValidationError):
            return
        for (path, _), sentence in zip(exc.problems.items(), exc.messages(), strict=True):
            label = self._inline_for(path)
            if label is not None:
                text = (label.text() + "\n" if label.isVisible() else "") + sentence + "."
                label.setText(text)
                label.show()

    def _inline_for(self, path: str) -> QLabel | None:
        """The message goes under the field, or under the step, session or phase that holds it."""
        while path:
            if path in self.inline:
                return self.inline[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


def self_title(draft: TemplateDraft) -> str:
    return f"{KIND_LABELS.get(draft.kind, draft.kind)}: {draft.name} — version {draft.next_version}"


class ProtocolTemplatesPage(QWidget):
    """Every template with its versions; an admin opens one to save a new version."""

    COLUMNS = ("Kind", "Template", "In force", "Versions")

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.items: list[TemplateItem] = []
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.banner = QLabel()
        self.banner.setStyleSheet(ALERT)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.edit_button = QPushButton(self.tr("New version…"))
        self.edit_button.clicked.connect(self.edit_selected)
        hint = QLabel(self.tr("Shipped templates are files under resources/protocols; versions saved here are "
                              "added on top. A plan keeps the versions it was made from."))
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.dialog: ProtocolEditorDialog | None = None
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(protocol_versions.list_templates, self.app.ctx, owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def _loaded(self, items: list[TemplateItem]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            versions = " · ".join(
                f"v{v.version} " + (self.tr("shipped") if v.source == "shipped" else
                                    self.tr("from %1").replace("%1", format_date(v.effective_from))
                                    + (f" ({v.created_by})" if v.created_by else "")
                                    + (f": {v.note}" if v.note else "")) for v in item.versions)
            cells = (self.tr(KIND_LABELS[item.kind]), item.name,
                     f"v{item.in_force}" if item.in_force is not None else self.tr("none"), versions)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, (item.kind, item.key))
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()

    def select(self, kind: str, key: str) -> None:
        for row, item in enumerate(self.items):
            if (item.kind, item.key) == (kind, key):
                self.table.selectRow(row)
                return

    def edit_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.items[rows[0].row()]
        self.app.runner.run(protocol_versions.template_draft, self.app.ctx, item.kind, item.key, owner=self,
                            on_done=self._open_editor, on_error=self._failed)

    def _open_editor(self, draft: TemplateDraft) -> None:
        self.dialog = ProtocolEditorDialog(self.app, draft, self)
        self.dialog.open()

