"""Invoice, credit note and receipt PDFs: GST table, totals, amount in words, exempt note, shaped local names."""

import shutil
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from clinicdesk.reports.invoice_pdf import (
    BilledParty,
    ClinicLetterhead,
    DocumentLine,
    InvoiceDocument,
    PaidLine,
    ReceiptDocument,
    TaxRow,
    render_invoice,
    render_receipt,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

LETTERHEAD = ClinicLetterhead("Sukham Ayurveda, Kochi", ("12 MG Road", "Ernakulam 682016", "Kerala"),
                              "0484 123 4567", "", gstin="32AAPFU0939F1Z4")
PARTY = BilledParty("Asha Menon", "KOC-A-000001", "Panampilly Nagar, Kochi, 682036", "Kerala", "98470 12345",
                    name_local="ആശ മേനോൻ")


def _line(description, sac, rate, qty, price, discount, taxable, cgst):
    return DocumentLine(description, sac, rate, D(qty), D(price), D(discount), D(taxable), D(cgst), D(cgst), D("0"))


def invoice(**overrides) -> InvoiceDocument:
    values = dict(
        letterhead=LETTERHEAD, title="Tax Invoice", number="KOC-A/I26/00042", date=date(2026, 11, 26),
        place_of_supply="Kerala", intra_state=True, party=PARTY,
        lines=(_line("Panchakarma 14 days: Therapy sessions", "999312", "Exempt", "14", "2000", "1030.08",
                     "26969.92", "0"),
               _line("Panchakarma 14 days: Medicated oils", "30049011", "5%", "1", "1500", "55.17", "1444.83",
                     "36.12"),
               _line("Panchakarma 14 days: Room stay", "996311", "5%", "13", "2500", "1914.75", "30585.25",
                     "764.63")),
        gross=D("62000.00"), discount=D("3000.00"), taxable=D("59000.00"), cgst=D("800.75"), sgst=D("800.75"),
        igst=D("0.00"), round_off=D("0.50"), total=D("60602.00"),  # 60,601.50 rounded
        tax_rows=(TaxRow("Exempt", D("26969.92"), D("0"), D("0"), D("0")),
                  TaxRow("5%", D("32030.08"), D("800.75"), D("800.75"), D("0"))),
        payments=(PaidLine("KOC-A/R26/00007", date(2026, 11, 26), "UPI", D("20000.00")),),
        balance=D("40602.00"),
        instalments=((1, date(2026, 11, 26), D("20000.00")), (2, date(2026, 12, 26), D("20302.00")),
                     (3, date(2027, 1, 25), D("20300.00"))),
        has_exempt=True)
    return InvoiceDocument(**(values | overrides))


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "bill.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return unicodedata.normalize("NFKC", text)  # the shaper draws "ff" as one ligature glyph


def test_invoice_carries_gst_summary_totals_words_and_plan(tmp_path):
    pdf = render_invoice(invoice())
    assert pdf.startswith(b"%PDF") and render_invoice(invoice()) == pdf  # same bill, same bytes
    text = text_of(pdf, tmp_path)
    for expected in ("TAX INVOICE", "No. KOC-A/I26/00042", "Place of supply: Kerala", "GSTIN 32AAPFU0939F1Z4",
                     "UHID KOC-A-000001", "999312", "30049011", "CGST", "SGST", "₹60,602.00", "₹59,000.00",
                     "Round off", "₹0.50", "Rupees Sixty Thousand Six Hundred Two Only", "GST summary",
                     "Exempt", "Payment plan", "25 Jan 2027", "KOC-A/R26/00007", "Balance due: ₹40,602.00",
                     "Notification 12/2017"):
        assert expected in text, expected
    assert "IGST" not in text


def test_inter_state_credit_note_shows_igst_and_the_invoice_it_credits(tmp_path):
    note = invoice(title="Credit Note", number="KOC-A/C26/00003", intra_state=False, original_number="KOC-A/I26/00042",
                   reason="Stay cut short by two nights", place_of_supply="Karnataka", payments=(), balance=None,
                   instalments=(), has_exempt=False,
                   lines=(DocumentLine("Room stay", "996311", "5%", D("2"), D("2500"), D("0"), D("5000.00"), D("0"),
                                       D("0"), D("250.00")),),
                   gross=D("5000.00"), discount=D("0"), taxable=D("5000.00"), cgst=D("0"), sgst=D("0"),
                   igst=D("250.00"), round_off=D("0.00"), total=D("5250.00"),
                   tax_rows=(TaxRow("5%", D("5000.00"), D("0"), D("0"), D("250.00")),))
    text = text_of(render_invoice(note), tmp_path)
    for expected in ("CREDIT NOTE", "Against invoice KOC-A/I26/00042", "Stay cut short", "IGST", "₹250.00",
                     "Rupees Five Thousand Two Hundred Fifty Only"):
        assert expected in text, expected
    assert "CGST" not in text and "Payment plan" not in text


def test_receipt_and_refund_voucher(tmp_path):
    receipt = ReceiptDocument(LETTERHEAD, "KOC-A/R26/00007", date(2026, 11, 26), PARTY, "KOC-A/I26/00042",
                              D("120000.00"), "UPI", "412356789012", balance=D("0.00"))
    text = text_of(render_receipt(receipt), tmp_path)
    for expected in ("PAYMENT RECEIPT", "Received from Asha Menon the sum of ₹1,20,000.00",
                     "Rupees One Lakh Twenty Thousand Only", "By UPI, reference 412356789012",
                     "Against invoice KOC-A/I26/00042"):
        assert expected in text, expected
    refund = ReceiptDocument(LETTERHEAD, "KOC-A/R26/00008", date(2026, 11, 27), PARTY, "KOC-A/I26/00042",
                             D("420.00"), "Cash", "", refund=True)
    assert "Refunded to Asha Menon" in text_of(render_receipt(refund), tmp_path)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_invoice_renders_to_an_image(tmp_path):
    """The PNG a person looks at (kept at /tmp/b1_invoice_pdf.png when run by hand)."""
    pdf_path = tmp_path / "bill.pdf"
    pdf_path.write_bytes(render_invoice(invoice()))
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf_path), str(tmp_path / "bill")],
                   check=True)
    png = (tmp_path / "bill.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    shutil.copy(tmp_path / "bill.png", "/tmp/b1_invoice_pdf.png")
