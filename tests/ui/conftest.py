"""UI fixtures: a synchronous task runner, an AppContext per role, and a few registered patients."""

from datetime import date

import pytest

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.roles import Role
from clinicdesk.services import patients
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import TaskRunner


@pytest.fixture
def runner(qapp):
    task_runner = TaskRunner()  # synchronous: a click's effect is on screen when the click returns
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def app_ctx(admin_ctx, runner) -> AppContext:
    return AppContext(admin_ctx, runner)


@pytest.fixture
def app_for_role(ctx_for_role, runner):
    def make(role: Role) -> AppContext:
        return AppContext(ctx_for_role(role), runner)

    return make


def draft(**overrides) -> PatientDraft:
    values = dict(given_name="Anitha", family_name="Sharma", date_of_birth=date(1985, 3, 2), sex="female",
                  phone="9847012345")
    values.update(overrides)
    return PatientDraft(**values)


@pytest.fixture
def some_patients(admin_ctx) -> dict[str, str]:
    """Three patients, two with names in Devanagari and Malayalam script; returns display name -> id."""
    made = {}
    for d in (draft(),
              draft(given_name="Rohit", family_name="Tiwari", name_local="रोहित तिवारी", sex="male",
                    phone="9812345678", date_of_birth=date(1980, 1, 9)),
              draft(given_name="Jisha", family_name="Chacko", name_local="ജിഷ ചാക്കോ", phone="9447001122",
                    aadhaar="2345 6789 0124", date_of_birth=date(1994, 7, 21))):
        patient_id, _ = patients.register_patient(admin_ctx, d)
        made[f"{d.given_name} {d.family_name}"] = patient_id
    return made
