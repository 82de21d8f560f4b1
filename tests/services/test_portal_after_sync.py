"""After a sync: the care rules run once for outcome reports and feedback the patients sent from the portal."""

import json

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.roles import Role
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.services import portal_after_sync
from clinicdesk.services.portal_after_sync import run_after_sync
from clinicdesk.store.models_feedback import FeedbackRow, RuleFiringRow
from clinicdesk.store.models_therapy import OutcomeReportRow
from clinicdesk.store.outbox import ALL_FIELDS, APPLYING_REMOTE_INFO_KEY, SyncRowStampRow
from clinicdesk.sync.summary import SyncSummary
from tests.services.feedback_world import build_feedback_world

LOW = {"effectiveness": 2, "practitioner": 3, "facility": 2, "staff": 3, "value": 3, "overall": 1}


@pytest.fixture
def world(admin_ctx):
    return build_feedback_world(admin_ctx)


def _arrived(ctx, row, table: str, node: str) -> str:
    """The row as a pull leaves it: its fields stamped by the device that wrote it."""
    stamp = HlcStamp(int(ctx.now().timestamp() * 1000), 0, node).to_string()
    with ctx.db.session() as session, session.begin():
        session.info[APPLYING_REMOTE_INFO_KEY] = True  # as the sync client applies it: no local outbox entry
        session.add(row)
        session.add(SyncRowStampRow(table_name=table, row_id=row.id, stamps_json=json.dumps({ALL_FIELDS: stamp})))
    return row.id


def _report(world, report_id: str) -> OutcomeReportRow:
    return OutcomeReportRow(id=report_id, plan_id=world.plan, session_id=world.sessions["vir-7"],
                            symptom_scores={"Nausea": 8}, energy=3, side_effects="", at=world.therapy.boss.now(),
                            by_staff_id=None)


def _firings(ctx) -> list[tuple[str, str]]:
    with ctx.db.session() as session:
        return [(r.source_id, r.rule_key) for r in session.scalars(select(RuleFiringRow).order_by(RuleFiringRow.id))]


def test_a_portal_outcome_report_fires_the_rules_once_however_often_the_desk_syncs(world):
    ctx = world.ctx(Role.FRONT_DESK)
    report_id = _arrived(ctx, _report(world, "0193a5c0-0000-7000-8000-000000000001"), "outcome_reports", "portal")
    first = run_after_sync(ctx)
    assert first.rules_fired == 1 and first.wrote
    assert _firings(ctx) == [(report_id, "virechana-nausea")]
    assert run_after_sync(ctx).rules_fired == 0
    assert _firings(ctx) == [(report_id, "virechana-nausea")]


def test_a_report_another_desk_recorded_is_left_to_that_desk(world):
    ctx = world.ctx(Role.FRONT_DESK)
    _arrived(ctx, _report(world, "0193a5c0-0000-7000-8000-000000000002"), "outcome_reports", "desk-b")
    assert run_after_sync(ctx).rules_fired == 0
    assert _firings(ctx) == []


def test_low_portal_feedback_opens_a_complaint_through_the_feedback_rules(world):
    ctx = world.ctx(Role.FRONT_DESK)
    centre = world.therapy.centre
    feedback_id = _arrived(ctx, FeedbackRow(
        id="0193a5c0-0000-7000-8000-000000000003", centre_id=centre, scope="course", anonymous=False,
        patient_id=world.therapy.patient, plan_id=world.plan, therapy="virechana", recommend=2,
        comment="Nobody explained the diet", submitted_at=world.therapy.boss.now(), **LOW), "feedback", "portal")
    assert run_after_sync(ctx).rules_fired >= 1
    fired = [key for source, key in _firings(ctx) if source == feedback_id]
    assert fired
    run_after_sync(ctx)
    assert [key for source, key in _firings(ctx) if source == feedback_id] == fired


def test_a_refusal_in_the_portals_share_leaves_the_finished_sync_as_it_was(world, monkeypatch):
    def refuse(_ctx):
        raise ClinicError("That centre was not found.")

    monkeypatch.setattr(portal_after_sync, "run_after_sync", refuse)
    summary = SyncSummary(pushed=3, pulled=2, conflicts=0, rejected=0, seconds=0.5, verified=True)
    assert portal_after_sync.settle_after_sync(world.ctx(Role.FRONT_DESK), None, summary) == (
        summary, portal_after_sync.AfterSync())
