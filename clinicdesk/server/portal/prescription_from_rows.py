"""A patient's synced prescription as the desk prints it: a PrescriptionDocument built from HQ's row states."""

from clinicdesk.reports.prescription_pdf import (
    ClinicLetterhead,
    PrescribedPatient,
    Prescriber,
    PrescriptionDocument,
    PrescriptionItem,
)
from clinicdesk.server.portal import rows
from clinicdesk.server.portal.consultation_notes import NoteOpener, latest_signed_sections
from clinicdesk.server.portal.record_scope import RecordScope
from clinicdesk.server.portal.record_values import age_sex, local_day, medicine_parts, patient_name


def letterhead(scope: RecordScope) -> ClinicLetterhead:
    centre = scope.centre
    return ClinicLetterhead(name=centre.get("name") or "", address_lines=scope.address_lines,
                            phone=centre.get("phone") or "", registration_number="",
                            gstin=centre.get("gstin") or None)


def _prescriber(scope: RecordScope, staff_id: str | None) -> Prescriber:
    # Qualifications and licence numbers live in practitioner_profiles, which the portal reads only once the
    # lead's rows.REFERENCE_TABLES lists it; until then the printed name stands alone.
    profile = {}
    if staff_id and "practitioner_profiles" in rows.REFERENCE_TABLES:
        profile = rows.reference_row(scope.session, scope.centre_id, "practitioner_profiles", staff_id) or {}
    return Prescriber(name=scope.staff_name(staff_id), qualification=profile.get("qualifications") or "",
                      registration_number=profile.get("licence_number") or "")


def _item(row: dict) -> PrescriptionItem:
    drug, dose, how, duration = medicine_parts(row)
    return PrescriptionItem(drug=drug, dose=dose, frequency=how, duration=duration,
                            route=(row.get("route") or "oral").capitalize(), instructions=row.get("instructions") or "")


def prescription_items(scope: RecordScope, prescription_ids) -> list[dict]:
    """The items of these prescriptions (ids the caller read for this patient), in print order."""
    items = scope.children("prescription_items", "prescription_id", prescription_ids)
    return sorted(items, key=lambda item: (item.get("prescription_id"), int(item.get("line_no") or 0)))


def build_prescription(scope: RecordScope, prescription: dict, notes: NoteOpener | None) -> PrescriptionDocument:
    """The printed prescription; the diagnosis and advice come from the visit's signed note when it can be opened
    (a draft never prints)."""
    day = local_day(prescription.get("prescribed_at"), scope.zone)
    sections = latest_signed_sections(scope, prescription.get("consultation_id"), notes) if notes else {}
    patient = scope.patient
    return PrescriptionDocument(
        letterhead=letterhead(scope), doctor=_prescriber(scope, prescription.get("prescribed_by")),
        patient=PrescribedPatient(name=patient_name(patient), uhid=patient.get("uhid") or "",
                                  name_local=patient.get("name_local") or "", age_sex=age_sex(patient, day)),
        date=day, items=tuple(_item(row) for row in prescription_items(scope, [prescription["id"]])),
        diagnosis=tuple(sections.get("assessment", ())), advice=tuple(sections.get("plan", ())))
