"""The sender against a real local SMTP server and a stand-in SMS gateway: retries, refusals, network down, crash."""

from datetime import timedelta

from clinicdesk.domain.roles import Role
from clinicdesk.notify.http_gateway import GatewaySettings, HttpJsonGateway
from clinicdesk.notify.smtp_email import SmtpChannel, SmtpSettings
from clinicdesk.services import notification_settings, notifications
from clinicdesk.services.notification_sender import send_due
from clinicdesk.store.models_notifications import NotificationMessageRow
from tests.notify.servers import Gateway, free_port, gateway_server, smtp_server
from tests.services.notification_world import attempts, messages, reachable, set_email


def _queue(world, patient="asha", template="admin_announcement", **kwargs) -> str:
    return notifications.queue_message(world.ctx(Role.FRONT_DESK), world.patients[patient], template,
                                       context={"announcement": "We open at 7 on Monday."}, **kwargs)


def _message(world, message_id) -> NotificationMessageRow:
    [row] = [m for m in messages(world.boss) if m.id == message_id]
    return row


def test_email_reaches_a_real_smtp_server_in_the_patients_language(world):
    reachable(world.boss, world.patients["asha"], "email", language="ml")
    set_email(world.boss, world.patients["asha"], "asha@example.in")
    message_id = _queue(world)
    with smtp_server() as (port, box):
        notification_settings.save_smtp_settings(world.boss, host="127.0.0.1", port=port, security="none",
                                                  username="", sender="Sukham <reminders@sukham.in>", password="")
        report = send_due(world.boss)
    assert report.sent == 1
    [mail] = box.messages
    assert mail["To"] == "asha@example.in"
    assert mail["Subject"] == "Kochi: അറിയിപ്പ്"
    assert mail["Content-Language"] == "ml"
    assert "നമസ്കാരം Asha, We open at 7 on Monday." in mail.get_content()
    row = _message(world, message_id)
    assert (row.status, row.sent_at) == ("sent", world.boss.now())
    assert [a.outcome for a in attempts(world.boss, message_id)] == ["accepted"]


def test_gateway_500_then_200_is_retried_with_the_same_key_and_sent_once(world):
    reachable(world.boss, world.patients["asha"])
    message_id = _queue(world)
    gateway = Gateway(script=[500])
    with gateway_server(gateway) as url:
        channels = {"sms": HttpJsonGateway(GatewaySettings(url))}
        first = send_due(world.boss, channels=channels)
        row = _message(world, message_id)
        assert (first.retrying, row.status, row.counted_attempts) == (1, "due", 1)
        assert row.next_attempt_at == world.boss.now() + timedelta(minutes=1)
        assert send_due(world.boss, channels=channels).sent == 0  # not before its back-off ends
        world.boss.clock.advance(minutes=1)
        assert send_due(world.boss, channels=channels).sent == 1
    keys = [headers["Idempotency-Key"] for headers, _ in gateway.requests]
    assert len(keys) == 2 and len(set(keys)) == 1
    assert gateway.requests[0][1]["to"] == "+919847012345"
    assert list(gateway.delivered) == keys[:1]
    assert [a.outcome for a in attempts(world.boss, message_id)] == ["temporary", "accepted"]


def test_gateway_400_is_not_retried_and_the_desk_sees_it(world):
    reachable(world.boss, world.patients["asha"])
    message_id = _queue(world)
    gateway = Gateway(script=[400])
    with gateway_server(gateway) as url:
        channels = {"sms": HttpJsonGateway(GatewaySettings(url))}
        assert send_due(world.boss, channels=channels).failed == 1
        world.boss.clock.advance(hours=3)
        send_due(world.boss, channels=channels)
    assert len(gateway.requests) == 1
    desk = world.ctx(Role.FRONT_DESK)
    [failed] = notifications.list_failed_messages(desk)
    assert (failed.id, failed.status, failed.can_retry) == (message_id, "failed", True)
    assert failed.last_reason == "The gateway refused the message (400): invalid_number"
    [mine] = notifications.list_patient_messages(desk, world.patients["asha"])
    assert mine.attempts == 1
    notifications.retry_message(desk, message_id)  # the desk fixed the number: try again
    with gateway_server(gateway) as url:
        assert send_due(world.boss, channels={"sms": HttpJsonGateway(GatewaySettings(url))}).sent == 1
    assert notifications.list_failed_messages(desk) == []


