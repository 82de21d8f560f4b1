"""Ayurvedic assessment: the versioned assessment form (prakriti, vikriti, findings), live Vata/Pitta/Kapha result."""

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.form_mappings import assessment_fields, prakriti_score
from clinicdesk.domain.prakriti import Dosha
from clinicdesk.domain.roles import Action
from clinicdesk.services.assessment_form import assessment_form, record_assessment_form
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.labs.form_renderer import FormRenderer
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.dosha_bar import DoshaBar
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors


class AssessmentTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        # The questions are data (resources/intake_forms/ayurvedic_assessment.v*.json); the newest version shows.
        self.form = assessment_form()
        self.renderer = FormRenderer(self.form)
        self.renderer.changed.connect(self._update_result)
        self.questions_area = self.renderer
        self.prakriti_keys = {q.field.removeprefix("prakriti."): q.key for q in self.form.questions()
                              if q.field.startswith("prakriti.")}
        self.agni = self.renderer.inputs["agni"]  # the findings are questions of the form now

        self.bar = DoshaBar()
        self.constitution = QLabel()
        self.constitution.setObjectName("pageTitle")
        self.answered = QLabel()
        self.answered.setObjectName("muted")
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
        self.form_note = QLabel(self.tr("%1, version %2").replace("%1", self.form.title)
                                .replace("%2", str(self.form.version)))
        self.form_note.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        side = QWidget()
        side.setFixedWidth(330)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(result_box)
        side_layout.addWidget(self.form_note)
        side_layout.addStretch(1)
        side_layout.addWidget(self.banner)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.latest)

        layout = QHBoxLayout(self)
        layout.addWidget(self.renderer, 1)
        layout.addWidget(side)
        self.errors = FieldErrors(self.banner, {"prakriti": self.renderer})
        self._update_result()

    def answers(self) -> dict[str, str]:
        """The constitution answers so far by questionnaire item ("frame": "vata"), as the assessment row keeps them."""
        return assessment_fields(self.form, self.renderer.answers()).prakriti_answers

    def answer(self, key: str, dosha: Dosha) -> None:
        self.renderer.inputs[self.prakriti_keys[key]].set_value(dosha.value)

    def clear_answers(self) -> None:
        self.renderer.clear_answers()
        self.errors.clear()
        self._update_result()

    def _update_result(self, *_args) -> None:
        score = prakriti_score(self.form, self.renderer.answers())
        self.bar.set_score(score)
        self.constitution.setText(score.constitution() or "—")
        self.answered.setText(self.tr("%1 of %2 questions answered").replace("%1", str(score.total))
                              .replace("%2", str(len(self.prakriti_keys))))

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
        self.renderer.show_problems({})
        self.app.runner.run(record_assessment_form, self.app.ctx, self.patient_id, self.renderer.answers(),
                            version=self.form.version, owner=self, on_done=lambda _: self._saved(),
                            on_error=self._refused)

    def _saved(self) -> None:
        # The answers stay on screen so the practitioner can see what was saved; the summary below updates.
        self.errors.clear()

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.renderer.show_problems(exc.problems)
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
