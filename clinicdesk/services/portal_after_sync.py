"""What a desk does for the patient portal right after a sync pulled HQ's changes: one call, run by every sync path.

1. Auto-approve pending online requests where the clinic allows it (clinicdesk/services/portal_requests.py).
2. Run the care rules for outcome reports and feedback the patients submitted on the portal: the portal cannot run
   them (HQ holds no rules engine or notification queue), so the first desk that pulls such a row does. A row that
   already has a firing is skipped, so a rule never fires twice for one report or form.
3. Republish the free starts the portal offers (clinicdesk/services/portal_availability.py), after the approvals,
   so the times just booked are no longer offered.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.feedback import RATING_LABELS, FeedbackForm, FeedbackScope
from clinicdesk.domain.rules.model import Trigger
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.feedback import feedback_facts
from clinicdesk.services.portal_availability import publish_availability
from clinicdesk.services.portal_requests import auto_approve_in
from clinicdesk.services.rule_actions import Subject, run_rules
from clinicdesk.services.rule_hooks import outcome_rules
from clinicdesk.store.models_feedback import FeedbackRow, RuleFiringRow
from clinicdesk.store.models_therapy import CarePlanRow, OutcomeReportRow
from clinicdesk.store.outbox import ALL_FIELDS, SyncRowStampRow

log = logging.getLogger(__name__)

# The HLC node name HQ's portal writes with (clinicdesk/server/portal/writer.py PORTAL_NODE; the desk never imports
# the server): a row whose fields carry this node was written by a patient on the portal.
PORTAL_NODE = "portal"
# How far back a portal row is looked at. One without a firing is evaluated again at each sync in this window (no
# rule matched it, or it came before its plan): the same rules give the same answer, so nothing fires twice.
RULE_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class AfterSync:
    requests_confirmed: int = 0
    requests_left_pending: int = 0
    rules_fired: int = 0  # firings for portal reports and forms
    availability_rows: int = 0  # free-start rows written (each one an outbox operation for the next push)

    @property
    def wrote(self) -> bool:
        """Something was queued that HQ should get: worth pushing again now rather than at the next sync."""
        return bool(self.requests_confirmed or self.rules_fired or self.availability_rows)

    @property
    def changes(self) -> Changes:
        return Changes(appointments=bool(self.requests_confirmed or self.availability_rows),
                       therapy=bool(self.rules_fired))


def _from_portal(session: Session, table: str, row_ids: list[str], field: str) -> set[str]:
    """The rows whose `field` was last written by the portal (its stamp's node)."""
    found = set()
    for stamp_row in session.scalars(select(SyncRowStampRow).where(SyncRowStampRow.table_name == table,
                                                                   SyncRowStampRow.row_id.in_(row_ids))):
        stamps = json.loads(stamp_row.stamps_json)
        text = stamps.get(field, stamps.get(ALL_FIELDS))
        if text and HlcStamp.parse(text).node == PORTAL_NODE:
            found.add(stamp_row.row_id)
    return found


def _without_firing(session: Session, rows: list) -> list:
    fired = set(session.scalars(select(RuleFiringRow.source_id).where(
        RuleFiringRow.source_id.in_([row.id for row in rows]))))
    return [row for row in rows if row.id not in fired]


def _outcome_reports(ctx: ServiceContext, session: Session, since) -> int:
    rows = _without_firing(session, list(session.scalars(select(OutcomeReportRow).where(
        OutcomeReportRow.at >= since, OutcomeReportRow.by_staff_id.is_(None)).order_by(OutcomeReportRow.at))))
    portal = _from_portal(session, "outcome_reports", [row.id for row in rows], "at")
    fired = 0
    for report in rows:
        plan = session.get(CarePlanRow, report.plan_id)
        if report.id in portal and plan is not None:
            fired += len(outcome_rules(ctx, session, plan, report).firing_ids)
    return fired


def _feedback(ctx: ServiceContext, session: Session, since) -> int:
    rows = _without_firing(session, list(session.scalars(select(FeedbackRow).where(
        FeedbackRow.submitted_at >= since).order_by(FeedbackRow.submitted_at))))
    portal = _from_portal(session, "feedback", [row.id for row in rows], "submitted_at")
    fired = 0
    for row in rows:
        if row.id not in portal:
            continue
        plan = session.get(CarePlanRow, row.plan_id) if row.plan_id else None
        ratings = {name: getattr(row, name) for name in RATING_LABELS}
        form = FeedbackForm(scope=FeedbackScope(row.scope), ratings=ratings, recommend=row.recommend,
                            comment=row.comment, anonymous=row.anonymous)
        subject = Subject(centre_id=row.centre_id, source_id=row.id, feedback_id=row.id, patient_id=row.patient_id,
                          plan_id=row.plan_id, session_id=row.session_id, doctor_id=plan.doctor_id if plan else None)
        fired += len(run_rules(ctx, session, Trigger.FEEDBACK_SUBMITTED, feedback_facts(form, row.therapy),
                               subject).firing_ids)
    return fired


def run_after_sync(ctx: ServiceContext) -> AfterSync:
    """The portal's share of a sync; runs with or without a signed-in user (the CLI's `clinicdesk sync` has none).
    Every write queues outbox operations, which the caller pushes (a second push, or the next sync)."""
    with ctx.unit_of_work(write_lock=True) as session:
        approvals = auto_approve_in(ctx, session)
        since = ctx.now() - RULE_WINDOW
        rules_fired = _outcome_reports(ctx, session, since) + _feedback(ctx, session, since)
    published = publish_availability(ctx)
    return AfterSync(approvals.confirmed, approvals.left_pending, rules_fired, published.rows_written)


def settle_after_sync(ctx: ServiceContext, hq, summary, **sync_options):
    """What every sync path calls once its sync (or resync) finished: the portal's share, then, when that queued
    decisions, published times or firings, one more sync so HQ (and the patient) has them now rather than at the
    next sync. Returns (the two syncs' summary, AfterSync). `sync_options` go to sync_once (tests: no sleeping)."""
    from dataclasses import replace  # the sync client loads httpx: only when a sync runs

    from clinicdesk.sync.client import sync_once

    try:
        done = run_after_sync(ctx)
    except ClinicError as error:  # the sync itself went through; the portal's share is tried again next time
        log.warning("the patient portal's after-sync work was not done: %s", type(error).__name__)
        return summary, AfterSync()
    if not done.wrote:
        return summary, done
    again = sync_once(ctx.db, hq, **sync_options)
    return replace(again, pushed=summary.pushed + again.pushed, pulled=summary.pulled + again.pulled,
                   conflicts=summary.conflicts + again.conflicts, rejected=summary.rejected + again.rejected,
                   seconds=round(summary.seconds + again.seconds, 3), skipped=summary.skipped + again.skipped,
                   resynced=summary.resynced, backup=summary.backup, clock_warning=summary.clock_warning
                   or again.clock_warning), done
