"""The server-rendered KPI chart (visions/domain/chart.py): plain Python, no database."""

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

import pytest

from kyoso.visions.domain import chart
from kyoso.visions.domain.chart import ChartLabels, format_number, nice_ticks, render_kpi_chart

NS = "{http://www.w3.org/2000/svg}"

HISTORY = [(dt.date(2021, 3, 31), 112.0), (dt.date(2022, 3, 31), 98.0), (dt.date(2023, 3, 31), 121.0),
           (dt.date(2024, 3, 31), 134.0), (dt.date(2025, 3, 31), 149.5)]
TARGETS = [(dt.date(2026, 3, 31), 160.0), (dt.date(2028, 3, 31), 180.0), (dt.date(2030, 3, 31), 200.0)]
FORECAST = [(dt.date(2026, 3, 31), 156.0, 150.0, 162.0), (dt.date(2028, 3, 31), 170.0, 158.0, 183.0),
            (dt.date(2030, 3, 31), 182.0, 161.0, 207.0)]


def render(**overrides):
    args = {"history": HISTORY, "targets": TARGETS, "forecast": FORECAST, "baseline": (dt.date(2021, 3, 31), 112.0),
            "title": "共同研究件数", "unit": "件", "labels": ChartLabels()}
    args.update(overrides)
    return render_kpi_chart(**args)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises if not well-formed


def group(root: ET.Element, css_class: str) -> ET.Element | None:
    for element in root.iter(f"{NS}g"):
        if css_class in element.get("class", "").split() and not is_legend(root, element):
            return element
    return None


def is_legend(root: ET.Element, target: ET.Element) -> bool:
    legend = next(e for e in root.iter(f"{NS}g") if e.get("class") == "k-chart-legend")
    return any(e is target for e in legend.iter())


def y_ticks(root: ET.Element) -> list[float]:
    return [float(t.get("data-value")) for t in group(root, "k-chart-y-labels").iter(f"{NS}text")]


def test_accessible_name_and_description():
    root = parse(render())
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "共同研究件数"
    assert desc.text == ("最新の実績：149.5件（2024年度）。目標：200件（2029年度）。"
                         "予測：182件（2029年度、予測の幅 161件〜207件）。")


def test_scales_with_its_container():
    root = parse(render(width=600, height=300))
    assert root.get("viewBox") == "0 0 600 300"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("preserveAspectRatio") == "xMidYMid meet"


def test_english_labels_and_fiscal_years():
    root = parse(render(labels=ChartLabels.english()))
    desc = root.find(f"{NS}desc").text
    assert "Latest actual: 149.5 件 (FY2024)" in desc
    assert "Target: 200 件 (FY2029)" in desc
    assert "Forecast: 182 件 (FY2029; Forecast range 161 件 to 207 件)" in desc
    years = [t.text for t in group(root, "k-chart-x-labels").iter(f"{NS}text")]
    assert years and all(re.fullmatch(r"FY20\d\d", y) for y in years)
    legend = [t.text for t in root.iter(f"{NS}text") if t.text in {"Actual", "Target", "Forecast", "Baseline"}]
    assert legend == ["Actual", "Target", "Forecast", "Baseline"]


def test_missing_series_are_described_as_missing():
    desc = parse(render(targets=[], forecast=[])).find(f"{NS}desc").text
    assert desc == "最新の実績：149.5件（2024年度）。目標：なし。予測：なし。"


def test_one_circle_with_a_title_per_history_point():
    root = parse(render())
    circles = list(group(root, "k-chart-history").iter(f"{NS}circle"))
    assert len(circles) == len(HISTORY)
    assert circles[1].find(f"{NS}title").text == "実績 2022年3月31日：98件"


def test_target_markers_and_dashed_line():
    root = parse(render())
    targets = group(root, "k-chart-target")
    squares = list(targets.iter(f"{NS}rect"))
    assert len(squares) == len(TARGETS)
    assert targets.find(f"{NS}polyline").get("stroke-dasharray")
    assert squares[-1].find(f"{NS}title").text == "目標 2030年3月31日：200件"


def test_band_present_only_with_a_forecast():
    with_forecast = parse(render())
    band = [p for p in with_forecast.iter(f"{NS}polygon") if p.get("class") == "k-chart-band"]
    assert len(band) == 1
    assert len(list(group(with_forecast, "k-chart-forecast").iter(f"{NS}path"))) == len(FORECAST)

    without = parse(render(forecast=[]))
    assert not list(without.iter(f"{NS}polygon"))
    assert group(without, "k-chart-forecast") is None


