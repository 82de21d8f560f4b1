"""Patient feedback after a session or a course, the complaint workflow, and practitioner ratings per month."""

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.feedback import (
    RATING_LABELS,
    ComplaintEvent,
    ComplaintStatus,
    FeedbackForm,
    FeedbackScope,
    check_feedback,
    check_response,
    next_complaint_status,
)
from clinicdesk.domain.roles import Action
from clinicdesk.domain.rules.model import Trigger
from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.feedback_dto import ComplaintItem, ComplaintResponseItem, PractitionerMonth
from clinicdesk.services.rule_actions import Subject, run_rules
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone, get_plan, get_session
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_feedback import ComplaintResponseRow, ComplaintRow, FeedbackRow
from clinicdesk.store.models_scheduling import AppointmentStaffRow

__all__ = ["assign_complaint", "list_complaints", "move_complaint", "open_complaint", "practitioner_ratings",
           "respond_to_complaint", "submit_feedback"]

_AFTER_SESSION = (SessionStatus.RECOVERY.value, SessionStatus.COMPLETED.value)
_OPEN = (ComplaintStatus.PENDING.value, ComplaintStatus.IN_PROGRESS.value, ComplaintStatus.RESOLVED.value)


def _refuse(field: str, message: str, label: str):
    raise ValidationError({field: message}, {field: label})


def _session_practitioner(session: Session, appointment_id: str | None) -> str | None:
    if appointment_id is None:
        return None
    return session.scalar(select(AppointmentStaffRow.staff_id).where(
        AppointmentStaffRow.appointment_id == appointment_id).order_by(AppointmentStaffRow.staff_id).limit(1))


def feedback_facts(form: FeedbackForm, therapy: str) -> dict[str, int | str]:
    """What the rules may read about a feedback form: the scores, the scope and the therapy, never the comment."""
    facts: dict[str, int | str] = {f"rating:{name}": value for name, value in form.ratings.items()}
    facts |= {"rating:lowest": min(form.ratings.values()), "recommend": form.recommend, "scope": form.scope.value}
    if therapy:
        facts["therapy"] = therapy
    return facts


def submit_feedback(ctx: ServiceContext, form: FeedbackForm, *, session_id: str | None = None,
                    plan_id: str | None = None) -> tuple[str, Changes]:
    """Keep a feedback form, then run the feedback rules (a low rating opens a complaint).

    After a session: `session_id` of a session in recovery or completed. After a course: `plan_id` of a plan with at
    least one completed session. Anonymous: the row keeps no patient, plan or session link, only the centre,
    practitioner and therapy (what the ratings per practitioner and the rules need).
    """
    ctx.authorise(Action.FEEDBACK_RECORD, entity="feedback")
    form = check_feedback(form)
    with ctx.unit_of_work() as session:
        if form.scope is FeedbackScope.SESSION:
            if session_id is None:
                _refuse("session_id", "must be chosen for feedback after a session", "Session")
            row, plan = get_session(session, session_id)
            if row.status not in _AFTER_SESSION:
                _refuse("session_id", "must have been run (in recovery or completed) before it is rated", "Session")
            practitioner_id, therapy = _session_practitioner(session, row.appointment_id), row.therapy
        else:
            if plan_id is None:
                _refuse("plan_id", "must be chosen for feedback after a course", "Course")
            plan, row = get_plan(session, plan_id), None
            if not any(s.status == SessionStatus.COMPLETED for s in plan.sessions):
                _refuse("plan_id", "must have at least one completed session before it is rated", "Course")
            practitioner_id, therapy = plan.doctor_id, plan.course_key
        linked = not form.anonymous
        feedback = FeedbackRow(
            id=ctx.make_id(), centre_id=plan.centre_id, scope=form.scope.value, anonymous=form.anonymous,
            patient_id=plan.patient_id if linked else None, plan_id=plan.id if linked else None,
            session_id=row.id if linked and row is not None else None, practitioner_id=practitioner_id,
            therapy=therapy, recommend=form.recommend, comment=form.comment, submitted_at=ctx.now(), **form.ratings)
        session.add(feedback)
        session.flush()
        feedback_id = feedback.id
        ctx.audit(session, "feedback.submit", entity="feedback", entity_id=feedback_id)
        subject = Subject(centre_id=plan.centre_id, source_id=feedback_id, feedback_id=feedback_id,
                          patient_id=plan.patient_id if linked else None, plan_id=plan.id if linked else None,
                          session_id=row.id if linked and row is not None else None,
                          doctor_id=plan.doctor_id)
        run_rules(ctx, session, Trigger.FEEDBACK_SUBMITTED, feedback_facts(form, therapy), subject)
        return feedback_id, Changes(therapy=True)


