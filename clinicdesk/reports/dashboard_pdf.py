"""A dashboard as a landscape PDF: each panel's figures in words, its chart (reportlab graphics) and its table."""

import io

from clinicdesk.domain.dashboard_metrics import Chart, Dashboard, Panel, format_cell
from clinicdesk.reports.fonts import DocumentFonts, register_document_fonts
from clinicdesk.reports.letterhead import ACCENT, MUTED, document_styles, draw_footer, para, table_font
from clinicdesk.reports.trend_chart import SERIES_COLOURS

CHART_HEIGHT = 150
_MAX_AXIS_LABELS = 16  # more category names than this overlap: every n-th one is shown

VIEW_TITLES = {"owner": "Owner's dashboard", "director": "Medical director's dashboard"}


def _short_label(label: str) -> str:
    """"Week of 23 Nov 2026" -> "23 Nov"; "23 Nov 2026" -> "23 Nov"; months keep their year."""
    words = label.removeprefix("Week of ").split()
    return " ".join(words[:2]) if len(words) == 3 else label


def chart_values(panel: Panel, chart: Chart) -> list[list[float]]:
    """One list per charted column; no value draws as 0 and fractions become per cent."""
    scale = 100.0 if chart.percent else 1.0
    return [[float(row[index] or 0) * scale for row in panel.rows] for index in chart.columns]


def line_values(panel: Panel, chart: Chart) -> list[list[float | None]]:
    scale = 100.0 if chart.percent else 1.0
    return [[None if row[index] is None else float(row[index]) * scale for row in panel.rows]
            for index in chart.columns]


def panel_chart(panel: Panel, *, width: float, height: float, font: str):
    """A bar or line chart of the panel's charted columns over its rows, with a legend; None when nothing to draw."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    chart = panel.chart
    if chart is None or not panel.rows:
        return None
    data = chart_values(panel, chart)
    if not any(v for series in data for v in series):
        return None  # nothing but zeros: the words above say so; an empty grid would only look broken
    drawing = Drawing(width, height)
    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 44, 34, width - 200, height - 46
    # a line skips a period without a value (no forms that week is not an NPS of 0); a bar stands at 0
    plot.data = data if chart.kind == "bar" else line_values(panel, chart)
    by_period = bool(panel.columns) and panel.columns[0] == "Period"
    names = [_short_label(chart.row_label(row)) if by_period else chart.row_label(row) for row in panel.rows]
    step = max(1, -(-len(names) // _MAX_AXIS_LABELS))
    plot.categoryAxis.categoryNames = [name if i % step == 0 else "" for i, name in enumerate(names)]
    plot.categoryAxis.labelAxisMode = "low"  # names below the chart even when bars go negative
    plot.categoryAxis.labels.angle = 30 if len(names) > 6 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(names) > 6 else "n"
    low = min(0.0, *(v for series in data for v in series))
    high = max(1.0, *(v for series in data for v in series))
    plot.valueAxis.valueMin, plot.valueAxis.valueMax = low, high * 1.1 if high > 0 else 1.0
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = colors.HexColor("#e3e8e5")
    if chart.percent:
        plot.valueAxis.labelTextFormat = "%d %%"
    for axis in (plot.categoryAxis, plot.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 7
        axis.strokeColor = colors.HexColor("#9aa5b1")
    for index in range(len(data)):
        colour = colors.HexColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        if chart.kind == "bar":
            plot.bars[index].fillColor, plot.bars[index].strokeColor = colour, colour
        else:
            plot.lines[index].strokeColor, plot.lines[index].strokeWidth = colour, 1.6
            plot.lines[index].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour, strokeColor=colour)
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = width - 146, height - 12, font, 8
    legend.alignment, legend.deltay = "right", 12
    legend.colorNamePairs = [(colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]), panel.columns[column])
                             for i, column in enumerate(chart.columns)]
    drawing.add(legend)
    if chart.percent:
        drawing.add(String(4, height - 8, "%", fontName=font, fontSize=7, fillColor=colors.HexColor(MUTED)))
    return drawing


def _table(panel: Panel, fonts: DocumentFonts, styles: dict, width: float):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    head = [para(name, styles["cell_head"], fonts, bold=True) for name in panel.columns]
    body = [[para(format_cell(value, percent=i in panel.percent_columns), styles["cell"], fonts)
             for i, value in enumerate(row)] for row in panel.rows]
    first = width * (0.34 if len(panel.columns) > 4 else 0.4)
    rest = (width - first) / max(1, len(panel.columns) - 1)
    table = Table([head, *body], colWidths=[first] + [rest] * (len(panel.columns) - 1), repeatRows=1)
    table.setStyle(TableStyle(table_font(fonts) + [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ACCENT)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f4")]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def render_dashboard_pdf(dashboard: Dashboard, *, clinic_name: str = "") -> bytes:
    """Landscape A4: a heading with the centre, range and period, then every panel in order."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, KeepTogether, SimpleDocTemplate, Spacer

    clinic_name = clinic_name or dashboard.clinic_name
    fonts = register_document_fonts()
    styles = document_styles(fonts)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=12 * mm, bottomMargin=16 * mm, title=VIEW_TITLES[dashboard.view.value],
                            author=clinic_name or "ClinicDesk")
    width = doc.width
    range_text = (f"{dashboard.centre_name} · {dashboard.first_day:%d %b %Y} to {dashboard.last_day:%d %b %Y} · "
                  f"by {dashboard.period.value}")
    story = [para(clinic_name or "ClinicDesk", styles["clinic"], fonts, bold=True),
             para(f"{VIEW_TITLES[dashboard.view.value]}: {range_text}", styles["heading"], fonts, bold=True)]
    if dashboard.generated_at is not None:
        story.append(para(f"Generated {dashboard.generated_at:%d %b %Y %H:%M} UTC", styles["small"], fonts))
    for panel in dashboard.panels:
        block = [para(panel.title, styles["heading"], fonts, bold=True)]
        if panel.unavailable:
            block.append(para(panel.unavailable, styles["body"], fonts))
            story.append(KeepTogether(block))
            continue
        if panel.summary:
            block.append(para(panel.summary, styles["body"], fonts))
        drawing = panel_chart(panel, width=width, height=CHART_HEIGHT, font=fonts.body)
        if drawing is not None:
            block += [Spacer(1, 4), drawing]
        story.append(CondPageBreak(CHART_HEIGHT + 90))  # a heading never sits alone at the foot of a page
        story.append(KeepTogether(block))
        if panel.rows:
            story += [Spacer(1, 4), _table(panel, fonts, styles, width)]
    doc.build(story, onFirstPage=lambda c, d: draw_footer(c, d, fonts=fonts, left_text=range_text),
              onLaterPages=lambda c, d: draw_footer(c, d, fonts=fonts, left_text=range_text))
    return buffer.getvalue()
