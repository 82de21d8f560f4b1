"""Check-in by the portal's code: the code finds the appointment, the receptionist sees who and when, then checks in."""

import pytest

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.portal import check_in_payload
from clinicdesk.services import appointments
from clinicdesk.services.portal_check_in import check_in_by_code, find_by_code
from tests.services.helpers import audit_rows
from tests.services.scheduling_world import FRIDAY, THURSDAY, at


def test_a_scanned_code_names_the_patient_and_time_then_checks_in(world, desk):
    appointment_id = world.book("asha", day=THURSDAY, at="14:00")
    found = find_by_code(desk, "  " + check_in_payload(appointment_id) + "\n", world.centre)  # a scanner's Enter
    assert (found.id, found.patient_name, found.service_name, found.start) == (
        appointment_id, "Asha Menon", "Abhyanga", at(THURSDAY, "14:00"))
    assert appointments.get_appointment(desk, appointment_id).status == "confirmed"  # nothing until confirmed
    check_in_by_code(desk, found.id)
    assert appointments.get_appointment(desk, appointment_id).status == "checked_in"
    assert [r.entity_id for r in audit_rows(desk, action="appointment.check_in")] == [appointment_id]
    with pytest.raises(ValidationError, match="already checked in"):
        find_by_code(desk, check_in_payload(appointment_id), world.centre)


@pytest.mark.parametrize("text", ["", "hello", "clinicdesk:check-in:not-a-uuid", "https://example.org/x"])
def test_text_that_is_not_our_code_gets_a_clear_message(world, desk, text):
    with pytest.raises(ValidationError, match="is not a ClinicDesk check-in code"):
        find_by_code(desk, text, world.centre)


def test_a_code_for_an_appointment_not_on_this_desk_says_to_sync(world, desk):
    with pytest.raises(NotFound, match="sync and scan again"):
        find_by_code(desk, check_in_payload("0193a5c0-0000-7000-8000-00000000abcd"), world.centre)


def test_a_code_for_another_day_is_found_but_check_in_refuses_it(world, desk):
    appointment_id = world.book("asha", day=FRIDAY, at="10:00")
    assert find_by_code(desk, check_in_payload(appointment_id), world.centre).start == at(FRIDAY, "10:00")
    with pytest.raises(Exception, match="(?i)today|day"):
        check_in_by_code(desk, appointment_id)
    assert appointments.get_appointment(desk, appointment_id).status == "confirmed"
