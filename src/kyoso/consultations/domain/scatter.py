"""Server-rendered SVG of the opinion map: one mark per participant at their 2-D position, by opinion group.

Same conventions as the other charts (``kyoso.portfolio.domain.chart``): inline-able under a strict CSP (no script,
no style attribute), ``role="img"`` with a title and a description, groups told apart by **shape** as well as
colour (colours from the Okabe–Ito palette, each ≥ 3:1 against white), a legend drawn in the picture, all text
escaped through ``kyoso.common.domain.svg``; the page shows the same figures as tables. Individual marks carry no
``<title>`` (hundreds of participants are not a list anyone should tab through); the legend gives each group's size.
Deterministic output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kyoso.common.domain import svg

WIDTH, HEIGHT = 640, 440
PAD, LEGEND = 24, 44
COLOURS = ("#0072b2", "#d55e00", "#007a5e", "#cc2e8a", "#6b5300")
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
AXIS_COLOUR = "#767676"
TEXT_COLOUR = "#333333"


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    group: int


@dataclass(frozen=True)
class MapText:
    title: str
    description: str
    group_labels: tuple[str, ...]  # legend entry of each group, e.g. "グループA（120人）"


def _mark(x: float, y: float, group: int, size: float = 4.0) -> str:
    colour = COLOURS[group % len(COLOURS)]
    shape = SHAPES[group % len(SHAPES)]
    fill = {"fill": colour, "fill-opacity": "0.75"}
    if shape == "circle":
        return svg.element("circle", {"cx": svg.num(x), "cy": svg.num(y), "r": svg.num(size), **fill})
    if shape == "square":
        return svg.element("rect", {"x": svg.num(x - size), "y": svg.num(y - size), "width": svg.num(2 * size),
                                    "height": svg.num(2 * size), **fill})
    if shape == "triangle":
        points = f"{svg.num(x)},{svg.num(y - size - 1)} {svg.num(x - size - 1)},{svg.num(y + size)} " \
                 f"{svg.num(x + size + 1)},{svg.num(y + size)}"
        return svg.element("polygon", {"points": points, **fill})
    if shape == "diamond":
        s = size + 1
        points = f"{svg.num(x)},{svg.num(y - s)} {svg.num(x + s)},{svg.num(y)} {svg.num(x)},{svg.num(y + s)} " \
                 f"{svg.num(x - s)},{svg.num(y)}"
        return svg.element("polygon", {"points": points, **fill})
    d = f"M{svg.num(x - size)} {svg.num(y - size)}L{svg.num(x + size)} {svg.num(y + size)}" \
        f"M{svg.num(x - size)} {svg.num(y + size)}L{svg.num(x + size)} {svg.num(y - size)}"
    return svg.element("path", {"d": d, "stroke": colour, "stroke-width": "2", "fill": "none"})


def render_opinion_map(points: Sequence[MapPoint], text: MapText, element_id: str | None = None) -> str:
    """The SVG markup (a string to inline in the page)."""
    prefix = svg.element_id("k-opinion-map", element_id, text.title, text.description)
    top, bottom = PAD, HEIGHT - PAD - LEGEND
    left, right = PAD, WIDTH - PAD
    xs = [p.x for p in points] or [0.0]
    ys = [p.y for p in points] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = min(right - left, bottom - top) / span * 0.95
    mid_x, mid_y = (left + right) / 2, (top + bottom) / 2

    parts = [
        f'<svg xmlns="{svg.XML_NS}" viewBox="0 0 {WIDTH} {HEIGHT}" class="k-chart" role="img"'
        f'{svg.attrs({"aria-labelledby": f"{prefix}-title {prefix}-desc", "font-family": svg.FONT_FAMILY})}'
        ' font-size="13">',
        svg.element("title", {"id": f"{prefix}-title"}, svg.text(text.title)),
        svg.element("desc", {"id": f"{prefix}-desc"}, svg.text(text.description)),
        svg.element("rect", {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "fill": "#ffffff"}),
        svg.element("line", {"x1": left, "y1": svg.num(mid_y), "x2": right, "y2": svg.num(mid_y),
                             "stroke": AXIS_COLOUR, "stroke-dasharray": "4 4"}),
        svg.element("line", {"x1": svg.num(mid_x), "y1": top, "x2": svg.num(mid_x), "y2": bottom,
                             "stroke": AXIS_COLOUR, "stroke-dasharray": "4 4"}),
    ]
    for point in points:
        parts.append(_mark(mid_x + (point.x - cx) * scale, mid_y - (point.y - cy) * scale, point.group))
    legend_y = HEIGHT - LEGEND / 2
    step = (WIDTH - 2 * PAD) / max(len(text.group_labels), 1)
    for group, label in enumerate(text.group_labels):
        x = PAD + group * step + 8
        parts.append(_mark(x, legend_y - 4, group, 6))
        parts.append(svg.element("text", {"x": svg.num(x + 12), "y": svg.num(legend_y), "fill": TEXT_COLOUR},
                                 svg.text(label)))
    parts.append("</svg>")
    return "".join(parts)
