"""Admin > Care rules: each rule in words, an editor that refuses an invalid rule with the reason, the firing log."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.rules.format import parse_rule, rule_to_text
from clinicdesk.domain.rules.wording import describe_evidence
from clinicdesk.services import rules
from clinicdesk.services.context import Changes
from clinicdesk.services.rule_dto import FiringItem, RuleItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row

NEW_RULE = {"key": "new-rule", "name": "A new care rule", "on": "outcome_reported",
            "when": [{"fact": "symptom:headache", "at_least": 7}], "then": [{"do": "call_patient", "within_hours": 24}]}
HELP = ("Facts: symptom:<name>, energy, sleep, digestion, therapy (outcome reports); rating:overall, "
        "rating:effectiveness, rating:practitioner, rating:facility, rating:staff, rating:value, rating:lowest, "
        "recommend, scope (feedback); adherence_percent (weekly). Comparisons: is, at_least, at_most, above, below. "
        "Actions: call_patient (within_hours), reduce_next_session, send_diet_alert, extra_reminders (count), "
        "propose_other_slots, open_complaint.")


def _evidence(item: FiringItem) -> str:
    return describe_evidence(tuple(sorted(item.evidence.items())))


_RESULT_WORDS = (("pending: task ", "not sent, a task instead"), ("task ", "task made"),
                 ("session ", "next session marked"), ("message ", "message queued"),
                 ("complaint ", "complaint opened"))


def _result(text: str) -> str:
    """The log keeps record ids; the screen says what happened."""
    words = next((words for prefix, words in _RESULT_WORDS if text.startswith(prefix)), text)
    return words + (", doctor alerted" if text.endswith(", doctor alerted") else "")


def _did(item: FiringItem) -> str:
    return "; ".join(f"{a['do'].replace('_', ' ')}: {_result(a['result'])}" for a in item.actions)


class CareRulesPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.rule_model = ListTableModel([
            Column(self.tr("Rule"), lambda r: r.name),
            Column(self.tr("Version"), lambda r: self.tr("starter") if r.version == 0 else str(r.version)),
            Column(self.tr("Saved by"), lambda r: r.saved_by or "—"),
            Column(self.tr("In words"), lambda r: r.words, stretch=True)], self)
        self.rule_table = QTableView()
        configure_table(self.rule_table, self.rule_model)
        self.rule_table.setWordWrap(True)  # the sentence is the point: two lines each, still a fixed height
        self.rule_table.verticalHeader().setDefaultSectionSize(46)
        self.rule_table.horizontalHeader().resizeSection(0, 230)
        self.rule_table.selectionModel().selectionChanged.connect(lambda *_: self._rule_selected())
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.words.setStyleSheet("font-size: 12pt; padding: 6px; background: #eef6ee; border-radius: 4px;")
        self.editor = QPlainTextEdit()
        self.editor.setFont(QFont("monospace", 10))
        self.editor.textChanged.connect(self._preview)
        self.check = QLabel()
        self.check.setWordWrap(True)
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #5f6368;")
        self.new_button = QPushButton(self.tr("New rule"))
        self.new_button.clicked.connect(lambda: self.editor.setPlainText(rule_to_text(parse_rule(NEW_RULE))))
        self.save_button = QPushButton(self.tr("Save as a new version"))
        self.save_button.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.words)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(self.check)
        editor_layout.addWidget(help_label)
        editor_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.rule_table)
        split.addWidget(editor_box)
        split.setSizes([220, 440])

        self.firing_model = ListTableModel([
            Column(self.tr("When"), lambda f: format_datetime(f.at, app.tz)),
            Column(self.tr("Rule"), lambda f: f"{f.rule_key} v{f.rule_version}"),
            Column(self.tr("Saw"), _evidence),
            Column(self.tr("Did"), _did, stretch=True)], self)
        self.firing_table = QTableView()
        configure_table(self.firing_table, self.firing_model)
        for column, width in enumerate((150, 190, 300)):
            self.firing_table.horizontalHeader().resizeSection(column, width)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, self.tr("Rules"))
        self.tabs.addTab(self.firing_table, self.tr("Firing log"))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.banner)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(rules.list_rules, self.app.ctx, owner=self, on_done=self._rules_loaded,
                            on_error=self._failed)
        self.app.runner.run(rules.list_firings, self.app.ctx, owner=self, on_done=self.firing_model.set_rows,
                            on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy or changes.settings:
            self.refresh()

    def _rules_loaded(self, items: list[RuleItem]) -> None:
        chosen = self.selected()
        self.rule_model.set_rows(items)
        keys = [r.key for r in items]
        if items:
            self.rule_table.selectRow(keys.index(chosen.key) if chosen and chosen.key in keys else 0)

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> RuleItem | None:
        return selected_row(self.rule_table)

    def _rule_selected(self) -> None:
        item = self.selected()
        if item is not None:
            self.editor.setPlainText(item.text)

    def _preview(self) -> None:
        """Checked as typed (pure, no database): the sentence it will read as, or exactly what is wrong."""
        try:
            words = rules.preview_rule(self.editor.toPlainText())
        except ValidationError as exc:
            self.words.setText(self.tr("(not a valid rule yet: see below)"))
            self.check.setText("✗ " + "; ".join(exc.messages()))
            self.check.setStyleSheet("color: #b3261e; font-weight: bold;")
            self.save_button.setEnabled(False)
            return
        self.words.setText(words)
        self.check.setText(self.tr("✓ A valid rule."))
        self.check.setStyleSheet("color: #1e7b34;")
        self.save_button.setEnabled(True)

    def save(self) -> None:
        self.banner.hide()
        self.app.runner.run(rules.save_rule, self.app.ctx, self.editor.toPlainText(), owner=self,
                            on_error=self._failed)
