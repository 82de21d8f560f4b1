"""Table model for search results: a list of PatientSummary, cell text prepared once per result set."""

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject

from clinicdesk.services.patient_dto import PatientSummary
from clinicdesk.ui.formatting import age_sex, format_phone
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.widgets.list_model import Column, ListTableModel


def _name(p: PatientSummary) -> str:
    # The local-script name sits beside the English one so staff can match the patient's own spelling.
    return f"{p.display_name}  ·  {p.name_local}" if p.name_local else p.display_name


class PatientTableModel(ListTableModel):
    def __init__(self, today: Callable[[], date], parent: QObject | None = None):
        self._today = today
        super().__init__([
            Column(translate("PatientTableModel", "UHID"), lambda p: p.uhid),
            Column(translate("PatientTableModel", "Name"), _name, stretch=True),
            Column(translate("PatientTableModel", "Age / sex"), lambda p: age_sex(p.date_of_birth, p.sex,
                                                                                  self._today())),
            Column(translate("PatientTableModel", "Phone"), lambda p: format_phone(p.phone)),
            Column(translate("PatientTableModel", "ABHA number"), lambda p: p.abha_number),
        ], parent)

    def set_patients(self, patients: list[PatientSummary]) -> None:
        self.set_rows(patients)
