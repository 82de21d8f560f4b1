"""The calendar against the real services on a real SQLCipher clinic: book through the wizard, drag (refused and
accepted), move the queue along, take a waitlist offer, and what each role is offered."""

from datetime import date, time

import pytest
from PySide6.QtCore import Qt

from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.booking_wizard import CONFIRM, SLOTS, WHEN
from clinicdesk.ui.calendar.calendar_page import QUEUE_TAB, WAITLIST_TAB, CalendarPage
from clinicdesk.ui.calendar.calendar_view import BY_ROOM
from clinicdesk.ui.calendar.waitlist_view import OFFER_FILL
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.tasks import TaskRunner
from tests.services.scheduling_world import FRIDAY, THURSDAY, at, build_world
from tests.ui.calendar.helpers import drag


@pytest.fixture
def world(admin_ctx):
    return build_world(admin_ctx)


def _page(qtbot, world, runner, role: Role = Role.FRONT_DESK) -> CalendarPage:
    page = CalendarPage(AppContext(world.ctx(role), runner))
    qtbot.addWidget(page)
    page.resize(1366, 800)
    page.show()
    return page


def _ids_in(page: CalendarPage, key: str) -> set[str]:
    return {b.item.id for b in page.calendar.grid.blocks_in_column(key)}


def test_the_wizard_books_end_to_end_and_the_block_appears(qtbot, world, runner):
    page = _page(qtbot, world, runner)
    assert page.centre().id == world.centre and page.calendar.day == THURSDAY
    wizard = page.open_booking()
    wizard.patient_page.search_box.setText("Asha")
    wizard.patient_page.search_now()
    assert wizard.patient().id == world.patients["asha"]
    wizard.next()
    wizard.service_page.select_service(world.services["ABH"])
    wizard.next()
    assert wizard.currentId() == WHEN
    practitioners = [wizard.when.practitioner.itemText(i) for i in range(wizard.when.practitioner.count())]
    assert practitioners == ["Anyone suitable", "Anjali Menon", "Rajan Pillai"]  # not the doctor: no abhyanga
    wizard.when.day.setDate(wizard.when.day.date().addDays(1))
    wizard.when.exact.setChecked(True)
    wizard.when.at.setTime(wizard.when.at.time().fromString("10:00", "HH:mm"))
    wizard.when.practitioner.setCurrentIndex(2)
    wizard.next()
    assert wizard.currentId() == SLOTS
    best = wizard.slots.slot()
    assert best.start == at(FRIDAY, "10:00") and best.staff_names == ("Rajan Pillai",)
    assert "With Rajan Pillai, as preferred" in wizard.slots.reasons.text()
    assert not wizard.slots.explanation.isVisibleTo(wizard)
    wizard.next()
    assert wizard.currentId() == CONFIRM
    assert wizard.confirm.values["room"].text() == best.room_name
    wizard.button(wizard.WizardButton.FinishButton).click()
    booked = wizard.booked_id
    assert booked and not wizard.isVisible()
    assert page.calendar.day == FRIDAY  # the calendar jumps to the booked day, block selected
    assert booked in _ids_in(page, world.staff["rajan"]) and page.calendar.grid.selected_id == booked
    item = appointments.get_appointment(world.ctx(Role.FRONT_DESK), booked)
    assert (item.start, item.status, item.source) == (at(FRIDAY, "10:00"), "confirmed", "front_desk")


def test_a_drag_the_rules_refuse_snaps_back_with_the_reason_and_an_allowed_one_moves(qtbot, world, runner):
    asha = world.book(day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["rajan"],))
    ravi = world.book("ravi", day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["anjali"],))
    page = _page(qtbot, world, runner)
    view = page.calendar
    view.set_day(FRIDAY)
    assert _ids_in(page, world.staff["rajan"]) == {asha} and _ids_in(page, world.staff["anjali"]) == {ravi}
    anjali_column = next(i for i, c in enumerate(view.grid.columns) if c.key == world.staff["anjali"])
    rajan_column = next(i for i, c in enumerate(view.grid.columns) if c.key == world.staff["rajan"])
    target = view.grid.point_at(anjali_column, 10 * 60 + 30)  # held by its middle: 10:00 with Anjali, who is busy
    drag(view.grid.viewport(), view.appointment_rects(asha)[0].center(), target)
    assert view.banner.isVisible()
    assert "Anjali Menon is booked 10:00–11:00" in view.banner.text(), view.banner.text()
    assert view.grid.pending is None and _ids_in(page, world.staff["rajan"]) == {asha}  # snapped back
    assert appointments.get_appointment(world.ctx(Role.FRONT_DESK), asha).status == "confirmed"

    target = view.grid.point_at(rajan_column, 14 * 60 + 30)  # 14:00 in his own column: free
    drag(view.grid.viewport(), view.appointment_rects(asha)[0].center(), target)
    assert not view.banner.isVisible() and "to 27 Nov 2026 14:00" in view.notice.text()
    moved = next(b.item for b in view.grid.blocks_in_column(world.staff["rajan"]))
    assert moved.rescheduled_from == asha and moved.start == at(FRIDAY, "14:00")
    assert view.grid.selected_id == moved.id  # the moved appointment stays selected under its new id
    assert appointments.get_appointment(world.ctx(Role.FRONT_DESK), asha).status == "rescheduled"