# --- complaints ------------------------------------------------------------------------------------------------

def open_complaint(ctx: ServiceContext, summary: str, *, patient_id: str | None = None,
                   centre_id: str | None = None) -> tuple[str, Changes]:
    """A complaint made at the desk or on the phone; it starts pending."""
    user = ctx.authorise(Action.FEEDBACK_RECORD, entity="complaint")
    summary = summary.strip()
    if not 5 <= len(summary) <= 300:
        _refuse("summary", "must say what the complaint is about (5-300 characters)", "Summary")
    now = ctx.now()
    with ctx.unit_of_work() as session:
        if patient_id is not None and session.get(PatientRow, patient_id) is None:
            raise NotFound("That patient no longer exists.")
        row = ComplaintRow(id=ctx.make_id(), centre_id=centre_id or user.centre_id, patient_id=patient_id,
                           feedback_id=None, summary=summary, status=ComplaintStatus.PENDING.value, owner_id=None,
                           source="desk", opened_at=now, updated_at=now)
        session.add(row)
        session.flush()
        ctx.audit(session, "complaint.open", entity="complaint", entity_id=row.id)
        return row.id, Changes(therapy=True)


def _complaint(session: Session, complaint_id: str) -> ComplaintRow:
    row = session.get(ComplaintRow, complaint_id)
    if row is None:
        raise NotFound("That complaint no longer exists.")
    return row


def _append_response(ctx: ServiceContext, session: Session, row: ComplaintRow, from_status: str, text: str) -> None:
    seq = len(session.scalars(select(ComplaintResponseRow.id).where(
        ComplaintResponseRow.complaint_id == row.id)).all()) + 1
    session.add(ComplaintResponseRow(id=ctx.make_id(), complaint_id=row.id, seq=seq, at=ctx.now(),
                                     by_staff_id=ctx.user.staff_id, from_status=from_status, to_status=row.status,
                                     text=text))
    row.updated_at = ctx.now()


def move_complaint(ctx: ServiceContext, complaint_id: str, event: str, *, response: str = "") -> Changes:
    """Start, resolve (saying how), close or reopen; whoever starts an unowned complaint becomes its owner."""
    user = ctx.authorise(Action.FEEDBACK_REVIEW, entity="complaint", entity_id=complaint_id)
    try:
        move = ComplaintEvent(event)
    except ValueError:
        raise ValidationError({"event": "must be one of: " + ", ".join(e.value for e in ComplaintEvent)}) from None
    with ctx.unit_of_work() as session:
        row = _complaint(session, complaint_id)
        before = row.status
        row.status = next_complaint_status(ComplaintStatus(before), move, response=response).value
        if move is ComplaintEvent.START and row.owner_id is None:
            row.owner_id = user.staff_id
        _append_response(ctx, session, row, before, response.strip())
        ctx.audit(session, f"complaint.{move.value}", entity="complaint", entity_id=row.id)
        return Changes(therapy=True)


def respond_to_complaint(ctx: ServiceContext, complaint_id: str, text: str) -> Changes:
    """A note of what was said or done, without changing the status; not on a closed complaint."""
    ctx.authorise(Action.FEEDBACK_REVIEW, entity="complaint", entity_id=complaint_id)
    text = check_response(text, required=True)
    with ctx.unit_of_work() as session:
        row = _complaint(session, complaint_id)
        if row.status == ComplaintStatus.CLOSED:
            _refuse("response", "cannot be added to a closed complaint", "Response")
        _append_response(ctx, session, row, row.status, text)
        ctx.audit(session, "complaint.respond", entity="complaint", entity_id=row.id)
        return Changes(therapy=True)


