"""The desk's portal screens against real services on a real SQLCipher clinic: online requests (confirm, decline,
refusal shown), the sidebar count, Admin > Patient portal (validation), and check-in by a scanned code."""

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem

from clinicdesk.domain.portal import check_in_payload
from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments, portal_requests
from clinicdesk.services.portal_settings import get_settings
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.calendar_page import QUEUE_TAB, CalendarPage
from clinicdesk.ui.portal.requests_page import OnlineRequestsPage, PendingBadge
from clinicdesk.ui.portal.settings_page import PortalSettingsPage
from tests.services.portal_world import portal_request, switch_on
from tests.services.scheduling_world import FRIDAY, THURSDAY, at, build_world

SHOTS = Path(os.environ.get("CLINICDESK_TEST_SHOTS", "")) if os.environ.get("CLINICDESK_TEST_SHOTS") else None


@pytest.fixture
def world(admin_ctx):
    return build_world(admin_ctx)


def _shown(qtbot, widget, name: str):
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def _shot(widget, name: str) -> None:
    if SHOTS is not None:  # set CLINICDESK_TEST_SHOTS=<folder> to look at the screens
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def _select(page: OnlineRequestsPage, request_id: str) -> None:
    row = next(i for i, r in enumerate(page.model.rows()) if r.id == request_id)
    page.table.selectRow(row)


def test_the_desk_confirms_one_request_and_declines_another_with_a_reason(qtbot, world, runner):
    switch_on(world)
    first = portal_request(world, local_start=at(FRIDAY, "10:00"), note="Back pain since Monday")
    second = portal_request(world, patient="ravi", local_start=at(FRIDAY, "11:00"))
    reasons = iter(["The therapist is away that day; please choose another"])
    desk = AppContext(world.ctx(Role.FRONT_DESK), runner)
    page = _shown(qtbot, OnlineRequestsPage(desk, ask_reason=lambda _parent: next(reasons)), "requests")
    assert [r.id for r in page.model.rows()] == [first, second]
    assert page.count_label.text() == "2 waiting"
    _select(page, first)
    assert "Back pain since Monday" in page.details.toPlainText()
    _shot(page, "44_desk_online_requests")

    page.confirm_button.click()
    assert [r.id for r in page.model.rows()] == [second], page.banner.text()
    booked = portal_requests.list_requests(desk.ctx, world.centre, pending=False)[0]
    assert appointments.get_appointment(desk.ctx, booked.result_appointment_id).start == at(FRIDAY, "10:00")

    _select(page, second)
    page.decline_button.click()
    assert page.model.rows() == [] and page.count_label.text() == "0 waiting"
    page.show_decided.setChecked(True)
    declined = next(r for r in page.model.rows() if r.id == second)
    assert declined.status == "declined"
    _select(page, second)
    assert "The therapist is away that day" in page.details.toPlainText()
    assert not page.confirm_button.isEnabled()


def test_backing_out_of_decline_changes_nothing_and_a_refused_confirm_says_why(qtbot, world, runner):
    switch_on(world)
    for patient in ("ravi", "lata"):
        world.book(patient, day=FRIDAY, at="10:00")
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    desk = AppContext(world.ctx(Role.FRONT_DESK), runner)
    page = _shown(qtbot, OnlineRequestsPage(desk, ask_reason=lambda _parent: None), "requests")
    _select(page, request_id)
    page.decline_button.click()
    assert [r.status for r in page.model.rows()] == ["pending"]
    page.confirm_button.click()
    assert page.banner.isVisible() and "Abhyanga cannot be booked" in page.banner.text()
    assert [r.status for r in page.model.rows()] == ["pending"]


def test_the_sidebar_count_follows_the_requests(qtbot, world, runner):
    switch_on(world)
    desk = AppContext(world.ctx(Role.FRONT_DESK), runner)
    item = QListWidgetItem("Online requests")
    badge = PendingBadge(desk, item, "Online requests")
    assert item.text() == "Online requests"
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    badge.refresh()  # a sync brought it: the timer's beat
    assert item.text() == "Online requests (1)"
    runner.run(portal_requests.confirm_request, desk.ctx, request_id)  # a write: Changes refresh it at once
    assert item.text() == "Online requests"
    badge.timer.stop()


def test_the_admin_sets_up_the_portal_and_a_wrong_value_is_marked(qtbot, world, runner):
    page = _shown(qtbot, PortalSettingsPage(AppContext(world.boss, runner)), "settings")
    assert not page.booking_enabled.isChecked() and not page.services.isEnabled()
    assert page.min_notice.value() == 12 and page.max_days.value() == 14
    page.booking_enabled.setChecked(True)
    page.set_service_checked("Abhyanga")
    page.set_service_checked("Nasya")
    page.max_days.setValue(0)
    page.save_button.click()
    assert "Days ahead must be between 1 and 60 days" in page.banner.text()
    assert page.max_days.property("invalid") is True
    assert get_settings(world.boss, world.centre).booking_enabled is False
    page.max_days.setValue(21)
    page.auto_approve.setChecked(True)
    page.save_button.click()
    assert page.saved_label.text() == "Saved." and not page.banner.isVisible()
    saved = get_settings(world.boss, world.centre)
    assert (saved.booking_enabled, saved.auto_approve, saved.max_days_ahead) == (True, True, 21)
    assert set(saved.bookable_service_ids) == {world.services["ABH"], world.services["NAS"]}
    _shot(page, "45_admin_patient_portal")
    reopened = _shown(qtbot, PortalSettingsPage(AppContext(world.boss, runner)), "settings")
    checked = [reopened.services.item(i).text() for i in range(reopened.services.count())
               if reopened.services.item(i).checkState() == Qt.CheckState.Checked]
    assert sorted(checked) == ["Abhyanga (60 min)", "Nasya (30 min)"]


def test_a_scanned_code_on_the_queue_shows_who_and_checks_in_on_confirm(qtbot, world, runner):
    asha = world.book(day=THURSDAY, at="14:00")
    page = CalendarPage(AppContext(world.ctx(Role.FRONT_DESK), runner))
    _shown(qtbot, page, "queue")
    page.tabs.setCurrentIndex(QUEUE_TAB)
    bar = page.queue.check_in_code
    assert bar.isVisible() and not bar.check_in_button.isEnabled()
    qtbot.keyClicks(bar.code, "not a code")
    qtbot.keyClick(bar.code, Qt.Key.Key_Return)
    assert "is not a ClinicDesk check-in code" in bar.result.text()
    bar.code.clear()
    qtbot.keyClicks(bar.code, check_in_payload(asha))  # a USB scanner types the code, then Enter
    qtbot.keyClick(bar.code, Qt.Key.Key_Return)
    assert bar.result.text().startswith("Asha Menon") and "Abhyanga at 14:00" in bar.result.text()
    assert appointments.get_appointment(world.boss, asha).status == "confirmed"
    _shot(page, "46_desk_check_in_code")
    bar.check_in_button.click()
    assert appointments.get_appointment(world.boss, asha).status == "checked_in"
    assert bar.result.text() == "Asha Menon is checked in." and bar.code.text() == ""
    row = next(i for i, a in enumerate(page.queue.model.rows()) if a.id == asha)
    assert page.queue.model.index(row, 5).data() == "Checked in"


def test_customer_relations_who_may_not_check_in_get_no_check_in_field(qtbot, world, runner):
    page = _shown(qtbot, CalendarPage(AppContext(world.ctx(Role.CUSTOMER_RELATIONS), runner)), "queue")
    page.tabs.setCurrentIndex(QUEUE_TAB)
    assert not page.queue.check_in_code.isVisible()
