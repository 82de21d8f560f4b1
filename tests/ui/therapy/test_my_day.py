"""The therapist's My day on a real clinic: only their sessions today, big cards, a tap opens the SOP runner."""

from clinicdesk.domain.roles import Role
from clinicdesk.services import therapy_sessions
from clinicdesk.services.context import SignedInUser
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.therapy.my_day import CARD_HEIGHT, MyDayPage
from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog


def _therapist_app(course, runner, session_key: str) -> tuple[AppContext, str]:
    session = course.sessions[session_key]
    board = next(i for i in therapy_sessions.day_board(course.world.boss, course.world.centre, session.start.date())
                 if i.session_id == session.id)
    name = board.staff_names[0]
    key = next(k for k, v in course.world.staff.items() if k in name.lower())
    user = SignedInUser(course.world.staff[key], f"{key}.pk", name, Role.THERAPIST, course.world.centre)
    ctx = course.world.ctx(Role.THERAPIST)
    ctx.user = user
    return AppContext(ctx, runner), name


def test_my_day_lists_only_my_sessions_and_opens_the_sop_runner(qtbot, course, runner):
    app, name = _therapist_app(course, runner, "abh-5")
    page = MyDayPage(app)
    qtbot.addWidget(page)
    page.show()
    assert page.items and all(name in item.staff_names for item in page.items)
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
