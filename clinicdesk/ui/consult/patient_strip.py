"""Always in view during a consultation: who the patient is, what they react to, what they take, last visit."""

from html import escape

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from clinicdesk.services.consultation_dto import ConsultationSummary
from clinicdesk.ui.consult.touch import set_points


def allergies_html(summary: ConsultationSummary) -> str:
    if not summary.allergies:
        return "<b>Allergies:</b> none recorded"
    items = ", ".join(f"{escape(a.substance)}" + (f" ({escape(a.reaction)})" if a.reaction else "")
                      for a in summary.allergies)
    return f"<b style='color:#b3261e'>Allergies:</b> <span style='color:#b3261e'>{items}</span>"


def medications_html(summary: ConsultationSummary) -> str:
    if not summary.medications:
        return "<b>Current medicines:</b> none recorded"
    return "<b>Current medicines:</b> " + ", ".join(
        escape(" ".join(part for part in (m.name, m.dose, m.frequency) if part)) for m in summary.medications)


def previous_html(summary: ConsultationSummary) -> str:
    visit = summary.previous_visit
    if visit is None:
        return "<b>Last visit:</b> first consultation"
    when = f"{visit.started_at:%d %b %Y}" if visit.started_at else ""
    said = "; ".join(escape(part) for part in (visit.chief_complaint, visit.assessment, visit.plan) if part)
    given = (" — prescribed " + escape(", ".join(visit.prescribed))) if visit.prescribed else ""
    return f"<b>Last visit</b> {when} ({escape(visit.doctor_name)}): {said or 'no note'}{given}"


class PatientStrip(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("patientStrip")
        self.setStyleSheet("#patientStrip { background: #f3f6fa; border-bottom: 1px solid #c5ccd6; }")
        self.name = QLabel()
        set_points(self.name, 20, bold=True)
        self.allergies = QLabel()
        self.medications = QLabel()
        self.previous = QLabel()
        column = QWidget()
        details = QVBoxLayout(column)
        details.setContentsMargins(0, 0, 0, 0)
        for label in (self.allergies, self.medications, self.previous):
            label.setWordWrap(True)
            set_points(label, 13)
            details.addWidget(label)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.name)
        layout.addWidget(column)
        self.show_summary(None)

    def show_summary(self, summary: ConsultationSummary | None) -> None:
        if summary is None:
            self.name.setText(self.tr("No patient"))
            for label in (self.allergies, self.medications, self.previous):
                label.clear()
            return
        self.name.setText(summary.patient_name)
        self.allergies.setText(allergies_html(summary))
        self.medications.setText(medications_html(summary))
        self.previous.setText(previous_html(summary))
