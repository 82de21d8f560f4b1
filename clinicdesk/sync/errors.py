"""Sync failures as sentences for staff; they never carry patient data (payloads are not quoted)."""


class SyncError(Exception):
    """A sync could not finish; the message says what happened and what to do, never what was being sent."""

    def __init__(self, message: str, *, code: str = "sync_failed"):
        super().__init__(message)
        self.code = code


class EpochChangedError(SyncError):
    """HQ was reset or restored since this device last synced: a full resync is needed (not done by sync_once)."""
