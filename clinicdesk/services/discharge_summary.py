"""A course's discharge summary gathered from the records (sessions, vitals, scores, incidents, medicines); PDF out."""

import re
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinicdesk.domain.discharge import (
    FOLLOW_UP_DAYS,
    LANGUAGES,
    Deviation,
    DischargeClinic,
    DischargePatient,
    DischargeSummary,
    IncidentNote,
    MedicineAdvice,
    PhaseSpan,
    SymptomPoint,
    TherapyDone,
    VitalsReading,
    check_language,
)
from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.patients import age_parts
from clinicdesk.domain.prescriptions import FOOD_TIMINGS, parse_frequency, plain_number
from clinicdesk.domain.roles import Action
from clinicdesk.reports.discharge_pdf import render_discharge_summary
from clinicdesk.services.consultation_records import note_context, open_json, patient_name
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone, library_in_force
from clinicdesk.store.models import AllergyRow, CentreRow, PatientRow, StaffRow
from clinicdesk.store.models_consultation import (
    ClinicalNoteRow,
    ConsultationRow,
    ConsultationVitalsRow,
    PrescriptionItemRow,
    PrescriptionRow,
)
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.store.models_therapy import (
    CarePlanRow,
    DosageRow,
    IncidentRow,
    OutcomeReportRow,
    SopStepRecordRow,
    VitalsRow,
)

SEX_LETTER = {"female": "F", "male": "M"}
_SHOWN_PLAN_STATUSES = ("completed", "active", "paused")  # preferred over planned or cancelled courses


def find_patient(session: Session, patient: str) -> PatientRow:
    """A patient by record id or by UHID (what the desk and the command line know)."""
    row = session.get(PatientRow, patient) or session.scalar(select(PatientRow).where(
        PatientRow.uhid == patient.strip().upper()))
    if row is None:
        raise NotFound(f"No patient with UHID or id '{patient}' is held in this clinic.")
    return row


def audit_key(patient: str) -> str:
    """The record id for an audit entry written before the patient is looked up; a UHID stays out of the log."""
    return patient if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", patient) else ""


def choose_plan(session: Session, patient_id: str, plan_id: str | None) -> CarePlanRow:
    """The named course, or the patient's latest completed/active one."""
    if plan_id:
        plan = session.get(CarePlanRow, plan_id)
        if plan is None or plan.patient_id != patient_id:
            raise NotFound("That course was not found for this patient.")
        return plan
    plans = session.scalars(select(CarePlanRow).where(CarePlanRow.patient_id == patient_id)
                            .order_by(CarePlanRow.start_date.desc(), CarePlanRow.id.desc())).all()
    if not plans:
        raise NotFound("This patient has no therapy course, so there is no discharge summary to print.")
    return next((plan for plan in plans if plan.status in _SHOWN_PLAN_STATUSES), plans[0])


def _medicine(row: PrescriptionItemRow) -> MedicineAdvice:
    frequency = parse_frequency(row.frequency_code)
    how = f"{frequency.code} ({frequency.label})"
    if FOOD_TIMINGS.get(row.food_timing):
        how += f", {FOOD_TIMINGS[row.food_timing]}"
    days = f"{row.duration_days} day" + ("" if row.duration_days == 1 else "s")
    return MedicineAdvice(row.drug_name, f"{plain_number(row.dose)} {row.dose_unit}", how, days, row.instructions)


def _float(value) -> float | None:
    return None if value is None else float(value)


