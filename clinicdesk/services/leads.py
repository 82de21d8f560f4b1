"""Enquiries (leads): take one, move it along with history, assign by round robin, convert it, and the funnel."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clinicdesk.domain import leads as rules
from clinicdesk.domain.errors import ClinicError, IllegalTransition, NotFound, ValidationError
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.roles import Action, Role
from clinicdesk.domain.sync.duplicates import possible_duplicate
from clinicdesk.services import patients
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_leads import LeadAssignmentRow, LeadEventRow, LeadRow

LIST_LIMIT = 500


class PossibleDuplicatePatient(ClinicError):
    """Converting would register someone who looks already registered; `uhids` names the records to check."""

    def __init__(self, uhids: list[str]):
        self.uhids = uhids
        super().__init__("A patient with the same date of birth and the same name or phone is already registered "
                         f"({', '.join(uhids)}). Open that record, or convert anyway if it is someone else.")


@dataclass(frozen=True)
class LeadSummary:
    id: str
    name: str
    phone: str
    source: str
    interest: str
    status: str
    assigned_to: str  # the officer's name, "" when nobody
    assigned_to_id: str | None
    created_at: datetime
    status_changed_at: datetime
    patient_id: str | None


@dataclass(frozen=True)
class LeadHistoryItem:
    at: datetime
    by: str
    event: str
    from_status: str
    to_status: str
    note: str


@dataclass(frozen=True)
class LeadDetail:
    summary: LeadSummary
    email: str
    problem: str
    referred_by: str
    lost_reason: str
    history: tuple[LeadHistoryItem, ...]


def _lead(session: Session, lead_id: str) -> LeadRow:
    row = session.get(LeadRow, lead_id)
    if row is None:
        raise NotFound("That enquiry no longer exists.")
    return row


def _names(session: Session, ids: set[str | None]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(StaffRow.id, StaffRow.full_name).where(StaffRow.id.in_(ids))).all())


def _summary(row: LeadRow, names: dict[str, str]) -> LeadSummary:
    return LeadSummary(row.id, row.name, row.phone, row.source, row.interest, row.status,
                       names.get(row.assigned_to or "", ""), row.assigned_to, row.created_at, row.status_changed_at,
                       row.patient_id)


def _add_event(ctx: ServiceContext, session: Session, row: LeadRow, event: str, from_status: str,
               note: str = "") -> None:
    seq = (session.scalar(select(func.max(LeadEventRow.seq)).where(LeadEventRow.lead_id == row.id)) or 0) + 1
    session.add(LeadEventRow(id=ctx.make_id(), lead_id=row.id, seq=seq, at=ctx.now(),
                             by_staff_id=ctx.user.staff_id if ctx.user else None, event=event,
                             from_status=from_status, to_status=row.status, note=note.strip()[:rules.MAX_NOTE]))


def _round_robin(session: Session, centre_id: str) -> str | None:
    """The next active customer relations officer of the centre after the last one given a lead."""
    officers = session.scalars(select(StaffRow.id).where(StaffRow.centre_id == centre_id, StaffRow.active.is_(True),
                                                         StaffRow.role == Role.CUSTOMER_RELATIONS.value)).all()
    cursor = session.get(LeadAssignmentRow, centre_id)
    chosen = rules.next_officer(officers, cursor.last_staff_id if cursor else None)
    if chosen is not None:
        if cursor is None:
            session.add(LeadAssignmentRow(centre_id=centre_id, last_staff_id=chosen))
        else:
            cursor.last_staff_id = chosen
    return chosen


def create_lead(ctx: ServiceContext, draft: rules.LeadDraft, *, centre_id: str | None = None,
                note: str = "") -> tuple[str, Changes]:
    """Save a new enquiry, assigned by round robin to the next customer relations officer; returns its id."""
    user = ctx.authorise(Action.LEAD_WORK, entity="lead")
    clean = rules.validate_lead(draft)
    now = ctx.now()
    # The write lock makes two desks taking enquiries at the same moment get different officers.
    with ctx.unit_of_work(write_lock=True) as session:
        centre = centre_id or user.centre_id
        row = LeadRow(id=ctx.make_id(), centre_id=centre, name=clean.name, phone=clean.phone, email=clean.email,
                      source=clean.source, interest=clean.interest, problem=clean.problem,
                      referred_by=clean.referred_by, status=rules.Status.NEW.value, lost_reason="",
                      assigned_to=_round_robin(session, centre), created_at=now, created_by=user.staff_id,
                      status_changed_at=now)
        session.add(row)
        session.flush()
        _add_event(ctx, session, row, "created", "", note)
        ctx.audit(session, "lead.create", entity="lead", entity_id=row.id, detail=f"source: {clean.source}")
        return row.id, Changes(leads=True)


def move_lead(ctx: ServiceContext, lead_id: str, event: str, *, note: str = "", reason: str = "") -> Changes:
    """Contacted, sent to customer relations (hesitating), lost (with a reason) or reopened, with who/when/why."""
    ctx.authorise(Action.LEAD_WORK, entity="lead", entity_id=lead_id)
    try:
        move = rules.Event(event)
    except ValueError:
        raise ValidationError({"event": "is not a step an enquiry can take"}, {"event": "Action"}) from None
    if move is rules.Event.CONVERT:
        raise IllegalTransition("Use 'Convert to patient': it registers the patient and then closes the enquiry.")
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        before = rules.Status(row.status)
        after = rules.next_status(before, move, reason=reason if move is not rules.Event.HESITATE else
                                  (reason or note))
        row.status = after.value
        if after is not before:
            row.status_changed_at = ctx.now()
        row.lost_reason = reason.strip() if move is rules.Event.LOSE else ""
        why = " — ".join(part for part in (reason.strip(), note.strip()) if part)
        _add_event(ctx, session, row, move.value, before.value, why)
        ctx.audit(session, f"lead.{move.value}", entity="lead", entity_id=row.id)
    return Changes(leads=True)


def assign_lead(ctx: ServiceContext, lead_id: str, staff_id: str, *, note: str = "") -> Changes:
    """Hand an enquiry to a named officer (overrides the round robin for this one lead)."""
    ctx.authorise(Action.LEAD_WORK, entity="lead", entity_id=lead_id)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        staff = session.get(StaffRow, staff_id)
        if staff is None or not staff.active:
            raise ValidationError({"assigned_to": "must be an active member of staff"}, {"assigned_to": "Officer"})
        row.assigned_to = staff_id
        _add_event(ctx, session, row, "assign", row.status, note or f"assigned to {staff.full_name}")
        ctx.audit(session, "lead.assign", entity="lead", entity_id=row.id)
    return Changes(leads=True)


def patient_draft_for(ctx: ServiceContext, lead_id: str) -> PatientDraft:
    """What the enquiry already tells about the person, as a registration draft (name split, phone, email)."""
    ctx.authorise(Action.LEAD_VIEW, entity="lead", entity_id=lead_id)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        given, _, family = row.name.partition(" ")
        history = "; ".join(part for part in (row.interest and f"Enquired about {row.interest}",
                                              row.problem) if part)
        return PatientDraft(given_name=given, family_name=family.strip(), phone=row.phone, email=row.email,
                            medical_history=history[:4000])


def _duplicates(session: Session, draft: PatientDraft) -> list[str]:
    if draft.date_of_birth is None:
        return []
    wanted = {"given_name": draft.given_name, "family_name": draft.family_name, "name_local": draft.name_local,
              "date_of_birth": draft.date_of_birth, "phone": draft.phone}
    same_day = session.scalars(select(PatientRow).where(PatientRow.date_of_birth == draft.date_of_birth)).all()
    return sorted(r.uhid for r in same_day if possible_duplicate(wanted, {
        "given_name": r.given_name, "family_name": r.family_name, "name_local": r.name_local,
        "date_of_birth": r.date_of_birth, "phone": r.phone}))


def convert_to_patient(ctx: ServiceContext, lead_id: str, draft: PatientDraft, *,
                       allow_duplicate: bool = False) -> tuple[str, Changes]:
    """Register the person (through patient registration, after a duplicate check) and close the enquiry as
    converted, linked to the new patient; returns the patient id so the caller can book at once."""
    ctx.authorise(Action.LEAD_WORK, entity="lead", entity_id=lead_id)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        rules.next_status(rules.Status(row.status), rules.Event.CONVERT)  # refuse before registering anyone
        clashes = _duplicates(session, draft)
    if clashes and not allow_duplicate:
        raise PossibleDuplicatePatient(clashes)
    patient_id, _ = patients.register_patient(ctx, draft)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        before = rules.Status(row.status)
        row.status = rules.next_status(before, rules.Event.CONVERT).value
        row.status_changed_at = ctx.now()
        row.patient_id = patient_id
        _add_event(ctx, session, row, rules.Event.CONVERT.value, before.value,
                   "registered as a patient" + (" (checked: not a duplicate)" if clashes else ""))
        ctx.audit(session, "lead.convert", entity="lead", entity_id=row.id)
    return patient_id, Changes(leads=True, patients=True)


def convert_to_existing_patient(ctx: ServiceContext, lead_id: str, patient_id: str) -> Changes:
    """Close the enquiry as converted when the person turns out to be registered already (the duplicate check
    named them, or they came back through another door); nothing is copied into the existing record."""
    ctx.authorise(Action.LEAD_WORK, entity="lead", entity_id=lead_id)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("That patient record no longer exists.")
        before = rules.Status(row.status)
        row.status = rules.next_status(before, rules.Event.CONVERT).value
        row.status_changed_at = ctx.now()
        row.patient_id = patient_id
        _add_event(ctx, session, row, rules.Event.CONVERT.value, before.value, "linked to an existing patient")
        ctx.audit(session, "lead.convert", entity="lead", entity_id=row.id, detail="existing patient")
    return Changes(leads=True)


def list_leads(ctx: ServiceContext, *, status: str = "", source: str = "", assigned_to: str = "",
               text: str = "", limit: int = LIST_LIMIT) -> list[LeadSummary]:
    """Enquiries, newest first, filtered by status, source, officer and a name or phone fragment."""
    ctx.authorise(Action.LEAD_VIEW, entity="lead")
    query = select(LeadRow).order_by(LeadRow.created_at.desc()).limit(limit)
    if status:
        query = query.where(LeadRow.status == status)
    if source:
        query = query.where(LeadRow.source == source)
    if assigned_to:
        query = query.where(LeadRow.assigned_to == assigned_to)
    if text.strip():
        like = f"%{text.strip()}%"
        query = query.where(or_(LeadRow.name.ilike(like), LeadRow.phone.like(like)))
    with ctx.unit_of_work() as session:
        rows = session.scalars(query).all()
        names = _names(session, {r.assigned_to for r in rows})
        return [_summary(r, names) for r in rows]


def intervention_queue(ctx: ServiceContext, *, centre_id: str | None = None) -> list[LeadSummary]:
    """Hesitating enquiries for the customer relations officer, the longest-waiting first."""
    user = ctx.authorise(Action.LEAD_VIEW, entity="lead")
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(LeadRow).where(LeadRow.centre_id == (centre_id or user.centre_id),
                                                     LeadRow.status == rules.Status.HESITATING.value)
                               .order_by(LeadRow.status_changed_at, LeadRow.id)).all()
        names = _names(session, {r.assigned_to for r in rows})
        return [_summary(r, names) for r in rows]


def get_lead(ctx: ServiceContext, lead_id: str) -> LeadDetail:
    ctx.authorise(Action.LEAD_VIEW, entity="lead", entity_id=lead_id)
    with ctx.unit_of_work() as session:
        row = _lead(session, lead_id)
        events = session.scalars(select(LeadEventRow).where(LeadEventRow.lead_id == lead_id)
                                 .order_by(LeadEventRow.seq)).all()
        names = _names(session, {row.assigned_to} | {e.by_staff_id for e in events})
        history = tuple(LeadHistoryItem(e.at, names.get(e.by_staff_id or "", ""), e.event, e.from_status,
                                        e.to_status, e.note) for e in events)
        return LeadDetail(_summary(row, names), row.email, row.problem, row.referred_by, row.lost_reason, history)


def conversion_funnel(ctx: ServiceContext, *, since: datetime, until: datetime,
                      centre_id: str | None = None) -> rules.Funnel:
    """Counts and rates per stage and per source for enquiries taken in [since, until)."""
    ctx.authorise(Action.LEAD_VIEW, entity="lead")
    if until <= since:
        raise ValidationError({"until": "must be after the start of the range"}, {"until": "End of range"})
    query = select(LeadRow.id, LeadRow.source, LeadRow.status).where(LeadRow.created_at >= since,
                                                                     LeadRow.created_at < until)
    if centre_id:
        query = query.where(LeadRow.centre_id == centre_id)
    with ctx.unit_of_work() as session:
        rows = session.execute(query).all()
        seen: dict[str, set[str]] = {r.id: set() for r in rows}
        if seen:
            for lead_id, status in session.execute(select(LeadEventRow.lead_id, LeadEventRow.to_status)
                                                   .where(LeadEventRow.lead_id.in_(seen))):
                seen[lead_id].add(status)
        return rules.funnel((r.source, rules.Status(r.status), frozenset(rules.Status(s) for s in seen[r.id]))
                            for r in rows)


def day_range(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start of `start`, start of the day after `end`) in the clinic's time zone, as aware datetimes."""
    return (datetime.combine(start, time(0), tzinfo=tz), datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz))

