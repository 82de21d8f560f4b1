"""Loads the protocol templates under resources/protocols into a checked domain Library (cached per folder)."""

import json
from functools import lru_cache
from pathlib import Path

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.protocols import Library, build_library, parse_course, parse_sops, parse_therapies
from clinicdesk.resources import resource_path


def _read(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ClinicError(f"The protocol file {path.name} cannot be read ({error}); restore it from the "
                          "installation.") from None


def load_library(folder: Path) -> Library:
    """Every therapy, SOP and course in `folder`; a broken file raises a ValidationError naming file and field."""
    therapies = parse_therapies(_read(folder / "therapies.json"))
    sops = parse_sops(_read(folder / "sops.json"))
    courses = []
    for path in sorted((folder / "courses").glob("*.json")):
        try:
            data = _read(path)
            courses.append(parse_course(data.get("course") if isinstance(data, dict) else None, therapies))
        except ValidationError as error:
            raise ValidationError({f"{path.name}: {k}": v for k, v in error.problems.items()},
                                  {f"{path.name}: {k}": f"{path.name}: {k}" for k in error.problems}) from None
    return build_library(therapies, sops, courses)


@lru_cache(maxsize=4)
def _cached(folder: str) -> Library:
    return load_library(Path(folder))


def library(folder: Path | None = None) -> Library:
    """The shipped library (or one from another folder, for tests and an admin's edited copy)."""
    return _cached(str(folder or resource_path("protocols")))
