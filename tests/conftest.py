"""Shared fixtures: an in-memory keyring, a real SQLCipher clinic in tmp_path, contexts for each role."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402

from clinicdesk.domain.roles import Role  # noqa: E402
from clinicdesk.services import admin, auth  # noqa: E402
from clinicdesk.services.admin_dto import StaffDraft  # noqa: E402
from clinicdesk.services.context import ServiceContext, SignedInUser  # noqa: E402
from clinicdesk.store.database import create_database  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402

ADMIN_PASSWORD = "a long clinic passphrase"
STAFF_PASSWORD = "tea garden monsoon"


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class FixedClock:
    """A clock tests can move forward by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        from datetime import timedelta

        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 4, 30, tzinfo=UTC))


@pytest.fixture
def clinic_db(tmp_path):
    db = create_database(tmp_path / "clinic", passphrase=None)
    yield db
    db.close()


@pytest.fixture
def admin_ctx(clinic_db, clock) -> ServiceContext:
    ctx = ServiceContext(clinic_db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    return ctx


@pytest.fixture
def ctx_for_role(admin_ctx):
    """Make a signed-in context for any role (staff member created once per role)."""
    made: dict[Role, SignedInUser] = {Role.ADMIN: admin_ctx.user}

    def make(role: Role) -> ServiceContext:
        if role not in made:
            staff_id, _ = admin.create_staff(admin_ctx, StaffDraft(
                username=f"user.{role.value}".replace("_", ""), full_name=f"Test {role.value}", role=role.value,
                centre_id=admin_ctx.user.centre_id), STAFF_PASSWORD)
            made[role] = SignedInUser(staff_id, f"user.{role.value}".replace("_", ""), f"Test {role.value}", role,
                                      admin_ctx.user.centre_id)
        return ServiceContext(admin_ctx.db, user=made[role], clock=admin_ctx.clock)

    return make
