"""GSTIN (GST identification number) validation: format, state code and the base-36 check character."""

import re

from clinicdesk.domain.errors import ValidationError

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# GST state codes (first two characters of a GSTIN). 25 (Daman and Diu) and 28 (undivided Andhra Pradesh) are no
# longer issued but old registrations still carry them, so a GSTIN starting with them is still valid.
STATE_CODES = {
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh", "05": "Uttarakhand",
    "06": "Haryana", "07": "Delhi", "08": "Rajasthan", "09": "Uttar Pradesh", "10": "Bihar", "11": "Sikkim",
    "12": "Arunachal Pradesh", "13": "Nagaland", "14": "Manipur", "15": "Mizoram", "16": "Tripura",
    "17": "Meghalaya", "18": "Assam", "19": "West Bengal", "20": "Jharkhand", "21": "Odisha", "22": "Chhattisgarh",
    "23": "Madhya Pradesh", "24": "Gujarat", "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu", "27": "Maharashtra", "28": "Andhra Pradesh (old)",
    "29": "Karnataka", "30": "Goa", "31": "Lakshadweep", "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry",
    "35": "Andaman and Nicobar Islands", "36": "Telangana", "37": "Andhra Pradesh", "38": "Ladakh",
    "97": "Other Territory", "99": "Centre Jurisdiction",
}
_ALIASES = {"orissa": "21", "pondicherry": "34", "j&k": "01", "nct of delhi": "07", "new delhi": "07",
            "andhra pradesh": "37", "daman and diu": "26", "dadra and nagar haveli": "26", "uttaranchal": "05"}
_BY_NAME = {name.lower(): code for code, name in STATE_CODES.items() if code not in ("25", "28", "97", "99")}
_PAN = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
LABEL = "GSTIN"


def state_code(state: str) -> str | None:
    """The GST state code for a state name as typed ("Kerala", "kerala ", "Orissa"), or None when unknown."""
    key = " ".join(state.lower().replace("&", " and ").split()) if state.strip() != "J&K" else "j&k"
    return _ALIASES.get(key) or _BY_NAME.get(key)


def check_character(first14: str) -> str:
    """The 15th character: base-36 weighted sum with weights 1, 2, 1, 2... (each product folded as q + r)."""
    total = 0
    for index, ch in enumerate(first14):
        product = _ALPHABET.index(ch) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _ALPHABET[(36 - total % 36) % 36]


def gstin_problem(text: str) -> str | None:
    """What is wrong with a GSTIN, in words, or None when it is valid. Lower case and spaces are tolerated."""
    value = "".join(text.split()).upper()
    if len(value) != 15:
        return f"must be 15 characters (this one has {len(value)})"
    if not all(ch in _ALPHABET for ch in value):
        return "may contain only letters A-Z and digits"
    if not value[:2].isdigit():
        return "must start with the two-digit state code, e.g. 32 for Kerala"
    if value[:2] not in STATE_CODES:
        return f"starts with {value[:2]}, which is not a GST state code"
    if not _PAN.fullmatch(value[2:12]):
        return "characters 3 to 12 must be the holder's PAN: 5 letters, 4 digits, 1 letter"
    if value[12] == "0":
        return "character 13 (the registration number under this PAN) must be 1-9 or A-Z, not 0"
    if value[13] != "Z":
        return "character 14 must be Z"
    if check_character(value[:14]) != value[14]:
        return "fails its check character: look for a mistyped character"
    return None


def validate_gstin(text: str, *, field: str = "gstin", required: bool = False) -> str:
    """The GSTIN normalised to upper case without spaces ("" when blank and optional), or a ValidationError."""
    value = "".join(text.split()).upper()
    if not value:
        if required:
            raise ValidationError({field: "is required"}, {field: LABEL})
        return ""
    problem = gstin_problem(value)
    if problem:
        raise ValidationError({field: problem}, {field: LABEL})
    return value
