"""Message screens: template editor with live preview and refusal, the patient's Messages tab, failed messages,
channel settings, and the sender that the scheduler's bell wakes."""

import os

from clinicdesk.domain.notifications.queue import Outcome
from clinicdesk.domain.roles import Role
from clinicdesk.notify.channel import DeliveryResult
from clinicdesk.services import admin, notification_settings, notifications
from clinicdesk.services.admin_dto import CentreDraft
from clinicdesk.services.notification_sender import send_due
from clinicdesk.store.models_notifications import NotificationTemplateRow
from clinicdesk.ui.notifications.channels_page import ChannelSettingsPage
from clinicdesk.ui.notifications.failed_view import FailedMessagesView
from clinicdesk.ui.notifications.sender import MessageSender, ring_message_sender, schedule_message_sender
from clinicdesk.ui.notifications.templates_page import TemplatesPage
from clinicdesk.ui.reception.profile_view import ProfileView
from tests.notify.servers import Gateway, gateway_server
from tests.services.helpers import count_rows
from tests.services.notification_world import messages, reachable

SHOTS = os.environ.get("N1_SHOTS", "/tmp")


class Scripted:
    """A channel that replies with the outcomes it is given, in order."""

    def __init__(self, *outcomes: Outcome):
        self.outcomes = list(outcomes)

    def send(self, message):
        outcome = self.outcomes.pop(0) if self.outcomes else Outcome.ACCEPTED
        reason = {"permanent": "The gateway refused the message (400): invalid_number"}.get(outcome.value, "")
        return DeliveryResult(outcome, reason or "Accepted by the gateway (200)")


def _templates_page(qtbot, app_ctx) -> TemplatesPage:
    page = TemplatesPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1100, 640)
    page.show()
    return page


def _select(page: TemplatesPage, key: str) -> None:
    page.list.setCurrentRow([item.key for item in page.items].index(key))


def test_template_editor_previews_live_in_the_chosen_language(qtbot, app_ctx):
    page = _templates_page(qtbot, app_ctx)
    _select(page, "preparation_day_before")
    assert "Namaste Asha" in page.preview.text() and "loose cotton" in page.preview.text()
    page.language.set_value("ml")
    assert "നമസ്കാരം Asha" in page.preview.text()
    page.body.setPlainText(page.body.toPlainText() + " {centre_phone} വിളിക്കുക.")
    assert page.preview.text().endswith("0484 240 1234 വിളിക്കുക.")
    page.language.set_value("hi")
    qtbot.waitExposed(page)
    qtbot.wait(100)  # let labels whose text just changed lay out before the grab
    assert page.grab().save(f"{SHOTS}/n1_templates.png")


def test_unknown_placeholder_is_refused_with_the_message_and_nothing_saved(qtbot, app_ctx):
    page = _templates_page(qtbot, app_ctx)
    _select(page, "booking_confirmation")
    page.body.setPlainText("Namaste {patient_name}, your {diagnosis} plan.")
    assert "unknown placeholder {diagnosis}" in page.banner.text()
    assert not page.save_button.isEnabled() and page.preview.text() == ""
    page.save()  # even if it were clicked
    assert "unknown placeholder {diagnosis}" in page.banner.text()
    assert count_rows(app_ctx.ctx, NotificationTemplateRow) == 0
    page.body.setPlainText("Namaste {patient_name}, see you at {time}.")
    assert page.banner.text() == "" and page.save_button.isEnabled()
    page.save()
    assert count_rows(app_ctx.ctx, NotificationTemplateRow) == 1
    assert page.list.currentItem().text().endswith("(edited)")
    page.reset()
    assert count_rows(app_ctx.ctx, NotificationTemplateRow) == 0


def test_a_language_left_empty_falls_back_to_english_in_the_preview(qtbot, app_ctx):
    page = _templates_page(qtbot, app_ctx)
    _select(page, "cancellation")
    page.language.set_value("hi")
    page.subject.setText("")
    page.body.setPlainText("")
    assert page.preview.text().startswith("Namaste Asha") and "English" in page.preview_note.text()


def _patient_with_history(app_ctx, some_patients) -> str:
    ctx = app_ctx.ctx
    admin.save_centre(ctx, CentreDraft("KOC", "Sukham Ayurveda, Kochi", address="12 MG Road, Kochi 682016",
                                       phone="0484 240 1234", state="Kerala"), ctx.user.centre_id)
    patient_id = some_patients["Anitha Sharma"]
    reachable(ctx, patient_id, "sms", quiet=None)
    for template, context in (("admin_announcement", {"announcement": "Closed on Monday for Onam."}),
                              ("diet_alert", {"note": "Rice gruel and warm water until Friday."}),
                              ("payment_reminder", {"amount": "₹1,500", "due_date": "30 Nov"})):
        notifications.queue_message(ctx, patient_id, template, context=context)
    send_due(ctx, channels={"sms": Scripted(Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.PERMANENT)})
    notifications.queue_message(ctx, patient_id, "wellness_offer", context={"announcement": "Monsoon week."})
    ctx.clock.advance(minutes=1)
    return patient_id


