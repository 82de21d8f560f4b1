"""What the sync indicator shows: enrolled or not, the last sync's time and result, and changes waiting for HQ."""

import json
from dataclasses import dataclass
from datetime import datetime

from clinicdesk.domain.roles import Action
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.models import SettingRow
from clinicdesk.store.outbox import PENDING, REJECTED, SENT, outbox_counts
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.page import held_back_changes
from clinicdesk.sync.summary import SyncSummary

# The settings table is local-only (never synced): each device keeps its own record of its last sync.
LAST_SYNC_SETTING = "sync.last_result"
RESYNC_CODES = frozenset({"epoch_changed", "resync_unfinished"})  # clinicdesk/sync/errors.py, sync/resync.py
GENERIC_FAILURE = ("The sync stopped on an unexpected error; try again, and if it keeps happening tell your "
                   "administrator.")


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    last_sync_at: datetime | None  # when the last sync (successful or not) ended, UTC
    last_result: str  # "" before the first sync, else words such as "12 sent, 3 received, 1 conflict"
    pending: int  # local changes HQ has not acknowledged yet (queued or sent without an answer)
    rejected: int  # changes HQ refused; they wait in "needs attention"
    last_error: str  # the sentence of the last sync's failure; "" when it succeeded
    error_code: str = ""  # the failure's code: "epoch_changed" or "resync_unfinished" call for a full resync
    unverified_tables: tuple[str, ...] = ()  # tables that still differed from HQ after the last sync's repair
    # pulled changes waiting here for a record that has not arrived yet, one sentence each (clinicdesk/sync/page.py:
    # table names and reasons, never values)
    held_back: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.last_error)

    @property
    def needs_resync(self) -> bool:
        """HQ was reset or restored (or a resync stopped half-way): only a guided full resync can sync again."""
        return self.error_code in RESYNC_CODES


def is_enrolled(ctx: ServiceContext) -> bool:
    """This device has an HQ in its local config (the credential's presence is checked when a sync starts)."""
    config = LocalConfig.load(ctx.db.data_dir)
    return config is not None and bool(config.hq_url)


def sync_status(ctx: ServiceContext) -> SyncStatus:
    ctx.authorise(Action.SYNC_VIEW)
    with ctx.unit_of_work() as session:
        counts = outbox_counts(session)
        waiting = tuple(change.sentence for change in held_back_changes(session))
        row = session.get(SettingRow, LAST_SYNC_SETTING)
        record = json.loads(row.value) if row else {}
    at = record.get("at")
    return SyncStatus(enrolled=is_enrolled(ctx), last_sync_at=datetime.fromisoformat(at) if at else None,
                      last_result=record.get("result", ""), pending=counts[PENDING] + counts[SENT],
                      rejected=counts[REJECTED], last_error=record.get("error", ""),
                      error_code=record.get("code", ""), unverified_tables=tuple(record.get("unverified", ())),
                      held_back=waiting)


def result_words(summary: SyncSummary) -> str:
    words = [f"{summary.pushed} sent", f"{summary.pulled} received"]
    if summary.conflicts:
        words.append(f"{summary.conflicts} conflict{'' if summary.conflicts == 1 else 's'}")
    if summary.rejected:
        words.append(f"{summary.rejected} refused")
    repaired = summary.repaired.get("rows_from_hq", 0) + summary.repaired.get("rows_sent_again", 0)
    if repaired:
        words.append(f"{repaired} row{'' if repaired == 1 else 's'} repaired")
    return ", ".join(words)


def error_sentence(error: BaseException) -> str:
    """A SyncError's sentence is written for staff and carries no patient data; anything else gets a generic one."""
    return str(error) if isinstance(error, SyncError) else GENERIC_FAILURE


def record_sync_result(ctx: ServiceContext, outcome: SyncSummary | BaseException) -> SyncStatus:
    """Remember how the sync that just ended went (a summary or the error it raised); returns the new status."""
    ctx.authorise(Action.SYNC_RUN)
    at = ctx.now().isoformat()
    if isinstance(outcome, SyncSummary):
        record = {"at": at, "result": result_words(outcome), "error": "", "clock_warning": outcome.clock_warning,
                  "unverified": list(outcome.repaired.get("still_different", ()))}
    else:
        record = {"at": at, "result": "failed", "error": error_sentence(outcome),
                  "code": outcome.code if isinstance(outcome, SyncError) else ""}
    with ctx.unit_of_work() as session:
        row = session.get(SettingRow, LAST_SYNC_SETTING)
        if row is None:
            session.add(SettingRow(key=LAST_SYNC_SETTING, value=json.dumps(record)))
        else:
            row.value = json.dumps(record)
    return sync_status(ctx)
