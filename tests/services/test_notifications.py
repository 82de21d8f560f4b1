"""Queueing a message and alerting staff (the functions other features call), templates, channel settings."""

from datetime import UTC, datetime

import keyring
import pytest

from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.notifications.templates import SAMPLE_VALUES, TemplateText, UnknownPlaceholder, render
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, notification_settings, notification_templates, notifications
from clinicdesk.services.admin_dto import CentreDraft
from clinicdesk.services.notification_templates import starter_set
from clinicdesk.store.models_notifications import NotificationTemplateRow
from tests.services.helpers import count_rows
from tests.services.notification_world import messages, reachable

NIGHT_IN_KOCHI = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 21:30 in Kochi, 16:00 in London


def _announce(ctx, patient_id, **kwargs) -> str:
    return notifications.queue_message(ctx, patient_id, "admin_announcement",
                                       context={"announcement": "Closed on Monday."}, **kwargs)


def test_quiet_hours_follow_the_centres_time_zone(world):
    reachable(world.boss, world.patients["asha"])
    world.boss.clock.now = NIGHT_IN_KOCHI
    kochi_id = _announce(world.ctx(Role.FRONT_DESK), world.patients["asha"])
    london, _ = admin.save_centre(world.boss, CentreDraft("LON", "London", timezone="Europe/London"))
    with world.boss.unit_of_work() as session:
        london_id = notifications.queue_message_in(world.boss, session, world.patients["asha"],
                                                   "admin_announcement", context={"announcement": "Hi."},
                                                   centre_id=london)
    by_id = {m.id: m for m in messages(world.boss)}
    assert by_id[kochi_id].send_at == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # 08:00 in Kochi
    assert by_id[kochi_id].status == "scheduled"
    assert by_id[london_id].send_at == NIGHT_IN_KOCHI  # 16:00 in London is not quiet there
    assert by_id[london_id].status == "due"


def test_emergency_goes_now_even_in_quiet_hours_and_do_not_disturb(world):
    reachable(world.boss, world.patients["asha"], do_not_disturb=True)
    world.boss.clock.now = NIGHT_IN_KOCHI
    desk = world.ctx(Role.FRONT_DESK)
    skipped, urgent = _announce(desk, world.patients["asha"]), _announce(desk, world.patients["asha"], emergency=True)
    by_id = {m.id: m for m in messages(world.boss)}
    assert (by_id[skipped].status, by_id[skipped].last_reason) == ("cancelled", "Not sent: do not disturb")
    assert (by_id[urgent].status, by_id[urgent].send_at) == ("due", NIGHT_IN_KOCHI)


def test_marketing_needs_the_opt_in(world):
    desk = world.ctx(Role.FRONT_DESK)
    reachable(world.boss, world.patients["asha"], quiet=None)
    reachable(world.boss, world.patients["ravi"], quiet=None, marketing_opt_in=True)
    offer = {"announcement": "Monsoon Panchakarma week."}
    no = notifications.queue_message(desk, world.patients["asha"], "wellness_offer", context=offer)
    yes = notifications.queue_message(desk, world.patients["ravi"], "wellness_offer", context=offer)
    by_id = {m.id: m for m in messages(world.boss)}
    assert by_id[no].status == "cancelled" and "marketing" in by_id[no].last_reason
    assert by_id[yes].status == "due"


def test_channel_hint_is_used_when_allowed(world):
    reachable(world.boss, world.patients["asha"], "sms", "whatsapp", quiet=None)
    message_id = _announce(world.ctx(Role.NURSE), world.patients["asha"], channel_hint="whatsapp")
    assert {m.id: m.channel for m in messages(world.boss)}[message_id] == "whatsapp"


def test_unknown_context_or_template_is_refused_and_nothing_queued(world):
    desk = world.ctx(Role.FRONT_DESK)
    with pytest.raises(ValidationError, match="diagnosis"):
        notifications.queue_message(desk, world.patients["asha"], "diet_alert", context={"diagnosis": "IBS"})
    with pytest.raises(NotFound, match="no message template called 'nope'"):
        notifications.queue_message(desk, world.patients["asha"], "nope", context={})
    assert messages(world.boss) == []


def test_alert_staff_shows_in_their_list_only(world):
    nurse = world.ctx(Role.NURSE)
    doctor = world.ctx(Role.DOCTOR)
    alert_id = notifications.alert_staff(nurse, doctor.user.staff_id, "  Call  Asha within 24 h  ",
                                         patient_id=world.patients["asha"])
    [alert] = notifications.list_my_alerts(doctor, unread_only=True)
    assert (alert.id, alert.text, alert.patient_name) == (alert_id, "Call Asha within 24 h", "Asha Menon")
    assert notifications.list_my_alerts(nurse) == []
    notifications.mark_alert_read(doctor, alert_id)
    assert notifications.list_my_alerts(doctor, unread_only=True) == []
    with pytest.raises(ValidationError, match="empty"):
        notifications.alert_staff(nurse, doctor.user.staff_id, "   ")


