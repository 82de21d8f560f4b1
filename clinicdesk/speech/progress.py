"""What long speech jobs report while they run, and the cancel token they check between segments."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Progress:
    """How far a long job has got: `fraction` from 0.0 to 1.0 and a short message for the progress bar."""

    fraction: float
    message: str


class CancelToken(Protocol):
    """Anything with `is_set()`, such as threading.Event: set it from another thread to stop the job."""

    def is_set(self) -> bool: ...


class TranscriptionCancelled(Exception):
    """The cancel token was set; the transcription stopped between two segments and produced nothing."""


def is_cancelled(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.is_set()
