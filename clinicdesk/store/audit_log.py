"""Appending to and verifying the hash-chained audit log inside the caller's transaction."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.audit_chain import GENESIS_HASH, AuditFields, ChainProblem, entry_hash, verify_chain
from clinicdesk.store.models import AuditEntryRow


def append_audit(session: Session, *, at: datetime, actor: str, action: str, entity: str, entity_id: str = "",
                 outcome: str = "ok", detail: str = "") -> None:
    last = session.execute(select(AuditEntryRow.seq, AuditEntryRow.hash)
                           .order_by(AuditEntryRow.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    fields = AuditFields(seq=seq, at=at.isoformat(timespec="milliseconds"), actor=actor, action=action,
                         entity=entity, entity_id=entity_id, outcome=outcome, detail=detail[:300])
    session.add(AuditEntryRow(seq=seq, at=fields.at, actor=actor, action=action, entity=entity,
                              entity_id=entity_id, outcome=outcome, detail=fields.detail, prev_hash=prev,
                              hash=entry_hash(prev, fields)))
    session.flush()


def _fields(row: AuditEntryRow) -> AuditFields:
    return AuditFields(seq=row.seq, at=row.at, actor=row.actor, action=row.action, entity=row.entity,
                       entity_id=row.entity_id, outcome=row.outcome, detail=row.detail)


def verify_audit_log(session: Session, anchor=None) -> tuple[int, list[ChainProblem]]:
    """(number of entries checked, problems) walking the chain in sequence order, then the outside anchor."""
    from clinicdesk.store.audit_anchor import check_against_anchor

    rows = session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).all()
    problems = verify_chain([(_fields(r), r.prev_hash, r.hash) for r in rows])
    return len(rows), problems or check_against_anchor(session, anchor)
