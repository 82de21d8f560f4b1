"""The progress chart on a real plan: symptom and well-being lines over course days, phase markers, adherence."""


from PySide6.QtCharts import QLineSeries

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.domain.roles import Role
from clinicdesk.services import outcomes
from clinicdesk.ui.therapy.progress_chart import ProgressChart


def _lines(chart: ProgressChart) -> dict[str, list[tuple[float, float]]]:
    # x is the course day plus the time of day; the whole day is what matters here
    return {s.name(): [(int(p.x()), p.y()) for p in s.points()] for s in chart.chart.series()
            if isinstance(s, QLineSeries) and type(s) is QLineSeries}


def test_reports_become_lines_over_course_days_with_phase_milestones(qtbot, course, runner, clock):
    nurse = course.world.ctx(Role.NURSE)
    app = course.app(Role.DOCTOR, runner)
    chart = ProgressChart(app, course.plan_id)
    qtbot.addWidget(chart)
    chart.show()
    assert chart.empty.isVisible() and "Adherence: 0 of" in chart.adherence.text()

    outcomes.record_outcome(nurse, course.plan_id, OutcomeReport({"joint pain": 7}, energy=4, sleep=5, digestion=5))
    clock.advance(days=2)
    # written elsewhere; the chart follows the app-wide change signal
    runner.run(outcomes.record_outcome, nurse, course.plan_id, OutcomeReport({"joint pain": 5}, energy=6, sleep=6))
    lines = _lines(chart)
    assert not chart.empty.isVisible()
    assert lines["Joint pain"] == [(5, 7), (7, 5)]  # course days: the first Abhyanga is day 5
    assert lines["Energy"] == [(5, 4), (7, 6)] and lines["Digestion"] == [(5, 5)]
    milestones = chart.milestones()
    assert len(milestones) >= 2 and milestones == sorted(milestones, key=lambda m: m[1])
    assert any(name.endswith(f"from day {milestones[1][1]}") for name in lines)
    assert "due sessions completed" in chart.adherence.text() and "/" in chart.phases.text()
    assert chart.grab().width() > 0


def test_the_board_opens_sop_runner_and_progress_for_the_selected_session(qtbot, course, runner):
    from clinicdesk.ui.therapy.board_page import TherapyBoardPage

    page = TherapyBoardPage(course.app(Role.THERAPIST, runner))
    qtbot.addWidget(page)
    page.table.selectRow(0)
    sop = page.open_sop()
    qtbot.addWidget(sop)
    assert sop.session_id == course.sessions["abh-5"].id and len(sop.cards) == 7
    progress = page.open_progress()
    qtbot.addWidget(progress)
    assert progress.chart.plan_id == course.plan_id
