"""The dashboard PDF: every panel's words, table and chart; a panel with no data says why; long ranges stay legible."""

import shutil
import subprocess
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from clinicdesk.domain.dashboard_metrics import Chart, Dashboard, Panel, Period, View
from clinicdesk.reports.dashboard_pdf import chart_values, panel_chart, render_dashboard_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

APPOINTMENTS = Panel("appointments", "Appointments and no-shows",
                     ("Period", "Booked", "Completed", "Cancelled", "No-shows", "No-show rate"),
                     (("23 Nov 2026", 12, 10, 1, 1, 1 / 11), ("24 Nov 2026", 0, 0, 0, 0, None)),
                     "12 appointments booked; no-show rate 9.1 %.", Chart("bar", (1, 2, 4)), percent_columns=(5,))
REVENUE = Panel("revenue", "Revenue and outstanding (₹)", ("Period", "Invoiced", "Collected", "Outstanding"),
                (("23 Nov 2026", Decimal("12500.00"), Decimal("8000.00"), Decimal("4500.00")),),
                "₹12,500.00 invoiced.", Chart("bar", (1, 2, 3)))
NO_LEADS = Panel("conversion", "Enquiry conversion", (), (),
                 unavailable="Enquiry data is not available in this version.")


def dashboard(*panels: Panel) -> Dashboard:
    return Dashboard(View.OWNER, Period.DAY, date(2026, 11, 23), date(2026, 11, 24), "Kochi", panels,
                     generated_at=datetime(2026, 11, 26, 4, 30, tzinfo=UTC))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "dashboard.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return unicodedata.normalize("NFKC", text)


def test_every_panel_is_printed_with_its_words_and_table(tmp_path):
    pdf = render_dashboard_pdf(dashboard(APPOINTMENTS, REVENUE, NO_LEADS), clinic_name="Sukham Ayurveda")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Sukham Ayurveda" in text
    assert "Owner's dashboard: Kochi · 23 Nov 2026 to 24 Nov 2026 · by day" in text
    assert "12 appointments booked; no-show rate 9.1 %." in text
    assert "9.1 %" in text.split("No-show rate", 2)[-1]  # the table's rate, as per cent
    assert "12,500.00" in text and "₹12,500.00 invoiced." in text
    assert "Enquiry data is not available in this version." in text
    assert "Page 1" in text


def test_chart_values_turn_fractions_into_per_cent_and_gaps_into_zero():
    rooms = Panel("rooms", "Room utilisation", ("Period", "Booked (h)", "Available (h)", "Utilisation"),
                  (("a", 1.0, 4.0, 0.25), ("b", 0.0, 0.0, None)), chart=Chart("bar", (3,), percent=True))
    assert chart_values(rooms, rooms.chart) == [[25.0, 0.0]]
    assert chart_values(APPOINTMENTS, APPOINTMENTS.chart) == [[12.0, 0.0], [10.0, 0.0], [1.0, 0.0]]


def test_a_long_range_labels_only_some_days_so_they_do_not_overlap():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(90)]
    rows = tuple((f"{d:%d %b %Y}", i) for i, d in enumerate(days))
    panel = Panel("appointments", "Appointments", ("Period", "Booked"), rows, chart=Chart("bar", (1,)))
    drawing = panel_chart(panel, width=700, height=150, font="Helvetica")
    plot = drawing.contents[0]
    shown = [name for name in plot.categoryAxis.categoryNames if name]
    assert 10 <= len(shown) <= 16
    assert shown[0] == "01 Jan"  # the year is in the heading; the axis keeps day and month


def test_a_panel_without_rows_draws_no_chart():
    empty = Panel("outcomes", "Outcomes", ("Protocol", "Courses"), (), chart=Chart("bar", (1,)))
    assert panel_chart(empty, width=700, height=150, font="Helvetica") is None
