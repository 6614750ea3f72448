"""Server-rendered SVG chart of a KPI: history, yearly targets, forecast with its band, baseline.

Standard library only (no Django), so it can be tested and reused anywhere.  The output is a
self-contained ``<svg>`` string meant to be inlined in a page under a strict Content Security
Policy: no script, no ``style`` attribute, only SVG presentation attributes (``fill``,
``stroke`` …) as colour fallbacks.  Every coloured element also carries a ``k-chart-*`` class so a
stylesheet can override the colours (CSS beats presentation attributes).

Accessibility (WCAG 2.1 AA / JIS X 8341-3):

* ``role="img"`` with ``aria-labelledby`` naming the ``<title>`` and the ``<desc>``; the
  description sums up the latest actual value, the target and the forecast at the horizon;
* series differ by shape and dash pattern, not colour alone (1.4.1): history is a solid line
  with filled circles, targets a long-dashed line with squares, the forecast a short-dashed line
  with hollow triangles, the baseline a dotted line with a hollow diamond, the band a tinted area;
* the fallback colours reach 4.5:1 on white (text and series), the axes 4.5:1 too;
* each data point has a ``<title>`` (tooltip on hover).  Screen readers treat the whole chart as
  one image, so the page must also offer the data as a table.

All user-supplied text is escaped; the output is deterministic (same input, same string).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kyoso.common.domain.fiscal import fiscal_year as _fiscal_year
from kyoso.common.domain.svg import FONT_FAMILY, XML_NS, element_id
from kyoso.common.domain.svg import attrs as _attrs
from kyoso.common.domain.svg import element as _el
from kyoso.common.domain.svg import num as _num
from kyoso.common.domain.svg import text as _text

__all__ = ["CSS_CLASSES", "ChartLabels", "format_number", "nice_ticks", "render_kpi_chart"]

# Fallback colours (presentation attributes).  Contrast on white: history 10.4:1,
# target 5.7:1, forecast 7.5:1, baseline 5.4:1, text 12.6:1, axis 4.5:1.
HISTORY_COLOUR = "#0017c1"
TARGET_COLOUR = "#b34100"
FORECAST_COLOUR = "#555555"
BASELINE_COLOUR = "#197a4b"
BAND_COLOUR = "#0017c1"
BAND_OPACITY = "0.15"
TEXT_COLOUR = "#333333"
AXIS_COLOUR = "#767676"
GRID_COLOUR = "#e3e3e3"
BACKGROUND_COLOUR = "#ffffff"

CSS_CLASSES = (
    "k-chart",  # the <svg> itself
    "k-chart-empty",  # the <svg> when there is no data
    "k-chart-history",  # actual values (group: line + circles)
    "k-chart-target",  # targets (group: dashed line + squares)
    "k-chart-forecast",  # forecast (group: dashed line + triangles)
    "k-chart-band",  # forecast range (polygon)
    "k-chart-baseline",  # baseline (group: dotted line + diamond)
    "k-chart-axis",  # axis lines and tick marks
    "k-chart-zero",  # the zero line when the y range crosses zero
    "k-chart-grid",  # grid lines
    "k-chart-labels",  # tick label groups (also k-chart-y-labels / k-chart-x-labels)
    "k-chart-unit",  # the unit caption
    "k-chart-legend",  # the legend (items: k-chart-legend-item)
    "k-chart-line",  # the line of a series
    "k-chart-marker",  # the point markers of a series
    "k-chart-nodata",  # the "no data" text
)

_ForecastRow = tuple[dt.date, float, float, float]

FONT_SIZE = 13
MAX_X_LABELS = 10


@dataclass(frozen=True)
class ChartLabels:
    """Every string the chart shows or speaks; Japanese by default, see :meth:`english`.

    Format strings use ``str.format`` fields; an unknown field is left as is rather than failing.

    * ``unit_format``: the unit caption above the y axis (``{unit}``), omitted when unit is empty;
    * ``fiscal_year_format``: x-axis labels (``{year}``), e.g. ``"FY{year}"``;
    * ``desc``: the accessible description, with ``{latest}``, ``{target}``, ``{forecast}``
      (each already a "value (period)" phrase, or ``missing``), plus ``{baseline}``, ``{title}``
      and ``{unit}``;
    * ``value_format``: a number with its unit (``{value}``, ``{unit}``);
    * ``dated_value_format``: a value with its fiscal year (``{value}``, ``{period}``, ``{date}``);
    * ``forecast_value_format``: the same plus the range (``{band}``, ``{low}``, ``{high}``);
    * ``point_format``: the tooltip of a data point (``{series}``, ``{date}``, ``{value}``);
    * ``date_format``: a date (``{date}`` is a ``datetime.date``: ``{date:%Y-%m-%d}`` works);
    * ``number_format``: optional ``float -> str`` used for every number (ticks included).
    """

    history: str = "実績"
    target: str = "目標"
    forecast: str = "予測"
    band: str = "予測の幅"
    baseline: str = "基準値"
    unit_format: str = "単位：{unit}"
    fiscal_year_format: str = "{year}年度"
    desc: str = "最新の実績：{latest}。目標：{target}。予測：{forecast}。"
    value_format: str = "{value}{unit}"
    dated_value_format: str = "{value}（{period}）"
    forecast_value_format: str = "{value}（{period}、{band} {low}〜{high}）"
    point_format: str = "{series} {date}：{value}"
    date_format: str = "{date.year}年{date.month}月{date.day}日"
    missing: str = "なし"
    no_data: str = "データがありません"
    number_format: Callable[[float], str] | None = None

    @classmethod
    def english(cls, **overrides: Any) -> ChartLabels:
        """English labels; keyword arguments override single fields."""
        labels = cls(
            history="Actual",
            target="Target",
            forecast="Forecast",
            band="Forecast range",
            baseline="Baseline",
            unit_format="Unit: {unit}",
            fiscal_year_format="FY{year}",
            desc="Latest actual: {latest}. Target: {target}. Forecast: {forecast}.",
            value_format="{value} {unit}",
            dated_value_format="{value} ({period})",
            forecast_value_format="{value} ({period}; {band} {low} to {high})",
            point_format="{series} {date}: {value}",
            date_format="{date:%Y-%m-%d}",
            missing="none",
            no_data="No data",
        )
        return replace(labels, **overrides) if overrides else labels


# --------------------------------------------------------------------------------------------
# Scales


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` evenly spaced round ticks (steps of 1, 2 or 5 × 10ⁿ) covering low..high.

    The first tick is ≤ low and the last ≥ high.  Equal bounds get a small range around them
    (0 gives 0..1).  Returns between 3 and ``count + 1`` ticks.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick bounds must be finite")
    low, high = min(low, high), max(low, high)
    if low == high:
        if low == 0:
            low, high = 0.0, 1.0
        else:
            pad = abs(low) * 0.1
            low, high = low - pad, high + pad
    intervals = max(2, count - 1)
    exponent = math.floor(math.log10((high - low) / intervals))
    for exp in range(exponent - 1, exponent + 3):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**exp
            first = math.floor(low / step + 1e-9)
            last = math.ceil(high / step - 1e-9)
            if last - first <= count:
                return _tick_values(first, last, mantissa, exp)
    # Unreachable in practice (the loop always ends by 10× the raw step); keep a safe fallback.
    return [low, high]  # pragma: no cover


def _tick_values(first: int, last: int, mantissa: int, exp: int) -> list[float]:
    decimals = max(0, -exp)
    step = mantissa * 10.0**exp
    return [round(k * step, decimals) + 0.0 for k in range(first, last + 1)]


def _tick_decimals(ticks: Sequence[float]) -> int:
    """Decimals needed to print ticks exactly (steps are 1, 2 or 5 × 10ⁿ)."""
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return max(0, -math.floor(math.log10(step) + 1e-9))


# --------------------------------------------------------------------------------------------
# Text helpers

class _Fields(dict[str, object]):
    """Format fields; an unknown ``{name}`` stays in the text instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **fields: object) -> str:
    try:
        return template.format_map(_Fields(fields))
    except (ValueError, AttributeError, IndexError, TypeError):
        return template  # a malformed format string is shown as is, never breaks the page


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width: full-width characters 1 em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def format_number(value: float) -> str:
    """Default number format: thousands separators, at most 2 decimals (3 significant below 1)."""
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 1e15 or size < 1e-12:
        return f"{value:.4g}"
    decimals = 2 if size >= 1 else min(14, 2 - math.floor(math.log10(size)))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --------------------------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    right: float
    bottom: float
    day0: int
    day1: int
    low: float
    high: float

    def x(self, day: dt.date) -> float:
        return self.left + (day.toordinal() - self.day0) / (self.day1 - self.day0) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.top + (self.high - value) / (self.high - self.low) * (self.bottom - self.top)


