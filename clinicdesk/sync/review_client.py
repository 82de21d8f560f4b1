"""HQ's conflict queue, loser log and review items as seen from a device: list them, resolve and settle them."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import HqSettings
from clinicdesk.sync.transport import HqTransport

OPEN, RESOLVED, ALL = "open", "resolved", "all"
STATES = (OPEN, RESOLVED, ALL)
DIFFERENT_PEOPLE, SAME_PERSON = "different_people", "same_person"
DECISIONS = (DIFFERENT_PEOPLE, SAME_PERSON)
LIST_LIMIT = 500  # HQ's most per list
_NO_VALUE = object()


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Version:
    """One competing value: what it was, which device wrote it (id and enrolled name) and when (UTC)."""

    index: int
    value: Any
    device_id: str
    device_name: str
    at: datetime

    @classmethod
    def from_wire(cls, body: dict, index: int = -1) -> "Version":
        return cls(int(body.get("index", index)), body.get("value"), str(body.get("device_id") or ""),
                   str(body.get("device_name") or ""), _when(body["at"]))


@dataclass(frozen=True)
class Conflict:
    """A field (or, with field None, a whole row) that two devices changed concurrently; a person decides."""

    id: str
    table: str
    row_id: str
    field: str | None
    kind: str
    versions: tuple[Version, ...]
    state: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolved_value: Any = None
    resolved_choice: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @classmethod
    def from_wire(cls, body: dict) -> "Conflict":
        resolution = body.get("resolution") or {}
        return cls(str(body["id"]), str(body["table"]), str(body["row_id"]), body.get("field"), str(body["kind"]),
                   tuple(Version.from_wire(v) for v in body["versions"]), str(body["state"]),
                   _when(body["created_at"]), _when(body.get("resolved_at")), body.get("resolved_by"),
                   resolution.get("value"), resolution.get("choice"))


@dataclass(frozen=True)
class LoserEntry:
    """A low-risk value that lost to a concurrent later one (kept so staff can look it up)."""

    id: str
    table: str
    row_id: str
    field: str
    lost: Version
    kept: Version
    created_at: datetime

    @classmethod
    def from_wire(cls, body: dict) -> "LoserEntry":
        return cls(str(body["id"]), str(body["table"]), str(body["row_id"]), str(body["field"]),
                   Version.from_wire(body["lost"], 0), Version.from_wire(body["kept"], 1), _when(body["created_at"]))


@dataclass(frozen=True)
class ReviewItem:
    """Two patient records that may be one person (row ids only: the device shows the records)."""

    id: str
    kind: str
    table: str
    row_id: str
    other_row_id: str
    matched_on: tuple[str, ...]
    state: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    decision: str | None = None
    note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @classmethod
    def from_wire(cls, body: dict) -> "ReviewItem":
        return cls(str(body["id"]), str(body["kind"]), str(body["table"]), str(body["row_id"]),
                   str(body["other_row_id"]), tuple(body.get("matched_on") or ()), str(body["state"]),
                   _when(body["created_at"]), _when(body.get("resolved_at")), body.get("resolved_by"),
                   body.get("decision"), body.get("settlement_note"))


def _check_state(state: str) -> None:
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")


class ReviewClient:
    """One device's calls to HQ's review endpoints, over HqTransport (this device's credential and CA). Failures are
    the transport's SyncError sentences (HQ unreachable, a refusal with HQ's reason), never payloads."""

    def __init__(self, hq: HqSettings, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, attempts: int = 2):
        # two attempts, not the sync's four: a person is waiting in front of the screen
        self._http = HqTransport(hq.url, hq.credential, ca_file=hq.ca_file or None, transport=transport,
                                 sleep=sleep, attempts=attempts)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ReviewClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _json(self, method: str, path: str, **kwargs) -> dict:
        response = self._http.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SyncError("HQ's answer could not be read; try again later.", code="bad_answer") from None

    def list_conflicts(self, state: str = OPEN, limit: int = LIST_LIMIT) -> list[Conflict]:
        _check_state(state)
        body = self._json("GET", "/v1/sync/conflicts", params={"state": state, "limit": limit})
        return [Conflict.from_wire(item) for item in body["conflicts"]]

    def resolve_conflict(self, conflict_id: str, *, resolved_by: str, choice: int | None = None,
                         value: Any = _NO_VALUE) -> Conflict:
        """Keep version `choice`, or write `value` (None is a value); exactly one of the two."""
        if (choice is None) == (value is _NO_VALUE):
            raise ValueError("give exactly one of choice (a version's index) or value (a new value)")
        body = {"resolved_by": resolved_by, **({"choice": choice} if choice is not None else {"value": value})}
        answer = self._json("POST", f"/v1/sync/conflicts/{conflict_id}/resolve", json=body)
        return Conflict.from_wire(answer["conflict"])

    def list_loser_log(self, limit: int = LIST_LIMIT) -> list[LoserEntry]:
        body = self._json("GET", "/v1/sync/loser-log", params={"limit": limit})
        return [LoserEntry.from_wire(item) for item in body["entries"]]

    def list_review_items(self, state: str = OPEN, limit: int = LIST_LIMIT) -> list[ReviewItem]:
        _check_state(state)
        body = self._json("GET", "/v1/sync/review-items", params={"state": state, "limit": limit})
        return [ReviewItem.from_wire(item) for item in body["review_items"]]

    def settle_review_item(self, item_id: str, *, decision: str, settled_by: str,
                           note: str | None = None) -> ReviewItem:
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
        body = {"decision": decision, "settled_by": settled_by, **({"note": note} if note else {})}
        answer = self._json("POST", f"/v1/sync/review-items/{item_id}/settle", json=body)
        return ReviewItem.from_wire(answer["review_item"])
