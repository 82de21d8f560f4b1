"""Plain values for the admin screens: staff, practitioner profiles, centres, rooms and equipment."""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # 0 = Monday
    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None
    effective_from: date | None = None
    effective_until: date | None = None


@dataclass(frozen=True)
class Leave:
    start_day: date
    end_day: date
    reason: str = ""


@dataclass(frozen=True)
class PractitionerProfile:
    licence_number: str = ""
    qualifications: str = ""
    specialisations: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    consultation_fee: Decimal = Decimal("0")
    verification_status: str = "pending"  # pending, verified, rejected
    credential_expiry: date | None = None


@dataclass(frozen=True)
class StaffDraft:
    username: str
    full_name: str
    role: str
    centre_id: str
    gender: str = ""
    phone: str = ""
    email: str = ""
    profile: PractitionerProfile | None = None
    hours: tuple[WorkingHours, ...] = ()
    leave: tuple[Leave, ...] = ()


@dataclass(frozen=True)
class StaffItem:
    id: str
    username: str
    full_name: str
    role: str
    centre_id: str
    gender: str
    phone: str
    email: str
    active: bool
    locked: bool
    profile: PractitionerProfile | None = None
    hours: tuple[WorkingHours, ...] = ()
    leave: tuple[Leave, ...] = ()


@dataclass(frozen=True)
class CentreDraft:
    code: str
    name: str
    timezone: str = "Asia/Kolkata"
    address: str = ""
    phone: str = ""
    email: str = ""
    gstin: str = ""
    state: str = ""
    holidays: tuple[tuple[date, str], ...] = ()


@dataclass(frozen=True)
class CentreItem:
    id: str
    code: str
    name: str
    timezone: str
    address: str
    phone: str
    email: str
    gstin: str
    state: str
    active: bool
    holidays: tuple[tuple[date, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RoomDraft:
    centre_id: str
    name: str
    room_type: str
    capacity: int = 1
    gender_restriction: str = "any"
    cleaning_buffer_minutes: int = 0


@dataclass(frozen=True)
class RoomItem:
    id: str
    centre_id: str
    name: str
    room_type: str
    capacity: int
    gender_restriction: str
    cleaning_buffer_minutes: int
    active: bool


@dataclass(frozen=True)
class EquipmentDraft:
    centre_id: str
    name: str
    kind: str
    room_id: str | None = None
    quantity: int = 1


@dataclass(frozen=True)
class EquipmentItem:
    id: str
    centre_id: str
    name: str
    kind: str
    room_id: str | None
    quantity: int
    active: bool
