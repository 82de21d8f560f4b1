"""Invoice arithmetic: line and invoice discounts before tax, GST per line, the per-rate summary and the round off."""

from dataclasses import dataclass
from decimal import Decimal

from clinicdesk.domain.billing.gst import LineTax, TaxCode, line_tax
from clinicdesk.domain.billing.money import ZERO, money, round_off, to_paisa
from clinicdesk.domain.errors import ValidationError

MAX_LINES = 200


@dataclass(frozen=True)
class LineInput:
    """One line as charged: `discount` is rupees off this line before tax (never a percentage, never a float)."""

    description: str
    tax: TaxCode
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    discount: Decimal = ZERO
    source_kind: str = ""  # what it bills, e.g. "appointment", "session", "package"; "" for a free line
    source_id: str = ""


@dataclass(frozen=True)
class LineAmounts:
    line: LineInput
    gross: Decimal  # unit price x quantity
    line_discount: Decimal
    invoice_discount: Decimal  # this line's share of the whole-invoice discount
    taxable: Decimal
    tax: LineTax

    @property
    def total(self) -> Decimal:
        return self.taxable + self.tax.total


@dataclass(frozen=True)
class RateSummary:
    """One row of the bill's tax table: all lines at one rate (exempt lines apart from nil-rated ones)."""

    label: str
    rate: Decimal
    exempt: bool
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal


@dataclass(frozen=True, kw_only=True)
class InvoiceTotals:
    """The whole-bill figures every view of an invoice carries (the arithmetic, the screen's detail, the printed
    document); keyword-only, so a subclass keeps its own fields first and positional."""

    gross: Decimal
    discount: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    round_off: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class InvoiceAmounts(InvoiceTotals):
    lines: tuple[LineAmounts, ...]
    intra_state: bool
    total_before_rounding: Decimal
    total: Decimal
    summary: tuple[RateSummary, ...]


def _check_lines(lines: list[LineInput], invoice_discount: Decimal) -> None:
    problems = {}
    if not lines:
        problems["lines"] = "must have at least one line"
    elif len(lines) > MAX_LINES:
        problems["lines"] = f"may have at most {MAX_LINES} lines; split the bill"
    for number, line in enumerate(lines, start=1):
        if not line.description.strip():
            problems[f"line_{number}"] = "needs a description"
        elif line.quantity <= 0:
            problems[f"line_{number}"] = "must have a quantity above zero"
        elif line.unit_price < 0:
            problems[f"line_{number}"] = "must not have a negative price"
        elif line.discount < 0:
            problems[f"line_{number}"] = "must not have a negative discount"
        elif line.discount > to_paisa(line.unit_price * line.quantity):
            problems[f"line_{number}"] = "has a discount larger than its amount"
    if invoice_discount < 0:
        problems["invoice_discount"] = "must not be negative"
    if problems:
        raise ValidationError(problems, {"invoice_discount": "Invoice discount", "lines": "The bill",
                                         **{f"line_{n}": f"Line {n}" for n in range(1, len(lines) + 1)}})


def share_discount(discount: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Spread a whole-invoice discount over the lines in proportion to their amounts, to the paisa, adding exactly
    to the discount: the paise lost to rounding go to the largest line (the first such line on a tie)."""
    base = sum(amounts, ZERO)
    if discount == 0 or base == 0:
        return [ZERO for _ in amounts]
    shares = [to_paisa(discount * amount / base) for amount in amounts]
    largest = max(range(len(amounts)), key=lambda i: (amounts[i], -i))
    shares[largest] += discount - sum(shares, ZERO)
    return shares


def _summary(lines: list[LineAmounts]) -> tuple[RateSummary, ...]:
    groups: dict[tuple[bool, Decimal], list[LineAmounts]] = {}
    for item in lines:
        groups.setdefault((item.line.tax.exempt, item.line.tax.rate), []).append(item)
    rows = []
    for (exempt, rate), items in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        rows.append(RateSummary(items[0].line.tax.label, rate, exempt,
                                sum((i.taxable for i in items), ZERO), sum((i.tax.cgst for i in items), ZERO),
                                sum((i.tax.sgst for i in items), ZERO), sum((i.tax.igst for i in items), ZERO)))
    return tuple(rows)


def compute_invoice(lines: list[LineInput], *, intra_state: bool, invoice_discount: Decimal = ZERO) -> InvoiceAmounts:
    """Every figure on the bill. Order: gross, less line discount, less the line's share of the invoice discount,
    gives the taxable value; GST is computed on that per line; the grand total is rounded to the rupee."""
    invoice_discount = money(invoice_discount)
    _check_lines(lines, invoice_discount)
    grosses = [to_paisa(line.unit_price * line.quantity) for line in lines]
    nets = [gross - money(line.discount) for gross, line in zip(grosses, lines, strict=True)]
    if invoice_discount > sum(nets, ZERO):
        raise ValidationError({"invoice_discount": "is larger than the bill after line discounts"},
                              {"invoice_discount": "Invoice discount"})
    shares = share_discount(invoice_discount, nets)
    computed = []
    for line, gross, net, share in zip(lines, grosses, nets, shares, strict=True):
        taxable = net - share
        computed.append(LineAmounts(line, gross, money(line.discount), share, taxable,
                                    line_tax(taxable, line.tax, intra_state=intra_state)))
    taxable = sum((c.taxable for c in computed), ZERO)
    cgst = sum((c.tax.cgst for c in computed), ZERO)
    sgst = sum((c.tax.sgst for c in computed), ZERO)
    igst = sum((c.tax.igst for c in computed), ZERO)
    before = taxable + cgst + sgst + igst
    total, rounding = round_off(before)
    return InvoiceAmounts(tuple(computed), intra_state, before, total, _summary(computed), gross=sum(grosses, ZERO),
                          discount=sum(grosses, ZERO) - taxable, taxable=taxable, cgst=cgst, sgst=sgst, igst=igst,
                          round_off=rounding)


def credit_lines(original: InvoiceAmounts, quantities: dict[int, Decimal]) -> list[LineInput]:
    """Lines of a credit note that returns `quantities[i]` units of original line i, with the same tax code and
    the same share of every discount, so crediting a whole invoice reproduces its taxable values exactly."""
    lines = []
    for index, quantity in sorted(quantities.items()):
        if not 0 <= index < len(original.lines):
            raise ValidationError({"lines": f"has no line {index + 1} to credit"}, {"lines": "The invoice"})
        item = original.lines[index]
        if quantity <= 0 or quantity > item.line.quantity:
            raise ValidationError({f"line_{index + 1}": f"can be credited for 1 to {item.line.quantity} units"},
                                  {f"line_{index + 1}": f"Line {index + 1}"})
        whole = quantity == item.line.quantity
        discount = item.line_discount + item.invoice_discount
        share = discount if whole else to_paisa(discount * quantity / item.line.quantity)
        lines.append(LineInput(item.line.description, item.line.tax, item.line.unit_price, quantity, share,
                               item.line.source_kind, item.line.source_id))
    if not lines:
        raise ValidationError({"lines": "choose at least one line to credit"}, {"lines": "The credit note"})
    return lines


def bill_title(*, credit_note: bool, any_tax: bool, registered: bool) -> str:
    """What the document is called in GST terms: a registered clinic's bill with no taxable line is a "Bill of
    Supply" (rule 49); an unregistered clinic issues a plain "Bill"; a refund document is a "Credit Note"."""
    if credit_note:
        return "Credit Note"
    if not registered:
        return "Bill"
    return "Tax Invoice" if any_tax else "Bill of Supply"
