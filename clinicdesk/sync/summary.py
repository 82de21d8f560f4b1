"""What one sync did, in figures (kept apart from the client so screens can import it without httpx)."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SyncSummary:
    pushed: int  # operations HQ answered (applied, merged, conflict or rejected)
    pulled: int  # changes received from HQ
    conflicts: int  # pushed operations HQ recorded as conflicts for a person to resolve
    rejected: int  # pushed operations HQ refused; they stay in "needs attention" with HQ's reason
    seconds: float
    skipped: int = 0  # pulled changes of tables this version does not sync (newer HQ), left alone
    clock_warning: str = ""  # HQ's sentence when this device's clock is far off

    def as_json(self) -> dict:
        """The command line's summary: the five figures, and the other two only when they say something."""
        data = asdict(self)
        return {key: value for key, value in data.items() if key not in ("skipped", "clock_warning") or value}
