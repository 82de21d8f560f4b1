"""A tiny offline-first world for property tests: devices with skewed clocks editing offline, and a server."""

from dataclasses import dataclass, field

from clinicdesk.domain.sync.hlc import Hlc, HlcStamp
from clinicdesk.domain.sync.merge import Conflict, LoserEntry, RowState, merge_row
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from tests.domain.sync.sync_builders import op_id

EDITABLE = ("given_name", "date_of_birth", "phone", "address_line")  # two clinical, two low-risk fields
VALUES = {"given_name": ("Asha", "Aasha", "Asha M"), "date_of_birth": ("1980-02-01", "1980-01-02"),
          "phone": ("9847012345", "9847012346", "9847012347"), "address_line": ("MG Road", "Fort Kochi")}
ACTIONS = ("edit", "edit", "edit", "edit", "delete", "create", "note", "bad", "resend")
START_MS = 1_764_000_000_000


def row_uuid(n: int, kind: int) -> str:
    return f"0190{kind:04x}-0000-7000-8000-{n:012x}"


@dataclass(frozen=True)
class Sent:
    """An operation plus what its author had seen when making it (test bookkeeping, not sent anywhere)."""

    op: Operation
    seen: frozenset[str]
    expect_rejected: bool = False


@dataclass
class World:
    """Numbers shared by every device, so ids never collide and true time only moves forward."""

    true_ms: int = START_MS
    next_number: int = 1

    def number(self) -> int:
        self.next_number += 1
        return self.next_number


@dataclass
class Device:
    name: str
    skew_ms: int
    clock: Hlc = None
    knowledge: dict = field(default_factory=dict)  # (table, row_id) -> {field: (value, stamp)}
    gone: set = field(default_factory=set)  # rows this device knows are deleted
    seen: set = field(default_factory=set)  # op ids whose effects this device has seen
    sent: list = field(default_factory=list)

    def __post_init__(self):
        self.clock = Hlc(self.name)

    def pull(self, state: dict[tuple, RowState], op_ids: set[str], world: World) -> None:
        """Take the server's state, as after a full sync."""
        self.knowledge = {key: {f: (row.values[f], row.stamps[f]) for f in row.stamps} for key, row in state.items()}
        self.gone = {key for key, row in state.items() if row.is_deleted}
        self.seen |= op_ids
        stamps = [s for row in state.values() for s in (*row.stamps.values(), row.deleted) if s is not None]
        if stamps:
            self.clock.receive(max(stamps), world.true_ms + self.skew_ms)
        self.sent = []

    def act(self, action: tuple, world: World) -> None:
        kind, pick, fields, value_pick, step_ms, jitter_ms = action
        world.true_ms += step_ms
        at = self.clock.now(max(0, world.true_ms + self.skew_ms + jitter_ms))
        patients = sorted(k for k in self.knowledge if k[0] == "patients" and k not in self.gone)
        notes = sorted(k for k in self.knowledge if k[0] == "clinical_notes")
        if (kind == "resend" and not self.sent) or (kind in ("edit", "delete") and not patients):
            kind = "create"
        if kind == "resend":
            self.sent.append(self.sent[pick % len(self.sent)])  # a batch sent again after a lost reply
        elif kind == "create" or (kind == "bad" and not notes + patients):
            n = world.number()
            values = {f: VALUES[f][(value_pick + n) % len(VALUES[f])] for f in EDITABLE}
            self._send(("patients", row_uuid(n, 1)), OpKind.UPSERT, {"uhid": f"CD-{n:04d}", **values}, {}, at, world)
        elif kind == "note":
            fields_ = {"consultation_id": "c1", "version": 1, "status": "draft", "written_by": self.name}
            self._send(("clinical_notes", row_uuid(world.number(), 2)), OpKind.UPSERT, fields_, {}, at, world)
        elif kind == "bad":
            key = (notes + patients)[pick % len(notes + patients)]
            field_ = "version" if key[0] == "clinical_notes" else "uhid"
            base = {field_: self.knowledge[key][field_][1]}
            self._send(key, OpKind.UPSERT, {field_: "changed"}, base, at, world, expect_rejected=True)
        elif kind == "delete":
            key = patients[pick % len(patients)]
            base = {f: stamp for f, (_, stamp) in self.knowledge[key].items()}
            self._send(key, OpKind.DELETE, {}, base, at, world)
            self.gone.add(key)
        else:
            key = patients[pick % len(patients)]
            values = {f: VALUES[f][(value_pick + i) % len(VALUES[f])] for i, f in enumerate(fields)}
            base = {f: self.knowledge[key][f][1] for f in fields if f in self.knowledge[key]}
            self._send(key, OpKind.UPSERT, values, base, at, world)

    def _send(self, key, kind, values, base, at: HlcStamp, world: World, expect_rejected=False) -> None:
        op = Operation(op_id(world.number()), key[0], key[1], kind, values, at, self.name, base)
        self.sent.append(Sent(op, frozenset(self.seen), expect_rejected))
        if not expect_rejected:
            known = self.knowledge.setdefault(key, {})
            known.update({f: (v, at) for f, v in values.items()})
            self.seen.add(op.op_id)