def collect_discharge_summary(ctx: ServiceContext, session: Session, patient: PatientRow, plan: CarePlanRow, *,
                              language: str = "en") -> DischargeSummary:
    """Read the course's records inside the caller's transaction (callers check permission and audit)."""
    zone = centre_zone(session, plan.centre_id)
    centre = session.get(CentreRow, plan.centre_id)
    library = library_in_force(ctx, session, plan.centre_id)
    rows = list(plan.sessions)
    by_id = {row.id: row for row in rows}
    starts = dict(session.execute(select(AppointmentRow.id, AppointmentRow.start_at).where(
        AppointmentRow.id.in_([r.appointment_id for r in rows if r.appointment_id]))).all())

    def day_of(row) -> date:
        if row.started_at is not None:
            return to_local(row.started_at, zone).date()
        if row.appointment_id in starts:
            return to_local(starts[row.appointment_id], zone).date()
        return plan.start_date + timedelta(days=row.day_offset)

    def therapy_name(key: str) -> str:
        return library.therapies[key].name if key in library.therapies else key

    live = [row for row in rows if row.status != "cancelled"]
    days = {row.id: day_of(row) for row in rows}
    end_date = max((days[row.id] for row in live), default=plan.start_date)
    phases = []
    for phase in dict.fromkeys(row.phase for row in live):
        members = [row for row in live if row.phase == phase]
        phases.append(PhaseSpan(phase, min(days[r.id] for r in members), max(days[r.id] for r in members),
                                len(members), sum(r.status == "completed" for r in members)))
    session_ids = list(by_id)
    dosages: dict[str, list[str]] = {}
    for dose in session.scalars(select(DosageRow).where(DosageRow.session_id.in_(session_ids)).order_by(DosageRow.at)):
        dosages.setdefault(dose.session_id, []).append(f"{dose.medicine} {plain_number(dose.quantity)} {dose.unit}")
    done = sorted((row for row in rows if row.status == "completed"), key=lambda r: (days[r.id], r.seq))
    therapies = tuple(TherapyDone(days[r.id], therapy_name(r.therapy), r.phase, tuple(dosages.get(r.id, ())))
                      for r in done)

    vitals = [VitalsReading(to_local(v.at, zone).date(), v.moment, v.pulse_bpm, v.bp_systolic, v.bp_diastolic,
                            _float(v.temperature_c), _float(v.weight_kg))
              for v in session.scalars(select(VitalsRow).where(VitalsRow.session_id.in_(session_ids))
                                       .order_by(VitalsRow.at))]
    consult_vitals = session.scalars(select(ConsultationVitalsRow).where(
        ConsultationVitalsRow.patient_id == patient.id).order_by(ConsultationVitalsRow.at))
    vitals += [VitalsReading(to_local(v.at, zone).date(), "consultation", v.pulse_bpm, v.bp_systolic, v.bp_diastolic,
                             _float(v.temperature_c), _float(v.weight_kg))
               for v in consult_vitals if plan.start_date <= to_local(v.at, zone).date() <= end_date]
    vitals.sort(key=lambda v: (v.day, {"consultation": 0, "before": 1, "after": 2}.get(v.moment, 3)))
    vitals = list({(v.day, v.moment): v for v in reversed(vitals)}.values())[::-1]  # the day's first of each kind

    reports = {to_local(o.at, zone).date(): o for o in session.scalars(  # the day's last report stands for the day
        select(OutcomeReportRow).where(OutcomeReportRow.plan_id == plan.id).order_by(OutcomeReportRow.at))
        if o.symptom_scores}
    symptoms = tuple(SymptomPoint(day, tuple(o.symptom_scores.items())) for day, o in reports.items())

    deviations = []
    for record in session.scalars(select(SopStepRecordRow).where(SopStepRecordRow.session_id.in_(session_ids),
                                                                 SopStepRecordRow.deviation.is_(True))
                                  .order_by(SopStepRecordRow.at)):
        row = by_id[record.session_id]
        step = next((s for s in row.sop_steps if s.get("no") == record.step_no), {})
        what = " – ".join(part for part in (step.get("text") or f"Step {record.step_no}",
                                            record.reason) if part)
        deviations.append(Deviation(days[row.id], therapy_name(row.therapy), what))
    incidents = tuple(
        IncidentNote(to_local(i.occurred_at, zone).date(), i.severity, i.description, i.immediate_action, i.status)
        for i in session.scalars(select(IncidentRow).where(or_(IncidentRow.session_id.in_(session_ids),
                                                               IncidentRow.patient_id == patient.id))
                                 .order_by(IncidentRow.occurred_at))
        if i.session_id in by_id or plan.start_date <= to_local(i.occurred_at, zone).date() <= end_date)

    prescriptions = session.scalars(select(PrescriptionRow).where(PrescriptionRow.patient_id == patient.id)
                                    .order_by(PrescriptionRow.prescribed_at)).all()
    during = [rx for rx in prescriptions if to_local(rx.prescribed_at, zone).date() >= plan.start_date]
    chosen = during or prescriptions[-1:]
    medicines = tuple(_medicine(item) for rx in chosen for item in session.scalars(
        select(PrescriptionItemRow).where(PrescriptionItemRow.prescription_id == rx.id)
        .order_by(PrescriptionItemRow.line_no)))

    diagnoses, advice = _signed_note_lines(ctx, session, patient.id)
    follow_up, booked = _follow_up(session, patient.id, end_date, {r.appointment_id for r in rows}, zone)
    doctor = session.get(StaffRow, plan.doctor_id) if plan.doctor_id else None
    allergies = session.scalars(select(AllergyRow.substance).where(AllergyRow.patient_id == patient.id,
                                                                  AllergyRow.removed_at.is_(None))).all()
    today = to_local(ctx.now(), zone).date()
    return DischargeSummary(
        clinic=DischargeClinic(centre.name, tuple(part.strip() for part in centre.address.split(",")
                                                  if part.strip())[:3], centre.phone, centre.gstin or ""),
        patient=DischargePatient(
            patient_name(patient), patient.uhid,
            "{} {} / {}".format(*age_parts(patient.date_of_birth, today), SEX_LETTER.get(patient.sex, patient.sex[:1])),
            patient.name_local, patient.abha_number, tuple(allergies)),
        plan_id=plan.id, course_name=plan.name, course_status=plan.status, start_date=plan.start_date,
        end_date=end_date, doctor=doctor.full_name if doctor else "", phases=tuple(phases), therapies=therapies,
        vitals=tuple(vitals), symptoms=symptoms, deviations=tuple(deviations), incidents=incidents,
        medicines=medicines, diet_advice=advice, follow_up=follow_up, follow_up_booked=booked, diagnoses=diagnoses,
        issued_on=today, language=language, notes=plan.notes)


