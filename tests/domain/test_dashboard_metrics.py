"""Dashboard arithmetic with known answers: NPS, rates over nothing, weeks across months, IST midnight."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.domain.dashboard_metrics import (
    Period,
    bucket_label,
    bucket_start,
    bucket_starts,
    check_range,
    count_of,
    format_cell,
    local_date,
    mean,
    mean_change,
    no_show_rate,
    nps,
    rate,
    score_change,
    step_at,
    utilisation,
)
from clinicdesk.domain.errors import ValidationError

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(("scores", "expected"), [
    ([], None),
    ([10, 9, 9, 10], 100.0),
    ([0, 6, 3], -100.0),
    ([7, 8], 0.0),  # passives count in the total but on neither side
    ([10, 9, 8, 7, 6, 0], 0.0),
    ([10, 9, 8, 7, 6], 20.0),  # 2 promoters, 1 detractor of 5
    ([9, 6, 6, 6], -50.0),
])
def test_nps(scores, expected):
    assert nps(scores) == expected


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (0, 0, None),  # no appointments: no rate at all, not 0 %
    (3, 0, None),
    (0, 10, 0.0),
    (1, 4, 0.25),
    (4, 4, 1.0),
])
def test_rates_over_nothing_are_none(part, whole, expected):
    assert rate(part, whole) == expected
    assert no_show_rate(part, whole) == expected


@pytest.mark.parametrize(("booked", "available", "expected"), [
    (0, 0, None), (240, 480, 0.5), (540, 480, 1.125), (0, 480, 0.0)])
def test_utilisation(booked, available, expected):
    assert utilisation(booked, available) == expected


@pytest.mark.parametrize(("day", "period", "start"), [
    (date(2026, 11, 26), Period.DAY, date(2026, 11, 26)),
    (date(2026, 11, 26), Period.WEEK, date(2026, 11, 23)),  # a Thursday: its Monday
    (date(2026, 11, 23), Period.WEEK, date(2026, 11, 23)),  # a Monday is its own week
    (date(2026, 11, 29), Period.WEEK, date(2026, 11, 23)),  # a Sunday ends the week
    (date(2026, 12, 2), Period.WEEK, date(2026, 11, 30)),  # a week crossing months belongs to its Monday
    (date(2027, 1, 1), Period.WEEK, date(2026, 12, 28)),  # ... and across years
    (date(2026, 12, 31), Period.MONTH, date(2026, 12, 1)),
    (date(2024, 2, 29), Period.MONTH, date(2024, 2, 1)),
])
def test_bucket_start(day, period, start):
    assert bucket_start(day, period) == start


@pytest.mark.parametrize(("first", "last", "period", "expected"), [
    (date(2026, 11, 28), date(2026, 12, 1), Period.DAY,
     (date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1))),
    (date(2026, 11, 26), date(2026, 12, 8), Period.WEEK,
     (date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7))),
    (date(2026, 11, 15), date(2027, 2, 1), Period.MONTH,
     (date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1))),
    (date(2026, 1, 31), date(2026, 3, 1), Period.MONTH,  # from the 31st: February is not skipped
     (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))),
    (date(2026, 11, 26), date(2026, 11, 26), Period.MONTH, (date(2026, 11, 1),)),
])
def test_bucket_starts(first, last, period, expected):
    assert bucket_starts(first, last, period) == expected


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 11, 25, 18, 29, tzinfo=UTC), date(2026, 11, 25)),  # 23:59 IST
    (datetime(2026, 11, 25, 18, 30, tzinfo=UTC), date(2026, 11, 26)),  # 00:00 IST: already tomorrow
    (datetime(2026, 11, 26, 0, 0, tzinfo=UTC), date(2026, 11, 26)),
    (datetime(2026, 11, 30, 18, 45, tzinfo=UTC), date(2026, 12, 1)),  # a new month starts at 18:30 UTC
])
def test_local_date_at_midnight_ist(moment, expected):
    assert local_date(moment, IST) == expected


def test_midnight_ist_moves_an_appointment_into_the_next_week_and_month():
    moment = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)  # Sunday 29 Nov 18:30 UTC = Monday 30 Nov 00:00 IST
    assert bucket_start(moment.date(), Period.WEEK) == date(2026, 11, 23)
    assert bucket_start(local_date(moment, IST), Period.WEEK) == date(2026, 11, 30)
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    assert bucket_start(local_date(moment, IST), Period.MONTH) == date(2026, 12, 1)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        local_date(datetime(2026, 11, 26, 10, 0), IST)


@pytest.mark.parametrize(("reports", "expected"), [
    ([], {}),
    ([{"pain": 8}], {}),  # one report: no change yet
    ([{"pain": 8, "stiffness": 6}, {"pain": 5}, {"pain": 3, "stiffness": 2}], {"pain": -5, "stiffness": -4}),
    ([{"pain": 2}, {"pain": 4}], {"pain": 2}),  # worse: positive
    ([{"pain": 7}, {"sleep": 3}, {"pain": 7, "sleep": 5}], {"pain": 0, "sleep": 2}),  # from first to last scored
])
def test_score_change_is_last_minus_first(reports, expected):
    assert score_change(reports) == expected


def test_mean_change_over_courses():
    assert mean_change([]) == (None, 0)
    assert mean_change([{}, {"pain": -4, "stiffness": -2}, {"pain": 0}]) == (-2.0, 2)


def test_mean():
    assert mean([]) is None
    assert mean([4, 5, 3]) == 4.0


@pytest.mark.parametrize(("start", "period", "label"), [
    (date(2026, 11, 26), Period.DAY, "26 Nov 2026"),
    (date(2026, 11, 23), Period.WEEK, "Week of 23 Nov 2026"),
    (date(2026, 11, 1), Period.MONTH, "Nov 2026"),
])
def test_bucket_label(start, period, label):
    assert bucket_label(start, period) == label


@pytest.mark.parametrize(("first", "last", "message"), [
    (date(2026, 11, 26), date(2026, 11, 25), "To must not be before the first day"),
    (date(2024, 1, 1), date(2026, 1, 1), "To must be within 730 days of the first day"),
])
def test_bad_ranges_say_what_is_wrong(first, last, message):
    with pytest.raises(ValidationError, match=message):
        check_range(first, last)


def test_a_range_of_one_day_is_fine():
    check_range(date(2026, 11, 26), date(2026, 11, 26))


@pytest.mark.parametrize(("value", "percent", "text"), [
    (None, False, "–"), (0.25, True, "25.0 %"), (4.5, False, "4.5"), (42.0, False, "42"),
    (-2.667, False, "-2.67"), (0.0, False, "0"),
    (Decimal("123456.5"), False, "123,456.50"),
    (12, False, "12"), ("Abhyanga", False, "Abhyanga")])
def test_format_cell(value, percent, text):
    assert format_cell(value, percent=percent) == text


T = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(("steps", "recorded", "expected"), [
    ((), (), None),  # no SOP: no step
    ((1, 2, 3), (), 1),  # before anything was ticked
    ((1, 2, 3), ((1, T.replace(hour=4)),), 2),  # step 1 done an hour before
    ((1, 2, 3), ((1, T.replace(hour=4)), (2, T)), 2),  # step 2 ticked at the same moment: it was under way
    ((1, 2, 3), ((1, T.replace(hour=4)), (2, T.replace(hour=4)), (3, T.replace(hour=4))), 3),  # after the last
    ((1, 2, 3), ((2, T.replace(hour=4)),), 1),  # a step ticked out of order leaves step 1 open
])
def test_step_at(steps, recorded, expected):
    assert step_at(steps, recorded, T) == expected


@pytest.mark.parametrize(("number", "words", "text"), [
    (1, ("course",), "1 course"), (0, ("course",), "0 courses"), (3, ("no-show",), "3 no-shows"),
    (1, ("enquiry", "enquiries"), "1 enquiry"), (2, ("enquiry", "enquiries"), "2 enquiries")])
def test_count_of(number, words, text):
    assert count_of(number, *words) == text
