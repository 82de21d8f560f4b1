"""Stock allocation: earliest expiry first, expired batches never used, short stock refused with a sentence."""

from datetime import date
from decimal import Decimal

import pytest

from clinicdesk.domain.stock import Batch, StockShort, Take, allocate, expiring, is_low, on_hand

TODAY = date(2026, 12, 2)
B = [Batch("late", "B-3", date(2027, 6, 1), Decimal(500)),
     Batch("soon", "B-2", date(2026, 12, 20), Decimal(100)),
     Batch("gone", "B-1", date(2026, 12, 1), Decimal(800)),
     Batch("empty", "B-0", date(2026, 12, 5), Decimal(0)),
     Batch("linen", "L-1", None, Decimal(50))]


@pytest.mark.parametrize(("quantity", "takes"), [
    (Decimal(40), [Take("soon", Decimal(40))]),
    (Decimal(100), [Take("soon", Decimal(100))]),
    (Decimal(150), [Take("soon", Decimal(100)), Take("late", Decimal(50))]),
    (Decimal(630), [Take("soon", Decimal(100)), Take("late", Decimal(500)), Take("linen", Decimal(30))]),
])
def test_earliest_expiry_first_and_never_expired(quantity, takes):
    assert allocate(B, quantity, TODAY, item_name="Oil", unit="ml") == takes


def test_a_batch_is_usable_on_its_expiry_day():
    assert allocate(B, Decimal(10), date(2026, 12, 1), item_name="Oil", unit="ml") == [Take("gone", Decimal(10))]


@pytest.mark.parametrize(("batches", "words"), [
    (B, "Only 650 ml of Oil is in usable stock; 700 ml is needed. 800 ml more is expired"),
    (B[:1], "Only 500 ml of Oil .* Receive a new batch first, or record"),
])
def test_short_stock_is_refused(batches, words):
    with pytest.raises(StockShort, match=words):
        allocate(batches, Decimal(700), TODAY, item_name="Oil", unit="ml")


def test_levels_low_flag_and_expiring_batches():
    assert on_hand(B, TODAY) == 650
    assert is_low(B, TODAY, Decimal(650)) and not is_low(B, TODAY, Decimal(649))
    assert is_low(B[2:3], TODAY, Decimal(1))  # only expired stock left counts as none
    assert [b.id for b in expiring(B, TODAY)] == ["soon"]
