"""Guided full resync after HQ's epoch changed (reset, restore, schema change): back up, adopt the new epoch, pull
everything, queue again what HQ lacks, push, verify. Each finished step is saved, so a stopped resync resumes."""

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clinicdesk.store.backup import write_backup
from clinicdesk.store.database import Database
from clinicdesk.store.datadir import BACKUP_DIR
from clinicdesk.store.errors import BackupError
from clinicdesk.store.models import SettingRow
from clinicdesk.store.outbox import ACKNOWLEDGED, PENDING, SENT, OutboxRow, SyncStateRow, load_hlc
from clinicdesk.sync import client as sync_client
from clinicdesk.sync.centre_key import ensure_centre_key
from clinicdesk.sync.errors import EpochChangedError, SyncError
from clinicdesk.sync.settings import HqSettings
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.sync.transport import HqTransport
from clinicdesk.sync.verify import LAST_VERIFIED_SETTING, find_differences, repair_table

# The settings table is local-only (never synced): the resync's progress lives beside the data it protects.
RESYNC_SETTING = "sync.resync"
BACKUP, ADOPT_EPOCH, PULL, REQUEUE, PUSH, VERIFY = "backup", "adopt_epoch", "pull", "requeue", "push", "verify"
STEPS = (BACKUP, ADOPT_EPOCH, PULL, REQUEUE, PUSH, VERIFY)
_STATE_ID = 1


@dataclass(frozen=True)
class EpochNotice:
    """What the resync dialog tells staff: when HQ was reset or restored, and how many local changes it may lack."""

    reset_at: datetime | None
    changes_hq_may_lack: int
    unfinished_step: str = ""  # a resync already started and stopped at this step


def _setting(session: Session, key: str) -> dict | None:
    row = session.get(SettingRow, key)
    return json.loads(row.value) if row else None


