"""A real therapy clinic for the therapy screens: the test world's confirmed course, on its first Abhyanga morning."""

from dataclasses import dataclass

import pytest

from clinicdesk.domain.roles import Role
from clinicdesk.services import therapy_plans
from clinicdesk.services.therapy_dto import PlanSessionItem
from clinicdesk.ui.app_context import AppContext
from tests.services.therapy_world import TherapyWorld, at_local, build_therapy_world


@dataclass
class Course:
    world: TherapyWorld
    plan_id: str
    sessions: dict[str, PlanSessionItem]

    def app(self, role: Role, runner) -> AppContext:
        return AppContext(self.world.ctx(role), runner)


def _course(admin_ctx, clock, *, consent: bool) -> Course:
    world = build_therapy_world(admin_ctx)
    plan_id = world.scheduled_plan(consent=consent)
    sessions = {s.key: s for s in therapy_plans.plan_summary(admin_ctx, plan_id).sessions}
    clock.now = at_local(sessions["abh-5"].start.date(), "06:50")
    return Course(world, plan_id, sessions)


@pytest.fixture
def course(admin_ctx, clock) -> Course:
    """The course with its procedure consent signed, as every course is before its first session."""
    return _course(admin_ctx, clock, consent=True)


@pytest.fixture
def unconsented_course(admin_ctx, clock) -> Course:
    """The same course before the patient has signed the procedure consent."""
    return _course(admin_ctx, clock, consent=False)
