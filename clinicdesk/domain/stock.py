"""Consumable stock: batches with expiry, earliest-expiry-first allocation (never an expired batch), low stock."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clinicdesk.domain.errors import ClinicError


@dataclass(frozen=True)
class Batch:
    id: str
    batch_no: str
    expiry: date | None  # linen and other non-perishables have none
    left: Decimal


@dataclass(frozen=True)
class Take:
    batch_id: str
    quantity: Decimal


class StockShort(ClinicError):
    """Not enough usable stock; nothing was taken."""


def usable(batches: Iterable[Batch], today: date) -> list[Batch]:
    """Unexpired batches with something left, earliest expiry first (no expiry last), then by batch number.

    A batch is usable on its expiry date itself, as the label reads 'use before the end of'.
    """
    fresh = [b for b in batches if b.left > 0 and (b.expiry is None or b.expiry >= today)]
    return sorted(fresh, key=lambda b: (b.expiry is None, b.expiry or date.max, b.batch_no))


def allocate(batches: Iterable[Batch], quantity: Decimal, today: date, *, item_name: str, unit: str) -> list[Take]:
    """Which batches to take `quantity` from, earliest expiry first; StockShort with a sentence when it cannot."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    batches = list(batches)
    takes, needed = [], quantity
    for batch in usable(batches, today):
        part = min(batch.left, needed)
        takes.append(Take(batch.id, part))
        needed -= part
        if needed == 0:
            return takes
    available = quantity - needed
    expired = sum((b.left for b in batches if b.left > 0 and b.expiry is not None and b.expiry < today), Decimal(0))
    text = f"Only {_qty(available)} {unit} of {item_name} is in usable stock; {_qty(quantity)} {unit} is needed."
    if expired:
        text += f" {_qty(expired)} {unit} more is expired and must not be used; receive a new batch first."
    else:
        text += " Receive a new batch first, or record the quantity actually available."
    raise StockShort(text)


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def on_hand(batches: Iterable[Batch], today: date) -> Decimal:
    return sum((b.left for b in usable(batches, today)), Decimal(0))


def is_low(batches: Iterable[Batch], today: date, reorder_level: Decimal) -> bool:
    """Low when usable stock is at or below the reorder level (expired stock does not count)."""
    return on_hand(batches, today) <= reorder_level


def expiring(batches: Iterable[Batch], today: date, within_days: int = 30) -> list[Batch]:
    """Usable batches that expire within `within_days`: use them first or return them."""
    return [b for b in usable(batches, today) if b.expiry is not None and (b.expiry - today).days <= within_days]
