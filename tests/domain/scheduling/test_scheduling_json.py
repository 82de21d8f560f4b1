"""The JSON format: the documented examples, errors that name the field, and the `clinicdesk plan` command."""

import copy
import json
from pathlib import Path

import pytest

from clinicdesk.cli import main
from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.io_json import ScheduleFormatError, parse_instance
from clinicdesk.domain.scheduling.solver import solve
from clinicdesk.plan_command import run

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
EXAMPLE = json.loads((EXAMPLES / "plan-example.json").read_text())


def test_documented_example_places_every_session_without_breaking_a_rule():
    clinic, requests, _ = parse_instance(EXAMPLE)
    result = solve(clinic, requests)
    assert result.unplaced == ()
    assert validate_schedule(clinic, result.placements, requests) == []
    output = run(EXAMPLES / "plan-example.json")
    assert output["unplaced"] == 0 and output["placed"] == sum(len(r.sessions) for r in requests)
    assert {"start", "end", "room", "staff"} <= set(output["sessions"][0])


def test_impossible_example_prints_reasons():
    output = run(EXAMPLES / "plan-impossible.json")
    unplaced = [entry for entry in output["sessions"] if entry["status"] == "unplaced"]
    assert unplaced and all(entry["reasons"] for entry in unplaced)
    assert any(entry["earliest_option"] for entry in unplaced)
    assert any(entry["alternatives"] for entry in unplaced)


def test_cli_prints_json_and_exit_code_tells_if_everything_fitted(capsys):
    assert main(["plan", str(EXAMPLES / "plan-example.json")]) == 0
    assert json.loads(capsys.readouterr().out)["unplaced"] == 0
    assert main(["plan", str(EXAMPLES / "plan-impossible.json")]) == 1


def test_quick_planning_prints_a_plan_too(capsys):
    assert main(["plan", "--quick", str(EXAMPLES / "plan-example.json")]) == 0
    assert json.loads(capsys.readouterr().out)["unplaced"] == 0
    assert main(["plan", "--quick", str(EXAMPLES / "plan-impossible.json")]) == 1


def test_output_is_identical_for_the_same_input():
    assert run(EXAMPLES / "plan-example.json") == run(EXAMPLES / "plan-example.json")


def _broken(path, value):
    data = copy.deepcopy(EXAMPLE)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


ERRORS = [
    (("staff", 2, "shifts", 0, "start"), "7am", "staff[2].shifts[0].start: expected HH:MM"),
    (("staff", 0, "gender"), "f", "staff[0].gender: expected one of female, male, other"),
    (("staff", 1, "shifts", 0, "days"), ["monday"], "staff[1].shifts[0].days[0]: expected one of mon, tue"),
    (("rooms", 1, "capacity"), 0, "rooms[1].capacity: must be at least 1"),
    (("therapies", 0, "duration_minutes"), "20", "therapies[0].duration_minutes: expected a whole number"),
    (("therapies", 3, "offered_by"), ["d9"], "therapies[3].offered_by: unknown staff id 'd9'"),
    (("requests", 0, "sessions", 1, "therapy"), "massage", "requests[0].sessions[1].therapy: unknown therapy id"),
    (("requests", 0, "sessions", 2, "after", 0, "session"), "nope",
     "requests[0].sessions[2].after[0].session: no other session 'nope'"),
    (("requests", 0, "start_date"), "07-12-2026", "requests[0].start_date: expected a date YYYY-MM-DD"),
    (("requests", 2, "time"), "10:05", "requests[2].time: must be on the 15-minute booking grid"),
    (("bookings", 0, "room"), "room-x", "bookings[0].room: unknown room id 'room-x'"),
    (("staff", 0, "shfits"), [], "staff[0].shfits: unknown field"),
    (("rooms",), KeyError, "rooms: is required"),
    (("staff", 1, "id"), "d1", "staff[1].id: duplicate id 'd1'"),
]


@pytest.mark.parametrize(("path", "value", "message"), ERRORS, ids=[e[2].split(":")[0] for e in ERRORS])
def test_malformed_input_names_the_field(path, value, message):
    with pytest.raises(ScheduleFormatError) as caught:
        parse_instance(_broken(path, value))
    assert str(caught.value).startswith(message)


def test_cli_exits_2_with_the_field_name(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_broken(("staff", 2, "shifts", 0, "start"), "25:00")))
    assert main(["plan", str(bad)]) == 2
    assert "staff[2].shifts[0].start: expected HH:MM" in capsys.readouterr().err
    bad.write_text("{not json")
    assert main(["plan", str(bad)]) == 2
    assert "is not valid JSON (line 1, column 2" in capsys.readouterr().err


def test_a_cycle_of_after_links_is_refused():
    data = copy.deepcopy(EXAMPLE)
    data["requests"][0]["sessions"][5]["after"] = [{"session": "samsarjana", "min_gap_days": 0}]  # abhyanga-3
    with pytest.raises(ScheduleFormatError, match=r"requests\[0\].sessions: the 'after' links go round in a circle"):
        parse_instance(data)
