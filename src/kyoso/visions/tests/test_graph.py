"""Tests of the backcasting graph (layout and SVG); plain Python, no database."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from kyoso.visions.domain.graph import (
    CSS_CLASSES,
    NODE_HEIGHT,
    NODE_WIDTH,
    Edge,
    Node,
    compute_layout,
    layout,
    render_graph,
    text_cells,
    wrap_label,
)

SVG = "{http://www.w3.org/2000/svg}"
LEVEL_NAMES = ["ビジョン", "目標", "KPI", "地域課題", "研究開発テーマ", "プロジェクト"]


def render(nodes, edges, **kwargs):
    kwargs.setdefault("title", "逆算図")
    kwargs.setdefault("desc", "ビジョンから研究開発テーマまでのつながり")
    kwargs.setdefault("level_names", LEVEL_NAMES)
    return render_graph(nodes, edges, **kwargs)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def node_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "k-graph-node" in classes(g)]


def edge_paths(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if "k-graph-edge" in classes(p)]


def crossings(positions: dict, nodes, edges) -> int:
    """Crossings between edges joining adjacent levels, from the nodes' vertical positions."""
    level = {node.key: node.level for node in nodes}
    segments = [
        (positions[e.source], positions[e.target], level[e.source])
        for e in edges
        if level[e.target] == level[e.source] + 1
    ]
    count = 0
    for i, (s1, t1, l1) in enumerate(segments):
        for s2, t2, l2 in segments[i + 1:]:
            if l1 == l2 and (s1 - s2) * (t1 - t2) < 0:
                count += 1
    return count


def input_order_positions(nodes) -> dict:
    seen: dict[int, int] = {}
    out = {}
    for node in nodes:
        out[node.key] = seen.get(node.level, 0)
        seen[node.level] = out[node.key] + 1
    return out


def example():
    """A small backcasting graph: 1 vision, 3 goals, 7 KPIs, 6 issues, 8 themes (25 nodes)."""
    nodes = [Node("v", 0, "2040年、誰もが安心して暮らし挑戦できる共創の地域", "/visions/1/")]
    nodes += [Node(f"g{i}", 1, label, f"/goals/{i}/") for i, label in enumerate(
        ["脱炭素で持続可能な地域エネルギー", "農林水産業の高付加価値化とスマート化", "健康長寿のまちづくり"])]
    nodes += [Node(f"k{i}", 2, label) for i, label in enumerate(
        ["再エネ比率", "CO2排出量（2013年度比）", "農業産出額", "スマート農業導入経営体数", "健康寿命", "要介護認定率",
         "地域内エネルギー自給率"])]
    nodes += [Node(f"i{i}", 3, label, f"/issues/{i}/") for i, label in enumerate(
        ["送電網の容量不足", "担い手の高齢化 & 人手不足 <深刻>", "中山間地の移動手段の確保", "データ連携基盤がない",
         "医療・介護人材の偏在", "耕作放棄地の増加"])]
    nodes += [Node(f"t{i}", 4, label) for i, label in enumerate(
        ["蓄電池の地域最適制御", "AI 画像解析による病害虫の早期検知", "オンデマンド交通の需要予測",
         "遠隔見守りセンサー", "ゼロエネルギー住宅の設計手法", "地域データ連携プラットフォーム（都市OS）の開発と実証",
         "ドローン農薬散布", "バイオマス熱利用"])]
    pairs = [("v", "g0"), ("v", "g1"), ("v", "g2"), ("g0", "k0"), ("g0", "k1"), ("g0", "k6"), ("g1", "k2"),
             ("g1", "k3"), ("g2", "k4"), ("g2", "k5"), ("k0", "i0"), ("k3", "i1"), ("k2", "i5"), ("k4", "i2"),
             ("k5", "i4"), ("k6", "i0"), ("k3", "i3"), ("k4", "i3"), ("g2", "i2"), ("g1", "i1"), ("i0", "t0"),
             ("i0", "t7"), ("i1", "t1"), ("i1", "t6"), ("i2", "t2"), ("i4", "t3"), ("i3", "t5"), ("i5", "t6"),
             ("k1", "t4")]
    return nodes, [Edge(s, t) for s, t in pairs]


# --------------------------------------------------------------------------------------------
# SVG structure


