"""A copy of the audit log's newest (seq, hash) kept outside the database, so cutting off the tail shows."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.audit_chain import ChainProblem
from clinicdesk.store.models import AuditEntryRow

ANCHOR_FILE = "audit-anchor.json"


@dataclass(frozen=True)
class AuditAnchor:
    seq: int
    hash: str


def read_anchor(data_dir: Path) -> AuditAnchor | None:
    path = data_dir / ANCHOR_FILE
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    return AuditAnchor(int(raw["seq"]), str(raw["hash"]))


def record_anchor(session: Session, data_dir: Path) -> AuditAnchor | None:
    """Remember the newest entry (called at daily backup and at sign-out); hashes only, no patient data."""
    last = session.execute(select(AuditEntryRow.seq, AuditEntryRow.hash).order_by(AuditEntryRow.seq.desc())
                           .limit(1)).first()
    if last is None:
        return None
    anchor = AuditAnchor(last.seq, last.hash)
    tmp = data_dir / (ANCHOR_FILE + ".tmp")
    tmp.write_text(json.dumps({"seq": anchor.seq, "hash": anchor.hash}))
    os.replace(tmp, data_dir / ANCHOR_FILE)
    return anchor


def check_against_anchor(session: Session, anchor: AuditAnchor | None) -> list[ChainProblem]:
    """The anchored entry must still exist with the same hash; otherwise the newest entries were cut off."""
    if anchor is None:
        return []
    stored = session.scalar(select(AuditEntryRow.hash).where(AuditEntryRow.seq == anchor.seq))
    if stored is None:
        last = session.scalar(select(AuditEntryRow.seq).order_by(AuditEntryRow.seq.desc()).limit(1)) or 0
        return [ChainProblem(last + 1, f"entries {last + 1}-{anchor.seq} missing (the newest entries were deleted)")]
    if stored != anchor.hash:
        return [ChainProblem(anchor.seq, f"entry {anchor.seq} differs from the copy kept outside the database")]
    return []
