"""Screenshot mode's consultation-room step: a demo doctor's tablet with today's patients and a signed past visit."""

from collections.abc import Callable

from sqlalchemy import select

from clinicdesk.services import auth
from clinicdesk.services.consultations import get_consultation
from clinicdesk.services.context import ServiceContext
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.consult_page import ConsultPage

TABLET_SIZE = (1280, 800)


def _latest_signed_visit(ctx: ServiceContext, doctor_id: str) -> str | None:
    from clinicdesk.store.models_consultation import ConsultationRow

    with ctx.db.session() as session:
        return session.scalars(select(ConsultationRow.id).where(
            ConsultationRow.doctor_id == doctor_id, ConsultationRow.status == "signed")
            .order_by(ConsultationRow.created_at.desc()).limit(1)).first()


class ConsultTour:
    """Read-only: opens a finished visit (nothing is started or recorded in the demo clinic)."""

    def __init__(self, ctx: ServiceContext, runner, shoot: Callable, *, doctor: str, password: str):
        self.ctx, self.runner, self.shoot = ctx, runner, shoot
        self.doctor, self.password = doctor, password

    def run(self) -> None:
        user = auth.sign_in(ServiceContext(self.ctx.db, clock=self.ctx.clock), self.doctor, self.password)
        app = AppContext(ServiceContext(self.ctx.db, user=user, clock=self.ctx.clock), self.runner)
        page = ConsultPage(app, synchronous_jobs=True, microphones=lambda: [])
        page.resize(*TABLET_SIZE)
        page.show()
        visit = _latest_signed_visit(app.ctx, user.staff_id)
        if visit is not None:
            page.open_consultation(get_consultation(app.ctx, visit))
            page.tabs.setCurrentWidget(page.note)
        self.shoot("31_consult_tablet_signed_visit", page)
        page.close()
        page.deleteLater()
