"""The channels against real local servers: SMTP mail received, the gateway's JSON and idempotency key, outcomes."""

from clinicdesk.domain.notifications.queue import Outcome
from clinicdesk.notify.channel import OutgoingMessage
from clinicdesk.notify.http_gateway import GatewaySettings, HttpJsonGateway, e164
from clinicdesk.notify.smtp_email import SmtpChannel, SmtpSettings
from tests.notify.servers import Gateway, free_port, gateway_server, smtp_server

MAIL = OutgoingMessage("clinicdesk-0001", "email", "asha@example.in", "आपकी बुकिंग", "नमस्ते Asha, अभ्यंग 10:30 पर।",
                       "hi")
SMS = OutgoingMessage("clinicdesk-0002", "sms", "98470 12345", "", "Namaste Asha, see you at 10:30.", "en")


def test_smtp_mail_arrives_with_subject_body_and_language():
    with smtp_server() as (port, box):
        result = SmtpChannel(SmtpSettings("127.0.0.1", port, security="none",
                                          sender="Sukham <reminders@sukham.in>")).send(MAIL)
    assert result.outcome is Outcome.ACCEPTED
    [mail] = box.messages
    assert mail["Subject"] == "आपकी बुकिंग"
    assert mail["To"] == "asha@example.in"
    assert mail["Content-Language"] == "hi"
    assert mail["Message-ID"] == "<clinicdesk-0001@sukham.in>"
    assert mail.get_content().strip() == "नमस्ते Asha, अभ्यंग 10:30 पर।"


def test_smtp_server_down_is_offline_not_failed():
    result = SmtpChannel(SmtpSettings("127.0.0.1", free_port(), security="none", sender="r@sukham.in",
                                      timeout_seconds=2)).send(MAIL)
    assert result.outcome is Outcome.OFFLINE
    assert "asha" not in result.reason


def test_starttls_refused_by_a_plain_server_is_reported_not_raised():
    with smtp_server() as (port, box):
        result = SmtpChannel(SmtpSettings("127.0.0.1", port, security="starttls", sender="r@sukham.in")).send(MAIL)
    assert result.outcome in (Outcome.OFFLINE, Outcome.PERMANENT, Outcome.TEMPORARY)
    assert not box.messages


def test_gateway_gets_json_with_the_idempotency_key():
    gateway = Gateway()
    with gateway_server(gateway) as url:
        result = HttpJsonGateway(GatewaySettings(url, api_key="k-123", sender_id="SUKHAM")).send(SMS)
    assert (result.outcome, result.provider_id) == (Outcome.ACCEPTED, "gw-1")
    [(headers, body)] = gateway.requests
    assert body == {"channel": "sms", "to": "+919847012345", "text": "Namaste Asha, see you at 10:30.",
                    "language": "en", "sender": "SUKHAM", "idempotency_key": "clinicdesk-0002"}
    assert headers["Idempotency-Key"] == "clinicdesk-0002"
    assert headers["Authorization"] == "Bearer k-123"


def test_gateway_replies_are_classified():
    gateway = Gateway(script=[500, 429, 400])
    with gateway_server(gateway) as url:
        channel = HttpJsonGateway(GatewaySettings(url))
        outcomes = [channel.send(SMS) for _ in range(4)]
    assert [o.outcome for o in outcomes] == [Outcome.TEMPORARY, Outcome.TEMPORARY, Outcome.PERMANENT,
                                             Outcome.ACCEPTED]
    assert outcomes[2].reason == "The gateway refused the message (400): invalid_number"


def test_gateway_down_is_offline():
    result = HttpJsonGateway(GatewaySettings(f"http://127.0.0.1:{free_port()}/v1", timeout_seconds=2)).send(SMS)
    assert result.outcome is Outcome.OFFLINE


def test_phone_numbers_become_e164():
    assert e164("98470 12345") == "+919847012345"
    assert e164("098470-12345") == "+919847012345"
    assert e164("+44 20 7946 0958") == "+442079460958"