def test_forecast_starts_from_the_last_actual_value():
    root = parse(render())
    line = group(root, "k-chart-forecast").find(f"{NS}polyline").get("points").split()
    history_line = group(root, "k-chart-history").find(f"{NS}polyline").get("points").split()
    assert line[0] == history_line[-1]
    assert len(line) == len(FORECAST) + 1


def test_baseline_is_a_dotted_horizontal_line():
    root = parse(render())
    line = group(root, "k-chart-baseline").find(f"{NS}line")
    assert line.get("y1") == line.get("y2")
    assert line.get("stroke-dasharray")
    assert group(parse(render(baseline=None)), "k-chart-baseline") is None


def is_nice(ticks: list[float]) -> bool:
    step = ticks[1] - ticks[0]
    exponent = math.floor(math.log10(step) + 1e-9)
    mantissa = step / 10**exponent
    if not any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5)):
        return False
    evenly = all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in zip(ticks, ticks[1:], strict=False))
    multiples = all(math.isclose(t / step, round(t / step), abs_tol=1e-6) for t in ticks)
    return evenly and multiples


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, 97), (3, 7), (-12.5, 37), (-1000, -3), (-0.003, 0.004), (1e-9, 3.2e-9), (1.2e12, 9.7e12), (5, 5),
     (-5, -5), (0, 0), (1e6, 1e6 + 1), (0.1, 0.3)],
)
def test_nice_ticks_cover_the_range(low, high):
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 6
    assert is_nice(ticks)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low + step * 1e-9
    assert ticks[-1] >= high - step * 1e-9
    assert all(t != 0 or math.copysign(1, t) == 1 for t in ticks)  # no "-0"


def test_nice_ticks_examples():
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-12.5, 37) == [-20, 0, 20, 40]
    assert nice_ticks(-1000, -3) == [-1000, -800, -600, -400, -200, 0]
    assert nice_ticks(0.1, 0.3) == [0.1, 0.15, 0.2, 0.25, 0.3]  # exact decimals, no 0.30000000000000004
    assert nice_ticks(5, 5) == [4.5, 5, 5.5]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    with pytest.raises(ValueError):
        nice_ticks(0, math.inf)


@pytest.mark.parametrize(
    "values",
    [[-40.0, -12.0, 3.0], [7.0, 7.0, 7.0], [0.0, 0.0], [1.5e-7, 2.5e-7], [3.2e11, 8.8e11], [-0.5]],
)
def test_svg_y_ticks_are_nice_and_cover_all_series(values):
    history = [(dt.date(2020 + i, 3, 31), v) for i, v in enumerate(values)]
    targets = [(dt.date(2030, 3, 31), values[0] * 2)]
    forecast = [(dt.date(2029, 3, 31), values[-1], values[-1] - 1e-8, values[-1] + abs(values[-1]))]
    root = parse(render(history=history, targets=targets, forecast=forecast, baseline=None))
    ticks = y_ticks(root)
    assert is_nice(ticks)
    everything = values + [values[0] * 2, values[-1] - 1e-8, values[-1] + abs(values[-1])]
    assert ticks[0] <= min(everything) and ticks[-1] >= max(everything)
    labels = [t.text for t in group(root, "k-chart-y-labels").iter(f"{NS}text")]
    assert len(set(labels)) == len(labels)  # enough decimals to tell ticks apart


def test_single_point_chart():
    root = parse(render(history=[(dt.date(2024, 6, 1), 42.0)], targets=[], forecast=[], baseline=None))
    assert len(list(group(root, "k-chart-history").iter(f"{NS}circle"))) == 1
    assert group(root, "k-chart-history").find(f"{NS}polyline") is None
    ticks = y_ticks(root)
    assert ticks[0] < 42 < ticks[-1]
    assert [t.text for t in group(root, "k-chart-x-labels").iter(f"{NS}text")] == ["2024年度"]


def test_single_forecast_point_gets_a_visible_band():
    root = parse(render(history=[], targets=[], forecast=[(dt.date(2030, 3, 31), 10.0, 8.0, 12.0)], baseline=None))
    band = next(p for p in root.iter(f"{NS}polygon") if p.get("class") == "k-chart-band")
    xs = {float(point.split(",")[0]) for point in band.get("points").split()}
    assert max(xs) - min(xs) > 5


