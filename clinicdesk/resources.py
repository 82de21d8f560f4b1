"""Finds files under resources/ in a source checkout or inside an installed bundle."""

from pathlib import Path


def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "resources", here / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("ClinicDesk's resources folder is missing from this installation.")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
