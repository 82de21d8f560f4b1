"""Turning values into the short text screens show: dates, ages, sizes, choice labels."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale

from clinicdesk.domain.patients import age_parts
from clinicdesk.ui.i18n import translate

_SEX_SHORT = {"female": "F", "male": "M", "other": "O"}


def sex_label(value: str) -> str:
    return {"female": translate("Choices", "Female"), "male": translate("Choices", "Male"),
            "other": translate("Choices", "Other")}.get(value, value)


def age_sex(dob: date | None, sex: str, today: date) -> str:
    """'42 y F', or months for infants so a 6-month-old does not read '0 y'."""
    short = translate("Choices", _SEX_SHORT.get(sex, "")) if sex else ""
    if dob is None:
        return short
    number, unit = age_parts(dob, today)
    age = (translate("Age", "%1 y") if unit == "y" else translate("Age", "%1 mo")).replace("%1", str(number))
    return f"{age} {short}".strip()


def format_date(value: date | None) -> str:
    """'26 Nov 2026', with the month named in the interface language (QLocale, not the C library's locale)."""
    return QLocale().toString(QDate(value.year, value.month, value.day), "dd MMM yyyy") if value else ""


def format_time(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def format_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    """Stored times are UTC; staff read them in their centre's time zone."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{format_date(local.date())}, {local.strftime('%H:%M')}"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def humanise(value: str) -> str:
    """'data_processing' -> 'Data processing': labels for stored choice codes."""
    return value.replace("_", " ").capitalize() if value else ""


def format_phone(value: str) -> str:
    """'+919847012345' -> '+91 98470 12345', the way numbers are read out at a desk; anything else unchanged."""
    if value and value.startswith("+91") and len(value) == 13 and value[3:].isdigit():
        return f"+91 {value[3:8]} {value[8:]}"
    return value
