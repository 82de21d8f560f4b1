"""Runs the care rules for one event inside the caller's transaction: logs each firing, then carries out its actions.

Tasks, session flags, complaints, messages to the patient and the firing log are written in the same transaction as
the record that triggered them, so a rule acts exactly once for each saved report or form. A message the
notifications service refuses (no consent for any channel, say) rolls back to a savepoint and becomes a desk task
saying why; so does every message when the notifications service is not installed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.feedback import ComplaintStatus
from clinicdesk.domain.rules.engine import Firing, evaluate
from clinicdesk.domain.rules.model import ActionKind, Rule, RuleAction, Trigger
from clinicdesk.domain.rules.wording import describe_evidence
from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.rule_store import rules_in_force
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models_feedback import ClinicianTaskRow, ComplaintRow, RuleFiringRow, SessionFlagRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow
from clinicdesk.store.models_therapy import CarePlanRow, PlanSessionRow

try:  # the sending service (issue 7 part 1); without it the feedback loop leaves a task for a person instead
    from clinicdesk.services import notifications as _notifications
except ImportError:  # pragma: no cover - depends on what is installed alongside
    _notifications = None

REDUCED_INTENSITY = "reduced_intensity"
DESK_TASK_HOURS = 24  # proposing other slots, sending by hand: within a working day
DIET_TEMPLATE, REMINDER_TEMPLATE = "diet_alert", "reminder_day_before"
ALERT_LENGTH = 280  # an in-app alert is a line or two, not the whole story
EXTRA_REMINDER_BEFORE = timedelta(hours=3)  # the usual reminder comes the day before; the extra one on the day
# The diet alert's {note}: the standard advice after a reaction to purgation or emesis, until the doctor calls.
DIET_NOTE = ("light, warm and easily digested food such as rice gruel (peya), sips of warm water, nothing oily, "
             "spicy, cold or heavy until your doctor calls you.")


@dataclass(frozen=True)
class Subject:
    """Whom and what the facts are about; patient None for anonymous feedback."""

    centre_id: str
    source_id: str  # the outcome report, feedback or plan evaluated
    patient_id: str | None = None
    plan_id: str | None = None
    session_id: str | None = None
    doctor_id: str | None = None
    feedback_id: str | None = None


@dataclass
class RuleRun:
    firing_ids: list[str] = field(default_factory=list)


def sending_available() -> bool:
    return _notifications is not None and hasattr(_notifications, "queue_message_in")


def _reason(rule: Rule, firing: Firing) -> str:
    """Why, for a task or complaint: the rule's name and what it saw (scores and ratings, never free text)."""
    return f"{rule.name} ({describe_evidence(firing.evidence)})"[:300]


def _task(ctx: ServiceContext, session: Session, subject: Subject, kind: str, *, hours: int, reason: str,
          firing_id: str | None, assignee_id: str | None = None) -> str:
    now = ctx.now()
    row = ClinicianTaskRow(id=ctx.make_id(), centre_id=subject.centre_id, kind=kind, patient_id=subject.patient_id,
                           assignee_id=assignee_id, due_at=now + timedelta(hours=hours), reason=reason,
                           firing_id=firing_id, created_at=now)
    session.add(row)
    return row.id


def _next_session(session: Session, subject: Subject) -> PlanSessionRow | None:
    """The plan's first session after this one that has not run yet (by day, then order within the day)."""
    if subject.plan_id is None:
        return None
    plan = session.get(CarePlanRow, subject.plan_id)
    current = session.get(PlanSessionRow, subject.session_id) if subject.session_id else None
    after = (current.day_offset, current.seq) if current else (-1, -1)
    waiting = (SessionStatus.COMPLETED.value, SessionStatus.CANCELLED.value)
    candidates = [s for s in plan.sessions if (s.day_offset, s.seq) > after and s.status not in waiting
                  and (current is None or s.id != current.id)]
    return min(candidates, key=lambda s: (s.day_offset, s.seq), default=None)


def _carry_out(ctx: ServiceContext, session: Session, rule: Rule, action: RuleAction,
               subject: Subject, firing_id: str, reason: str) -> str:
    """Does one action; returns what happened, in words, for the firing log."""
    kind = action.kind
    if kind is ActionKind.CALL_PATIENT:
        hours = action.param("within_hours")
        task_id = _task(ctx, session, subject, kind.value, hours=hours, reason=reason, firing_id=firing_id,
                        assignee_id=subject.doctor_id)
        return f"task {task_id}" + _alert_doctor(ctx, session, subject, f"Call the patient within {hours} h: {reason}")
    if kind is ActionKind.PROPOSE_OTHER_SLOTS:
        return "task " + _task(ctx, session, subject, kind.value, hours=DESK_TASK_HOURS, reason=reason,
                               firing_id=firing_id)
    if kind is ActionKind.REDUCE_NEXT_SESSION:
        following = _next_session(session, subject)
        if following is None:
            return "no session left to mark"
        exists = session.scalar(select(SessionFlagRow.id).where(SessionFlagRow.session_id == following.id,
                                                                SessionFlagRow.flag == REDUCED_INTENSITY))
        if exists is None:
            session.add(SessionFlagRow(id=ctx.make_id(), session_id=following.id, flag=REDUCED_INTENSITY,
                                       reason=reason, firing_id=firing_id, at=ctx.now()))
        return f"session {following.id} marked"
    if kind is ActionKind.OPEN_COMPLAINT:
        if subject.feedback_id and session.scalar(
                select(ComplaintRow.id).where(ComplaintRow.feedback_id == subject.feedback_id)):
            return "complaint already open for this feedback"
        now = ctx.now()
        complaint = ComplaintRow(id=ctx.make_id(), centre_id=subject.centre_id, patient_id=subject.patient_id,
                                 feedback_id=subject.feedback_id, summary=reason, status=ComplaintStatus.PENDING.value,
                                 owner_id=None, source=f"rule:{rule.key}", opened_at=now, updated_at=now)
        session.add(complaint)
        session.flush()  # the unique feedback link is checked now, not at commit
        return f"complaint {complaint.id}"
    return _message(ctx, session, rule, action, subject, firing_id, reason)


