"""Sends a sign-in code by SMS/WhatsApp through the clinic's HTTP JSON gateway (clinicdesk.notify.http_gateway)."""

import logging
from typing import Protocol

from clinicdesk.domain.notifications.queue import Outcome
from clinicdesk.notify.channel import OutgoingMessage
from clinicdesk.notify.http_gateway import GatewaySettings, HttpJsonGateway

log = logging.getLogger(__name__)


class CodeSender(Protocol):
    def __call__(self, *, to: str, text: str, language: str, idempotency_key: str) -> bool: ...


def gateway_sender(settings: GatewaySettings, transport=None) -> CodeSender:
    """A sender over the gateway; answers whether the gateway accepted the message (never raises)."""
    gateway = HttpJsonGateway(settings, transport=transport)

    def send(*, to: str, text: str, language: str, idempotency_key: str) -> bool:
        result = gateway.send(OutgoingMessage(idempotency_key=idempotency_key, channel="sms", to=to, subject="",
                                              body=text, language=language))
        if result.outcome is not Outcome.ACCEPTED:
            # the reason holds status codes and error kinds only, never the number or the code
            log.warning("portal sign-in code not accepted by the gateway: %s", result.reason)
        return result.outcome is Outcome.ACCEPTED

    return send
