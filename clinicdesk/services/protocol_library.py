"""The protocol library: templates shipped under resources/protocols plus the versions an admin saved in the app."""

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.protocols import (
    Library,
    build_library,
    check_template,
    parse_course,
    parse_sops,
    parse_therapies,
    with_versions,
)
from clinicdesk.resources import resource_path
from clinicdesk.store.models_protocols import ProtocolTemplateVersionRow


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


# --- the library in force: shipped files plus the versions an admin saved in the app ---------------------------

_MERGED_CACHE_SIZE = 16
_merged: dict[tuple, Library] = {}


def admin_rows(session: Session) -> list[ProtocolTemplateVersionRow]:
    return list(session.scalars(select(ProtocolTemplateVersionRow).order_by(
        ProtocolTemplateVersionRow.kind, ProtocolTemplateVersionRow.key, ProtocolTemplateVersionRow.version)))


def therapy_rows_in_force(rows: list[ProtocolTemplateVersionRow], today: date) -> list[ProtocolTemplateVersionRow]:
    """For each therapy, its latest admin version whose effective date has come (therapies carry no plan date)."""
    latest: dict[str, ProtocolTemplateVersionRow] = {}
    for row in rows:
        if row.kind == "therapy" and row.effective_from <= today and (
                row.key not in latest or row.version > latest[row.key].version):
            latest[row.key] = row
    return list(latest.values())


def effective_library(session: Session, today: date) -> Library:
    """The shipped library with the admin's versions on top: every SOP and course version (a plan picks the one in
    force on its start date, and keeps it) and each therapy's latest version in force `today`.

    Versions are append-only, so the row ids in use name the result exactly; it is cached by them.
    """
    rows = admin_rows(session)
    chosen = [*therapy_rows_in_force(rows, today), *(r for r in rows if r.kind != "therapy")]
    signature = tuple(sorted(r.id for r in chosen))
    if signature in _merged:
        return _merged[signature]
    base = library()
    therapies = {}
    for row in chosen:
        if row.kind == "therapy":
            therapies[row.key] = check_template("therapy", row.key, row.body, base.therapies, version=row.version,
                                                effective_from=row.effective_from)
    merged_therapies = base.therapies | therapies
    sops = [check_template("sop", r.key, r.body, merged_therapies, version=r.version,
                           effective_from=r.effective_from) for r in chosen if r.kind == "sop"]
    courses = [check_template("course", r.key, r.body, merged_therapies, version=r.version,
                              effective_from=r.effective_from) for r in chosen if r.kind == "course"]
    merged = with_versions(base, therapies, sops, courses)
    if len(_merged) >= _MERGED_CACHE_SIZE:
        _merged.clear()
    _merged[signature] = merged
    return merged
