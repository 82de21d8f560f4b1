"""Errors a person can act on; each carries a sentence that says what is wrong and what to do."""


class ClinicError(Exception):
    """Base for errors whose message is safe and useful to show to staff (never contains patient data)."""


class ValidationError(ClinicError):
    """One or more fields are wrong; `problems` maps field name to a specific message."""

    def __init__(self, problems: dict[str, str], labels: dict[str, str] | None = None):
        self.problems = dict(problems)
        self.labels = dict(labels or {})
        super().__init__("; ".join(self.messages()))

    def messages(self) -> list[str]:
        """One sentence per field, e.g. "Phone must be a 10-digit Indian number"."""
        return [f"{self.labels.get(name, name.replace('_', ' ').capitalize())} {msg}"
                for name, msg in self.problems.items()]


class PermissionDenied(ClinicError):
    """The signed-in role may not perform this action."""


class NotFound(ClinicError):
    """The record asked for does not exist (or is not visible here)."""


class IllegalTransition(ClinicError):
    """A state machine was asked for a move its table does not allow; nothing changed."""
