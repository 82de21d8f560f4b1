"""Administration: staff accounts and profiles, centres with holidays and GSTIN, rooms and equipment."""

from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pytest

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, auth
from clinicdesk.services.admin_dto import (
    CentreDraft,
    EquipmentDraft,
    Leave,
    PractitionerProfile,
    RoomDraft,
    StaffDraft,
    WorkingHours,
)
from clinicdesk.services.auth import SignInRefused
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import AuditEntryRow, StaffRow
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import audit_rows, count_rows

DOCTOR_PROFILE = PractitionerProfile(licence_number="KL-TCMC-AYU-4521", qualifications="BAMS, MD (Panchakarma)",
                                     specialisations=("panchakarma", "rheumatology"), skills=("nasya",),
                                     languages=("ml", "en", "hi"), consultation_fee=Decimal("600.00"),
                                     verification_status="verified", credential_expiry=date(2029, 3, 31))
HOURS = (WorkingHours(0, time(9), time(17), time(13), time(14)),
         WorkingHours(5, time(9), time(13), effective_from=date(2026, 1, 1), effective_until=date(2026, 12, 31)))
LEAVE = (Leave(date(2026, 12, 24), date(2026, 12, 26), "Christmas"),)


def doctor_draft(centre_id: str, **overrides) -> StaffDraft:
    values = {"username": "dr.priya", "full_name": "Dr Priya Warrier", "role": "doctor", "centre_id": centre_id,
              "gender": "female", "phone": "98470 55555", "email": "Priya@Sukham.in", "profile": DOCTOR_PROFILE,
              "hours": HOURS, "leave": LEAVE}
    return StaffDraft(**(values | overrides))


def staff_item(ctx, staff_id):
    [item] = [s for s in admin.list_staff(ctx) if s.id == staff_id]
    return item


# --- staff ---------------------------------------------------------------------------------------------------

def test_create_staff_with_profile_hours_and_leave(admin_ctx):
    staff_id, changes = admin.create_staff(admin_ctx, doctor_draft(admin_ctx.user.centre_id), STAFF_PASSWORD)
    assert changes.staff
    item = staff_item(admin_ctx, staff_id)
    assert (item.username, item.full_name, item.role, item.phone, item.email, item.active, item.locked) == (
        "dr.priya", "Dr Priya Warrier", "doctor", "+919847055555", "priya@sukham.in", True, False)
    assert item.profile == DOCTOR_PROFILE
    assert item.hours == HOURS and item.leave == LEAVE
    signed_in = auth.sign_in(ServiceContext(admin_ctx.db, clock=admin_ctx.clock), "dr.priya", STAFF_PASSWORD)
    assert signed_in.role is Role.DOCTOR
    [row] = audit_rows(admin_ctx, action="staff.create")
    assert (row.entity_id, row.detail) == (staff_id, "role doctor")


@pytest.mark.parametrize(("change", "password", "message"), [
    ({"username": "admin"}, STAFF_PASSWORD, "Username is already taken; choose another"),
    ({"username": "Dr Priya"}, STAFF_PASSWORD, "Username must be 3-40 characters"),
    ({"full_name": " "}, STAFF_PASSWORD, "Full name is required"),
    ({"role": "surgeon"}, STAFF_PASSWORD, "Role must be one of: admin, doctor"),
    ({"gender": "f"}, STAFF_PASSWORD, "Gender must be female, male or other"),
    ({"phone": "12345"}, STAFF_PASSWORD, "Phone must be a 10-digit Indian number"),
    ({"email": "priya@"}, STAFF_PASSWORD, "Email must be an email address"),
    ({"centre_id": "nowhere"}, STAFF_PASSWORD, "Centre does not exist"),
    ({"profile": replace(DOCTOR_PROFILE, licence_number="")}, STAFF_PASSWORD,
     "Licence number is required for a doctor"),
    ({"profile": replace(DOCTOR_PROFILE, consultation_fee=Decimal("-5"))}, STAFF_PASSWORD,
     "Consultation fee must be between 0 and 1,00,000 rupees"),
    ({"profile": replace(DOCTOR_PROFILE, verification_status="ok")}, STAFF_PASSWORD,
     "Verification status must be pending, verified or rejected"),
    ({"hours": (WorkingHours(1, time(9), time(13), time(12), time(14)),)}, STAFF_PASSWORD,
     "Working hours on Tuesday: the break must fall inside working hours"),
    ({"hours": (WorkingHours(2, time(18), time(9)),)}, STAFF_PASSWORD,
     "Working hours on Wednesday must end after they start"),
    ({"leave": (Leave(date(2026, 12, 10), date(2026, 12, 1)),)}, STAFF_PASSWORD,
     "Leave ending 2026-12-01 ends before it starts"),
    ({}, "short", "Password must be at least 10 characters"),
    ({}, "welcome@123", "Password is one of the most common passwords"),
    ({}, "priya warrier rocks", "Password must not contain your name or username"),
])
def test_create_staff_refuses_bad_input_naming_the_field(shared_admin_ctx, change, password, message):
    ctx = shared_admin_ctx
    staff_before, audit_before = count_rows(ctx, StaffRow), count_rows(ctx, AuditEntryRow)
    with pytest.raises(ValidationError) as caught:
        admin.create_staff(ctx, doctor_draft(**({"centre_id": ctx.user.centre_id} | change)), password)
    [sentence] = caught.value.messages()
    assert sentence.startswith(message)
    assert (count_rows(ctx, StaffRow), count_rows(ctx, AuditEntryRow)) == (staff_before, audit_before)


