"""A consultation's status table: waiting, in consultation, note drafted, signed (final)."""

from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition


class ConsultationStatus(StrEnum):
    WAITING = "waiting"
    IN_CONSULTATION = "in_consultation"
    NOTE_DRAFTED = "note_drafted"
    SIGNED = "signed"


class ConsultationEvent(StrEnum):
    START = "start"
    DRAFT_NOTE = "draft_note"  # the first draft, and every later edit of it
    SIGN = "sign"


TRANSITIONS: dict[ConsultationStatus, dict[ConsultationEvent, ConsultationStatus]] = {
    ConsultationStatus.WAITING: {ConsultationEvent.START: ConsultationStatus.IN_CONSULTATION},
    ConsultationStatus.IN_CONSULTATION: {ConsultationEvent.DRAFT_NOTE: ConsultationStatus.NOTE_DRAFTED},
    ConsultationStatus.NOTE_DRAFTED: {ConsultationEvent.DRAFT_NOTE: ConsultationStatus.NOTE_DRAFTED,
                                      ConsultationEvent.SIGN: ConsultationStatus.SIGNED},
    # a signed note is final: later changes are addenda, which do not move the consultation
    ConsultationStatus.SIGNED: {},
}
# While the doctor is with the patient (or writing up), the room can still record, take vitals and prescribe.
OPEN = frozenset({ConsultationStatus.IN_CONSULTATION, ConsultationStatus.NOTE_DRAFTED})
STATUS_WORDS = {ConsultationStatus.WAITING: "waiting", ConsultationStatus.IN_CONSULTATION: "in consultation",
                ConsultationStatus.NOTE_DRAFTED: "note drafted", ConsultationStatus.SIGNED: "signed"}
_EVENT_WORDS = {ConsultationEvent.START: "started", ConsultationEvent.DRAFT_NOTE: "given a note draft",
                ConsultationEvent.SIGN: "signed"}
_ADVICE = {ConsultationStatus.WAITING: "Start the consultation first.",
           ConsultationStatus.IN_CONSULTATION: "Draft the note first.",
           ConsultationStatus.NOTE_DRAFTED: "",
           ConsultationStatus.SIGNED: "Its note is signed and final; add an addendum instead."}


def next_status(status: ConsultationStatus, event: ConsultationEvent) -> ConsultationStatus:
    """The status after `event`, or IllegalTransition with a sentence saying what to do instead."""
    target = TRANSITIONS[status].get(event)
    if target is None:
        advice = _ADVICE[status]
        raise IllegalTransition(f"This consultation is {STATUS_WORDS[status]}, so it cannot be "
                                f"{_EVENT_WORDS[event]}." + (f" {advice}" if advice else ""))
    return target
