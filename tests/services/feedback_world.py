"""A therapy centre with one booked Virechana course, for the feedback and care-rule service tests."""

from dataclasses import dataclass

from clinicdesk.domain.roles import Role
from clinicdesk.services import therapy_plans
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models_therapy import PlanSessionRow
from tests.services.therapy_world import TherapyWorld, build_therapy_world


@dataclass
class FeedbackWorld:
    therapy: TherapyWorld
    plan: str
    sessions: dict[str, str]  # key (abh-5, vir-7...) -> session id

    def ctx(self, role: Role) -> ServiceContext:
        return self.therapy.ctx(role)

    def set_status(self, key: str, status: str) -> str:
        """Test set-up only: puts a session straight into a status (the session flow has its own tests)."""
        with self.therapy.boss.unit_of_work() as session:
            session.get(PlanSessionRow, self.sessions[key]).status = status
        return self.sessions[key]


def build_feedback_world(boss: ServiceContext) -> FeedbackWorld:
    therapy = build_therapy_world(boss)
    plan = therapy.scheduled_plan()
    sessions = {s.key: s.id for s in therapy_plans.plan_summary(boss, plan).sessions}
    return FeedbackWorld(therapy, plan, sessions)
