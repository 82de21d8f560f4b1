"""Consumable stock: items, received batches, taking for a session earliest expiry first, the low-stock list."""

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.stock import Batch, StockShort, allocate, expiring, is_low, on_hand
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_dto import StockLine
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models_therapy import StockBatchRow, StockItemRow, StockMovementRow

__all__ = ["StockShort", "low_stock", "receive_batch", "save_item", "stock_levels", "take"]
UNITS = ("ml", "g", "piece", "tablet")
_LABELS = {"code": "Code", "name": "Name", "unit": "Unit", "reorder_level": "Reorder level", "quantity": "Quantity",
           "batch_no": "Batch number", "expiry": "Expiry date"}


def _quantity(value, name: str, problems: dict) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        problems[name] = "must be a number"
        return Decimal(0)
    if quantity < 0 or quantity > Decimal("1000000") or quantity != quantity.quantize(Decimal("0.001")):
        problems[name] = "must be between 0 and 10,00,000 with at most three decimals"
    return quantity


def save_item(ctx: ServiceContext, centre_id: str, code: str, name: str, unit: str, reorder_level=0, *,
              item_id: str | None = None) -> tuple[str, Changes]:
    """Add a stock item (item_id None) or change one."""
    ctx.authorise(Action.STOCK_MANAGE, entity="stock_item", entity_id=item_id or "")
    problems: dict[str, str] = {}
    code = code.strip().upper()
    if not 1 <= len(code) <= 24 or not code.replace("-", "").isalnum():
        problems["code"] = "must be 1-24 letters, digits or hyphens, for example SESAME-OIL"
    if not name.strip() or len(name) > 120:
        problems["name"] = "is required (at most 120 characters)"
    if unit not in UNITS:
        problems["unit"] = "must be one of: " + ", ".join(UNITS)
    level = _quantity(reorder_level, "reorder_level", problems)
    if problems:
        raise ValidationError(problems, _LABELS)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        clash = session.scalar(select(StockItemRow.id).where(StockItemRow.centre_id == centre_id,
                                                             StockItemRow.code == code))
        if clash is not None and clash != item_id:
            raise ValidationError({"code": f"{code} is already a stock item at this centre"}, _LABELS)
        if item_id is None:
            row = StockItemRow(id=ctx.make_id(), centre_id=centre_id, created_at=now)
            session.add(row)
        else:
            row = session.get(StockItemRow, item_id)
            if row is None:
                raise NotFound("That stock item no longer exists.")
        row.code, row.name, row.unit, row.reorder_level, row.updated_at = code, name.strip(), unit, level, now
        session.flush()
        ctx.audit(session, "stock.item_save", entity="stock_item", entity_id=row.id)
        return row.id, Changes(stock=True)


def receive_batch(ctx: ServiceContext, item_id: str, batch_no: str, quantity, expiry: date | None) -> tuple[str,
                                                                                                         Changes]:
    """A delivery: a new batch with its expiry date, and its receipt in the ledger."""
    ctx.authorise(Action.STOCK_MANAGE, entity="stock_item", entity_id=item_id)
    problems: dict[str, str] = {}
    amount = _quantity(quantity, "quantity", problems)
    if amount == 0:
        problems["quantity"] = "must be more than zero"
    if not batch_no.strip() or len(batch_no) > 40:
        problems["batch_no"] = "is required (at most 40 characters)"
    if problems:
        raise ValidationError(problems, _LABELS)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        item = session.get(StockItemRow, item_id)
        if item is None:
            raise NotFound("That stock item no longer exists.")
        if expiry is not None and expiry < to_local(now, centre_zone(session, item.centre_id)).date():
            raise ValidationError({"expiry": "is already past; expired stock cannot be received"}, _LABELS)
        batch = StockBatchRow(id=ctx.make_id(), item_id=item.id, batch_no=batch_no.strip(), expiry=expiry,
                              received=amount, left=amount, received_at=now)
        session.add(batch)
        session.flush()
        session.add(StockMovementRow(id=ctx.make_id(), item_id=item.id, batch_id=batch.id, kind="receive",
                                     quantity=amount, at=now, by_staff_id=ctx.user.staff_id))
        ctx.audit(session, "stock.receive", entity="stock_item", entity_id=item.id, detail=f"batch {batch.id}")
        return batch.id, Changes(stock=True)


def _batches(session: Session, item_id: str) -> list[StockBatchRow]:
    return list(session.scalars(select(StockBatchRow).where(StockBatchRow.item_id == item_id)))


def _domain(rows: list[StockBatchRow]) -> list[Batch]:
    return [Batch(r.id, r.batch_no, r.expiry, r.left) for r in rows]


def take(ctx: ServiceContext, session: Session, centre_id: str, code: str, quantity: Decimal, *, session_id: str,
         step_no: int | None, today: date) -> list[tuple[str, Decimal]]:
    """Inside the caller's transaction: take from the earliest-expiring usable batches (StockShort when short)."""
    item = session.scalar(select(StockItemRow).where(StockItemRow.centre_id == centre_id, StockItemRow.code == code,
                                                     StockItemRow.active.is_(True)))
    if item is None:
        raise ValidationError({"materials": f"{code} is not a stock item at this centre; add it under Stock first"},
                              {"materials": "Materials"})
    rows = {r.id: r for r in _batches(session, item.id)}
    takes = allocate(_domain(list(rows.values())), quantity, today, item_name=item.name, unit=item.unit)
    for part in takes:
        rows[part.batch_id].left -= part.quantity
        session.add(StockMovementRow(id=ctx.make_id(), item_id=item.id, batch_id=part.batch_id, kind="use",
                                     quantity=-part.quantity, session_id=session_id, step_no=step_no, at=ctx.now(),
                                     by_staff_id=ctx.user.staff_id if ctx.user else None))
    return [(rows[p.batch_id].batch_no, p.quantity) for p in takes]


def _lines(session: Session, centre_id: str, today: date) -> list[StockLine]:
    items = session.scalars(select(StockItemRow).where(StockItemRow.centre_id == centre_id,
                                                       StockItemRow.active.is_(True)).order_by(StockItemRow.name))
    lines = []
    for item in items:
        batches = _domain(_batches(session, item.id))
        usable = on_hand(batches, today)
        lines.append(StockLine(
            item.id, item.code, item.name, item.unit, usable, sum((b.left for b in batches), Decimal(0)) - usable,
            item.reorder_level, is_low(batches, today, item.reorder_level),
            tuple((b.batch_no, b.expiry, b.left) for b in expiring(batches, today))))
    return lines


def stock_levels(ctx: ServiceContext, centre_id: str) -> list[StockLine]:
    """Every item with usable and expired quantities, the low flag and batches expiring within 30 days."""
    ctx.authorise(Action.THERAPY_VIEW, entity="stock_item")
    with ctx.unit_of_work() as session:
        return _lines(session, centre_id, to_local(ctx.now(), centre_zone(session, centre_id)).date())


def low_stock(ctx: ServiceContext, centre_id: str) -> list[StockLine]:
    """Items at or below their reorder level (expired stock does not count)."""
    ctx.authorise(Action.THERAPY_VIEW, entity="stock_item")
    with ctx.unit_of_work() as session:
        return [line for line in _lines(session, centre_id, to_local(ctx.now(), centre_zone(session,
                                                                                            centre_id)).date())
                if line.low]