def test_licence_is_optional_for_a_therapist(admin_ctx):
    draft = doctor_draft(admin_ctx.user.centre_id, role="therapist", username="therapist.anu",
                         profile=PractitionerProfile(skills=("abhyanga", "shirodhara")))
    staff_id, _ = admin.create_staff(admin_ctx, draft, STAFF_PASSWORD)
    assert staff_item(admin_ctx, staff_id).profile.skills == ("abhyanga", "shirodhara")


def test_update_staff_replaces_details(admin_ctx):
    staff_id, _ = admin.create_staff(admin_ctx, doctor_draft(admin_ctx.user.centre_id), STAFF_PASSWORD)
    new_hours = (WorkingHours(3, time(8), time(12)),)
    admin.update_staff(admin_ctx, staff_id, doctor_draft(
        admin_ctx.user.centre_id, full_name="Dr Priya W. Menon", phone="", hours=new_hours, leave=(),
        profile=replace(DOCTOR_PROFILE, consultation_fee=Decimal("750"))))
    item = staff_item(admin_ctx, staff_id)
    assert (item.full_name, item.phone, item.hours, item.leave, item.profile.consultation_fee) == (
        "Dr Priya W. Menon", "", new_hours, (), Decimal("750.00"))
    with pytest.raises(ValidationError, match="Phone must be a 10-digit"):
        admin.update_staff(admin_ctx, staff_id, doctor_draft(admin_ctx.user.centre_id, phone="55"))
    assert staff_item(admin_ctx, staff_id).full_name == "Dr Priya W. Menon"
    with pytest.raises(NotFound):
        admin.update_staff(admin_ctx, "missing", doctor_draft(admin_ctx.user.centre_id))


def test_deactivate_and_reactivate(admin_ctx, ctx_for_role):
    nurse = ctx_for_role(Role.NURSE).user
    admin.set_staff_active(admin_ctx, nurse.staff_id, False)
    assert staff_item(admin_ctx, nurse.staff_id).active is False
    assert [s.id for s in admin.list_staff(admin_ctx, include_inactive=False)] == [admin_ctx.user.staff_id]
    with pytest.raises(SignInRefused):
        auth.sign_in(ServiceContext(admin_ctx.db, clock=admin_ctx.clock), nurse.username, STAFF_PASSWORD)
    admin.set_staff_active(admin_ctx, nurse.staff_id, True)
    assert staff_item(admin_ctx, nurse.staff_id).active is True
    assert [r.action for r in audit_rows(admin_ctx, entity_id=nurse.staff_id, entity="staff")
            if r.action.startswith("staff.")][-2:] == ["staff.deactivate", "staff.activate"]


def test_admin_cannot_deactivate_themself(admin_ctx):
    with pytest.raises(ValidationError, match="Active cannot be turned off for your own account"):
        admin.set_staff_active(admin_ctx, admin_ctx.user.staff_id, False)
    assert staff_item(admin_ctx, admin_ctx.user.staff_id).active


def test_reset_password_sets_a_new_one_and_clears_a_lock(admin_ctx, ctx_for_role, clock):
    nurse = ctx_for_role(Role.NURSE).user
    plain = ServiceContext(admin_ctx.db, clock=clock)
    for _ in range(5):
        clock.advance(seconds=5)
        with pytest.raises(SignInRefused):
            auth.sign_in(plain, nurse.username, "wrong password here")
    assert staff_item(admin_ctx, nurse.staff_id).locked
    with pytest.raises(ValidationError, match="Password is one of the most common"):
        admin.reset_staff_password(admin_ctx, nurse.staff_id, "1234567890")
    admin.reset_staff_password(admin_ctx, nurse.staff_id, "banana leaf lunch")
    assert not staff_item(admin_ctx, nurse.staff_id).locked
    assert auth.sign_in(plain, nurse.username, "banana leaf lunch").staff_id == nurse.staff_id
    with pytest.raises(SignInRefused):
        auth.sign_in(plain, nurse.username, STAFF_PASSWORD)
    with pytest.raises(NotFound):
        admin.reset_staff_password(admin_ctx, "missing", "banana leaf lunch")


