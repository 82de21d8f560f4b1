"""A dashboard saved as PDF, CSV (the csv module) or XLSX (xlsxwriter, one sheet and one chart per panel)."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from clinicdesk.domain.dashboard_metrics import Cell, Dashboard, Panel
from clinicdesk.domain.errors import ValidationError
from clinicdesk.reports.dashboard_pdf import VIEW_TITLES, render_dashboard_pdf

__all__ = ["FORMATS", "dashboard_csv", "dashboard_xlsx", "export_dashboard", "save_dashboard"]

FORMATS = ("pdf", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such text as a formula


def _heading(dashboard: Dashboard) -> list[str]:
    return [VIEW_TITLES[dashboard.view.value], dashboard.centre_name, f"{dashboard.first_day:%Y-%m-%d}",
            f"{dashboard.last_day:%Y-%m-%d}", f"by {dashboard.period.value}"]


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value: Cell, percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _safe_text(value)
    if percent:
        return f"{value * 100:.1f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _headers(panel: Panel, *, percent_suffix: bool) -> list[str]:
    return [name + (" (%)" if percent_suffix and i in panel.percent_columns else "")
            for i, name in enumerate(panel.columns)]


def dashboard_csv(dashboard: Dashboard) -> bytes:
    """Every panel one after another: its title, its figures in words, a header row, the rows, a blank line.
    Rates are per cent with one decimal; money has two decimals; UTF-8 with a BOM so Excel reads the ₹ sign."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_heading(dashboard))
    writer.writerow([])
    for panel in dashboard.panels:
        writer.writerow([panel.title])
        if panel.unavailable:
            writer.writerows([[panel.unavailable], []])
            continue
        writer.writerow([panel.summary])
        writer.writerow(_headers(panel, percent_suffix=True))
        for row in panel.rows:
            writer.writerow([_csv_cell(v, i in panel.percent_columns) for i, v in enumerate(row)])
        writer.writerow([])
    return out.getvalue().encode("utf-8-sig")


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Panel"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    """A summary sheet, then one sheet per panel with real numbers (rates as Excel percentages) and a chart."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#2f6b4f", "font_color": "#ffffff", "text_wrap": True})
    percent = book.add_format({"num_format": "0.0%"})
    money = book.add_format({"num_format": "#,##0.00"})
    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 34)
    summary.set_column(1, 1, 120)
    for col, text in enumerate(_heading(dashboard)):
        summary.write(0, col, text, bold)
    used = {"summary"}
    for row_no, panel in enumerate(dashboard.panels, start=2):
        summary.write(row_no, 0, panel.title, bold)
        summary.write(row_no, 1, panel.unavailable or panel.summary)
        sheet = book.add_worksheet(_sheet_name(panel.title, used))
        sheet.write(0, 0, panel.title, bold)
        sheet.write(1, 0, panel.unavailable or panel.summary)
        if panel.unavailable:
            continue
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, max(1, len(panel.columns) - 1), 16)
        sheet.write_row(3, 0, panel.columns, head)
        for r, row in enumerate(panel.rows, start=4):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value, percent if c in panel.percent_columns else None)
                else:
                    sheet.write_string(r, c, str(value))
        if panel.chart is not None and panel.rows:
            chart = book.add_chart({"type": "column" if panel.chart.kind == "bar" else "line"})
            last = 3 + len(panel.rows)
            for column in panel.chart.columns:
                chart.add_series({"name": [sheet.name, 3, column], "categories": [sheet.name, 4, 0, last, 0],
                                  "values": [sheet.name, 4, column, last, column]})
            chart.set_title({"name": panel.title})
            chart.set_size({"width": 760, "height": 320})
            sheet.insert_chart(last + 2, 0, chart)
    book.close()
    return buffer.getvalue()


def export_dashboard(dashboard: Dashboard, fmt: str, *, clinic_name: str = "") -> bytes:
    if fmt == "pdf":
        return render_dashboard_pdf(dashboard, clinic_name=clinic_name)
    if fmt == "csv":
        return dashboard_csv(dashboard)
    if fmt == "xlsx":
        return dashboard_xlsx(dashboard)
    raise ValidationError({"format": "must be one of: " + ", ".join(FORMATS)}, {"format": "Export format"})


def save_dashboard(dashboard: Dashboard, path: Path, *, clinic_name: str = "") -> Path:
    """Write the export the file name asks for (.pdf, .csv or .xlsx); a bad name changes nothing on disk."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError({"path": "must end in .pdf, .csv or .xlsx"}, {"path": "The file name"})
    data = export_dashboard(dashboard, fmt, clinic_name=clinic_name)
    partial = path.with_name(path.name + ".part")  # a crash half-way never leaves a broken file under the real name
    partial.write_bytes(data)
    partial.replace(path)
    return path
