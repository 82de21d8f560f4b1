"""Bill numbers: one series per centre, device and document kind, restarting each April (GST rule 46)."""

from datetime import date
from enum import StrEnum

from clinicdesk.domain.errors import ClinicError

MAX_LENGTH = 16  # GST rule 46(b): a consecutive serial of at most 16 characters, unique within a financial year


class DocumentKind(StrEnum):
    INVOICE = "I"
    CREDIT_NOTE = "C"
    RECEIPT = "R"


class BillNumberTooLong(ClinicError):
    """The centre and device codes leave no room for a GST-compliant bill number."""


def financial_year(day: date) -> int:
    """The calendar year the Indian financial year starts in: 1 April 2026 to 31 March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def format_bill_number(kind: DocumentKind, centre_code: str, device_code: str, fy_start: int, serial: int) -> str:
    """"KOC-A/I26/00042": centre, device (as in UHIDs, so two offline desks never issue the same number), the kind
    letter with the financial year's first two digits (I26 = invoice of 2026-27), and the serial from 1.

    Only letters, digits, "-" and "/" are used, as the rule allows.
    """
    if serial < 1:
        raise ValueError("bill serial numbers start at 1")
    number = f"{centre_code}-{device_code}/{kind.value}{fy_start % 100:02d}/{serial:05d}"
    if len(number) > MAX_LENGTH:
        room = MAX_LENGTH - (len(number) - len(centre_code) - len(device_code))
        raise BillNumberTooLong(
            f"Bill number {number} would be {len(number)} characters; GST allows {MAX_LENGTH}. Use a centre code "
            f"and device code of at most {room} characters together.")
    return number
