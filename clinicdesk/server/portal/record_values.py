"""Reading synced row values for the portal's documents: ISO text to dates, text to decimals, the centre's own day."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinicdesk.domain.patients import age_parts
from clinicdesk.domain.prescriptions import FOOD_TIMINGS, parse_frequency, plain_number

DEFAULT_ZONE = "Asia/Kolkata"
SEX_LETTER = {"female": "F", "male": "M"}


def as_date(value) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value))


def as_datetime(value) -> datetime | None:
    """An aware datetime; the desks send UTC with its offset, a bare value is read as UTC."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def as_decimal(value) -> Decimal:
    """Money and quantities travel as exact text ("1250.00"); a missing value counts as zero."""
    return Decimal("0") if value is None or value == "" else Decimal(str(value))


def as_float(value) -> float | None:
    return None if value is None or value == "" else float(value)


def zone_named(name: str | None) -> ZoneInfo:
    """A synced time zone name; India's when it is missing or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def centre_zone(centre: dict | None) -> ZoneInfo:
    """The centre's time zone from its synced row (every portal page shows the centre's local times)."""
    return zone_named(str((centre or {}).get("timezone") or DEFAULT_ZONE))


def local_day(value, zone: ZoneInfo) -> date | None:
    """The centre's calendar day of a UTC moment (a bill issued at 01:00 in Kochi belongs to that Indian day)."""
    moment = as_datetime(value)
    return None if moment is None else moment.astimezone(zone).date()


def address_lines(centre: dict | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in ((centre or {}).get("address") or "").split(",") if part.strip())[:3]


def patient_name(patient: dict) -> str:
    return " ".join(part for part in (patient.get("given_name"), patient.get("family_name")) if part)


def age_sex(patient: dict, on: date) -> str:
    """"42 y / F" as the desk prints it; without a date of birth only the sex."""
    sex = patient.get("sex") or ""
    letter = SEX_LETTER.get(sex, sex[:1].upper())
    born = as_date(patient.get("date_of_birth"))
    if born is None:
        return letter
    return "{} {} / {}".format(*age_parts(born, on), letter)


def medicine_parts(item: dict) -> tuple[str, str, str, str]:
    """(drug, dose, how, duration) of a prescription item, worded exactly as the desk's printed prescription."""
    frequency = parse_frequency(item.get("frequency_code") or "")
    how = f"{frequency.code} ({frequency.label})"
    if FOOD_TIMINGS.get(item.get("food_timing") or ""):
        how += f", {FOOD_TIMINGS[item['food_timing']]}"
    days = int(item.get("duration_days") or 0)
    duration = f"{days} day" + ("" if days == 1 else "s")
    return (item.get("drug_name") or "", f"{plain_number(as_decimal(item.get('dose')))} {item.get('dose_unit') or ''}",
            how, duration)
