"""The optional note assistant: a port that sees only redacted transcripts, the built-in rule-based one, selection."""

from collections.abc import Callable
from typing import Protocol

from clinicdesk.domain import soap_draft
from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.redaction import Redacted
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import latest_transcript, open_json, transcript_context
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.redaction_context import RedactionContext, load_redaction_context

OFF = "off"
DEFAULT_SETTING = OFF  # no assistant unless the clinic turns one on; drafting then uses the rule-based drafter
_LABELS = {"assistant": "Note assistant", "transcript": "Transcript"}


class NoteAssistant(Protocol):
    """Suggests SOAP note sentences from a transcript that has already been redacted on this machine."""

    name: str

    def suggest(self, redacted_transcript: str) -> dict[str, list[str]]:
        """Section name (one of soap_draft.SECTIONS) -> suggested sentences."""
        ...


class Redacts(Protocol):
    def redact(self, text: str) -> Redacted: ...


class RuleBasedAssistant:
    """The built-in assistant: the domain's rule-based drafter, on this machine, with no network."""

    name = "rule_based"

    def suggest(self, redacted_transcript: str) -> dict[str, list[str]]:
        segments = [soap_draft.Segment(0.0, 0.0, line) for line in redacted_transcript.splitlines() if line.strip()]
        drafted = soap_draft.draft(segments)
        return {section: [s.text for s in drafted.sections.get(section, ())] for section in soap_draft.SECTIONS}


_ASSISTANTS: dict[str, Callable[[], NoteAssistant]] = {RuleBasedAssistant.name: RuleBasedAssistant}


def register_assistant(name: str, make: Callable[[], NoteAssistant]) -> None:
    """Make an adapter selectable by its setting name (an external model plugs in here, never into the services)."""
    if name.strip().lower() in ("", OFF):
        raise ValueError(f"{name!r} cannot name an assistant")
    _ASSISTANTS[name.strip().lower()] = make


def available_assistants() -> tuple[str, ...]:
    return (OFF, *sorted(_ASSISTANTS))


def assistant_for(setting: str | None) -> NoteAssistant | None:
    """The assistant a clinic setting names; None when it is off (the default), so nothing leaves the drafter."""
    key = (setting or DEFAULT_SETTING).strip().lower()
    if key == OFF:
        return None
    if key not in _ASSISTANTS:
        raise ValidationError({"assistant": "must be one of: " + ", ".join(available_assistants())}, _LABELS)
    return _ASSISTANTS[key]()


def local_redactor(context: RedactionContext) -> Redacts:
    """Presidio and the clinic's rules on this machine; the patient's name becomes their stable token."""
    from clinicdesk.speech.redaction import Redactor  # loads spaCy on first use

    return Redactor(context.known_names, patient_token=lambda _patient_id: context.patient_token)


def suggest_with_assistant(ctx: ServiceContext, consultation_id: str, assistant: NoteAssistant,
                           redactor_factory: Callable[[RedactionContext], Redacts] = local_redactor,
                           ) -> tuple[dict[str, list[str]], str]:
    """The assistant's suggestions for the newest transcript, and the redacted text it was given.

    Only redacted text reaches the assistant. The patient's token in its answer is turned back into the patient's
    name here, after the answer has come back, so the way from token to person never leaves this machine.
    """
    ctx.authorise(Action.NOTE_WRITE, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        context = load_redaction_context(ctx, session, consultation_id)
        transcript = latest_transcript(session, consultation_id)
        if transcript is None:
            raise ValidationError({"transcript": "is missing: record or type the consultation first"}, _LABELS)
        segments = open_json(ctx, transcript.sealed_segments, context=transcript_context(transcript.id) + ":segments")
    redacted = redactor_factory(context).redact("\n".join(s["text"] for s in segments)).text
    with ctx.unit_of_work() as session:  # recorded before sending: what left the drafter, and to which assistant
        ctx.audit(session, "consult.note_assistant", entity="consultation", entity_id=consultation_id,
                  detail=f"assistant {str(assistant.name)[:60]}")
    answer = assistant.suggest(redacted)
    patient_name = next(k.name for k in context.known_names if k.is_patient)
    return _checked(answer, context.patient_token, patient_name), redacted


def _checked(answer: object, token: str, patient_name: str) -> dict[str, list[str]]:
    """Known sections and text only (an assistant's answer is not trusted), with the token re-identified."""
    answer = answer if isinstance(answer, dict) else {}
    suggestions = {}
    for section in soap_draft.SECTIONS:
        lines = answer.get(section)
        lines = [lines] if isinstance(lines, str) else lines if isinstance(lines, list | tuple) else []
        suggestions[section] = [" ".join(line.replace(token, patient_name).split())
                                for line in lines if isinstance(line, str) and line.strip()]
    return suggestions