def test_well_formed_with_accessible_name():
    nodes, edges = example()
    svg = render(nodes, edges)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "100%"
    assert "k-graph" in classes(root)
    title_id, desc_id = root.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert ids[title_id].tag == f"{SVG}title" and ids[title_id].text == "逆算図"
    assert ids[desc_id].tag == f"{SVG}desc" and ids[desc_id].text == "ビジョンから研究開発テーマまでのつながり"
    # the viewBox holds every node box
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for rect in root.iter(f"{SVG}rect"):
        if "k-graph-box" in classes(rect):
            assert float(rect.get("x")) >= 0 and float(rect.get("x")) + NODE_WIDTH <= width
            assert float(rect.get("y")) >= 0 and float(rect.get("y")) + NODE_HEIGHT <= height


def test_role_is_img_without_links_and_group_with_links():
    nodes = [Node("a", 0, "ビジョン"), Node("b", 1, "目標")]
    assert parse(render(nodes, [Edge("a", "b")])).get("role") == "img"
    nodes.append(Node("c", 1, "リンク付き", "/goals/3/"))
    root = parse(render(nodes, [Edge("a", "b")]))
    assert root.get("role") == "group"
    lists = [g for g in root.iter(f"{SVG}g") if g.get("role") == "list"]
    assert [g.get("aria-label") for g in lists] == ["ビジョン", "目標"]
    assert [len([i for i in g if i.get("role") == "listitem"]) for g in lists] == [1, 2]
    for text in root.iter(f"{SVG}text"):  # names come from <title> / aria-label, not split text
        assert text.get("aria-hidden") == "true" or any(
            g.get("aria-hidden") == "true" and text in list(g.iter()) for g in root.iter(f"{SVG}g"))


def test_node_count_levels_and_headings():
    nodes, edges = example()
    root = parse(render(nodes, edges))
    groups = node_groups(root)
    assert len(groups) == len(nodes)
    level = {node.key: node.level for node in nodes}
    for group in groups:
        assert f"k-graph-level-{level[group.get('data-key')]}" in classes(group)
        assert group.find(f"{SVG}title") is not None
    headings = [t for t in root.iter(f"{SVG}text") if "k-graph-heading" in classes(t)]
    assert ["".join(t.itertext()) for t in headings] == LEVEL_NAMES[:5]


def test_every_edge_has_a_path_with_arrow():
    nodes, edges = example()
    root = parse(render(nodes, edges))
    paths = edge_paths(root)
    assert {(p.get("data-source"), p.get("data-target")) for p in paths} == {(e.source, e.target) for e in edges}
    assert len(paths) == len(edges)
    marker_ids = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for path in paths:
        assert re.fullmatch(r"M[\d. ]+(?:[CL][\d. ]+)+", path.get("d"))
        assert path.get("marker-end")[len("url(#"):-1] in marker_ids


def test_skipped_level_edge_runs_through_a_free_lane():
    nodes, edges = example()
    drawn = compute_layout(nodes, edges)
    root = parse(render(nodes, edges))
    skip = [p for p in edge_paths(root) if "k-graph-edge-skip" in classes(p)]
    assert {(p.get("data-source"), p.get("data-target")) for p in skip} == {("g2", "i2"), ("g1", "i1"), ("k1", "t4")}
    level = {node.key: node.level for node in nodes}
    for source, target, points, _ in drawn.routes:
        crossed = range(level[source] + 1, level[target])
        assert len(points) == 2 + 2 * len(crossed)
        for index, crossed_level in enumerate(crossed):
            (lane_x, lane_y), (lane_end, lane_y2) = points[1 + 2 * index], points[2 + 2 * index]
            assert lane_y == lane_y2 and lane_end - lane_x == NODE_WIDTH
            for key, (x, y) in drawn.positions.items():
                if level[key] == crossed_level:
                    assert x == lane_x
                    assert not (y <= lane_y <= y + NODE_HEIGHT), f"lane of {source}→{target} crosses {key}"


def test_invalid_duplicate_and_reversed_edges():
    nodes = [Node("a", 0, "A"), Node("b", 1, "B"), Node("c", 1, "C"), Node("d", 2, "D")]
    edges = [Edge("a", "b"), Edge("a", "b"), Edge("a", "zzz"), Edge("b", "c"), Edge("c", "c"), Edge("d", "c")]
    root = parse(render(nodes, edges))
    paths = edge_paths(root)
    assert [(p.get("data-source"), p.get("data-target")) for p in paths] == [("a", "b"), ("d", "c")]
    reverse = paths[1]
    assert reverse.get("marker-start") and reverse.get("marker-end") is None