@dataclass
class ServerRun:
    """What one server saw when applying operations in one particular order."""

    state: dict
    conflicts: list[Conflict] = field(default_factory=list)
    losers: list[LoserEntry] = field(default_factory=list)
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)

    def apply(self, sent_in_order: list[Sent]) -> "ServerRun":
        for sent in sent_in_order:
            key = (sent.op.table, sent.op.row_id)
            outcome = merge_row(self.state.get(key), sent.op, CLINICDESK_POLICIES)
            if outcome.new_state is not None:
                self.state[key] = outcome.new_state
            self.conflicts += outcome.conflicts
            self.losers += outcome.loser_log
            self.outcomes.setdefault(sent.op.op_id, []).append(outcome.result.outcome)
        return self


def interleave(outboxes: list[list[Sent]], device_order: list[int]) -> list[Sent]:
    """Merge outboxes in the given device order, each outbox staying first-in first-out (as a real outbox does)."""
    positions = [0] * len(outboxes)
    merged = []
    for device in device_order:
        merged.append(outboxes[device][positions[device]])
        positions[device] += 1
    return merged


def unaccounted_edits(everything: list[Sent], run: ServerRun) -> list[str]:
    """Edits neither in the final state, nor in a conflict or loser record, nor replaced by someone who saw them."""
    rejected = {s.op.op_id for s in everything if Outcome.REJECTED in run.outcomes[s.op.op_id]}
    accepted = [s for s in everything if s.op.op_id not in rejected]
    writes = {}  # (table, row, field, value) -> op ids that wrote it
    for s in accepted:
        for f, v in s.op.fields.items():
            writes.setdefault((s.op.table, s.op.row_id, f, repr(v)), set()).add(s.op.op_id)
    missing = []
    for s in accepted:
        op = s.op
        row = run.state[(op.table, op.row_id)]
        if op.kind == OpKind.DELETE:
            if row.deleted is None or row.deleted < op.hlc:
                missing.append(f"delete {op.op_id}")
            continue
        for f, v in op.fields.items():
            # Two devices that typed the same value concurrently are merged into one version (with the later
            # stamp), so a value is looked for by value: it may be recorded under the other device's stamp.
            if f in row.values and repr(row.values[f]) == repr(v):
                continue
            if any(c.row_id == op.row_id and c.field == f and repr(v) in [repr(x.value) for x in c.versions]
                   for c in run.conflicts):
                continue
            if any(e.row_id == op.row_id and e.field == f and repr(v) in (repr(e.lost.value), repr(e.kept.value))
                   for e in run.losers):
                continue
            same_value_writers = writes[(op.table, op.row_id, f, repr(v))]
            if any(f in later.op.fields and later.op.row_id == op.row_id and later.seen & same_value_writers
                   for later in accepted):
                continue  # replaced by someone who had seen this value (that later write is checked in turn)
            missing.append(f"{op.table}.{f} from {op.device_id} at {op.hlc}")
    return missing
