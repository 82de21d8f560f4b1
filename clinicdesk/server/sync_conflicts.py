"""The conflict queue at HQ: a centre's conflicts with every version (value, who, when), their resolution by a person
as a new change every device pulls, the loser log and the review items."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome
from clinicdesk.server.errors import ApiError
from clinicdesk.server.models import DeviceRow
from clinicdesk.server.sync_clock import SERVER_NODE, ServerClock
from clinicdesk.server.sync_models import (
    AppliedOpRow,
    ChangeRow,
    ConflictRow,
    LoserLogRow,
    ReviewItemRow,
    RowStateRow,
)
from clinicdesk.server.sync_push import apply_batch, lock_centre_sequence

OPEN, RESOLVED, ALL = "open", "resolved", "all"
NO_SUCH_CONFLICT = "There is no conflict with this id in this device's centre."
_IN_CHUNK = 500  # bound parameters per IN list
NO_SUCH_REVIEW_ITEM = "There is no review item with this id in this device's centre."
DIFFERENT_PEOPLE, SAME_PERSON = "different_people", "same_person"
DECISIONS = (DIFFERENT_PEOPLE, SAME_PERSON)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def device_names(session: Session, centre_id: str, stamps: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
    """Stamp node (or device id) -> (device id, name) in the centre, so a version says which desk or tablet wrote
    it. A device stamps with its database's own clock name, not its HQ device id, so each stamp's node is matched
    to the device that pushed the change carrying that stamp."""
    devices = dict(session.execute(select(DeviceRow.id, DeviceRow.name).where(DeviceRow.centre_id == centre_id)).all())
    known = {device_id: (device_id, name) for device_id, name in devices.items()}
    wanted = sorted(set(stamps))
    for start in range(0, len(wanted), _IN_CHUNK):
        for stamp, device_id in session.execute(select(ChangeRow.hlc, ChangeRow.pushed_by_device_id).where(
                ChangeRow.centre_id == centre_id, ChangeRow.hlc.in_(wanted[start:start + _IN_CHUNK]))):
            if device_id in devices:
                known.setdefault(HlcStamp.parse(stamp).node, (device_id, devices[device_id]))
    return {**known, SERVER_NODE: (SERVER_NODE, "HQ (a resolution)")}


def describe_version(version: dict, names: dict[str, tuple[str, str]]) -> dict:
    """{value, stamp, device_id, device_name, at}: who is the device whose change carried the stamp (else the
    stamp's node, unnamed), when the stamp's wall time (UTC)."""
    stamp = HlcStamp.parse(version["stamp"])
    at = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC).isoformat()
    device_id, name = names.get(stamp.node, (stamp.node, None))
    return {"value": version["value"], "stamp": version["stamp"], "device_id": device_id, "device_name": name,
            "at": at}


def _state_filter(model, state: str):
    if state == OPEN:
        return model.resolved_at.is_(None)
    if state == RESOLVED:
        return model.resolved_at.is_not(None)
    return true()


def list_conflicts(session: Session, centre_id: str, state: str, limit: int) -> list[dict]:
    rows = session.scalars(select(ConflictRow).where(ConflictRow.centre_id == centre_id,
                                                     _state_filter(ConflictRow, state))
                           .order_by(ConflictRow.created_at, ConflictRow.id).limit(limit)).all()
    names = device_names(session, centre_id, (version["stamp"] for row in rows for version in row.versions))
    return [conflict_view(row, names) for row in rows]


def conflict_view(row: ConflictRow, names: dict[str, tuple[str, str]]) -> dict:
    return {"id": row.id, "table": row.table_name, "row_id": row.row_id, "field": row.field, "kind": row.kind,
            "versions": [{"index": index, **describe_version(version, names)}
                         for index, version in enumerate(row.versions)],
            "created_at": _iso(row.created_at), "state": RESOLVED if row.resolved_at else OPEN,
            "resolved_at": _iso(row.resolved_at), "resolved_by": row.resolved_by, "resolution": row.resolution}


def list_loser_log(session: Session, centre_id: str, limit: int) -> list[dict]:
    rows = session.scalars(select(LoserLogRow).where(LoserLogRow.centre_id == centre_id)
                           .order_by(LoserLogRow.created_at.desc(), LoserLogRow.id).limit(limit)).all()
    names = device_names(session, centre_id, (side["stamp"] for row in rows for side in (row.lost, row.kept)))
    return [{"id": row.id, "table": row.table_name, "row_id": row.row_id, "field": row.field,
             "lost": describe_version(row.lost, names), "kept": describe_version(row.kept, names),
             "created_at": _iso(row.created_at)} for row in rows]


def list_review_items(session: Session, centre_id: str, state: str, limit: int) -> list[dict]:
    rows = session.scalars(select(ReviewItemRow).where(ReviewItemRow.centre_id == centre_id,
                                                       _state_filter(ReviewItemRow, state))
                           .order_by(ReviewItemRow.created_at, ReviewItemRow.id).limit(limit)).all()
    return [review_item_view(row) for row in rows]


def review_item_view(row: ReviewItemRow) -> dict:
    return {"id": row.id, "kind": row.kind, "table": row.table_name, "row_id": row.row_id,
            "other_row_id": row.other_row_id, "matched_on": row.matched_on.split("+"),
            "raised_by_op_id": row.raised_by_op_id, "created_at": _iso(row.created_at),
            "state": RESOLVED if row.resolved_at else OPEN, "resolved_at": _iso(row.resolved_at),
            "resolved_by": row.resolved_by, "decision": row.decision, "settlement_note": row.note,
            "note": "Two registrations may be the same person; a person decides. Nothing was merged."}


def settle_review_item(session: Session, *, centre_id: str, item_id: str, decision: str, settled_by: str,
                       note: str | None, now: datetime) -> dict:
    """Record a person's decision on an open review item. "same_person" is recorded for a person to merge the two
    records later; nothing is merged here. Another centre's item, like an unknown id, is 404."""
    if decision not in DECISIONS:  # the route's schema already refuses it; this guards other callers
        raise ApiError(422, "invalid_decision", "decision must be 'different_people' or 'same_person'.")
    item = session.get(ReviewItemRow, (centre_id, item_id), with_for_update=True)
    if item is None:
        raise ApiError(404, "not_found", NO_SUCH_REVIEW_ITEM)
    if item.resolved_at is not None:
        raise ApiError(409, "already_settled", f"This review item was already settled by {item.resolved_by} at "
                                               f"{_iso(item.resolved_at)}; nothing was changed.")
    item.resolved_at, item.resolved_by, item.decision, item.note = now, settled_by, decision, note or None
    session.flush()
    return review_item_view(item)


def resolve_conflict(session: Session, *, centre_id: str, conflict_id: str, choice: int | None, value: object,
                     resolved_by: str, clock: ServerClock, now: datetime) -> dict:
    """Settle an open conflict with version `choice` (an index) or, when choice is None, `value`. A field conflict
    becomes a new change stamped later than every version and the field's current stamp, so every device that
    pulls it converges on it; a deleted row's conflict can be settled by keeping it deleted. Refusals are ApiErrors
    raised before anything is written (the caller's transaction rolls back)."""
    lock_centre_sequence(session, centre_id)  # one writer per centre: pushes and resolutions never interleave
    conflict = session.get(ConflictRow, (centre_id, conflict_id))
    if conflict is None:
        raise ApiError(404, "not_found", NO_SUCH_CONFLICT)
    if conflict.resolved_at is not None:
        raise ApiError(409, "already_resolved", f"This conflict was already resolved by {conflict.resolved_by} at "
                                                f"{_iso(conflict.resolved_at)}; nothing was changed.")
    if choice is not None and choice >= len(conflict.versions):
        raise ApiError(422, "invalid_choice", f"choice must be the index of one of the {len(conflict.versions)} "
                                              "versions (counting from 0).")
    chosen = conflict.versions[choice]["value"] if choice is not None else value
    if conflict.field is None:
        resolution = _keep_deleted(conflict, choice)
        settled = [conflict]
    else:
        resolution = _write_resolution(session, conflict, chosen, clock, now)
        settled = _open_conflicts_of_field(session, conflict)
    for row in settled:
        row.resolved_at, row.resolved_by = now, resolved_by
        row.resolution = {**resolution, "choice": choice if row is conflict else None,
                          "via_conflict": None if row is conflict else conflict.id}
    return conflict_view(conflict, device_names(session, centre_id, (v["stamp"] for v in conflict.versions)))


def _keep_deleted(conflict: ConflictRow, choice: int | None) -> dict:
    # the row stays deleted meanwhile (merge_row never lifts a tombstone), so keeping it deleted writes nothing
    if choice is None or conflict.versions[choice]["value"] is not None:
        raise ApiError(409, "restore_not_supported", "Restoring a deleted record is a separate action that HQ does "
                                                     "not offer yet; choose the deleted version to keep it deleted.")
    return {"value": None, "stamp": None, "op_id": None, "server_seq": None, "kept": "deleted"}


def _write_resolution(session: Session, conflict: ConflictRow, value: object, clock: ServerClock,
                      now: datetime) -> dict:
    state = session.get(RowStateRow, (conflict.centre_id, conflict.table_name, conflict.row_id))
    if state is None or state.deleted is not None:
        raise ApiError(409, "row_deleted", "The record was deleted after this conflict was raised; settle its "
                                           "deletion first. Nothing was changed.")
    current = state.field_stamps.get(conflict.field)
    heard = [HlcStamp.parse(version["stamp"]) for version in conflict.versions]
    if current is not None:
        heard.append(HlcStamp.parse(current))
    stamp = clock.receive(heard, now)
    base = {conflict.field: HlcStamp.parse(current)} if current is not None else {}
    operation = Operation(str(uuid.uuid4()), conflict.table_name, conflict.row_id, OpKind.UPSERT,
                          {conflict.field: value}, stamp, stamp.node, base)
    (result,) = apply_batch(session, centre_id=conflict.centre_id, device_id=SERVER_NODE,
                            batch_id=str(uuid.uuid4()), wires=[operation.to_wire()], now=now)
    if result.outcome != Outcome.APPLIED:
        raise ApiError(422, "resolution_rejected", f"The chosen value cannot be written: {result.reason}")
    session.flush()
    applied = session.get(AppliedOpRow, (conflict.centre_id, operation.op_id))
    return {"value": value, "stamp": stamp.to_string(), "op_id": operation.op_id, "server_seq": applied.server_seq}


def _open_conflicts_of_field(session: Session, conflict: ConflictRow) -> list[ConflictRow]:
    """This conflict and every other open one on the same field: the resolution is later than all their versions."""
    others = session.scalars(select(ConflictRow).where(
        ConflictRow.centre_id == conflict.centre_id, ConflictRow.table_name == conflict.table_name,
        ConflictRow.row_id == conflict.row_id, ConflictRow.field == conflict.field,
        ConflictRow.resolved_at.is_(None), ConflictRow.id != conflict.id)).all()
    return [conflict, *others]
