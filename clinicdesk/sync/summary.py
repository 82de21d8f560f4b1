"""What one sync did, in figures (kept apart from the client so screens can import it without httpx)."""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SyncSummary:
    pushed: int  # operations HQ answered (applied, merged, conflict or rejected)
    pulled: int  # changes received from HQ
    conflicts: int  # pushed operations HQ recorded as conflicts for a person to resolve
    rejected: int  # pushed operations HQ refused; they stay in "needs attention" with HQ's reason
    seconds: float
    skipped: int = 0  # pulled changes of tables this version does not sync (newer HQ), left alone
    clock_warning: str = ""  # HQ's sentence when this device's clock is far off
    verified: bool = False  # after the sync (and any repair) HQ's per-table counts and hashes equal this device's
    mismatched_tables: tuple[str, ...] = ()  # tables that differed when compared (then repaired, see `repaired`)
    repaired: dict = field(default_factory=dict)  # {"rows_from_hq": n, "rows_sent_again": n}; counts, never values
    resynced: bool = False  # this was a guided full resync after HQ's epoch changed
    backup: str = ""  # the resync's encrypted backup of the local database, taken before anything changed
    blobs_up: int = 0  # recordings, documents and photos whose bytes HQ now holds (clinicdesk/sync/blobs.py)
    blobs_down: int = 0  # recordings, documents and photos received from HQ and put in place here
    held_back: int = 0  # pulled changes waiting here for a record that has not arrived yet (clinicdesk/sync/page.py)

    def as_json(self) -> dict:
        """The command line's summary: the figures and `verified`; the others only when they say something."""
        data = asdict(self)
        data["mismatched_tables"] = list(self.mismatched_tables)
        always = ("pushed", "pulled", "conflicts", "rejected", "seconds", "verified")
        return {key: value for key, value in data.items() if key in always or value}
