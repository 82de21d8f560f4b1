"""Sync status calls for the role x action matrix: every signed-in role may see the status and start a sync."""

from clinicdesk.domain.roles import Action
from clinicdesk.services import sync_status
from clinicdesk.sync.summary import SyncSummary
from tests.services import sync_review_matrix


def registry() -> dict[Action, dict[str, object]]:
    summary = SyncSummary(pushed=1, pulled=2, conflicts=0, rejected=0, seconds=0.1)
    return {
        Action.SYNC_VIEW: {"sync_status.sync_status": lambda c, w: sync_status.sync_status(c)},
        Action.SYNC_RUN: {"sync_status.record_sync_result": lambda c, w: sync_status.record_sync_result(c, summary)},
        **sync_review_matrix.registry(),  # the sync review page: see, settle, settle clinical conflicts
    }
