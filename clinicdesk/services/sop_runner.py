"""The SOP runner's records: steps ticked or skipped (deviations), values, materials from stock, vitals, dosage."""

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.therapy_sessions import RUNNING, STATUS_WORDS, SessionStatus, StepOutcome, record_step
from clinicdesk.services import stock
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone, get_session, sop_steps, step_records
from clinicdesk.store.models_therapy import CarePlanRow, DosageRow, PlanSessionRow, SopStepRecordRow, VitalsRow

__all__ = ["log_materials", "record_dosage", "record_step_result", "record_vitals"]


def _running(session: Session, session_id: str) -> tuple[PlanSessionRow, CarePlanRow]:
    row, plan = get_session(session, session_id)
    if SessionStatus(row.status) not in RUNNING:
        raise IllegalTransition(f"This session is {STATUS_WORDS[SessionStatus(row.status)]}; SOP records are kept "
                                "from preparation until the session is completed.")
    return row, plan


def record_step_result(ctx: ServiceContext, session_id: str, step_no: int, *, skip: bool = False,
                       value: Decimal | None = None, reason: str = "", timer_seconds: int | None = None,
                       materials: dict[str, Decimal] | None = None) -> Changes:
    """Tick a step (with its measured value and timer) or skip it with a reason, which records a deviation.

    Ticking a step that lists materials takes them from stock, earliest expiry first, in the same transaction;
    `materials` overrides the SOP's quantities (item code -> quantity actually used). Short stock refuses the tick.
    """
    ctx.authorise(Action.SESSION_RUN, entity="plan_session", entity_id=session_id)
    with ctx.unit_of_work(write_lock=True) as session:
        row, plan = _running(session, session_id)
        steps = {step.no: step for step in sop_steps(row)}
        step = steps.get(step_no)
        if step is None:
            raise ValidationError({"step": f"must be one of the SOP's steps (1-{len(steps)})"}, {"step": "Step"})
        if step_no in step_records(session, row.id):
            raise ValidationError({"step": f"{step_no} is already recorded; SOP records are never changed"},
                                  {"step": "Step"})
        record = record_step(step, StepOutcome.SKIPPED if skip else StepOutcome.DONE, value=value, reason=reason,
                             timer_seconds=timer_seconds)
        session.add(SopStepRecordRow(id=ctx.make_id(), session_id=row.id, step_no=step_no,
                                     outcome=record.outcome.value, value=record.value, reason=record.reason,
                                     deviation=record.deviation, timer_seconds=record.timer_seconds, at=ctx.now(),
                                     by_staff_id=ctx.user.staff_id))
        took = False
        if not skip and step.materials:
            today = to_local(ctx.now(), centre_zone(session, plan.centre_id)).date()
            used = {m.item: m.quantity for m in step.materials} | {k.upper(): Decimal(v) for k, v in
                                                                   (materials or {}).items()}
            for code, quantity in used.items():
                if quantity > 0:
                    stock.take(ctx, session, plan.centre_id, code, quantity, session_id=row.id, step_no=step_no,
                               today=today)
                    took = True
        ctx.audit(session, "therapy.sop_step", entity="plan_session", entity_id=row.id,
                  detail=f"step {step_no} {record.outcome.value}" + (" (deviation)" if record.deviation else ""))
        return Changes(therapy=True, stock=took)


def log_materials(ctx: ServiceContext, session_id: str, item_code: str, quantity) -> Changes:
    """Consumables used beyond the SOP's list (an extra towel, more oil), taken from stock earliest expiry first."""
    ctx.authorise(Action.SESSION_RUN, entity="plan_session", entity_id=session_id)
    amount = _number(quantity, "quantity")
    if amount is None or amount <= 0:
        raise ValidationError({"quantity": "must be more than zero"})
    with ctx.unit_of_work(write_lock=True) as session:
        row, plan = _running(session, session_id)
        today = to_local(ctx.now(), centre_zone(session, plan.centre_id)).date()
        stock.take(ctx, session, plan.centre_id, item_code.strip().upper(), amount, session_id=row.id, step_no=None,
                   today=today)
        ctx.audit(session, "therapy.materials", entity="plan_session", entity_id=row.id)
        return Changes(therapy=True, stock=True)