def _alert_doctor(ctx: ServiceContext, session: Session, subject: Subject, text: str) -> str:
    """An in-app alert for the doctor the task is for, when the notifications service is there to show it."""
    if subject.doctor_id is None or not hasattr(_notifications, "alert_staff_in"):
        return ""
    try:
        with session.begin_nested():
            _notifications.alert_staff_in(ctx, session, subject.doctor_id, text[:ALERT_LENGTH],
                                          patient_id=subject.patient_id)
    except ClinicError:  # the task stands on its own; the alert only brings it to the doctor's notice sooner
        return ""
    return ", doctor alerted"


def _queue(ctx: ServiceContext, session: Session, subject: Subject, template_key: str, *, context: dict[str, str],
           send_at=None, appointment_id: str | None = None) -> str:
    """One message inside a savepoint: a refusal undoes only the message, never the report that triggered it."""
    with session.begin_nested():
        return _notifications.queue_message_in(ctx, session, subject.patient_id, template_key, context=context,
                                               send_at=send_at, appointment_id=appointment_id,
                                               centre_id=subject.centre_id)


def _upcoming(session: Session, subject: Subject, now, count: int) -> list[tuple[AppointmentRow, str]]:
    """The plan's next `count` booked sessions still to come, with their service names."""
    if subject.plan_id is None:
        return []
    plan = session.get(CarePlanRow, subject.plan_id)
    ids = [s.appointment_id for s in plan.sessions if s.appointment_id and s.status == SessionStatus.SCHEDULED]
    rows = session.execute(select(AppointmentRow, ServiceRow.name).join(ServiceRow).where(
        AppointmentRow.id.in_(ids), AppointmentRow.start_at > now).order_by(AppointmentRow.start_at).limit(count))
    return [(appointment, name) for appointment, name in rows]


def _message(ctx: ServiceContext, session: Session, rule: Rule, action: RuleAction, subject: Subject,
             firing_id: str, reason: str) -> str:
    """A diet alert or extra reminders for the patient; a task for a person when they cannot be queued."""
    kind = action.kind
    if subject.patient_id is None:
        return "not sent: the feedback is anonymous"
    if not sending_available():
        task_id = _task(ctx, session, subject, kind.value, hours=DESK_TASK_HOURS, firing_id=firing_id,
                        reason=f"Send by hand (messaging is not set up): {reason}"[:300])
        return f"pending: task {task_id}"
    try:
        if kind is ActionKind.SEND_DIET_ALERT:
            return "message " + _queue(ctx, session, subject, DIET_TEMPLATE, context={"note": DIET_NOTE})
        now = ctx.now()
        zone = centre_zone(session, subject.centre_id)
        queued = [_queue(ctx, session, subject, REMINDER_TEMPLATE, appointment_id=appointment.id,
                         send_at=max(now, appointment.start_at - EXTRA_REMINDER_BEFORE),
                         context={"therapy": service, "time": f"{to_local(appointment.start_at, zone):%d %b %H:%M}"})
                  for appointment, service in _upcoming(session, subject, now, action.param("count"))]
        return f"{len(queued)} reminders queued" if queued else "no booked session to remind of"
    except ClinicError as exc:  # no consent for any channel, no such template...: a person follows up
        task_id = _task(ctx, session, subject, kind.value, hours=DESK_TASK_HOURS, firing_id=firing_id,
                        reason=f"{reason}: could not be sent ({exc})"[:300])
        return f"pending: task {task_id}"


def run_rules(ctx: ServiceContext, session: Session, trigger: Trigger, facts: Mapping[str, int | str],
              subject: Subject) -> RuleRun:
    """Evaluate the rules in force for this trigger and act on each firing, inside the caller's transaction."""
    run = RuleRun()
    rules = {rule.key: rule for rule in rules_in_force(session)}
    for firing in evaluate(rules.values(), trigger, facts):
        rule = rules[firing.rule_key]
        firing_row = RuleFiringRow(id=ctx.make_id(), centre_id=subject.centre_id, at=ctx.now(),
                                   rule_key=rule.key, rule_version=rule.version, trigger=trigger.value,
                                   source_id=subject.source_id, patient_id=subject.patient_id,
                                   evidence=dict(firing.evidence), actions=[])
        session.add(firing_row)
        session.flush()
        reason = _reason(rule, firing)
        firing_row.actions = [{"do": action.kind.value,
                               "result": _carry_out(ctx, session, rule, action, subject, firing_row.id, reason)}
                              for action in firing.actions]
        ctx.audit(session, "care_rule.fired", entity="rule_firing", entity_id=firing_row.id, detail=rule.key)
        run.firing_ids.append(firing_row.id)
    return run
