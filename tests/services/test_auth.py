"""Staff sign-in: set-up, success, delays and lock-out, inactive staff, screen unlock, password changes, Argon2."""

import pytest
from argon2 import extract_parameters

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, auth
from clinicdesk.services.auth import SignInRefused
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import StaffRow
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD
from tests.services.helpers import audit_rows

WRONG = "not the password at all"
FAILED = "The username or password is not right"


@pytest.fixture
def desk(ctx_for_role):
    """A front-desk account and an unsigned context to sign in with."""
    user = ctx_for_role(Role.FRONT_DESK).user
    return user, ServiceContext(ctx_for_role(Role.ADMIN).db, clock=ctx_for_role(Role.ADMIN).clock)


def fail(ctx, username, times=1):
    messages = []
    for _ in range(times):
        with pytest.raises(SignInRefused) as caught:
            auth.sign_in(ctx, username, WRONG)
        messages.append(str(caught.value))
    return messages


def staff_row(ctx, staff_id) -> StaffRow:
    with ctx.db.session() as session:
        return session.get(StaffRow, staff_id)


def test_set_up_clinic_creates_admin_and_refuses_a_second_time(admin_ctx):
    assert admin_ctx.user.role is Role.ADMIN
    assert auth.needs_setup(admin_ctx) is False
    again = auth.ClinicSetup("Other", "PUN", "Pune", "Asia/Kolkata", "Maharashtra", "other.admin", "Other Admin",
                             "sea breeze at fort kochi")
    with pytest.raises(ClinicError, match="already set up"):
        auth.set_up_clinic(ServiceContext(admin_ctx.db, clock=admin_ctx.clock), again)
    assert [s.username for s in admin.list_staff(admin_ctx)] == ["admin"]


def test_new_database_needs_setup(clinic_db):
    assert auth.needs_setup(ServiceContext(clinic_db)) is True


@pytest.mark.parametrize(("change", "field"), [
    ({"clinic_name": " "}, "Clinic name"),
    ({"centre_code": "K1"}, "Centre code"),
    ({"centre_name": ""}, "Centre name"),
    ({"admin_full_name": ""}, "Administrator's name"),
    ({"admin_username": "A"}, "Username"),
    ({"admin_password": "short"}, "Password"),
    ({"admin_password": "ayurveda@123"}, "Password"),
    ({"centre_timezone": "Kerala/Kochi"}, "Time zone"),
])
def test_set_up_validates_every_field(clinic_db, change, field):
    values = {"clinic_name": "Sukham", "centre_code": "KOC", "centre_name": "Kochi", "centre_timezone": "Asia/Kolkata",
              "centre_state": "Kerala", "admin_username": "admin", "admin_full_name": "Asha Menon",
              "admin_password": ADMIN_PASSWORD}
    ctx = ServiceContext(clinic_db)
    with pytest.raises(ValidationError) as caught:
        auth.set_up_clinic(ctx, auth.ClinicSetup(**(values | change)))
    assert caught.value.messages()[0].startswith(field + " ")
    assert auth.needs_setup(ctx)


def test_sign_in_success_is_audited(desk):
    user, ctx = desk
    signed_in = auth.sign_in(ctx, "  " + user.username.upper() + " ", STAFF_PASSWORD)
    assert (signed_in.staff_id, signed_in.role) == (user.staff_id, Role.FRONT_DESK)
    assert staff_row(ctx, user.staff_id).last_sign_in_at == ctx.now()
    [row] = audit_rows(ctx, action="auth.sign_in", entity_id=user.staff_id)
    assert row.outcome == "ok"


def test_wrong_password_counts_and_third_failure_imposes_a_delay(desk, clock):
    user, ctx = desk
    first, second, third = fail(ctx, user.username, 3)
    assert first == FAILED + ". Check Caps Lock and try again."
    assert "2 attempts left" in third and "attempts left" not in second
    assert staff_row(ctx, user.staff_id).failed_attempts == 3
    with pytest.raises(SignInRefused, match="Wait 2 seconds"):
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    clock.advance(seconds=1)
    with pytest.raises(SignInRefused, match="Wait 1 seconds"):
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    clock.advance(seconds=1)
    assert auth.sign_in(ctx, user.username, STAFF_PASSWORD).staff_id == user.staff_id
    assert staff_row(ctx, user.staff_id).failed_attempts == 0
    outcomes = [r.outcome for r in audit_rows(ctx, action="auth.sign_in", entity_id=user.staff_id)]
    assert outcomes == ["failed", "failed", "failed", "locked", "locked", "ok"]


def test_fourth_failure_waits_four_seconds(desk, clock):
    user, ctx = desk
    fail(ctx, user.username, 3)
    clock.advance(seconds=2)
    fail(ctx, user.username)
    with pytest.raises(SignInRefused, match="Wait 4 seconds"):
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    clock.advance(seconds=4)
    auth.sign_in(ctx, user.username, STAFF_PASSWORD)


def lock_out(ctx, clock, username) -> str:
    fail(ctx, username, 3)
    clock.advance(seconds=2)
    fail(ctx, username)
    clock.advance(seconds=4)
    return fail(ctx, username)[0]