def test_duck_typed_nodes_and_edges():
    @dataclass(frozen=True)
    class GraphNode:
        key: str
        level: int
        label: str
        url: str = ""

    @dataclass(frozen=True)
    class GraphEdge:
        source: str
        target: str

    class Bare:  # no url attribute at all
        def __init__(self, key, level, label):
            self.key, self.level, self.label = key, level, label

    nodes = [GraphNode("v1", 0, "ビジョン", "/v/1/"), GraphNode("g1", 1, "目標"), Bare(7, 2, "KPI")]
    edges = [GraphEdge("v1", "g1"), GraphEdge("g1", 7)]
    root = parse(render(nodes, edges))
    assert len(node_groups(root)) == 3
    assert len(edge_paths(root)) == 2
    assert set(layout(nodes, edges)) == {"v1", "g1", 7}


# --------------------------------------------------------------------------------------------
# Layout


def test_layout_columns_and_no_overlap():
    nodes, edges = example()
    positions = layout(nodes, edges)
    assert set(positions) == {node.key for node in nodes}
    column_x: dict[int, float] = {}
    for node in nodes:
        column_x.setdefault(node.level, positions[node.key][0])
        assert positions[node.key][0] == column_x[node.level]
    assert sorted(column_x.values()) == [column_x[level] for level in sorted(column_x)]
    for level in column_x:
        ys = sorted(positions[n.key][1] for n in nodes if n.level == level)
        assert all(b - a >= NODE_HEIGHT for a, b in zip(ys, ys[1:], strict=False))


def test_missing_levels_are_not_empty_columns():
    nodes = [Node("v", 0, "V"), Node("i", 3, "I")]
    drawn = compute_layout(nodes, [Edge("v", "i")])
    assert drawn.columns == (0, 3)
    assert drawn.positions["i"][0] - drawn.positions["v"][0] == drawn.column_x[1] - drawn.column_x[0]


def test_ordering_reduces_crossings():
    # Input order twists every layer: a→z, b→y, c→x, then x→r, y→q, z→p.
    nodes = [Node(k, 0, k) for k in "abc"] + [Node(k, 1, k) for k in "xyz"] + [Node(k, 2, k) for k in "pqr"]
    edges = [Edge("a", "z"), Edge("b", "y"), Edge("c", "x"), Edge("x", "r"), Edge("y", "q"), Edge("z", "p"),
             Edge("a", "y"), Edge("c", "y")]
    before = crossings(input_order_positions(nodes), nodes, edges)
    positions = {key: y for key, (_, y) in layout(nodes, edges).items()}
    after = crossings(positions, nodes, edges)
    assert before >= 6
    assert after == 0


def test_ordering_never_worse_than_input_on_random_graphs():
    rng = random.Random(20240401)
    for _ in range(20):
        sizes = [1, rng.randint(2, 5), rng.randint(3, 9), rng.randint(3, 9), rng.randint(3, 9)]
        nodes = [Node(f"{level}-{i}", level, "x") for level, size in enumerate(sizes) for i in range(size)]
        edges = {(f"{level}-{rng.randrange(sizes[level])}", f"{level + 1}-{rng.randrange(sizes[level + 1])}")
                 for level in range(4) for _ in range(sizes[level + 1] + 2)}
        edges = [Edge(s, t) for s, t in sorted(edges)]
        before = crossings(input_order_positions(nodes), nodes, edges)
        after = crossings({k: y for k, (_, y) in layout(nodes, edges).items()}, nodes, edges)
        assert after <= before


def test_parent_is_centred_on_its_children():
    nodes = [Node("v", 0, "V")] + [Node(f"g{i}", 1, "G") for i in range(3)]
    positions = layout(nodes, [Edge("v", f"g{i}") for i in range(3)])
    assert positions["v"][1] == pytest.approx(positions["g1"][1])


# --------------------------------------------------------------------------------------------
# Labels


def test_wrap_label_fits_and_respects_kinsoku():
    lines, truncated = wrap_label("短い")
    assert (lines, truncated) == (["短い"], False)
    lines, truncated = wrap_label("あいうえおかきくけこさ。しすせそ")  # 11 chars then "。"
    assert not lines[1].startswith("。") and not truncated
    lines, _ = wrap_label("あいうえおかきくけこ「さしすせそ」")
    assert not lines[0].endswith("「")
    lines, _ = wrap_label("AI を活用した DX 推進")
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    assert "AI" in lines[0]  # ASCII words are not cut when they fit
    for text in ("地域の脱炭素化と持続可能なエネルギー供給体制の構築", "x" * 80, "ＡＢＣ" * 10):
        lines, truncated = wrap_label(text)
        assert truncated and len(lines) == 2 and lines[-1].endswith("…")
        assert all(text_cells(line) <= 11 for line in lines)


