"""Today's queue moves patients along through transition(); the waitlist highlights offers and accepts them."""

from datetime import datetime, time

from PySide6.QtCore import Qt

from clinicdesk.services.appointment_dto import (
    CANCELLED,
    CHECKED_IN,
    CONFIRMED,
    IN_PROGRESS,
    REQUESTED,
    RESCHEDULED,
    SlotSuggestion,
    WaitlistEntry,
)
from clinicdesk.ui.calendar.queue_view import STATUS_COLUMN, QueueView
from clinicdesk.ui.calendar.status_style import status_style
from clinicdesk.ui.calendar.waitlist_view import OFFER_FILL, WaitlistView
from tests.ui.calendar.builders import CENTRE, DAY, appointment
from tests.ui.calendar.conftest import appointment_changes


def _queue(qtbot, app_ctx, centre, fake) -> QueueView:
    fake.items = [appointment("a1", "09:00", 60, status=CONFIRMED, patient="Anitha Sharma"),
                  appointment("a2", "08:00", 30, status=REQUESTED, patient="Rohit Tiwari"),
                  appointment("a3", "10:00", 45, status=CHECKED_IN, patient="Jisha Chacko"),
                  appointment("a0", "07:00", 45, status=RESCHEDULED, patient="Jisha Chacko")]
    view = QueueView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    view.set_centre(centre)
    return view


def _status_of(view: QueueView, appointment_id: str) -> str:
    row = next(i for i, a in enumerate(view.model.rows()) if a.id == appointment_id)
    return view.model.index(row, STATUS_COLUMN).data()


def test_queue_keeps_the_desks_order_and_colours_the_status(qtbot, app_ctx, centre, fake_appointments):
    view = _queue(qtbot, app_ctx, centre, fake_appointments)
    assert ("today_queue", CENTRE, DAY) in fake_appointments.calls
    # The service orders the day (in the room, waiting, to come, done); a moved appointment's old entry is left out.
    assert [a.patient_name for a in view.model.rows()] == ["Anitha Sharma", "Rohit Tiwari", "Jisha Chacko"]
    assert view.model.index(1, 0).data() == "08:00–08:30"
    fill = view.model.index(2, STATUS_COLUMN).data(Qt.ItemDataRole.BackgroundRole)
    assert fill.color().name() == status_style(CHECKED_IN).fill
    assert "3 booked · 1 waiting" in view.counts.text()


def test_queue_actions_call_transition_and_refresh(qtbot, app_ctx, centre, fake_appointments):
    view = _queue(qtbot, app_ctx, centre, fake_appointments)
    view.select("a1")
    buttons = view.actions.buttons
    assert buttons["check_in"].isEnabled() and not buttons["start"].isEnabled()
    buttons["check_in"].click()
    assert ("transition", "a1", "check_in", "") in fake_appointments.calls
    assert _status_of(view, "a1") == "Checked in"  # reloaded through changes_did_apply
    assert view.selected().id == "a1"  # the selection survives the reload
    assert buttons["start"].isEnabled() and not buttons["check_in"].isEnabled()
    buttons["start"].click()
    assert _status_of(view, "a1") == "In progress"
    assert fake_appointments.get_appointment(None, "a1").status == IN_PROGRESS
    buttons["complete"].click()
    assert _status_of(view, "a1") == "Completed"
    assert not any(b.isEnabled() for b in buttons.values())


def test_cancel_asks_for_a_reason_and_backing_out_changes_nothing(qtbot, app_ctx, centre, fake_appointments,
                                                                  monkeypatch):
    view = _queue(qtbot, app_ctx, centre, fake_appointments)
    view.select("a2")
    asked = []
    monkeypatch.setattr("clinicdesk.ui.calendar.actions.ask_reason",
                        lambda parent, title, prompt: asked.append(prompt) or None)
    view.actions.buttons["cancel"].click()
    assert asked == ["Why is Rohit Tiwari's Abhyanga at 08:00 cancelled?"]
    assert not [c for c in fake_appointments.calls if c[0] == "transition"]
    monkeypatch.setattr("clinicdesk.ui.calendar.actions.ask_reason", lambda *a: "")
    view.actions.buttons["cancel"].click()
    assert "Type a reason" in view.banner.text()
    monkeypatch.setattr("clinicdesk.ui.calendar.actions.ask_reason", lambda *a: "Fever, will call back")
    view.actions.buttons["cancel"].click()
    assert ("transition", "a2", "cancel", "Fever, will call back") in fake_appointments.calls
    assert fake_appointments.get_appointment(None, "a2").status == CANCELLED
    assert _status_of(view, "a2") == "Cancelled"


