"""The portal's do's and don'ts per therapy and per course phase (resources/portal/guidance.json), in en, hi, ml."""

import json
from functools import lru_cache

from clinicdesk.resources import resource_path

MOMENTS = ("before", "after")


@lru_cache(maxsize=1)
def guidance() -> dict:
    """{"therapies": {key: {"name", "before", "after"}}, "phases": {phase: {...}}}; every text is {en, hi, ml}."""
    return json.loads(resource_path("portal", "guidance.json").read_text(encoding="utf-8"))


def _text(versions: dict, language: str) -> str:
    return versions.get(language) or versions["en"]


def _entry(kind: str, key: str) -> dict | None:
    return guidance()["therapies" if kind == "therapy" else "phases"].get(key)


def advice_items(kind: str, key: str, moment: str, language: str) -> list[str]:
    """The "before" or "after" advice of a therapy or a phase in `language` (English where a text lacks it); none
    for a therapy or phase the guidance does not know."""
    entry = _entry(kind, key)
    return [_text(item, language) for item in entry.get(moment, [])] if entry else []


def display_name(kind: str, key: str, language: str) -> str:
    """A therapy's or a phase's name for patients; an unknown key is shown as itself, readable."""
    entry = _entry(kind, key)
    if entry is None:
        return key.replace("_", " ").capitalize()
    return _text(entry["name"], language)
