"""Ayurvedic assessment: the prakriti questionnaire as radio buttons, live Vata/Pitta/Kapha result, and saving."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.prakriti import (
    AGNI_CHOICES,
    KOSHTA_CHOICES,
    LEVEL_CHOICES,
    PRAKRITI_QUESTIONS,
    SLEEP_CHOICES,
    Dosha,
    score_answers,
)
from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.dosha_bar import DoshaBar
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.inputs import ChoiceCombo

_QUESTION_COLUMNS = 2


def _choice_combo(values: tuple[str, ...]) -> ChoiceCombo:
    return ChoiceCombo([("", translate("AssessmentTab", "Not assessed"))] +
                       [(v, translate("AssessmentChoices", v)) for v in values])


class AssessmentTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.groups: dict[str, QButtonGroup] = {}
        self.question_boxes: dict[str, QGroupBox] = {}

        questions = QWidget()
        grid = QGridLayout(questions)
        for i, question in enumerate(PRAKRITI_QUESTIONS):
            box = QGroupBox(translate("PrakritiQuestions", question.text))
            box_layout = QVBoxLayout(box)
            box_layout.setSpacing(2)
            group = QButtonGroup(self)
            for dosha, answer in question.options:
                radio = QRadioButton(translate("PrakritiQuestions", answer))
                radio.setProperty("dosha", dosha.value)
                radio.setToolTip(translate("Dosha", dosha.value.title()))
                group.addButton(radio)
                box_layout.addWidget(radio)
            group.buttonToggled.connect(self._update_result)
            self.groups[question.key] = group
            self.question_boxes[question.key] = box
            grid.addWidget(box, i // _QUESTION_COLUMNS, i % _QUESTION_COLUMNS)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(questions)
        self.questions_area = scroll

        self.bar = DoshaBar()
        self.constitution = QLabel()
        self.constitution.setObjectName("pageTitle")
        self.answered = QLabel()
        self.answered.setObjectName("muted")
        self.agni = _choice_combo(AGNI_CHOICES)
        self.koshta = _choice_combo(KOSHTA_CHOICES)
        self.sleep = _choice_combo(SLEEP_CHOICES)
        self.stress = _choice_combo(LEVEL_CHOICES)
        self.energy = _choice_combo(LEVEL_CHOICES)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("Observations (pulse, tongue, current complaints)…"))
        self.notes.setFixedHeight(80)
        self.banner = ErrorBanner()
        self.save_button = QPushButton(self.tr("Save assessment"))
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton(self.tr("Clear answers"))
        self.clear_button.clicked.connect(self.clear_answers)
        self.save_button.setVisible(app.may(Action.PATIENT_ASSESS))
        self.clear_button.setVisible(app.may(Action.PATIENT_ASSESS))
        self.latest = QLabel()
        self.latest.setWordWrap(True)
        self.latest.setObjectName("muted")

        result_box = QGroupBox(self.tr("Result"))
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.bar)
        result_layout.addWidget(self.constitution)
        result_layout.addWidget(self.answered)
        details = QGroupBox(self.tr("Digestion, sleep, stress, energy"))
        form = QFormLayout(details)
        form.addRow(self.tr("Agni"), self.agni)
        form.addRow(self.tr("Koshta"), self.koshta)
        form.addRow(self.tr("Sleep"), self.sleep)
        form.addRow(self.tr("Stress"), self.stress)
        form.addRow(self.tr("Energy"), self.energy)
        # Only the middle of the side panel scrolls: the result and the Save button stay in view, and the
        # window still fits a 1366 x 768 reception laptop.
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(details)
        middle_layout.addWidget(self.notes)
        middle_layout.addStretch(1)
        middle_scroll = QScrollArea()
        middle_scroll.setWidgetResizable(True)
        middle_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        middle_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        middle_scroll.setWidget(middle)
        middle_scroll.setMinimumHeight(60)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        side = QWidget()
        side.setFixedWidth(330)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(result_box)
        side_layout.addWidget(middle_scroll, 1)
        side_layout.addWidget(self.banner)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.latest)

        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(side)
        self.errors = FieldErrors(self.banner, {"prakriti": scroll, "agni": self.agni, "koshta": self.koshta,
                                                "sleep": self.sleep, "stress": self.stress, "energy": self.energy})
        self._update_result()

    def answers(self) -> dict[str, str]:
        chosen = {}
        for key, group in self.groups.items():
            button = group.checkedButton()
            if button is not None:
                chosen[key] = button.property("dosha")
        return chosen

    def answer(self, key: str, dosha: Dosha) -> None:
        for button in self.groups[key].buttons():
            if button.property("dosha") == dosha.value:
                button.setChecked(True)

    def clear_answers(self) -> None:
        for group in self.groups.values():
            group.setExclusive(False)  # an exclusive group refuses to uncheck its last button
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        for combo in (self.agni, self.koshta, self.sleep, self.stress, self.energy):
            combo.set_value("")
        self.notes.clear()
        self.errors.clear()
        self._update_result()

    def _update_result(self, *_args) -> None:
        answers = self.answers()
        score = score_answers({k: Dosha(v) for k, v in answers.items()})
        self.bar.set_score(score)
        self.constitution.setText(score.constitution() or "—")
        self.answered.setText(self.tr("%1 of %2 questions answered").replace("%1", str(len(answers)))
                              .replace("%2", str(len(PRAKRITI_QUESTIONS))))

    def set_profile(self, profile: PatientProfile) -> None:
        if profile.id != self.patient_id:
            self.clear_answers()
        self.patient_id = profile.id
        if profile.assessments:
            a = profile.assessments[0]
            self.latest.setText(self.tr("Last assessment: %1 on %2 by %3 (Vata %4, Pitta %5, Kapha %6).")
                                .replace("%1", a.prakriti).replace("%2", format_datetime(a.assessed_at, self.app.tz))
                                .replace("%3", a.assessed_by or "—").replace("%4", str(a.vata))
                                .replace("%5", str(a.pitta)).replace("%6", str(a.kapha)))
        else:
            self.latest.setText(self.tr("No assessment recorded yet."))

    def save(self) -> None:
        self.errors.clear()
        self.app.runner.run(patient_records.record_assessment, self.app.ctx, self.patient_id,
                            prakriti_answers=self.answers(), agni=self.agni.value(), koshta=self.koshta.value(),
                            sleep=self.sleep.value(), stress=self.stress.value(), energy=self.energy.value(),
                            notes=self.notes.toPlainText(), owner=self, on_done=lambda _: self._saved(),
                            on_error=self._refused)

    def _saved(self) -> None:
        # The answers stay on screen so the practitioner can see what was saved; the summary below updates.
        self.errors.clear()

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