def test_long_label_truncated_with_full_title():
    label = "地域データ連携プラットフォーム（都市OS）の開発と実証および全国への横展開"
    root = parse(render([Node("t", 4, label)], []))
    (group,) = node_groups(root)
    assert "k-graph-truncated" in classes(group)
    assert group.find(f"{SVG}title").text == label
    shown = "".join(group.find(f".//{SVG}text").itertext())
    assert shown.endswith("…") and shown != label
    tspans = group.findall(f".//{SVG}tspan")
    assert len(tspans) == 2


def test_links_for_nodes_with_url():
    nodes, edges = example()
    root = parse(render(nodes, edges))
    by_key = {g.get("data-key"): g for g in node_groups(root)}
    for node in nodes:
        link = by_key[node.key].find(f"{SVG}a")
        if node.url:
            assert link is not None and link.get("href") == node.url
            assert link.get("aria-label") == node.label
            assert "k-graph-link" in classes(link)
            assert link.find(f"{SVG}rect") is not None
        else:
            assert link is None
    # reading / tab order: column by column
    order = [g.get("data-key") for g in node_groups(root)]
    level = {node.key: node.level for node in nodes}
    assert [level[k] for k in order] == sorted(level[k] for k in order)


def test_escaping():
    nasty = '<script>alert("x")</script> & \'"'
    nodes = [Node("<k&>", 0, nasty, '/x?a=1&b="2"'), Node("b", 1, "ok\x00\x1f")]
    svg = render(nodes, [Edge("<k&>", "b")], title="<T&>", desc="<D&>", level_names=["<L&>", "x"])
    assert "<script" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<T&>"
    first = node_groups(root)[0]
    assert first.get("data-key") == "<k&>"
    assert first.find(f"{SVG}title").text == nasty
    assert first.find(f"{SVG}a").get("href") == '/x?a=1&b="2"'
    assert [p.get("data-source") for p in edge_paths(root)] == ["<k&>"]
    assert any("".join(t.itertext()) == "<L&>" for t in root.iter(f"{SVG}text"))


def test_csp_safe_and_deterministic():
    nodes, edges = example()
    svg = render(nodes, edges)
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg and "javascript:" not in svg
    assert not re.search(r"\son[a-z]+=", svg)
    assert svg == render(nodes, edges)
    for name in re.findall(r'class="([^"]+)"', svg):
        for part in name.split():
            assert part in CSS_CLASSES or re.fullmatch(r"k-graph-(level|heading|column)-\d+", part), part


def test_ids_differ_between_graphs_and_can_be_given():
    nodes, edges = example()
    one = parse(render(nodes, edges)).get("aria-labelledby")
    two = parse(render(nodes[:5], edges[:3])).get("aria-labelledby")
    assert one != two
    assert parse(render(nodes, edges, graph_id="vision 1")).get("aria-labelledby") == (
        "vision-1-title vision-1-desc")


def test_empty_graph():
    svg = render([], [], desc="まだつながりがありません")
    root = parse(svg)
    assert "k-graph-empty" in classes(root)
    assert root.get("role") == "img"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts == ["まだつながりがありません"]
    assert "style=" not in svg


# --------------------------------------------------------------------------------------------
# Performance


def test_300_nodes_600_edges_under_100ms():
    rng = random.Random(7)
    sizes = [1, 9, 40, 100, 150]
    keys = [[f"{level}-{i}" for i in range(size)] for level, size in enumerate(sizes)]
    nodes = [Node(key, level, f"地域課題その{i}：人口減少に伴う交通と医療の確保", f"/n/{key}/" if i % 3 else "")
             for level, level_keys in enumerate(keys) for i, key in enumerate(level_keys)]
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < 600:
        level = rng.randrange(4)
        skip = 2 if level < 3 and rng.random() < 0.1 else 1
        pairs.add((rng.choice(keys[level]), rng.choice(keys[level + skip])))
    edges = [Edge(s, t) for s, t in sorted(pairs)]
    svg = render(nodes, edges)
    root = parse(svg)
    assert len(node_groups(root)) == 300 and len(edge_paths(root)) == 600
