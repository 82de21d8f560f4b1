"""A doctor's consultation: starting it, vitals with BMI and alerts, and the always-visible summary panel."""

from decimal import Decimal

from sqlalchemy import select

from clinicdesk.domain import vitals as vital_rules
from clinicdesk.domain.consultations import ConsultationEvent, ConsultationStatus
from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_dto import (
    ConsultationItem,
    ConsultationSummary,
    PreviousVisit,
    VitalsResult,
)
from clinicdesk.services.consultation_records import (
    advance,
    load_consultation,
    note_context,
    open_json,
    patient_name,
    patient_row,
    require_open,
    staff_names,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.patient_records import load_profile_parts
from clinicdesk.store.models_consultation import (
    ClinicalNoteRow,
    ConsultationRow,
    ConsultationVitalsRow,
    PrescriptionItemRow,
    PrescriptionRow,
)
from clinicdesk.store.models_scheduling import AppointmentRow


def start_consultation(ctx: ServiceContext, patient_id: str, appointment_id: str | None = None) -> tuple[
        ConsultationItem, Changes]:
    """The patient is called in: a consultation by the signed-in clinician, in the appointment's room if booked."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="patient", entity_id=patient_id)
    now = ctx.now()
    with ctx.unit_of_work(write_lock=True) as session:
        patient = patient_row(session, patient_id)
        room_id = None
        if appointment_id is not None:
            appointment = session.get(AppointmentRow, appointment_id)
            if appointment is None or appointment.patient_id != patient_id:
                raise ValidationError({"appointment": "is not one of this patient's appointments"},
                                      {"appointment": "Appointment"})
            running = session.scalar(select(ConsultationRow.id).where(
                ConsultationRow.appointment_id == appointment_id,
                ConsultationRow.status != ConsultationStatus.SIGNED.value))
            if running is not None:
                raise ValidationError({"appointment": "already has a consultation in progress; open that one"},
                                      {"appointment": "Appointment"})
            room_id = appointment.room_id
        row = ConsultationRow(id=ctx.make_id(), centre_id=patient.centre_id, patient_id=patient_id,
                              appointment_id=appointment_id, doctor_id=user.staff_id, room_id=room_id,
                              status=ConsultationStatus.WAITING.value, created_at=now, updated_at=now)
        advance(row, ConsultationEvent.START, now)
        row.started_at = now
        session.add(row)
        ctx.audit(session, "consult.start", entity="consultation", entity_id=row.id)
        return _item(row, user.full_name), Changes(consultations=True)


def _item(row: ConsultationRow, doctor_name: str) -> ConsultationItem:
    return ConsultationItem(row.id, row.patient_id, row.appointment_id, row.doctor_id, doctor_name, row.status,
                            row.started_at, row.ended_at)


def list_consultations(ctx: ServiceContext, patient_id: str) -> list[ConsultationItem]:
    """A patient's consultations, newest first."""
    ctx.authorise(Action.CONSULT_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(ConsultationRow).where(ConsultationRow.patient_id == patient_id)
                               .order_by(ConsultationRow.created_at.desc(), ConsultationRow.id.desc())).all()
        names = staff_names(session, {r.doctor_id for r in rows})
        return [_item(r, names.get(r.doctor_id, "")) for r in rows]


def _decimal(value, name: str, problems: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        problems[name] = "must be a number"
        return None


def record_vitals(ctx: ServiceContext, consultation_id: str, *, bp_systolic=None, bp_diastolic=None,
                  pulse_bpm=None, temperature_c=None, temperature_f=None, spo2_percent=None, respiratory_rate=None,
                  height_cm=None, weight_kg=None) -> tuple[VitalsResult, Changes]:
    """Save what was measured (any subset); returns the BMI and the alerts the doctor should see now."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    problems: dict[str, str] = {}
    raw = dict(bp_systolic=bp_systolic, bp_diastolic=bp_diastolic, pulse_bpm=pulse_bpm, temperature_c=temperature_c,
               spo2_percent=spo2_percent, respiratory_rate=respiratory_rate, height_cm=height_cm, weight_kg=weight_kg)
    values = {name: _decimal(value, name, problems) for name, value in raw.items()}
    fahrenheit = _decimal(temperature_f, "temperature_c", problems)
    if fahrenheit is not None:
        if values["temperature_c"] is not None:
            problems["temperature_c"] = "was given in both °C and °F; give one"
        values["temperature_c"] = vital_rules.fahrenheit_to_celsius(fahrenheit)
    for name in ("bp_systolic", "bp_diastolic", "pulse_bpm", "spo2_percent", "respiratory_rate"):
        if values[name] is not None and values[name] != values[name].to_integral_value():
            problems[name] = "must be a whole number"
    if all(v is None for v in values.values()) and not problems:
        problems["vitals"] = "are empty: enter at least one measurement"
    if problems:
        raise ValidationError(problems, vital_rules.labels() | {"vitals": "Vitals"})
    reading = vital_rules.Vitals(**{name: (int(v) if v is not None and name in (
        "bp_systolic", "bp_diastolic", "pulse_bpm", "spo2_percent", "respiratory_rate") else v)
        for name, v in values.items()})
    problems = vital_rules.problems(reading)
    if problems:
        raise ValidationError(problems, vital_rules.labels())
    bmi = vital_rules.body_mass_index(reading.height_cm, reading.weight_kg)
    with ctx.unit_of_work() as session:
        row = load_consultation(session, consultation_id)
        require_open(row, "record vitals")
        vitals_id = ctx.make_id()
        session.add(ConsultationVitalsRow(id=vitals_id, consultation_id=row.id, patient_id=row.patient_id,
                                          **reading.__dict__, bmi=bmi, recorded_by=user.staff_id, at=ctx.now()))
        ctx.audit(session, "consult.vitals", entity="consultation", entity_id=row.id)
    return (VitalsResult(vitals_id, bmi, vital_rules.bmi_category(bmi) if bmi else "",
                         tuple(vital_rules.alerts(reading))), Changes(consultations=True))


def _first_lines(sections: dict, name: str) -> str:
    return " ".join(s["text"] for s in sections.get(name, []))


def consultation_summary(ctx: ServiceContext, patient_id: str, *,
                         current_consultation_id: str | None = None) -> ConsultationSummary:
    """Allergies, current medicines and the last visit before this one (its note and what was prescribed)."""
    ctx.authorise(Action.CONSULT_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        patient = patient_row(session, patient_id)
        parts = load_profile_parts(session, patient)
        query = select(ConsultationRow).where(ConsultationRow.patient_id == patient_id)
        if current_consultation_id is not None:
            query = query.where(ConsultationRow.id != current_consultation_id)
        last = session.scalars(query.order_by(ConsultationRow.created_at.desc(),
                                              ConsultationRow.id.desc()).limit(1)).first()
        previous = None
        if last is not None:
            note = session.scalars(select(ClinicalNoteRow).where(ClinicalNoteRow.consultation_id == last.id)
                                   .order_by(ClinicalNoteRow.version.desc()).limit(1)).first()
            sections = open_json(ctx, note.sealed_sections, context=note_context(note.id))["sections"] if note \
                else {}
            prescribed = session.scalars(select(PrescriptionItemRow.drug_name).join(
                PrescriptionRow, PrescriptionRow.id == PrescriptionItemRow.prescription_id).where(
                PrescriptionRow.consultation_id == last.id).order_by(PrescriptionRow.prescribed_at,
                                                                     PrescriptionItemRow.line_no)).all()
            previous = PreviousVisit(last.id, last.started_at, staff_names(session, {last.doctor_id}).get(
                last.doctor_id, ""), last.status, _first_lines(sections, "chief_complaint"),
                _first_lines(sections, "assessment"), _first_lines(sections, "plan"), tuple(prescribed))
        ctx.audit(session, "consult.summary", entity="patient", entity_id=patient_id)
        return ConsultationSummary(patient_id, patient_name(patient), parts["allergies"], parts["medications"],
                                   previous)


def get_consultation(ctx: ServiceContext, consultation_id: str) -> ConsultationItem:
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        row = load_consultation(session, consultation_id)
        return _item(row, staff_names(session, {row.doctor_id}).get(row.doctor_id, ""))
