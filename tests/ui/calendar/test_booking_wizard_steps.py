"""The booking wizard's steps against stand-in appointment services (the real-clinic walk is in test_real_clinic)."""

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from clinicdesk.domain.errors import ClinicError
from clinicdesk.services.appointment_dto import COMPLETED, ServiceItem, SlotSearchResult, SlotSuggestion
from clinicdesk.ui.calendar import booking_wizard
from clinicdesk.ui.calendar.booking_wizard import CONFIRM, PATIENT, SERVICE, SLOTS, WHEN, BookingWizard
from tests.ui.calendar.builders import DAY, appointment
from tests.ui.calendar.conftest import appointment_changes

ABHYANGA = ServiceItem("svc-1", "ABH", "Abhyanga", "therapy", 60, None, ("abhyanga",), ("abhyanga",), 1, 10, 10, (),
                       False, Decimal("1800"), False)
CONSULT = ServiceItem("svc-2", "CON", "Consultation", "consultation", 20, 15, ("consultation",), (), 1, 0, 5, (),
                      False, Decimal("800"), False)


def _slot(hour: int, minute: int = 0, reasons=("preferred time of day",)) -> SlotSuggestion:
    start = datetime.combine(DAY, time(hour, minute))
    return SlotSuggestion(start, start.replace(hour=hour + 1), "r1", "Abhyanga A (women)", ("s1",),
                          ("Sreeja Kumari",), 0.9, tuple(reasons))


@pytest.fixture
def stand_ins(monkeypatch):
    from clinicdesk.services import appointments, waitlist

    calls = []
    result = {"slots": SlotSearchResult((_slot(11, reasons=("same therapist as last time", "morning as asked")),
                                         _slot(14)),
                                        "10:00 is taken: Abhyanga A is booked 09:30–10:45.")}
    monkeypatch.setattr(appointments, "list_services", lambda ctx: [CONSULT, ABHYANGA])
    monkeypatch.setattr(appointments, "recent_visits",
                        lambda ctx, patient_id, limit=10: calls.append(("recent_visits", patient_id))
                        or list(result.get("visits", ())))
    monkeypatch.setattr(appointments, "find_slots",
                        lambda ctx, request, count=5: calls.append(("find_slots", request)) or result["slots"])

    def book(ctx, request, slot, *, check_in=False):
        calls.append(("book", request, slot) + (("check_in",) if check_in else ()))
        if result.get("refuse"):
            raise ClinicError(result.pop("refuse"))
        return "new-appointment", appointment_changes()

    monkeypatch.setattr(appointments, "book", book)
    monkeypatch.setattr(appointments, "transition",
                        lambda ctx, appointment_id, event, reason="": calls.append(("transition", appointment_id,
                                                                                    event)) or appointment_changes())
    monkeypatch.setattr(waitlist, "add", lambda ctx, *args, **kwargs: calls.append(("waitlist", args, kwargs))
                        or ("w1", appointment_changes()))
    return calls, result