def test_fifth_failure_locks_for_fifteen_minutes(desk, clock):
    user, ctx = desk
    assert "now locked for 15 minutes" in lock_out(ctx, clock, user.username)
    with pytest.raises(SignInRefused, match="locked after 5 wrong passwords. Try again in 15 minutes"):
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(SignInRefused, match="Try again in 1 minutes"):
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    assert staff_row(ctx, user.staff_id).failed_attempts == 5
    clock.advance(seconds=1)
    assert auth.sign_in(ctx, user.username, STAFF_PASSWORD).staff_id == user.staff_id


def test_after_a_lock_expires_one_mistake_does_not_lock_again(desk, clock):
    user, ctx = desk
    lock_out(ctx, clock, user.username)
    clock.advance(minutes=15)
    fail(ctx, user.username)
    assert auth.sign_in(ctx, user.username, STAFF_PASSWORD).staff_id == user.staff_id


def test_admin_unlock_clears_a_lock(desk, clock, admin_ctx):
    user, ctx = desk
    lock_out(ctx, clock, user.username)
    assert [s.locked for s in admin.list_staff(admin_ctx) if s.id == user.staff_id] == [True]
    admin.unlock_staff(admin_ctx, user.staff_id)
    assert [s.locked for s in admin.list_staff(admin_ctx) if s.id == user.staff_id] == [False]
    assert auth.sign_in(ctx, user.username, STAFF_PASSWORD).staff_id == user.staff_id
    assert audit_rows(admin_ctx, action="staff.unlock", entity_id=user.staff_id)


def test_unknown_username_gets_the_same_message_as_a_wrong_password(desk):
    user, ctx = desk
    [wrong_password] = fail(ctx, user.username)
    [unknown_user] = fail(ctx, "nobody.here")
    assert unknown_user == wrong_password
    row = audit_rows(ctx, action="auth.sign_in")[-1]
    assert (row.outcome, row.entity_id) == ("failed", "")
    assert "nobody" not in row.detail + row.actor


def test_inactive_staff_cannot_sign_in(desk, admin_ctx):
    user, ctx = desk
    admin.set_staff_active(admin_ctx, user.staff_id, False)
    with pytest.raises(SignInRefused) as caught:
        auth.sign_in(ctx, user.username, STAFF_PASSWORD)
    assert str(caught.value).startswith(FAILED)
    admin.set_staff_active(admin_ctx, user.staff_id, True)
    assert auth.sign_in(ctx, user.username, STAFF_PASSWORD).staff_id == user.staff_id


def test_unlock_screen_takes_only_the_users_own_password(ctx_for_role):
    ctx = ctx_for_role(Role.NURSE)
    assert auth.unlock_screen(ctx, ADMIN_PASSWORD) is False
    assert auth.unlock_screen(ctx, STAFF_PASSWORD) is True
    with pytest.raises(ClinicError, match="sign in"):
        auth.unlock_screen(ServiceContext(ctx.db), STAFF_PASSWORD)


def test_change_own_password(ctx_for_role):
    ctx = ctx_for_role(Role.THERAPIST)
    new = "coconut palms at dusk"
    with pytest.raises(ValidationError) as caught:
        auth.change_own_password(ctx, "wrong current password", new)
    assert caught.value.messages() == ["Current password is not right"]
    with pytest.raises(ValidationError) as caught:
        auth.change_own_password(ctx, STAFF_PASSWORD, "Panchakarma123")
    assert caught.value.messages() == ["Password is one of the most common passwords and would be guessed quickly; "
                                       "choose another"]
    with pytest.raises(ValidationError, match="Password must be at least 10 characters"):
        auth.change_own_password(ctx, STAFF_PASSWORD, "short")
    with pytest.raises(ValidationError, match="must not contain your name or username"):
        auth.change_own_password(ctx, STAFF_PASSWORD, "a therapist since 2019")
    auth.sign_in(ServiceContext(ctx.db, clock=ctx.clock), ctx.user.username, STAFF_PASSWORD)  # unchanged so far

    auth.change_own_password(ctx, STAFF_PASSWORD, new)
    fresh = ServiceContext(ctx.db, clock=ctx.clock)
    assert auth.sign_in(fresh, ctx.user.username, new).staff_id == ctx.user.staff_id
    with pytest.raises(SignInRefused):
        auth.sign_in(fresh, ctx.user.username, STAFF_PASSWORD)
    assert audit_rows(ctx, action="auth.change_password", entity_id=ctx.user.staff_id)


def test_stored_hashes_are_argon2id_with_owasp_parameters(ctx_for_role):
    ctx = ctx_for_role(Role.DOCTOR)
    with ctx.db.session() as session:
        hashes = list(session.scalars(StaffRow.__table__.select().with_only_columns(StaffRow.password_hash)))
    assert len(hashes) == 2
    for encoded in hashes:
        assert encoded.startswith("$argon2id$")
        params = extract_parameters(encoded)
        assert params.memory_cost >= 19456
        assert params.time_cost >= 2
        assert STAFF_PASSWORD not in encoded and ADMIN_PASSWORD not in encoded
