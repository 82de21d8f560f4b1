"""SMS and WhatsApp through an HTTP JSON gateway (see docs/notifications.md for the request and the replies).

The gateway must honour the `Idempotency-Key` header (also sent in the body): every try of one message carries the
same key, so a try whose reply was lost can be repeated without the patient getting two messages.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinicdesk.domain.notifications.queue import Outcome
from clinicdesk.notify.channel import DeliveryResult, OutgoingMessage

if TYPE_CHECKING:
    import httpx

_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class GatewaySettings:
    url: str  # e.g. https://sms.example.in/v1/messages
    api_key: str = ""
    sender_id: str = ""  # the registered DLT sender id or WhatsApp business number
    timeout_seconds: float = 15.0


def e164(phone: str, country_code: str = "91") -> str:
    """'98470 12345' -> '+919847012345'; a number with its own country code keeps it."""
    digits = _DIGITS.sub("", phone)
    if phone.strip().startswith("+"):
        return "+" + digits
    if len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return f"+{country_code}{digits}" if len(digits) == 10 else "+" + digits


def request_body(message: OutgoingMessage, sender_id: str) -> dict:
    return {"channel": message.channel, "to": e164(message.to), "text": message.body, "language": message.language,
            "sender": sender_id, "idempotency_key": message.idempotency_key}


class HttpJsonGateway:
    """POST one JSON object per message; 2xx accepted, 408/429/5xx retried, other 4xx refused for good."""

    def __init__(self, settings: GatewaySettings, *, transport: "httpx.BaseTransport | None" = None):
        self.settings = settings
        self._transport = transport

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        import httpx  # loaded by the first message, not at app start

        headers = {"Idempotency-Key": message.idempotency_key, "Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        try:
            with httpx.Client(timeout=self.settings.timeout_seconds, transport=self._transport) as client:
                reply = client.post(self.settings.url, json=request_body(message, self.settings.sender_id),
                                    headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            return DeliveryResult(Outcome.OFFLINE, f"The gateway could not be reached ({type(error).__name__})")
        except httpx.HTTPError as error:  # sent but no reply: safe to repeat under the same idempotency key
            return DeliveryResult(Outcome.TEMPORARY, f"No reply from the gateway ({type(error).__name__})")
        code = reply.status_code
        if 200 <= code < 300:
            return DeliveryResult(Outcome.ACCEPTED, f"Accepted by the gateway ({code})", _provider_id(reply))
        if code in (408, 429) or code >= 500:
            return DeliveryResult(Outcome.TEMPORARY, f"The gateway is busy or failing ({code})")
        return DeliveryResult(Outcome.PERMANENT, f"The gateway refused the message ({code}){_error_code(reply)}")


def _provider_id(reply: "httpx.Response") -> str:
    try:
        return str(reply.json().get("id", ""))[:80]
    except (ValueError, AttributeError):
        return ""


def _error_code(reply: "httpx.Response") -> str:
    """The gateway's error code only (its message may echo the number or text back)."""
    try:
        code = reply.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f": {str(code)[:40]}" if isinstance(code, str) and code.replace("_", "").isalnum() else ""