def test_network_down_then_up_delivers_each_message_exactly_once(world):
    for name in ("asha", "ravi", "lata"):
        reachable(world.boss, world.patients[name])
    ids = [_queue(world, name) for name in ("asha", "ravi", "lata")]
    port = free_port()
    channels = {"sms": HttpJsonGateway(GatewaySettings(f"http://127.0.0.1:{port}/v1/messages",
                                                       timeout_seconds=2))}
    for _ in range(3):  # offline for three minutes
        report = send_due(world.boss, channels=channels)
        assert report.sent == 0
        world.boss.clock.advance(minutes=1)
    assert {_message(world, i).status for i in ids} == {"due"}
    assert {_message(world, i).counted_attempts for i in ids} == {0}  # offline tries do not use up retries
    gateway = Gateway()
    with gateway_server(gateway, port=port):
        assert send_due(world.boss, channels=channels).sent == 3
        world.boss.clock.advance(minutes=5)
        assert send_due(world.boss, channels=channels).sent == 0
    assert len(gateway.requests) == 3
    assert sorted(body["idempotency_key"] for body in gateway.delivered.values()) == sorted(
        f"clinicdesk-{i}" for i in ids)
    assert {_message(world, i).status for i in ids} == {"sent"}


def test_a_crash_mid_send_resends_a_gateway_message_under_its_key_but_not_an_email(world):
    reachable(world.boss, world.patients["asha"])
    reachable(world.boss, world.patients["ravi"], "email")
    set_email(world.boss, world.patients["ravi"], "ravi@example.in")
    sms_id, mail_id = _queue(world, "asha"), _queue(world, "ravi")
    with world.boss.unit_of_work() as session:  # as the sender leaves them when the desk dies mid-send
        for message_id in (sms_id, mail_id):
            session.get(NotificationMessageRow, message_id).status = "sending"
    world.boss.clock.advance(minutes=10)
    gateway = Gateway()
    with gateway_server(gateway) as url, smtp_server() as (port, box):
        channels = {"sms": HttpJsonGateway(GatewaySettings(url)),
                    "email": SmtpChannel(SmtpSettings("127.0.0.1", port, security="none", sender="r@sukham.in"))}
        report = send_due(world.boss, channels=channels)
    assert report.sent == 1
    assert gateway.requests[0][0]["Idempotency-Key"] == f"clinicdesk-{sms_id}"
    assert not box.messages
    mail = _message(world, mail_id)
    assert mail.status == "failed" and "may have arrived" in mail.last_reason
    assert [a.outcome for a in attempts(world.boss, sms_id)] == ["interrupted", "accepted"]


def test_messages_wait_while_their_channel_is_not_set_up(world):
    reachable(world.boss, world.patients["asha"])
    message_id = _queue(world)
    report = send_due(world.boss)  # no gateway saved
    assert (report.sent, report.waiting_for_settings) == (0, 1)
    assert _message(world, message_id).status == "due"
    assert attempts(world.boss, message_id) == []


def test_a_pre_visit_reminder_too_late_is_withdrawn_not_sent(world):
    from tests.services.scheduling_world import FRIDAY

    reachable(world.boss, world.patients["asha"])
    appointment_id = world.book("asha", day=FRIDAY, at="11:00")
    world.boss.clock.advance(days=1, hours=3)  # Friday 13:00 in Kochi: the visit is over
    send_due(world.boss, channels={})
    by_key = {m.template_key: m for m in messages(world.boss, appointment_id=appointment_id)}
    assert by_key["preparation_two_hours"].status == "cancelled"
    assert by_key["preparation_two_hours"].last_reason.startswith("Too late")
    assert by_key["recovery_one_hour"].status == "due"


def test_mail_server_down_then_up_delivers_each_email_once(world):
    reachable(world.boss, world.patients["asha"], "email")
    set_email(world.boss, world.patients["asha"], "asha@example.in")
    message_id = _queue(world)
    port = free_port()
    notification_settings.save_smtp_settings(world.boss, host="127.0.0.1", port=port, security="none", username="",
                                              sender="reminders@sukham.in")
    assert send_due(world.boss).sent == 0  # nobody listening on the port
    assert (_message(world, message_id).status, _message(world, message_id).counted_attempts) == ("due", 0)
    world.boss.clock.advance(minutes=1)
    with smtp_server(port) as (_, box):
        assert send_due(world.boss).sent == 1
        world.boss.clock.advance(minutes=1)
        assert send_due(world.boss).sent == 0
    assert len(box.messages) == 1
    assert [a.outcome for a in attempts(world.boss, message_id)] == ["offline", "accepted"]
