"""The patient portal's rules that desk and HQ share: row ids, booking windows and the check-in code's text."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PORTAL_NAMESPACE = uuid.UUID("6f1c2a52-8f8e-4c1e-9a55-3d1f5e0b7c21")
CHECK_IN_PREFIX = "clinicdesk:check-in:"

REQUEST_KINDS = ("book", "reschedule", "cancel")
REQUEST_STATUSES = ("pending", "confirmed", "declined", "withdrawn")


def availability_row_id(centre_id: str, service_id: str, day: date) -> str:
    """Every desk computing one centre's free starts of a service on a day writes the same row (they merge)."""
    return str(uuid.uuid5(PORTAL_NAMESPACE, f"{centre_id}|{service_id}|{day.isoformat()}"))


def check_in_payload(appointment_id: str) -> str:
    """What the portal's QR code says. An appointment id is a random UUID: it cannot be guessed, and at the desk it
    only finds the appointment for the receptionist, who sees the patient's name and time before checking in."""
    return f"{CHECK_IN_PREFIX}{appointment_id}"


def parse_check_in_payload(text: str) -> str | None:
    """The appointment id in a scanned code (a USB scanner types it like a keyboard), or None if it is not ours."""
    text = text.strip()
    if not text.startswith(CHECK_IN_PREFIX):
        return None
    candidate = text[len(CHECK_IN_PREFIX):]
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return None


@dataclass(frozen=True)
class BookingRules:
    """What a clinic allows online (the synced portal_settings row of its centre)."""

    booking_enabled: bool = False
    auto_approve: bool = False
    min_notice_hours: int = 12
    max_days_ahead: int = 14
    change_notice_hours: int = 24
    bookable_service_ids: tuple[str, ...] = ()


def booking_refusal(rules: BookingRules, service_id: str, start: datetime, now: datetime) -> str | None:
    """Why a new booking at `start` (aware) is not allowed online, as a key of the portal's texts, or None."""
    if not rules.booking_enabled:
        return "booking.refused.disabled"
    if service_id not in rules.bookable_service_ids:
        return "booking.refused.service"
    if start < now + timedelta(hours=rules.min_notice_hours):
        return "booking.refused.too_soon"
    if start.date() > (now + timedelta(days=rules.max_days_ahead)).date():
        return "booking.refused.too_far"
    return None


def change_refusal(rules: BookingRules, current_start: datetime, now: datetime) -> str | None:
    """Why an appointment starting at `current_start` may no longer be moved or cancelled online, or None."""
    if current_start < now + timedelta(hours=rules.change_notice_hours):
        return "booking.refused.change_too_late"
    return None
