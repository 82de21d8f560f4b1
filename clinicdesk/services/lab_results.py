"""Lab results: enter one (flagged by the domain, report sealed as a patient document), list them, trend a test."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain import labs
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import notifications, patient_records
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_clinical_inbox import LabResultRow
from clinicdesk.store.models_consultation import ConsultationRow


@dataclass(frozen=True)
class LabReport:
    """A scanned or emailed report to attach; stored sealed with the patient's documents."""

    title: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class LabResultItem:
    id: str
    test: str
    taken_on: date
    value: str
    unit: str
    reference: str  # "13.0–17.0", "" when none was given
    flag: str
    note: str
    document_id: str | None
    entered_at: datetime
    entered_by: str
    alerted: str  # the doctor told about a critical result, "" otherwise


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _doctor_for(session: Session, patient_id: str, ordered_by: str | None) -> str | None:
    """Whoever ordered the test, or else the doctor of the patient's latest consultation."""
    if ordered_by:
        return ordered_by
    return session.scalar(select(ConsultationRow.doctor_id).where(ConsultationRow.patient_id == patient_id)
                          .order_by(ConsultationRow.created_at.desc()).limit(1))


def record_lab_result(ctx: ServiceContext, patient_id: str, entry: labs.LabEntry, *,
                      report: LabReport | None = None, ordered_by: str | None = None) -> tuple[str, Changes]:
    """Save a result with the domain's flag; a critical one alerts the patient's doctor. Returns its id."""
    user = ctx.authorise(Action.LAB_RECORD, entity="patient", entity_id=patient_id)
    number, flag = labs.evaluate(entry, today=ctx.now().date())
    if report is not None:
        patient_records.check_document(report.title, report.mime_type, report.content)
    if len(entry.note) > 2000:
        raise ValidationError({"note": "must be at most 2000 characters"}, {"note": "Note"})
    with ctx.unit_of_work() as session:
        patient = session.get(PatientRow, patient_id)
        if patient is None:
            raise NotFound("This patient record no longer exists.")
        if ordered_by and session.get(StaffRow, ordered_by) is None:
            raise ValidationError({"ordered_by": "must be a member of staff"}, {"ordered_by": "Ordered by"})
        document_id = None
        if report is not None:
            document_id = patient_records.store_document_in(ctx, session, patient_id, title=report.title,
                                                            mime_type=report.mime_type, content=report.content,
                                                            added_by=user.staff_id)
            ctx.audit(session, "patient.document_add", entity="patient", entity_id=patient_id)
        ref = entry.reference
        row = LabResultRow(id=ctx.make_id(), patient_id=patient_id, test=entry.test.strip(), taken_on=entry.taken_on,
                           value_text=entry.value.strip(), value_number=_text(number), unit=entry.unit.strip(),
                           ref_low=_text(ref.low), ref_high=_text(ref.high), critical_low=_text(ref.critical_low),
                           critical_high=_text(ref.critical_high), flag=flag.value, note=entry.note.strip(),
                           document_id=document_id, entered_at=ctx.now(), entered_by=user.staff_id)
        session.add(row)
        session.flush()
        ctx.audit(session, "lab.record", entity="patient", entity_id=patient_id, detail=f"flag: {flag.value}")
        if flag is labs.Flag.CRITICAL:
            doctor = _doctor_for(session, patient_id, ordered_by)
            if doctor:
                # The alert names the record and the test, never the value: it is read on a shared screen.
                notifications.alert_staff_in(ctx, session, doctor, f"Critical lab result for {patient.uhid}: "
                                             f"{row.test}. Open the patient's Labs tab and act today.",
                                             patient_id=patient_id)
                row.alerted_staff_id = doctor
            ctx.audit(session, "lab.critical_alert", entity="patient", entity_id=patient_id,
                      detail="doctor alerted" if doctor else "no doctor on record: shown on the profile")
        return row.id, Changes(patients=True, messages=flag is labs.Flag.CRITICAL)


def _item(row: LabResultRow, names: dict[str, str]) -> LabResultItem:
    ref = labs.ReferenceRange(_number(row.ref_low), _number(row.ref_high))
    return LabResultItem(row.id, row.test, row.taken_on, row.value_text, row.unit, ref.text(), row.flag, row.note,
                         row.document_id, row.entered_at, names.get(row.entered_by, ""),
                         names.get(row.alerted_staff_id or "", ""))


def list_lab_results(ctx: ServiceContext, patient_id: str, *, test: str = "") -> list[LabResultItem]:
    """A patient's results, newest first (optionally one test)."""
    ctx.authorise(Action.LAB_VIEW, entity="patient", entity_id=patient_id)
    query = select(LabResultRow).where(LabResultRow.patient_id == patient_id)
    if test:
        query = query.where(LabResultRow.test == test)
    with ctx.unit_of_work() as session:
        rows = session.scalars(query.order_by(LabResultRow.taken_on.desc(), LabResultRow.entered_at.desc())).all()
        ids = {r.entered_by for r in rows} | {r.alerted_staff_id for r in rows if r.alerted_staff_id}
        names = dict(session.execute(select(StaffRow.id, StaffRow.full_name).where(StaffRow.id.in_(ids))).all()) \
            if ids else {}
        ctx.audit(session, "lab.view", entity="patient", entity_id=patient_id)
        return [_item(r, names) for r in rows]


def trend_for_test(ctx: ServiceContext, patient_id: str, test: str) -> tuple[tuple[labs.TrendPoint, ...], str]:
    """The numeric results of one test, oldest first, and the direction of the last two."""
    ctx.authorise(Action.LAB_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        rows = session.execute(select(LabResultRow.taken_on, LabResultRow.value_number, LabResultRow.flag)
                               .where(LabResultRow.patient_id == patient_id, LabResultRow.test == test,
                                      LabResultRow.value_number.is_not(None))).all()
    return labs.trend(labs.TrendPoint(r.taken_on, Decimal(r.value_number), labs.Flag(r.flag)) for r in rows)

