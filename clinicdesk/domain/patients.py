"""Patient registration values and their validation, field by field, with messages that name the field."""

import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date

from clinicdesk.domain import identifiers
from clinicdesk.domain.errors import ValidationError

SEXES = ("female", "male", "other")
BLOOD_GROUPS = ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")
LANGUAGES = ("en", "hi", "ml")
MAX_AGE_YEARS = 120
_NAME_PUNCTUATION = frozenset(".'-\u200c\u200d")  # ZWNJ and ZWJ shape Devanagari and Malayalam conjuncts


def _name_char_allowed(ch: str) -> bool:
    # Letters and combining marks of any script: vowel signs and viramas are marks (category M), not letters.
    return unicodedata.category(ch)[0] in "LM" or ch.isspace() or ch in _NAME_PUNCTUATION


FIELD_LABELS = {
    "given_name": "Given name", "family_name": "Family name", "name_local": "Name in local script",
    "date_of_birth": "Date of birth", "sex": "Sex", "blood_group": "Blood group", "phone": "Phone",
    "alt_phone": "Alternate phone", "email": "Email", "address_line": "Address", "city": "City",
    "state": "State", "pincode": "PIN code", "aadhaar": "Aadhaar", "abha_number": "ABHA number",
    "abha_address": "ABHA address", "emergency_contact_name": "Emergency contact name",
    "emergency_contact_relation": "Emergency contact relation", "emergency_contact_phone": "Emergency contact phone",
    "occupation": "Occupation", "preferred_language": "Preferred language", "medical_history": "Medical history",
    "family_history": "Family history", "lifestyle": "Lifestyle", "diet": "Diet",
}


@dataclass(frozen=True)
class PatientDraft:
    """What the registration or edit form submits; strings as typed, validated by `validate_patient`."""

    given_name: str = ""
    family_name: str = ""
    name_local: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    blood_group: str = ""
    phone: str = ""
    alt_phone: str = ""
    email: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    pincode: str = ""
    aadhaar: str = ""  # empty on edit means "keep what is stored"
    abha_number: str = ""
    abha_address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relation: str = ""
    emergency_contact_phone: str = ""
    occupation: str = ""
    preferred_language: str = "en"
    medical_history: str = ""
    family_history: str = ""
    lifestyle: str = ""
    diet: str = ""
    extra: dict = field(default_factory=dict)


_TEXT_LIMITS = {"medical_history": 4000, "family_history": 2000, "lifestyle": 2000, "diet": 2000,
                "address_line": 300, "city": 80, "state": 80, "occupation": 120,
                "emergency_contact_relation": 60}


def _check_name(value: str, *, required: bool) -> str | None:
    if not value:
        return "is required" if required else None
    if len(value) > 100:
        return "must be at most 100 characters"
    if any(ch.isdigit() for ch in value):
        return "must not contain digits"
    if not all(_name_char_allowed(ch) for ch in value):
        return "may contain letters (any script), spaces, '.', ''' and '-' only"
    return None


def validate_patient(draft: PatientDraft, *, today: date) -> PatientDraft:
    """Return the draft with every value normalised, or raise ValidationError naming each wrong field."""
    problems: dict[str, str] = {}
    clean = {f.name: (getattr(draft, f.name).strip() if isinstance(getattr(draft, f.name), str)
                      else getattr(draft, f.name)) for f in fields(draft)}

    for name, required in (("given_name", True), ("family_name", False), ("emergency_contact_name", False)):
        if msg := _check_name(clean[name], required=required):
            problems[name] = msg
    if clean["name_local"] and len(clean["name_local"]) > 100:
        problems["name_local"] = "must be at most 100 characters"

    dob = clean["date_of_birth"]
    if dob is None:
        problems["date_of_birth"] = "is required (an estimated date is fine if the patient does not know it)"
    elif dob > today:
        problems["date_of_birth"] = "cannot be in the future"
    elif age_on(dob, today) > MAX_AGE_YEARS:
        problems["date_of_birth"] = f"gives an age over {MAX_AGE_YEARS} years; please check the year"

    if clean["sex"] not in SEXES:
        problems["sex"] = "must be female, male or other"
    if clean["blood_group"] and clean["blood_group"].upper() not in BLOOD_GROUPS:
        problems["blood_group"] = "must be one of " + ", ".join(BLOOD_GROUPS)
    else:
        clean["blood_group"] = clean["blood_group"].upper()
    if clean["preferred_language"] not in LANGUAGES:
        problems["preferred_language"] = "must be English, Hindi or Malayalam"

    normalisers = {
        "phone": identifiers.normalise_indian_phone, "alt_phone": identifiers.normalise_indian_phone,
        "emergency_contact_phone": identifiers.normalise_indian_phone, "email": identifiers.normalise_email,
        "pincode": identifiers.normalise_pincode, "aadhaar": identifiers.normalise_aadhaar,
        "abha_number": identifiers.normalise_abha_number, "abha_address": identifiers.normalise_abha_address,
    }
    if not clean["phone"]:
        problems["phone"] = "is required so the clinic can reach the patient"
    for name, normalise in normalisers.items():
        if clean[name] and name not in problems:
            try:
                clean[name] = normalise(clean[name])
            except ValueError as exc:
                problems[name] = str(exc)
    if clean["emergency_contact_name"] and not clean["emergency_contact_phone"]:
        problems["emergency_contact_phone"] = "is required when an emergency contact is named"
    for name, limit in _TEXT_LIMITS.items():
        if len(clean[name]) > limit:
            problems[name] = f"must be at most {limit} characters"

    if problems:
        raise ValidationError(problems, FIELD_LABELS)
    return replace(draft, **clean)


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def age_parts(dob: date, today: date) -> tuple[int, str]:
    """(42, "y"), or months for infants, (6, "mo"), so a 6-month-old does not read "0 y"."""
    years = age_on(dob, today)
    if years >= 2:
        return years, "y"
    months = (today.year - dob.year) * 12 + today.month - dob.month - (today.day < dob.day)
    return max(months, 0), "mo"


def display_name(given: str, family: str) -> str:
    return f"{given} {family}".strip()


def format_uhid(centre_code: str, device_code: str, number: int) -> str:
    """Hospital number unique per centre: the device code keeps two offline machines from issuing the same one."""
    return f"{centre_code}-{device_code}-{number:06d}"