def test_a_refused_action_shows_the_services_sentence(qtbot, app_ctx, centre, fake_appointments, monkeypatch):
    from clinicdesk.domain.errors import IllegalTransition
    from clinicdesk.services import appointments

    view = _queue(qtbot, app_ctx, centre, fake_appointments)
    view.select("a1")

    def refuse(*_a, **_k):
        raise IllegalTransition("This appointment was already checked in at the other desk.")

    monkeypatch.setattr(appointments, "transition", refuse)
    view.actions.buttons["check_in"].click()
    assert view.banner.text() == "This appointment was already checked in at the other desk."


def _entries():
    slot = SlotSuggestion(datetime.combine(DAY, time(15)), datetime.combine(DAY, time(16)), "r1", "Abhyanga A",
                          ("s1",), ("Sreeja Kumari",), 0.9, ("freed by a cancellation",))
    made = datetime(2026, 11, 20, 5, 0)
    return [WaitlistEntry("w1", "p1", "Anitha Sharma", "svc", "Abhyanga", CENTRE, DAY, None, made, "waiting"),
            WaitlistEntry("w2", "p2", "Rohit Tiwari", "svc", "Shirodhara", CENTRE, None, "s1", made, "offered", slot)]


def test_waitlist_highlights_offers_and_accepts_declines_or_removes(qtbot, app_ctx, centre, monkeypatch):
    from clinicdesk.services import waitlist

    calls = []
    entries = _entries()
    monkeypatch.setattr(waitlist, "list_entries", lambda ctx, centre_id: calls.append(("list", centre_id)) or entries)
    monkeypatch.setattr(waitlist, "withdraw",
                        lambda ctx, entry_id: calls.append(("withdraw", entry_id)) or appointment_changes())
    monkeypatch.setattr(waitlist, "accept_offer",
                        lambda ctx, entry_id: calls.append(("accept", entry_id)) or ("new-appt", appointment_changes()))
    monkeypatch.setattr(waitlist, "decline_offer",
                        lambda ctx, entry_id: calls.append(("decline", entry_id)) or appointment_changes())
    view = WaitlistView(app_ctx)
    qtbot.addWidget(view)
    offers = []
    view.offers_changed.connect(offers.append)
    view.show()
    view.set_centre(centre)
    assert calls == [("list", CENTRE)] and offers == [1]
    assert [e.id for e in view.model.rows()] == ["w2", "w1"]  # the offer first
    assert view.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == OFFER_FILL
    assert view.model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "Thu" not in view.model.index(0, 5).data() and "15:00 · Abhyanga A · Sreeja Kumari" in \
        view.model.index(0, 5).data()
    view.select("w1")
    assert not view.accept_button.isEnabled()
    view.select("w2")
    assert view.accept_button.isEnabled() and view.decline_button.isEnabled()
    view.accept_button.click()
    assert ("accept", "w2") in calls and calls[-1] == ("list", CENTRE)  # refreshed after the write
    assert "Booked Rohit Tiwari" in view.notice.text()
    view.select("w2")
    view.decline_button.click()
    assert ("decline", "w2") in calls
    assert view.status.text() == "2 waiting, 1 with an offer to answer."
    view.select("w1")
    monkeypatch.setattr("clinicdesk.ui.calendar.waitlist_view.confirm", lambda *a: False)
    view.withdraw_button.click()
    assert ("withdraw", "w1") not in calls
    monkeypatch.setattr("clinicdesk.ui.calendar.waitlist_view.confirm", lambda *a: True)
    view.withdraw_button.click()
    assert ("withdraw", "w1") in calls and "Anitha Sharma is off the waitlist" in view.notice.text()
