"""The patient-reported outcome after a session: symptom scores 0-10, energy, sleep, digestion and side effects."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.services import outcomes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text

TOUCH = 56
DEFAULT_SYMPTOMS = ("Joint pain", "Stiffness", "Bloating", "")  # the last row is free for another symptom
NOT_ASKED = -1


def _score_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(NOT_ASKED, 10)
    box.setSpecialValueText("—")  # not asked: the service keeps None, not a zero
    box.setValue(NOT_ASKED)
    box.setMinimumHeight(TOUCH)
    box.setMinimumWidth(120)
    font = box.font()
    font.setPointSize(18)
    box.setFont(font)
    return box


class OutcomeDialog(QDialog):
    saved = Signal(str)  # outcome report id

    def __init__(self, app: AppContext, plan_id: str, session_id: str | None = None, *,
                 symptoms: tuple[str, ...] = DEFAULT_SYMPTOMS, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.plan_id, self.session_id = app, plan_id, session_id
        self.setWindowTitle(self.tr("Patient-reported outcome"))
        self.resize(720, 640)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Symptom (0 none – 10 worst)")), 0, 0)
        self.symptoms: list[tuple[QLineEdit, QSpinBox]] = []
        for row, name in enumerate(symptoms, start=1):
            edit = QLineEdit(name)
            edit.setMinimumHeight(TOUCH)
            edit.setPlaceholderText(self.tr("Another symptom"))
            box = _score_box()
            grid.addWidget(edit, row, 0)
            grid.addWidget(box, row, 1)
            self.symptoms.append((edit, box))
        self.scores: dict[str, QSpinBox] = {}
        base = len(symptoms) + 1
        for offset, (name, label) in enumerate((("energy", "Energy (0 exhausted – 10 full)"),
                                                ("sleep", "Sleep (0 none – 10 restful)"),
                                                ("digestion", "Digestion (0 very poor – 10 good)"))):
            self.scores[name] = _score_box()
            grid.addWidget(QLabel(self.tr(label)), base + offset, 0)
            grid.addWidget(self.scores[name], base + offset, 1)
        self.side_effects = QPlainTextEdit()
        self.side_effects.setPlaceholderText(self.tr("Side effects, in the patient's words"))
        self.side_effects.setMaximumHeight(120)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.save_button = QPushButton(self.tr("Save outcome"))
        self.save_button.setMinimumHeight(TOUCH)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setMinimumHeight(TOUCH)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(QLabel(self.tr("Side effects")))
        layout.addWidget(self.side_effects)
        layout.addWidget(self.banner)
        layout.addWidget(self.save_button)
        layout.addWidget(cancel)

    def report(self) -> OutcomeReport:
        scores = {edit.text().strip(): box.value() for edit, box in self.symptoms
                  if edit.text().strip() and box.value() != NOT_ASKED}

        def score(name: str) -> int | None:
            value = self.scores[name].value()
            return None if value == NOT_ASKED else value

        return OutcomeReport(scores, score("energy"), score("sleep"), score("digestion"),
                             self.side_effects.toPlainText())

    def save(self) -> None:
        self.banner.hide()
        self.app.runner.run(outcomes.record_outcome, self.app.ctx, self.plan_id, self.report(),
                            session_id=self.session_id, owner=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, result) -> None:
        report_id, _changes = result
        self.saved.emit(report_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()
