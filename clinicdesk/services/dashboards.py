"""The owner's and the medical director's dashboards: one read of every panel for a range, a period and a centre."""

from collections.abc import Callable
from datetime import date
from importlib import import_module

from sqlalchemy.orm import Session

from clinicdesk.domain.dashboard_metrics import Dashboard, Panel, Period, View, check_range
from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import dashboard_care, dashboard_scheduling
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.dashboard_scope import Scope, active_centres, make_scope
from clinicdesk.store.models import SettingRow

__all__ = ["PANELS", "build_dashboard"]

PANELS: dict[View, tuple[str, ...]] = {
    View.OWNER: ("appointments", "rooms", "therapists", "revenue", "conversion", "satisfaction"),
    View.DIRECTOR: ("appointments", "therapists", "therapist_each", "outcomes", "complications", "satisfaction"),
}
_TITLES = {"revenue": "Revenue and outstanding (₹)", "conversion": "Enquiry conversion"}


def _unavailable(key: str, what: str) -> Panel:
    return Panel(key, _TITLES[key], (), (), unavailable=f"{what} data is not available in this version.")


def _money_panel(key: str) -> Callable[[Session, Scope], Panel]:
    """Billing and enquiries come from their own modules; a build without them shows a panel that says so."""
    try:
        dashboard_money = import_module("clinicdesk.services.dashboard_money")
    except ImportError:
        return lambda session, scope: _unavailable(key, "Billing" if key == "revenue" else "Enquiry")
    return dashboard_money.revenue_panel if key == "revenue" else dashboard_money.conversion_panel


def _choice(enum, value, field: str, label: str):
    try:
        return enum(value)
    except ValueError:
        raise ValidationError({field: "must be one of: " + ", ".join(e.value for e in enum)}, {field: label}) from None


def build_dashboard(ctx: ServiceContext, *, view: View | str, period: Period | str, first_day: date,
                    last_day: date, centre_id: str | None = None) -> Dashboard:
    """Every panel of one view, bucketed by day, week or month in each centre's time zone; `centre_id` None is
    every active centre. Read-only; runs on the database thread (a month of the demo clinic takes well under a
    second)."""
    ctx.authorise(Action.DASHBOARD_VIEW, entity="dashboard")
    view = _choice(View, view, "view", "View")
    period = _choice(Period, period, "period", "Period")
    check_range(first_day, last_day)
    with ctx.unit_of_work() as session:
        scope, centre_name = make_scope(session, centre_id, first_day, last_day, period)
        wanted = PANELS[view]
        made: dict[str, Panel] = {}
        if "appointments" in wanted:
            made["appointments"] = dashboard_scheduling.appointments_panel(session, scope)
        if {"rooms", "therapists", "therapist_each"} & set(wanted):
            rooms, therapists, each = dashboard_scheduling.utilisation_panels(session, scope)
            made |= {"rooms": rooms, "therapists": therapists, "therapist_each": each}
        for key in ("revenue", "conversion"):
            if key in wanted:
                made[key] = _money_panel(key)(session, scope)
        if "satisfaction" in wanted:
            made["satisfaction"] = dashboard_care.satisfaction_panel(session, scope)
        if "outcomes" in wanted:
            made["outcomes"] = dashboard_care.outcomes_panel(session, scope)
        if "complications" in wanted:
            made["complications"] = dashboard_care.complications_panel(session, scope)
        centres = tuple((cid, name) for cid, name, _ in active_centres(session))
        setting = session.get(SettingRow, "clinic_name")
    return Dashboard(view, period, first_day, last_day, centre_name, tuple(made[key] for key in wanted), centres,
                     clinic_name=setting.value if setting else "", generated_at=ctx.now())
