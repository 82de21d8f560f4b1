"""Which messages a visit gets and when: playbooks of offsets, consent and preference, quiet hours, do-not-disturb."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from clinicdesk.domain.notifications.quiet_hours import shift_out_of_quiet_hours

PATIENT_CHANNELS = ("sms", "whatsapp", "email")  # automated channels; a phone call is made by a person
IN_APP = "in_app"  # staff alerts shown in the app
CONSENT_PREFIX = "contact_"  # consent kind per channel: contact_sms, contact_whatsapp, contact_email


def consent_kind(channel: str) -> str:
    return CONSENT_PREFIX + channel


@dataclass(frozen=True)
class Step:
    """One message of a playbook: `template_key` sent `offset` after the anchor (booking, visit start or end)."""

    template_key: str
    anchor: str  # booked, start, end
    offset: timedelta = timedelta(0)
    before_visit: bool = False  # pointless once the visit has started: dropped if it cannot go out before


HOUR = timedelta(hours=1)
CONSULTATION_PLAYBOOK = (
    Step("booking_confirmation", "booked"),
    Step("reminder_day_before", "start", -24 * HOUR, before_visit=True),
)
THERAPY_PLAYBOOK = (
    Step("booking_confirmation", "booked"),
    Step("preparation_day_before", "start", -24 * HOUR, before_visit=True),
    Step("preparation_two_hours", "start", -2 * HOUR, before_visit=True),
    Step("recovery_one_hour", "end", HOUR),
    Step("recovery_twelve_hours", "end", 12 * HOUR),
    Step("recovery_next_day", "end", 24 * HOUR),
    Step("check_in_next_day", "end", 24 * HOUR),
)
DAY_BEFORE_STEPS = frozenset({"reminder_day_before", "preparation_day_before"})  # follow the patient's timing


def playbook_for(service_category: str) -> tuple[Step, ...]:
    """Therapies and procedures need preparation and recovery guidance; a consultation needs only a reminder."""
    return CONSULTATION_PLAYBOOK if service_category == "consultation" else THERAPY_PLAYBOOK


@dataclass(frozen=True)
class Recipient:
    """What the clinic may do to reach one patient: preferences, consents and which addresses exist."""

    channels: tuple[str, ...] = ()  # in the patient's order of preference
    consented: frozenset[str] = frozenset()  # channels with a consent in force
    language: str = "en"
    reminder_hours_before: int = 24
    quiet_start: time | None = None
    quiet_end: time | None = None
    do_not_disturb: bool = False
    marketing_opt_in: bool = False
    has_phone: bool = True
    has_email: bool = False


@dataclass(frozen=True)
class Decision:
    """Send on `channel` at `send_at`, or not at all when `skipped` says why."""

    channel: str | None
    send_at: datetime
    skipped: str = ""


def usable_channels(recipient: Recipient) -> list[str]:
    """Preferred AND consented AND an address to send to, in the patient's order."""
    reachable = {"sms": recipient.has_phone, "whatsapp": recipient.has_phone, "email": recipient.has_email}
    return [c for c in recipient.channels
            if c in PATIENT_CHANNELS and c in recipient.consented and reachable[c]]


def decide(recipient: Recipient, *, send_at: datetime, timezone: str, marketing: bool = False,
           emergency: bool = False, channel_hint: str | None = None) -> Decision:
    """One message: which channel, when, or why not (emergency overrides quiet hours and do-not-disturb)."""
    if marketing and not recipient.marketing_opt_in:
        return Decision(None, send_at, "no marketing opt-in")
    if recipient.do_not_disturb and not emergency:
        return Decision(None, send_at, "do not disturb")
    usable = usable_channels(recipient)
    if not usable:
        return Decision(None, send_at, "no channel the patient chose and consented to")
    channel = channel_hint if channel_hint in usable else usable[0]
    if not emergency:
        send_at = shift_out_of_quiet_hours(send_at, quiet_start=recipient.quiet_start,
                                           quiet_end=recipient.quiet_end, timezone=timezone)
    return Decision(channel, send_at)


@dataclass(frozen=True)
class PlannedMessage:
    template_key: str
    decision: Decision
    expires_at: datetime | None  # a pre-visit message not out by then is withdrawn


def plan_visit(steps: tuple[Step, ...], recipient: Recipient, *, booked_at: datetime, start: datetime,
               end: datetime, timezone: str) -> list[PlannedMessage]:
    """The messages for one visit (UTC times). A pre-visit message already past, or pushed by quiet hours to
    after the visit starts, is left out; the booking confirmation goes now (quiet hours permitting)."""
    planned = []
    for step in steps:
        offset = step.offset
        if step.template_key in DAY_BEFORE_STEPS:
            offset = -timedelta(hours=recipient.reminder_hours_before)
        anchor = {"booked": booked_at, "start": start, "end": end}[step.anchor]
        at = max(anchor + offset, booked_at)
        if step.before_visit and anchor + offset < booked_at:
            continue  # booked too late for this reminder: the confirmation says it all
        decision = decide(recipient, send_at=at, timezone=timezone)
        if step.before_visit and decision.channel and decision.send_at >= start:
            continue
        planned.append(PlannedMessage(step.template_key, decision, start if step.before_visit else None))
    return planned