def test_template_with_an_unknown_placeholder_is_refused_and_nothing_saved(world):
    template = starter_set()["booking_confirmation"]
    texts = dict(template.texts) | {"en": TemplateText("Booked", "Dear {patient_name}, about your {diagnosis}.")}
    bad = type(template)(template.key, template.name, template.category, texts)
    with pytest.raises(UnknownPlaceholder, match=r"unknown placeholder \{diagnosis\}"):
        notification_templates.save_template(world.boss, bad)
    assert count_rows(world.boss, NotificationTemplateRow) == 0


def test_an_edited_template_is_used_for_new_messages_and_can_be_reset(world):
    reachable(world.boss, world.patients["asha"], quiet=None)
    template = starter_set()["admin_announcement"]
    texts = dict(template.texts) | {"en": TemplateText("News", "Hello {patient_name}: {announcement}")}
    notification_templates.save_template(world.boss, type(template)(template.key, "Notice", "announcement", texts))
    first = _announce(world.ctx(Role.FRONT_DESK), world.patients["asha"])
    [item] = [t for t in notification_templates.list_templates(world.boss) if t.key == "admin_announcement"]
    assert (item.name, item.edited) == ("Notice", True)
    notification_templates.reset_template(world.boss, "admin_announcement")
    second = _announce(world.ctx(Role.FRONT_DESK), world.patients["asha"])
    bodies = {m.id: m.body for m in messages(world.boss)}
    assert bodies[first] == "Hello Asha: Closed on Monday."
    assert bodies[second].startswith("Namaste Asha, Closed on Monday.")


def test_only_admins_manage_templates_and_channels(world):
    template = starter_set()["cancellation"]
    for role in (Role.FRONT_DESK, Role.DOCTOR, Role.THERAPIST):
        with pytest.raises(PermissionDenied):
            notification_templates.save_template(world.ctx(role), template)
        with pytest.raises(PermissionDenied):
            notification_settings.save_gateway_settings(world.ctx(role), url="https://sms.example.in")


def test_channel_secrets_go_to_the_keyring_not_the_database(world):
    notification_settings.save_smtp_settings(world.boss, host="smtp.example.in", port=465, security="ssl",
                                              username="reminders@sukham.in", sender="", password="s3cret-pw")
    notification_settings.save_gateway_settings(world.boss, url="https://sms.example.in/v1", api_key="key-42")
    saved = notification_settings.get_channel_settings(world.boss)
    assert (saved.smtp_host, saved.smtp_port, saved.smtp_password_saved, saved.gateway_key_saved) == (
        "smtp.example.in", 465, True, True)
    database_id = world.boss.db.config.database_id
    assert keyring.get_password("ClinicDesk messages", f"{database_id}/smtp") == "s3cret-pw"
    assert b"s3cret-pw" not in world.boss.db.path.read_bytes()
    notification_settings.save_smtp_settings(world.boss, host="smtp.example.in", port=465, security="ssl",
                                              username="reminders@sukham.in", sender="")  # password kept
    assert notification_settings.get_channel_settings(world.boss).smtp_password_saved
    with pytest.raises(ValidationError, match="between 1 and 65535"):
        notification_settings.save_smtp_settings(world.boss, host="smtp.example.in", port=0, security="ssl",
                                                  username="a@b.in", sender="")
    with pytest.raises(ValidationError, match="https://"):
        notification_settings.save_gateway_settings(world.boss, url="sms.example.in")


def test_preview_uses_a_sample_patient_in_the_chosen_language():
    rendered = notification_templates.preview(starter_set()["preparation_two_hours"], "hi")
    assert rendered.language == "hi" and "Asha" in rendered.body and "Abhyanga" in rendered.body


def test_quiet_hours_unset_means_any_time(world):
    reachable(world.boss, world.patients["asha"], quiet=None)
    world.boss.clock.now = NIGHT_IN_KOCHI
    message_id = _announce(world.ctx(Role.FRONT_DESK), world.patients["asha"])
    assert {m.id: m.status for m in messages(world.boss)}[message_id] == "due"


def test_starter_set_is_complete_in_three_languages_and_carries_no_clinical_placeholder():
    templates = starter_set()
    wanted = {"booking_confirmation", "preparation_day_before", "preparation_two_hours", "recovery_one_hour",
              "recovery_twelve_hours", "recovery_next_day", "check_in_next_day", "payment_reminder", "cancellation",
              "time_changed", "admin_announcement"}
    assert wanted <= set(templates)
    for template in templates.values():
        assert set(template.texts) == {"en", "hi", "ml"}, template.key
        for language in ("en", "hi", "ml"):
            rendered = render(template, language, SAMPLE_VALUES)
            assert rendered.language == language
            assert "{" not in rendered.body and "diagnos" not in rendered.body.lower()
    prep = render(templates["preparation_day_before"], "en", SAMPLE_VALUES).body
    assert all(word in prep for word in ("light", "warm water", "medicines", "loose cotton"))
    assert "0" in render(templates["check_in_next_day"], "ml", SAMPLE_VALUES).body
    assert "नमस्ते" in render(templates["booking_confirmation"], "hi", SAMPLE_VALUES).body
    assert "നമസ്കാരം" in render(templates["booking_confirmation"], "ml", SAMPLE_VALUES).body
