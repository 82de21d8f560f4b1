"""The Dashboards page: panels with charts and tables for the chosen view, period and centre; exports to files."""

import csv
import io

import pytest
from PySide6.QtCharts import QBarSeries, QLineSeries

from clinicdesk.domain.roles import Role
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.dashboards.dashboards_page import DashboardsPage
from clinicdesk.ui.dashboards.panel_chart import axis_labels
from clinicdesk.ui.tasks import TaskRunner
from tests.services.dashboard_world import MONDAY, SUNDAY, DashboardWorld


@pytest.fixture
def page(qtbot, admin_ctx, runner):
    world = DashboardWorld(admin_ctx).build()
    widget = DashboardsPage(AppContext(admin_ctx, runner))
    qtbot.addWidget(widget)
    widget.set_range(MONDAY, SUNDAY)
    widget.refresh()
    widget.world = world
    return widget


def _select(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_owner_view_shows_every_panel_with_its_chart_and_table(page):
    assert [view.panel.key for view in page.panel_views] == ["appointments", "rooms", "therapists", "revenue",
                                                               "conversion", "satisfaction"]
    appointments = page.panel_views[0]
    assert "6 appointments booked" in appointments.summary.text()  # every centre until one is chosen
    assert appointments.model.rowCount() == 7
    assert appointments.model.index(1, 5).data() == "100.0 %"  # Tuesday's no-show rate
    bars = appointments.chart_view.chart().series()[0]
    assert isinstance(bars, QBarSeries)
    assert [bar_set.label() for bar_set in bars.barSets()] == ["Booked", "Completed", "No-shows"]
    assert [bars.barSets()[0].at(i) for i in range(7)] == [2, 1, 1, 1, 1, 0, 0]
    satisfaction = page.panel_views[-1].chart_view.chart().series()[0]
    assert isinstance(satisfaction, QLineSeries)
    assert [(p.x(), p.y()) for p in satisfaction.points()] == [(0, 100.0), (2, -100.0), (4, 0.0)]  # no gaps as 0
    assert page.heading.text() == "Owner dashboard: All centres, 23 Nov 2026 to 29 Nov 2026"


def test_period_view_and_centre_choices_reload(page):
    _select(page.period_choice, "week")
    assert page.panel_views[0].model.rowCount() == 1
    assert page.panel_views[0].model.index(0, 1).data() == "6"  # all centres: Dubai's appointment too
    _select(page.centre_choice, page.world.centre)
    assert page.panel_views[0].model.index(0, 1).data() == "5"
    assert page.centre_choice.count() == 3  # All centres, Dubai, Kochi
    _select(page.view_choice, "director")
    assert [view.panel.key for view in page.panel_views] == ["appointments", "therapists", "therapist_each",
                                                               "outcomes", "complications", "satisfaction"]
    complications = page.panel_views[4]
    assert complications.model.index(1, 2).data() == "Steam" and complications.model.index(1, 5).data() == "1"


def test_a_bad_range_is_explained_and_the_panels_stay(page):
    before = list(page.panel_views)
    page.set_range(SUNDAY, MONDAY)
    page.refresh()
    assert page.status.text() == "To must not be before the first day"
    assert page.panel_views == before


def test_exports_write_files(page, tmp_path):
    page.export_to(tmp_path / "owner.csv")
    assert page.status.text() == f"Saved to {tmp_path / 'owner.csv'}"
    rows = list(csv.reader(io.StringIO((tmp_path / "owner.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Owner's dashboard", "All centres"]
    page.export_to(tmp_path / "owner.pdf")
    assert (tmp_path / "owner.pdf").read_bytes().startswith(b"%PDF")
    page.export_to(tmp_path / "owner.txt")
    assert page.status.text() == "The file name must end in .pdf, .csv or .xlsx"
    assert not (tmp_path / "owner.txt").exists()


def test_axis_labels_are_short_thinned_and_distinct():
    labels = axis_labels([f"{d:02d} Jan 2026" for d in range(1, 32)])
    shown = [label for label in labels if label.strip()]
    assert shown[:3] == ["01 Jan", "03 Jan", "05 Jan"] and len(shown) == 16
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(("role", "offered"), [(Role.DOCTOR, True), (Role.ADMIN, True), (Role.THERAPIST, False),
                                               (Role.FRONT_DESK, False)])
def test_who_is_offered_the_page(app_for_role, role, offered):
    from clinicdesk.domain.roles import Action

    assert app_for_role(role).may(Action.DASHBOARD_VIEW) is offered


def test_on_the_database_thread_the_page_fills_in_when_the_answer_arrives(qtbot, admin_ctx):
    DashboardWorld(admin_ctx).build()
    threaded = TaskRunner(threaded=True)
    try:
        page = DashboardsPage(AppContext(admin_ctx, threaded))
        qtbot.addWidget(page)
        page.set_range(MONDAY, SUNDAY)
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            page.refresh()
        assert page.panel_views[0].model.rowCount() == 7
        assert page.status.text() == "" and page.show_button.isEnabled()
        page.close()
    finally:
        threaded.shutdown()
