"""Service-test fixtures: a clinic shared by one module, for tests that only add records or are refused."""

import pytest

from tests.services.helpers import standalone_clinic


@pytest.fixture(scope="module")
def shared_admin_ctx(tmp_path_factory):
    with standalone_clinic(tmp_path_factory.mktemp("shared") / "clinic") as ctx:
        yield ctx
