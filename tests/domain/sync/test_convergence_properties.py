"""Property: 2-3 devices with skewed clocks edit, delete, create and repeat offline; the server applies their
outboxes in any interleaving and ends in the same state, with every edit kept, logged, or knowingly replaced.

Two rounds: after the first, every device pulls the server state, so the second round replaces values that other
devices wrote. About 200 random worlds per run (a few seconds).
"""

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome
from tests.domain.sync.sync_builders import op_id
from tests.domain.sync.sync_simulation import (
    ACTIONS,
    EDITABLE,
    START_MS,
    VALUES,
    Device,
    Sent,
    ServerRun,
    World,
    interleave,
    row_uuid,
    unaccounted_edits,
)

SKEWS_MS = (0, 40_000, -90_000, 11 * 60_000, -3 * 3_600_000, 2 * 86_400_000)
action = st.tuples(st.sampled_from(ACTIONS), st.integers(0, 20), st.lists(st.sampled_from(EDITABLE), min_size=1,
                   max_size=3, unique=True), st.integers(0, 5), st.integers(0, 3_000), st.integers(-2_000, 2_000))
device_plans = st.lists(st.lists(action, max_size=6), min_size=2, max_size=3)


def seed() -> tuple[list[Sent], ServerRun]:
    """Two patients registered at HQ before the devices went offline."""
    sent = []
    for n in (1, 2):
        values = {"uhid": f"CD-HQ{n}", **{f: VALUES[f][0] for f in EDITABLE}}
        op = Operation(op_id(10_000 + n), "patients", row_uuid(n, 0), OpKind.UPSERT, values,
                       HlcStamp(START_MS - 60_000, n, "hq"), "hq")
        sent.append(Sent(op, frozenset()))
    return sent, ServerRun({}).apply(sent)


def orders(data, outboxes) -> list[list[int]]:
    labels = [device for device, box in enumerate(outboxes) for _ in box]
    by_device = labels
    reversed_devices = sorted(labels, reverse=True)
    drawn = [data.draw(st.permutations(labels)) for _ in range(2)]
    return [by_device, reversed_devices, *drawn]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(round_one=device_plans, round_two=device_plans, skews=st.lists(st.sampled_from(SKEWS_MS), min_size=3,
       max_size=3), data=st.data())
def test_any_interleaving_converges_and_nothing_is_lost(round_one, round_two, skews, data):
    world = World()
    everything, seed_run = seed()
    state = seed_run.state
    devices = [Device(name, skew) for name, skew in zip(("desk-a", "desk-b", "tab-c"), skews, strict=False)]
    runs = None
    for plans in (round_one, round_two):
        for device in devices:
            device.pull(state, {s.op.op_id for s in everything}, world)
        for device, plan in zip(devices, plans, strict=False):
            for step in plan:
                device.act(step, world)
        outboxes = [device.sent for device in devices]
        previous = runs or [seed_run] * 4
        runs = [ServerRun(dict(before.state), list(before.conflicts), list(before.losers),
                          {k: list(v) for k, v in before.outcomes.items()}).apply(interleave(outboxes, order))
                for before, order in zip(previous, orders(data, outboxes), strict=True)]
        everything += [s for box in outboxes for s in dict.fromkeys(box)]
        assert all(run.state == runs[0].state for run in runs[1:])  # every server order ends identical
        state = runs[0].state
    kinds = {c.kind for c in runs[0].conflicts}
    event(f"conflict kinds: {sorted(kinds)}; loser entries: {bool(runs[0].losers)}")
    event(f"deleted rows: {sum(row.is_deleted for row in state.values())}")
    for run in runs:
        assert unaccounted_edits(everything, run) == []
        for sent in everything:  # every operation got an answer; only the invalid ones were rejected
            outcomes = run.outcomes[sent.op.op_id]
            assert (Outcome.REJECTED in outcomes) == sent.expect_rejected
