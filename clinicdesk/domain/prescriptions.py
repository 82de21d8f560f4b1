"""Prescription arithmetic: frequency presets (OD, BD, 1-0-1...), food timing, quantities and allergy matching."""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from clinicdesk.domain.errors import ValidationError


@dataclass(frozen=True)
class Frequency:
    code: str  # what is stored and printed: OD, BD, TDS, QID, HS, SOS or a dose pattern such as 1-0-1
    label: str
    pattern: tuple[Decimal, ...]  # doses at morning-noon-night (four parts for QID)
    as_needed: bool = False

    @property
    def doses_per_day(self) -> Decimal:
        return sum(self.pattern, Decimal(0))


_ONE, _NONE = Decimal(1), Decimal(0)
PRESETS: dict[str, Frequency] = {
    "OD": Frequency("OD", "once a day (morning)", (_ONE, _NONE, _NONE)),
    "BD": Frequency("BD", "twice a day (morning and night)", (_ONE, _NONE, _ONE)),
    "TDS": Frequency("TDS", "three times a day", (_ONE, _ONE, _ONE)),
    "QID": Frequency("QID", "four times a day", (_ONE, _ONE, _ONE, _ONE)),
    "HS": Frequency("HS", "at bedtime", (_NONE, _NONE, _ONE)),
    "SOS": Frequency("SOS", "only when needed", (), as_needed=True),
}
# The Latin and English spellings doctors also use for the same presets.
ALIASES = {"QD": "OD", "ONCE": "OD", "BID": "BD", "TWICE": "BD", "TID": "TDS", "THRICE": "TDS", "QDS": "QID",
           "BEDTIME": "HS", "PRN": "SOS"}
FOOD_TIMINGS = {"before_food": "before food", "after_food": "after food", "with_food": "with food",
                "empty_stomach": "on an empty stomach", "": ""}
_FOOD_ALIASES = {"ac": "before_food", "before food": "before_food", "before meals": "before_food",
                 "pc": "after_food", "after food": "after_food", "after meals": "after_food",
                 "with food": "with_food", "with meals": "with_food", "empty stomach": "empty_stomach"}
COUNTED_UNITS = frozenset({"tablet", "capsule", "vati", "gutika", "sachet", "piece"})  # dispensed whole
ROUTES = ("oral", "topical", "nasal", "eye", "ear", "rectal", "inhaled", "sublingual")
_PATTERN = re.compile(r"^(\d+(?:\.\d+)?|½|1/2)(-(\d+(?:\.\d+)?|½|1/2)){2,3}$")
_LABELS = {"frequency": "Frequency", "food_timing": "Food timing", "dose": "Dose", "duration_days": "Duration",
           "quantity": "Quantity"}


def parse_frequency(text: str) -> Frequency:
    """A preset code (OD, bd, TID...) or an Indian dose pattern such as 1-0-1, 1-1-1-1 or ½-0-½."""
    cleaned = text.strip().upper().replace(" ", "")
    code = ALIASES.get(cleaned, cleaned)
    if code in PRESETS:
        return PRESETS[code]
    if _PATTERN.match(cleaned):
        parts = tuple(Decimal("0.5") if p in ("½", "1/2") else Decimal(p) for p in cleaned.split("-"))
        if sum(parts) > 0:
            times = ("morning", "noon", "night") if len(parts) == 3 else ("morning", "noon", "evening", "night")
            when = [f"{plain_number(n)} at {t}" for n, t in zip(parts, times, strict=True) if n]
            return Frequency(cleaned, ", ".join(when), parts)
    raise ValidationError({"frequency": f"'{text.strip()}' is not understood; use OD, BD, TDS, QID, HS, SOS or a "
                                        "pattern such as 1-0-1"}, _LABELS)


def parse_food_timing(text: str) -> str:
    """before_food, after_food, with_food, empty_stomach or "" from what the doctor typed or said."""
    key = " ".join(text.strip().casefold().replace("_", " ").split())
    if key.replace(" ", "_") in FOOD_TIMINGS:
        return key.replace(" ", "_")
    if key in _FOOD_ALIASES:
        return _FOOD_ALIASES[key]
    raise ValidationError({"food_timing": "must be before food, after food, with food or empty stomach"}, _LABELS)