def test_unlock_missing_staff_is_not_found(admin_ctx):
    with pytest.raises(NotFound):
        admin.unlock_staff(admin_ctx, "missing")


# --- centres -------------------------------------------------------------------------------------------------

ONAM, DIWALI = date(2026, 8, 26), date(2026, 11, 8)


def test_centre_with_holidays_and_gstin(admin_ctx):
    draft = CentreDraft(code="pun", name=" Pune ", timezone="Asia/Kolkata", address="Koregaon Park",
                        phone="020 2612 3456", email="pune@sukham.in", gstin="27aabcu9603r1zx", state="Maharashtra",
                        holidays=((DIWALI, "Diwali"), (ONAM, "Onam")))
    centre_id, changes = admin.save_centre(admin_ctx, draft)
    assert changes.centres
    [pune] = [c for c in admin.list_centres(admin_ctx) if c.id == centre_id]
    assert (pune.code, pune.name, pune.phone, pune.gstin) == ("PUN", "Pune", "+912026123456", "27AABCU9603R1ZX")
    assert pune.holidays == ((ONAM, "Onam"), (DIWALI, "Diwali"))
    admin.save_centre(admin_ctx, replace(draft, holidays=((DIWALI, "Deepavali"),)), centre_id)
    [pune] = [c for c in admin.list_centres(admin_ctx) if c.id == centre_id]
    assert pune.holidays == ((DIWALI, "Deepavali"),)
    assert [c.code for c in admin.list_centres(admin_ctx)] == ["KOC", "PUN"]


@pytest.mark.parametrize(("change", "message"), [
    ({"code": "KOC"}, "Centre code is already used by another centre"),
    ({"code": "P1"}, "Centre code must be 2-6 capital letters"),
    ({"name": ""}, "Centre name is required"),
    ({"timezone": "Asia/Pune"}, "Time zone must be a time zone name"),
    ({"gstin": "27AABCU9603R1Z"}, "GSTIN must be a 15-character GSTIN"),
    ({"gstin": "27AABCU9603R0ZX"}, "GSTIN must be a 15-character GSTIN"),
    ({"email": "pune"}, "Email must be an email address"),
    ({"phone": "1234"}, "Phone must be a 10-digit Indian number"),
    ({"holidays": ((DIWALI, "Diwali"), (DIWALI, "Deepavali"))}, "Holidays list the same date only once"),
    ({"holidays": ((DIWALI, " "),)}, "Holidays each holiday needs a name"),
])
def test_centre_validation(shared_admin_ctx, change, message):
    before = admin.list_centres(shared_admin_ctx)
    with pytest.raises(ValidationError) as caught:
        admin.save_centre(shared_admin_ctx, replace(CentreDraft(code="PUN", name="Pune"), **change))
    assert [m for m in caught.value.messages() if m.startswith(message)]
    assert admin.list_centres(shared_admin_ctx) == before


def test_save_missing_centre_is_not_found(admin_ctx):
    with pytest.raises(NotFound):
        admin.save_centre(admin_ctx, CentreDraft(code="PUN", name="Pune"), "missing")


# --- rooms and equipment -------------------------------------------------------------------------------------

@pytest.fixture
def two_centres(admin_ctx):
    pune, _ = admin.save_centre(admin_ctx, CentreDraft(code="PUN", name="Pune"))
    return admin_ctx.user.centre_id, pune


