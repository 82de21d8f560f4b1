"""Vitals: BMI and its Asian categories, plausibility refusals, and one clear alert per abnormal adult sign."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.vitals import (
    AlertLevel,
    Vitals,
    alerts,
    bmi_category,
    body_mass_index,
    fahrenheit_to_celsius,
    problems,
)

W, U = AlertLevel.WARNING, AlertLevel.URGENT
NORMAL = Vitals(bp_systolic=118, bp_diastolic=76, pulse_bpm=72, temperature_c=D("36.8"), spo2_percent=98,
                respiratory_rate=16, height_cm=D(165), weight_kg=D(60))


@pytest.mark.parametrize(("height", "weight", "bmi", "category"), [
    (D(165), D(60), D("22.0"), "normal"),
    (D(170), D(72), D("24.9"), "overweight"),
    (D(160), D(45), D("17.6"), "underweight"),
    (D(155), D(80), D("33.3"), "obese"),
    (D(180), D("59.9"), D("18.5"), "normal"),
])
def test_bmi_and_category(height, weight, bmi, category):
    assert body_mass_index(height, weight) == bmi
    assert bmi_category(bmi) == category


@pytest.mark.parametrize(("height", "weight"), [(None, D(60)), (D(160), None), (None, None)])
def test_bmi_needs_both(height, weight):
    assert body_mass_index(height, weight) is None


@pytest.mark.parametrize(("f", "c"), [(D("98.6"), D("37.0")), (D("99.1"), D("37.3")), (D("103"), D("39.4"))])
def test_fahrenheit(f, c):
    assert fahrenheit_to_celsius(f) == c


def test_normal_adult_has_no_alerts_and_no_problems():
    assert alerts(NORMAL) == []
    assert problems(NORMAL) == {}


@pytest.mark.parametrize(("change", "field", "level", "words"), [
    (dict(bp_systolic=150, bp_diastolic=95), "blood_pressure", W, "Blood pressure 150/95 mmHg is high"),
    (dict(bp_systolic=130, bp_diastolic=92), "blood_pressure", W, "is high"),
    (dict(bp_systolic=185, bp_diastolic=100), "blood_pressure", U, "hypertensive crisis"),
    (dict(bp_systolic=160, bp_diastolic=121), "blood_pressure", U, "hypertensive crisis"),
    (dict(bp_systolic=85, bp_diastolic=55), "blood_pressure", W, "Blood pressure 85/55 mmHg is low"),
    (dict(pulse_bpm=45), "pulse_bpm", W, "Pulse 45 a minute is slow"),
    (dict(pulse_bpm=38), "pulse_bpm", U, "very slow"),
    (dict(pulse_bpm=110), "pulse_bpm", W, "Pulse 110 a minute is fast"),
    (dict(pulse_bpm=140), "pulse_bpm", U, "very fast"),
    (dict(temperature_c=D("38.2")), "temperature_c", W, "Temperature 38.2 °C is a fever"),
    (dict(temperature_c=D("39.8")), "temperature_c", U, "high fever"),
    (dict(temperature_c=D("34.5")), "temperature_c", U, "too low"),
    (dict(spo2_percent=93), "spo2_percent", W, "SpO2 93% is low"),
    (dict(spo2_percent=88), "spo2_percent", U, "dangerously low"),
    (dict(respiratory_rate=24), "respiratory_rate", W, "Breathing 24 a minute is fast"),
    (dict(respiratory_rate=32), "respiratory_rate", U, "very fast"),
    (dict(respiratory_rate=10), "respiratory_rate", W, "slow"),
])
def test_one_alert_per_abnormal_sign(change, field, level, words):
    vitals = Vitals(**(NORMAL.__dict__ | change))
    found = alerts(vitals)
    assert [(a.field, a.level) for a in found] == [(field, level)]
    assert words in found[0].message


@pytest.mark.parametrize(("change", "field"), [
    (dict(bp_systolic=120, bp_diastolic=None), "bp_diastolic"),
    (dict(bp_systolic=80, bp_diastolic=90), "bp_diastolic"),
    (dict(bp_systolic=400), "bp_systolic"),
    (dict(pulse_bpm=7), "pulse_bpm"),
    (dict(temperature_c=D("99.1")), "temperature_c"),  # Fahrenheit typed where Celsius belongs
    (dict(spo2_percent=101), "spo2_percent"),
    (dict(height_cm=D(5)), "height_cm"),
    (dict(weight_kg=D(500)), "weight_kg"),
])
def test_implausible_values_are_problems(change, field):
    assert field in problems(Vitals(**(NORMAL.__dict__ | change)))


def test_missing_values_raise_no_alerts():
    assert alerts(Vitals()) == []
    assert problems(Vitals()) == {}
