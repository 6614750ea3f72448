"""Server-rendered SVG scatter chart: resources provided (x) against progress (y), one mark per project.

Standard library only. Same conventions as the KPI chart (``kyoso.visions.domain.chart``): inline-able under a
strict CSP (no script, no style attribute), ``role="img"`` with title and description, every mark has its own
``<title>``, and marks differ by **shape** as well as colour (circle: on track; triangle: resources without
progress; square: progress despite a shortfall; diamond: both lagging). The page shows the same data as a
table. All text is escaped (``kyoso.common.domain.svg``); the output is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from kyoso.common.domain import svg

WIDTH, HEIGHT = 640, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 24, 56
TEXT_COLOUR = "#333333"
AXIS_COLOUR = "#767676"
GRID_COLOUR = "#e3e3e3"
COLOURS = {
    "on_track": "#197a4b",
    "resources_without_progress": "#b34100",
    "progress_despite_shortfall": "#0017c1",
    "both_lagging": "#c4001a",
}
FONT_FAMILY = svg.FONT_FAMILY


@dataclass(frozen=True)
class ChartPoint:
    label: str
    provision: float
    progress: float
    group: str  # a quadrant code (see ``progress.quadrant``)
    tooltip: str = ""


@dataclass(frozen=True)
class ChartText:
    title: str
    description: str
    x_label: str
    y_label: str


def _x(value: float) -> float:
    return LEFT + value * (WIDTH - LEFT - RIGHT)


def _y(value: float) -> float:
    return HEIGHT - BOTTOM - value * (HEIGHT - TOP - BOTTOM)


def _mark(point: ChartPoint) -> str:
    x, y = _x(min(max(point.provision, 0.0), 1.0)), _y(min(max(point.progress, 0.0), 1.0))
    colour = COLOURS.get(point.group, TEXT_COLOUR)
    tip = f"<title>{svg.text(point.tooltip or point.label)}</title>"
    cls = quoteattr(f"k-chart-point k-chart-{point.group}")
    if point.group == "resources_without_progress":
        shape = f'<polygon points="{x:.1f},{y - 7:.1f} {x - 7:.1f},{y + 6:.1f} {x + 7:.1f},{y + 6:.1f}"'
    elif point.group == "progress_despite_shortfall":
        shape = f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12"'
    elif point.group == "both_lagging":
        shape = f'<polygon points="{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},{y + 8:.1f} {x - 8:.1f},{y:.1f}"'
    else:
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6"'
    tag = shape.split()[0][1:]
    return f'<g class={cls}>{shape} fill="{colour}" fill-opacity="0.8" stroke="#ffffff">{tip}</{tag}></g>'


def render_progress_chart(points: Sequence[ChartPoint], text: ChartText, divide: float = 0.7) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="k-chart" role="img" '
        f'aria-labelledby="pc-title pc-desc" font-family="{FONT_FAMILY}" font-size="12">',
        f'<title id="pc-title">{svg.text(text.title)}</title><desc id="pc-desc">{svg.text(text.description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = _x(tick), _y(tick)
        parts.append(f'<line class="k-chart-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="{GRID_COLOUR}"/>')
        parts.append(f'<line class="k-chart-grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
                     f'stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
                     f'{round(tick * 100)}%</text>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" fill="{TEXT_COLOUR}">'
                     f'{round(tick * 100)}%</text>')
    dx, dy = _x(divide), _y(divide)
    parts.append(f'<line class="k-chart-axis" x1="{dx:.1f}" y1="{TOP}" x2="{dx:.1f}" y2="{HEIGHT - BOTTOM}" '
                 f'stroke="{AXIS_COLOUR}" stroke-dasharray="6 4"/>')
    parts.append(f'<line class="k-chart-axis" x1="{LEFT}" y1="{dy:.1f}" x2="{WIDTH - RIGHT}" y2="{dy:.1f}" '
                 f'stroke="{AXIS_COLOUR}" stroke-dasharray="6 4"/>')
    parts.append(f'<line class="k-chart-axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
                 f'y2="{HEIGHT - BOTTOM}" stroke="{AXIS_COLOUR}"/>')
    parts.append(f'<line class="k-chart-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" '
                 f'stroke="{AXIS_COLOUR}"/>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 14}" text-anchor="middle" '
                 f'fill="{TEXT_COLOUR}">{svg.text(text.x_label)}</text>')
    parts.append(f'<text x="16" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" text-anchor="middle" fill="{TEXT_COLOUR}" '
                 f'transform="rotate(-90 16 {(TOP + HEIGHT - BOTTOM) / 2:.0f})">{svg.text(text.y_label)}</text>')
    parts.extend(_mark(p) for p in points)
    parts.append("</svg>")
    return "".join(parts)