def plain_number(value: Decimal) -> str:
    """'2', '2.5', '½': a dose as it is written on a prescription."""
    return "½" if value == Decimal("0.5") else format(value.normalize(), "f")


def quantity_needed(dose: Decimal, unit: str, frequency: Frequency, duration_days: int) -> Decimal:
    """Dose x doses a day x days; tablets and capsules round up to whole ones; SOS needs a quantity given."""
    if frequency.as_needed:
        raise ValidationError({"quantity": "must be given for a medicine taken only when needed (SOS)"}, _LABELS)
    total = Decimal(dose) * frequency.doses_per_day * duration_days
    if unit in COUNTED_UNITS:
        return Decimal(math.ceil(total))
    return total


def parse_decimal(value, field: str, *, low: Decimal, high: Decimal, problems: dict[str, str]) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems[field] = "must be a number"
        return Decimal(0)
    if not low <= number <= high:
        problems[field] = f"must be between {plain_number(low)} and {plain_number(high)}"
    return number


def describe(dose: Decimal, unit: str, frequency: Frequency, food_timing: str, duration_days: int) -> str:
    """The line a patient reads: '1 tablet 1-0-1 (twice a day...) after food for 5 days'."""
    plural = unit if Decimal(dose) <= 1 or unit in ("ml", "g", "drop") else unit + "s"
    parts = [f"{plain_number(Decimal(dose))} {plural}", f"{frequency.code} ({frequency.label})"]
    if FOOD_TIMINGS.get(food_timing):
        parts.append(FOOD_TIMINGS[food_timing])
    parts.append(f"for {duration_days} day" + ("" if duration_days == 1 else "s"))
    return " ".join(parts)


# --- allergies ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AllergyMatch:
    allergy: str  # as recorded on the patient's chart
    drug: str
    reason: str  # why they match, in words


# Allergy groups: a recorded allergy to any word on the left warns for a drug containing any word on the right.
ALLERGY_GROUPS: dict[str, tuple[str, ...]] = {
    "penicillin": ("penicillin", "amoxicillin", "amoxycillin", "ampicillin", "cloxacillin", "piperacillin",
                   "augmentin", "amoxyclav"),
    "sulfa": ("sulfamethoxazole", "cotrimoxazole", "co-trimoxazole", "septran", "sulfasalazine"),
    "nsaid": ("aspirin", "ibuprofen", "diclofenac", "naproxen", "aceclofenac", "ketorolac", "mefenamic"),
    "aspirin": ("aspirin", "ecosprin", "disprin"),
    "sesame": ("sesame", "til", "tila", "tila taila", "gingelly"),
    "dairy": ("milk", "ghee", "ghrita", "ghritam", "ksheera", "ksheerabala", "butter"),
    "milk": ("milk", "ghee", "ghrita", "ghritam", "ksheera", "ksheerabala", "butter"),
    "castor": ("castor", "eranda", "erand"),
    "gluten": ("wheat", "godhuma"),
}
_SYNONYMS = {"sulpha": "sulfa", "sulphonamide": "sulfa", "sulfonamide": "sulfa", "nsaids": "nsaid",
             "ghee": "dairy", "lactose": "dairy", "penicillins": "penicillin"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z\-]*", text.casefold())


def allergy_matches(drug: str, allergies: Iterable[str]) -> list[AllergyMatch]:
    """Each recorded allergy that this drug may trigger: the same word in both, or a drug of the allergy's group."""
    drug_words = _words(drug)
    drug_text = " ".join(drug_words)
    found = []
    for allergy in allergies:
        allergy_words = [w for w in _words(allergy) if len(w) > 2 and w not in ("allergy", "to", "the", "and")]
        shared = sorted(set(allergy_words) & set(drug_words))
        if shared:
            found.append(AllergyMatch(allergy, drug, f"both name {', '.join(shared)}"))
            continue
        for word in allergy_words:
            group = _SYNONYMS.get(word, word)
            members = [m for m in ALLERGY_GROUPS.get(group, ()) if re.search(rf"\b{re.escape(m)}\b", drug_text)]
            if members:
                found.append(AllergyMatch(allergy, drug, f"{members[0]} belongs to the {group} group"))
                break
    return found
