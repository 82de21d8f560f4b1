"""Course templates: the shipped set parses, broken ones name the field; a course becomes sessions and a request."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.protocols import Phase, build_library, parse_course, parse_sops, parse_therapies
from clinicdesk.domain.scheduling.model import Gender, Patient
from clinicdesk.domain.therapy_plans import (
    adjust_sessions,
    course_rest_days,
    phase_progress,
    plan_request,
    sessions_from_course,
)
from clinicdesk.domain.therapy_sessions import SessionStatus

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "protocols"
THERAPIES = parse_therapies(json.loads((FOLDER / "therapies.json").read_text()))
CLASSIC = json.loads((FOLDER / "courses" / "classic-virechana-21.json").read_text())["course"]


def test_the_shipped_library_parses_and_picks_the_version_in_force():
    sops = parse_sops(json.loads((FOLDER / "sops.json").read_text()))
    courses = [parse_course(json.loads(p.read_text())["course"], THERAPIES)
               for p in sorted((FOLDER / "courses").glob("*.json"))]
    newer = parse_course(CLASSIC | {"version": 2, "effective_from": "2027-04-01"}, THERAPIES)
    library = build_library(THERAPIES, sops, courses + [newer])
    assert {s.key for s in sops} >= {"abhyanga", "swedana", "shirodhara", "virechana", "basti", "nasya"}
    assert library.course("classic-virechana-21", date(2026, 12, 1)).version == 1
    assert library.course("classic-virechana-21", date(2027, 4, 1)).version == 2
    assert library.course("kerala-rejuvenation-7", date(2026, 12, 1)).days == 7
    with pytest.raises(NotFound, match="in force on 01 Jan 2025"):
        library.course("classic-virechana-21", date(2025, 1, 1))
    abhyanga = library.sop("abhyanga", date(2026, 12, 1))
    assert abhyanga.steps[0].safety_check and abhyanga.steps[3].timer_seconds == 2700


def _broken(change) -> dict:
    course = copy.deepcopy(CLASSIC)
    change(course)
    return course


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda c: c.update(kind="detox"), "course.kind", "must be one of"),
    (lambda c: c["phases"][2].update(last_day=30), "course.phases[2]", "lasts 17 days; it must last 7-14"),
    (lambda c: c["phases"][1]["sessions"][0].update(therapy="flying"), "course.phases[1].sessions[0].therapy",
     "booked therapy"),
    (lambda c: c["phases"][1]["sessions"][0].update(days=[30]), "course.phases[1].sessions[0].days",
     "inside the phase"),
    (lambda c: c["phases"][1]["sessions"][1].update(days=[8, 9]), "course.phases[1].sessions[1].days",
     "day 8 must be a rest day"),
    (lambda c: c["phases"][0]["sessions"][2]["after"].update(key="vir"), "course.phases[0].sessions[2].after.key",
     "listed before"),
    (lambda c: c["phases"].reverse(), "course.phases", "in that order"),
    (lambda c: c.update(effective_from="soon"), "course.effective_from", "must be a date"),
])
def test_a_broken_course_names_the_field(change, field, words):
    with pytest.raises(ValidationError, match=words) as refused:
        parse_course(_broken(change), THERAPIES)
    assert field in refused.value.problems


def test_a_broken_sop_names_the_step():
    with pytest.raises(ValidationError) as refused:
        parse_sops({"sops": [{"key": "x", "version": 1, "effective_from": "2026-01-01", "therapy": "x", "steps": [
            {"text": "ok"}, {"text": "Temp", "measure": {"quantity": "heat", "min": 5, "max": 1}}]}]})
    assert set(refused.value.problems) == {"sops[0].steps[1].measure.quantity", "sops[0].steps[1].measure.max"}


def test_a_course_becomes_linked_sessions_and_a_scheduling_request():
    course = parse_course(CLASSIC, THERAPIES)
    sessions = sessions_from_course(course)
    by_key = {s.key: s for s in sessions}
    assert len(sessions) == 25 and [s.day_offset for s in sessions] == sorted(s.day_offset for s in sessions)
    assert by_key["swe-5"].after[0].session_id == "abh-5" and by_key["swe-5"].after[0].max_gap_days == 0
    assert by_key["sneha-1"].after == () and by_key["sneha-2"].after[0].session_id == "sneha-1"
    assert by_key["basn-12"].after[0].session_id == "basa-11"
    assert course_rest_days(course, THERAPIES) == (8,)  # Virechana's day of rest
    request = plan_request("p1", Patient("pt", Gender.FEMALE), date(2026, 11, 27), sessions,
                           {key: key.upper() for key in THERAPIES}, rest_days=(8,))
    assert request.sessions[0].therapy_id == "SNEHAPANA" and request.rest_days == (8,)


def test_adjusting_drops_links_and_refuses_rest_days():
    sessions = sessions_from_course(parse_course(CLASSIC, THERAPIES))
    kept = {s.key: s for s in adjust_sessions(sessions, drop=["abh-5"], move={"shi-19": 20}, rest_days=[8])}
    assert "abh-5" not in kept and kept["swe-5"].after == () and kept["shi-19"].day_offset == 20
    with pytest.raises(ValidationError, match="rest day"):
        adjust_sessions(sessions, move={"nas-10": 8}, rest_days=[8])
    with pytest.raises(ValidationError, match="not a session"):
        adjust_sessions(sessions, drop=["zzz-1"])
    with pytest.raises(ValidationError, match="cancel the plan instead"):
        adjust_sessions(sessions, drop=[s.key for s in sessions])


def test_phase_progress_counts_planned_completed_and_cancelled():
    P, S = Phase, SessionStatus
    progress = phase_progress([(P.PASCHATKARMA, S.SCHEDULED), (P.PURVAKARMA, S.COMPLETED),
                               (P.PURVAKARMA, S.CANCELLED), (P.PURVAKARMA, S.IN_SESSION)])
    assert [(p.phase, p.planned, p.completed, p.cancelled) for p in progress] == [
        (P.PURVAKARMA, 2, 1, 1), (P.PASCHATKARMA, 1, 0, 0)]
