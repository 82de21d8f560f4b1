"""Builders for sync tests: stamps, operations with readable defaults, and applying a stream of operations."""

import itertools
import uuid

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import RowState, merge_row
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES, PolicyTable

PATIENT = "0190a000-0000-7000-8000-000000000001"
NOTE = "0190a000-0000-7000-8000-0000000000aa"
_op_numbers = itertools.count(1)


def stamp(wall_ms: int, counter: int = 0, node: str = "desk-a") -> HlcStamp:
    return HlcStamp(wall_ms, counter, node)


def op_id(n: int) -> str:
    return str(uuid.UUID(int=(0x0190B << 108) | (0x7 << 76) | (0b10 << 62) | n))


def upsert(fields: dict, at: HlcStamp, *, base: dict | None = None, table: str = "patients", row_id: str = PATIENT,
           n: int | None = None) -> Operation:
    return Operation(op_id=op_id(n if n is not None else next(_op_numbers)), table=table,
                     row_id=row_id, kind=OpKind.UPSERT, fields=fields, hlc=at, device_id=at.node, base=base or {})


def delete(at: HlcStamp, *, base: dict | None = None, table: str = "patients", row_id: str = PATIENT) -> Operation:
    return Operation(op_id=op_id(next(_op_numbers)), table=table, row_id=row_id,
                     kind=OpKind.DELETE, fields={}, hlc=at, device_id=at.node, base=base or {})


def created_patient(at: HlcStamp | None = None, **fields) -> RowState:
    """A patient row as the server holds it after one device registered it."""
    at = at or stamp(1_000, node="hq")
    values = {"uhid": "CD-0001", "given_name": "Asha", "date_of_birth": "1980-02-01", "phone": "9847012345",
              "address_line": "MG Road", **fields}
    return merge_row(None, upsert(values, at), CLINICDESK_POLICIES).new_state


def apply_all(ops, state: RowState | None = None, policies: PolicyTable = CLINICDESK_POLICIES):
    """Apply operations in order; returns the final state and every outcome."""
    outcomes = []
    for op in ops:
        outcome = merge_row(state, op, policies)
        outcomes.append(outcome)
        state = outcome.new_state
    return state, outcomes
