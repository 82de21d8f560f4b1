"""Which status moves are offered: from the domain's transition table, the approval flag, and the role."""

from dataclasses import replace

import pytest

from clinicdesk.domain.roles import Role
from clinicdesk.services.appointment_dto import (
    CANCELLED,
    CHECKED_IN,
    COMPLETED,
    CONFIRMED,
    IN_PROGRESS,
    REQUESTED,
)
from clinicdesk.ui.calendar.actions import ActionBar, offered_events
from tests.ui.calendar.builders import appointment


@pytest.mark.parametrize(("status", "events"), [
    (REQUESTED, ("confirm", "cancel")),
    (CONFIRMED, ("check_in", "no_show", "cancel")),
    (CHECKED_IN, ("start", "cancel")),
    (IN_PROGRESS, ("complete",)),
    (COMPLETED, ()),
    (CANCELLED, ()),
])
def test_moves_follow_the_status_table(status, events):
    assert offered_events(appointment("a1", "09:00", 30, status=status)) == events


def test_a_request_waiting_for_a_doctor_is_approved_not_confirmed():
    item = replace(appointment("a1", "09:00", 30, status=REQUESTED), approval_pending=True)
    assert offered_events(item) == ("approve", "cancel")


@pytest.mark.parametrize(("role", "buttons"), [
    (Role.FRONT_DESK, {"confirm", "check_in", "start", "complete", "no_show", "cancel"}),
    (Role.THERAPIST, {"check_in", "start", "complete", "no_show"}),
    (Role.DOCTOR, {"approve", "check_in", "start", "complete", "no_show"}),
    (Role.CUSTOMER_RELATIONS, {"confirm", "cancel"}),
])
def test_each_role_gets_the_buttons_it_may_use(qtbot, app_for_role, role, buttons):
    bar = ActionBar(app_for_role(role), on_error=lambda exc: None)
    qtbot.addWidget(bar)
    assert set(bar.buttons) == buttons


@pytest.mark.parametrize(("status", "pending", "approve_shown"), [
    (REQUESTED, True, True),
    (REQUESTED, False, False),
    (CANCELLED, True, True),  # still shows that approval was the step it waited for (greyed out)
    (CONFIRMED, False, False),
])
def test_approve_shows_exactly_when_approval_is_pending(qtbot, app_for_role, status, pending, approve_shown):
    bar = ActionBar(app_for_role(Role.ADMIN), on_error=lambda exc: None)
    qtbot.addWidget(bar)
    bar.set_item(replace(appointment("a1", "09:00", 30, status=status), approval_pending=pending))
    assert bar.buttons["approve"].isHidden() is not approve_shown
    assert bar.buttons["confirm"].isHidden() is approve_shown
    assert bar.buttons["approve"].isEnabled() is (approve_shown and status == REQUESTED)
