"""`clinicdesk plan INSTANCE.json`: read a scheduling problem, book it with the domain scheduler, return JSON."""

import json
from pathlib import Path

from clinicdesk.domain.scheduling.io_json import ScheduleFormatError, parse_instance, result_to_json
from clinicdesk.domain.scheduling.solver import SolverOptions, solve


def load_instance(path: Path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleFormatError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleFormatError("", f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                      f"{exc.msg})") from exc
    return parse_instance(data)


def run(path, quick: bool = False) -> dict:
    """Plan every request in the file; raises ScheduleFormatError (a ClinicError) naming the bad field.

    `quick` leaves out the batch shake-up: seconds instead of minutes on a batch of fifty courses, sometimes a few
    sessions fewer placed.
    """
    clinic, requests, slot_minutes = load_instance(Path(path))
    options = SolverOptions(slot_minutes=slot_minutes)
    if quick:
        options = SolverOptions(slot_minutes=slot_minutes, shake_rounds=0)
    result = solve(clinic, requests, options)
    return result_to_json(clinic, requests, result)