def _save_setting(session: Session, key: str, value: dict | None) -> None:
    row = session.get(SettingRow, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(SettingRow(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def resync_progress(database: Database) -> dict | None:
    """The saved progress of an unfinished resync ({"step", "started_at", ...}), or None."""
    with database.session() as session:
        return _setting(session, RESYNC_SETTING)


def refuse_if_resync_unfinished(database: Database) -> None:
    """An ordinary sync must not run over a half-done resync: it would push before everything is compared."""
    progress = resync_progress(database)
    if progress is not None:
        raise EpochChangedError("A full resync with HQ was started and has not finished; choose \"Back up and "
                                "resync\" (or run `clinicdesk sync --resync`) to finish it.", code="resync_unfinished")


def changes_hq_may_lack(session: Session) -> int:
    """Changes not yet acknowledged, and those acknowledged since this device last proved itself equal to HQ (a
    restored HQ may predate them). An upper bound: the resync compares every row anyway."""
    since = _setting(session, LAST_VERIFIED_SETTING) or {}
    waiting = select(func.count()).where(OutboxRow.state.in_((PENDING, SENT)))
    acknowledged = select(func.count()).where(OutboxRow.state == ACKNOWLEDGED)
    if since.get("at"):
        acknowledged = acknowledged.where(OutboxRow.created_at >= datetime.fromisoformat(since["at"]))
    return session.scalar(waiting.select_from(OutboxRow)) + session.scalar(acknowledged.select_from(OutboxRow))


def _transport(hq: HqSettings, transport: httpx.BaseTransport | None, sleep: Callable[[float], None]) -> HqTransport:
    return HqTransport(hq.url, hq.credential, ca_file=hq.ca_file or None, transport=transport, sleep=sleep)


def hq_epoch(client: HqTransport) -> tuple[str, datetime | None]:
    answer = client.request("GET", "/v1/sync/epoch").json()
    started = datetime.fromisoformat(answer["started_at"]) if answer.get("started_at") else None
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=UTC)  # HQ's SQLite keeps UTC without the zone
    return answer["epoch"], started


def epoch_notice(database: Database, hq: HqSettings, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> EpochNotice:
    """Asks HQ when its epoch began and counts this device's changes; for the dialog, before anything changes."""
    with _transport(hq, transport, sleep) as client:
        _epoch, reset_at = hq_epoch(client)
    with database.session() as session:
        progress = _setting(session, RESYNC_SETTING) or {}
        return EpochNotice(reset_at, changes_hq_may_lack(session), progress.get("step", ""))


def _advance(database: Database, progress: dict, step: str, **extra) -> dict:
    progress = progress | extra | {"step": step}
    with database.session() as session, session.begin():
        _save_setting(session, RESYNC_SETTING, progress)
    return progress


def resync(database: Database, hq: HqSettings, *, now: Callable[[], datetime] = sync_client.utc_now,
           transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep,
           on_step: Callable[[str], None] | None = None) -> SyncSummary:
    """Run (or resume) the full resync; returns the summary of the final sync, `resynced` true. A failure leaves the
    saved step in place, and running it again carries on from there (every step may be repeated safely)."""
    started = time.perf_counter()
    counts = {"pushed": 0, "pulled": 0, "conflicts": 0, "rejected": 0, "skipped": 0}
    with database.session() as session, session.begin():
        progress = _setting(session, RESYNC_SETTING)
        if progress is None:
            progress = {"step": BACKUP, "started_at": now().isoformat()}
            _save_setting(session, RESYNC_SETTING, progress)
    with _transport(hq, transport, sleep) as client:
        try:
            progress, report = _run_steps(database, client, progress, counts, now, on_step)
        except EpochChangedError:
            saved = resync_progress(database) or progress
            if saved.get("step") not in (BACKUP, ADOPT_EPOCH):
                _advance(database, saved, ADOPT_EPOCH)  # HQ moved on again mid-way: adopt its newest epoch
            raise
    with database.session() as session, session.begin():
        _save_setting(session, RESYNC_SETTING, None)
    repaired = {"rows_from_hq": progress.get("rows_from_hq", 0) + report.rows_from_hq,
                "rows_sent_again": progress.get("rows_sent_again", 0) + report.rows_sent_again}
    if report.still_different:
        repaired["still_different"] = list(report.still_different)
    return SyncSummary(pushed=counts["pushed"], pulled=counts["pulled"], conflicts=counts["conflicts"],
                       rejected=counts["rejected"], seconds=round(time.perf_counter() - started, 3),
                       skipped=counts["skipped"], verified=report.verified,
                       mismatched_tables=tuple(sorted({*progress.get("mismatched_tables", ()),
                                                       *report.mismatched_tables})),
                       repaired={key: value for key, value in repaired.items() if value}, resynced=True,
                       backup=progress.get("backup", ""))


def _run_steps(database: Database, client: HqTransport, progress: dict, counts: dict,
               now: Callable[[], datetime], on_step: Callable[[str], None] | None):
    def push() -> None:
        answered = sync_client.push_all(database, client, now)
        counts["pushed"] += answered["answered"]
        counts["conflicts"] += answered["conflict"]
        counts["rejected"] += answered["rejected"]

    def pull() -> None:
        pulled, skipped = sync_client.pull_all(database, client, now)
        counts["pulled"] += pulled
        counts["skipped"] += skipped

    for step in STEPS[STEPS.index(progress["step"]):]:
        if on_step is not None:
            on_step(step)
        if step == BACKUP:
            progress = _advance(database, progress, ADOPT_EPOCH, backup=str(_backup(database, now)))
        elif step == ADOPT_EPOCH:
            progress = _adopt_epoch(database, client, progress)
        elif step == PULL:
            pull()
            progress = _advance(database, progress, REQUEUE)
        elif step == REQUEUE:
            progress = _requeue(database, client, progress, now, pull)
        elif step == PUSH:
            ensure_centre_key(database, client)  # as sync_once does: values sealed for the centre travel in it
            push()
            progress = _advance(database, progress, VERIFY)
        else:
            pull()
            repair_pushes: dict = defaultdict(int)
            report, extra = sync_client.verify_after_sync(database, client, now, repair_pushes)
            for mine, theirs in (("pushed", "answered"), ("conflicts", "conflict"), ("rejected", "rejected")):
                counts[mine] += repair_pushes[theirs]
            counts["pulled"] += extra["pulled"]
            counts["skipped"] += extra["skipped"]
            return progress, report
    raise AssertionError("the last step returns")


def _backup(database: Database, now: Callable[[], datetime]) -> Path:
    """An encrypted, verified copy of the whole local database before anything is changed."""
    folder = database.data_dir / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now().astimezone(UTC)
    try:
        return write_backup(database, folder / f"before-resync-{stamp:%Y%m%d-%H%M%S}.cdbak").path
    except BackupError as error:  # nothing was changed yet: say why, and the resync can simply be run again
        raise SyncError(f"The backup before the resync failed, so nothing was changed: {error}",
                        code="backup_failed") from None


def _adopt_epoch(database: Database, client: HqTransport, progress: dict) -> dict:
    """Forget where the pull stood and which epoch this device was on; the stamps of its own rows stay (they are
    what lets HQ's rows merge with them by policy). The cursor, the epoch and the next step are saved together."""
    epoch, reset_at = hq_epoch(client)
    progress = progress | {"step": PULL, "epoch": epoch, "reset_at": reset_at.isoformat() if reset_at else ""}
    with database.session() as session, session.begin():
        load_hlc(session)  # makes the sync state row on a device that never synced
        session.execute(update(SyncStateRow).where(SyncStateRow.id == _STATE_ID)
                        .values(pull_cursor=0, epoch=epoch))
        _save_setting(session, RESYNC_SETTING, progress)
    return progress


def _requeue(database: Database, client: HqTransport, progress: dict, now: Callable[[], datetime],
             pull: Callable[[], None]) -> dict:
    """Every row HQ's state lacks or holds differently: HQ's side merged in here, this device's newer side queued
    again as a concurrent edit (clinicdesk/sync/verify.py). Rows with changes already queued go with the push."""
    differences = find_differences(database, client, pull)
    from_hq = sent_again = 0
    for table, row_ids in differences.items():
        changed, queued = repair_table(database, client, table, row_ids, now)
        from_hq, sent_again = from_hq + changed, sent_again + queued
    return _advance(database, progress, PUSH, rows_from_hq=progress.get("rows_from_hq", 0) + from_hq,
                    rows_sent_again=progress.get("rows_sent_again", 0) + sent_again,
                    mismatched_tables=sorted(set(progress.get("mismatched_tables", ())) | set(differences)))
