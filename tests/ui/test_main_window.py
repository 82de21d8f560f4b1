"""Main window: pages by role, service refusals shown as sentences, titles free of patient data, sign-out."""

import pytest

from clinicdesk.domain.roles import Role
from clinicdesk.ui.main_window import MainWindow


def _window(qtbot, app, **kwargs) -> MainWindow:
    window = MainWindow(app, idle_timeout_ms=kwargs.pop("idle_timeout_ms", 0), **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.parametrize(("role", "pages"), [
    (Role.ADMIN, ["patients", "calendar", "online_requests", "failed_messages", "my_day", "therapy_board", "stock",
                  "incidents", "care_tasks", "complaints", "care_rules", "leads", "lead_funnel",
                  "consult", "billing", "dashboards", "sync_review", "staff", "centres", "rooms", "equipment",
                  "patient_portal", "protocols", "recordings", "erasure", "prices", "message_templates",
                  "message_channels"]),
    (Role.DOCTOR, ["patients", "calendar", "my_day", "therapy_board", "stock", "incidents",
                   "care_tasks", "complaints", "care_rules", "leads", "lead_funnel", "consult", "billing",
                   "dashboards", "sync_review"]),
    (Role.THERAPIST, ["patients", "calendar", "my_day", "therapy_board", "stock", "incidents", "care_tasks"]),
    (Role.FRONT_DESK, ["patients", "calendar", "online_requests", "failed_messages", "therapy_board", "care_tasks",
                       "leads", "lead_funnel", "billing",
                       "sync_review"]),
    (Role.CUSTOMER_RELATIONS, ["patients", "calendar", "online_requests", "failed_messages", "care_tasks",
                               "complaints", "leads", "lead_funnel", "billing"]),
])
def test_sidebar_offers_the_pages_of_the_role(qtbot, app_for_role, role, pages):
    window = _window(qtbot, app_for_role(role))
    assert window.nav_keys() == pages
    sidebar_texts = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    if role != Role.ADMIN:
        assert "ADMINISTRATION" not in sidebar_texts and "Staff & roles" not in sidebar_texts


def test_therapist_sees_no_registration_and_a_refusal_is_explained(qtbot, app_for_role, some_patients):
    window = _window(qtbot, app_for_role(Role.THERAPIST))
    search = window.reception.search
    assert search.register_button.isHidden() and search.open_registration() is None
    window.reception.open_patient(some_patients["Jisha Chacko"])
    profile = window.reception.profile
    assert profile.header.edit_button.isHidden() and profile.header.add_allergy.isHidden()
    assert profile.header.show_aadhaar.isHidden()  # may not see the full Aadhaar
    # Even if a control were reachable, the service refuses and the screen says why.
    profile.consents.record()
    assert "therapist may not do this" in profile.consents.banner.text()


def test_front_desk_may_reveal_aadhaar_which_masks_again(qtbot, app_for_role, some_patients):
    window = _window(qtbot, app_for_role(Role.FRONT_DESK))
    window.reception.open_patient(some_patients["Jisha Chacko"])
    header = window.reception.profile.header
    assert header.aadhaar.text() == "XXXX XXXX 0124"
    header.show_aadhaar.click()
    assert header.aadhaar.text() == "2345 6789 0124"
    header.show_aadhaar.click()
    assert header.aadhaar.text() == "XXXX XXXX 0124"
    header.show_aadhaar.click()
    window.lock()  # locking masks it again: it is not waiting revealed behind the lock
    assert header.aadhaar.text() == "XXXX XXXX 0124"


def test_window_title_never_shows_patient_data(qtbot, app_ctx, some_patients):
    window = _window(qtbot, app_ctx)
    assert window.windowTitle() == "ClinicDesk — Kochi"
    window.reception.open_patient(some_patients["Rohit Tiwari"])
    assert window.reception.profile.header.name.text() == "Rohit Tiwari"
    for text in ("Rohit", "रोहित", "KOC-"):
        assert text not in window.windowTitle()


def test_user_and_actions_are_in_the_toolbar_and_sign_out_forgets_the_user(qtbot, app_ctx, some_patients):
    window = _window(qtbot, app_ctx)
    assert window.user_label.text() == "Signed in as Asha Menon (Administrator)"
    window.reception.open_patient(some_patients["Anitha Sharma"])
    with qtbot.waitSignal(window.signed_out):
        window.sign_out_action.trigger()
    assert app_ctx.ctx.user is None
    assert window.reception.profile.profile is None


def test_change_password_dialog_checks_then_changes(qtbot, app_ctx):
    from clinicdesk.services import auth
    from tests.conftest import ADMIN_PASSWORD

    window = _window(qtbot, app_ctx)
    dialog = window.open_change_password()
    dialog.current.setText("not my password at all")
    dialog.new.setText("monsoon over the backwaters")
    dialog.again.setText("monsoon over the backwaters")
    dialog.save()
    assert "Current password is not right" in dialog.banner.text() and dialog.isVisible()
    dialog.current.setText(ADMIN_PASSWORD)
    dialog.again.setText("something else entirely")
    dialog.save()
    assert "does not match" in dialog.banner.text()
    dialog.again.setText("monsoon over the backwaters")
    dialog.save()
    assert not dialog.isVisible()
    assert auth.sign_in(app_ctx.ctx, "admin", "monsoon over the backwaters").username == "admin"


def test_tablet_mode_hides_the_sidebar_and_opens_the_consultation_room(qtbot, app_for_role):
    window = _window(qtbot, app_for_role(Role.DOCTOR))
    window.set_tablet_mode(True)
    assert window.tablet_action.isChecked() and not window.sidebar.isVisible()
    assert window.page_stack.currentWidget() is window.pages["consult"]
    window.set_tablet_mode(False)
    assert window.sidebar.isVisible() and not window.isFullScreen()
