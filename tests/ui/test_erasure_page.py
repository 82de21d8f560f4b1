"""Erasure requests on screen: recorded from the profile, reviewed by someone else, carried out after a confirmation
that says what is cleared and what is kept; a refusal by the service shows its own sentence."""

import os
from datetime import date
from pathlib import Path

import pytest

from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, erasure, patients
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.documents import erasure_page
from clinicdesk.ui.documents.erasure_page import ErasurePage
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.main_window import MainWindow
from tests.conftest import STAFF_PASSWORD

SHOT = Path(os.environ.get("CLINICDESK_E1_SHOT", "/tmp/e1_erasure.png"))


@pytest.fixture
def second_admin(admin_ctx, runner) -> AppContext:
    """Another administrator: the reviewer must not be the person who recorded the request."""
    staff_id, _ = admin.create_staff(admin_ctx, StaffDraft(username="ravi.admin", full_name="Ravi Pillai", role="admin",
                                                           centre_id=admin_ctx.user.centre_id), STAFF_PASSWORD)
    user = SignedInUser(staff_id, "ravi.admin", "Ravi Pillai", Role.ADMIN, admin_ctx.user.centre_id)
    return AppContext(ServiceContext(admin_ctx.db, user=user, clock=admin_ctx.clock), runner)


def _window(qtbot, app: AppContext) -> MainWindow:
    window = MainWindow(app, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.show()
    return window


def _page(qtbot, app: AppContext) -> ErasurePage:
    page = ErasurePage(app)
    qtbot.addWidget(page)
    page.resize(1200, 520)
    page.show()
    return page


def _request_from_profile(window: MainWindow, patient_id: str) -> None:
    window.reception.open_patient(patient_id)
    header = window.reception.profile.header
    assert header.erasure_button.isVisibleTo(window)
    dialog = header.open_erasure_request()
    dialog.reason.setCurrentIndex(dialog.reason.findData("consent_withdrawn"))
    dialog.save()
    assert not dialog.isVisible()


def test_request_review_by_another_admin_and_carry_out(qtbot, app_ctx, second_admin, some_patients, monkeypatch):
    patient_id = some_patients["Anitha Sharma"]
    uhid = patients.get_profile(app_ctx.ctx, patient_id).uhid
    window = _window(qtbot, app_ctx)
    _request_from_profile(window, patient_id)

    reviewer = _page(qtbot, second_admin)
    [row] = reviewer.model.rows()
    assert (row.uhid, row.request.status, row.request.requested_by) == (uhid, erasure.REQUESTED, "admin")
    cells = [reviewer.model.index(0, c).data() for c in range(reviewer.model.columnCount())]
    assert cells[:4] == [uhid, "Waiting for review", "The patient withdrew consent", "admin"]
    assert reviewer.approve_button.isEnabled() and not reviewer.carry_out_button.isEnabled()
    reviewer.approve_button.click()
    assert reviewer.banner.isHidden()
    [row] = reviewer.model.rows()
    assert (row.request.status, row.request.reviewed_by) == (erasure.APPROVED, "ravi.admin")
    assert reviewer.carry_out_button.isEnabled() and not reviewer.approve_button.isEnabled()

    page = window.navigate("erasure")
    page.select(row.request.id)
    asked: list[str] = []
    monkeypatch.setattr(erasure_page, "confirm", lambda _parent, question, **_: asked.append(question) or False)
    page.carry_out_button.click()  # said no: nothing happens
    assert page.model.rows()[0].request.status == erasure.APPROVED
    assert patients.get_profile(app_ctx.ctx, patient_id).draft.phone != erasure.ERASED_MARK
    question = asked[0]
    assert uhid in question and "replaced by ERASED" in question and "Aadhaar" in question
    assert row.request.retention_until is not None
    assert f"Kept until {format_date(row.request.retention_until)}" in question
    assert "the name, date of birth, ABHA identifiers and every clinical record" in question

    monkeypatch.setattr(erasure_page, "confirm", lambda *_a, **_k: True)
    page.carry_out_button.click()
    [done] = page.model.rows()
    assert (done.request.status, done.request.mode) == (erasure.CARRIED_OUT, "pseudonymised")
    assert page.status.text() == "Carried out (pseudonymised)."
    assert not page.carry_out_button.isEnabled()
    assert patients.get_profile(app_ctx.ctx, patient_id).draft.phone == erasure.ERASED_MARK
    window.navigate("patients")  # the open profile, hidden meanwhile, reloads when shown again
    header = window.reception.profile.header
    assert erasure.ERASED_MARK in header.facts.text() and header.name.text() == "Anitha Sharma"
    erasure.request_erasure(app_ctx.ctx, some_patients["Rohit Tiwari"], reason="no_longer_needed")
    page.refresh_now()  # a second request waiting for review, for the screenshot
    assert [r.request.status for r in page.model.rows()] == [erasure.REQUESTED, erasure.CARRIED_OUT]
    page.resize(1200, 480)
    page.grab().save(str(SHOT))


def test_the_requester_cannot_review_and_sees_the_services_sentence(qtbot, app_ctx, some_patients):
    erasure.request_erasure(app_ctx.ctx, some_patients["Rohit Tiwari"], reason="patient_request")
    page = _page(qtbot, app_ctx)
    page.approve_button.click()
    assert page.banner.isVisibleTo(page)
    assert page.banner.text() == "Someone other than the person who recorded the request must review it."
    assert page.model.rows()[0].request.status == erasure.REQUESTED  # nothing changed


def test_a_second_open_request_is_refused_in_the_dialog(qtbot, app_ctx, some_patients):
    window = _window(qtbot, app_ctx)
    _request_from_profile(window, some_patients["Jisha Chacko"])
    dialog = window.reception.profile.header.open_erasure_request()
    dialog.save()
    assert dialog.isVisible() and "already open" in dialog.banner.text()


@pytest.mark.parametrize(("role", "may_request"), [(Role.FRONT_DESK, True), (Role.DOCTOR, True),
                                                    (Role.THERAPIST, False), (Role.NURSE, False)])
def test_request_button_only_for_roles_allowed_to_request(qtbot, app_for_role, some_patients, role, may_request):
    window = _window(qtbot, app_for_role(role))
    assert "erasure" not in window.nav_keys()  # the page is the administrators'
    window.reception.open_patient(some_patients["Anitha Sharma"])
    assert window.reception.profile.header.erasure_button.isVisibleTo(window) is may_request


def test_after_the_retention_period_the_confirmation_says_the_identity_goes_too(qapp):
    request = erasure.ErasureRequest("r1", "p1", "patient_request", erasure.APPROVED, "admin", "2026-11-26T04:30:00",
                                     "ravi.admin", retention_until=date(2025, 3, 1))
    after = erasure_page.carry_out_question("KOC-A-000009", request, date(2026, 11, 26))
    assert f"retention period ended on {format_date(date(2025, 3, 1))}" in after
    assert "name is also replaced, only the year of birth is kept" in after and "Kept until" not in after
    inside = erasure_page.carry_out_question("KOC-A-000009", request, date(2025, 3, 1))  # the last day still inside
    assert f"Kept until {format_date(date(2025, 3, 1))}" in inside and "name is also replaced" not in inside
