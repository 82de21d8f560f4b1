"""One sync with HQ: push the outbox in batches, then pull HQ's changes page by page, each page in one transaction."""

import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.store.database import Database
from clinicdesk.store.outbox import (
    SyncStateRow,
    applying_remote_changes,
    load_hlc,
    mark_acknowledged,
    mark_rejected,
    mark_sent,
    pending_operations,
    save_hlc,
)
from clinicdesk.sync.apply import Applied, apply_operation
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import HqSettings
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.sync.transport import EPOCH_HEADER, HqTransport

PUSH_BATCH = 500  # HQ's limit per push
PULL_PAGE = 500
_STATE_ID = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


def _wall_ms(now: Callable[[], datetime]) -> int:
    return int(now().timestamp() * 1000)


def _sync_state(session: Session) -> SyncStateRow:
    load_hlc(session)  # makes the one row (and this database's node name) on first use
    return session.get(SyncStateRow, _STATE_ID)


def _save_epoch(session: Session, response: httpx.Response) -> None:
    epoch = response.headers.get(EPOCH_HEADER)
    if epoch:
        session.execute(update(SyncStateRow).where(SyncStateRow.id == _STATE_ID).values(epoch=epoch))


def sync_once(database: Database, hq: HqSettings, *, now: Callable[[], datetime] = utc_now,
              transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep) -> SyncSummary:
    """Push everything pending, then pull everything new. A failure part-way leaves a consistent database: every
    finished batch and page is saved, and the next sync carries on from there without duplicates."""
    started = time.perf_counter()
    with HqTransport(hq.url, hq.credential, ca_file=hq.ca_file or None, transport=transport, sleep=sleep) as client:
        pushed = _push_all(database, client, now)
        pulled, skipped = _pull_all(database, client, now)
    return SyncSummary(pushed=pushed["answered"], pulled=pulled, conflicts=pushed["conflict"],
                       rejected=pushed["rejected"], seconds=round(time.perf_counter() - started, 3), skipped=skipped,
                       clock_warning=pushed.get("clock_warning", ""))


def _push_all(database: Database, client: HqTransport, now: Callable[[], datetime]) -> dict:
    counts: dict = defaultdict(int)
    while True:
        with database.session() as session, session.begin():
            operations = pending_operations(session, PUSH_BATCH)
            if not operations:
                return counts
            hlc = load_hlc(session)
            wall = _wall_ms(now)
            device_hlc = hlc.now(wall)
            save_hlc(session, hlc)
            operations = _for_hq(session, operations)
            mark_sent(session, [op.op_id for op in operations])
            epoch = _sync_state(session).epoch or None
        if not operations:
            continue  # the whole batch was device-local and is settled already
        body = {"batch_id": str(uuid.uuid4()), "operations": [op.to_wire() for op in operations],
                "device_hlc": device_hlc.to_string(), "device_wall_ms": wall}
        response = client.request("POST", "/v1/sync/push", json=body, epoch=epoch)
        answer = response.json()
        with database.session() as session, session.begin():
            settled = _record_results(session, operations, answer["results"], counts)
            hlc = load_hlc(session)
            hlc.receive(HlcStamp.parse(answer["server_hlc"]), _wall_ms(now))
            save_hlc(session, hlc)
            _save_epoch(session, response)
        if answer.get("clock_warning"):
            counts["clock_warning"] = answer["clock_warning"]
        if settled == 0:  # HQ answered none of them: stop rather than send the same batch for ever
            raise SyncError("HQ's answer to a push named none of the operations sent; sync stopped.",
                            code="bad_answer")


def _for_hq(session: Session, operations: list[Operation]) -> list[Operation]:
    """The operations worth sending. The outbox queues only synced columns (clinicdesk/store/sync_registry.py), so
    HQ accepts every field; an upsert with no field at all (none is queued today) is settled here instead of sent."""
    empty = [op.op_id for op in operations if op.kind == OpKind.UPSERT and not op.fields]
    if empty:
        mark_acknowledged(session, empty, reason="only device-local fields changed; nothing to send")
    return [op for op in operations if op.kind != OpKind.UPSERT or op.fields]


def _record_results(session: Session, operations: list[Operation], results: list[dict], counts: dict) -> int:
    """Mark every answered operation in this one transaction; rejected ones keep HQ's reason for staff."""
    sent = {op.op_id for op in operations}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for result in results:
        if result.get("op_id") in sent:
            groups[(str(result.get("outcome", "")), str(result.get("reason") or ""))].append(result["op_id"])
    settled = 0
    for (outcome, reason), op_ids in groups.items():
        if outcome == "rejected":
            settled += mark_rejected(session, op_ids, reason=reason or "HQ refused this change.")
        elif outcome in ("applied", "merged", "conflict"):
            settled += mark_acknowledged(session, op_ids, reason=outcome if not reason else f"{outcome}: {reason}")
        else:
            continue  # an outcome this version does not know: the operation stays queued
        counts[outcome] += len(op_ids)
        counts["answered"] += len(op_ids)
    return settled


def _pull_all(database: Database, client: HqTransport, now: Callable[[], datetime]) -> tuple[int, int]:
    pulled = skipped = 0
    while True:
        with database.session() as session, session.begin():
            state = _sync_state(session)
            cursor, epoch = state.pull_cursor, state.epoch or None
        response = client.request("GET", "/v1/sync/pull", params={"after": cursor, "limit": PULL_PAGE}, epoch=epoch)
        page = response.json()
        changes = page["changes"]
        with database.session() as session, session.begin():
            hlc = load_hlc(session)
            with applying_remote_changes(session):
                for change in changes:
                    try:
                        operation = Operation.from_wire(change["operation"])
                    except ValueError:
                        skipped += 1  # a shape this version cannot read; HQ keeps it for a newer client
                        continue
                    hlc.receive(operation.hlc, _wall_ms(now))
                    if apply_operation(session, operation) == Applied.SKIPPED:
                        skipped += 1
            moved = session.execute(update(SyncStateRow).where(SyncStateRow.id == _STATE_ID,
                                                               SyncStateRow.pull_cursor == cursor)
                                    .values(pull_cursor=int(page["next_after"])))
            if moved.rowcount != 1:  # another sync of this database applied the page first: undo ours
                raise SyncError("Another sync of this database ran at the same time; sync again.", code="busy")
            save_hlc(session, hlc)
            _save_epoch(session, response)
        pulled += len(changes)
        if not page.get("has_more") or not changes:
            return pulled, skipped

