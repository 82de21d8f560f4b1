"""A small line chart of scores over days, drawn with reportlab graphics (no matplotlib); numbers only, no words."""

from dataclasses import dataclass

# Distinct on paper and in greyscale print: green, ochre, brick, blue, plum, slate.
SERIES_COLOURS = ("#2f6b4f", "#c08a1e", "#a23b2a", "#2b5c8a", "#7a3f7a", "#5f6b7a")


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[float, float], ...]  # (x, y)


def trend_chart(series: list[Series], *, width: float, height: float, font: str, y_max: float = 10,
                x_min: float | None = None, x_max: float | None = None):
    """A Drawing with one coloured line per series on a 0..y_max axis; the legend is left to the caller.

    Only digits are drawn here: reportlab graphics do not shape Indic text, so names go in a shaped legend table.
    """
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 28, 18
    plot.width, plot.height = width - 40, height - 28
    plot.data = [list(s.points) for s in series if s.points]
    xs = [x for s in series for x, _ in s.points] or [0.0, 1.0]
    low = min(xs) if x_min is None else x_min
    high = max(xs) if x_max is None else x_max
    if high <= low:
        high = low + 1
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = low, high
    plot.xValueAxis.valueStep = max(1, round((high - low) / 10))
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, y_max, max(1, y_max / 5)
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 7
        axis.strokeColor = colors.HexColor("#9aa5b1")
    plot.xValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#e3e8e5")
    for index in range(len(plot.data)):
        colour = colors.HexColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        plot.lines[index].strokeColor = colour
        plot.lines[index].strokeWidth = 1.6
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour, strokeColor=colour)
    if plot.data:
        drawing.add(plot)
    return drawing
