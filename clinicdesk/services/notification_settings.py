"""Channel settings an admin keeps in the app: SMTP server and SMS/WhatsApp gateway in the database, secrets in
the OS keyring (never in the database file or a backup)."""

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.notify.channel import Channel
from clinicdesk.notify.http_gateway import GatewaySettings, HttpJsonGateway
from clinicdesk.notify.smtp_email import SECURITY_MODES, SmtpChannel, SmtpSettings
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import SettingRow

SMTP_KEY, GATEWAY_KEY = "notify.smtp", "notify.gateway"
KEYRING_SERVICE = "ClinicDesk messages"
GATEWAY_CHANNELS = ("sms", "whatsapp")


@dataclass(frozen=True)
class ChannelSettings:
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_sender: str = ""
    smtp_password_saved: bool = False
    gateway_url: str = ""
    gateway_sender_id: str = ""
    gateway_channels: tuple[str, ...] = GATEWAY_CHANNELS
    gateway_key_saved: bool = False


def _secret_name(ctx: ServiceContext, which: str) -> str:
    return f"{ctx.db.config.database_id}/{which}"


def _get_secret(ctx: ServiceContext, which: str) -> str:
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, _secret_name(ctx, which)) or ""
    except keyring.errors.KeyringError:
        return ""


def _set_secret(ctx: ServiceContext, which: str, value: str) -> None:
    import keyring
    import keyring.errors

    try:
        if value:
            keyring.set_password(KEYRING_SERVICE, _secret_name(ctx, which), value)
        elif keyring.get_password(KEYRING_SERVICE, _secret_name(ctx, which)):
            keyring.delete_password(KEYRING_SERVICE, _secret_name(ctx, which))
    except keyring.errors.KeyringError:
        raise ClinicError("This computer has no usable keyring, so the password cannot be stored safely. Unlock "
                          "the keyring (or sign in to the desktop) and save again.") from None


def _load(session: Session, key: str) -> dict:
    row = session.get(SettingRow, key)
    try:
        return json.loads(row.value) if row else {}
    except json.JSONDecodeError:
        return {}


def _store(session: Session, key: str, value: dict) -> None:
    row = session.get(SettingRow, key) or SettingRow(key=key)
    row.value = json.dumps(value)
    session.add(row)


def read_settings(ctx: ServiceContext, session: Session) -> ChannelSettings:
    smtp, gateway = _load(session, SMTP_KEY), _load(session, GATEWAY_KEY)
    return ChannelSettings(
        smtp_host=smtp.get("host", ""), smtp_port=int(smtp.get("port", 587)),
        smtp_security=smtp.get("security", "starttls"), smtp_username=smtp.get("username", ""),
        smtp_sender=smtp.get("sender", ""), smtp_password_saved=bool(_get_secret(ctx, "smtp")),
        gateway_url=gateway.get("url", ""), gateway_sender_id=gateway.get("sender_id", ""),
        gateway_channels=tuple(gateway.get("channels", GATEWAY_CHANNELS)),
        gateway_key_saved=bool(_get_secret(ctx, "gateway")))


def get_channel_settings(ctx: ServiceContext) -> ChannelSettings:
    ctx.authorise(Action.MESSAGE_MANAGE, entity="setting")
    with ctx.unit_of_work() as session:
        return read_settings(ctx, session)


def save_smtp_settings(ctx: ServiceContext, *, host: str, port: int, security: str, username: str, sender: str,
                       password: str | None = None) -> Changes:
    """`password` None keeps the saved one; "" removes it."""
    ctx.authorise(Action.MESSAGE_MANAGE, entity="setting", entity_id=SMTP_KEY)
    host, username, sender = host.strip(), username.strip(), sender.strip()
    problems = {}
    if host and " " in host:
        problems["smtp_host"] = "has a space in it; write a name such as smtp.gmail.com"
    if not 0 < port < 65536:
        problems["smtp_port"] = "must be between 1 and 65535 (587 for STARTTLS, 465 for SSL)"
    if security not in SECURITY_MODES:
        problems["smtp_security"] = f"must be one of: {', '.join(SECURITY_MODES)}"
    if host and "@" not in (sender or username):
        problems["smtp_sender"] = "needs an email address, e.g. reminders@yourclinic.in"
    if problems:
        raise ValidationError(problems, {"smtp_host": "Mail server", "smtp_port": "Port",
                                         "smtp_security": "Security", "smtp_sender": "From address"})
    if password is not None:
        _set_secret(ctx, "smtp", password)
    with ctx.unit_of_work() as session:
        _store(session, SMTP_KEY, {"host": host, "port": port, "security": security, "username": username,
                                   "sender": sender})
        ctx.audit(session, "setting.smtp", entity="setting", entity_id=SMTP_KEY)
    return Changes(settings=True, messages=True)


def save_gateway_settings(ctx: ServiceContext, *, url: str, sender_id: str = "",
                          channels: tuple[str, ...] = GATEWAY_CHANNELS, api_key: str | None = None) -> Changes:
    """`api_key` None keeps the saved one; "" removes it."""
    ctx.authorise(Action.MESSAGE_MANAGE, entity="setting", entity_id=GATEWAY_KEY)
    url = url.strip()
    problems = {}
    if url and not url.startswith(("https://", "http://")):
        problems["gateway_url"] = "must start with https:// (http:// only for a gateway on this computer)"
    if any(c not in GATEWAY_CHANNELS for c in channels):
        problems["gateway_channels"] = f"must be among: {', '.join(GATEWAY_CHANNELS)}"
    if problems:
        raise ValidationError(problems, {"gateway_url": "Gateway address", "gateway_channels": "Channels"})
    if api_key is not None:
        _set_secret(ctx, "gateway", api_key)
    with ctx.unit_of_work() as session:
        _store(session, GATEWAY_KEY, {"url": url, "sender_id": sender_id.strip(), "channels": list(channels)})
        ctx.audit(session, "setting.gateway", entity="setting", entity_id=GATEWAY_KEY)
    return Changes(settings=True, messages=True)


def configured_channels(ctx: ServiceContext, session: Session) -> dict[str, Channel]:
    """The channels that can carry messages now; a channel with no settings is simply absent."""
    settings = read_settings(ctx, session)
    channels: dict[str, Channel] = {}
    if settings.smtp_host:
        channels["email"] = SmtpChannel(SmtpSettings(
            host=settings.smtp_host, port=settings.smtp_port, security=settings.smtp_security,
            username=settings.smtp_username, password=_get_secret(ctx, "smtp"), sender=settings.smtp_sender))
    if settings.gateway_url:
        gateway = HttpJsonGateway(GatewaySettings(settings.gateway_url, _get_secret(ctx, "gateway"),
                                                  settings.gateway_sender_id))
        for channel in settings.gateway_channels:
            channels[channel] = gateway
    return channels
