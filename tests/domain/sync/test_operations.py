"""Sync operations: validation against the schema in words, wire round trip, and immutability once made."""

import math

import pytest

from clinicdesk.domain.sync.operations import Operation, OpKind, validate_operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from tests.domain.sync.sync_builders import PATIENT, delete, stamp, upsert

SCHEMA = CLINICDESK_POLICIES.schema()
SECRET = "Meera Pillai"  # stands for patient data: it must never appear in a problem message


def with_(op: Operation, **changes) -> Operation:
    parts = {name: getattr(op, name) for name in ("op_id", "table", "row_id", "kind", "fields", "hlc", "device_id",
                                                  "base")}
    return Operation(**{**parts, **changes})


VALID = upsert({"given_name": SECRET, "phone": "9847012345"}, stamp(2_000), base={"phone": stamp(1_000, node="hq")})


def test_a_well_formed_upsert_and_delete_have_no_problems():
    assert validate_operation(VALID, SCHEMA) == []
    assert validate_operation(delete(stamp(3_000)), SCHEMA) == []


@pytest.mark.parametrize(("changes", "problem"), [
    ({"table": "settings"}, "table 'settings' is not synced"),
    ({"table": None}, "table 'None' is not synced"),
    ({"row_id": "42"}, "row id must be a lower-case UUID"),
    ({"row_id": PATIENT.upper()}, "row id must be a lower-case UUID"),
    ({"op_id": ""}, "operation id must be a lower-case UUID"),
    ({"kind": "merge"}, "operation kind must be 'upsert' or 'delete'"),
    ({"kind": OpKind.DELETE}, "a delete carries no fields"),
    ({"fields": {}}, "an upsert must change at least one field"),
    ({"fields": {"password_hash": SECRET}}, "field 'password_hash' is not synced for table 'patients'"),
    ({"fields": {"given_name": {SECRET}}}, "field 'given_name' has a value of an unsupported type (set)"),
    ({"fields": {"given_name": math.nan}}, "field 'given_name' is not a finite number"),
    ({"fields": {"given_name": "x" * 100_001}}, "field 'given_name' is longer than 100000 characters"),
    ({"fields": {"given_name": [[[[[[SECRET]]]]]]}}, "field 'given_name' nests lists or objects deeper than 4 levels"),
    ({"fields": {"given_name": {1: SECRET}}}, "field 'given_name' is an object whose keys are not all text"),
    ({"device_id": "desk-b"}, "operation stamp must come from the device that sent it"),
    ({"device_id": "desk a"}, "device id must be 1 to 64 characters"),
    ({"base": {"phone": stamp(2_000)}}, "base stamp for field 'phone' must be earlier than the operation's own stamp"),
    ({"base": {"phone": stamp(9_000, node="hq")}}, "must be earlier than the operation's own stamp"),
    ({"base": {"secret_column": stamp(1_000)}}, "base names field 'secret_column', which is not synced"),
    ({"base": {"phone": "000000000001000-000000-hq"}}, "base stamp for field 'phone' is not an HLC stamp"),
    ({"hlc": None}, "operation stamp is missing"),
])
def test_each_problem_is_named_in_words_without_the_values(changes, problem):
    problems = validate_operation(with_(VALID, **changes), SCHEMA)
    assert any(problem in text for text in problems), problems
    assert not any(SECRET in text for text in problems)


def test_an_unknown_field_name_is_shortened_in_the_message():
    problems = validate_operation(with_(VALID, fields={"z" * 500: 1}), SCHEMA)
    assert problems == [f"field '{'z' * 40}...' is not synced for table 'patients'"]


def test_too_many_fields_is_one_problem():
    problems = validate_operation(with_(VALID, fields={f"f{i}": 1 for i in range(101)}), SCHEMA)
    assert problems == ["an operation may change at most 100 fields"]


def test_wire_form_round_trips():
    wire = VALID.to_wire()
    assert wire["hlc"] == "000000000002000-000000-desk-a"
    assert wire["base"] == {"phone": "000000000001000-000000-hq"}
    assert Operation.from_wire(wire) == VALID


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "merge"}, "kind must be"), ({"kind": ["upsert"]}, "kind must be"), ({"hlc": "yesterday"}, "stamp"),
    ({"base": {"phone": "x"}}, "stamp"), ({"fields": [1]}, "must be objects"), ({"op_id": None}, None),
])
def test_wire_form_errors_say_which_part(change, message):
    wire = {**VALID.to_wire(), **change}
    if message is None:  # a present but wrong value is a validation problem, not a parse error
        assert "operation id must be a lower-case UUID" in validate_operation(Operation.from_wire(wire), SCHEMA)
        return
    with pytest.raises(ValueError, match=message):
        Operation.from_wire(wire)


def test_missing_wire_keys_are_listed():
    with pytest.raises(ValueError, match="missing table, hlc"):
        Operation.from_wire({k: v for k, v in VALID.to_wire().items() if k not in ("table", "hlc")})
    with pytest.raises(ValueError, match="must be an object"):
        Operation.from_wire([])


def test_an_operation_cannot_change_after_it_is_made():
    fields = {"phone": "9847012345"}
    op = upsert(fields, stamp(2_000))
    fields["phone"] = "0000000000"
    assert op.fields == {"phone": "9847012345"}
    with pytest.raises(TypeError):
        op.fields["phone"] = "1"
    with pytest.raises(AttributeError):
        op.table = "appointments"
