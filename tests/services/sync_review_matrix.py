"""Sync review calls for the role x action matrix, with a stand-in HQ (the real one is tested in tests/sync) and a
refused change made in the clinic's outbox for each call that settles one."""

import dataclasses
import json
from datetime import UTC, datetime

from clinicdesk.domain.roles import Action
from clinicdesk.services import sync_review
from clinicdesk.store.outbox import REJECTED, OutboxRow
from clinicdesk.sync.review_client import ALL, OPEN, Conflict, ReviewItem, Version

AT = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)
CLINICAL_ID, SCHEDULING_ID, ITEM_ID = "c" * 64, "d" * 64, "e" * 64


class FakeHq:
    """HQ's review endpoints in memory: one clinical (date of birth) and one scheduling conflict, one possible
    duplicate; a resolution or settlement is recorded and answered, and the item stays open for the next caller."""

    def __init__(self, patient_id: str = "p-1", other_patient_id: str = "p-2"):
        versions = (Version(0, "1984-03-09", "dev-a", "Reception desk A", AT),
                    Version(1, "1984-09-03", "dev-b", "Reception desk B", AT))
        self.conflicts = {
            CLINICAL_ID: Conflict(CLINICAL_ID, "patients", patient_id, "date_of_birth", "concurrent_edit", versions,
                                  OPEN, AT),
            SCHEDULING_ID: Conflict(SCHEDULING_ID, "appointments", "appt-1", "status", "concurrent_edit",
                                    (Version(0, "checked_in", "dev-a", "Reception desk A", AT),
                                     Version(1, "no_show", "dev-b", "Reception desk B", AT)), OPEN, AT)}
        self.items = {ITEM_ID: ReviewItem(ITEM_ID, "possible_duplicate", "patients", patient_id, other_patient_id,
                                          ("name", "date_of_birth"), OPEN, AT)}
        self.resolutions: list[tuple] = []
        self.settlements: list[tuple] = []

    def list_conflicts(self, state=OPEN, limit=500):
        return [c for c in self.conflicts.values() if state == ALL or c.state == state]

    def resolve_conflict(self, conflict_id, *, resolved_by, choice=None, value=None):
        self.resolutions.append((conflict_id, resolved_by, choice, value))
        conflict = self.conflicts[conflict_id]
        chosen = conflict.versions[choice].value if choice is not None else value
        return dataclasses.replace(conflict, state="resolved", resolved_at=AT, resolved_by=resolved_by,
                                   resolved_value=chosen, resolved_choice=choice)

    def list_loser_log(self, limit=500):
        return []

    def list_review_items(self, state=OPEN, limit=500):
        return [i for i in self.items.values() if state == ALL or i.state == state]

    def settle_review_item(self, item_id, *, decision, settled_by, note=None):
        self.settlements.append((item_id, decision, settled_by, note))
        return dataclasses.replace(self.items[item_id], state="resolved", resolved_at=AT, resolved_by=settled_by,
                                   decision=decision, note=note)


def refused_change(db, patient_id: str, op_id: str) -> str:
    """A change HQ refused (a UHID edit), as the sync client leaves it in the outbox."""
    with db.session() as session, session.begin():
        session.add(OutboxRow(op_id=op_id, table_name="patients", row_id=patient_id, kind="upsert",
                              fields_json=json.dumps({"uhid": "KOC-A-999999"}), base_json="{}",
                              hlc=f"001764131400000-{len(op_id) % 7:06d}-{op_id}", created_at=AT, state=REJECTED,
                              result_reason="patients.uhid is fixed when the record is created; add a new record "
                                            "instead"))
    return op_id


def registry() -> dict[Action, dict[str, object]]:
    hq = FakeHq()
    counter = iter(range(10**6))

    def fresh_refusal(c, w) -> str:
        return refused_change(c.db, w.ids["patient"], f"0190a0b0-0000-7000-8000-{next(counter):012d}")

    return {
        Action.SYNC_REVIEW: {
            "sync_review.fetch_review": lambda c, w: sync_review.fetch_review(c, hq),
            "sync_review.needs_attention": lambda c, w: sync_review.needs_attention(c)},
        Action.SYNC_RESOLVE: {
            "sync_review.resolve_conflict": lambda c, w: sync_review.resolve_conflict(c, hq, SCHEDULING_ID, choice=0),
            "sync_review.settle_duplicate": lambda c, w: sync_review.settle_duplicate(
                c, hq, ITEM_ID, sync_review.DIFFERENT_PEOPLE),
            "sync_review.send_change_again": lambda c, w: sync_review.send_change_again(c, fresh_refusal(c, w)),
            "sync_review.keep_change_on_device": lambda c, w: sync_review.keep_change_on_device(
                c, fresh_refusal(c, w), "HQ holds the right UHID")},
        Action.SYNC_RESOLVE_CLINICAL: {
            "sync_review.resolve_conflict": lambda c, w: sync_review.resolve_conflict(c, hq, CLINICAL_ID, choice=1)},
    }
