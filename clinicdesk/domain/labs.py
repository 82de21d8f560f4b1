"""Lab results: reading a value against its reference range into normal, abnormal or critical, and trends."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from clinicdesk.domain.errors import ValidationError


class Flag(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    CRITICAL = "critical"


FLAG_LABELS = {Flag.NORMAL: "Normal", Flag.ABNORMAL: "Abnormal", Flag.CRITICAL: "Critical"}
_NUMBER = re.compile(r"^[<>]?\s*-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class ReferenceRange:
    """Normal between low and high (either may be open); critical at or beyond the critical limits."""

    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None

    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low}–{self.high}"
        if self.low is not None:
            return f"≥ {self.low}"
        if self.high is not None:
            return f"≤ {self.high}"
        return ""


@dataclass(frozen=True)
class LabEntry:
    """What the lab result form submits: the value as typed; a flag only for textual results."""

    test: str
    taken_on: date
    value: str
    unit: str = ""
    reference: ReferenceRange = ReferenceRange()
    entered_flag: str = ""  # required for a textual value ("positive", "trace"), ignored for numbers
    note: str = ""


def parse_number(text: str) -> Decimal | None:
    """A numeric value, or None for a textual one; "<0.5" and ">300" read as their limit."""
    cleaned = text.strip().replace(",", "")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned.lstrip("<>").strip())
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        return None


def classify(value: Decimal, ref: ReferenceRange) -> Flag:
    if (ref.critical_low is not None and value <= ref.critical_low) or \
            (ref.critical_high is not None and value >= ref.critical_high):
        return Flag.CRITICAL
    if (ref.low is not None and value < ref.low) or (ref.high is not None and value > ref.high):
        return Flag.ABNORMAL
    return Flag.NORMAL


def check_range(ref: ReferenceRange) -> dict[str, str]:
    problems = {}
    if ref.low is not None and ref.high is not None and ref.low > ref.high:
        problems["reference"] = "low limit is above the high limit"
    if ref.critical_low is not None and ref.low is not None and ref.critical_low > ref.low:
        problems["critical_low"] = "must be at or below the normal low limit"
    if ref.critical_high is not None and ref.high is not None and ref.critical_high < ref.high:
        problems["critical_high"] = "must be at or above the normal high limit"
    return problems


def evaluate(entry: LabEntry, *, today: date) -> tuple[Decimal | None, Flag]:
    """(numeric value or None, flag) for a valid entry; ValidationError naming each bad field otherwise."""
    problems = check_range(entry.reference)
    if not entry.test.strip() or len(entry.test) > 120:
        problems["test"] = "is required (at most 120 characters)"
    if entry.taken_on > today:
        problems["taken_on"] = "cannot be in the future"
    if not entry.value.strip() or len(entry.value) > 200:
        problems["value"] = "is required (at most 200 characters)"
    if len(entry.unit) > 30:
        problems["unit"] = "must be at most 30 characters"
    number = parse_number(entry.value) if entry.value.strip() else None
    flag = Flag.NORMAL
    if number is not None:
        flag = classify(number, entry.reference)
    elif entry.value.strip():
        if entry.entered_flag not in set(Flag):
            problems["flag"] = "must be chosen for a result in words: normal, abnormal or critical"
        else:
            flag = Flag(entry.entered_flag)
    if problems:
        raise ValidationError(problems, {"test": "Test", "taken_on": "Date taken", "value": "Result",
                                         "unit": "Unit", "flag": "Flag", "reference": "Reference range",
                                         "critical_low": "Critical low", "critical_high": "Critical high"})
    return number, flag


@dataclass(frozen=True)
class TrendPoint:
    taken_on: date
    value: Decimal
    flag: Flag


def trend(points: Iterable[TrendPoint]) -> tuple[tuple[TrendPoint, ...], str]:
    """Points oldest first, and a word for the direction of the last two ("rising", "falling", "steady", "")."""
    ordered = tuple(sorted(points, key=lambda p: p.taken_on))
    if len(ordered) < 2:
        return ordered, ""
    before, last = ordered[-2].value, ordered[-1].value
    if last == before:
        return ordered, "steady"
    return ordered, "rising" if last > before else "falling"
