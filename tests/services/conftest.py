"""Service-test fixtures: a clinic shared by one module, for tests that only add records or are refused."""

import pytest

from clinicdesk.domain.roles import Role
from tests.services.helpers import standalone_clinic
from tests.services.scheduling_world import build_world


@pytest.fixture(scope="module")
def shared_admin_ctx(tmp_path_factory):
    with standalone_clinic(tmp_path_factory.mktemp("shared") / "clinic") as ctx:
        yield ctx


@pytest.fixture
def world(admin_ctx):
    """A centre with therapists, rooms, equipment and services for booking tests."""
    return build_world(admin_ctx)


@pytest.fixture
def desk(world):
    return world.ctx(Role.FRONT_DESK)
