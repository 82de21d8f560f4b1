"""What every view needs: the service context, the task runner, and the signed-in user's centre and time zone."""

from datetime import date
from zoneinfo import ZoneInfo

from clinicdesk.domain.roles import Action, may
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.ui.tasks import TaskRunner

DEFAULT_TIMEZONE = "Asia/Kolkata"


class AppContext:
    """Handed to each view so none of them reaches for globals; views read, services decide."""

    def __init__(self, ctx: ServiceContext, runner: TaskRunner):
        self.ctx = ctx
        self.runner = runner
        self.tz = ZoneInfo(DEFAULT_TIMEZONE)
        self.centre_name = ""

    @property
    def user(self) -> SignedInUser | None:
        return self.ctx.user

    def may(self, action: Action) -> bool:
        """Whether to offer an action; the services enforce it regardless."""
        return self.ctx.user is not None and may(self.ctx.user.role, action)

    def today(self) -> date:
        return self.ctx.now().astimezone(self.tz).date()

    def set_centre(self, name: str, timezone: str) -> None:
        self.centre_name = name
        try:
            self.tz = ZoneInfo(timezone)
        except (KeyError, ValueError):
            self.tz = ZoneInfo(DEFAULT_TIMEZONE)
