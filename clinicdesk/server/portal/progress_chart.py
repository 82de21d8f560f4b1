"""Server-drawn SVG line charts of scores 0-10 over course days: small, inline, readable without colour.

Each chart is an <svg role="img"> with a <title> and <desc> (what a screen reader announces), every point has its
own <title> with its value, series differ by dash pattern and marker shape as well as colour, and the page shows
the same numbers as a data table next to it. No script, no fonts downloaded: the text uses the page's fonts.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 10, 26
MAX_SCORE = 10
# Dark enough for 3:1 against white (WCAG 1.4.11, graphics); the dash and marker tell series apart without colour.
STYLES = (
    ("#b3261e", "", "circle"),
    ("#1a5fb4", "6 3", "square"),
    ("#26703a", "2 3", "diamond"),
    ("#7a3e9d", "8 3 2 3", "triangle"),
    ("#8a5a00", "1 2", "circle"),
    ("#005f66", "10 4", "square"),
)


@dataclass(frozen=True)
class Series:
    """One line: its name and (x, score) points, x being the day of the course."""

    name: str
    points: tuple[tuple[int, int], ...]


def style_of(index: int) -> tuple[str, str, str]:
    return STYLES[index % len(STYLES)]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"'
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} {x - 4:.1f},{y:.1f}"'
                f' fill="{colour}"')
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}"'
                f' fill="{colour}"')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"'


def line_chart(chart_id: str, title: str, description: str, series: Sequence[Series], *, x_label: str,
               point_label: str = "{name}, {x_label} {x}: {y}") -> Markup:
    """An inline SVG chart of `series` with y from 0 to 10. Texts are escaped here (a symptom name is patient-typed);
    `point_label` is filled with name, x_label, x and y for each point's tooltip and accessible name."""
    xs = [x for s in series for x, _ in s.points] or [0]
    low, high = min(xs), max(xs)
    span = max(high - low, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: int) -> float:
        return LEFT + (x - low) / span * plot_w if high != low else LEFT + plot_w / 2

    def py(y: int) -> float:
        return TOP + (MAX_SCORE - y) / MAX_SCORE * plot_h

    e = escape
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-title">{e(title)}</title>',
             f'<desc id="{e(chart_id)}-desc">{e(description)}</desc>',
             '<g aria-hidden="true" font-size="10" fill="#333">']
    for tick in (0, 5, 10):
        y = py(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#767676" '
                     f'stroke-width="0.5"/><text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{tick}</text>')
    for x in sorted({low, high}):
        parts.append(f'<text x="{px(x):.1f}" y="{HEIGHT - BOTTOM + 12}" text-anchor="middle">{x}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 3}" text-anchor="middle">{e(x_label)}</text></g>')
    for index, line in enumerate(series):
        colour, dash, shape = style_of(index)
        points = sorted(line.points)
        parts.append(f'<g class="series" data-series="{e(line.name)}">')
        if len(points) > 1:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for x, y in points:
            label = point_label.format(name=line.name, x_label=x_label, x=x, y=y)
            parts.append(f'{_marker(shape, px(x), py(y), colour)} data-x="{x}" data-y="{y}">'
                         f'<title>{e(label)}</title></{_tag(shape)}>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _tag(shape: str) -> str:
    return {"square": "rect", "diamond": "polygon", "triangle": "polygon"}.get(shape, "circle")


def legend_swatch(index: int) -> Markup:
    """A short sample of a series' line and marker for the legend (decorative: the name is written next to it)."""
    colour, dash, shape = style_of(index)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return Markup(f'<svg class="swatch" width="28" height="10" viewBox="0 0 28 10" aria-hidden="true" '
                  f'focusable="false"><line x1="0" y1="5" x2="28" y2="5" stroke="{colour}" stroke-width="2"'
                  f'{dash_attr}/>{_marker(shape, 14, 5, colour)}/></svg>')
