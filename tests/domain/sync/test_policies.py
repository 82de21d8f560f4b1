"""The policy table for a whole centre: reference data last-writer, owners fixed, signing a note one clinical fact,
link rows valid under their joined key."""

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import merge_row
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome, validate_operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES, Policy

SERVICE, STAFF, NOTE = ("01900000-0000-7000-8000-00000000000" + n for n in "123")


def op(table, row_id, fields, at, node="desk-a", base=None, n=[0]):  # noqa: B006 (a counter for op ids)
    n[0] += 1
    return Operation(f"01900000-0000-7000-8000-{n[0]:012d}", table, row_id, OpKind.UPSERT, fields,
                     HlcStamp(at, 0, node), node, base or {})


def test_signing_a_note_is_a_later_clinical_fact_and_two_different_signatures_need_a_person():
    created = op("clinical_notes", NOTE, {"consultation_id": "c1", "version": 1, "status": "draft",
                                          "written_by": "s1", "content_hash": "ab"}, 1_000)
    state = merge_row(None, created, CLINICDESK_POLICIES).new_state
    seen = {"status": created.hlc, "signed_by": created.hlc}
    signed = merge_row(state, op("clinical_notes", NOTE, {"status": "signed", "signed_by": "s1"}, 2_000, base=seen),
                       CLINICDESK_POLICIES)
    assert signed.result.outcome == Outcome.APPLIED
    other = merge_row(signed.new_state, op("clinical_notes", NOTE, {"status": "signed", "signed_by": "s2"}, 1_500,
                                           node="desk-b", base=seen), CLINICDESK_POLICIES)
    assert other.result.outcome == Outcome.CONFLICT and [c.field for c in other.conflicts] == ["signed_by"]
    assert CLINICDESK_POLICIES.policy("clinical_notes", "content_hash") == Policy.APPEND_ONLY


def test_reference_data_takes_the_later_edit_and_keeps_owners_and_usernames_fixed():
    assert CLINICDESK_POLICIES.policy("staff", "password_hash") == Policy.LAST_WRITER
    assert CLINICDESK_POLICIES.policy("staff", "username") == Policy.APPEND_ONLY
    assert CLINICDESK_POLICIES.policy("rooms", "centre_id") == Policy.LAST_WRITER  # a room can move centre
    assert CLINICDESK_POLICIES.policy("working_hours", "staff_id") == Policy.APPEND_ONLY
    assert not CLINICDESK_POLICIES.has_clinical_fields("services")
    assert CLINICDESK_POLICIES.is_append_only("stock_movements")
    assert not CLINICDESK_POLICIES.is_append_only("working_hours")  # replaced on every save: deletes travel


def test_a_link_row_id_joins_two_uuids_and_anything_else_is_refused():
    link = op("service_practitioners", f"{SERVICE}|{STAFF}", {"service_id": SERVICE, "staff_id": STAFF}, 1_000)
    assert validate_operation(link, CLINICDESK_POLICIES.schema()) == []
    for bad in (f"{SERVICE}|", f"{SERVICE}|{STAFF}|{NOTE}", f"{SERVICE}/{STAFF}", f"{SERVICE}|x"):
        wrong = op("service_practitioners", bad, {"service_id": SERVICE}, 1_000)
        assert any("row id" in problem for problem in validate_operation(wrong, CLINICDESK_POLICIES.schema()))


INVOICE, LEAD = "01900000-0000-7000-8000-0000000000a1", "01900000-0000-7000-8000-0000000000a2"


def test_an_issued_invoice_is_never_changed_and_never_deleted_at_hq():
    issued = op("invoices", INVOICE, {"number": "A1/25-26/0001", "total": "1180.00", "patient_id": "p1"}, 1_000)
    state = merge_row(None, issued, CLINICDESK_POLICIES).new_state
    edit = merge_row(state, op("invoices", INVOICE, {"total": "1000.00"}, 2_000, base={"total": issued.hlc}),
                     CLINICDESK_POLICIES)
    assert edit.result.outcome == Outcome.REJECTED and edit.new_state.values["total"] == "1180.00"
    assert CLINICDESK_POLICIES.is_append_only("payments") and CLINICDESK_POLICIES.is_append_only("invoice_lines")


def test_a_lead_moved_on_two_desks_takes_the_later_status_and_both_moves_stay_as_events():
    created = op("leads", LEAD, {"centre_id": "c1", "name": "Ravi", "status": "new", "source": "walk_in"}, 1_000)
    state = merge_row(None, created, CLINICDESK_POLICIES).new_state
    seen = {"status": created.hlc}
    later = merge_row(state, op("leads", LEAD, {"status": "contacted"}, 3_000, base=seen), CLINICDESK_POLICIES)
    earlier = merge_row(later.new_state, op("leads", LEAD, {"status": "hesitating"}, 2_000, node="desk-b",
                                            base=seen), CLINICDESK_POLICIES)
    assert earlier.result.outcome != Outcome.CONFLICT and not earlier.conflicts
    assert (earlier.new_state or later.new_state).values["status"] == "contacted"
    assert CLINICDESK_POLICIES.is_append_only("lead_events") and not CLINICDESK_POLICIES.is_append_only("leads")


def test_new_tables_validate_under_their_policies():
    schema = CLINICDESK_POLICIES.schema()
    fine = op("payments", INVOICE, {"invoice_id": INVOICE, "amount": "500.00", "method": "upi"}, 1_000)
    assert validate_operation(fine, schema) == []
    assert validate_operation(op("lead_assignment", LEAD, {"last_staff_id": "s1"}, 1_000), schema)  # per desk
    assert validate_operation(op("notification_messages", LEAD, {"status": "sent"}, 1_000), schema)  # per desk