def _points(series: Sequence[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    out = []
    for day, value in series:
        value = float(value)
        if math.isfinite(value):
            out.append((day, value))
    return sorted(out, key=lambda point: point[0].toordinal())


def _forecast_points(series: Sequence[_ForecastRow]) -> list[_ForecastRow]:
    out = []
    for day, value, low, high in series:
        value, low, high = float(value), float(low), float(high)
        if not math.isfinite(value):
            continue
        low = low if math.isfinite(low) else value
        high = high if math.isfinite(high) else value
        low, high = min(low, high, value), max(low, high, value)
        out.append((day, value, low, high))
    return sorted(out, key=lambda point: point[0].toordinal())


def _svg_open(*, width: int, height: int, chart_id: str, classes: str) -> str:
    return "<svg" + _attrs({
        "xmlns": XML_NS,
        "viewBox": f"0 0 {width} {height}",
        "width": "100%",
        "preserveAspectRatio": "xMidYMid meet",
        "role": "img",
        "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
        "class": classes,
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }) + ">"


def _chart_id(given: str | None, *parts: str) -> str:
    return element_id("k-chart", given, *parts)


def render_kpi_chart(
    *,
    history: Sequence[tuple[dt.date, float]],
    targets: Sequence[tuple[dt.date, float]],
    forecast: Sequence[tuple[dt.date, float, float, float]],
    baseline: tuple[dt.date, float] | None,
    title: str,
    unit: str,
    labels: ChartLabels,
    width: int = 720,
    height: int = 320,
    include_zero: bool = False,
    chart_id: str | None = None,
) -> str:
    """The KPI chart as an inline ``<svg>`` string (scales to its container: width 100%, viewBox).

    ``forecast`` rows are (date, value, low, high).  Non-finite values are skipped; series are
    sorted by date.  The forecast line and band start from the last actual value when the
    forecast begins after it.  ``include_zero`` forces 0 into the y range.  ``chart_id`` sets the
    prefix of the element ids (by default derived from the content, hence stable).
    """
    width = max(int(width), 240)
    height = max(int(height), 140)
    hist = _points(history)
    tgt = _points(targets)
    fc = _forecast_points(forecast)
    base = None
    if baseline is not None and math.isfinite(float(baseline[1])):
        base = (baseline[0], float(baseline[1]))

    number = labels.number_format or format_number

    def value_text(value: float) -> str:
        return _fill(labels.value_format, value=number(value), unit=unit).strip()

    def date_text(day: dt.date) -> str:
        return _fill(labels.date_format, date=day)

    def period_text(day: dt.date) -> str:
        return _fill(labels.fiscal_year_format, year=_fiscal_year(day))

    def dated(day: dt.date, value: float) -> str:
        return _fill(labels.dated_value_format, value=value_text(value), period=period_text(day), date=date_text(day))

    def point_title(series: str, day: dt.date, value: str) -> str:
        return _el("title", {}, _text(_fill(labels.point_format, series=series, date=date_text(day), value=value)))

    if fc:
        f_day, f_value, f_low, f_high = fc[-1]
        forecast_summary = _fill(
            labels.forecast_value_format, value=value_text(f_value), period=period_text(f_day),
            date=date_text(f_day), band=labels.band, low=value_text(f_low), high=value_text(f_high),
        )
    else:
        forecast_summary = labels.missing
    desc = _fill(
        labels.desc,
        latest=dated(*hist[-1]) if hist else labels.missing,
        target=dated(*tgt[-1]) if tgt else labels.missing,
        forecast=forecast_summary,
        baseline=dated(*base) if base else labels.missing,
        title=title,
        unit=unit,
    )

    if not (hist or tgt or fc):
        return _render_empty(title=title, desc=desc, labels=labels, width=width, chart_id=chart_id)

    # ---- y scale
    values = [v for _, v in hist] + [v for _, v in tgt] + [x for _, *row in fc for x in row]
    if base:
        values.append(base[1])
    low, high = min(values), max(values)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    decimals = _tick_decimals(ticks)

    tick_labels = [f"{t:,.{decimals}f}" for t in ticks]
    if labels.number_format:
        custom = [labels.number_format(t) for t in ticks]
        if len(set(custom)) == len(custom):  # a format rounding ticks together would mislabel the axis
            tick_labels = custom

    # ---- legend entries (only the series present)
    legend: list[tuple[str, str]] = []
    if hist:
        legend.append(("history", labels.history))
    if tgt:
        legend.append(("target", labels.target))
    if fc:
        legend.append(("forecast", labels.forecast))
        legend.append(("band", labels.band))
    if base:
        legend.append(("baseline", labels.baseline))

    # ---- layout
    left = max(40.0, max(_text_width(s) for s in tick_labels) + 14)
    left = min(left, width * 0.4)
    right_margin = 18.0
    unit_caption = _fill(labels.unit_format, unit=unit) if unit else ""
    top = 32.0 if unit_caption else 14.0
    legend_rows = _layout_legend(legend, start=left, stop=width - right_margin)
    rows = (legend_rows[-1][2] + 1) if legend_rows else 0
    bottom = height - (30.0 + rows * 22 + 4)
    if bottom - top < 60:  # very small heights: keep a usable plot
        bottom = top + 60
    days = [d for d, _ in hist] + [d for d, _ in tgt] + [row[0] for row in fc] + ([base[0]] if base else [])
    year0 = _fiscal_year(min(days, key=dt.date.toordinal))
    year1 = _fiscal_year(max(days, key=dt.date.toordinal))
    frame = _Frame(
        left=left, top=top, right=width - right_margin, bottom=bottom,
        day0=dt.date(year0, 4, 1).toordinal(), day1=dt.date(year1 + 1, 4, 1).toordinal(),
        low=ticks[0], high=ticks[-1],
    )

    # ---- x ticks: one span per fiscal year, label centred in the span, thinned to fit
    years = list(range(year0, year1 + 1))
    year_labels = {y: _fill(labels.fiscal_year_format, year=y) for y in years}
    label_width = max(_text_width(s) for s in year_labels.values()) + 12
    fit = max(1, min(MAX_X_LABELS, int((frame.right - frame.left) // label_width)))
    every = _label_step(years, fit)
    shown = [y for y in years if y % every == 0] or years[:1]
    span = (frame.right - frame.left) / len(years)
    boundaries = [*years, year1 + 1]
    if span < 10:  # too dense: grid lines only at the labelled years
        boundaries = sorted({y for y in shown} | {y + 1 for y in shown} | {year0, year1 + 1})

    parts: list[str] = []

    # grid
    grid = []
    for t in ticks:
        y_at = _num(frame.y(t))
        grid.append(_el("line", {"x1": _num(frame.left), "x2": _num(frame.right), "y1": y_at, "y2": y_at}))
    for year in boundaries:
        x_at = _num(frame.x(dt.date(year, 4, 1)))
        grid.append(_el("line", {"x1": x_at, "x2": x_at, "y1": _num(frame.top), "y2": _num(frame.bottom)}))
    parts.append(_el("g", {"class": "k-chart-grid", "stroke": GRID_COLOUR, "stroke-width": 1}, "".join(grid)))

    # axes
    axis = [
        _el("line", {"x1": _num(frame.left), "x2": _num(frame.left), "y1": _num(frame.top), "y2": _num(frame.bottom)}),
        _el("line", {"x1": _num(frame.left), "x2": _num(frame.right), "y1": _num(frame.bottom),
                     "y2": _num(frame.bottom)}),
    ]
    for t in ticks:
        y_at = _num(frame.y(t))
        axis.append(_el("line", {"x1": _num(frame.left - 5), "x2": _num(frame.left), "y1": y_at, "y2": y_at}))
    for year in boundaries:
        x_at = _num(frame.x(dt.date(year, 4, 1)))
        axis.append(_el("line", {"x1": x_at, "x2": x_at, "y1": _num(frame.bottom), "y2": _num(frame.bottom + 5)}))
    parts.append(_el("g", {"class": "k-chart-axis", "stroke": AXIS_COLOUR, "stroke-width": 1}, "".join(axis)))
    if ticks[0] < 0 < ticks[-1]:
        y_at = _num(frame.y(0.0))
        parts.append(_el("line", {"class": "k-chart-zero", "x1": _num(frame.left), "x2": _num(frame.right),
                                  "y1": y_at, "y2": y_at, "stroke": AXIS_COLOUR, "stroke-width": 1}))

    # y labels and unit caption
    y_labels = [
        _el("text", {"x": _num(frame.left - 8), "y": _num(frame.y(t) + FONT_SIZE * 0.35), "data-value": repr(t)},
            _text(text))
        for t, text in zip(ticks, tick_labels, strict=True)
    ]
    parts.append(_el("g", {"class": "k-chart-labels k-chart-y-labels", "fill": TEXT_COLOUR, "text-anchor": "end"},
                     "".join(y_labels)))
    if unit_caption:
        parts.append(_el("text", {"class": "k-chart-unit", "x": 4, "y": 16, "fill": TEXT_COLOUR}, _text(unit_caption)))

    # x labels
    x_labels = []
    for year in shown:
        middle = (frame.x(dt.date(year, 4, 1)) + frame.x(dt.date(year + 1, 4, 1))) / 2
        x_labels.append(_el("text", {"x": _num(middle), "y": _num(frame.bottom + 20), "data-year": year},
                            _text(year_labels[year])))
    parts.append(_el("g", {"class": "k-chart-labels k-chart-x-labels", "fill": TEXT_COLOUR,
                           "text-anchor": "middle"}, "".join(x_labels)))

    # forecast band (drawn first, under the lines)
    anchor = hist[-1] if hist and fc and hist[-1][0].toordinal() < fc[0][0].toordinal() else None
    if fc:
        rows_ = [(anchor[0], anchor[1], anchor[1], anchor[1])] if anchor else []
        rows_ += fc
        if len(rows_) == 1:  # a single forecast point: a narrow bar
            day, _, f_lo, f_hi = rows_[0]
            x = frame.x(day)
            corners = [(x - 5, frame.y(f_hi)), (x + 5, frame.y(f_hi)), (x + 5, frame.y(f_lo)), (x - 5, frame.y(f_lo))]
        else:
            corners = [(frame.x(r[0]), frame.y(r[3])) for r in rows_]
            corners += [(frame.x(r[0]), frame.y(r[2])) for r in reversed(rows_)]
        parts.append(_el("polygon", {"class": "k-chart-band", "points": _point_list(corners), "fill": BAND_COLOUR,
                                     "fill-opacity": BAND_OPACITY, "stroke": "none"}))

    # baseline
    if base:
        y = frame.y(base[1])
        tip = point_title(labels.baseline, base[0], value_text(base[1]))
        content = _el("line", {"class": "k-chart-line", "x1": _num(frame.left), "x2": _num(frame.right),
                               "y1": _num(y), "y2": _num(y), "stroke-dasharray": "1 5", "stroke-linecap": "round"},
                      tip)
        content += _el("path", {"class": "k-chart-marker", "d": _diamond(frame.x(base[0]), y)}, tip)
        parts.append(_el("g", {"class": "k-chart-baseline", "stroke": BASELINE_COLOUR, "fill": BACKGROUND_COLOUR,
                               "stroke-width": 2}, content))

    # targets
    if tgt:
        content = ""
        if len(tgt) > 1:
            content += _el("polyline", {"class": "k-chart-line", "fill": "none", "stroke-dasharray": "9 5",
                                        "points": _point_list([(frame.x(d), frame.y(v)) for d, v in tgt])})
        for day, value in tgt:
            x, y = frame.x(day), frame.y(value)
            content += _el("rect", {"class": "k-chart-marker", "x": _num(x - 4.5), "y": _num(y - 4.5),
                                    "width": 9, "height": 9},
                           point_title(labels.target, day, value_text(value)))
        parts.append(_el("g", {"class": "k-chart-target", "stroke": TARGET_COLOUR, "fill": TARGET_COLOUR,
                               "stroke-width": 2}, content))

    # forecast line
    if fc:
        line = ([(anchor[0], anchor[1])] if anchor else []) + [(r[0], r[1]) for r in fc]
        content = ""
        if len(line) > 1:
            content += _el("polyline", {"class": "k-chart-line", "fill": "none", "stroke-dasharray": "4 4",
                                        "points": _point_list([(frame.x(d), frame.y(v)) for d, v in line])})
        # Dense forecasts (e.g. monthly) would bury the dashes under triangles: mark every n-th
        # point (always the horizon) so that markers are at least 12 units apart.
        spacing = (frame.x(fc[-1][0]) - frame.x(fc[0][0])) / max(1, len(fc) - 1)
        every_n = 1 if spacing >= 12 else math.ceil(12 / max(spacing, 0.01))
        marked = [row for i, row in enumerate(fc) if (len(fc) - 1 - i) % every_n == 0]
        for day, value, f_lo, f_hi in marked:
            shown_value = _fill(labels.forecast_value_format, value=value_text(value), period=period_text(day),
                                date=date_text(day), band=labels.band, low=value_text(f_lo), high=value_text(f_hi))
            content += _el("path", {"class": "k-chart-marker", "d": _triangle(frame.x(day), frame.y(value))},
                           point_title(labels.forecast, day, shown_value))
        parts.append(_el("g", {"class": "k-chart-forecast", "stroke": FORECAST_COLOUR, "fill": BACKGROUND_COLOUR,
                               "stroke-width": 2}, content))

    # history (on top)
    if hist:
        content = ""
        coords = [(frame.x(d), frame.y(v)) for d, v in hist]
        if len(hist) > 1:
            content += _el("polyline", {"class": "k-chart-line", "fill": "none", "stroke-linejoin": "round",
                                        "points": _point_list(coords)})
        gap = min((b[0] - a[0] for a, b in zip(coords, coords[1:], strict=False)), default=100.0)
        radius = 3 if gap >= 8 else 1.5
        for (day, value), (x, y) in zip(hist, coords, strict=True):
            content += _el("circle", {"class": "k-chart-marker", "cx": _num(x), "cy": _num(y), "r": radius},
                           point_title(labels.history, day, value_text(value)))
        parts.append(_el("g", {"class": "k-chart-history", "stroke": HISTORY_COLOUR, "fill": HISTORY_COLOUR,
                               "stroke-width": 2}, content))

    # legend
    items = []
    legend_top = frame.bottom + 30
    for (key, name), (x, _, row) in zip(legend, legend_rows, strict=True):
        y = legend_top + row * 22 + 8
        items.append(_el("g", {"class": "k-chart-legend-item", "transform": f"translate({_num(x)} {_num(y)})"},
                         _legend_icon(key) + _el("text", {"x": 32, "y": _num(FONT_SIZE * 0.35)}, _text(name))))
    parts.append(_el("g", {"class": "k-chart-legend", "fill": TEXT_COLOUR}, "".join(items)))

    body = "".join(parts)
    ident = _chart_id(chart_id, title, desc, body)
    return (
        _svg_open(width=width, height=height, chart_id=ident, classes="k-chart")
        + _el("title", {"id": f"{ident}-title"}, _text(title))
        + _el("desc", {"id": f"{ident}-desc"}, _text(desc))
        + body
        + "</svg>"
    )


def _render_empty(*, title: str, desc: str, labels: ChartLabels, width: int, chart_id: str | None) -> str:
    height = 64
    ident = _chart_id(chart_id, title, labels.no_data, "empty")
    body = _el("rect", {"x": "0.5", "y": "0.5", "width": width - 1, "height": height - 1, "rx": 4,
                        "fill": "none", "stroke": AXIS_COLOUR, "stroke-dasharray": "4 4", "class": "k-chart-axis"})
    body += _el("text", {"class": "k-chart-nodata", "x": _num(width / 2), "y": _num(height / 2 + FONT_SIZE * 0.35),
                         "text-anchor": "middle", "fill": TEXT_COLOUR}, _text(labels.no_data))
    return (
        _svg_open(width=width, height=height, chart_id=ident, classes="k-chart k-chart-empty")
        + _el("title", {"id": f"{ident}-title"}, _text(title))
        + _el("desc", {"id": f"{ident}-desc"}, _text(labels.no_data))
        + body
        + "</svg>"
    )


def _label_step(years: Sequence[int], fit: int) -> int:
    """The smallest round step (1, 2, 5, 10, 20, 25, 50 …) labelling at most ``fit`` years."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5) if magnitude == 1 else (1, 2, 2.5, 5):
            step = int(factor * magnitude)
            if sum(1 for y in years if y % step == 0) <= fit:
                return step
        magnitude *= 10


def _layout_legend(items: Sequence[tuple[str, str]], *, start: float, stop: float) -> list[tuple[float, float, int]]:
    """(x, width, row) of each legend item, wrapping to a new row when the line is full."""
    out = []
    x, row = start, 0
    for _, name in items:
        item_width = 32 + _text_width(name) + 20
        if x > start and x + item_width - 20 > stop:
            x, row = start, row + 1
        out.append((x, item_width, row))
        x += item_width
    return out


def _legend_icon(key: str) -> str:
    if key == "history":
        return _el("g", {"class": "k-chart-history", "stroke": HISTORY_COLOUR, "fill": HISTORY_COLOUR,
                         "stroke-width": 2},
                   _el("line", {"class": "k-chart-line", "x1": 0, "x2": 24, "y1": 0, "y2": 0})
                   + _el("circle", {"class": "k-chart-marker", "cx": 12, "cy": 0, "r": 3}))
    if key == "target":
        return _el("g", {"class": "k-chart-target", "stroke": TARGET_COLOUR, "fill": TARGET_COLOUR,
                         "stroke-width": 2},
                   _el("line", {"class": "k-chart-line", "x1": 0, "x2": 24, "y1": 0, "y2": 0,
                                "stroke-dasharray": "9 5"})
                   + _el("rect", {"class": "k-chart-marker", "x": 7.5, "y": -4.5, "width": 9, "height": 9}))
    if key == "forecast":
        return _el("g", {"class": "k-chart-forecast", "stroke": FORECAST_COLOUR, "fill": BACKGROUND_COLOUR,
                         "stroke-width": 2},
                   _el("line", {"class": "k-chart-line", "x1": 0, "x2": 24, "y1": 0, "y2": 0,
                                "stroke-dasharray": "4 4"})
                   + _el("path", {"class": "k-chart-marker", "d": _triangle(12, 0)}))
    if key == "band":
        return _el("rect", {"class": "k-chart-band", "x": 0, "y": -6, "width": 24, "height": 12,
                            "fill": BAND_COLOUR, "fill-opacity": BAND_OPACITY, "stroke": "none"})
    return _el("g", {"class": "k-chart-baseline", "stroke": BASELINE_COLOUR, "fill": BACKGROUND_COLOUR,
                     "stroke-width": 2},
               _el("line", {"class": "k-chart-line", "x1": 0, "x2": 24, "y1": 0, "y2": 0,
                            "stroke-dasharray": "1 5", "stroke-linecap": "round"})
               + _el("path", {"class": "k-chart-marker", "d": _diamond(12, 0)}))


def _point_list(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _triangle(x: float, y: float) -> str:
    return f"M{_num(x)} {_num(y - 5)}L{_num(x + 4.5)} {_num(y + 3.5)}L{_num(x - 4.5)} {_num(y + 3.5)}Z"


def _diamond(x: float, y: float) -> str:
    return f"M{_num(x)} {_num(y - 5)}L{_num(x + 5)} {_num(y)}L{_num(x)} {_num(y + 5)}L{_num(x - 5)} {_num(y)}Z"
