"""Words and colours for message statuses and channels, shared by the message screens."""

from PySide6.QtCore import QCoreApplication

_STATUS = {"scheduled": "Scheduled", "due": "Waiting to send", "sending": "Sending", "sent": "Sent",
           "failed": "Failed", "cancelled": "Cancelled"}
_CHANNEL = {"sms": "SMS", "whatsapp": "WhatsApp", "email": "Email", "": "—"}
LANGUAGES = (("en", "English"), ("hi", "हिन्दी (Hindi)"), ("ml", "മലയാളം (Malayalam)"))


def status_label(status: str) -> str:
    return QCoreApplication.translate("Messages", _STATUS.get(status, status))


def channel_label(channel: str) -> str:
    return QCoreApplication.translate("Messages", _CHANNEL.get(channel, channel))
