"""The home page's pure parts: countdown words, course phases and milestones, which advice applies today and
tomorrow, the check-in window, the SVG chart's points and escaping, and that the guidance covers every therapy."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.resources import resource_path
from clinicdesk.server.portal.course_view import (
    Advice,
    Countdown,
    advice_for,
    check_in_offer,
    countdown,
    course_view,
    current_plan,
    phase_spans,
    upcoming_visits,
)
from clinicdesk.server.portal.guidance import advice_items, display_name, guidance
from clinicdesk.server.portal.home_text import countdown_text, date_text
from clinicdesk.server.portal.progress_chart import STYLES, Series, line_chart
from clinicdesk.server.portal.record_values import centre_zone

KOCHI = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # 10:00 in Kochi
PLAN = {"id": "plan", "name": "Course", "start_date": "2026-11-20", "status": "active"}


def sess(row_id: str, therapy: str, phase: str, day: int, status: str = "scheduled", **more) -> dict:
    return {"id": row_id, "plan_id": "plan", "therapy": therapy, "phase": phase, "day_offset": day, "status": status,
            **more}


@pytest.mark.parametrize(("delta", "expected", "words"), [
    (timedelta(days=2, hours=3), Countdown(2, 3, 0), "in 2 days, 3 hours"),
    (timedelta(days=1, minutes=5), Countdown(1, 0, 5), "in 1 day"),
    (timedelta(hours=1, minutes=1), Countdown(0, 1, 1), "in 1 hour, 1 minute"),
    (timedelta(minutes=45, seconds=30), Countdown(0, 0, 45), "in 45 minutes"),
    (timedelta(seconds=20), Countdown(0, 0, 0), "starting now"),
    (timedelta(hours=-1), Countdown(0, 0, 0), "starting now"),
])
def test_countdown_words(delta, expected, words):
    span = countdown(NOW + delta, NOW)
    assert span == expected
    assert countdown_text("en", span) == words


def test_countdown_and_dates_in_hindi_and_malayalam():
    assert countdown_text("hi", Countdown(2, 3, 0)) == "2 दिन, 3 घंटे में"
    assert countdown_text("ml", Countdown(0, 5, 0)) == "5 മണിക്കൂർ കഴിഞ്ഞ്"
    assert date_text("hi", date(2026, 11, 28)) == "शनि, 28 नवंबर 2026"


def test_phases_run_from_the_start_date_and_day_offsets():
    sessions = [sess("a", "snehapana", "purvakarma", 1, "completed"), sess("b", "abhyanga", "purvakarma", 5),
                sess("c", "virechana", "pradhanakarma", 7), sess("d", "samsarjana", "paschatkarma", 14),
                sess("x", "nasya", "pradhanakarma", 20, "cancelled")]
    spans = phase_spans(PLAN, sessions, date(2026, 11, 26))
    assert [(s.phase, s.first_day, s.last_day, s.state, s.sessions_done, s.sessions_total) for s in spans] == [
        ("purvakarma", date(2026, 11, 21), date(2026, 11, 25), "done", 1, 2),
        ("pradhanakarma", date(2026, 11, 27), date(2026, 11, 27), "next", 0, 1),
        ("paschatkarma", date(2026, 12, 4), date(2026, 12, 4), "next", 0, 1)]
    assert phase_spans(PLAN, sessions, date(2026, 11, 22))[0].state == "current"


def test_a_phase_whose_sessions_are_all_done_is_done_before_its_last_day():
    sessions = [sess("a", "abhyanga", "purvakarma", 1, "completed"), sess("b", "swedana", "purvakarma", 3,
                                                                          "completed")]
    assert phase_spans(PLAN, sessions, date(2026, 11, 22))[0].state == "done"


def test_advice_for_tomorrows_therapy_and_the_phase_that_just_ended():
    sessions = [sess("a", "abhyanga", "purvakarma", 5, "completed"), sess("b", "virechana", "pradhanakarma", 7)]
    advice = advice_for(PLAN, sessions, {}, NOW, KOCHI)  # today is day 6: between the phases
    assert advice == (Advice("therapy", "virechana", "before", "tomorrow"),
                      Advice("phase", "purvakarma", "after", "today"),
                      Advice("phase", "pradhanakarma", "before", "tomorrow"))


def test_advice_for_a_session_today_turns_from_before_to_after_once_it_is_over():
    appointment = {"id": "ap", "start_at": "2026-11-26T05:00:00+00:00", "end_at": "2026-11-26T06:00:00+00:00"}
    sessions = [sess("a", "swedana", "purvakarma", 9, appointment_id="ap")]  # moved: its appointment says today
    before = advice_for(PLAN, sessions, {"ap": appointment}, NOW, KOCHI)
    after = advice_for(PLAN, sessions, {"ap": appointment}, NOW + timedelta(hours=2), KOCHI)
    assert Advice("therapy", "swedana", "before", "today") in before
    assert Advice("therapy", "swedana", "after", "today") in after


def test_the_current_plan_is_the_latest_started_live_one():
    plans = [{"id": "old", "start_date": "2026-10-01", "status": "completed"},
             {"id": "now", "start_date": "2026-11-20", "status": "active"},
             {"id": "soon", "start_date": "2026-12-10", "status": "planned"}]
    assert current_plan(plans, date(2026, 11, 26))["id"] == "now"
    assert current_plan(plans[::2], date(2026, 11, 26))["id"] == "soon"
    assert current_plan(plans[:1], date(2026, 11, 26)) is None
    assert course_view(plans[:1], [], [], NOW, KOCHI) is None


def test_upcoming_visits_skip_past_and_cancelled_ones_and_are_in_local_time():
    appointments = [
        {"id": "later", "service_id": "s", "start_at": "2026-11-28T07:30:00+00:00", "status": "confirmed"},
        {"id": "past", "service_id": "s", "start_at": "2026-11-25T07:30:00+00:00", "status": "confirmed"},
        {"id": "off", "service_id": "s", "start_at": "2026-11-27T07:30:00+00:00", "status": "cancelled"},
        {"id": "soon", "service_id": "s", "start_at": "2026-11-27T03:30:00+00:00", "status": "requested"}]
    visits = upcoming_visits(appointments, [{"appointment_id": "later", "therapy": "virechana"}], NOW, KOCHI)
    assert [(v.appointment_id, v.local, v.therapy) for v in visits] == [
        ("soon", datetime(2026, 11, 27, 9, 0), None), ("later", datetime(2026, 11, 28, 13, 0), "virechana")]


def test_check_in_is_offered_for_three_days_after_a_run_session_without_the_patients_report():
    run = sess("a", "abhyanga", "purvakarma", 5, "completed", ended_at="2026-11-25T05:30:00+00:00")
    assert check_in_offer(run, {}, [], NOW) is not None
    assert check_in_offer(run, {}, [], datetime(2026, 11, 28, 5, 30, tzinfo=UTC)) is not None
    assert check_in_offer(run, {}, [], datetime(2026, 11, 28, 5, 31, tzinfo=UTC)) is None
    assert check_in_offer({**run, "status": "scheduled"}, {}, [], NOW) is None
    staff_report = {"session_id": "a", "by_staff_id": "staff-1"}
    assert check_in_offer(run, {}, [staff_report], NOW) is not None  # the desk's report does not stop the patient's
    assert check_in_offer(run, {}, [{"session_id": "a", "by_staff_id": None}], NOW) is None


def test_an_unknown_time_zone_falls_back_to_india():
    assert centre_zone({"timezone": "Mars/Olympus"}) == KOCHI
    assert centre_zone(None) == KOCHI
    assert centre_zone({"timezone": "Asia/Dubai"}) == ZoneInfo("Asia/Dubai")


def test_the_chart_draws_every_point_and_escapes_names():
    chart = str(line_chart("c1", "Scores <0-10>", "Two reports", [
        Series("Knee <pain>", ((2, 7), (5, 4))), Series("Sleep", ((2, 3),))], x_label="Day"))
    assert chart.startswith('<svg class="chart" viewBox="0 0 320 180" role="img" aria-labelledby="c1-title c1-desc"')
    assert '<title id="c1-title">Scores &lt;0-10&gt;</title>' in chart and "<desc id=\"c1-desc\">Two reports" in chart
    assert re.findall(r'data-x="(\d+)" data-y="(\d+)"', chart) == [("2", "7"), ("5", "4"), ("2", "3")]
    assert "Knee &lt;pain&gt;, Day 5: 4" in chart and "<pain>" not in chart
    assert chart.count("<polyline") == 1  # a single point draws no line
    # higher scores are drawn higher: y of 7 is above (smaller than) y of 4
    y7 = float(re.search(r'cy="([\d.]+)" r="3" fill="#b3261e" data-x="2"', chart).group(1))
    y4 = float(re.search(r'cy="([\d.]+)" r="3" fill="#b3261e" data-x="5"', chart).group(1))
    assert y7 < y4


def test_guidance_covers_every_therapy_and_course_phase_in_three_languages():
    therapies = json.loads(resource_path("protocols", "therapies.json").read_text(encoding="utf-8"))["therapies"]
    assert set(guidance()["therapies"]) == set(therapies)
    course_phases = {phase["phase"] for path in resource_path("protocols", "courses").glob("*.json")
                     for phase in json.loads(path.read_text(encoding="utf-8"))["course"]["phases"]}
    assert {"purvakarma", "pradhanakarma", "paschatkarma"} <= course_phases
    assert set(guidance()["phases"]) == course_phases
    for kind, entries in (("therapy", guidance()["therapies"]), ("phase", guidance()["phases"])):
        for key, entry in entries.items():
            assert set(entry["name"]) == {"en", "hi", "ml"}, key
            for moment in ("before", "after"):
                assert entry[moment], f"{key} has no {moment} advice"
                for item in entry[moment]:
                    assert set(item) == {"en", "hi", "ml"} and all(text.strip() for text in item.values()), key
            assert advice_items(kind, key, "after", "ml")[0] == entry["after"][0]["ml"]
    assert display_name("therapy", "unknown_thing", "en") == "Unknown thing"
    assert advice_items("therapy", "unknown_thing", "before", "en") == []


def _contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_chart_lines_stand_out_from_the_white_page_and_from_each_other_without_colour():
    assert all(_contrast_with_white(colour) >= 4.5 for colour, _dash, _marker in STYLES)  # 3:1 is the rule
    assert len({(dash, marker) for _colour, dash, marker in STYLES}) == len(STYLES)


def test_a_course_finished_in_the_last_week_stays_on_home_with_its_after_advice():
    done = {**PLAN, "status": "completed"}
    sessions = [sess("a", "virechana", "pradhanakarma", 1, "completed"),
                sess("b", "samsarjana", "paschatkarma", 3, "completed")]  # the last on 23 Nov, three days ago
    view = course_view([done], sessions, [], NOW, KOCHI)
    assert view is not None and view.finished and view.current_phase is None
    assert [s.state for s in view.phases] == ["done", "done"]
    assert view.advice == (Advice("phase", "paschatkarma", "after", "today"),)
    assert course_view([done], sessions, [], NOW + timedelta(days=5), KOCHI) is None  # eight days after
    assert course_view([{**done, "status": "cancelled"}], sessions, [], NOW, KOCHI) is None
