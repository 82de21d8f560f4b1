"""Wire-level sync values: one operation on one row, its per-operation result, and validation in words."""

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from clinicdesk.domain.sync.hlc import NODE_PATTERN, HlcStamp

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A row id is its row's UUID; a link row (a two-column key such as appointment + staff) joins its key's UUIDs with "|".
ROW_ID_PATTERN = re.compile(rf"{UUID_PATTERN.pattern}(?:\|{UUID_PATTERN.pattern})?")
MAX_FIELDS = 100
MAX_TEXT_CHARS = 100_000
MAX_NESTING = 4
_NAME_SHOWN_CHARS = 40


class OpKind(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class Outcome(StrEnum):
    APPLIED = "applied"  # took effect as written (or was already there: a repeat changes nothing)
    MERGED = "merged"  # combined with a concurrent change by policy, without needing a person
    CONFLICT = "conflict"  # a person must choose; both values are kept in a conflict record
    REJECTED = "rejected"  # changed nothing; shown to a person in "needs attention", never dropped


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Operation:
    """One change made on one device: an upsert of some fields of a row, or the row's deletion.

    `base` holds, per field, the stamp of the value the editing device had seen when it made the change (a field
    missing from `base` means the device had seen no value): this knowledge, not wall time, decides concurrency.
    """

    op_id: str
    table: str
    row_id: str
    kind: OpKind
    fields: Mapping[str, object]
    hlc: HlcStamp
    device_id: str
    base: Mapping[str, HlcStamp] = field(default_factory=dict)

    def __post_init__(self):
        # copies behind read-only views: a caller keeping the dicts it passed in cannot change a sent operation
        object.__setattr__(self, "fields", _frozen(self.fields))
        object.__setattr__(self, "base", _frozen(self.base))

    def __hash__(self) -> int:  # equal operations share id and stamp; the read-only mappings themselves cannot hash
        return hash((self.op_id, self.hlc))

    def to_wire(self) -> dict:
        """Plain JSON-ready dict (stamps as sortable strings)."""
        return {"op_id": self.op_id, "table": self.table, "row_id": self.row_id, "kind": str(self.kind),
                "fields": dict(self.fields), "hlc": self.hlc.to_string(), "device_id": self.device_id,
                "base": {name: stamp.to_string() for name, stamp in self.base.items()}}

    @classmethod
    def from_wire(cls, data: Mapping) -> "Operation":
        """Rebuild from `to_wire` output; a wrong shape raises ValueError naming the part (never the values)."""
        if not isinstance(data, Mapping):
            raise ValueError("an operation must be an object")
        missing = [key for key in ("op_id", "table", "row_id", "kind", "fields", "hlc", "device_id") if key not in data]
        if missing:
            raise ValueError(f"operation is missing {', '.join(missing)}")
        if not isinstance(data["kind"], str) or data["kind"] not in set(OpKind):
            raise ValueError("operation kind must be 'upsert' or 'delete'")
        if not isinstance(data["fields"], Mapping) or not isinstance(data.get("base", {}), Mapping):
            raise ValueError("operation fields and base must be objects")
        try:
            hlc = HlcStamp.parse(data["hlc"])
            base = {str(name): HlcStamp.parse(text) for name, text in data.get("base", {}).items()}
        except ValueError as error:
            raise ValueError(f"operation stamp: {error}") from None
        return cls(op_id=data["op_id"], table=data["table"], row_id=data["row_id"], kind=OpKind(data["kind"]),
                   fields=data["fields"], hlc=hlc, device_id=data["device_id"], base=base)


@dataclass(frozen=True)
class OperationResult:
    """What the server did with one operation; `reason` is a sentence for staff and never contains field values."""

    op_id: str
    outcome: Outcome
    reason: str = ""


def _shown(name: object) -> str:
    text = str(name)
    return repr(text if len(text) <= _NAME_SHOWN_CHARS else text[:_NAME_SHOWN_CHARS] + "...")


def _value_problem(value: object, depth: int = 0) -> str | None:
    if depth > MAX_NESTING:
        return f"nests lists or objects deeper than {MAX_NESTING} levels"
    if value is None or isinstance(value, bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "is not a finite number"
    if isinstance(value, str):
        return None if len(value) <= MAX_TEXT_CHARS else f"is longer than {MAX_TEXT_CHARS} characters"
    if isinstance(value, list | tuple):
        return next((p for p in (_value_problem(item, depth + 1) for item in value) if p), None)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            return "is an object whose keys are not all text"
        return next((p for p in (_value_problem(item, depth + 1) for item in value.values()) if p), None)
    return f"has a value of an unsupported type ({type(value).__name__})"


def validate_operation(op: Operation, schema: Mapping[str, Collection[str]]) -> list[str]:
    """Problems with `op` as sentences (empty when valid); `schema` maps each synced table to its synced fields."""
    problems = []
    if not isinstance(op.op_id, str) or not UUID_PATTERN.fullmatch(op.op_id):
        problems.append("operation id must be a lower-case UUID")
    if not isinstance(op.device_id, str) or not NODE_PATTERN.fullmatch(op.device_id):
        problems.append("device id must be 1 to 64 characters: letters, digits, '_', '.', ':' or '-'")
    if not isinstance(op.hlc, HlcStamp):
        problems.append("operation stamp is missing")
    elif op.hlc.node != op.device_id:
        problems.append("operation stamp must come from the device that sent it")
    if not isinstance(op.row_id, str) or not ROW_ID_PATTERN.fullmatch(op.row_id):
        problems.append("row id must be a lower-case UUID")  # a link row's: two joined by '|'
    allowed = schema.get(op.table) if isinstance(op.table, str) else None
    if allowed is None:
        problems.append(f"table {_shown(op.table)} is not synced")
        return problems
    if not isinstance(op.kind, str) or op.kind not in set(OpKind):
        problems.append("operation kind must be 'upsert' or 'delete'")
    elif op.kind == OpKind.DELETE and op.fields:
        problems.append("a delete carries no fields")
    elif op.kind == OpKind.UPSERT and not op.fields:
        problems.append("an upsert must change at least one field")
    if len(op.fields) > MAX_FIELDS:
        problems.append(f"an operation may change at most {MAX_FIELDS} fields")
        return problems
    for name, value in op.fields.items():
        if name not in allowed:
            problems.append(f"field {_shown(name)} is not synced for table {op.table!r}")
        elif (problem := _value_problem(value)) is not None:
            problems.append(f"field {name!r} {problem}")
    for name, stamp in op.base.items():
        if name not in allowed:
            problems.append(f"base names field {_shown(name)}, which is not synced for table {op.table!r}")
        elif not isinstance(stamp, HlcStamp):
            problems.append(f"base stamp for field {name!r} is not an HLC stamp")
        elif isinstance(op.hlc, HlcStamp) and not stamp < op.hlc:
            problems.append(f"base stamp for field {name!r} must be earlier than the operation's own stamp")
    return problems
