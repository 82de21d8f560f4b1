"""What every channel takes and returns: one outgoing message in, one delivery result out (never raises)."""

from dataclasses import dataclass
from typing import Protocol

from clinicdesk.domain.notifications.queue import Outcome


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str  # the same for every try of one message
    channel: str  # sms, whatsapp, email
    to: str  # phone number or email address
    subject: str
    body: str
    language: str


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    reason: str = ""  # for the delivery log: status codes and error kinds, never the message or the address
    provider_id: str = ""


class Channel(Protocol):
    """A way out. `send` reports what happened instead of raising, so the sender can log every try."""

    def send(self, message: OutgoingMessage) -> DeliveryResult: ...
