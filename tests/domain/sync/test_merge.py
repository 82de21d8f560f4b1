"""Merge policies per field: ordinary edits, concurrent edits by policy, append-only rows, tombstones, repeats."""

import pytest

from clinicdesk.domain.sync.merge import ConflictKind, FieldVersion, RowState, merge_row
from clinicdesk.domain.sync.operations import Outcome
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES, Policy, PolicyTable
from tests.domain.sync.sync_builders import NOTE, PATIENT, apply_all, created_patient, delete, stamp, upsert

HQ = stamp(1_000, node="hq")  # when the patient was registered; every device has seen it


def test_a_new_row_is_applied_with_every_field_stamped():
    outcome = merge_row(None, upsert({"given_name": "Asha", "phone": "1"}, stamp(2_000)), CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.APPLIED
    assert dict(outcome.new_state.values) == {"given_name": "Asha", "phone": "1"}
    assert set(outcome.new_state.stamps.values()) == {stamp(2_000)}
    assert outcome.conflicts == () and outcome.loser_log == ()


@pytest.mark.parametrize("field", ["phone", "address_line", "given_name", "date_of_birth", "sex"])
def test_an_edit_made_after_seeing_the_current_value_simply_applies(field):
    # desk-b's wall clock says 500 ms; having seen the 1000 ms stamp its hybrid clock is past it anyway
    later = upsert({field: "new"}, stamp(1_000, 1, node="desk-b"), base={field: HQ})
    outcome = merge_row(created_patient(), later, CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.APPLIED
    assert outcome.new_state.values[field] == "new"
    assert outcome.conflicts == () and outcome.loser_log == ()


# Two devices both saw the registration (base HQ) and changed the same field offline.
CONCURRENT = [
    # field, policy, value A (at 2000 on desk-a), value B (at 3000 on desk-b), expected outcome of the later arrival
    ("phone", Policy.LAST_WRITER, "111", "222", Outcome.MERGED),
    ("address_line", Policy.LAST_WRITER, "Fort Kochi", "Kakkanad", Outcome.MERGED),
    ("given_name", Policy.CLINICAL, "Asha", "Aasha", Outcome.CONFLICT),
    ("date_of_birth", Policy.CLINICAL, "1980-02-01", "1980-01-02", Outcome.CONFLICT),
]


@pytest.mark.parametrize(("field", "policy", "value_a", "value_b", "second_outcome"), CONCURRENT)
@pytest.mark.parametrize("a_first", [True, False])
def test_concurrent_edits_end_the_same_in_either_order(field, policy, value_a, value_b, second_outcome, a_first):
    assert CLINICDESK_POLICIES.policy("patients", field) == policy
    op_a = upsert({field: value_a}, stamp(2_000, node="desk-a"), base={field: HQ})
    op_b = upsert({field: value_b}, stamp(3_000, node="desk-b"), base={field: HQ})
    state, outcomes = apply_all([op_a, op_b] if a_first else [op_b, op_a], created_patient())
    assert state.values[field] == value_b and state.stamps[field] == op_b.hlc  # the same on every replica
    assert [o.result.outcome for o in outcomes] == [Outcome.APPLIED, second_outcome]
    older, newer = FieldVersion(value_a, op_a.hlc), FieldVersion(value_b, op_b.hlc)
    if policy == Policy.CLINICAL:
        [conflict] = outcomes[1].conflicts
        assert (conflict.field, conflict.kind, conflict.versions) == (field, ConflictKind.CONCURRENT_EDIT,
                                                                      (older, newer))
        assert conflict.versions[0].stamp.node == "desk-a" and conflict.versions[0].stamp.wall_ms == 2_000
        assert outcomes[1].loser_log == ()
        assert field.replace("_", " ") in outcomes[1].result.reason.lower()
        assert value_a not in outcomes[1].result.reason and value_b not in outcomes[1].result.reason
    else:
        [entry] = outcomes[1].loser_log
        assert (entry.field, entry.lost, entry.kept) == (field, older, newer)
        assert outcomes[1].conflicts == ()


def test_the_conflict_is_the_same_record_whichever_edit_arrives_first():
    op_a = upsert({"sex": "female"}, stamp(2_000, node="desk-a"), base={"sex": HQ})
    op_b = upsert({"sex": "other"}, stamp(3_000, node="desk-b"), base={"sex": HQ})
    _, ab = apply_all([op_a, op_b], created_patient())
    _, ba = apply_all([op_b, op_a], created_patient())
    assert ab[1].conflicts == ba[1].conflicts and ab[1].conflicts[0].key == ba[1].conflicts[0].key


def test_equal_wall_time_and_counter_is_decided_by_node_in_both_orders():
    op_a = upsert({"phone": "111"}, stamp(2_000, 0, "desk-a"), base={"phone": HQ})
    op_b = upsert({"phone": "222"}, stamp(2_000, 0, "desk-b"), base={"phone": HQ})
    for order in ([op_a, op_b], [op_b, op_a]):
        state, outcomes = apply_all(order, created_patient())
        assert state.values["phone"] == "222"
        assert outcomes[1].loser_log[0].lost == FieldVersion("111", op_a.hlc)


def test_an_edit_that_did_not_see_the_current_value_is_concurrent_even_with_a_later_wall_clock():
    seen_by_b = upsert({"given_name": "Asha K"}, stamp(2_000, node="desk-a"), base={"given_name": HQ})
    b_edit = upsert({"given_name": "Asha M"}, stamp(9_000_000, node="desk-b"), base={"given_name": HQ})
    _, outcomes = apply_all([seen_by_b, b_edit], created_patient())
    assert outcomes[1].result.outcome == Outcome.CONFLICT


def test_concurrent_edits_to_the_same_value_merge_quietly():
    op_a = upsert({"given_name": "Aasha"}, stamp(2_000, node="desk-a"), base={"given_name": HQ})
    op_b = upsert({"given_name": "Aasha"}, stamp(3_000, node="desk-b"), base={"given_name": HQ})
    for order in ([op_a, op_b], [op_b, op_a]):
        state, outcomes = apply_all(order, created_patient())
        assert outcomes[1].result.outcome == Outcome.MERGED
        assert outcomes[1].conflicts == () and outcomes[1].loser_log == ()
        assert state.stamps["given_name"] == op_b.hlc


def test_one_and_true_are_different_values():
    op_a = upsert({"approval_pending": 1}, stamp(2_000, node="desk-a"), table="appointments")
    op_b = upsert({"approval_pending": True}, stamp(3_000, node="desk-b"), table="appointments")
    _, outcomes = apply_all([op_a, op_b])
    assert outcomes[1].result.outcome == Outcome.CONFLICT


def test_one_operation_mixing_policies_reports_the_strongest_outcome():
    first = upsert({"phone": "111", "given_name": "Asha K"}, stamp(2_000, node="desk-a"),
                   base={"phone": HQ, "given_name": HQ})
    second = upsert({"phone": "222", "given_name": "Asha M", "city": "Kochi"}, stamp(3_000, node="desk-b"),
                    base={"phone": HQ, "given_name": HQ})
    state, outcomes = apply_all([first, second], created_patient())
    assert outcomes[1].result.outcome == Outcome.CONFLICT
    assert len(outcomes[1].conflicts) == 1 and len(outcomes[1].loser_log) == 1
    assert state.values["city"] == "Kochi"


@pytest.mark.parametrize("make_op", [
    lambda: upsert({"phone": "111", "given_name": "Aasha"}, stamp(2_000), base={"phone": HQ, "given_name": HQ}),
    lambda: upsert({"phone": "111", "given_name": "Aasha"}, stamp(2_000)),  # concurrent: conflict and loser log
    lambda: upsert({"phone": "111"}, stamp(500)),  # loses to the registration
    lambda: delete(stamp(2_000)),
    lambda: upsert({"uhid": "CD-9"}, stamp(2_000)),  # rejected
])
def test_applying_the_same_operation_again_changes_nothing(make_op):
    op = make_op()
    first = merge_row(created_patient(), op, CLINICDESK_POLICIES)
    again = merge_row(first.new_state, op, CLINICDESK_POLICIES)
    assert again.new_state == first.new_state
    assert {c.key for c in again.conflicts} <= {c.key for c in first.conflicts}  # stored by key: once
    assert {e.key for e in again.loser_log} <= {e.key for e in first.loser_log}


def test_a_repeated_operation_that_took_effect_reports_applied_and_no_records():
    op = upsert({"given_name": "Aasha"}, stamp(2_000))  # concurrent with the registration, but newer
    first = merge_row(created_patient(), op, CLINICDESK_POLICIES)
    again = merge_row(first.new_state, op, CLINICDESK_POLICIES)
    assert first.result.outcome == Outcome.CONFLICT
    assert (again.result.outcome, again.conflicts, again.loser_log) == (Outcome.APPLIED, (), ())


# -- append-only ---------------------------------------------------------------------------------------------------

NOTE_FIELDS = {"consultation_id": "c1", "version": 1, "status": "draft", "content_hash": "ab", "written_by": "s1"}


def test_append_only_rows_are_inserted_and_a_repeat_is_harmless():
    insert = upsert(NOTE_FIELDS, stamp(2_000), table="clinical_notes", row_id=NOTE)
    state, outcomes = apply_all([insert, insert])
    assert [o.result.outcome for o in outcomes] == [Outcome.APPLIED, Outcome.APPLIED]
    assert dict(state.values) == NOTE_FIELDS


@pytest.mark.parametrize(("op", "reason"), [
    (upsert({"content_hash": "ff"}, stamp(3_000), table="clinical_notes", row_id=NOTE,
            base={"content_hash": stamp(2_000)}), "Content hash of clinical notes is fixed when the record is created"),
    (delete(stamp(3_000), table="clinical_notes", row_id=NOTE), "append-only and are never deleted"),
    (upsert({"uhid": "CD-2", "centre_id": "x"}, stamp(3_000), table="clinical_notes", row_id=NOTE),
     "not synced for table 'clinical_notes'"),
])
def test_changing_or_deleting_an_append_only_row_is_rejected_and_changes_nothing(op, reason):
    state, _ = apply_all([upsert(NOTE_FIELDS, stamp(2_000), table="clinical_notes", row_id=NOTE)])
    outcome = merge_row(state, op, CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.REJECTED and reason in outcome.result.reason
    assert outcome.new_state == state and outcome.conflicts == () and outcome.loser_log == ()


@pytest.mark.parametrize("a_first", [True, False])
def test_one_fixed_row_created_on_two_devices_with_the_same_values_merges_in_either_order(a_first):
    """A row whose id derives from its content (an intake form version) is created offline on two desks."""
    from_a = upsert(NOTE_FIELDS, stamp(2_000, node="desk-a"), table="clinical_notes", row_id=NOTE)
    from_b = upsert(NOTE_FIELDS, stamp(2_500, node="desk-b"), table="clinical_notes", row_id=NOTE)
    state, outcomes = apply_all([from_a, from_b] if a_first else [from_b, from_a])
    assert [o.result.outcome for o in outcomes] == [Outcome.APPLIED, Outcome.MERGED]
    assert dict(state.values) == NOTE_FIELDS
    assert set(state.stamps.values()) == {stamp(2_500, node="desk-b")}  # the same stamps whatever the order
    different = upsert(NOTE_FIELDS | {"content_hash": "cd"}, stamp(3_000, node="desk-c"), table="clinical_notes",
                       row_id=NOTE)
    assert merge_row(state, different, CLINICDESK_POLICIES).result.outcome == Outcome.REJECTED


def test_fields_fixed_at_creation_cannot_change_on_a_row_that_is_otherwise_editable():
    outcome = merge_row(created_patient(), upsert({"uhid": "CD-2", "phone": "1"}, stamp(3_000), base={"uhid": HQ}),
                        CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.REJECTED
    assert outcome.result.reason.startswith("Uhid of patients is fixed when the record is created")
    assert outcome.new_state == created_patient()


def test_an_invalid_operation_for_a_new_row_is_rejected_with_no_state():
    outcome = merge_row(None, upsert({"nope": 1}, stamp(2_000)), CLINICDESK_POLICIES)
    assert outcome.new_state is None and outcome.result.outcome == Outcome.REJECTED
    assert outcome.result.reason == "Field 'nope' is not synced for table 'patients'."


def test_an_operation_for_another_row_is_a_programming_error():
    with pytest.raises(ValueError, match="different row"):
        merge_row(created_patient(), upsert({"phone": "1"}, stamp(2_000), row_id=NOTE), CLINICDESK_POLICIES)


# -- tombstones ----------------------------------------------------------------------------------------------------

def test_a_delete_that_saw_everything_leaves_a_tombstone_with_the_values_kept():
    outcome = merge_row(created_patient(), delete(stamp(5_000), base={"given_name": HQ}), CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.APPLIED
    assert outcome.new_state.is_deleted and outcome.new_state.deleted == stamp(5_000)
    assert outcome.new_state.values["given_name"] == "Asha"


def test_an_older_edit_arriving_after_the_delete_does_not_bring_the_row_back():
    deleted = merge_row(created_patient(), delete(stamp(5_000)), CLINICDESK_POLICIES).new_state
    outcome = merge_row(deleted, upsert({"phone": "222"}, stamp(4_000, node="desk-b"), base={"phone": HQ}),
                        CLINICDESK_POLICIES)
    assert outcome.result.outcome == Outcome.MERGED and "does not bring it back" in outcome.result.reason
    assert outcome.new_state.is_deleted and outcome.new_state.values["phone"] == "222"
    assert outcome.conflicts == ()


@pytest.mark.parametrize("delete_first", [True, False])
def test_an_edit_later_than_the_delete_of_a_clinical_row_is_a_conflict_in_either_order(delete_first):
    removal = delete(stamp(5_000), base={"phone": HQ})
    edit = upsert({"phone": "222"}, stamp(6_000, node="desk-b"), base={"phone": HQ})
    state, outcomes = apply_all([removal, edit] if delete_first else [edit, removal], created_patient())
    assert state.is_deleted and state.values["phone"] == "222"
    [conflict] = outcomes[1].conflicts
    assert conflict.kind == ConflictKind.EDITED_AFTER_DELETE and conflict.field is None
    assert conflict.versions == (FieldVersion(None, removal.hlc), FieldVersion({"phone": "222"}, edit.hlc))
    assert outcomes[1].result.outcome == Outcome.CONFLICT


@pytest.mark.parametrize("later_first", [True, False])
def test_two_deletes_keep_the_later_tombstone(later_first):
    first, second = delete(stamp(5_000)), delete(stamp(6_000, node="desk-b"))
    state, outcomes = apply_all([second, first] if later_first else [first, second], created_patient())
    assert state.deleted == second.hlc
    assert outcomes[1].result.outcome == (Outcome.MERGED if later_first else Outcome.APPLIED)


def test_a_delete_of_a_row_never_seen_leaves_a_tombstone_so_a_late_copy_stays_deleted():
    removal = delete(stamp(5_000))
    tombstone = merge_row(None, removal, CLINICDESK_POLICIES).new_state
    assert tombstone == RowState("patients", PATIENT, deleted=removal.hlc)
    late = merge_row(tombstone, upsert({"phone": "1"}, stamp(4_000)), CLINICDESK_POLICIES)
    assert late.new_state.is_deleted and late.result.outcome == Outcome.MERGED


def test_in_a_table_without_clinical_fields_a_later_edit_after_delete_is_kept_quietly():
    rooms = PolicyTable({"rooms": {"name": Policy.LAST_WRITER}})
    state, outcomes = apply_all([upsert({"name": "A"}, stamp(1_000), table="rooms"),
                                 delete(stamp(5_000), table="rooms"),
                                 upsert({"name": "B"}, stamp(6_000, node="desk-b"), table="rooms")], policies=rooms)
    assert state.is_deleted and state.values["name"] == "B"
    assert outcomes[2].result.outcome == Outcome.MERGED and outcomes[2].conflicts == ()


# -- the default policy table ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "field", "policy"), [
    ("patients", "given_name", Policy.CLINICAL), ("patients", "date_of_birth", Policy.CLINICAL),
    ("patients", "sex", Policy.CLINICAL), ("patient_allergies", "substance", Policy.CLINICAL),
    ("appointments", "start_at", Policy.CLINICAL), ("appointments", "status", Policy.CLINICAL),
    ("patients", "phone", Policy.LAST_WRITER), ("patients", "address_line", Policy.LAST_WRITER),
    ("appointments", "room_id", Policy.LAST_WRITER), ("clinical_notes", "content_hash", Policy.APPEND_ONLY),
    ("prescription_items", "drug_name", Policy.APPEND_ONLY), ("session_events", "to_status", Policy.APPEND_ONLY),
    ("patient_consents", "given_at", Policy.APPEND_ONLY),
])
def test_the_clinicdesk_policy_table_follows_the_design(table, field, policy):
    assert CLINICDESK_POLICIES.policy(table, field) == policy


def test_an_unknown_policy_or_append_only_table_is_refused():
    with pytest.raises(ValueError, match="rooms.name"):
        PolicyTable({"rooms": {"name": "whatever"}})
    with pytest.raises(ValueError, match="without policies: notes"):
        PolicyTable({"rooms": {"name": Policy.LAST_WRITER}}, append_only_tables=["notes"])


def test_patients_and_appointments_may_be_deleted_notes_and_consents_not():
    assert not CLINICDESK_POLICIES.is_append_only("patients")
    assert not CLINICDESK_POLICIES.is_append_only("appointments")
    assert CLINICDESK_POLICIES.is_append_only("clinical_notes")
    assert CLINICDESK_POLICIES.is_append_only("patient_consents")