def _number(value, name: str, problems: dict | None = None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        if problems is None:
            raise ValidationError({name: "must be a number"}) from None
        problems[name] = "must be a number"
        return None


# plausible human ranges: a value outside is a typing slip, not a reading
_VITAL_RANGES = {"pulse_bpm": (20, 250), "bp_systolic": (50, 260), "bp_diastolic": (30, 160),
                 "temperature_c": (30, 45), "weight_kg": (2, 350)}
_VITAL_LABELS = {"pulse_bpm": "Pulse", "bp_systolic": "Systolic pressure", "bp_diastolic": "Diastolic pressure",
                 "temperature_c": "Temperature", "weight_kg": "Weight", "moment": "Moment"}


def record_vitals(ctx: ServiceContext, session_id: str, moment: str, *, pulse_bpm: int | None = None,
                  bp_systolic: int | None = None, bp_diastolic: int | None = None, temperature_c=None,
                  weight_kg=None) -> Changes:
    """Vitals before or after the session."""
    ctx.authorise(Action.SESSION_RUN, entity="plan_session", entity_id=session_id)
    problems: dict[str, str] = {}
    if moment not in ("before", "after"):
        problems["moment"] = "must be before or after"
    values = {"pulse_bpm": pulse_bpm, "bp_systolic": bp_systolic, "bp_diastolic": bp_diastolic,
              "temperature_c": _number(temperature_c, "temperature_c", problems),
              "weight_kg": _number(weight_kg, "weight_kg", problems)}
    for name, value in values.items():
        low, high = _VITAL_RANGES[name]
        if value is not None and not low <= value <= high:
            problems[name] = f"must be between {low} and {high}"
    if all(value is None for value in values.values()):
        problems["pulse_bpm"] = "or another vital sign must be given"
    if problems:
        raise ValidationError(problems, _VITAL_LABELS)
    with ctx.unit_of_work() as session:
        row, _ = _running(session, session_id)
        session.add(VitalsRow(id=ctx.make_id(), session_id=row.id, moment=moment, at=ctx.now(),
                              by_staff_id=ctx.user.staff_id, **values))
        ctx.audit(session, "therapy.vitals", entity="plan_session", entity_id=row.id)
        return Changes(therapy=True)


def record_dosage(ctx: ServiceContext, session_id: str, medicine: str, quantity, unit: str, *,
                  route: str = "oral") -> Changes:
    """A medicine given in the session, e.g. 90 ml ghee on the third day of Snehapana."""
    ctx.authorise(Action.SESSION_RUN, entity="plan_session", entity_id=session_id)
    problems: dict[str, str] = {}
    amount = _number(quantity, "quantity", problems)
    if amount is not None and not 0 < amount <= 5000:
        problems["quantity"] = "must be more than 0 and at most 5,000"
    if not medicine.strip() or len(medicine) > 120:
        problems["medicine"] = "is required (at most 120 characters)"
    if unit not in ("ml", "g", "tablet", "drop"):
        problems["unit"] = "must be ml, g, tablet or drop"
    if route not in ("oral", "nasal", "rectal", "topical"):
        problems["route"] = "must be oral, nasal, rectal or topical"
    if problems:
        raise ValidationError(problems)
    with ctx.unit_of_work() as session:
        row, _ = _running(session, session_id)
        session.add(DosageRow(id=ctx.make_id(), session_id=row.id, medicine=medicine.strip(), quantity=amount,
                              unit=unit, route=route, at=ctx.now(), by_staff_id=ctx.user.staff_id))
        ctx.audit(session, "therapy.dosage", entity="plan_session", entity_id=row.id)
        return Changes(therapy=True)
