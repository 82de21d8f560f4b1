"""A saved prescription as the printed page: letterhead, doctor, patient, medicines, advice; PDF bytes out."""

from sqlalchemy import select

from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.patients import age_parts
from clinicdesk.domain.prescriptions import FOOD_TIMINGS, parse_frequency, plain_number
from clinicdesk.domain.roles import Action
from clinicdesk.reports.prescription_pdf import (
    ClinicLetterhead,
    PrescribedPatient,
    Prescriber,
    PrescriptionDocument,
    PrescriptionItem,
    render_prescription,
)
from clinicdesk.services.consultation_records import latest_note, note_context, open_json, patient_name
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import CentreRow, PatientRow, PractitionerProfileRow, StaffRow
from clinicdesk.store.models_consultation import PrescriptionItemRow, PrescriptionRow

SEX_LETTER = {"female": "F", "male": "M"}


def _item(row: PrescriptionItemRow) -> PrescriptionItem:
    frequency = parse_frequency(row.frequency_code)
    how = f"{frequency.code} ({frequency.label})"
    if FOOD_TIMINGS.get(row.food_timing):
        how += f", {FOOD_TIMINGS[row.food_timing]}"
    days = f"{row.duration_days} day" + ("" if row.duration_days == 1 else "s")
    return PrescriptionItem(drug=row.drug_name, dose=f"{plain_number(row.dose)} {row.dose_unit}", frequency=how,
                            duration=days, route=row.route.capitalize(), instructions=row.instructions)


def build_prescription_document(ctx: ServiceContext, prescription_id: str) -> PrescriptionDocument:
    ctx.authorise(Action.CONSULT_VIEW, entity="prescription", entity_id=prescription_id)
    with ctx.unit_of_work() as session:
        prescription = session.get(PrescriptionRow, prescription_id)
        if prescription is None:
            raise NotFound("This prescription no longer exists.")
        patient = session.get(PatientRow, prescription.patient_id)
        centre = session.get(CentreRow, patient.centre_id)
        doctor = session.get(StaffRow, prescription.prescribed_by)
        profile = session.get(PractitionerProfileRow, doctor.id)
        items = session.scalars(select(PrescriptionItemRow).where(
            PrescriptionItemRow.prescription_id == prescription_id).order_by(PrescriptionItemRow.line_no)).all()
        note = latest_note(session, prescription.consultation_id)
        sections = open_json(ctx, note.sealed_sections, context=note_context(note.id))["sections"] if note else {}
        day = to_local(prescription.prescribed_at, centre_zone(session, centre.id)).date()
        ctx.audit(session, "consult.prescription_print", entity="prescription", entity_id=prescription_id)
        return PrescriptionDocument(
            letterhead=ClinicLetterhead(
                name=centre.name, address_lines=tuple(line.strip() for line in centre.address.split(",")
                                                      if line.strip())[:3],
                phone=centre.phone, registration_number="", gstin=centre.gstin or None),
            doctor=Prescriber(name=doctor.full_name, qualification=profile.qualifications if profile else "",
                              registration_number=profile.licence_number if profile else ""),
            patient=PrescribedPatient(
                name=patient_name(patient), uhid=patient.uhid, name_local=patient.name_local,
                age_sex="{} {} / {}".format(*age_parts(patient.date_of_birth, day),
                                            SEX_LETTER.get(patient.sex, patient.sex[:1]))),
            date=day, items=tuple(_item(row) for row in items),
            diagnosis=tuple(sentence["text"] for sentence in sections.get("assessment", [])),
            advice=tuple(sentence["text"] for sentence in sections.get("plan", [])))


def prescription_pdf(ctx: ServiceContext, prescription_id: str) -> bytes:
    """The printable prescription (A4 PDF, Hindi and Malayalam shaped)."""
    return render_prescription(build_prescription_document(ctx, prescription_id))
