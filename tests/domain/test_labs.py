"""Lab result flags from reference and critical ranges, textual results, validation and trends."""

from datetime import date
from decimal import Decimal

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.labs import Flag, LabEntry, ReferenceRange, TrendPoint, classify, evaluate, parse_number, trend

HB = ReferenceRange(Decimal("12"), Decimal("16"), Decimal("7"), Decimal("20"))
TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(("value", "flag"), [
    ("12", Flag.NORMAL), ("16", Flag.NORMAL), ("11.9", Flag.ABNORMAL), ("16.1", Flag.ABNORMAL),
    ("7", Flag.CRITICAL), ("6.2", Flag.CRITICAL), ("20", Flag.CRITICAL), ("7.1", Flag.ABNORMAL)])
def test_numeric_values_against_the_ranges(value, flag):
    assert classify(Decimal(value), HB) is flag


def test_open_ranges_and_no_range():
    assert classify(Decimal("250"), ReferenceRange(high=Decimal("200"))) is Flag.ABNORMAL
    assert classify(Decimal("1"), ReferenceRange(low=Decimal("0.5"))) is Flag.NORMAL
    assert classify(Decimal("999"), ReferenceRange()) is Flag.NORMAL
    assert ReferenceRange(Decimal("12"), Decimal("16")).text() == "12–16"
    assert ReferenceRange(high=Decimal("200")).text() == "≤ 200"


def test_parse_number_reads_limits_and_leaves_words():
    assert parse_number(" 9.1 ") == Decimal("9.1")
    assert parse_number("<0.5") == Decimal("0.5")
    assert parse_number("1,250") == Decimal("1250")
    assert parse_number("positive") is None
    assert parse_number("2+") is None


def test_evaluate_numeric_and_textual():
    assert evaluate(LabEntry("Haemoglobin", TODAY, "6.5", "g/dL", HB), today=TODAY) == (Decimal("6.5"), Flag.CRITICAL)
    assert evaluate(LabEntry("Urine sugar", TODAY, "trace", entered_flag="abnormal"), today=TODAY) == \
        (None, Flag.ABNORMAL)
    with pytest.raises(ValidationError, match="Flag must be chosen for a result in words"):
        evaluate(LabEntry("Urine sugar", TODAY, "trace"), today=TODAY)


def test_evaluate_names_every_bad_field():
    bad = LabEntry("", date(2026, 12, 1), "", reference=ReferenceRange(Decimal("16"), Decimal("12")))
    with pytest.raises(ValidationError) as caught:
        evaluate(bad, today=TODAY)
    assert set(caught.value.problems) == {"test", "taken_on", "value", "reference"}
    with pytest.raises(ValidationError, match="Critical high must be at or above"):
        evaluate(LabEntry("Hb", TODAY, "13", reference=ReferenceRange(Decimal("12"), Decimal("16"),
                                                                      critical_high=Decimal("15"))), today=TODAY)


def test_trend_orders_points_and_names_the_direction():
    points = [TrendPoint(date(2026, 11, 20), Decimal("9.0"), Flag.ABNORMAL),
              TrendPoint(date(2026, 10, 1), Decimal("8.0"), Flag.ABNORMAL),
              TrendPoint(date(2026, 11, 25), Decimal("11.5"), Flag.ABNORMAL)]
    ordered, direction = trend(points)
    assert [p.value for p in ordered] == [Decimal("8.0"), Decimal("9.0"), Decimal("11.5")]
    assert direction == "rising"
    assert trend(points[:1])[1] == ""
    assert trend([points[0], TrendPoint(date(2026, 11, 21), Decimal("9.0"), Flag.ABNORMAL)])[1] == "steady"
    assert trend([points[2], TrendPoint(date(2026, 11, 26), Decimal("10"), Flag.ABNORMAL)])[1] == "falling"
