"""The therapist's My day on a real clinic: only their sessions today, big cards, a tap opens the SOP runner."""

from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, therapy_sessions
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.services.context import SignedInUser
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.therapy.my_day import CARD_HEIGHT, MyDayPage
from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog
from tests.conftest import STAFF_PASSWORD


def _board_item(course, session_key: str):
    session = course.sessions[session_key]
    return next(i for i in therapy_sessions.day_board(course.world.boss, course.world.centre, session.start.date())
                if i.session_id == session.id)


def _app_for(course, runner, staff_id: str, name: str) -> AppContext:
    ctx = course.world.ctx(Role.THERAPIST)
    ctx.user = SignedInUser(staff_id, f"user.{staff_id[-6:]}", name, Role.THERAPIST, course.world.centre)
    return AppContext(ctx, runner)


def _therapist_app(course, runner, session_key: str) -> tuple[AppContext, str]:
    board = _board_item(course, session_key)
    return _app_for(course, runner, board.staff_ids[0], board.staff_names[0]), board.staff_ids[0]


def test_the_board_carries_staff_ids_beside_their_names(course):
    board = _board_item(course, "abh-5")
    names = {v: k for k, v in course.world.staff.items()}
    assert len(board.staff_ids) == len(board.staff_names) == 1
    assert names[board.staff_ids[0]] in board.staff_names[0].lower()  # rajan -> "Rajan Pillai", in step


def test_my_day_lists_only_my_sessions_and_opens_the_sop_runner(qtbot, course, runner):
    app, staff_id = _therapist_app(course, runner, "abh-5")
    page = MyDayPage(app)
    qtbot.addWidget(page)
    page.show()
    assert page.items and all(staff_id in item.staff_ids for item in page.items)
    assert course.sessions["abh-5"].id in page.cards
    card = page.cards[course.sessions["abh-5"].id]
    assert card.minimumHeight() >= CARD_HEIGHT and card.font().pointSize() >= 16
    assert "Abhyanga" in card.text() and not page.empty.isVisible()
    with qtbot.waitSignal(page.sop_requested):
        card.click()
    dialogs = page.findChildren(SopRunnerDialog)
    assert dialogs and dialogs[0].detail.board.session_id == course.sessions["abh-5"].id
    dialogs[0].accept()


def test_a_therapist_with_nothing_today_sees_so(qtbot, course, runner):
    page = MyDayPage(course.app(Role.THERAPIST, runner))  # the floor therapist has no sessions booked
    qtbot.addWidget(page)
    page.show()
    assert page.items == [] and page.empty.isVisible()


def test_a_namesake_does_not_see_the_other_therapists_sessions(qtbot, course, runner):
    board = _board_item(course, "abh-5")
    name = board.staff_names[0]
    namesake, _ = admin.create_staff(course.world.boss, StaffDraft("second.namesake", name, "therapist",
                                                                   course.world.centre), STAFF_PASSWORD)
    theirs = MyDayPage(_app_for(course, runner, namesake, name))
    qtbot.addWidget(theirs)
    assert theirs.items == [] and theirs.empty.isVisibleTo(theirs)
    mine = MyDayPage(_app_for(course, runner, board.staff_ids[0], name))
    qtbot.addWidget(mine)
    assert board.session_id in mine.cards


def test_a_card_says_when_the_plans_consent_is_still_needed(qtbot, unconsented_course, runner):
    app, _ = _therapist_app(unconsented_course, runner, "abh-5")
    page = MyDayPage(app)
    qtbot.addWidget(page)
    assert "Scheduled · consent needed" in page.cards[unconsented_course.sessions["abh-5"].id].text()