def test_fiscal_year_axis_follows_april():
    root = parse(render(history=[(dt.date(2025, 3, 31), 1.0), (dt.date(2025, 4, 1), 2.0)], targets=[],
                        forecast=[], baseline=None))
    years = [t.text for t in group(root, "k-chart-x-labels").iter(f"{NS}text")]
    assert years == ["2024年度", "2025年度"]


def monthly(n: int) -> list[tuple[dt.date, float]]:
    return [(dt.date(2006 + i // 12, i % 12 + 1, 1), 1000 + 10 * i + 50 * math.sin(i)) for i in range(n)]


def test_twenty_years_monthly_is_thinned_and_fast():
    history = monthly(240)
    svg = render(history=history, targets=[], forecast=[], baseline=None)
    root = parse(svg)
    x_labels = list(group(root, "k-chart-x-labels").iter(f"{NS}text"))
    assert 2 <= len(x_labels) <= 10
    assert len(list(group(root, "k-chart-history").iter(f"{NS}circle"))) == 240


@pytest.mark.parametrize("width", [320, 480, 720, 1200])
def test_x_labels_do_not_overlap(width):
    root = parse(render(history=monthly(240), targets=[], forecast=[], baseline=None, width=width))
    texts = list(group(root, "k-chart-x-labels").iter(f"{NS}text"))
    assert len(texts) <= 10
    xs = [float(t.get("x")) for t in texts]
    widest = max(chart._text_width(t.text) for t in texts)
    assert all(b - a > widest for a, b in zip(xs, xs[1:], strict=False))


def test_dense_forecast_markers_are_thinned_but_keep_the_horizon():
    forecast = [(dt.date(2026 + i // 12, i % 12 + 1, 1), 10.0 + i, 9.0, 12.0 + i) for i in range(36)]
    root = parse(render(history=monthly(240), forecast=forecast, targets=[], baseline=None))
    markers = list(group(root, "k-chart-forecast").iter(f"{NS}path"))
    assert 1 < len(markers) < 36
    assert markers[-1].find(f"{NS}title").text.startswith("予測 2028年12月1日：45件（2028年度、予測の幅 9件〜47件）")


def test_text_is_escaped():
    evil = 'A <b>&amp; "quoted" \'single\' </title><script>alert(1)</script>\x01'
    svg = render(title=evil, unit="<m²>&", labels=ChartLabels(history="実績<&>", fiscal_year_format="FY{year}&"))
    root = parse(svg)
    assert root.find(f"{NS}title").text == evil.replace("\x01", "")
    assert "<script" not in svg
    assert root.find(f"{NS}desc").text.startswith("最新の実績：149.5<m²>&")
    assert any(t.text == "FY2024&" for t in root.iter(f"{NS}text"))


def test_bad_format_strings_do_not_break_the_chart():
    labels = ChartLabels(desc="{latest} {unknown} {", fiscal_year_format="{year:%Q}")
    root = parse(render(labels=labels))
    assert root.find(f"{NS}desc").text == "{latest} {unknown} {"


def test_custom_number_format_is_used_everywhere():
    labels = ChartLabels(number_format=lambda v: f"{v:.1f}")
    root = parse(render(labels=labels))
    assert "149.5件" in root.find(f"{NS}desc").text
    assert all(t.text.endswith(".0") for t in group(root, "k-chart-y-labels").iter(f"{NS}text"))


def test_a_number_format_merging_ticks_is_not_used_for_the_axis():
    labels = ChartLabels(number_format=lambda v: f"{v:.2f}")
    history = [(dt.date(2020, 3, 31), 0.0001), (dt.date(2021, 3, 31), 0.0003)]
    root = parse(render(history=history, targets=[], forecast=[], baseline=None, labels=labels))
    ticks = [t.text for t in group(root, "k-chart-y-labels").iter(f"{NS}text")]
    assert ticks == ["0.00010", "0.00015", "0.00020", "0.00025", "0.00030"]
    assert "0.00" in root.find(f"{NS}desc").text  # values elsewhere still use the caller's format


def test_empty_input_gives_a_no_data_chart():
    svg = render(history=[], targets=[], forecast=[], baseline=(dt.date(2020, 4, 1), 5.0))
    root = parse(svg)
    assert root.get("role") == "img"
    assert "k-chart-empty" in root.get("class")
    assert root.find(f"{NS}desc").text == "データがありません"
    assert [t.text for t in root.iter(f"{NS}text")] == ["データがありません"]
    english = parse(render(history=[], targets=[], forecast=[], baseline=None, labels=ChartLabels.english()))
    assert [t.text for t in english.iter(f"{NS}text")] == ["No data"]


def test_non_finite_values_are_skipped():
    history = [(dt.date(2020, 3, 31), math.nan), (dt.date(2021, 3, 31), 5.0), (dt.date(2022, 3, 31), math.inf)]
    root = parse(render(history=history, targets=[], forecast=[], baseline=None))
    assert len(list(group(root, "k-chart-history").iter(f"{NS}circle"))) == 1
    empty = parse(render(history=[(dt.date(2020, 3, 31), math.nan)], targets=[], forecast=[], baseline=None))
    assert "k-chart-empty" in empty.get("class")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"forecast": []}, {"history": []}, {"history": [], "targets": [], "forecast": []},
     {"history": monthly(240)}, {"labels": ChartLabels.english()}],
)
def test_csp_safe_no_style_no_script(kwargs):
    svg = render(**kwargs)
    root = parse(svg)
    assert "style=" not in svg
    assert "<script" not in svg.lower()
    assert "<style" not in svg.lower()
    assert all("style" not in element.attrib for element in root.iter())
    assert all(not name.startswith("on") for element in root.iter() for name in element.attrib)


def test_series_carry_classes_and_fallback_colours():
    root = parse(render())
    classes = {c for element in root.iter() for c in element.get("class", "").split()}
    for css_class in ("k-chart", "k-chart-history", "k-chart-target", "k-chart-forecast", "k-chart-band",
                      "k-chart-baseline", "k-chart-axis", "k-chart-grid", "k-chart-legend"):
        assert css_class in classes
        assert css_class in chart.CSS_CLASSES
    assert group(root, "k-chart-history").get("stroke") == "#0017c1"
    assert group(root, "k-chart-target").get("fill") == "#b34100"


def test_series_differ_by_more_than_colour():
    root = parse(render())
    history = group(root, "k-chart-history")
    assert history.find(f"{NS}polyline").get("stroke-dasharray") is None
    dashes = {group(root, c).find(f"{NS}polyline" if c != "k-chart-baseline" else f"{NS}line").get("stroke-dasharray")
              for c in ("k-chart-target", "k-chart-forecast", "k-chart-baseline")}
    assert len(dashes) == 3
    markers = {group(root, c)[-1].tag for c in ("k-chart-history", "k-chart-target")}
    assert markers == {f"{NS}circle", f"{NS}rect"}


def contrast(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_fallback_colours_meet_aa_on_white():
    for colour in (chart.TEXT_COLOUR, chart.HISTORY_COLOUR, chart.TARGET_COLOUR, chart.FORECAST_COLOUR,
                   chart.BASELINE_COLOUR, chart.AXIS_COLOUR):
        assert contrast(colour) >= 4.5, colour


def test_output_is_deterministic_and_ids_differ_between_charts():
    assert render() == render()
    first, second = parse(render()), parse(render(title="別の指標"))
    assert first.find(f"{NS}title").get("id") != second.find(f"{NS}title").get("id")
    assert parse(render(chart_id="kpi-12")).find(f"{NS}title").get("id") == "kpi-12-title"


def test_legend_wraps_on_narrow_charts():
    root = parse(render(width=320, labels=ChartLabels.english()))
    items = [e for e in root.iter(f"{NS}g") if e.get("class") == "k-chart-legend-item"]
    assert len(items) == 5
    rows = {re.search(r"translate\(\S+ (\S+)\)", e.get("transform")).group(1) for e in items}
    assert len(rows) > 1
    for item in items:
        x = float(re.search(r"translate\((\S+) ", item.get("transform")).group(1))
        assert x + 32 + chart._text_width(item.find(f"{NS}text").text) <= 320


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (-0.0, "0"), (1234567, "1,234,567"), (149.5, "149.5"), (12.3456, "12.35"), (-3.0, "-3"),
     (0.012345, "0.0123"), (2e-9, "0.000000002"), (3e20, "3e+20")],
)
def test_format_number(value, text):
    assert format_number(value) == text
