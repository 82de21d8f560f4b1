"""The sync review page against a real HQ (uvicorn on loopback) and two desks: the conflict appears on both desks'
pages, a doctor keeps one version and after the next sync both show it under "settled"; reception cannot settle it;
refused changes and possible duplicates are settled from their tabs; empty tabs say what they mean; an unreachable
HQ leaves what was fetched on screen with its time; the status bar links to the page."""

import dataclasses
from datetime import date

from PySide6.QtWidgets import QPushButton

from clinicdesk.domain.roles import Role
from clinicdesk.services import patients
from clinicdesk.store.models import PatientRow
from clinicdesk.store.outbox_review import SETTLED
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.review_client import ReviewClient
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.main_window import MainWindow
from clinicdesk.ui.sync import review_page
from clinicdesk.ui.sync.controller import SyncController
from clinicdesk.ui.sync.requests import SyncRequests
from clinicdesk.ui.sync.review_cards import ConflictCard, DuplicateCard, RefusedChangeCard
from clinicdesk.ui.sync.review_page import EMPTY_ATTENTION, EMPTY_CONFLICTS, EMPTY_DUPLICATES, SyncReviewPage
from tests.sync.hq_fixtures import NO_WAIT
from tests.sync.test_review_client import as_role, conflict, date_of_birth
from tests.sync.test_sync_client import desks, draft, hq_url

__all__ = ["conflict", "desks", "hq_url"]  # fixtures used below, defined with the sync tests


def page_for(qtbot, runner, desk, role: Role, name: str, **kwargs) -> SyncReviewPage:
    app = AppContext(as_role(desk, role, name), runner)
    kwargs.setdefault("open_hq", lambda: ReviewClient(load_hq_settings(desk.db.data_dir), **NO_WAIT))
    page = SyncReviewPage(app, synchronous=True, **kwargs)
    qtbot.addWidget(page)
    page.refresh()
    return page


def buttons(card, text: str) -> list[QPushButton]:
    return [b for b in card.findChildren(QPushButton) if b.text() == text]


def test_a_conflict_is_on_both_pages_and_a_doctor_settles_it(qtbot, runner, desks, conflict):
    desk_a, desk_b = desks
    doctor = page_for(qtbot, runner, desk_a, Role.DOCTOR, "Meera Rao")
    reception = page_for(qtbot, runner, desk_b, Role.FRONT_DESK, "Ravi Kumar")
    for page in (doctor, reception):
        (card,) = page.conflicts.cards
        assert isinstance(card, ConflictCard) and page.tabs.tabText(0) == "Conflicts (1)"
        assert {v.text for v in card.conflict.versions} == {"19 Mar 1984", "03 Sep 1984"}
        assert "Fetched from HQ at" in page.status.text()
        assert not page.conflicts.empty.isVisible()
    (reception_card,) = reception.conflicts.cards
    assert not any(b.isEnabled() for b in reception_card.keep_buttons)  # a doctor decides a date of birth
    assert not reception_card.enter_button.isEnabled()

    (card,) = doctor.conflicts.cards
    desk_b_version = next(i for i, v in enumerate(card.conflict.versions) if v.device_name == "Reception desk B")
    assert all(b.isEnabled() for b in card.keep_buttons)
    card.keep_buttons[desk_b_version].click()
    assert doctor.conflicts.cards == [] and doctor.conflicts.empty.text() == EMPTY_CONFLICTS

    for desk in desks:
        desk.sync()
    assert date_of_birth(desk_a, conflict) == date_of_birth(desk_b, conflict) == date(1984, 9, 3)
    reception.refresh()
    assert reception.conflicts.cards == []  # settled ones are under the filter
    reception.show_settled_conflicts.setChecked(True)
    (settled,) = reception.conflicts.cards
    assert not settled.conflict.is_open and settled.keep_buttons == []
    assert "Settled by Meera Rao" in settled.findChild(type(reception.status), "settledLine").text()


def test_the_right_value_can_be_typed_and_a_wrong_one_is_refused_in_words(qtbot, runner, desks, conflict,
                                                                          monkeypatch):
    desk_a, desk_b = desks
    doctor = page_for(qtbot, runner, desk_a, Role.DOCTOR, "Meera Rao")
    errors = []
    monkeypatch.setattr(review_page, "show_error", lambda _parent, text: errors.append(text))
    typed = iter(["09/03/1984", "1984-03-09"])
    monkeypatch.setattr(review_page, "ask_text", lambda *_args, **_kw: next(typed))
    (card,) = doctor.conflicts.cards
    card.enter_button.click()
    assert errors == ["Date of birth must be a date such as 1984-03-09"] and len(doctor.conflicts.cards) == 1
    card.enter_button.click()
    assert doctor.conflicts.cards == []
    for desk in desks:
        desk.sync()
    assert date_of_birth(desk_b, conflict) == date(1984, 3, 9)


