"""Dashboard calls for the role x action matrix: one read of each view over a week of the matrix clinic."""

from datetime import date

from clinicdesk.domain.roles import Action
from clinicdesk.services import dashboards


def registry() -> dict[Action, dict[str, object]]:
    def owner(ctx, w):
        return dashboards.build_dashboard(ctx, view="owner", period="day", first_day=date(2026, 11, 23),
                                          last_day=date(2026, 11, 29))

    return {Action.DASHBOARD_VIEW: {"dashboards.build_dashboard": owner}}
