"""Staff sign-in, lock-out, screen unlock, password changes and the first-run set-up of a clinic."""

import re
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import func, select

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.passwords import failures_after_lock_expired, password_problem, sign_in_gate
from clinicdesk.domain.roles import Role
from clinicdesk.services.context import Changes, ServiceContext, SignedInUser
from clinicdesk.store.models import CentreRow, SettingRow, StaffRow
from clinicdesk.store.password_hashing import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    password_blocklist,
    verify_password,
)

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")
_SIGN_IN_FAILED = "The username or password is not right. Check Caps Lock and try again."


class SignInRefused(ClinicError):
    """Sign-in did not succeed; the message says whether to retry, wait, or ask an administrator."""


def check_new_password(password: str, *, username: str = "", full_name: str = "") -> None:
    words = (username, *full_name.split())
    if problem := password_problem(password, blocklist=password_blocklist(), user_words=words):
        raise ValidationError({"password": problem}, {"password": "Password"})


def check_username(username: str) -> str:
    value = username.strip().lower()
    if not _USERNAME.match(value):
        raise ValidationError({"username": "must be 3-40 characters: lower-case letters, digits, '.', '_' or '-', "
                                           "starting with a letter"}, {"username": "Username"})
    return value


def needs_setup(ctx: ServiceContext) -> bool:
    with ctx.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(StaffRow)) == 0


@dataclass(frozen=True)
class ClinicSetup:
    clinic_name: str
    centre_code: str
    centre_name: str
    centre_timezone: str
    centre_state: str
    admin_username: str
    admin_full_name: str
    admin_password: str


def set_up_clinic(ctx: ServiceContext, setup: ClinicSetup) -> SignedInUser:
    """First run: the clinic, its first centre and its first administrator. Refused once any staff exists."""
    problems = {}
    if not setup.clinic_name.strip():
        problems["clinic_name"] = "is required"
    if not re.fullmatch(r"[A-Z]{2,6}", setup.centre_code.strip().upper()):
        problems["centre_code"] = "must be 2-6 letters, for example KOC"
    if not setup.centre_name.strip():
        problems["centre_name"] = "is required"
    if setup.centre_timezone not in available_timezones():
        problems["centre_timezone"] = "must be a time zone name such as Asia/Kolkata"
    if not setup.admin_full_name.strip():
        problems["admin_full_name"] = "is required"
    if problems:
        raise ValidationError(problems, {"clinic_name": "Clinic name", "centre_code": "Centre code",
                                         "centre_name": "Centre name", "centre_timezone": "Time zone",
                                         "admin_full_name": "Administrator's name"})
    username = check_username(setup.admin_username)
    check_new_password(setup.admin_password, username=username, full_name=setup.admin_full_name)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        if session.scalar(select(func.count()).select_from(StaffRow)):
            raise ClinicError("This clinic is already set up. Sign in as an administrator instead.")
        centre = CentreRow(id=ctx.make_id(), code=setup.centre_code.strip().upper(), name=setup.centre_name.strip(),
                           timezone=setup.centre_timezone, state=setup.centre_state, created_at=now, updated_at=now)
        staff = StaffRow(id=ctx.make_id(), centre_id=centre.id, username=username,
                         full_name=setup.admin_full_name.strip(), role=Role.ADMIN.value,
                         password_hash=hash_password(setup.admin_password), created_at=now, updated_at=now)
        session.add_all([centre, SettingRow(key="clinic_name", value=setup.clinic_name.strip())])
        session.flush()
        session.add(staff)
        session.flush()
        ctx.audit(session, "clinic.set_up", entity="centre", entity_id=centre.id)
    return SignedInUser(staff.id, staff.username, staff.full_name, Role.ADMIN, centre.id)


def sign_in(ctx: ServiceContext, username: str, password: str) -> SignedInUser:
    """Check a password with increasing delays and a lock-out; every outcome is audited (never the password)."""
    with ctx.unit_of_work() as session:
        # A refusal is returned, not raised, inside the transaction so the failure count and audit commit.
        result = _attempt_sign_in(ctx, session, username.strip().lower(), password)
    if isinstance(result, SignInRefused):
        raise result
    return result


def _attempt_sign_in(ctx: ServiceContext, session, name: str, password: str) -> SignedInUser | SignInRefused:
    now = ctx.now()
    staff = session.scalar(select(StaffRow).where(StaffRow.username == name))
    if staff is None or not staff.active:
        verify_password(DUMMY_HASH, password)  # same cost as a real check: usernames cannot be probed
        ctx.audit(session, "auth.sign_in", entity="staff", outcome="failed", detail="unknown or inactive user")
        return SignInRefused(_SIGN_IN_FAILED)
    staff.failed_attempts = failures_after_lock_expired(
        failures=staff.failed_attempts, last_failure_at=staff.last_failed_at, now=now)
    gate = sign_in_gate(failures=staff.failed_attempts, last_failure_at=staff.last_failed_at, now=now)
    if not gate.allowed:
        ctx.audit(session, "auth.sign_in", entity="staff", entity_id=staff.id, outcome="locked")
        wait = max(1, int((gate.retry_at - now).total_seconds() + 0.999))
        if gate.locked:
            return SignInRefused(f"This account is locked after 5 wrong passwords. Try again in "
                                 f"{(wait + 59) // 60} minutes, or ask an administrator to unlock it.")
        return SignInRefused(f"Too many wrong passwords. Wait {wait} seconds before trying again.")
    if not verify_password(staff.password_hash, password):
        staff.failed_attempts += 1
        staff.last_failed_at = now
        ctx.audit(session, "auth.sign_in", entity="staff", entity_id=staff.id, outcome="failed",
                  detail=f"attempt {staff.failed_attempts}")
        remaining = 5 - staff.failed_attempts
        if remaining <= 0:
            return SignInRefused("That password is wrong and the account is now locked for 15 minutes. "
                                 "An administrator can unlock it sooner.")
        hint = f" {remaining} attempts left before the account locks." if remaining <= 2 else ""
        return SignInRefused(_SIGN_IN_FAILED + hint)
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.failed_attempts = 0
    staff.last_failed_at = None
    staff.last_sign_in_at = now
    ctx.audit(session, "auth.sign_in", entity="staff", entity_id=staff.id)
    return SignedInUser(staff.id, staff.username, staff.full_name, Role(staff.role), staff.centre_id)


def unlock_screen(ctx: ServiceContext, password: str) -> bool:
    """The idle lock: only the signed-in user's own password opens it again."""
    user = ctx.require_user()
    try:
        sign_in(ctx, user.username, password)
    except SignInRefused:
        return False
    return True


def change_own_password(ctx: ServiceContext, current: str, new: str) -> Changes:
    user = ctx.require_user()
    check_new_password(new, username=user.username, full_name=user.full_name)
    with ctx.unit_of_work() as session:
        staff = session.get(StaffRow, user.staff_id)
        if not verify_password(staff.password_hash, current):
            raise ValidationError({"current": "is not right"}, {"current": "Current password"})
        staff.password_hash = hash_password(new)
        staff.updated_at = ctx.now()
        ctx.audit(session, "auth.change_password", entity="staff", entity_id=staff.id)
    return Changes(staff=True)
