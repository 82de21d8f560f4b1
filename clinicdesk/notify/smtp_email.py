"""Email over SMTP (smtplib) with STARTTLS or implicit TLS, classifying each failure for the retry rules.

SMTP has no idempotency key. The only window where a mail can arrive twice or be lost unknowingly is between
sending the final "." of DATA and reading the server's reply: if the connection breaks there, the server may or
may not have queued the mail. That try is reported UNCERTAIN and never retried automatically; the desk decides.
Everything before DATA (connect, TLS, login, MAIL, RCPT) is safe to retry.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from clinicdesk.domain.notifications.queue import Outcome
from clinicdesk.notify.channel import DeliveryResult, OutgoingMessage

SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls (587), ssl (465), none (a relay on the local network only)
    username: str = ""
    password: str = ""
    sender: str = ""  # the From address, e.g. "Sukham Ayurveda <reminders@sukham.in>"
    timeout_seconds: float = 20.0
    verify_certificate: bool = True


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _reply(error: smtplib.SMTPResponseException, step: str) -> DeliveryResult:
    outcome = Outcome.TEMPORARY if 400 <= error.smtp_code < 500 else Outcome.PERMANENT
    return DeliveryResult(outcome, f"The mail server refused {step} ({error.smtp_code})")


class SmtpChannel:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=_tls_context(s))
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        if s.security == "starttls":
            client.starttls(context=_tls_context(s))
        return client

    def _mail(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender or self.settings.username
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        domain = (self.settings.sender.rpartition("@")[2].strip(">") or "clinicdesk.local")
        mail["Message-ID"] = f"<{message.idempotency_key}@{domain}>"  # lets a receiving system spot a duplicate
        mail.set_content(message.body)
        mail["Content-Language"] = message.language  # after set_content, which drops Content-* headers
        return mail

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        mail = self._mail(message)
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            return DeliveryResult(Outcome.OFFLINE, f"The mail server could not be reached ({type(error).__name__})")
        try:
            try:
                if self.settings.username:
                    client.login(self.settings.username, self.settings.password)
            except smtplib.SMTPAuthenticationError as error:
                return DeliveryResult(Outcome.PERMANENT, f"The mail server refused the user name or password "
                                                         f"({error.smtp_code}); check Admin > Message channels")
            except smtplib.SMTPNotSupportedError:
                return DeliveryResult(Outcome.PERMANENT, "The mail server does not offer login on this connection; "
                                                         "check the security setting")
            return self._hand_over(client, mail, message)
        except smtplib.SMTPResponseException as error:
            return _reply(error, "the connection")
        except (OSError, smtplib.SMTPException) as error:
            return DeliveryResult(Outcome.OFFLINE, f"The connection to the mail server broke ({type(error).__name__})")
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def _hand_over(self, client: smtplib.SMTP, mail: EmailMessage, message: OutgoingMessage) -> DeliveryResult:
        sender = self.settings.sender or self.settings.username
        client.ehlo_or_helo_if_needed()
        code, _ = client.mail(_address(sender))
        if code != 250:
            return DeliveryResult(Outcome.TEMPORARY if code < 500 else Outcome.PERMANENT,
                                  f"The mail server refused the sender ({code})")
        code, _ = client.rcpt(message.to)
        if code not in (250, 251):
            return DeliveryResult(Outcome.TEMPORARY if code < 500 else Outcome.PERMANENT,
                                  f"The mail server refused the recipient address ({code})")
        try:
            code, _ = client.data(mail.as_bytes())
        except smtplib.SMTPDataError as error:
            return _reply(error, "the message")
        except OSError as error:  # timeouts and disconnects included
            return DeliveryResult(Outcome.UNCERTAIN, f"The connection broke while the mail was being handed over "
                                                     f"({type(error).__name__}); it may have arrived: check with "
                                                     "the patient before retrying")
        return DeliveryResult(Outcome.ACCEPTED, "Accepted by the mail server")


def _address(sender: str) -> str:
    if "<" in sender:
        return sender.partition("<")[2].partition(">")[0]
    return sender
