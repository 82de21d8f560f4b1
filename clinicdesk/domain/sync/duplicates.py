"""Spotting two registrations of the same person made on machines that could not see each other."""

import unicodedata
from collections.abc import Mapping

_LATIN_ACCENTS = (0x0300, 0x036F)  # the Combining Diacritical Marks block
_PHONE_DIGITS = 10  # Indian mobile numbers; "+91", "91" and a leading "0" are dialling prefixes, not the number


def normalised_name(given: str, family: str = "") -> str:
    """Case, accents, punctuation, spacing and word order removed: "Kumar, Ravi." and "ravi  kumar" agree."""
    text = unicodedata.normalize("NFKD", f"{given} {family}".casefold())
    # Latin accents are dropped (é -> e); vowel signs and viramas of Indic scripts live elsewhere and stay
    text = "".join(ch for ch in text if not _LATIN_ACCENTS[0] <= ord(ch) <= _LATIN_ACCENTS[1])
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    return " ".join(sorted(kept.split()))


def normalised_phone(phone: str) -> str:
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    return digits[-_PHONE_DIGITS:] if len(digits) >= _PHONE_DIGITS else ""


def possible_duplicate(patient_a: Mapping[str, object], patient_b: Mapping[str, object]) -> bool:
    """Same date of birth and either the same normalised name (or local-script name) or the same phone number.

    Takes patient fields as synced (given_name, family_name, name_local, date_of_birth, phone); the answer raises a
    review item for a person, it never merges records by itself.
    """
    dob_a, dob_b = patient_a.get("date_of_birth"), patient_b.get("date_of_birth")
    if not dob_a or str(dob_a) != str(dob_b):
        return False
    names_a = _names(patient_a)
    if names_a & _names(patient_b):
        return True
    phone_a = normalised_phone(patient_a.get("phone") or "")
    return bool(phone_a) and phone_a == normalised_phone(patient_b.get("phone") or "")


def _names(patient: Mapping[str, object]) -> set[str]:
    names = {normalised_name(str(patient.get("given_name") or ""), str(patient.get("family_name") or "")),
             "local:" + normalised_name(str(patient.get("name_local") or ""))}
    return {name for name in names if name and name != "local:"}