def test_an_unreachable_hq_keeps_what_was_fetched_with_its_time(qtbot, runner, desks, conflict):
    desk_a, _ = desks
    reachable = [True]
    settings = load_hq_settings(desk_a.db.data_dir)

    def open_hq():
        url = settings.url if reachable[0] else "http://127.0.0.1:9"
        return ReviewClient(dataclasses.replace(settings, url=url), **NO_WAIT)

    page = page_for(qtbot, runner, desk_a, Role.DOCTOR, "Meera Rao", open_hq=open_hq)
    assert len(page.conflicts.cards) == 1
    reachable[0] = False
    page.refresh()
    assert "could not be reached" in page.status.text() and "Showing what was fetched at" in page.status.text()
    assert len(page.conflicts.cards) == 1  # still on screen


def test_not_enrolled_says_so_and_empty_tabs_say_what_they_mean(qtbot, app_ctx):
    def not_enrolled():
        raise SyncError("This device is not enrolled with an HQ yet.", code="not_enrolled")

    page = SyncReviewPage(app_ctx, open_hq=not_enrolled, synchronous=True)
    qtbot.addWidget(page)
    page.refresh()
    assert page.status.text() == "This device is not enrolled with an HQ yet. Nothing was fetched from HQ yet."
    for column, text in ((page.conflicts, EMPTY_CONFLICTS), (page.attention, EMPTY_ATTENTION),
                         (page.duplicates, EMPTY_DUPLICATES)):
        assert column.cards == [] and column.empty.text() == text and not column.empty.isHidden()


def test_refused_changes_are_sent_again_or_kept(qtbot, runner, desks, monkeypatch):
    desk_a, _ = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    desk_a.sync()
    with desk_a.db.session() as session, session.begin():
        session.get(PatientRow, patient_id).uhid = "KOC-A-999999"
    desk_a.sync()
    page = page_for(qtbot, runner, desk_a, Role.FRONT_DESK, "Ravi Kumar")
    (card,) = page.attention.cards
    assert isinstance(card, RefusedChangeCard) and page.tabs.tabText(1) == "Needs attention (1)"
    assert card.change.record.text == "Patient details of Lakshmi Nair (KOC-A-999999)"
    card.send_button.click()
    assert page.attention.cards == []
    desk_a.sync()  # refused again: HQ fixes the UHID at creation
    page.load_refused()
    (again,) = page.attention.cards
    monkeypatch.setattr(review_page, "ask_text", lambda *_args, **_kw: "HQ's UHID is the right one")
    again.keep_button.click()
    assert page.attention.cards == []
    page.show_done_changes.setChecked(True)
    assert [c.change.state for c in page.attention.cards] == ["resent", SETTLED]


def test_a_possible_duplicate_is_shown_side_by_side_and_settled(qtbot, runner, desks, monkeypatch):
    desk_a, desk_b = desks
    patients.register_patient(desk_a.ctx, draft())
    patients.register_patient(desk_b.ctx, draft(phone="9847055555"))
    for desk in (desk_a, desk_b, desk_a):
        desk.sync()
    page = page_for(qtbot, runner, desk_a, Role.FRONT_DESK, "Ravi Kumar")
    (card,) = page.duplicates.cards
    assert isinstance(card, DuplicateCard) and page.tabs.tabText(2) == "Possible duplicates (1)"
    names = [label.text() for label in card.findChildren(type(page.status), "patientName")]
    assert names == ["Lakshmi Nair", "Lakshmi Nair"]
    monkeypatch.setattr(review_page, "ask_text", lambda *_args, **_kw: "")
    buttons(card, "Same person, merge later")[0].click()
    assert page.duplicates.cards == []
    page.show_settled_duplicates.setChecked(True)
    (settled,) = page.duplicates.cards
    assert settled.item.decision == "same_person" and settled.item.resolved_by == "Ravi Kumar"


def test_the_status_bar_links_to_the_page(qtbot, runner, desks, conflict):
    desk_a, _ = desks
    app = AppContext(as_role(desk_a, Role.DOCTOR, "Meera Rao"), runner)
    controller = SyncController(app, sync_fn=lambda *_: None, synchronous=True, requests=SyncRequests())
    window = MainWindow(app, idle_timeout_ms=0, sync=controller)
    qtbot.addWidget(window)
    assert "sync_review" in window.nav_keys()
    window.sync.indicator.review_requested.emit()
    page = window.pages["sync_review"]
    assert window.page_stack.currentWidget() is page
    page._open_hq = lambda: ReviewClient(load_hq_settings(desk_a.db.data_dir), **NO_WAIT)
    page._synchronous = True
    page.refresh()
    link = window.sync.indicator.review_link
    assert not link.isHidden() and "1 to review" in link.text()


def test_roles_without_the_page_do_not_see_it(qtbot, app_for_role):
    app = app_for_role(Role.THERAPIST)
    window = MainWindow(app, idle_timeout_ms=0, sync=SyncController(app, synchronous=True, requests=SyncRequests()))
    qtbot.addWidget(window)
    assert "sync_review" not in window.nav_keys()
