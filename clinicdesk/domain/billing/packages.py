"""Packages (a Panchakarma course as a bundle of sessions, materials and stay) and their instalment plans."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.billing.money import PAISA, ZERO, money
from clinicdesk.domain.errors import ValidationError

MAX_INSTALMENTS = 24


class ItemKind(StrEnum):
    SESSION = "session"
    MATERIAL = "material"
    STAY = "stay"


@dataclass(frozen=True)
class PackageItem:
    kind: ItemKind
    description: str
    tax: TaxCode
    unit_price: Decimal
    quantity: Decimal = Decimal(1)


@dataclass(frozen=True)
class PackageDefinition:
    """A course sold as one price: its items at their own tax codes, less a package discount before tax."""

    code: str
    name: str
    items: tuple[PackageItem, ...]
    discount: Decimal = ZERO


def validate_package(package: PackageDefinition) -> PackageDefinition:
    problems = {}
    if not package.code.strip() or len(package.code) > 12:
        problems["code"] = "is required and at most 12 characters"
    if not package.name.strip():
        problems["name"] = "is required"
    if not package.items:
        problems["items"] = "must list at least one session, material or stay"
    gross = sum((money(i.unit_price * i.quantity) for i in package.items), ZERO)
    if any(i.quantity <= 0 or i.unit_price < 0 for i in package.items):
        problems["items"] = "must each have a quantity above zero and a price of zero or more"
    if package.discount < 0 or package.discount > gross:
        problems["discount"] = "must be between zero and the items' total"
    if problems:
        raise ValidationError(problems, {"code": "Package code", "name": "Package name", "items": "Items",
                                         "discount": "Package discount"})
    return package


def package_lines(package: PackageDefinition) -> tuple[list[LineInput], Decimal]:
    """The invoice lines for a package and the invoice discount that carries its package discount."""
    lines = [LineInput(f"{package.name}: {item.description}", item.tax, item.unit_price, item.quantity,
                       source_kind="package", source_id=package.code) for item in package.items]
    return lines, package.discount


@dataclass(frozen=True)
class Instalment:
    number: int
    due: date
    amount: Decimal


def plan_instalments(total: Decimal, *, count: int, first_due: date, every_days: int = 30,
                     deposit: Decimal = ZERO) -> tuple[Instalment, ...]:
    """A payment plan: an optional deposit due on `first_due`, then `count` equal instalments `every_days` apart.
    Equal parts are cut to the paisa; the paise left over are added to the first part so the plan sums exactly."""
    labels = {"count": "Number of instalments", "deposit": "Deposit", "every_days": "Days between instalments"}
    if not 1 <= count <= MAX_INSTALMENTS:
        raise ValidationError({"count": f"must be between 1 and {MAX_INSTALMENTS}"}, labels)
    if not 1 <= every_days <= 366:
        raise ValidationError({"every_days": "must be between 1 and 366"}, labels)
    if deposit < 0 or deposit >= total:
        raise ValidationError({"deposit": "must be zero or more and less than the total"}, labels)
    plan = []
    if deposit:
        plan.append((first_due, money(deposit)))
    rest = total - money(deposit)
    part = (rest / count).quantize(PAISA, rounding=ROUND_DOWN)
    start = first_due + timedelta(days=every_days) if deposit else first_due
    amounts = [part] * count
    amounts[0] += rest - part * count
    plan += [(start + timedelta(days=every_days * i), amount) for i, amount in enumerate(amounts)]
    return tuple(Instalment(n, due, amount) for n, (due, amount) in enumerate(plan, start=1))


@dataclass(frozen=True)
class InstalmentStanding:
    instalment: Instalment
    paid: Decimal
    outstanding: Decimal
    overdue: bool


def instalment_standing(plan: tuple[Instalment, ...], paid: Decimal, *, today: date) -> list[InstalmentStanding]:
    """Payments fill instalments in order of due date; an unpaid part whose due date has passed is overdue."""
    left = paid
    rows = []
    for item in sorted(plan, key=lambda i: (i.due, i.number)):
        covered = min(left, item.amount) if left > 0 else ZERO
        left -= covered
        outstanding = item.amount - covered
        rows.append(InstalmentStanding(item, covered, outstanding, outstanding > 0 and item.due < today))
    return rows


def overdue_amount(plan: tuple[Instalment, ...], paid: Decimal, *, today: date) -> Decimal:
    return sum((row.outstanding for row in instalment_standing(plan, paid, today=today) if row.overdue), ZERO)
