"""Indian identifiers and contact values: Aadhaar (Verhoeff), ABHA number and address, phone, PIN code, email."""

import re

# Verhoeff tables (dihedral group D5), used by UIDAI for the Aadhaar check digit.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of `digits` is a correct Verhoeff check digit."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def verhoeff_check_digit(digits: str) -> str:
    """The Verhoeff check digit to append to `digits`."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[check])


# Digits typed on a Hindi or Malayalam keyboard mean the same numbers; store them as ASCII.
_LOCAL_DIGITS = str.maketrans("०१२३४५६७८९൦൧൨൩൪൫൬൭൮൯", "0123456789" * 2)


def _ascii_digits(text: str) -> str:
    return text.translate(_LOCAL_DIGITS)


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _digits_only(text: str) -> str:
    return re.sub(r"[\s-]", "", _ascii_digits(text))


def normalise_aadhaar(text: str) -> str:
    """Return the 12 Aadhaar digits or raise ValueError with a sentence for the form."""
    digits = _digits_only(text)
    if not _is_ascii_digits(digits) or len(digits) != 12:
        raise ValueError("must be 12 digits (spaces allowed), for example 2345 6789 0124")
    if digits[0] in "01":
        raise ValueError("cannot start with 0 or 1")
    if not verhoeff_valid(digits):
        raise ValueError("is not a valid Aadhaar number (check digit does not match); please re-check each digit")
    return digits


def mask_aadhaar(last4: str) -> str:
    """Aadhaar as it may be shown on screen and paper: only the last four digits."""
    return f"XXXX XXXX {last4}"


def normalise_abha_number(text: str) -> str:
    """ABHA number: 14 digits, shown as 2-4-4-4 (e.g. 91-2345-6789-0123)."""
    digits = _digits_only(text)
    if not _is_ascii_digits(digits) or len(digits) != 14:
        raise ValueError("must be 14 digits, written like 91-2345-6789-0123")
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


_ABHA_ADDRESS = re.compile(r"^[a-z0-9][a-z0-9._]{1,30}[a-z0-9]@(abdm|sbx)$")


def normalise_abha_address(text: str) -> str:
    """ABHA address like name.surname@abdm (letters, digits, dot, underscore; 3 to 32 characters before @)."""
    value = text.strip().lower()
    if not _ABHA_ADDRESS.match(value):
        raise ValueError("must look like name@abdm (3-32 letters, digits, '.' or '_' before @abdm)")
    return value


def normalise_indian_phone(text: str) -> str:
    """Return a mobile or landline number as +91 followed by 10 digits."""
    digits = re.sub(r"[\s\-()]", "", _ascii_digits(text))
    if digits.startswith("+91"):
        digits = digits[3:]
    elif digits.startswith("0091"):
        digits = digits[4:]
    elif digits.startswith("0") and len(digits) == 11:
        digits = digits[1:]
    if not _is_ascii_digits(digits) or len(digits) != 10:
        raise ValueError("must be a 10-digit Indian number, optionally starting with +91")
    if digits[0] == "0":
        raise ValueError("cannot start with 0 after the country code")
    return "+91" + digits


def normalise_pincode(text: str) -> str:
    value = _ascii_digits(text).strip().replace(" ", "")
    if not re.fullmatch(r"[1-9][0-9]{5}", value):
        raise ValueError("must be a 6-digit PIN code that does not start with 0")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def normalise_email(text: str) -> str:
    value = text.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("must be an email address like name@example.com")
    return value.lower()
