"""`clinicdesk redact`: read clinical text on stdin, replace personal identifiers, report what was replaced."""

from collections.abc import Iterable

from clinicdesk.domain.redaction import KnownName


def run(text: str, known_names: Iterable[str] = (), *, include_text: bool = True) -> dict:
    """The redacted text and its entities, with offsets into `text` (the input, not the redacted text)."""
    from clinicdesk.speech.redaction import Redactor

    redactor = Redactor([KnownName(name) for name in known_names if name.strip()])
    result = redactor.redact(text)
    entities = []
    for span in result.entities:
        entity = {"type": span.kind, "start": span.start, "end": span.end}
        if include_text:
            entity["text"] = span.text
        entities.append(entity)
    return {"redacted": result.text, "entities": entities}