def _signed_note_lines(ctx: ServiceContext, session: Session, patient_id: str) -> tuple[tuple[str, ...],
                                                                                          tuple[str, ...]]:
    """(assessment lines, plan lines) of the patient's latest signed note: the diagnosis and the doctor's advice."""
    note = session.scalars(select(ClinicalNoteRow).join(ConsultationRow,
                                                        ConsultationRow.id == ClinicalNoteRow.consultation_id)
                           .where(ConsultationRow.patient_id == patient_id, ClinicalNoteRow.status == "signed")
                           .order_by(ClinicalNoteRow.signed_at.desc()).limit(1)).first()
    if note is None:
        return (), ()
    sections = open_json(ctx, note.sealed_sections, context=note_context(note.id))["sections"]
    return (tuple(s["text"] for s in sections.get("assessment", [])),
            tuple(s["text"] for s in sections.get("plan", [])))


def _follow_up(session: Session, patient_id: str, end_date: date, course_appointments: set, zone
               ) -> tuple[date, bool]:
    """The next booked visit after the course, else the usual review two weeks after the last session."""
    upcoming = session.scalars(select(AppointmentRow).where(
        AppointmentRow.patient_id == patient_id, AppointmentRow.status.not_in(("cancelled", "no_show", "rescheduled")))
        .order_by(AppointmentRow.start_at))
    for appointment in upcoming:
        day = to_local(appointment.start_at, zone).date()
        if day > end_date and appointment.id not in course_appointments:
            return day, True
    return end_date + timedelta(days=FOLLOW_UP_DAYS), False


def summary_language(patient: PatientRow, language: str | None) -> str:
    """The language asked for, else the patient's own if we print in it, else English."""
    if language:
        return check_language(language)
    return patient.preferred_language if patient.preferred_language in LANGUAGES else "en"


def discharge_summary_pdf(ctx: ServiceContext, patient: str, *, plan_id: str | None = None,
                          language: str | None = None) -> bytes:
    """The printable discharge summary of a course (A4 PDF); `patient` is a record id or a UHID."""
    ctx.authorise(Action.PATIENT_PRINT, entity="patient", entity_id=audit_key(patient))
    with ctx.unit_of_work() as session:
        row = find_patient(session, patient)
        plan = choose_plan(session, row.id, plan_id)
        summary = collect_discharge_summary(ctx, session, row, plan, language=summary_language(row, language))
        ctx.audit(session, "therapy.discharge_print", entity="care_plan", entity_id=plan.id,
                  detail=f"language={summary.language}")
    return render_discharge_summary(summary)
