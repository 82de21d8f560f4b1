"""`clinicdesk transcribe AUDIO`: transcribe a recording on this device and print the text or one JSON object."""

import json
from pathlib import Path

from clinicdesk.domain.errors import ClinicError

MODELS = ("base", "tiny.en")
LANGUAGES = ("en", "hi", "ml")


class TranscribeOptionError(ClinicError):
    """An option value the command does not accept; the message lists the accepted ones."""


def run(audio: str, *, model: str = "base", language: str | None = None, as_json: bool = False) -> str:
    """The command's output; raises a ClinicError with a one-line message for anything a person can fix."""
    if model not in MODELS:
        raise TranscribeOptionError(f"--model must be one of: {', '.join(MODELS)} (got {model!r})")
    if language is not None and language not in LANGUAGES:
        raise TranscribeOptionError(f"--language must be one of: {', '.join(LANGUAGES)} (got {language!r})")
    from clinicdesk.speech.transcriber import load_transcriber, read_audio

    samples = read_audio(Path(audio))  # before loading the model, so a wrong path fails at once
    transcriber = load_transcriber(model)
    transcript = transcriber.transcribe_samples(samples, language=language)
    if as_json:
        return json.dumps(transcript.as_json_dict(), ensure_ascii=False)
    return transcript.text
