"""Dashboard exports: CSV read back row by row, XLSX opened as the zip it is, files named by their format."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from clinicdesk.domain.dashboard_metrics import Chart, Dashboard, Panel, Period, View
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services.dashboard_export import dashboard_csv, dashboard_xlsx, export_dashboard, save_dashboard

APPOINTMENTS = Panel("appointments", "Appointments and no-shows",
                     ("Period", "Booked", "Completed", "Cancelled", "No-shows", "No-show rate"),
                     (("23 Nov 2026", 12, 10, 1, 1, 1 / 11), ("24 Nov 2026", 0, 0, 0, 0, None)),
                     "12 appointments booked.", Chart("bar", (1, 2, 4)), percent_columns=(5,))
REVENUE = Panel("revenue", "Revenue and outstanding (₹)", ("Period", "Invoiced", "Collected", "Outstanding"),
                (("23 Nov 2026", Decimal("12500.5"), Decimal("8000.00"), Decimal("4500.50")),), "₹12,500.50 invoiced.",
                Chart("bar", (1, 2, 3)))
THERAPISTS = Panel("therapist_each", "Utilisation per therapist", ("Therapist", "Booked (h)", "Available (h)",
                                                                    "Utilisation"),
                   (("=HYPERLINK(\"http://x\")", 2.5, 42.0, 2.5 / 42),), "", Chart("bar", (3,), percent=True),
                   percent_columns=(3,))
NO_LEADS = Panel("conversion", "Enquiry conversion", (), (),
                 unavailable="Enquiry data is not available in this version.")
DASHBOARD = Dashboard(View.OWNER, Period.DAY, date(2026, 11, 23), date(2026, 11, 24), "Kochi",
                      (APPOINTMENTS, REVENUE, THERAPISTS, NO_LEADS), generated_at=datetime(2026, 11, 26, tzinfo=UTC))


def test_csv_has_each_panel_with_header_rows_and_per_cent():
    data = dashboard_csv(DASHBOARD)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel then reads UTF-8 (the rupee sign)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Owner's dashboard", "Kochi", "2026-11-23", "2026-11-24", "by day"]
    start = rows.index(["Appointments and no-shows"])
    assert rows[start + 1] == ["12 appointments booked."]
    assert rows[start + 2] == ["Period", "Booked", "Completed", "Cancelled", "No-shows", "No-show rate (%)"]
    assert rows[start + 3] == ["23 Nov 2026", "12", "10", "1", "1", "9.1"]
    assert rows[start + 4] == ["24 Nov 2026", "0", "0", "0", "0", ""]  # no rate: empty, not 0
    assert ["23 Nov 2026", "12500.50", "8000.00", "4500.50"] in rows
    assert ["Enquiry data is not available in this version."] in rows


def test_csv_text_that_looks_like_a_formula_is_quoted():
    rows = list(csv.reader(io.StringIO(dashboard_csv(DASHBOARD).decode("utf-8-sig"))))
    assert ["'=HYPERLINK(\"http://x\")", "2.5", "42.0", "6.0"] in rows


def _xlsx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")}


def test_xlsx_has_a_summary_and_a_sheet_and_chart_per_panel():
    parts = _xlsx_parts(dashboard_xlsx(DASHBOARD))
    sheets = re.findall(r'<sheet name="([^"]+)"', parts["xl/workbook.xml"])
    assert sheets == ["Summary", "Appointments and no-shows", "Revenue and outstanding (₹)",
                      "Utilisation per therapist", "Enquiry conversion"]
    assert len([name for name in parts if name.startswith("xl/charts/chart")]) == 3  # none for the empty panel
    strings = parts["xl/sharedStrings.xml"]
    assert "Enquiry data is not available in this version." in strings
    assert "=HYPERLINK" in strings and "<f>" not in parts["xl/worksheets/sheet4.xml"]  # text, never a formula
    revenue = parts["xl/worksheets/sheet3.xml"]
    assert "<v>12500.5</v>" in revenue  # money as numbers, not text
    appointments = parts["xl/worksheets/sheet2.xml"]
    assert "<v>9.0909090909090912E-2</v>" in appointments or "<v>0.09090909090909091</v>" in appointments


def test_save_picks_the_format_from_the_name(tmp_path):
    for name in ("d.pdf", "d.csv", "d.XLSX"):
        path = save_dashboard(DASHBOARD, tmp_path / name, clinic_name="Sukham")
        assert path.read_bytes()[:4] in (b"%PDF", b"\xef\xbb\xbfO", b"PK\x03\x04")
    assert not list(tmp_path.glob("*.part"))


def test_a_name_without_a_known_format_writes_nothing(tmp_path):
    with pytest.raises(ValidationError, match=r"The file name must end in \.pdf, \.csv or \.xlsx"):
        save_dashboard(DASHBOARD, tmp_path / "dashboard.docx")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValidationError, match="Export format must be one of: pdf, csv, xlsx"):
        export_dashboard(DASHBOARD, "ods")
