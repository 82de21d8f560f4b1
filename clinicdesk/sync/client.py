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
    load_hlc,
    mark_acknowledged,
    mark_rejected,
    mark_sent,
    pending_operations,
    save_hlc,
)
from clinicdesk.sync.backfill import backfill_outbox
from clinicdesk.sync.blobs import sync_blobs_down, sync_blobs_up
from clinicdesk.sync.centre_key import ensure_centre_key
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.page import apply_page, held_back_changes
from clinicdesk.sync.settings import HqSettings
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.sync.transport import EPOCH_HEADER, HqTransport
from clinicdesk.sync.verify import VerifyReport, verify_and_repair

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
    from clinicdesk.sync.resync import refuse_if_resync_unfinished  # resync builds on this module: import late

    refuse_if_resync_unfinished(database)
    started = time.perf_counter()
    backfill_outbox(database)  # rows written before their table synced (an upgrade, an older database) go too
    with HqTransport(hq.url, hq.credential, ca_file=hq.ca_file or None, transport=transport, sleep=sleep) as client:
        ensure_centre_key(database, client)  # before the push, so values sealed for the centre travel in it
        pushed = push_all(database, client, now)
        blobs_up = sync_blobs_up(database, client, now=now)  # after the rows they belong to
        pulled, skipped = pull_all(database, client, now)
        report, extra = verify_after_sync(database, client, now, pushed)
        blobs_down = sync_blobs_down(database, client, now=now)  # once the rows they belong to are here
    with database.session() as session:
        waiting = len(held_back_changes(session))
    return SyncSummary(pushed=pushed["answered"], pulled=pulled + extra["pulled"], conflicts=pushed["conflict"],
                       rejected=pushed["rejected"], seconds=round(time.perf_counter() - started, 3),
                       skipped=skipped + extra["skipped"], clock_warning=pushed.get("clock_warning", ""),
                       blobs_up=blobs_up, blobs_down=blobs_down, held_back=waiting, **verify_fields(report))


def verify_after_sync(database: Database, client: HqTransport, now: Callable[[], datetime],
                      counts: dict) -> tuple[VerifyReport, dict]:
    """Compare with HQ (clinicdesk/sync/verify.py) and repair; a repair's own push answers are added to `counts`,
    its pulls returned as {"pulled", "skipped"}."""
    extra = {"pulled": 0, "skipped": 0}

    def push() -> None:
        for key, value in push_all(database, client, now).items():
            counts[key] = value if key == "clock_warning" else counts[key] + value

    def pull() -> None:
        pulled, skipped = pull_all(database, client, now)
        extra["pulled"] += pulled
        extra["skipped"] += skipped

    return verify_and_repair(database, client, now=now, push=push, pull=pull), extra


def verify_fields(report: VerifyReport) -> dict:
    """The summary's part of a verification: tables and row counts, never values."""
    repaired = {}
    if report.rows_from_hq or report.rows_sent_again:
        repaired = {"rows_from_hq": report.rows_from_hq, "rows_sent_again": report.rows_sent_again}
    if report.still_different:
        repaired["still_different"] = list(report.still_different)
    return {"verified": report.verified, "mismatched_tables": report.mismatched_tables, "repaired": repaired}


def push_all(database: Database, client: HqTransport, now: Callable[[], datetime]) -> dict:
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


def pull_all(database: Database, client: HqTransport, now: Callable[[], datetime]) -> tuple[int, int]:
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
            operations = []
            for change in changes:
                try:
                    operation = Operation.from_wire(change["operation"])
                except ValueError:
                    skipped += 1  # a shape this version cannot read; HQ keeps it for a newer client
                    continue
                hlc.receive(operation.hlc, _wall_ms(now))
                operations.append(operation)
            # keys checked at commit; a row whose parent has not come yet is held back and retried (sync/page.py)
            skipped += apply_page(session, operations).skipped
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

