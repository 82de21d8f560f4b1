"""A dashboard panel drawn with QtCharts: bars or lines of its charted columns over its rows (days, weeks, months)."""

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPen

from clinicdesk.domain.dashboard_metrics import Panel

# The PDF's colours, so the screen and the printout match: green, ochre, brick, blue, plum, slate.
SERIES_COLOURS = ("#2f6b4f", "#c08a1e", "#a23b2a", "#2b5c8a", "#7a3f7a", "#5f6b7a")
MAX_AXIS_LABELS = 16  # more category names than this overlap on a normal window: every n-th one is shown


def short_label(label: str) -> str:
    """"Week of 23 Nov 2026" and "23 Nov 2026" -> "23 Nov" (the range above the chart gives the year)."""
    words = label.removeprefix("Week of ").split()
    return " ".join(words[:2]) if len(words) == 3 else label


def is_by_period(panel: Panel) -> bool:
    """Rows are days, weeks or months (not therapists, protocols or steps)."""
    return bool(panel.columns) and panel.columns[0] == "Period"


def axis_labels(rows: list[str], *, periods: bool = True) -> list[str]:
    """Names (periods shortened), thinned to at most MAX_AXIS_LABELS visible; hidden ones are distinct blanks (the
    axis needs unique category names)."""
    step = max(1, -(-len(rows) // MAX_AXIS_LABELS))
    return [(short_label(name) if periods else name) if i % step == 0 else " " * (i + 1)
            for i, name in enumerate(rows)]


def build_chart(panel: Panel) -> QChart | None:
    """A QChart for the panel, or None when it has no chart or no rows."""
    spec = panel.chart
    if spec is None or not panel.rows:
        return None
    if all(not row[c] for row in panel.rows for c in spec.columns):
        return None  # nothing but zeros: the figures in words say so, an empty grid would only look broken
    scale = 100.0 if spec.percent else 1.0
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # screenshots and tests see the final picture
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    # a bar with no value stands at 0; a line skips the point (no forms that week is not an NPS of 0)
    raw = [[None if row[c] is None else float(row[c]) * scale for row in panel.rows] for c in spec.columns]
    values = [[v or 0.0 for v in series] for series in raw]
    categories = QBarCategoryAxis()
    categories.append(axis_labels([spec.row_label(row) for row in panel.rows], periods=is_by_period(panel)))
    categories.setTruncateLabels(False)  # "23 Nov" in full, never "..."
    if len(panel.rows) > 7:
        categories.setLabelsAngle(-45)
    axis = QValueAxis()
    low = min(0.0, *(v for series in values for v in series))
    high = max(1.0, *(v for series in values for v in series))
    axis.setRange(low, high * 1.1)
    axis.setLabelFormat("%.0f %%" if spec.percent else ("%.0f" if high >= 10 else "%.1f"))
    axis.applyNiceNumbers()
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    if spec.kind == "bar":
        series = QBarSeries()
        for i, (column, data) in enumerate(zip(spec.columns, values, strict=True)):
            bar_set = QBarSet(panel.columns[column])
            bar_set.append(data)
            bar_set.setColor(QColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]))
            bar_set.setBorderColor(QColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]))
            series.append(bar_set)
        chart.addSeries(series)
        series.attachAxis(categories)
        series.attachAxis(axis)
    else:
        for i, (column, data) in enumerate(zip(spec.columns, raw, strict=True)):
            line = QLineSeries()
            line.setName(panel.columns[column])
            line.append([QPointF(x, y) for x, y in enumerate(data) if y is not None])
            line.setPen(QPen(QColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]), 2.2))
            line.setPointsVisible(True)
            chart.addSeries(line)
            line.attachAxis(categories)
            line.attachAxis(axis)
    return chart
