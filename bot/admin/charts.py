"""Small SVG charts for the console: stacked bars, lines, horizontal bars, as markup with every text escaped."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Drawn in viewBox units; CSS scales the picture to its column. Colours come from classes in dashboard.css
# (the console's CSP allows no style attributes, and one stylesheet keeps the palette in one place).
WIDTH = 720
PLOT_HEIGHT = 180
LEFT, RIGHT = 48, 12
FONT = 12
CHAR_WIDTH = 6.6  # an average character at 12px, to lay out legends and cut long labels
LEGEND_ROW = 18
AXIS_ROW = 22
EMPTY = "Chưa có dữ liệu"
MAX_DAY_LABELS = 10


@dataclass(frozen=True)
class Series:
    """One coloured series: its name in the legend, its CSS class, one value per day (None: no point)."""

    name: str
    css: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart, or one part of a stacked bar."""

    label: str
    value: float
    css: str = "c-top"


def number(value: float, digits: int = 0) -> str:
    """Vietnamese number: 12.345 and 0,35 (dot between thousands, comma before decimals)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _svg(title: str, height: float, body: list[str], css: str) -> Markup:
    label = escape(title)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-label="{label}"><title>{label}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "start") -> str:
    kind = f' class="{escape(css)}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{kind}>{escape(content)}</text>'


def _rect(x: float, y: float, width: float, height: float, css: str, tip: str = "") -> str:
    inside = f"<title>{escape(tip)}</title>" if tip else ""
    box = f'x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{max(height, 0):.1f}"'
    return f'<rect class="{escape(css)}" {box}>{inside}</rect>'


def empty(title: str) -> Markup:
    """A chart without data: its title and «Chưa có dữ liệu», readable where the chart would be."""
    return _svg(title, 60, [_text(WIDTH / 2, 35, EMPTY, "empty", "middle")], "chart-empty")


def legend(entries: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Swatch and name per (name, css class), wrapped over rows; returns the markup and the height used."""
    parts = ['<g class="legend">']
    x: float = LEFT
    y: float = FONT
    for name, css in entries:
        width = 16 + len(name) * CHAR_WIDTH + 18
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + LEGEND_ROW
        parts.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="{y - 10:.1f}" width="11" height="11"/>')
        parts.append(_text(x + 16, y, name))
        x += width
    parts.append("</g>")
    return parts, y + LEGEND_ROW - FONT + 6


def nice_top(value: float, whole: bool = True) -> float:
    """The axis' top: four grid steps of 1, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ, at or above `value`; for `whole`
    numbers (counts) each step is whole, so no grid line reads «1,2 câu hỏi»."""
    quarter = value / 4 if value > 0 else 0.25
    scale = 10.0 ** math.floor(math.log10(quarter))
    steps = [step * scale for step in (1, 2, 2.5, 3, 4, 5, 6, 8, 10)]
    if whole:
        steps = [step for step in steps if step >= 1 and step == int(step)] or [1.0]
    return 4 * float(next(step for step in steps if step >= quarter))


def _axes(days: Sequence[dt.date], top: float, y0: float, unit: str) -> tuple[list[str], float]:
    """Grid lines with their values and dd/mm labels under the days; returns markup and the slot width."""
    plot = WIDTH - LEFT - RIGHT
    slot = plot / len(days)
    parts = ['<g class="grid">']
    for step in range(5):
        value = top * step / 4
        y = y0 + PLOT_HEIGHT - PLOT_HEIGHT * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(LEFT - 6, y + 4, _shown(value, unit), "axis", "end"))
    parts.append('</g><g class="days">')
    every = math.ceil(len(days) / MAX_DAY_LABELS)
    for index, day in enumerate(days):
        if (len(days) - 1 - index) % every == 0:  # the last day (today) always has its label
            x = LEFT + slot * (index + 0.5)
            parts.append(_text(x, y0 + PLOT_HEIGHT + 16, day.strftime("%d/%m"), "axis", "middle"))
    parts.append("</g>")
    return parts, slot


def _shown(value: float, unit: str) -> str:
    return number(value, 0 if value == int(value) else 1) + unit


