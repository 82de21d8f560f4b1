"""Per-table count-and-hash of synced rows, computed the same way on HQ and on a device to compare after a sync."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TableDigest:
    """How many rows a table holds (tombstones included), how many of them are deleted, and a SHA-256 over each
    row's id, field stamps and tombstone stamp: equal digests mean both sides merged the same changes."""

    rows: int
    deleted: int
    sha256: str


def row_line(row_id: str, stamps: Mapping[str, object], deleted: object | None) -> bytes:
    """One row's contribution: stamps as their fixed-width text (HlcStamp or the text itself), fields sorted."""
    stamp_texts = {name: str(stamp) for name, stamp in stamps.items()}
    return (json.dumps([row_id, stamp_texts, None if deleted is None else str(deleted)], sort_keys=True,
                       separators=(",", ":"), ensure_ascii=True) + "\n").encode()


def table_digest(rows: Iterable[tuple[str, Mapping[str, object], object | None]]) -> TableDigest:
    """Digest of (row_id, stamps, deleted) tuples in any order (they are sorted by row id first)."""
    count = deleted_count = 0
    digest = hashlib.sha256()
    for row_id, stamps, deleted in sorted(rows, key=lambda row: row[0]):
        count += 1
        deleted_count += deleted is not None
        digest.update(row_line(row_id, stamps, deleted))
    return TableDigest(count, deleted_count, digest.hexdigest())
