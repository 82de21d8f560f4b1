"""Hybrid logical clock: stamps that order every change across devices even when their wall clocks disagree."""

import re
from dataclasses import dataclass

WALL_DIGITS = 15  # milliseconds since 1970 fit in 13 digits until the year 2286; 15 leaves room and keeps width fixed
COUNTER_DIGITS = 6
MAX_WALL_MS = 10**WALL_DIGITS - 1
MAX_COUNTER = 10**COUNTER_DIGITS - 1
NODE_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_STAMP_PATTERN = re.compile(rf"(\d{{{WALL_DIGITS}}})-(\d{{{COUNTER_DIGITS}}})-(.+)")
DEFAULT_SKEW_LIMIT_MS = 5 * 60 * 1000


@dataclass(frozen=True, order=True)
class HlcStamp:
    """One moment on the hybrid clock; compares by wall time, then counter, then node (so no two nodes tie)."""

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self):
        if isinstance(self.wall_ms, bool) or not isinstance(self.wall_ms, int) or not 0 <= self.wall_ms <= MAX_WALL_MS:
            raise ValueError(f"HLC wall time must be a whole number of milliseconds from 0 to {MAX_WALL_MS}")
        if isinstance(self.counter, bool) or not isinstance(self.counter, int) or not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError(f"HLC counter must be a whole number from 0 to {MAX_COUNTER}")
        if not isinstance(self.node, str) or not NODE_PATTERN.fullmatch(self.node):
            raise ValueError("HLC node must be 1 to 64 characters: letters, digits, '_', '.', ':' or '-'")

    def to_string(self) -> str:
        """Fixed-width text whose plain string order (byte order, e.g. SQL COLLATE "C") equals the stamp order."""
        return f"{self.wall_ms:0{WALL_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> "HlcStamp":
        """Read a stamp written by `to_string`; anything else raises ValueError saying what shape was expected."""
        match = _STAMP_PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"an HLC stamp looks like {WALL_DIGITS} digits, '-', {COUNTER_DIGITS} digits, '-', "
                             "then the node name (e.g. 000001764158400000-000000-desk-1)")
        return cls(int(match[1]), int(match[2]), match[3])

    def __str__(self) -> str:
        return self.to_string()


class Hlc:
    """The clock of one node; wall time always comes in as a parameter, so the clock itself never reads time."""

    def __init__(self, node: str, last: HlcStamp | None = None):
        first = HlcStamp(0, 0, node)  # also checks the node name
        if last is not None and last.node != node:
            raise ValueError("the saved HLC stamp belongs to another node")
        self.node = node
        self.last = last if last is not None else first

    def now(self, wall_ms: int) -> HlcStamp:
        """Stamp a local event: never earlier than anything this clock has issued or seen."""
        wall = max(self.last.wall_ms, wall_ms)
        return self._store(wall, self.last.counter + 1 if wall == self.last.wall_ms else 0)

    def receive(self, remote: HlcStamp, wall_ms: int) -> HlcStamp:
        """Merge a stamp seen from another node, so every later local stamp orders after it."""
        wall = max(self.last.wall_ms, remote.wall_ms, wall_ms)
        if wall == self.last.wall_ms == remote.wall_ms:
            counter = max(self.last.counter, remote.counter) + 1
        elif wall == self.last.wall_ms:
            counter = self.last.counter + 1
        elif wall == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        return self._store(wall, counter)

    def _store(self, wall: int, counter: int) -> HlcStamp:
        if counter > MAX_COUNTER:  # a million events in one millisecond: borrow the next millisecond, stay monotonic
            wall, counter = wall + 1, 0
        self.last = HlcStamp(wall, counter, self.node)
        return self.last


def _duration_words(ms: int) -> str:
    minutes = ms // 60_000
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
             if n]
    return " ".join(parts) if parts else "less than a minute"


def skew_warning(local_wall_ms: int, remote_wall_ms: int, limit_ms: int = DEFAULT_SKEW_LIMIT_MS) -> str | None:
    """A sentence for staff when this device's clock differs from the other side's by more than `limit_ms`."""
    difference = local_wall_ms - remote_wall_ms
    if abs(difference) <= limit_ms:
        return None
    direction = "ahead of" if difference > 0 else "behind"
    return (f"This device's clock is {_duration_words(abs(difference))} {direction} the HQ server's clock. "
            "Set the correct date, time and time zone in the system settings. Sync still orders changes safely, "
            "but times shown on this device may be wrong.")