def test_rooms(admin_ctx, two_centres):
    kochi, pune = two_centres
    draft = RoomDraft(kochi, " Shirodhara 1 ", "shirodhara", capacity=1, gender_restriction="female",
                      cleaning_buffer_minutes=20)
    room_id, _ = admin.save_room(admin_ctx, draft)
    [room] = admin.list_rooms(admin_ctx, kochi)
    assert (room.id, room.name, room.room_type, room.capacity, room.gender_restriction,
            room.cleaning_buffer_minutes, room.active) == (room_id, "Shirodhara 1", "shirodhara", 1, "female", 20, True)
    with pytest.raises(ValidationError) as caught:
        admin.save_room(admin_ctx, replace(draft, name="Shirodhara 1", room_type="yoga"))
    assert caught.value.messages() == ["Room name is already used by another room in this centre"]
    admin.save_room(admin_ctx, replace(draft, centre_id=pune))  # the same name in another centre is fine
    admin.save_room(admin_ctx, replace(draft, capacity=2), room_id)  # saving a room under its own name is fine
    assert [r.capacity for r in admin.list_rooms(admin_ctx, kochi)] == [2]
    admin.set_room_active(admin_ctx, room_id, False)
    assert [r.active for r in admin.list_rooms(admin_ctx, kochi)] == [False]
    assert len(admin.list_rooms(admin_ctx)) == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"capacity": 0}, "Capacity must be between 1 and 50 people"),
    ({"capacity": 51}, "Capacity must be between 1 and 50 people"),
    ({"room_type": "sauna"}, "Room type must be one of"),
    ({"name": ""}, "Room name is required"),
    ({"gender_restriction": "ladies"}, "Gender restriction must be any, female or male"),
    ({"cleaning_buffer_minutes": 200}, "Cleaning buffer must be between 0 and 180 minutes"),
    ({"centre_id": "nowhere"}, "Centre does not exist"),
])
def test_room_validation(shared_admin_ctx, change, message):
    ctx = shared_admin_ctx
    with pytest.raises(ValidationError) as caught:
        admin.save_room(ctx, replace(RoomDraft(ctx.user.centre_id, "Basti 1", "basti"), **change))
    assert [m for m in caught.value.messages() if m.startswith(message)]
    assert admin.list_rooms(ctx) == []


@pytest.mark.parametrize("capacity", [1, 50])
def test_room_capacity_bounds_accepted(admin_ctx, capacity):
    admin.save_room(admin_ctx, RoomDraft(admin_ctx.user.centre_id, "Yoga hall", "yoga", capacity=capacity))
    assert [r.capacity for r in admin.list_rooms(admin_ctx)] == [capacity]


def test_equipment(admin_ctx, two_centres):
    kochi, pune = two_centres
    kochi_room, _ = admin.save_room(admin_ctx, RoomDraft(kochi, "Abhyanga 1", "abhyanga"))
    pune_room, _ = admin.save_room(admin_ctx, RoomDraft(pune, "Abhyanga 1", "abhyanga"))
    eq_id, _ = admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "Droni table", "droni", kochi_room, 2))
    [item] = admin.list_equipment(admin_ctx, kochi)
    assert (item.id, item.name, item.kind, item.room_id, item.quantity) == (eq_id, "Droni table", "droni",
                                                                            kochi_room, 2)
    with pytest.raises(ValidationError) as caught:
        admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "Steam box", "swedana", pune_room))
    assert caught.value.messages() == ["Room must be a room of the same centre"]
    with pytest.raises(ValidationError, match="Room must be a room of the same centre"):
        admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "Steam box", "swedana", "no-such-room"))
    with pytest.raises(ValidationError) as caught:
        admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "", "swedana", quantity=0))
    assert set(caught.value.messages()) == {"Equipment name is required (at most 80 characters)",
                                            "Quantity must be between 1 and 500"}
    admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "Droni table", "droni", None, 3), eq_id)
    assert [(e.room_id, e.quantity) for e in admin.list_equipment(admin_ctx)] == [(None, 3)]
    with pytest.raises(NotFound):
        admin.save_equipment(admin_ctx, EquipmentDraft(kochi, "Droni table", "droni"), "missing")


# --- audit log and backups -----------------------------------------------------------------------------------

def test_verify_audit_reports_the_exact_edited_entry(admin_ctx):
    admin.save_room(admin_ctx, RoomDraft(admin_ctx.user.centre_id, "Nasya 1", "nasya"))
    count, problems = admin.verify_audit(admin_ctx)
    assert (count, problems) == (2, [])
    assert audit_rows(admin_ctx, action="audit.verify")[0].detail == "2 entries checked"
    with admin_ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'someone' WHERE seq = 2")
    count, [problem] = admin.verify_audit(admin_ctx)
    assert count == 3 and problem.seq == 2 and "altered" in problem.message
    assert audit_rows(admin_ctx, action="audit.verify")[-1].outcome == "broken"
    with admin_ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'admin' WHERE seq = 2")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq = 3")
    _, [problem] = admin.verify_audit(admin_ctx)
    assert problem.seq == 3 and "deleted" in problem.message


def test_run_backup_writes_a_verified_copy_and_audits_it(admin_ctx, tmp_path):
    (tmp_path / "backups").mkdir()
    result = admin.run_backup(admin_ctx, tmp_path / "backups")
    assert result.path.parent == tmp_path / "backups" and result.path.exists() and result.manifest_path.exists()
    assert result.path.stat().st_size == result.size_bytes > 0
    assert not result.path.read_bytes().startswith(b"SQLite format 3")
    [row] = audit_rows(admin_ctx, action="backup.run")
    assert (row.actor, row.detail) == ("admin", result.path.name)
