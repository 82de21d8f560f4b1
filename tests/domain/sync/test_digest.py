"""The per-table count-and-hash that HQ and a device compare after a sync."""

from clinicdesk.domain.sync.digest import table_digest
from clinicdesk.domain.sync.hlc import HlcStamp

A, B = "018f0000-0000-7000-8000-00000000000a", "018f0000-0000-7000-8000-00000000000b"
S1, S2 = HlcStamp(1_000, 0, "desk"), HlcStamp(2_000, 0, "tablet")


def test_the_same_rows_in_any_order_and_as_stamps_or_text_give_the_same_digest():
    as_stamps = table_digest([(A, {"phone": S1, "sex": S2}, None), (B, {"phone": S2}, S2)])
    as_text = table_digest([(B, {"phone": S2.to_string()}, S2.to_string()),
                            (A, {"sex": S2.to_string(), "phone": S1.to_string()}, None)])
    assert as_stamps == as_text
    assert (as_stamps.rows, as_stamps.deleted) == (2, 1)


def test_a_different_stamp_tombstone_or_row_changes_the_digest():
    base = table_digest([(A, {"phone": S1}, None)])
    for other in ([(A, {"phone": S2}, None)], [(A, {"phone": S1}, S2)], [(B, {"phone": S1}, None)],
                  [(A, {"phone": S1, "email": S1}, None)], []):
        assert table_digest(other).sha256 != base.sha256
