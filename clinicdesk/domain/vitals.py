"""Adult vital signs: plausibility checks, BMI with Asian cut-offs, and alerts for values outside safe ranges."""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class AlertLevel(StrEnum):
    WARNING = "warning"  # tell the doctor
    URGENT = "urgent"  # act now


@dataclass(frozen=True)
class Vitals:
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    pulse_bpm: int | None = None
    temperature_c: Decimal | None = None
    spo2_percent: int | None = None
    respiratory_rate: int | None = None
    height_cm: Decimal | None = None
    weight_kg: Decimal | None = None


@dataclass(frozen=True)
class VitalAlert:
    field: str
    level: AlertLevel
    message: str


# What a person can physically have; outside these it is a typing slip, refused before anything is saved.
PLAUSIBLE = {"bp_systolic": (50, 300), "bp_diastolic": (20, 200), "pulse_bpm": (20, 250),
             "temperature_c": (30, 45), "spo2_percent": (50, 100), "respiratory_rate": (4, 80),
             "height_cm": (40, 250), "weight_kg": (2, 350)}
_UNITS = {"bp_systolic": "mmHg", "bp_diastolic": "mmHg", "pulse_bpm": "beats a minute", "temperature_c": "°C",
          "spo2_percent": "%", "respiratory_rate": "breaths a minute", "height_cm": "cm", "weight_kg": "kg"}

# (field, "below"/"at_or_above", threshold, level, what it means); the first matching row per field wins,
# so the urgent rows come before the warning rows. Adult resting values.
RULES: tuple[tuple[str, str, Decimal, AlertLevel, str], ...] = (
    ("pulse_bpm", "below", Decimal(40), AlertLevel.URGENT, "Pulse {v} a minute is very slow (below 40)"),
    ("pulse_bpm", "at_or_above", Decimal(130), AlertLevel.URGENT, "Pulse {v} a minute is very fast (130 or more)"),
    ("pulse_bpm", "below", Decimal(50), AlertLevel.WARNING, "Pulse {v} a minute is slow (below 50)"),
    ("pulse_bpm", "at_or_above", Decimal(101), AlertLevel.WARNING, "Pulse {v} a minute is fast (above 100)"),
    ("temperature_c", "below", Decimal(35), AlertLevel.URGENT, "Temperature {v} °C is too low (below 35 °C)"),
    ("temperature_c", "at_or_above", Decimal("39.5"), AlertLevel.URGENT,
     "Temperature {v} °C is a high fever (39.5 °C or more)"),
    ("temperature_c", "at_or_above", Decimal(38), AlertLevel.WARNING, "Temperature {v} °C is a fever (38 °C or more)"),
    ("spo2_percent", "below", Decimal(90), AlertLevel.URGENT, "SpO2 {v}% is dangerously low (below 90%)"),
    ("spo2_percent", "below", Decimal(95), AlertLevel.WARNING, "SpO2 {v}% is low (below 95%)"),
    ("respiratory_rate", "below", Decimal(8), AlertLevel.URGENT, "Breathing {v} a minute is very slow (below 8)"),
    ("respiratory_rate", "at_or_above", Decimal(30), AlertLevel.URGENT,
     "Breathing {v} a minute is very fast (30 or more)"),
    ("respiratory_rate", "below", Decimal(12), AlertLevel.WARNING, "Breathing {v} a minute is slow (below 12)"),
    ("respiratory_rate", "at_or_above", Decimal(21), AlertLevel.WARNING,
     "Breathing {v} a minute is fast (above 20)"),
)
# Blood pressure is judged as one reading: (systolic limit, diastolic limit, level, meaning), first match wins.
BP_HIGH_RULES = ((180, 120, AlertLevel.URGENT, "is in the hypertensive crisis range (180/120 or above)"),
                 (140, 90, AlertLevel.WARNING, "is high (140/90 or above)"))
BP_LOW = (90, 60, AlertLevel.WARNING, "is low (below 90/60)")
# Asia-Pacific cut-offs used in India (lower than the WHO's, for the same risk): (lowest BMI, category).
BMI_CATEGORIES = ((Decimal(0), "underweight"), (Decimal("18.5"), "normal"), (Decimal(23), "overweight"),
                  (Decimal(25), "obese"))
_LABELS = {"bp_systolic": "Systolic BP", "bp_diastolic": "Diastolic BP", "pulse_bpm": "Pulse",
           "temperature_c": "Temperature", "spo2_percent": "SpO2", "respiratory_rate": "Respiratory rate",
           "height_cm": "Height", "weight_kg": "Weight"}


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    return ((value - 32) * 5 / 9).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def body_mass_index(height_cm: Decimal | None, weight_kg: Decimal | None) -> Decimal | None:
    """kg / m², one decimal; None unless both are known."""
    if not height_cm or not weight_kg:
        return None
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bmi_category(bmi: Decimal) -> str:
    return [name for lowest, name in BMI_CATEGORIES if bmi >= lowest][-1]


def problems(vitals: Vitals) -> dict[str, str]:
    """Field -> message for values no person could have (a typing slip); empty when all is plausible."""
    found = {}
    for name, (low, high) in PLAUSIBLE.items():
        value = getattr(vitals, name)
        if value is not None and not low <= value <= high:
            found[name] = f"must be between {low} and {high} {_UNITS[name]}"
    if (vitals.bp_systolic is None) != (vitals.bp_diastolic is None):
        found.setdefault("bp_diastolic", "needs both numbers, for example 120/80")
    elif vitals.bp_systolic is not None and vitals.bp_diastolic >= vitals.bp_systolic:
        found.setdefault("bp_diastolic", "must be lower than the systolic value")
    return found


def labels() -> dict[str, str]:
    return dict(_LABELS)


def _bp_alert(systolic: int, diastolic: int) -> VitalAlert | None:
    reading = f"Blood pressure {systolic}/{diastolic} mmHg "
    for sys_limit, dia_limit, level, meaning in BP_HIGH_RULES:
        if systolic >= sys_limit or diastolic >= dia_limit:
            return VitalAlert("blood_pressure", level, reading + meaning)
    sys_limit, dia_limit, level, meaning = BP_LOW
    if systolic < sys_limit or diastolic < dia_limit:
        return VitalAlert("blood_pressure", level, reading + meaning)
    return None


def alerts(vitals: Vitals) -> list[VitalAlert]:
    """One alert per abnormal sign (the most serious that applies), in a fixed order: BP first."""
    found = []
    if vitals.bp_systolic is not None and vitals.bp_diastolic is not None:
        bp = _bp_alert(vitals.bp_systolic, vitals.bp_diastolic)
        if bp:
            found.append(bp)
    judged = set()
    for name, direction, threshold, level, message in RULES:
        value = getattr(vitals, name)
        if value is None or name in judged:
            continue
        if (value < threshold) if direction == "below" else (value >= threshold):
            judged.add(name)
            found.append(VitalAlert(name, level, message.format(v=value)))
    return found


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Vitals))
