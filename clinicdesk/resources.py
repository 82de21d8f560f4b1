"""Finds files under resources/ in a source checkout or inside an installed bundle."""

from pathlib import Path


def resources_dir() -> Path:
    from clinicdesk.paths_frozen import bundled_path

    here = Path(__file__).resolve().parent
    for candidate in (bundled_path("resources"), here.parent / "resources", here / "resources"):
        if candidate is not None and candidate.is_dir():
            return candidate
    raise FileNotFoundError("ClinicDesk's resources folder is missing from this installation.")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
