"""Administration: staff accounts and practitioner profiles, centres with holidays, rooms and equipment."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinicdesk.domain import admin_rules
from clinicdesk.domain.audit_chain import ChainProblem
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.identifiers import normalise_email, normalise_indian_phone
from clinicdesk.domain.passwords import sign_in_gate
from clinicdesk.domain.roles import Action, Role
from clinicdesk.services.admin_dto import (
    CentreDraft,
    CentreItem,
    EquipmentDraft,
    EquipmentItem,
    Leave,
    PractitionerProfile,
    RoomDraft,
    RoomItem,
    StaffDraft,
    StaffItem,
    WorkingHours,
)
from clinicdesk.services.auth import check_new_password, check_username
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.audit_anchor import read_anchor
from clinicdesk.store.audit_log import verify_audit_log
from clinicdesk.store.backup import BackupResult, write_backup
from clinicdesk.store.models import (
    CentreRow,
    EquipmentRow,
    HolidayRow,
    LeaveRow,
    PractitionerProfileRow,
    RoomRow,
    StaffRow,
    WorkingHoursRow,
)
from clinicdesk.store.password_hashing import hash_password

_STAFF_LABELS = {"username": "Username", "full_name": "Full name", "role": "Role", "centre_id": "Centre",
                 "gender": "Gender", "phone": "Phone", "email": "Email", "password": "Password",
                 "licence_number": "Licence number", "consultation_fee": "Consultation fee",
                 "verification_status": "Verification status", "hours": "Working hours", "leave": "Leave"}
_CENTRE_LABELS = {"code": "Centre code", "name": "Centre name", "timezone": "Time zone", "gstin": "GSTIN",
                  "email": "Email", "holidays": "Holidays", "phone": "Phone"}
_ROOM_LABELS = {"name": "Room name", "room_type": "Room type", "capacity": "Capacity",
                "gender_restriction": "Gender restriction", "cleaning_buffer_minutes": "Cleaning buffer",
                "centre_id": "Centre"}
_EQUIPMENT_LABELS = {"name": "Equipment name", "kind": "Kind", "quantity": "Quantity", "room_id": "Room",
                     "centre_id": "Centre"}


# --- staff ---------------------------------------------------------------------------------------------------

def _validate_staff(draft: StaffDraft) -> StaffDraft:
    problems: dict[str, str] = {}
    if not draft.full_name.strip() or len(draft.full_name) > 120:
        problems["full_name"] = "is required (at most 120 characters)"
    if draft.role not in {r.value for r in Role}:
        problems["role"] = "must be one of: " + ", ".join(r.value for r in Role)
    if draft.gender not in admin_rules.STAFF_GENDERS:
        problems["gender"] = "must be female, male or other"
    phone, email = draft.phone, draft.email
    try:
        phone = normalise_indian_phone(draft.phone) if draft.phone.strip() else ""
    except ValueError as exc:
        problems["phone"] = str(exc)
    try:
        email = normalise_email(draft.email) if draft.email.strip() else ""
    except ValueError as exc:
        problems["email"] = str(exc)
    if draft.profile:
        problems |= admin_rules.profile_problems(
            licence_number=draft.profile.licence_number, consultation_fee=draft.profile.consultation_fee,
            verification_status=draft.profile.verification_status, role=draft.role)
    problems |= admin_rules.hours_problems([(h.weekday, h.start, h.end, h.break_start, h.break_end,
                                             h.effective_from, h.effective_until) for h in draft.hours])
    problems |= admin_rules.leave_problems([(lv.start_day, lv.end_day) for lv in draft.leave])
    if problems:
        raise ValidationError(problems, _STAFF_LABELS)
    return StaffDraft(**{**draft.__dict__, "full_name": draft.full_name.strip(), "phone": phone, "email": email})


def _write_staff_details(ctx: ServiceContext, session: Session, row: StaffRow, draft: StaffDraft) -> None:
    row.full_name, row.role, row.centre_id = draft.full_name, draft.role, draft.centre_id
    row.gender, row.phone, row.email = draft.gender, draft.phone, draft.email
    if draft.profile:
        p = draft.profile
        row.profile = row.profile or PractitionerProfileRow(staff_id=row.id)
        row.profile.licence_number, row.profile.qualifications = p.licence_number.strip(), p.qualifications.strip()
        row.profile.specialisations, row.profile.skills = list(p.specialisations), list(p.skills)
        row.profile.languages, row.profile.consultation_fee = list(p.languages), p.consultation_fee
        row.profile.verification_status, row.profile.credential_expiry = p.verification_status, p.credential_expiry
    row.hours = [WorkingHoursRow(id=ctx.make_id(), staff_id=row.id, **h.__dict__) for h in draft.hours]
    row.leave = [LeaveRow(id=ctx.make_id(), staff_id=row.id, **lv.__dict__) for lv in draft.leave]


def _require_centre(session: Session, centre_id: str, labels: dict[str, str]) -> None:
    if session.get(CentreRow, centre_id) is None:
        raise ValidationError({"centre_id": "does not exist; choose a centre from the list"}, labels)


def create_staff(ctx: ServiceContext, draft: StaffDraft, password: str) -> tuple[str, Changes]:
    ctx.authorise(Action.STAFF_MANAGE, entity="staff")
    username = check_username(draft.username)
    clean = _validate_staff(draft)
    check_new_password(password, username=username, full_name=clean.full_name)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        _require_centre(session, clean.centre_id, _STAFF_LABELS)
        if session.scalar(select(StaffRow.id).where(StaffRow.username == username)):
            raise ValidationError({"username": "is already taken; choose another"}, _STAFF_LABELS)
        row = StaffRow(id=ctx.make_id(), username=username, password_hash=hash_password(password),
                       created_at=now, updated_at=now, full_name="", role="", centre_id=clean.centre_id)
        _write_staff_details(ctx, session, row, clean)
        session.add(row)
        session.flush()
        ctx.audit(session, "staff.create", entity="staff", entity_id=row.id, detail=f"role {clean.role}")
        return row.id, Changes(staff=True)


def update_staff(ctx: ServiceContext, staff_id: str, draft: StaffDraft) -> Changes:
    ctx.authorise(Action.STAFF_MANAGE, entity="staff", entity_id=staff_id)
    clean = _validate_staff(draft)
    with ctx.unit_of_work() as session:
        row = session.get(StaffRow, staff_id)
        if row is None:
            raise NotFound("That staff member was not found.")
        _require_centre(session, clean.centre_id, _STAFF_LABELS)
        _write_staff_details(ctx, session, row, clean)
        row.updated_at = ctx.now()
        ctx.audit(session, "staff.update", entity="staff", entity_id=row.id, detail=f"role {clean.role}")
    return Changes(staff=True)


def set_staff_active(ctx: ServiceContext, staff_id: str, active: bool) -> Changes:
    user = ctx.authorise(Action.STAFF_MANAGE, entity="staff", entity_id=staff_id)
    if staff_id == user.staff_id and not active:
        raise ValidationError({"active": "cannot be turned off for your own account"}, {"active": "Active"})
    with ctx.unit_of_work() as session:
        row = session.get(StaffRow, staff_id)
        if row is None:
            raise NotFound("That staff member was not found.")
        row.active = active
        ctx.audit(session, "staff.activate" if active else "staff.deactivate", entity="staff", entity_id=staff_id)
    return Changes(staff=True)


def reset_staff_password(ctx: ServiceContext, staff_id: str, new_password: str) -> Changes:
    """An administrator sets a new password; this also clears a lock-out."""
    ctx.authorise(Action.STAFF_MANAGE, entity="staff", entity_id=staff_id)
    with ctx.unit_of_work() as session:
        row = session.get(StaffRow, staff_id)
        if row is None:
            raise NotFound("That staff member was not found.")
        check_new_password(new_password, username=row.username, full_name=row.full_name)
        row.password_hash = hash_password(new_password)
        row.failed_attempts, row.last_failed_at = 0, None
        ctx.audit(session, "staff.reset_password", entity="staff", entity_id=staff_id)
    return Changes(staff=True)


def unlock_staff(ctx: ServiceContext, staff_id: str) -> Changes:
    ctx.authorise(Action.STAFF_MANAGE, entity="staff", entity_id=staff_id)
    with ctx.unit_of_work() as session:
        row = session.get(StaffRow, staff_id)
        if row is None:
            raise NotFound("That staff member was not found.")
        row.failed_attempts, row.last_failed_at = 0, None
        ctx.audit(session, "staff.unlock", entity="staff", entity_id=staff_id)
    return Changes(staff=True)


def _staff_item(ctx: ServiceContext, row: StaffRow) -> StaffItem:
    p = row.profile
    profile = PractitionerProfile(p.licence_number, p.qualifications, tuple(p.specialisations), tuple(p.skills),
                                  tuple(p.languages), p.consultation_fee, p.verification_status,
                                  p.credential_expiry) if p else None
    locked = sign_in_gate(failures=row.failed_attempts, last_failure_at=row.last_failed_at, now=ctx.now()).locked
    return StaffItem(row.id, row.username, row.full_name, row.role, row.centre_id, row.gender, row.phone, row.email,
                     row.active, locked, profile,
                     tuple(WorkingHours(h.weekday, h.start, h.end, h.break_start, h.break_end, h.effective_from,
                                        h.effective_until) for h in row.hours),
                     tuple(Leave(lv.start_day, lv.end_day, lv.reason) for lv in row.leave))


def list_staff(ctx: ServiceContext, *, include_inactive: bool = True) -> list[StaffItem]:
    ctx.authorise(Action.STAFF_VIEW, entity="staff")
    with ctx.unit_of_work() as session:
        query = select(StaffRow).order_by(StaffRow.full_name)
        if not include_inactive:
            query = query.where(StaffRow.active.is_(True))
        return [_staff_item(ctx, row) for row in session.scalars(query)]


def _existing_or_new(ctx: ServiceContext, session: Session, row_class, row_id: str | None, missing: str):
    """The row to edit (NotFound with `missing` if it is gone), or a new one added to the session."""
    if row_id:
        row = session.get(row_class, row_id)
        if row is None:
            raise NotFound(missing)
        return row
    row = row_class(id=ctx.make_id(), created_at=ctx.now())
    session.add(row)
    return row


# --- centres -------------------------------------------------------------------------------------------------

def _centre_item(row: CentreRow) -> CentreItem:
    return CentreItem(row.id, row.code, row.name, row.timezone, row.address, row.phone, row.email, row.gstin,
                      row.state, row.active, tuple((h.day, h.name) for h in row.holidays))


def _validate_centre(draft: CentreDraft) -> CentreDraft:
    code = draft.code.strip().upper()
    gstin = draft.gstin.strip().upper()
    problems = admin_rules.centre_problems(code=code, name=draft.name, timezone=draft.timezone, gstin=gstin,
                                           email=draft.email.strip())
    problems |= admin_rules.holiday_problems(draft.holidays)
    phone = draft.phone
    if draft.phone.strip():
        try:
            phone = normalise_indian_phone(draft.phone)
        except ValueError as exc:
            problems["phone"] = str(exc)
    if problems:
        raise ValidationError(problems, _CENTRE_LABELS)
    return CentreDraft(**{**draft.__dict__, "code": code, "gstin": gstin, "name": draft.name.strip(),
                          "phone": phone})


def save_centre(ctx: ServiceContext, draft: CentreDraft, centre_id: str | None = None) -> tuple[str, Changes]:
    """Create a centre (centre_id None) or update one, holidays included."""
    ctx.authorise(Action.CENTRE_MANAGE, entity="centre", entity_id=centre_id or "")
    clean = _validate_centre(draft)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        clash = session.scalar(select(CentreRow.id).where(CentreRow.code == clean.code))
        if clash and clash != centre_id:
            raise ValidationError({"code": "is already used by another centre"}, _CENTRE_LABELS)
        row = _existing_or_new(ctx, session, CentreRow, centre_id, "That centre was not found.")
        for name in ("code", "name", "timezone", "address", "phone", "email", "gstin", "state"):
            setattr(row, name, getattr(clean, name))
        row.updated_at = now
        row.holidays = []
        session.flush()  # delete the old holidays first: a kept date would clash with the (centre, day) key
        row.holidays = [HolidayRow(id=ctx.make_id(), centre_id=row.id, day=d, name=n.strip())
                        for d, n in clean.holidays]
        session.flush()
        ctx.audit(session, "centre.save", entity="centre", entity_id=row.id)
        return row.id, Changes(centres=True)


def list_centres(ctx: ServiceContext) -> list[CentreItem]:
    ctx.require_user()
    with ctx.unit_of_work() as session:
        return [_centre_item(r) for r in session.scalars(select(CentreRow).order_by(CentreRow.name))]


# --- rooms and equipment ------------------------------------------------------------------------------------

def save_room(ctx: ServiceContext, draft: RoomDraft, room_id: str | None = None) -> tuple[str, Changes]:
    ctx.authorise(Action.CENTRE_MANAGE, entity="room", entity_id=room_id or "")
    problems = admin_rules.room_problems(name=draft.name, room_type=draft.room_type, capacity=draft.capacity,
                                         gender_restriction=draft.gender_restriction,
                                         cleaning_buffer_minutes=draft.cleaning_buffer_minutes)
    if problems:
        raise ValidationError(problems, _ROOM_LABELS)
    now = ctx.now()
    try:
        with ctx.unit_of_work() as session:
            _require_centre(session, draft.centre_id, _ROOM_LABELS)
            row = _existing_or_new(ctx, session, RoomRow, room_id, "That room was not found.")
            row.centre_id, row.name, row.room_type = draft.centre_id, draft.name.strip(), draft.room_type
            row.capacity, row.gender_restriction = draft.capacity, draft.gender_restriction
            row.cleaning_buffer_minutes, row.updated_at = draft.cleaning_buffer_minutes, now
            session.flush()
            ctx.audit(session, "room.save", entity="room", entity_id=row.id)
            return row.id, Changes(centres=True)
    except IntegrityError:
        raise ValidationError({"name": "is already used by another room in this centre"}, _ROOM_LABELS) from None


def set_room_active(ctx: ServiceContext, room_id: str, active: bool) -> Changes:
    ctx.authorise(Action.CENTRE_MANAGE, entity="room", entity_id=room_id)
    with ctx.unit_of_work() as session:
        row = session.get(RoomRow, room_id)
        if row is None:
            raise NotFound("That room was not found.")
        row.active = active
        ctx.audit(session, "room.activate" if active else "room.deactivate", entity="room", entity_id=room_id)
    return Changes(centres=True)


def list_rooms(ctx: ServiceContext, centre_id: str | None = None) -> list[RoomItem]:
    ctx.require_user()
    with ctx.unit_of_work() as session:
        query = select(RoomRow).order_by(RoomRow.name)
        if centre_id:
            query = query.where(RoomRow.centre_id == centre_id)
        return [RoomItem(r.id, r.centre_id, r.name, r.room_type, r.capacity, r.gender_restriction,
                         r.cleaning_buffer_minutes, r.active) for r in session.scalars(query)]


def save_equipment(ctx: ServiceContext, draft: EquipmentDraft, equipment_id: str | None = None
                   ) -> tuple[str, Changes]:
    ctx.authorise(Action.CENTRE_MANAGE, entity="equipment", entity_id=equipment_id or "")
    problems = admin_rules.equipment_problems(name=draft.name, kind=draft.kind, quantity=draft.quantity)
    if problems:
        raise ValidationError(problems, _EQUIPMENT_LABELS)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        _require_centre(session, draft.centre_id, _EQUIPMENT_LABELS)
        if draft.room_id:
            room = session.get(RoomRow, draft.room_id)
            if room is None or room.centre_id != draft.centre_id:
                raise ValidationError({"room_id": "must be a room of the same centre"}, _EQUIPMENT_LABELS)
        row = _existing_or_new(ctx, session, EquipmentRow, equipment_id, "That equipment was not found.")
        row.centre_id, row.name, row.kind = draft.centre_id, draft.name.strip(), draft.kind.strip()
        row.room_id, row.quantity, row.updated_at = draft.room_id, draft.quantity, now
        session.flush()
        ctx.audit(session, "equipment.save", entity="equipment", entity_id=row.id)
        return row.id, Changes(centres=True)


def list_equipment(ctx: ServiceContext, centre_id: str | None = None) -> list[EquipmentItem]:
    ctx.require_user()
    with ctx.unit_of_work() as session:
        query = select(EquipmentRow).order_by(EquipmentRow.name)
        if centre_id:
            query = query.where(EquipmentRow.centre_id == centre_id)
        return [EquipmentItem(r.id, r.centre_id, r.name, r.kind, r.room_id, r.quantity, r.active)
                for r in session.scalars(query)]


# --- audit log and backups ----------------------------------------------------------------------------------

def verify_audit(ctx: ServiceContext) -> tuple[int, list[ChainProblem]]:
    """Check the audit log's hash chain: (entries checked, problems). Looking is itself audited."""
    ctx.authorise(Action.AUDIT_VIEW, entity="audit")
    with ctx.unit_of_work() as session:
        count, problems = verify_audit_log(session, read_anchor(ctx.db.data_dir))
        ctx.audit(session, "audit.verify", entity="audit", outcome="broken" if problems else "ok",
                  detail=f"{count} entries checked")
    return count, problems


def run_backup(ctx: ServiceContext, target: Path | None = None) -> BackupResult:
    """An encrypted, verified backup on demand (a new file or an existing folder; default backups/); audited."""
    ctx.authorise(Action.BACKUP_RUN, entity="backup")
    result = write_backup(ctx.db, target, now=ctx.now().astimezone())
    with ctx.unit_of_work() as session:
        ctx.audit(session, "backup.run", entity="backup", detail=result.path.name)
    return result
