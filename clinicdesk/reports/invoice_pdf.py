"""Invoice, credit note and payment receipt PDFs: a document value in, A4 PDF bytes out, with the GST summary."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clinicdesk.domain.billing.invoices import InvoiceTotals
from clinicdesk.domain.billing.money import amount_in_words, format_inr
from clinicdesk.reports.fonts import register_document_fonts
from clinicdesk.reports.letterhead import (
    ACCENT,
    ClinicLetterhead,
    document_styles,
    draw_footer,
    letterhead_flowables,
    para,
    table_font,
)

__all__ = ["BilledParty", "ClinicLetterhead", "DocumentLine", "InvoiceDocument", "PaidLine", "ReceiptDocument",
           "TaxRow", "render_invoice", "render_receipt"]

_FRAME_PADDING = 6
EXEMPT_NOTE = ("Health care services by a clinical establishment are exempt from GST "
               "(Notification 12/2017-Central Tax (Rate), entry 74).")


@dataclass(frozen=True)
class BilledParty:
    name: str
    uhid: str
    address: str = ""
    state: str = ""
    phone: str = ""
    name_local: str = ""
    business_name: str = ""  # a registered buyer (B2B)
    gstin: str = ""


@dataclass(frozen=True)
class DocumentLine:
    description: str
    hsn_sac: str
    rate_label: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal


@dataclass(frozen=True)
class TaxRow:
    label: str
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal


@dataclass(frozen=True)
class PaidLine:
    receipt_number: str
    day: date
    method: str
    amount: Decimal  # negative for a refund


@dataclass(frozen=True)
class InvoiceDocument(InvoiceTotals):
    letterhead: ClinicLetterhead
    title: str  # Tax Invoice, Bill of Supply, Bill, Credit Note
    number: str
    date: date
    place_of_supply: str
    intra_state: bool
    party: BilledParty
    lines: tuple[DocumentLine, ...]
    total: Decimal
    tax_rows: tuple[TaxRow, ...]
    original_number: str = ""  # a credit note names the invoice it credits
    reason: str = ""
    payments: tuple[PaidLine, ...] = ()
    balance: Decimal | None = None
    instalments: tuple[tuple[int, date, Decimal], ...] = ()
    has_exempt: bool = False


@dataclass(frozen=True)
class ReceiptDocument:
    letterhead: ClinicLetterhead
    number: str
    date: date
    party: BilledParty
    invoice_number: str
    amount: Decimal
    method: str
    reference: str
    refund: bool = False
    balance: Decimal | None = None


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


class _Page:
    """The document template, styles and the paragraph helper shared by the invoice and the receipt."""

    def __init__(self, title: str, author: str):
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        self.fonts = register_document_fonts()
        self.styles = document_styles(self.fonts)
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        self.styles["cell"] = ParagraphStyle("bill_cell", parent=self.styles["cell"], fontSize=8.5, leading=11)
        self.styles["cell_right"] = ParagraphStyle("bill_cell_right", parent=self.styles["cell"], alignment=TA_RIGHT)
        self.buffer = io.BytesIO()
        # invariant: the same bill gives the same bytes (no timestamps), so a reprint can be compared with the first
        self.doc = SimpleDocTemplate(self.buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm,
                                     topMargin=12 * mm, bottomMargin=18 * mm, title=title, author=author,
                                     creator="ClinicDesk", invariant=1, initialFontName=self.fonts.body)
        self.width = self.doc.width - 2 * _FRAME_PADDING

    def p(self, text: str, style: str = "body", bold: bool = False):
        return para(text, self.styles[style], self.fonts, bold=bold)

    def money(self, value: Decimal, style: str = "right", bold: bool = False):
        return self.p(format_inr(value), "cell_right" if style == "cell" else style, bold)

    def table(self, rows, fractions, commands=(), *, header: bool = False):
        from reportlab.platypus import Table, TableStyle

        table = Table(rows, colWidths=[self.width * f for f in fractions], repeatRows=1 if header else 0)
        style = table_font(self.fonts) + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                          ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
        if header:
            style += [("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("LINEBELOW", (0, 1), (-1, -1), 0.4, "#d5dcd8")]
        table.setStyle(TableStyle(style + list(commands)))
        return table

    def build(self, story, footer_text: str) -> bytes:
        def footer(canvas, doc_):
            draw_footer(canvas, doc_, fonts=self.fonts, left_text=footer_text)

        self.doc.build(story, onFirstPage=footer, onLaterPages=footer)
        return self.buffer.getvalue()


def _party_block(page: _Page, party: BilledParty, right: list) -> object:
    left = [page.p("Billed to", "small"), page.p(party.business_name or party.name, "bold", bold=True)]
    if party.business_name:
        left.append(page.p(f"Patient: {party.name}"))
    if party.name_local:
        left.append(page.p(party.name_local))
    left.append(page.p(f"UHID {party.uhid}"))
    left += [page.p(text, "small") for text in (party.address, party.state, party.phone) if text]
    if party.gstin:
        left.append(page.p(f"GSTIN {party.gstin}", "bold", bold=True))
    return page.table([[left, right]], (0.56, 0.44), [("BACKGROUND", (0, 0), (-1, -1), "#f1f5f2")])


def _lines_table(page: _Page, bill: InvoiceDocument):
    header = ["#", "Description", "HSN/SAC", "GST", "Qty", "Rate", "Discount", "Taxable"]
    rows = [[page.p(h, "cell_head", bold=True) for h in header]]
    for n, line in enumerate(bill.lines, start=1):
        rows.append([page.p(str(n), "cell"), page.p(line.description, "cell"), page.p(line.hsn_sac, "cell"),
                     page.p(line.rate_label, "cell"), page.p(_qty(line.quantity), "cell"),
                     page.money(line.unit_price, "cell"), page.money(line.discount, "cell"),
                     page.money(line.taxable, "cell")])
    fractions = (0.04, 0.29, 0.11, 0.1, 0.06, 0.13, 0.13, 0.14)
    return page.table(rows, fractions, header=True)


def _tax_table(page: _Page, bill: InvoiceDocument):
    heads = ["Rate", "Taxable value"] + (["CGST", "SGST"] if bill.intra_state else ["IGST"]) + ["Total tax"]
    rows = [[page.p(h, "cell_head", bold=True) for h in heads]]
    for row in bill.tax_rows:
        taxes = [row.cgst, row.sgst] if bill.intra_state else [row.igst]
        rows.append([page.p(row.label, "cell"), page.money(row.taxable, "cell")] +
                    [page.money(t, "cell") for t in taxes] + [page.money(row.cgst + row.sgst + row.igst, "cell")])
    taxes = [bill.cgst, bill.sgst] if bill.intra_state else [bill.igst]
    rows.append([page.p("Total", "cell", bold=True), page.money(bill.taxable, "cell", True)] +
                [page.money(t, "cell", True) for t in taxes] +
                [page.money(bill.cgst + bill.sgst + bill.igst, "cell", True)])
    fractions = (0.2, 0.2, 0.15, 0.15, 0.15) if bill.intra_state else (0.25, 0.25, 0.2, 0.2)
    return page.table(rows, fractions, [("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)], header=True)


def _totals_table(page: _Page, bill: InvoiceDocument):
    rows = [("Gross amount", bill.gross), ("Less discount", -bill.discount), ("Taxable value", bill.taxable)]
    if bill.intra_state:
        rows += [("CGST", bill.cgst), ("SGST", bill.sgst)]
    else:
        rows.append(("IGST", bill.igst))
    rows.append(("Round off", bill.round_off))
    cells = [[page.p(label, "right"), page.money(value)] for label, value in rows]
    cells.append([page.p("Total", "right", bold=True), page.money(bill.total, "right", bold=True)])
    return page.table([["", c[0], c[1]] for c in cells], (0.5, 0.3, 0.2),
                      [("LINEABOVE", (1, -1), (-1, -1), 1.2, ACCENT), ("TOPPADDING", (0, 0), (-1, -1), 1),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])


def render_invoice(bill: InvoiceDocument) -> bytes:
    """An invoice or credit note on A4: letterhead, parties, lines, tax summary per rate, totals, amount in words."""
    from reportlab.platypus import Spacer

    page = _Page(f"{bill.title} {bill.number}", bill.letterhead.name)
    story = letterhead_flowables(bill.letterhead, page.fonts, page.styles, page.width)
    story.append(page.p(bill.title.upper(), "heading", bold=True))
    facts = [page.p(f"No. {bill.number}", "bold", bold=True), page.p(f"Date {_day(bill.date)}"),
             page.p(f"Place of supply: {bill.place_of_supply}")]
    if bill.original_number:
        facts.append(page.p(f"Against invoice {bill.original_number}", "bold", bold=True))
    if bill.reason:
        facts.append(page.p(f"Reason: {bill.reason}", "small"))
    story += [_party_block(page, bill.party, facts), Spacer(1, 6), _lines_table(page, bill), Spacer(1, 4),
              _totals_table(page, bill), page.p(amount_in_words(bill.total), "bold", bold=True)]
    if bill.tax_rows:
        story += [page.p("GST summary", "heading", bold=True), _tax_table(page, bill)]
    if bill.has_exempt:
        story.append(page.p(EXEMPT_NOTE, "small"))
    schedules = []
    if bill.instalments:
        rows = [[page.p(h, "cell_head", bold=True) for h in ("#", "Due on", "Amount")]]
        rows += [[page.p(str(n), "cell"), page.p(_day(due), "cell"), page.money(amount, "cell")]
                 for n, due, amount in bill.instalments]
        schedules.append([page.p("Payment plan", "heading", bold=True),
                          page.table(rows, (0.05, 0.2, 0.2), header=True)])
    if bill.payments:
        rows = [[page.p(h, "cell_head", bold=True) for h in ("Receipt", "Date", "Method", "Amount")]]
        rows += [[page.p(pay.receipt_number, "cell"), page.p(_day(pay.day), "cell"), page.p(pay.method, "cell"),
                  page.money(pay.amount, "cell")] for pay in bill.payments]
        schedules.append([page.p("Payments received", "heading", bold=True),
                          page.table(rows, (0.17, 0.13, 0.11, 0.12), header=True)])
    if schedules:  # side by side: the plan and what has been paid against it
        story.append(page.table([schedules], (0.44, 0.56) if len(schedules) == 2 else (1.0,),
                                [("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    if bill.balance is not None:
        story.append(page.p(f"Balance due: {format_inr(bill.balance)}", "bold", bold=True))
    story += [Spacer(1, 8), page.p(f"For {bill.letterhead.name}", "right", bold=True), Spacer(1, 12),
              page.p("Authorised signatory", "right"),
              page.p("This is a computer-generated document.", "small")]
    return page.build(story, f"{bill.title} {bill.number}")


def render_receipt(receipt: ReceiptDocument) -> bytes:
    """A payment (or refund) receipt: who paid what, how, against which invoice, and what is left to pay."""
    from reportlab.platypus import Spacer

    title = "Refund Voucher" if receipt.refund else "Payment Receipt"
    page = _Page(f"{title} {receipt.number}", receipt.letterhead.name)
    story = letterhead_flowables(receipt.letterhead, page.fonts, page.styles, page.width)
    story.append(page.p(title.upper(), "heading", bold=True))
    facts = [page.p(f"No. {receipt.number}", "bold", bold=True), page.p(f"Date {_day(receipt.date)}"),
             page.p(f"Against invoice {receipt.invoice_number}")]
    story += [_party_block(page, receipt.party, facts), Spacer(1, 8)]
    verb = "Refunded to" if receipt.refund else "Received from"
    story.append(page.p(f"{verb} {receipt.party.business_name or receipt.party.name} the sum of "
                        f"{format_inr(receipt.amount)}", "bold", bold=True))
    story.append(page.p(f"({amount_in_words(receipt.amount)})"))
    how = receipt.method + (f", reference {receipt.reference}" if receipt.reference else "")
    story.append(page.p(f"By {how}"))
    if receipt.balance is not None:
        story.append(Spacer(1, 6))
        story.append(page.p(f"Balance due on the invoice: {format_inr(receipt.balance)}", "bold", bold=True))
    story += [Spacer(1, 18), page.p(f"For {receipt.letterhead.name}", "right", bold=True), Spacer(1, 16),
              page.p("Authorised signatory", "right")]
    return page.build(story, f"{title} {receipt.number}")

