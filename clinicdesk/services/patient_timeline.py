"""A patient's merged timeline: appointments, therapy sessions, signed notes, labs, documents, forms; newest first."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action, may
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import AssessmentRow, ConsentRow, PatientDocumentRow, PatientRow, StaffRow
from clinicdesk.store.models_clinical_inbox import IntakeFormResponseRow, IntakeFormVersionRow, LabResultRow
from clinicdesk.store.models_consultation import ClinicalNoteRow, ConsultationRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow
from clinicdesk.store.models_therapy import CarePlanRow, PlanSessionRow

KINDS = ("appointment", "session", "note", "lab", "document", "form", "assessment", "consent", "registered")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str  # never sealed content: a note shows who signed it, not what it says
    ref_id: str
    flag: str = ""  # a lab result's normal / abnormal / critical


@dataclass(frozen=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]
    offset: int
    has_more: bool
    kinds: tuple[str, ...]  # the kinds this user may see (labs and notes need their own permission)


Fetch = Callable[[Session, str, int, datetime], Iterable[TimelineEntry]]


def _rows(session: Session, query: Select, limit: int):
    return session.execute(query.limit(limit)).all()


def _appointments(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    in_plan = select(PlanSessionRow.appointment_id).where(PlanSessionRow.appointment_id.is_not(None))
    query = (select(AppointmentRow.id, AppointmentRow.start_at, AppointmentRow.status, ServiceRow.name)
             .join(ServiceRow, ServiceRow.id == AppointmentRow.service_id)
             .where(AppointmentRow.patient_id == patient_id, AppointmentRow.id.not_in(in_plan),
                    AppointmentRow.start_at <= upto)
             .order_by(AppointmentRow.start_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.start_at, "appointment", f"{r.name} — {r.status.replace('_', ' ')}", r.id)


def _sessions(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(PlanSessionRow.id, PlanSessionRow.therapy, PlanSessionRow.phase, PlanSessionRow.status,
                    AppointmentRow.start_at, CarePlanRow.name)
             .join(CarePlanRow, CarePlanRow.id == PlanSessionRow.plan_id)
             .join(AppointmentRow, AppointmentRow.id == PlanSessionRow.appointment_id)
             .where(CarePlanRow.patient_id == patient_id, AppointmentRow.start_at <= upto)
             .order_by(AppointmentRow.start_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.start_at, "session", f"{r.therapy.replace('_', ' ').capitalize()} ({r.phase}) — "
                            f"{r.status.replace('_', ' ')} · {r.name}", r.id)


def _notes(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(ClinicalNoteRow.id, ClinicalNoteRow.signed_at, ClinicalNoteRow.version, StaffRow.full_name)
             .join(ConsultationRow, ConsultationRow.id == ClinicalNoteRow.consultation_id)
             .join(StaffRow, StaffRow.id == ClinicalNoteRow.signed_by)
             .where(ConsultationRow.patient_id == patient_id, ClinicalNoteRow.status == "signed",
                    ClinicalNoteRow.signed_at.is_not(None))
             .order_by(ClinicalNoteRow.signed_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.signed_at, "note", f"Consultation note signed by {r.full_name} (version {r.version})",
                            r.id)


def _labs(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(LabResultRow.id, LabResultRow.entered_at, LabResultRow.taken_on, LabResultRow.test,
                    LabResultRow.value_text, LabResultRow.unit, LabResultRow.flag)
             .where(LabResultRow.patient_id == patient_id).order_by(LabResultRow.entered_at.desc()))
    for r in _rows(session, query, limit):
        value = f"{r.value_text} {r.unit}".strip()
        yield TimelineEntry(r.entered_at, "lab", f"{r.test}: {value} — {r.flag} (taken {r.taken_on:%d %b %Y})",
                            r.id, r.flag)


def _documents(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(PatientDocumentRow.id, PatientDocumentRow.added_at, PatientDocumentRow.title)
             .where(PatientDocumentRow.patient_id == patient_id).order_by(PatientDocumentRow.added_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.added_at, "document", f"Document added: {r.title}", r.id)


def _forms(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(IntakeFormResponseRow.id, IntakeFormResponseRow.filled_at, IntakeFormVersionRow.title,
                    IntakeFormVersionRow.version)
             .join(IntakeFormVersionRow, IntakeFormVersionRow.id == IntakeFormResponseRow.form_version_id)
             .where(IntakeFormResponseRow.patient_id == patient_id).order_by(IntakeFormResponseRow.filled_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.filled_at, "form", f"Form filled: {r.title} (version {r.version})", r.id)


def _assessments(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(AssessmentRow.id, AssessmentRow.assessed_at, AssessmentRow.prakriti)
             .where(AssessmentRow.patient_id == patient_id).order_by(AssessmentRow.assessed_at.desc()))
    for r in _rows(session, query, limit):
        yield TimelineEntry(r.assessed_at, "assessment", f"Ayurvedic assessment: {r.prakriti}", r.id)


def _consents(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    query = (select(ConsentRow.id, ConsentRow.given_at, ConsentRow.kind, ConsentRow.withdrawn_at)
             .where(ConsentRow.patient_id == patient_id)
             # by each row's latest entry, so a recent withdrawal of an old consent is not cut off the page
             .order_by(func.coalesce(ConsentRow.withdrawn_at, ConsentRow.given_at).desc()))
    for r in _rows(session, query, limit):
        kind = r.kind.replace("_", " ")
        yield TimelineEntry(r.given_at, "consent", f"Consent given: {kind}", r.id)
        if r.withdrawn_at:
            yield TimelineEntry(r.withdrawn_at, "consent", f"Consent withdrawn: {kind}", r.id)


def _registered(session: Session, patient_id: str, limit: int, upto: datetime) -> Iterable[TimelineEntry]:
    created = session.scalar(select(PatientRow.created_at).where(PatientRow.id == patient_id))
    return [TimelineEntry(created, "registered", "Registered", patient_id)] if created and limit else []


_FETCHERS: dict[str, Fetch] = {"appointment": _appointments, "session": _sessions, "note": _notes, "lab": _labs,
                               "document": _documents, "form": _forms, "assessment": _assessments,
                               "consent": _consents, "registered": _registered}
# Kinds whose very existence and wording are clinical: shown only to roles that may read them elsewhere.
_NEEDS = {"lab": Action.LAB_VIEW, "note": Action.CONSULT_VIEW}


def load_timeline(ctx: ServiceContext, patient_id: str, *, kinds: Iterable[str] = (), offset: int = 0,
                  limit: int = PAGE_SIZE, upcoming: bool = False) -> TimelinePage:
    """One page of the merged timeline, newest first; `kinds` filters (empty: every kind this user may see).

    What has happened, up to now; `upcoming` also lists booked appointments and sessions still to come."""
    user = ctx.authorise(Action.PATIENT_VIEW, entity="patient", entity_id=patient_id)
    wanted = tuple(kinds) or KINDS
    unknown = [k for k in wanted if k not in KINDS]
    if unknown or offset < 0 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError({"filter": f"kinds must be among {', '.join(KINDS)}; offset from 0; "
                                         f"page size 1 to {MAX_PAGE_SIZE}"}, {"filter": "Timeline filter"})
    visible = tuple(k for k in KINDS if k not in _NEEDS or may(user.role, _NEEDS[k]))
    chosen = [k for k in wanted if k in visible]
    # Any entry of the merged top (offset + limit + 1) is within the top (offset + limit + 1) of its own kind, so
    # each kind is read newest first with that bound, merged, and cut: a page never loads the whole chart.
    need = offset + limit + 1
    with ctx.unit_of_work() as session:
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("This patient record no longer exists.")
        upto = datetime.max.replace(tzinfo=UTC) if upcoming else ctx.now()
        merged = [e for kind in chosen for e in _FETCHERS[kind](session, patient_id, need, upto)]
        ctx.audit(session, "patient.timeline_view", entity="patient", entity_id=patient_id)
    merged.sort(key=lambda e: (e.at, e.kind, e.ref_id), reverse=True)
    return TimelinePage(tuple(merged[offset:offset + limit]), offset, len(merged) > offset + limit, visible)
