"""Tokenisation and BM25 of the matching core (no Django, no database)."""

import numpy as np

from kyoso.matching.domain.bm25 import BM25Index
from kyoso.matching.domain.text import normalize, stem_english, terms, tokens


def test_nfkc_width_and_case():
    assert normalize("ＡＩとＩｏＴ　１２３") == "aiとiot 123"
    assert terms("ＩｏＴ") == terms("IoT") == ["iot"]


def test_halfwidth_katakana_becomes_fullwidth():
    assert terms("ﾃﾞｰﾀ解析") == terms("データ解析") == ["データ", "解析"]


def test_old_character_forms_are_folded():
    assert normalize("國學院大學 濱松 櫻") == "国学院大学 浜松 桜"
    assert terms("澤田の醫學") == terms("沢田の医学")


def test_particles_auxiliaries_and_symbols_are_dropped():
    assert terms("ブリ養殖の赤潮被害を早期に予測したい。") == ["鰤", "養殖", "赤潮", "被害", "早期", "予測"]


def test_normalised_forms_meet_spelling_variants():
    assert terms("使った") == terms("使う")
    assert terms("ブリ") == terms("鰤")


def test_english_stopwords_and_stemming():
    assert terms("Predicting the blooms of algae with models") == ["predict", "bloom", "algae", "model"]
    assert stem_english("studies") == "study"
    assert stem_english("glass") == "glass"


def test_tokens_point_into_the_original_text():
    text = "ﾃﾞｰﾀと國學院のＡＩ"
    found = {t.term: text[t.start:t.end] for t in tokens(text)}
    assert found["データ"] == "ﾃﾞｰﾀ"
    assert found["国学院"] == "國學院"
    assert found["ai"] == "ＡＩ"


def _index(docs):
    ix = BM25Index()
    ix.add_many([terms(d) for d in docs])
    return ix


def test_bm25_ranks_rarer_and_repeated_terms_higher():
    ix = _index(["赤潮の予測", "赤潮と被害", "溶接の検査", "赤潮 赤潮 予測 予測"])
    s = ix.scores(terms("赤潮を予測"))
    assert s[2] == 0
    assert s[3] > s[0] > s[1] > 0


def test_bm25_matches_the_textbook_formula():
    docs = [["a", "b"], ["a"], ["c", "c", "d"]]
    ix = BM25Index()
    ix.add_many(docs)
    n, avg = 3, 2.0
    idf = np.log1p((n - 2 + 0.5) / (2 + 0.5))
    expected = idf * 1 * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 2 / avg))
    assert abs(ix.scores(["a"])[0] - expected) < 1e-5
    assert ix.max_score(["a"]) > ix.scores(["a"]).max()


def test_bm25_append_and_kill_equal_a_rebuild():
    base = [["赤潮", "予測"], ["溶接"], ["赤潮", "歴史"]]
    ix = BM25Index()
    ix.add_many(base)
    row = ix.append(["赤潮", "養殖"])  # delta segment
    ix.kill(0)
    rebuilt = BM25Index()
    rebuilt.add_many([base[1], base[2], ["赤潮", "養殖"]])
    got = ix.scores(["赤潮", "養殖"])
    want = rebuilt.scores(["赤潮", "養殖"])
    assert got[0] == 0
    assert np.allclose([got[1], got[2], got[row]], want, atol=1e-6)
    ix.compact()
    assert np.allclose(ix.scores(["赤潮", "養殖"]), got, atol=1e-6)


def test_compound_particles_are_not_terms():
    from kyoso.matching.domain.text import terms

    assert terms("赤潮による被害に対して、データに基づく予測を通じて") == ["赤潮", "被害", "データ", "予測"]
