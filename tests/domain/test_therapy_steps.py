"""SOP step records: what counts as done, what needs a reason and becomes a deviation; board timing flags."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.protocols import Measure, SopStep
from clinicdesk.domain.therapy_sessions import (
    SessionStatus,
    StepOutcome,
    open_mandatory_steps,
    record_step,
    timing_flags,
)

SAFETY = SopStep(1, "Consent checked", mandatory=True, safety_check=True)
TEMP = SopStep(2, "Oil temperature", mandatory=True, measure=Measure("temperature_c", Decimal(37), Decimal(40)))
REST = SopStep(3, "Rest", timer_seconds=900)
D, K = StepOutcome.DONE, StepOutcome.SKIPPED


@pytest.mark.parametrize(("step", "outcome", "value", "reason", "deviation"), [
    (SAFETY, D, None, "", False),
    (TEMP, D, Decimal("38.5"), "", False),
    (TEMP, D, Decimal(37), "", False),  # the range includes its ends
    (TEMP, D, Decimal(42), "Warmer faulty", True),
    (REST, K, None, "Patient in a hurry", True),
    (REST, D, None, "", False),
])
def test_accepted_records(step, outcome, value, reason, deviation):
    record = record_step(step, outcome, value=value, reason=reason)
    assert (record.outcome, record.deviation) == (outcome, deviation)


@pytest.mark.parametrize(("step", "outcome", "value", "reason", "field", "words"), [
    (SAFETY, K, None, "No time", "outcome", "mandatory and cannot be skipped"),
    (TEMP, K, None, "No thermometer", "outcome", "mandatory and cannot be skipped"),
    (REST, K, None, "", "reason", "needed to skip a step"),
    (TEMP, D, None, "", "value", "is needed for step 2"),
    (TEMP, D, Decimal(42), "", "value", r"outside the SOP's range \(37-40 °C\)"),
    (SAFETY, D, Decimal(1), "", "value", "is not measured"),
])
def test_refused_records_name_the_field(step, outcome, value, reason, field, words):
    with pytest.raises(ValidationError, match=words) as refused:
        record_step(step, outcome, value=value, reason=reason)
    assert field in refused.value.problems


def test_open_mandatory_steps_in_sop_order():
    assert open_mandatory_steps([SAFETY, TEMP, REST], done={2}) == [SAFETY]
    assert open_mandatory_steps([SAFETY, TEMP, REST], done={1, 2}) == []


START = datetime(2026, 12, 2, 7, 0)
END = START + timedelta(hours=1)


@pytest.mark.parametrize(("status", "now", "late", "over"), [
    (SessionStatus.SCHEDULED, START + timedelta(minutes=10), False, False),
    (SessionStatus.SCHEDULED, START + timedelta(minutes=11), True, False),
    (SessionStatus.IN_PREPARATION, START + timedelta(minutes=30), True, False),
    (SessionStatus.IN_SESSION, END, False, False),
    (SessionStatus.IN_SESSION, END + timedelta(minutes=1), False, True),
    (SessionStatus.RECOVERY, END + timedelta(minutes=30), False, False),
    (SessionStatus.COMPLETED, END + timedelta(hours=2), False, False),
])
def test_timing_flags(status, now, late, over):
    assert timing_flags(status, START, END, now) == (late, over)