def _wizard(qtbot, app_ctx, centre, **kwargs) -> BookingWizard:
    wizard = BookingWizard(app_ctx, centre, [], day=DAY, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_the_wizard_walks_patient_service_when_slots_confirm(qtbot, app_ctx, centre, some_patients, stand_ins):
    calls, _ = stand_ins
    wizard = _wizard(qtbot, app_ctx, centre)
    assert wizard.currentId() == PATIENT and not wizard.patient_page.isComplete()
    wizard.patient_page.search_box.setText("Jisha")
    wizard.patient_page.search_now()
    assert wizard.patient().display_name == "Jisha Chacko"  # a single match is chosen
    wizard.next()
    assert wizard.currentId() == SERVICE
    assert [s.name for s in wizard.service_page.model.rows()] == ["Consultation", "Abhyanga"]
    wizard.service_page.select_service("svc-1")
    wizard.next()
    assert wizard.currentId() == WHEN
    wizard.when.time_of_day.set_value("morning")
    wizard.when.gender_match.setChecked(True)
    wizard.next()
    assert wizard.currentId() == SLOTS
    request = calls[-1][1]
    assert (request.patient_id, request.service_id, request.day, request.time_of_day,
            request.gender_match_required) == (some_patients["Jisha Chacko"], "svc-1", DAY, "morning", True)
    slots = wizard.slots
    assert slots.model.rowCount() == 2 and slots.slot().start.hour == 11  # best first, chosen
    assert slots.explanation.isVisibleTo(wizard) and "Abhyanga A is booked" in slots.explanation.text()
    assert "same therapist as last time" in slots.reasons.text()
    wizard.next()
    assert wizard.currentId() == CONFIRM
    values = wizard.confirm.values
    assert values["room"].text() == "Abhyanga A (women)" and values["staff"].text() == "Sreeja Kumari"
    assert "11:00–12:00" in values["when"].text()
    booked = []
    wizard.booked.connect(booked.append)
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert booked == ["new-appointment"] and not wizard.isVisible()
    assert calls[-1][0] == "book" and calls[-1][2].start.hour == 11


def test_a_slot_taken_meanwhile_is_explained_and_fresh_slots_are_offered(qtbot, app_ctx, centre, some_patients,
                                                                         stand_ins):
    calls, result = stand_ins
    wizard = _wizard(qtbot, app_ctx, centre)
    wizard.patient_page.search_box.setText("Rohit")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service("svc-1")
    for _ in range(3):
        wizard.next()
    assert wizard.currentId() == CONFIRM
    result["refuse"] = "Someone booked 11:00 with Sreeja Kumari a moment ago. Choose another slot."
    searches = sum(1 for c in calls if c[0] == "find_slots")
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.isVisible() and wizard.currentId() == SLOTS  # back to the choice, with the reason on top
    assert "a moment ago" in wizard.slots.banner.text()
    assert sum(1 for c in calls if c[0] == "find_slots") == searches + 1  # asked again, not the stale list
    wizard.next()
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.booked_id == "new-appointment"


def test_nothing_suitable_offers_the_waitlist(qtbot, app_ctx, centre, some_patients, stand_ins):
    calls, result = stand_ins
    result["slots"] = SlotSearchResult((), "No female therapist with Abhyanga skill is free in the next 7 days.")
    wizard = _wizard(qtbot, app_ctx, centre)
    wizard.patient_page.search_box.setText("Anitha")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service("svc-1")
    wizard.next()
    wizard.next()
    assert wizard.currentId() == SLOTS and not wizard.slots.isComplete()
    assert "No female therapist" in wizard.slots.explanation.text()
    assert "waitlist" in wizard.slots.status.text()
    waitlisted = []
    wizard.waitlisted.connect(waitlisted.append)
    wizard.slots.waitlist_button.click()
    assert calls[-1][0] == "waitlist" and calls[-1][1][:3] == (some_patients["Anitha Sharma"], "svc-1", centre.id)
    assert calls[-1][2]["day"] == DAY and waitlisted == [some_patients["Anitha Sharma"]]


def test_a_walk_in_skips_preferences_and_starts_now(qtbot, app_ctx, centre, some_patients, stand_ins):
    calls, _ = stand_ins
    wizard = _wizard(qtbot, app_ctx, centre, walk_in=True, now=datetime(2026, 11, 26, 10, 2))
    wizard.patient_page.search_box.setText("Jisha")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service("svc-2")
    wizard.next()
    assert wizard.currentId() == SLOTS  # no "when" step
    request = calls[-1][1]
    assert (request.day, request.at, request.source, request.search_days) == (DAY, time(10, 5), "walk_in", 1)
    wizard.next()
    assert wizard.confirm.check_in.isVisibleTo(wizard) and wizard.confirm.check_in.isChecked()
    wizard.button(wizard.WizardButton.FinishButton).click()
    # one call books and checks in together; no second call that could fail after the booking was saved
    assert calls[-1][0] == "book" and calls[-1][-1] == "check_in"
    assert not any(c[0] == "transition" for c in calls)
    assert wizard.outcome == "check_in" and wizard.booked_id == "new-appointment"


def test_a_walk_in_left_unchecked_is_only_booked(qtbot, app_ctx, centre, some_patients, stand_ins):
    calls, _ = stand_ins
    wizard = _wizard(qtbot, app_ctx, centre, walk_in=True, now=datetime(2026, 11, 26, 10, 2))
    wizard.patient_page.search_box.setText("Jisha")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service("svc-2")
    wizard.next()
    wizard.next()
    wizard.confirm.check_in.setChecked(False)
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert calls[-1][0] == "book" and calls[-1][-1] != "check_in" and wizard.outcome == ""


def test_a_follow_up_is_chosen_from_the_patients_recent_visits(qtbot, app_ctx, centre, some_patients, stand_ins):
    calls, result = stand_ins
    visit = replace(appointment("v1", "09:00", 20, status=COMPLETED, service="Consultation",
                                day=date(2026, 11, 19)), service_id="svc-2")
    result["visits"] = [visit]
    wizard = _wizard(qtbot, app_ctx, centre)
    wizard.patient_page.search_box.setText("Jisha")
    wizard.patient_page.search_now()
    wizard.next()
    assert ("recent_visits", some_patients["Jisha Chacko"]) in calls
    page = wizard.service_page
    assert page.follow_up.count() == 2 and page.follow_up.currentData() is None  # "not a follow-up" by default
    assert "Follow-up of: Consultation" in page.follow_up.itemText(1) and "09:00" in page.follow_up.itemText(1)
    page.follow_up.setCurrentIndex(1)
    assert page.service().id == "svc-2"  # the visit's service is chosen with it
    wizard.next()
    wizard.next()
    request = calls[-1][1]
    assert calls[-1][0] == "find_slots" and request.follow_up_of == "v1"
    wizard.next()
    assert wizard.currentId() == CONFIRM
    assert "15 min" in wizard.confirm.values["service"].text()  # the follow-up length, not 20 min
    assert "Consultation" in wizard.confirm.values["follow_up"].text()
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert calls[-1][0] == "book" and calls[-1][1].follow_up_of == "v1"


def test_a_patient_without_visits_is_offered_no_follow_up(qtbot, app_ctx, centre, some_patients, stand_ins):
    wizard = _wizard(qtbot, app_ctx, centre)
    wizard.patient_page.search_box.setText("Rohit")
    wizard.patient_page.search_now()
    wizard.next()
    assert wizard.service_page.follow_up.count() == 1 and not wizard.service_page.follow_up.isEnabled()
    wizard.service_page.select_service("svc-1")
    wizard.next()
    wizard.next()
    assert wizard.request().follow_up_of is None


def test_round_up_to_the_next_five_minutes():
    assert booking_wizard.round_up(datetime(2026, 11, 26, 10, 2, 30)) == datetime(2026, 11, 26, 10, 5)
    assert booking_wizard.round_up(datetime(2026, 11, 26, 10, 5)) == datetime(2026, 11, 26, 10, 5)
    assert booking_wizard.round_up(datetime(2026, 11, 26, 23, 58)) == datetime(2026, 11, 27, 0, 0)
    assert date(2026, 11, 26) == DAY