def test_messages_tab_shows_the_history_and_retries_a_failed_one(qtbot, app_ctx, some_patients):
    patient_id = _patient_with_history(app_ctx, some_patients)
    view = ProfileView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1150, 620)
    view.show()
    view.show_patient(patient_id)
    view.tabs.setCurrentWidget(view.messages)
    table = view.messages.messages
    rows = table.model.rows()
    assert [r.status for r in rows].count("sent") == 2
    assert {r.template_key: r.status for r in rows}["wellness_offer"] == "cancelled"  # no marketing opt-in
    failed_row = [i for i, r in enumerate(rows) if r.status == "failed"][0]
    table.table.selectRow(failed_row)
    assert table.retry_button.isEnabled() and "invalid_number" in rows[failed_row].last_reason
    assert "Rice gruel" in table.text.toPlainText() or "₹1,500" in table.text.toPlainText()
    qtbot.waitExposed(view)
    qtbot.wait(100)  # let labels whose text just changed lay out before the grab
    assert view.grab().save(f"{SHOTS}/n1_history.png")
    table.retry_selected()
    assert "failed" not in [r.status for r in table.model.rows()]
    assert [m.status for m in messages(app_ctx.ctx) if m.id == rows[failed_row].id] == ["due"]


def test_failed_view_lists_failed_messages_across_patients(qtbot, app_ctx, some_patients):
    _patient_with_history(app_ctx, some_patients)
    view = FailedMessagesView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1100, 420)
    view.show()
    [failed] = view.messages.model.rows()
    assert failed.patient_name == "Anitha Sharma" and failed.status == "failed"
    view.messages.table.selectRow(0)
    qtbot.wait(100)  # let labels whose text just changed lay out before the grab
    assert view.grab().save(f"{SHOTS}/n1_failed.png")
    view.messages.cancel_selected()
    assert view.messages.model.rows() == []


def test_channel_settings_page_saves_and_refuses(qtbot, app_ctx):
    page = ChannelSettingsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    page.gateway_url.setText("sms.example.in/v1")
    page.save_gateway()
    assert "https://" in page.banner.text()
    page.gateway_url.setText("https://sms.example.in/v1")
    page.gateway_key.setText("key-1")
    page.gateway_sms.setChecked(True)
    page.gateway_whatsapp.setChecked(False)
    page.save_gateway()
    saved = notification_settings.get_channel_settings(app_ctx.ctx)
    assert (saved.gateway_url, saved.gateway_channels, saved.gateway_key_saved) == (
        "https://sms.example.in/v1", ("sms",), True)
    assert page.gateway_key.text() == "" and "keyring" in page.gateway_key.placeholderText()


def test_the_bell_wakes_the_sender_which_sends_through_the_saved_gateway(qtbot, app_ctx, some_patients):
    patient_id = some_patients["Jisha Chacko"]
    reachable(app_ctx.ctx, patient_id, quiet=None)
    notifications.queue_message(app_ctx.ctx, patient_id, "admin_announcement", context={"announcement": "Hi."})
    gateway = Gateway()
    with gateway_server(gateway) as url:
        notification_settings.save_gateway_settings(app_ctx.ctx, url=url)
        sender = MessageSender(app_ctx, synchronous=True)
        sender.start()
        try:
            with qtbot.waitSignal(app_ctx.runner.changes_did_apply, timeout=5000):
                ring_message_sender("test")
        finally:
            sender.shutdown()
    assert len(gateway.requests) == 1 and gateway.requests[0][1]["to"] == "+919447001122"
    assert [m.status for m in messages(app_ctx.ctx)] == ["sent"]


def test_the_sender_job_persists_on_the_encrypted_job_store(app_ctx):
    from clinicdesk.ui.notifications.sender import JOB_ID
    from clinicdesk.ui.sync.nightly import make_scheduler

    first = make_scheduler(app_ctx.ctx.db)
    first.start(paused=True)  # paused: stored, never run by this test
    schedule_message_sender(first)
    first.shutdown(wait=False)
    again = make_scheduler(app_ctx.ctx.db)
    again.start(paused=True)
    try:
        job = again.get_job(JOB_ID)
        assert job.func_ref == "clinicdesk.ui.notifications.sender:ring_message_sender"
        assert job.trigger.interval.total_seconds() == 60
    finally:
        again.shutdown(wait=False)


def test_therapists_do_not_get_the_admin_or_desk_message_pages(qtbot, app_for_role):
    from clinicdesk.ui.main_window import MainWindow

    window = MainWindow(app_for_role(Role.THERAPIST), idle_timeout_ms=0)
    qtbot.addWidget(window)
    assert not {"message_templates", "message_channels", "failed_messages"} & set(window.nav_keys())


def test_a_colleagues_alert_shows_in_the_status_bar_and_can_be_read(qtbot, app_for_role, some_patients):
    from clinicdesk.ui.main_window import MainWindow

    doctor, nurse = app_for_role(Role.DOCTOR), app_for_role(Role.NURSE)
    window = MainWindow(doctor, idle_timeout_ms=0)
    qtbot.addWidget(window)
    window.show()
    assert window.alerts.button.isHidden()
    nurse.runner.run(notifications.alert_staff, nurse.ctx, doctor.ctx.user.staff_id,
                     "Nausea 7/10 after Virechana: call within 24 h", patient_id=some_patients["Anitha Sharma"])
    window.alerts.timer.timeout.emit()  # the minute's refresh
    assert window.alerts.button.isVisible() and window.alerts.button.text() == "1 new alert(s)"
    dialog = window.alerts.open_alerts()
    [alert] = dialog.model.rows()
    assert alert.patient_name == "Anitha Sharma" and alert.read_at is None
    dialog.table.selectRow(0)
    dialog.mark_selected_read()
    dialog.accept()
    assert window.alerts.button.isHidden()
