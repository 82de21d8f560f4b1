"""Care rules the medical director reads and edits (each save a new version), the firing log, adherence review."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.rules.format import parse_rule_text, rule_to_text
from clinicdesk.domain.rules.model import Rule, Trigger
from clinicdesk.domain.rules.wording import describe_rule
from clinicdesk.domain.therapy_plans import PlanStatus
from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.rule_actions import Subject, run_rules
from clinicdesk.services.rule_dto import FiringItem, RuleItem
from clinicdesk.services.rule_store import latest_rows, rules_in_force, starter_rules
from clinicdesk.services.scheduling_adapter import to_utc
from clinicdesk.services.therapy_records import centre_zone, get_plan
from clinicdesk.store.models import StaffRow
from clinicdesk.store.models_feedback import CareRuleRow, RuleFiringRow
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.store.models_therapy import CarePlanRow

__all__ = ["list_firings", "list_rules", "preview_rule", "review_adherence", "review_centre_adherence", "rule_history",
           "save_rule"]


def preview_rule(text: str) -> str:
    """The rule in words, or ValidationError with the specific mistake: the editor's live check (no database)."""
    return describe_rule(parse_rule_text(text))


def _item(rule: Rule, row: CareRuleRow | None, names: dict[str, str]) -> RuleItem:
    return RuleItem(rule.key, rule.name, rule.version, rule.enabled, rule.trigger.value, describe_rule(rule),
                    rule_to_text(rule), row.saved_at if row else None, names.get(row.saved_by, "") if row else "")


def list_rules(ctx: ServiceContext) -> list[RuleItem]:
    """Every rule in force, in key order, in words and as JSON, with who saved the version in force."""
    ctx.authorise(Action.CARE_RULES_MANAGE, entity="care_rule")
    with ctx.unit_of_work() as session:
        rows = latest_rows(session)
        names = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        return [_item(rule, rows.get(rule.key), names) for rule in rules_in_force(session)]


def save_rule(ctx: ServiceContext, text: str) -> tuple[RuleItem, Changes]:
    """A new version of a rule (or a new rule) from the editor's JSON; an invalid rule is refused and nothing saved."""
    user = ctx.authorise(Action.CARE_RULES_MANAGE, entity="care_rule")
    rule = parse_rule_text(text)
    with ctx.unit_of_work(write_lock=True) as session:
        current = session.scalar(select(func.max(CareRuleRow.version)).where(CareRuleRow.key == rule.key)) or 0
        rule = parse_rule_text(text, version=current + 1)
        in_force = {r.key: r for r in rules_in_force(session)}.get(rule.key)
        if in_force is not None and rule_to_text(in_force) == rule_to_text(rule):
            raise ValidationError({"rule": "is unchanged: edit it before saving a new version"}, {"rule": "Rule"})
        row = CareRuleRow(id=ctx.make_id(), key=rule.key, version=rule.version, body=rule_to_text(rule),
                          saved_at=ctx.now(), saved_by=user.staff_id)
        session.add(row)
        session.flush()
        ctx.audit(session, "care_rule.save", entity="care_rule", entity_id=row.id, detail=f"{rule.key} v{rule.version}")
        return _item(rule, row, {user.staff_id: user.full_name}), Changes(settings=True)


def rule_history(ctx: ServiceContext, key: str) -> list[RuleItem]:
    """Every version of one rule, newest first, the shipped starter (version 0) last."""
    ctx.authorise(Action.CARE_RULES_MANAGE, entity="care_rule")
    with ctx.unit_of_work() as session:
        names = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        items = [_item(parse_rule_text(row.body, version=row.version), row, names) for row in session.scalars(
            select(CareRuleRow).where(CareRuleRow.key == key).order_by(CareRuleRow.version.desc()))]
    items += [_item(rule, None, {}) for rule in starter_rules() if rule.key == key]
    return items


def list_firings(ctx: ServiceContext, *, limit: int = 200) -> list[FiringItem]:
    """The newest firings first, each with the facts that triggered it and what each action did."""
    ctx.authorise(Action.CARE_RULES_MANAGE, entity="rule_firing")
    with ctx.unit_of_work() as session:
        return [FiringItem(r.id, r.at, r.rule_key, r.rule_version, r.trigger, dict(r.evidence), list(r.actions),
                           r.patient_id)
                for r in session.scalars(select(RuleFiringRow).order_by(RuleFiringRow.at.desc(), RuleFiringRow.id)
                                         .limit(max(1, min(limit, 1000))))]


def weekly_adherence(due: int, completed: int) -> int | None:
    """Whole per cent of the week's due sessions that were completed; None when none were due."""
    return None if due == 0 else round(100 * completed / due)


REVIEW_GAP = timedelta(days=6)  # one weekly review per plan: a second click in the same week changes nothing


def _review_plan(ctx: ServiceContext, session: Session, plan: CarePlanRow, week_ending: date) -> list[str]:
    """One plan's adherence over the 7 days up to `week_ending` (centre time) through the weekly rules."""
    now = ctx.now()
    if session.scalar(select(RuleFiringRow.id).where(
            RuleFiringRow.source_id == plan.id, RuleFiringRow.trigger == Trigger.WEEKLY_ADHERENCE.value,
            RuleFiringRow.at > now - REVIEW_GAP).limit(1)):
        return []
    zone = centre_zone(session, plan.centre_id)
    end = to_utc(datetime.combine(week_ending + timedelta(days=1), time()), zone)
    start = end - timedelta(days=7)
    starts = dict(session.execute(select(AppointmentRow.id, AppointmentRow.start_at).where(
        AppointmentRow.id.in_([s.appointment_id for s in plan.sessions if s.appointment_id]))).all())
    due = [s for s in plan.sessions if s.status != SessionStatus.CANCELLED
           and s.appointment_id in starts and start <= starts[s.appointment_id] < min(end, now)]
    percent = weekly_adherence(len(due), sum(s.status == SessionStatus.COMPLETED for s in due))
    if percent is None:
        return []
    subject = Subject(centre_id=plan.centre_id, source_id=plan.id, patient_id=plan.patient_id, plan_id=plan.id,
                      doctor_id=plan.doctor_id)
    return run_rules(ctx, session, Trigger.WEEKLY_ADHERENCE, {"adherence_percent": percent}, subject).firing_ids


def review_adherence(ctx: ServiceContext, plan_id: str, *, week_ending: date) -> tuple[list[str], Changes]:
    """One course's week through the weekly rules (adherence under 70 %: reminders, other slots); the firing ids."""
    ctx.authorise(Action.CARE_TASKS_WORK, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work() as session:
        fired = _review_plan(ctx, session, get_plan(session, plan_id), week_ending)
        return fired, Changes(therapy=bool(fired))


def review_centre_adherence(ctx: ServiceContext, centre_id: str, *, week_ending: date) -> tuple[list[str], Changes]:
    """Every active course of a centre through the weekly rules (the task list's "Review the week")."""
    ctx.authorise(Action.CARE_TASKS_WORK, entity="care_plan")
    with ctx.unit_of_work() as session:
        plans = session.scalars(select(CarePlanRow).where(CarePlanRow.centre_id == centre_id,
                                                          CarePlanRow.status == PlanStatus.ACTIVE.value)
                                .order_by(CarePlanRow.id))
        fired = [firing for plan in plans for firing in _review_plan(ctx, session, plan, week_ending)]
        return fired, Changes(therapy=bool(fired))