def stacked_bars(title: str, days: Sequence[dt.date], series: Sequence[Series], unit: str = "") -> Markup:
    """A bar per day, its series stacked bottom-up in the given order; a rect per non-zero value."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(days))]
    if not days or not any(totals):
        return empty(title)
    parts, legend_height = legend([(s.name, s.css) for s in series])
    y0 = legend_height + 6
    top = nice_top(max(totals), all(float(v or 0).is_integer() for s in series for v in s.values))
    axes, slot = _axes(days, top, y0, unit)
    parts += axes
    parts.append('<g class="bars">')
    gap = min(slot * 0.2, 4)
    for index, day in enumerate(days):
        parts.append("<g>")
        base = y0 + PLOT_HEIGHT
        tip = (
            day.strftime("%d/%m/%Y")
            + ": "
            + ", ".join(f"{s.name} {_shown(s.values[index] or 0, unit)}" for s in series)
        )
        for s in series:
            value = s.values[index] or 0
            if value <= 0:
                continue
            height = PLOT_HEIGHT * value / top
            base -= height
            parts.append(_rect(LEFT + slot * index + gap / 2, base, slot - gap, height, s.css, tip))
        parts.append("</g>")
    parts.append("</g>")
    return _svg(title, y0 + PLOT_HEIGHT + AXIS_ROW, parts, "chart-bars")


def lines(
    title: str, days: Sequence[dt.date], series: Sequence[Series], unit: str = "", top: float | None = None
) -> Markup:
    """A line per series over the days, a dot per value; a day without a value breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    if not days or not values:
        return empty(title)
    parts, legend_height = legend([(s.name, s.css) for s in series])
    y0 = legend_height + 6
    top = top or nice_top(max(values), all(float(v).is_integer() for v in values))
    axes, slot = _axes(days, top, y0, unit)
    parts += axes
    radius = 3 if len(days) <= 60 else 2
    for s in series:
        parts.append(f'<g class="series {escape(s.css)}">')
        segments: list[list[str]] = [[]]
        dots = []
        for index, (day, value) in enumerate(zip(days, s.values)):
            if value is None:
                segments.append([])
                continue
            x, y = LEFT + slot * (index + 0.5), y0 + PLOT_HEIGHT - PLOT_HEIGHT * min(value, top) / top
            segments[-1].append(f"{x:.1f},{y:.1f}")
            tip = escape(f"{day.strftime('%d/%m/%Y')}: {s.name} {_shown(value, unit)}")
            dots.append(
                f'<circle class="{escape(s.css)}" cx="{x:.1f}" cy="{y:.1f}" r="{radius}"><title>{tip}</title></circle>'
            )
        # A lone value between gaps is its dot alone.
        parts += [
            f'<polyline class="line {escape(s.css)}" points="{" ".join(seg)}"/>' for seg in segments if len(seg) > 1
        ]
        parts += dots
        parts.append("</g>")
    return _svg(title, y0 + PLOT_HEIGHT + AXIS_ROW, parts, "chart-lines")


def _cut(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def horizontal_bars(title: str, bars: Sequence[Bar], unit: str = "") -> Markup:
    """A row per bar, longest value first as given: the label, the bar, the value at its end."""
    if not bars or not any(b.value > 0 for b in bars):
        return empty(title)
    label_width = WIDTH * 0.42
    chars = int(label_width / CHAR_WIDTH) - 1
    plot = WIDTH - label_width - RIGHT - 70
    top = max(b.value for b in bars)
    row = 24
    parts = ['<g class="rows">']
    for index, bar in enumerate(bars):
        y = 6 + index * row
        parts.append("<g>")
        parts.append(_text(label_width - 8, y + 15, _cut(bar.label, chars), "label", "end"))
        width = plot * bar.value / top if top else 0
        parts.append(_rect(label_width, y + 3, width, row - 8, bar.css, f"{bar.label}: {_shown(bar.value, unit)}"))
        parts.append(_text(label_width + width + 6, y + 15, _shown(bar.value, unit), "value"))
        parts.append("</g>")
    parts.append("</g>")
    return _svg(title, 12 + len(bars) * row, parts, "chart-rows")


def stacked_row(title: str, parts_of: Sequence[Bar]) -> Markup:
    """One bar split into parts (a campaign's deliveries per status), with a legend giving each number."""
    shown = [p for p in parts_of if p.value > 0]
    total = sum(p.value for p in shown)
    if not total:
        return empty(title)
    parts, legend_height = legend([(f"{p.label}: {_shown(p.value, '')}", p.css) for p in shown])
    y = legend_height + 4
    x = float(LEFT)
    plot = WIDTH - LEFT - RIGHT
    parts.append('<g class="bars">')
    for part in shown:
        width = plot * part.value / total
        parts.append(_rect(x, y, width, 18, part.css, f"{part.label}: {_shown(part.value, '')}"))
        x += width
    parts.append("</g>")
    return _svg(title, y + 24, parts, "chart-row")
