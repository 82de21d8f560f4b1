"""The portal's only way to write synced rows: upserts pushed through HQ's merge as the centre's "portal" device.

The portal is one more device of each centre: its operations go through sync_push.apply_batch like a desk's, so
they are merged by the same policies, land in the centre's change log and reach every desk at its next pull. Its
hybrid clock keeps no state of its own: before each batch it takes the centre's push lock and reads the latest
stamp the centre's change log holds, so its stamps are later than everything HQ has recorded, a restart (or a wall
clock set back) never issues an earlier stamp, and a portal change (a withdrawn request) orders after the desk
change it answers.
"""

import os
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.sync.hlc import Hlc, HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome
from clinicdesk.server.sync_clock import wall_ms
from clinicdesk.server.sync_models import ChangeRow, RowStateRow
from clinicdesk.server.sync_push import apply_batch, lock_centre_sequence

PORTAL_DEVICE_ID = "portal"  # the device id and the HLC node name of the portal in every centre
PORTAL_NODE = PORTAL_DEVICE_ID  # HQ checks that an operation's stamp comes from the device that sent it

RowWrite = tuple[str, str, dict]  # (table, row id, field values as the desks' wire format has them)


class PortalWriteRejected(RuntimeError):
    """HQ's merge refused a portal write (the caller's transaction must roll back). The message names tables and
    HQ's reasons, which never contain field values."""


def _new_id(now: datetime) -> str:
    return uuid7(unix_ms=wall_ms(now), random_bytes=os.urandom(10))


def latest_centre_stamp(session: Session, centre_id: str) -> HlcStamp | None:
    """The latest stamp in the centre's change log (every device's, the portal's included): what the portal's clock
    must pass. The stamp text's order is its time order, so the database's max finds it through the (centre, hlc)
    index."""
    text = session.scalar(select(func.max(ChangeRow.hlc)).where(ChangeRow.centre_id == centre_id))
    return HlcStamp.parse(text) if text else None


def _stored_stamps(session: Session, centre_id: str, rows: Sequence[RowWrite]) -> dict[tuple[str, str], dict]:
    row_ids = {row_id for _table, row_id, _fields in rows}
    states = session.scalars(select(RowStateRow).where(RowStateRow.centre_id == centre_id,
                                                       RowStateRow.row_id.in_(row_ids)))
    return {(state.table_name, state.row_id): dict(state.field_stamps) for state in states}


def submit_rows(session: Session, centre_id: str, rows: list[RowWrite], now: datetime) -> None:
    """Write each (table, row_id, fields) as an upsert of the portal device of `centre_id`, inside the caller's
    transaction. Raises PortalWriteRejected when HQ's merge rejects any of them (nothing of the batch may be
    committed then: the caller's transaction rolls back). Fields already at HQ are written as edits of the values
    the portal saw (their current stamps are the operation's base), so an edit is never taken for a concurrent
    one."""
    if not rows:
        return
    lock_centre_sequence(session, centre_id)  # pushes of the centre wait from here: no stamp can pass ours unseen
    clock = Hlc(PORTAL_NODE)
    wall = wall_ms(now)
    latest = latest_centre_stamp(session, centre_id)
    if latest is not None:
        clock.receive(latest, wall)
    stored = _stored_stamps(session, centre_id, rows)
    wires = []
    for table, row_id, fields in rows:
        seen = stored.get((table, row_id), {})
        base = {name: HlcStamp.parse(seen[name]) for name in fields if name in seen}
        for stamp in base.values():
            clock.receive(stamp, wall)
        operation = Operation(op_id=_new_id(now), table=table, row_id=row_id, kind=OpKind.UPSERT,
                              fields=dict(fields), hlc=clock.now(wall), device_id=PORTAL_DEVICE_ID, base=base)
        wires.append(operation.to_wire())
    results = apply_batch(session, centre_id=centre_id, device_id=PORTAL_DEVICE_ID, batch_id=_new_id(now),
                          wires=wires, now=now)
    refused = [(wire["table"], result.reason) for wire, result in zip(wires, results, strict=True)
               if result.outcome == Outcome.REJECTED]
    if refused:
        reasons = "; ".join(f"{table}: {reason}" for table, reason in refused)
        raise PortalWriteRejected(f"HQ refused the portal's write ({reasons})")