def assign_complaint(ctx: ServiceContext, complaint_id: str, owner_id: str) -> Changes:
    ctx.authorise(Action.FEEDBACK_REVIEW, entity="complaint", entity_id=complaint_id)
    with ctx.unit_of_work() as session:
        row = _complaint(session, complaint_id)
        if session.get(StaffRow, owner_id) is None:
            _refuse("owner_id", "must be a member of staff", "Owner")
        if row.status == ComplaintStatus.CLOSED:
            _refuse("owner_id", "cannot change on a closed complaint", "Owner")
        row.owner_id, row.updated_at = owner_id, ctx.now()
        ctx.audit(session, "complaint.assign", entity="complaint", entity_id=row.id)
        return Changes(therapy=True)


def _name(row: PatientRow | None) -> str:
    return f"{row.given_name} {row.family_name}".strip() if row else "Anonymous"


def list_complaints(ctx: ServiceContext, centre_id: str, *, open_only: bool = True) -> list[ComplaintItem]:
    """A centre's complaints, newest first, each with its responses; by default those not yet closed."""
    ctx.authorise(Action.FEEDBACK_REVIEW, entity="complaint")
    with ctx.unit_of_work() as session:
        query = select(ComplaintRow).where(ComplaintRow.centre_id == centre_id)
        if open_only:
            query = query.where(ComplaintRow.status.in_(_OPEN))
        rows = list(session.scalars(query.order_by(ComplaintRow.opened_at.desc(), ComplaintRow.id)))
        staff = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        patients = {p.id: p for p in session.scalars(select(PatientRow).where(
            PatientRow.id.in_({r.patient_id for r in rows if r.patient_id})))}
        responses = defaultdict(list)
        for response in session.scalars(select(ComplaintResponseRow).where(
                ComplaintResponseRow.complaint_id.in_([r.id for r in rows])).order_by(ComplaintResponseRow.seq)):
            responses[response.complaint_id].append(ComplaintResponseItem(
                response.at, staff.get(response.by_staff_id, ""), response.from_status, response.to_status,
                response.text))
        return [ComplaintItem(r.id, r.patient_id, _name(patients.get(r.patient_id)), r.summary, r.status,
                              r.owner_id, staff.get(r.owner_id, ""), r.source, r.opened_at, r.updated_at,
                              tuple(responses[r.id])) for r in rows]


# --- practitioner ratings ----------------------------------------------------------------------------------------

_DIMENSIONS = (*RATING_LABELS, "recommend")


def practitioner_ratings(ctx: ServiceContext, centre_id: str, *, since: date | None = None) -> list[PractitionerMonth]:
    """Per practitioner and calendar month (centre time): how many forms and the mean of each rating."""
    ctx.authorise(Action.FEEDBACK_REVIEW, entity="feedback")
    with ctx.unit_of_work() as session:
        zone = centre_zone(session, centre_id)
        columns = [getattr(FeedbackRow, name) for name in _DIMENSIONS]
        rows = session.execute(select(FeedbackRow.practitioner_id, FeedbackRow.submitted_at, *columns).where(
            FeedbackRow.centre_id == centre_id, FeedbackRow.practitioner_id.is_not(None))).all()
        names = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
    groups: dict[tuple[str, str], list[tuple[int, ...]]] = defaultdict(list)
    for practitioner_id, at, *scores in rows:
        local = to_local(at, zone)
        if since is None or local.date() >= since:
            groups[(practitioner_id, f"{local:%Y-%m}")].append(tuple(scores))
    result = []
    for (practitioner_id, month), scores in groups.items():
        averages = {name: round(sum(s[i] for s in scores) / len(scores), 2) for i, name in enumerate(_DIMENSIONS)}
        result.append(PractitionerMonth(practitioner_id, names.get(practitioner_id, ""), month, len(scores),
                                        averages))
    return sorted(result, key=lambda m: (m.practitioner_name, m.practitioner_id, m.month))
