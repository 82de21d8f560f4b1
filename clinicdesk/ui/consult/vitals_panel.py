"""Vitals taken in the consultation: big number fields, then the BMI and any alert in plain words."""

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from clinicdesk.services import consultations
from clinicdesk.services.consultation_dto import VitalsResult
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.touch import big_button, set_points
from clinicdesk.ui.tasks import error_text

FIELDS = (("bp_systolic", "BP systolic (mmHg)"), ("bp_diastolic", "BP diastolic (mmHg)"), ("pulse_bpm", "Pulse (/min)"),
          ("temperature_f", "Temperature (°F)"), ("spo2_percent", "SpO₂ (%)"), ("respiratory_rate", "Breaths (/min)"),
          ("height_cm", "Height (cm)"), ("weight_kg", "Weight (kg)"))
ALERT_COLOURS = {"critical": "#b3261e", "warning": "#8a4b00"}


class VitalsPanel(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.consultation_id: str | None = None
        self.inputs: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        for index, (name, label) in enumerate(FIELDS):
            field = QLineEdit()
            field.setMinimumHeight(48)
            field.setAccessibleName(self.tr(label))
            set_points(field, 16)
            self.inputs[name] = field
            caption = QLabel(self.tr(label))
            set_points(caption, 14)
            grid.addWidget(caption, index // 2, (index % 2) * 2)
            grid.addWidget(field, index // 2, (index % 2) * 2 + 1)
        self.save_button = big_button(self.tr("Save vitals"))
        self.save_button.clicked.connect(self.save)
        self.result = QLabel()
        self.result.setWordWrap(True)
        set_points(self.result, 15)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.save_button)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def show_consultation(self, consultation_id: str | None) -> None:
        self.consultation_id = consultation_id
        for field in self.inputs.values():
            field.clear()
        self.result.clear()
        self.save_button.setEnabled(consultation_id is not None)

    def save(self) -> None:
        values = {name: field.text().strip() or None for name, field in self.inputs.items()}
        self.app.runner.run(consultations.record_vitals, self.app.ctx, self.consultation_id, **values, owner=self,
                            on_done=lambda result: self._saved(result[0]), on_error=self._failed)

    def _saved(self, result: VitalsResult) -> None:
        lines = []
        if result.bmi is not None:
            lines.append(self.tr("BMI %1 (%2)").replace("%1", f"{result.bmi}").replace("%2", result.bmi_category))
        for alert in result.alerts:
            colour = ALERT_COLOURS.get(str(alert.level), "#8a4b00")
            lines.append(f"<span style='color:{colour}; font-weight:bold'>{alert.message}</span>")
        self.result.setText("<br>".join(lines) or self.tr("Saved. No values outside the usual range."))

    def _failed(self, exc: BaseException) -> None:
        self.result.setText(f"<span style='color:#b3261e; font-weight:bold'>{error_text(exc)}</span>")