def test_a_refusal_offers_the_nearest_free_slots_one_click_away(qtbot, world, runner):
    asha = world.book(day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["rajan"],))
    world.book("ravi", day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["anjali"],))
    page = _page(qtbot, world, runner)
    view = page.calendar
    view.set_day(FRIDAY)
    anjali_column = next(i for i, c in enumerate(view.grid.columns) if c.key == world.staff["anjali"])
    drag(view.grid.viewport(), view.appointment_rects(asha)[0].center(), view.grid.point_at(anjali_column, 630))
    assert view.suggestions_box.isVisibleTo(view) and view.suggestion_buttons
    offered = [button.text() for button in view.suggestion_buttons]
    assert "Fri 27 Nov 10:00" not in offered  # where it already is
    assert offered[0].startswith("Fri 27 Nov "), offered
    view.suggestion_buttons[0].click()
    assert not view.banner.isVisible() and not view.suggestions_box.isVisibleTo(view)
    moved = [b.item for b in view.grid.blocks if b.item.rescheduled_from == asha]
    assert moved and moved[0].patient_name == "Asha Menon" and moved[0].start != at(FRIDAY, "10:00")


def test_by_room_a_drop_on_a_room_of_the_wrong_kind_is_explained(qtbot, world, runner):
    asha = world.book(day=FRIDAY, at="10:00")
    page = _page(qtbot, world, runner)
    view = page.calendar
    view.set_day(FRIDAY)
    view.set_group(BY_ROOM)
    consult = next(i for i, c in enumerate(view.grid.columns) if c.key == world.rooms["Consultation"])
    drag(view.grid.viewport(), view.appointment_rects(asha)[0].center(), view.grid.point_at(consult, 10 * 60 + 30))
    assert "Consultation" in view.banner.text() and view.grid.pending is None
    assert len(view.appointment_rects(asha)) == 1


def test_the_queue_moves_a_patient_along_and_cancels_with_a_reason(qtbot, world, runner, monkeypatch):
    asha = world.book(day=THURSDAY, at="11:00")
    ravi = world.book("ravi", day=THURSDAY, at="12:30")
    page = _page(qtbot, world, runner)
    page.tabs.setCurrentIndex(QUEUE_TAB)
    queue = page.queue
    assert [a.id for a in queue.model.rows()] == [asha, ravi]
    queue.select(asha)
    for event, status in (("check_in", "Checked in"), ("start", "In progress"), ("complete", "Completed")):
        queue.actions.buttons[event].click()
        row = next(i for i, a in enumerate(queue.model.rows()) if a.id == asha)
        assert queue.model.index(row, 5).data() == status, queue.banner.text()
    monkeypatch.setattr("clinicdesk.ui.calendar.actions.ask_reason", lambda *a: "Patient has fever")
    queue.select(ravi)
    queue.actions.buttons["cancel"].click()
    item = appointments.get_appointment(world.ctx(Role.FRONT_DESK), ravi)
    assert item.status == "cancelled" and item.history[-1].reason == "Patient has fever"
    assert [h.to_status for h in appointments.get_appointment(world.ctx(Role.FRONT_DESK), asha).history] == [
        "confirmed", "checked_in", "in_progress", "completed"]
    assert "1 done" in queue.counts.text()


def test_a_walk_in_is_booked_from_now_and_checked_in(qtbot, world, runner, clock):
    clock.advance(minutes=7)  # 10:07 in Kochi
    page = _page(qtbot, world, runner)
    wizard = page.open_booking(walk_in=True)
    wizard.patient_page.search_box.setText("Lata")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service(world.services["NAS"])
    wizard.next()
    assert wizard.currentId() == SLOTS and wizard.slots.slot().start == at(THURSDAY, "10:10")
    wizard.next()
    wizard.button(wizard.WizardButton.FinishButton).click()
    item = appointments.get_appointment(world.ctx(Role.FRONT_DESK), wizard.booked_id)
    assert (item.source, item.status, item.start) == ("walk_in", "checked_in", at(THURSDAY, "10:10"))
    assert page.tabs.currentIndex() == QUEUE_TAB and page.queue.selected().id == item.id


