"""Server-rendered SVG "backcasting" graph: vision → goals → KPIs → regional issues → R&D themes.

Standard library only (no Django).  :func:`layout` places the nodes in left-to-right columns, one
per level present (vision on the left), ordered within each column by a few passes of the
barycenter heuristic to reduce edge crossings.  An edge that skips a level (e.g. goal → issue) is
routed through a reserved lane in each column it crosses ("dummy node", as in the Sugiyama
method), so it never runs under a node box.  :func:`render_graph` draws the result as one
self-contained ``<svg>`` string for a page under a strict Content Security Policy: no script, no
``style`` attribute, only SVG presentation attributes as fallback colours, each overridable by a
``k-graph-*`` class (see :data:`CSS_CLASSES`).

Nodes and edges are duck-typed: any objects with ``key``, ``level``, ``label`` and optionally
``url`` (nodes) and ``source``, ``target`` (edges, holding node keys) will do; :class:`Node` and
:class:`Edge` are provided for convenience.  Edges whose ends are unknown, identical or on the same
level are ignored; an edge pointing "backwards" (to a lower level) is laid out like a forward edge
with its arrow head at its real target.

Accessibility (WCAG 2.1 AA):

* the ``<svg>`` has ``role="img"`` and ``aria-labelledby`` naming its ``<title>`` and ``<desc>``;
  when some nodes are links it gets ``role="group"`` instead, because an image's content is
  hidden from assistive technology and the links would not be reachable.  The content is then
  read as one list per column (``role="list"`` named by the column heading), one list item per
  node, named by its ``<title>`` (the full label); a link carries an ``aria-label`` with the full
  label; the visible, possibly wrapped or truncated text, the headings and the edges are
  ``aria-hidden``.  The page should still offer the same relations as text (e.g. an outline);
* node text is #1a1a1a on light tints (contrast ≥ 14:1); link text #0017c1 (≥ 8.9:1 on every
  tint) and underlined, so links do not differ by colour alone; box outlines #4d4d4d and edges
  #767676 reach 3:1 against white (non-text contrast);
* links come in reading order (column by column, top to bottom).

All text is escaped; the output is deterministic (same input, same string).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kyoso.common.domain.svg import FONT_FAMILY, XML_NS, element_id
from kyoso.common.domain.svg import attrs as _attrs
from kyoso.common.domain.svg import clean as _clean
from kyoso.common.domain.svg import element as _el
from kyoso.common.domain.svg import num as _num
from kyoso.common.domain.svg import text as _text

__all__ = [
    "CSS_CLASSES",
    "LEVEL_FILLS",
    "MIN_VIEW_WIDTH",
    "NODE_HEIGHT",
    "NODE_WIDTH",
    "Edge",
    "GraphLayout",
    "Node",
    "compute_layout",
    "count_crossings",
    "layout",
    "render_graph",
    "text_cells",
    "wrap_label",
]

FONT_SIZE = 13
LINE_HEIGHT = 16

# Geometry (px, in viewBox units).
NODE_WIDTH = 180
NODE_HEIGHT = 44
COLUMN_GAP = 76  # horizontal space between columns, where the edges curve
ROW_GAP = 14  # vertical space between two node boxes
LANE_GAP = 8  # vertical space between a lane of a level-skipping edge and its neighbours
MARGIN = 16
HEADING_HEIGHT = 36  # band above the first row holding the column headings

# Text fitting: a full-width (CJK) character is one "cell" of ~14 px, ASCII ~0.55 cell.
CELL_PX = 14
LABEL_CELLS = 11.0
LABEL_LINES = 2
HEADING_CELLS = NODE_WIDTH / CELL_PX
# The viewBox is at least this wide (content left-aligned), so that with width="100%" a small
# graph in a wide container is not blown up to giant text.
MIN_VIEW_WIDTH = 960
ELLIPSIS = "…"

# Fallback colours.  Every fill is a light tint on which TEXT_COLOUR reaches ≥ 14:1 and
# LINK_COLOUR ≥ 8.9:1; BOX_STROKE is 8.4:1 and EDGE_COLOUR 4.5:1 on white.
LEVEL_FILLS = ("#e8f1fe", "#f1f8e9", "#fff4e5", "#fdecea", "#f3e8fd", "#eeeeee")
TEXT_COLOUR = "#1a1a1a"
LINK_COLOUR = "#0017c1"
BOX_STROKE = "#4d4d4d"
EDGE_COLOUR = "#767676"
BACKGROUND_COLOUR = "#ffffff"

CSS_CLASSES = (
    "k-graph",  # the <svg>
    "k-graph-empty",  # the <svg> when there are no nodes
    "k-graph-background",  # the white <rect> behind everything
    "k-graph-nodata",  # the text of the empty graph
    "k-graph-headings",  # group of the column headings
    "k-graph-heading",  # one column heading (<text>), also k-graph-heading-N (N = level)
    "k-graph-edges",  # group of the edges
    "k-graph-edge",  # one edge (<path>)
    "k-graph-edge-skip",  # an edge that skips at least one column
    "k-graph-arrow",  # the arrow head (<path> in the <marker>)
    "k-graph-nodes",  # group of the nodes
    "k-graph-column",  # the nodes of one level (role="list"), also k-graph-column-N (N = level)
    "k-graph-node",  # one node (<g>), also k-graph-level-N (N = level)
    "k-graph-box",  # the rounded <rect> of a node
    "k-graph-label",  # the <text> of a node
    "k-graph-link",  # the <a> around a linked node's box and label
    "k-graph-truncated",  # added to k-graph-node when its label was shortened
)


@dataclass(frozen=True)
class Node:
    key: Hashable
    level: int
    label: str
    url: str = ""


@dataclass(frozen=True)
class Edge:
    source: Hashable
    target: Hashable


# --------------------------------------------------------------------------------------------
# Text


_SPACES = re.compile(r"\s+")
# Kinsoku shori (JIS X 4051, simplified): characters that may not start / end a line.
_NO_LINE_START = frozenset(
    "、。，．,.:;!?)]}）」』】〕〉》〙〗］｝”’ー－・：；？！‼⁇⁈⁉ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    "ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻‐゠–〜～…‥％%"
)
_NO_LINE_END = frozenset("([{（「『【〔〈《〘〖［｛“‘￥＄$#＃")


def _one_line(text: object) -> str:
    return _SPACES.sub(" ", _clean(text)).strip()


def _char_cells(ch: str) -> float:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0.0
    if unicodedata.east_asian_width(ch) in "WFA":
        return 1.0
    if "A" <= ch <= "Z" or ch in "mwMW@%&":
        return 0.72
    if ch in "ijlI.,:;'|!":
        return 0.35
    return 0.55


def text_cells(text: str) -> float:
    """Rough rendered width in cells (full-width character = 1, ASCII ≈ 0.55)."""
    return sum(_char_cells(ch) for ch in text)


def _units(text: str) -> list[str]:
    """Unbreakable pieces: ASCII words, single other characters, with kinsoku glue applied."""
    raw: list[str] = []
    for ch in text:
        ascii_word = ch.isascii() and not ch.isspace() and raw and raw[-1].isascii() and not raw[-1][-1].isspace()
        if raw and (ascii_word or unicodedata.combining(ch)):
            raw[-1] += ch
        else:
            raw.append(ch)
    units: list[str] = []
    carry = ""
    for unit in raw:
        if unit.isspace():
            if carry:
                units.append(carry)
                carry = ""
            units.append(" ")
            continue
        if units and not carry and unit[0] in _NO_LINE_START and units[-1] != " ":
            units[-1] += unit
        else:
            unit = carry + unit
            carry = ""
            if unit[-1] in _NO_LINE_END:
                carry = unit
            else:
                units.append(unit)
    if carry:
        units.append(carry)
    return units


def wrap_label(text: object, *, cells: float = LABEL_CELLS, lines: int = LABEL_LINES) -> tuple[list[str], bool]:
    """Wrap ``text`` into at most ``lines`` lines of at most ``cells`` cells each.

    Breaks between any two CJK characters (not before closing punctuation, small kana or a long
    vowel mark, not after an opening bracket) and at spaces between ASCII words; a word too long
    for a line is cut.  Returns ``(lines, truncated)``; a truncated text ends with "…".
    """
    text = _one_line(text)
    out: list[str] = []
    current, width = "", 0.0
    for unit in _units(text):
        unit_width = text_cells(unit)
        if unit == " " and not current:
            continue
        if width + unit_width <= cells:
            current += unit
            width += unit_width
            continue
        if unit_width <= cells:
            out.append(current.rstrip())
            current, width = ("", 0.0) if unit == " " else (unit, unit_width)
        else:  # too long for any line: cut it character by character
            for ch in unit:
                ch_width = _char_cells(ch)
                if width + ch_width > cells and current:
                    out.append(current.rstrip())
                    current, width = "", 0.0
                current += ch
                width += ch_width
        if len(out) > lines:
            break
    if current.strip():
        out.append(current.rstrip())
    out = [line for line in out if line]
    if len(out) <= lines:
        return out, False
    last = out[lines - 1]
    limit = cells - text_cells(ELLIPSIS)
    while last and text_cells(last) > limit:
        last = last[:-1]
    return out[: lines - 1] + [last.rstrip() + ELLIPSIS], True


# --------------------------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class GraphLayout:
    """Result of :func:`compute_layout`.

    * ``positions``: node key → (x, y) of the top-left corner of its box;
    * ``columns``: the levels shown, left to right;
    * ``column_x``: x of each column;
    * ``routes``: one per drawn edge, ``(source key, target key, points, reversed)``: the polyline
      the edge follows, from the right side of its left node through the lanes it crosses to the
      left side of its right node (``reversed`` when that left node is the edge's target);
    * ``width``, ``height``: the size of the drawing (viewBox).
    """

    positions: dict[Any, tuple[float, float]]
    columns: tuple[int, ...]
    column_x: tuple[float, ...]
    routes: tuple[tuple[Any, Any, tuple[tuple[float, float], ...], bool], ...]
    width: float
    height: float


def _unique_nodes(nodes: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for node in nodes:
        if node.key not in seen:
            seen.add(node.key)
            out.append(node)
    return out


def _bit_inversions(values: Sequence[int], size: int) -> int:
    """Number of pairs i < j with values[i] > values[j] (values in 0..size-1)."""
    tree = [0] * (size + 1)
    inversions = 0
    for seen, value in enumerate(values):
        index, not_greater = value + 1, 0
        while index > 0:
            not_greater += tree[index]
            index -= index & -index
        inversions += seen - not_greater
        index = value + 1
        while index <= size:
            tree[index] += 1
            index += index & -index
    return inversions


def count_crossings(rank: dict[int, int], segments: Sequence[tuple[int, int]], size: int) -> int:
    """Crossings between two adjacent columns; ``rank`` gives each item's index in its column."""
    pairs = sorted((rank[u], rank[v]) for u, v in segments)
    return _bit_inversions([v for _, v in pairs], size)


def _isotonic(desired: Sequence[float], separation: Sequence[float]) -> list[float]:
    """Positions closest (least squares) to ``desired`` with y[i+1] - y[i] ≥ separation[i].

    Pool-adjacent-violators on y[i] - offset[i], offset being the cumulative separation.
    """
    offsets = [0.0]
    for gap in separation:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [sum, count]
    for target, offset in zip(desired, offsets, strict=True):
        blocks.append([target - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    out: list[float] = []
    for total, count in blocks:
        out.extend([total / count] * int(count))
    return [z + offset for z, offset in zip(out, offsets, strict=True)]


def compute_layout(nodes: Iterable[Any], edges: Iterable[Any]) -> GraphLayout:
    """Layered left-to-right layout; see the module docstring."""
    node_list = _unique_nodes(nodes)
    by_key = {node.key: node for node in node_list}
    levels = sorted({int(node.level) for node in node_list})
    column_of_level = {level: index for index, level in enumerate(levels)}
    n_columns = len(levels)

    # Items: real nodes 0..n-1 then one lane ("dummy") per edge per crossed column.
    item_column = [column_of_level[int(node.level)] for node in node_list]
    item_height: list[float] = [NODE_HEIGHT] * len(node_list)
    index_of_key = {node.key: index for index, node in enumerate(node_list)}
    up: list[list[int]] = [[] for _ in node_list]
    down: list[list[int]] = [[] for _ in node_list]
    chains: list[tuple[Any, Any, list[int], bool]] = []
    seen_edges: set[tuple[Any, Any]] = set()
    for edge in edges:
        source, target = edge.source, edge.target
        if source not in by_key or target not in by_key or (source, target) in seen_edges:
            continue
        seen_edges.add((source, target))
        first, last = index_of_key[source], index_of_key[target]
        if item_column[first] == item_column[last]:
            continue
        reverse = item_column[first] > item_column[last]
        if reverse:
            first, last = last, first
        chain = [first]
        for column in range(item_column[first] + 1, item_column[last]):
            item_column.append(column)
            item_height.append(0.0)
            up.append([])
            down.append([])
            chain.append(len(item_column) - 1)
        chain.append(last)
        for left, right in zip(chain, chain[1:], strict=False):
            down[left].append(right)
            up[right].append(left)
        chains.append((source, target, chain, reverse))

    columns: list[list[int]] = [[] for _ in range(n_columns)]
    for item, column in enumerate(item_column):
        columns[column].append(item)
    segments: list[list[tuple[int, int]]] = [[] for _ in range(max(n_columns - 1, 0))]
    for item, column in enumerate(item_column):
        if column < n_columns - 1:
            segments[column].extend((item, below) for below in down[item])

    columns = _order(columns, up, down, segments)
    centres = _place(columns, up, down, item_height)

    # Coordinates.
    column_x = tuple(MARGIN + column * (NODE_WIDTH + COLUMN_GAP) for column in range(n_columns))
    top = min((centres[item] - item_height[item] / 2 for item in range(len(item_column))), default=0.0)
    bottom = max((centres[item] + item_height[item] / 2 for item in range(len(item_column))), default=0.0)
    shift = MARGIN + HEADING_HEIGHT - top
    y = [centre + shift for centre in centres]
    positions = {
        node.key: (float(column_x[item_column[index]]), y[index] - NODE_HEIGHT / 2)
        for index, node in enumerate(node_list)
    }
    width = MARGIN * 2 + n_columns * NODE_WIDTH + max(n_columns - 1, 0) * COLUMN_GAP
    height = MARGIN * 2 + HEADING_HEIGHT + (bottom - top)

    # Ports: spread the ends of several edges over the side of a box, in the order of the
    # neighbouring point, so that they do not all meet in one spot.
    out_port: dict[tuple[int, int], float] = {}
    in_port: dict[tuple[int, int], float] = {}
    for index in range(len(node_list)):
        for port, neighbours in ((out_port, down[index]), (in_port, up[index])):
            ordered = sorted(dict.fromkeys(neighbours), key=lambda item: (y[item], item))
            count = len(ordered)
            step = min(6.0, (NODE_HEIGHT - 16) / (count - 1)) if count > 1 else 0.0
            for rank, neighbour in enumerate(ordered):
                port[(index, neighbour)] = y[index] + (rank - (count - 1) / 2) * step

    routes = []
    for source, target, chain, reverse in chains:
        first, second, before_last, last = chain[0], chain[1], chain[-2], chain[-1]
        points = [(column_x[item_column[first]] + NODE_WIDTH, out_port[(first, second)])]
        for lane in chain[1:-1]:
            lane_x = column_x[item_column[lane]]
            points.append((lane_x, y[lane]))
            points.append((lane_x + NODE_WIDTH, y[lane]))
        points.append((column_x[item_column[last]], in_port[(last, before_last)]))
        routes.append((source, target, tuple(points), reverse))
    return GraphLayout(
        positions=positions,
        columns=tuple(levels),
        column_x=tuple(float(x) for x in column_x),
        routes=tuple(routes),
        width=float(width),
        height=float(height),
    )


def _order(
    columns: list[list[int]],
    up: list[list[int]],
    down: list[list[int]],
    segments: list[list[tuple[int, int]]],
    rounds: int = 8,
) -> list[list[int]]:
    """Barycenter ordering (down and up sweeps), keeping the best order seen (input order first)."""
    rank: dict[int, int] = {}

    def refresh(column: list[int]) -> None:
        for index, item in enumerate(column):
            rank[item] = index

    def crossings() -> int:
        return sum(
            count_crossings(rank, segments[column], len(columns[column + 1]))
            for column in range(len(segments))
        )

    def sweep(column_index: int, neighbours: list[list[int]], other: int) -> None:
        column = columns[column_index]
        other_size = len(columns[other])
        own_size = len(column)
        keys = []
        for index, item in enumerate(column):
            linked = neighbours[item]
            if linked:
                value = sum(rank[n] + 0.5 for n in linked) / (len(linked) * other_size)
            else:
                value = (index + 0.5) / own_size
            keys.append((value, index, item))
        keys.sort()
        columns[column_index] = [item for _, _, item in keys]
        refresh(columns[column_index])

    for column in columns:
        refresh(column)
    best = crossings()
    best_columns = [list(column) for column in columns]
    stale = 0
    for _ in range(rounds):
        if best == 0:
            break
        improved = False
        for direction in ("down", "up"):
            if direction == "down":
                for index in range(1, len(columns)):
                    sweep(index, up, index - 1)
            else:
                for index in range(len(columns) - 2, -1, -1):
                    sweep(index, down, index + 1)
            total = crossings()
            if total < best:
                best, improved = total, True
                best_columns = [list(column) for column in columns]
        stale = 0 if improved else stale + 1
        if stale >= 2:
            break
    return best_columns


def _place(columns: list[list[int]], up: list[list[int]], down: list[list[int]], height: list[float],
           rounds: int = 6) -> list[float]:
    """Vertical centres: each item as close as possible to the mean of its neighbours."""
    centres = [0.0] * len(height)

    def separation(column: list[int]) -> list[float]:
        out = []
        for above, below in zip(column, column[1:], strict=False):
            gap = ROW_GAP if height[above] and height[below] else LANE_GAP
            out.append((height[above] + height[below]) / 2 + gap)
        return out

    gaps = [separation(column) for column in columns]
    for column, column_gaps in zip(columns, gaps, strict=True):
        placed = _isotonic([0.0] * len(column), column_gaps)
        for item, centre in zip(column, placed, strict=True):
            centres[item] = centre

    def sweep(column_index: int, neighbours: list[list[int]]) -> None:
        column = columns[column_index]
        desired = []
        for item in column:
            linked = neighbours[item]
            desired.append(sum(centres[n] for n in linked) / len(linked) if linked else centres[item])
        for item, centre in zip(column, _isotonic(desired, gaps[column_index]), strict=True):
            centres[item] = centre

    for _ in range(rounds):
        for index in range(1, len(columns)):
            sweep(index, up)
        for index in range(len(columns) - 2, -1, -1):
            sweep(index, down)
    return centres


def layout(nodes: Iterable[Any], edges: Iterable[Any]) -> dict[Any, tuple[float, float]]:
    """Node key → (x, y) of the top-left corner of its ``NODE_WIDTH`` × ``NODE_HEIGHT`` box."""
    return compute_layout(nodes, edges).positions


# --------------------------------------------------------------------------------------------
# SVG


def _graph_id(given: str | None, *parts: str) -> str:
    return element_id("k-graph", given, *parts)


def _svg_open(*, width: float, height: float, ident: str, classes: str, role: str,
              fixed_height: float | None = None) -> str:
    return "<svg" + _attrs({
        "xmlns": XML_NS,
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "width": "100%",
        "height": None if fixed_height is None else _num(fixed_height),
        "preserveAspectRatio": "xMinYMin meet",
        "role": role,
        "aria-labelledby": f"{ident}-title {ident}-desc",
        "class": classes,
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }) + ">"


def _path(points: Sequence[tuple[float, float]]) -> str:
    """Horizontal cubic curves across the gaps between columns, straight lines through lanes."""
    x, y = points[0]
    parts = [f"M{_num(x)} {_num(y)}"]
    for index, (nx, ny) in enumerate(points[1:]):
        if index % 2 == 1 or _num(ny) == _num(y):  # through a lane, or level
            parts.append(f"L{_num(nx)} {_num(ny)}")
        else:
            mid = (x + nx) / 2
            parts.append(f"C{_num(mid)} {_num(y)} {_num(mid)} {_num(ny)} {_num(nx)} {_num(ny)}")
        x, y = nx, ny
    return "".join(parts)


def _level_name(level_names: Sequence[str], level: int) -> str:
    return _one_line(level_names[level]) if 0 <= level < len(level_names) else ""


def render_graph(
    nodes: Iterable[Any],
    edges: Iterable[Any],
    *,
    title: str,
    desc: str,
    level_names: Sequence[str],
    graph_id: str | None = None,
    min_width: float = MIN_VIEW_WIDTH,
) -> str:
    """The graph as an ``<svg>`` string (see the module docstring).

    ``level_names[level]`` heads the column of that level (none when missing).  ``graph_id``
    prefixes the element ids (title, desc, arrow marker); by default it is derived from the
    content, so two different graphs on one page do not clash.  The viewBox is at least
    ``min_width`` wide (the drawing stays on the left): the ``<svg>`` fills its container's width,
    and this keeps the text of a small graph near its natural size on a wide screen.
    """
    node_list = _unique_nodes(nodes)
    edge_list = list(edges)
    if not node_list:
        return _render_empty(title=title, desc=desc, graph_id=graph_id)
    drawn = compute_layout(node_list, edge_list)
    view_width = max(drawn.width, float(min_width))
    ident = _graph_id(graph_id, _clean(title), _clean(desc),
                      *(f"{node.key!r}\x1e{node.level}\x1e{node.label}" for node in node_list),
                      *(f"{edge.source!r}\x1e{edge.target!r}" for edge in edge_list))
    has_links = any(getattr(node, "url", "") for node in node_list)
    arrow = f"{ident}-arrow"

    out = [
        _svg_open(width=view_width, height=drawn.height, ident=ident, classes="k-graph",
                  role="group" if has_links else "img"),
        _el("title", {"id": f"{ident}-title"}, _text(title)),
        _el("desc", {"id": f"{ident}-desc"}, _text(desc)),
        "<defs>",
        _el("marker", {"id": arrow, "viewBox": "0 0 10 10", "refX": 10, "refY": 5, "markerWidth": 6,
                       "markerHeight": 6, "markerUnits": "strokeWidth", "orient": "auto-start-reverse"},
            _el("path", {"class": "k-graph-arrow", "d": "M0 0L10 5L0 10z", "fill": EDGE_COLOUR})),
        "</defs>",
        _el("rect", {"class": "k-graph-background", "x": 0, "y": 0, "width": _num(view_width),
                     "height": _num(drawn.height), "fill": BACKGROUND_COLOUR, "aria-hidden": "true"}),
    ]

    # Column headings.
    headings = []
    for level, x in zip(drawn.columns, drawn.column_x, strict=True):
        name = _level_name(level_names, level)
        if not name:
            continue
        lines, truncated = wrap_label(name, cells=HEADING_CELLS, lines=1)
        content = (_el("title", {}, _text(name)) if truncated else "") + _text(lines[0] if lines else "")
        headings.append(_el("text", {"class": f"k-graph-heading k-graph-heading-{level}",
                                     "x": _num(x + NODE_WIDTH / 2), "y": _num(MARGIN + 14),
                                     "text-anchor": "middle"}, content))
    if headings:
        out.append(_el("g", {"class": "k-graph-headings", "font-weight": "bold", "fill": TEXT_COLOUR,
                             "aria-hidden": "true"},
                       "".join(headings)))

    # Edges, under the nodes.
    paths = []
    for source, target, points, reverse in drawn.routes:
        classes = "k-graph-edge k-graph-edge-skip" if len(points) > 2 else "k-graph-edge"
        end = points[-1]
        points = (*points[:-1], (end[0] - 1, end[1]))  # the arrow tip just off the box outline
        paths.append(_el("path", {
            "class": classes,
            "d": _path(points),
            "data-source": source,
            "data-target": target,
            "marker-start": f"url(#{arrow})" if reverse else None,
            "marker-end": None if reverse else f"url(#{arrow})",
        }))
    if paths:
        out.append(_el("g", {"class": "k-graph-edges", "fill": "none", "stroke": EDGE_COLOUR,
                             "stroke-width": "1.5", "aria-hidden": "true"}, "".join(paths)))

    # Nodes, column by column, top to bottom (the reading and tab order), one list per column.
    columns: dict[int, list[Any]] = {level: [] for level in drawn.columns}
    for node in node_list:
        columns[int(node.level)].append(node)
    column_parts = []
    for level, members in columns.items():
        members.sort(key=lambda node: drawn.positions[node.key][1])
        column_parts.append(_el(
            "g",
            {"class": f"k-graph-column k-graph-column-{level}", "role": "list",
             "aria-label": _level_name(level_names, level) or None},
            "".join(_render_node(node, drawn.positions[node.key]) for node in members),
        ))
    out.append(_el("g", {"class": "k-graph-nodes"}, "".join(column_parts)))
    out.append("</svg>")
    return "".join(out)


def _render_node(node: Any, position: tuple[float, float]) -> str:
    x, y = position
    level = int(node.level)
    label = _one_line(node.label) or _one_line(node.key)
    url = _one_line(getattr(node, "url", "") or "")
    lines, truncated = wrap_label(label)
    fill = LEVEL_FILLS[level % len(LEVEL_FILLS)] if level >= 0 else LEVEL_FILLS[-1]
    centre_x = x + NODE_WIDTH / 2
    first_baseline = y + NODE_HEIGHT / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.36
    spans = "".join(
        _el("tspan", {"x": _num(centre_x), "y": _num(first_baseline + index * LINE_HEIGHT)}, _text(line))
        for index, line in enumerate(lines)
    )
    box = _el("rect", {"class": "k-graph-box", "x": _num(x), "y": _num(y), "width": NODE_WIDTH,
                       "height": NODE_HEIGHT, "rx": 6, "fill": fill, "stroke": BOX_STROKE,
                       "stroke-width": 1})
    text = _el("text", {"class": "k-graph-label", "text-anchor": "middle",
                        "fill": LINK_COLOUR if url else TEXT_COLOUR,
                        "text-decoration": "underline" if url else None,
                        "aria-hidden": "true"}, spans)
    content = box + text
    if url:
        content = _el("a", {"class": "k-graph-link", "href": url, "aria-label": label}, content)
    classes = f"k-graph-node k-graph-level-{level}" + (" k-graph-truncated" if truncated else "")
    return _el("g", {"class": classes, "role": "listitem", "data-key": node.key},
               _el("title", {}, _text(label)) + content)


def _render_empty(*, title: str, desc: str, graph_id: str | None) -> str:
    """The ``desc`` as a one-line message.  The height is fixed, so the text is never enlarged
    (``meet`` shrinks it only in a container narrower than the message)."""
    ident = _graph_id(graph_id, _clean(title), _clean(desc), "empty")
    message = _one_line(desc)
    width = MARGIN * 2 + max(text_cells(message) * CELL_PX, 160.0)
    height = 48.0
    body = _el("rect", {"x": "0.5", "y": "0.5", "width": _num(width - 1), "height": _num(height - 1), "rx": 4,
                        "fill": "none", "stroke": EDGE_COLOUR, "stroke-dasharray": "4 4"})
    body += _el("text", {"class": "k-graph-nodata", "x": MARGIN, "y": _num(height / 2 + FONT_SIZE * 0.36),
                         "fill": TEXT_COLOUR, "aria-hidden": "true"}, _text(message))
    return (
        _svg_open(width=width, height=height, ident=ident, classes="k-graph k-graph-empty", role="img",
                  fixed_height=height)
        + _el("title", {"id": f"{ident}-title"}, _text(title))
        + _el("desc", {"id": f"{ident}-desc"}, _text(desc))
        + body
        + "</svg>"
    )
