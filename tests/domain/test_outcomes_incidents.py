"""Patient-reported outcomes and incident reports are checked field by field."""

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.incidents import Severity, check_report
from clinicdesk.domain.outcomes import OutcomeReport, check_outcome


@pytest.mark.parametrize(("report", "field"), [
    (OutcomeReport({"pain": 11}), "symptom_scores"),
    (OutcomeReport({"pain": True}), "symptom_scores"),
    (OutcomeReport({"": 3}), "symptom_scores"),
    (OutcomeReport({}, energy=-1), "energy"),
    (OutcomeReport({}), "symptom_scores"),
    (OutcomeReport({"pain": 3}, side_effects="x" * 1001), "side_effects"),
])
def test_refused_outcomes(report, field):
    with pytest.raises(ValidationError) as refused:
        check_outcome(report)
    assert field in refused.value.problems


def test_accepted_outcome_is_trimmed():
    assert check_outcome(OutcomeReport({" pain ": 0}, sleep=10, side_effects=" none ")) == OutcomeReport(
        {"pain": 0}, sleep=10, side_effects="none")


@pytest.mark.parametrize(("severity", "description", "action", "field"), [
    ("fatal", "Something happened", "", "severity"),
    ("minor", "Oops", "", "description"),
    ("severe", "Burn from hot oil on the back", "", "immediate_action"),
])
def test_refused_incident_reports(severity, description, action, field):
    with pytest.raises(ValidationError) as refused:
        check_report(severity, description, action)
    assert field in refused.value.problems


def test_a_near_miss_needs_no_immediate_action():
    assert check_report("near_miss", "Oil warmer left at 60 °C, caught", "").severity is Severity.NEAR_MISS