def test_a_freed_slot_is_offered_to_the_waitlist_and_accepted(qtbot, world, runner):
    desk = world.ctx(Role.FRONT_DESK)
    for key, patient in (("rajan", "asha"), ("anjali", "ravi")):
        world.book(patient, day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff[key],))
    page = _page(qtbot, world, runner)
    wizard = page.open_booking()
    wizard.patient_page.search_box.setText("Lata")
    wizard.patient_page.search_now()
    wizard.next()
    wizard.service_page.select_service(world.services["ABH"])
    wizard.next()
    wizard.when.day.setDate(wizard.when.day.date().addDays(1))
    wizard.next()
    wizard.slots.waitlist_button.click()  # Lata wants Friday; the desk puts her on the waitlist
    assert not wizard.isVisible() and page.tabs.currentIndex() == WAITLIST_TAB
    assert [e.patient_name for e in page.waitlist.model.rows()] == ["Lata Menon"]
    first = appointments.list_range(desk, world.centre, FRIDAY, FRIDAY)[0]
    appointments.transition(desk, first.id, "cancel", reason="Travelling")  # from another desk
    runner.changes_did_apply.emit(Changes(appointments=True))  # as a sync pull would announce it
    entry = page.waitlist.model.rows()[0]
    assert entry.status == "offered" and page.tabs.tabText(WAITLIST_TAB) == "Waitlist — 1 offer(s)"
    assert page.waitlist.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == OFFER_FILL
    page.waitlist.select(entry.id)
    page.waitlist.accept_button.click()
    booked = [a for a in appointments.list_range(desk, world.centre, FRIDAY, FRIDAY) if a.status == "confirmed"]
    assert "Lata Menon" in {a.patient_name for a in booked}
    assert page.waitlist.model.rowCount() == 0 and page.tabs.tabText(WAITLIST_TAB) == "Waitlist"


@pytest.mark.parametrize(("role", "books", "drags", "buttons"), [
    (Role.FRONT_DESK, True, True, {"confirm", "check_in", "start", "complete", "no_show", "cancel"}),
    (Role.CUSTOMER_RELATIONS, True, True, {"confirm", "cancel"}),
    (Role.THERAPIST, False, False, {"check_in", "start", "complete", "no_show"}),
    (Role.NURSE, False, False, {"check_in", "start", "complete", "no_show"}),
    (Role.DOCTOR, False, False, {"approve", "check_in", "start", "complete", "no_show"}),
])
def test_each_role_sees_the_calendar_with_what_it_may_do(qtbot, world, runner, role, books, drags, buttons):
    world.book(day=THURSDAY, at="11:00")
    window = MainWindow(AppContext(world.ctx(role), runner), idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.show()
    assert "calendar" in window.nav_keys()
    page = window.navigate("calendar")
    assert page.book_button.isVisibleTo(page) is books and page.walk_in_button.isVisibleTo(page) is books
    assert page.waitlist.accept_button.isVisibleTo(page.waitlist) is books
    assert page.open_booking() is None or books
    item = page.calendar.grid.blocks[0].item
    assert page.calendar.grid.may_drag(item) is drags
    assert set(page.queue.actions.buttons) == buttons
    page.close()


def test_a_centre_without_appointments_or_practitioners_says_so(qtbot, admin_ctx, runner):
    page = _page_for_admin(qtbot, admin_ctx, runner)
    assert page.calendar.grid.columns == [] and "No practitioners" in page.calendar.grid.empty_text
    assert page.centre_combo.count() == 1 and isinstance(page.centre(), CentreItem)
    assert page.calendar.day == date(2026, 11, 26) and page.calendar.now_local().time() == time(10, 0)


def _page_for_admin(qtbot, admin_ctx, runner) -> CalendarPage:
    page = CalendarPage(AppContext(admin_ctx, runner))
    qtbot.addWidget(page)
    page.show()
    return page


def test_on_the_database_thread_the_day_loads_and_a_refused_drop_waits_then_snaps_back(qtbot, world):
    asha = world.book(day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["rajan"],))
    world.book("ravi", day=FRIDAY, at="10:00", preferred_staff_ids=(world.staff["anjali"],))
    threaded = TaskRunner(threaded=True)
    try:
        page = CalendarPage(AppContext(world.ctx(Role.FRONT_DESK), threaded))
        qtbot.addWidget(page)
        page.resize(1366, 800)
        page.show()
        view = page.calendar
        qtbot.waitUntil(lambda: page.centre() is not None, timeout=5000)
        view.set_day(FRIDAY)
        qtbot.waitUntil(lambda: bool(view.appointment_rects(asha)), timeout=5000)
        anjali_column = next(i for i, c in enumerate(view.grid.columns) if c.key == world.staff["anjali"])
        drag(view.grid.viewport(), view.appointment_rects(asha)[0].center(), view.grid.point_at(anjali_column, 630))
        assert view.grid.pending is not None  # the ghost stays where it was dropped while the service decides
        qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=5000)
        assert view.grid.pending is None and "Anjali Menon is booked" in view.banner.text()
        page.close()
    finally:
        threaded.shutdown()
