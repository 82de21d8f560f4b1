"""Hybrid logical clock: total order, sortable text, local events, merging remote stamps, clock-skew warnings."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinicdesk.domain.sync.hlc import MAX_COUNTER, MAX_WALL_MS, Hlc, HlcStamp, skew_warning
from tests.domain.sync.sync_builders import stamp

ORDERED = [  # each pair: earlier, later
    (stamp(1_000, 0, "desk-b"), stamp(1_001, 0, "desk-a")),  # wall time first
    (stamp(1_000, 1, "desk-z"), stamp(1_000, 2, "desk-a")),  # then the counter
    (stamp(1_000, 3, "desk-a"), stamp(1_000, 3, "desk-b")),  # equal wall and counter: the node breaks the tie
    (stamp(9, 999_999, "z"), stamp(10, 0, "a")),
]


@pytest.mark.parametrize(("earlier", "later"), ORDERED)
def test_stamps_are_ordered_by_wall_then_counter_then_node(earlier, later):
    assert earlier < later and not later < earlier and earlier != later


@pytest.mark.parametrize(("earlier", "later"), ORDERED)
def test_text_form_sorts_like_the_stamps_and_reads_back(earlier, later):
    assert earlier.to_string() < later.to_string()
    assert HlcStamp.parse(earlier.to_string()) == earlier
    assert HlcStamp.parse(later.to_string()) == later


stamps = st.builds(HlcStamp, st.integers(0, MAX_WALL_MS), st.integers(0, MAX_COUNTER),
                   st.text("ab-_.:09AZ", min_size=1, max_size=8))


@settings(max_examples=200, deadline=None)
@given(st.lists(stamps, min_size=2, max_size=8))
def test_any_stamps_sort_the_same_as_text_and_read_back(many):
    assert sorted(many, key=HlcStamp.to_string) == sorted(many)
    assert [HlcStamp.parse(s.to_string()) for s in many] == many


def test_text_form_is_fixed_width():
    assert stamp(1_764_158_400_000, 7, "desk-1").to_string() == "001764158400000-000007-desk-1"


@pytest.mark.parametrize("text", ["", "1764158400000-000007-desk-1", "001764158400000-7-desk-1",
                                  "001764158400000-000007-", "001764158400000-000007-desk 1", "abc", None, 12])
def test_malformed_text_is_refused_with_the_expected_shape(text):
    with pytest.raises(ValueError, match="an HLC stamp looks like|node must be"):
        HlcStamp.parse(text)


@pytest.mark.parametrize(("wall", "counter", "node", "message"), [
    (-1, 0, "a", "wall time"), (10**15, 0, "a", "wall time"), (1.5, 0, "a", "wall time"), (True, 0, "a", "wall"),
    (0, -1, "a", "counter"), (0, 10**6, "a", "counter"), (0, 0, "", "node"), (0, 0, "x" * 65, "node"),
    (0, 0, "désk", "node"),
])
def test_out_of_range_parts_are_refused(wall, counter, node, message):
    with pytest.raises(ValueError, match=message):
        HlcStamp(wall, counter, node)


def test_local_events_never_go_backwards_even_when_the_wall_clock_does():
    clock = Hlc("desk-a")
    first = clock.now(5_000)
    same_ms = clock.now(5_000)
    after_clock_moved_back = clock.now(1_000)
    later = clock.now(9_000)
    assert [s.wall_ms for s in (first, same_ms, after_clock_moved_back, later)] == [5_000, 5_000, 5_000, 9_000]
    assert [s.counter for s in (first, same_ms, after_clock_moved_back, later)] == [0, 1, 2, 0]
    assert first < same_ms < after_clock_moved_back < later


@pytest.mark.parametrize(("last", "remote", "wall", "expected"), [
    ((5_000, 4), (5_000, 9), 1_000, (5_000, 10)),  # same wall on both sides: past both counters
    ((5_000, 4), (3_000, 9), 1_000, (5_000, 5)),  # local ahead of remote and of the wall clock
    ((3_000, 4), (8_000, 2), 1_000, (8_000, 3)),  # remote ahead: its wall time, past its counter
    ((3_000, 4), (8_000, 2), 9_000, (9_000, 0)),  # the wall clock ahead of both: a fresh counter
])
def test_receiving_a_stamp_orders_later_events_after_it(last, remote, wall, expected):
    clock = Hlc("desk-a", last=stamp(*last, node="desk-a"))
    remote_stamp = stamp(*remote, node="desk-b")
    merged = clock.receive(remote_stamp, wall)
    assert (merged.wall_ms, merged.counter, merged.node) == (*expected, "desk-a")
    assert merged > remote_stamp and merged > stamp(*last, node="desk-a")
    assert clock.now(wall) > merged


def test_a_full_counter_borrows_the_next_millisecond():
    clock = Hlc("desk-a", last=stamp(5_000, 999_999))
    assert clock.now(5_000) == stamp(5_001, 0)


def test_a_saved_stamp_of_another_node_is_refused():
    with pytest.raises(ValueError, match="another node"):
        Hlc("desk-a", last=stamp(5_000, 0, "desk-b"))


@pytest.mark.parametrize(("local", "remote", "expected"), [
    (1_000_000, 1_000_000, None),
    (1_000_000 + 5 * 60_000, 1_000_000, None),  # exactly at the limit is tolerated
    (1_000_000 + 2 * 3_600_000 + 5 * 60_000, 1_000_000, "2 hours 5 minutes ahead of"),
    (1_000_000, 1_000_000 + 24 * 3_600_000 + 60_000, "1 day 1 minute behind"),
])
def test_skew_warning_names_the_size_and_direction(local, remote, expected):
    warning = skew_warning(local, remote)
    if expected is None:
        assert warning is None
    else:
        assert expected in warning and "system settings" in warning


def test_skew_limit_is_a_parameter():
    assert skew_warning(0, 90_000, limit_ms=60_000) == (
        "This device's clock is 1 minute behind the HQ server's clock. Set the correct date, time and time zone in "
        "the system settings. Sync still orders changes safely, but times shown on this device may be wrong.")
