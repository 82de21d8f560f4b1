"""Hash chain over audit entries: each entry's hash covers its fields and the previous hash, so edits show."""

import hashlib
import json
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditFields:
    """What an audit entry records: who, what, when, which record; never patient values."""

    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    outcome: str
    detail: str


def entry_hash(prev_hash: str, fields: AuditFields) -> str:
    canonical = json.dumps(
        [prev_hash, fields.seq, fields.at, fields.actor, fields.action, fields.entity, fields.entity_id,
         fields.outcome, fields.detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def verify_chain(entries: list[tuple[AuditFields, str, str]]) -> list[ChainProblem]:
    """Check (fields, prev_hash, hash) triples in seq order; report the first entry where the chain breaks.

    Sequence numbers are issued without gaps, so a deleted entry shows as a gap and a reordered one as a
    prev_hash that does not match the entry before it.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for fields, prev_hash, stored_hash in entries:
        if fields.seq != expected_seq:
            if fields.seq > expected_seq:
                missing = (f"entry {expected_seq}" if fields.seq == expected_seq + 1
                           else f"entries {expected_seq}-{fields.seq - 1}")
                return [ChainProblem(expected_seq, f"{missing} missing (deleted) before entry {fields.seq}")]
            return [ChainProblem(fields.seq, f"entry {fields.seq} is out of order (expected {expected_seq})")]
        if prev_hash != expected_prev:
            return [ChainProblem(fields.seq, f"entry {fields.seq} does not follow the entry before it")]
        if entry_hash(prev_hash, fields) != stored_hash:
            return [ChainProblem(fields.seq, f"entry {fields.seq} was altered after it was written")]
        expected_prev = stored_hash
        expected_seq += 1
    return []
