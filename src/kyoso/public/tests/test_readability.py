"""jReadability with SudachiPy (no database)."""

from __future__ import annotations

from kyoso.public.domain.readability import LONG_SENTENCE_CHARS, Token, assess, assess_tokens, level_of, split_sentences

EASY_NOTICE = "あしたは ごみを だす 日です。ごみは あさ 8じまでに だして ください。"
POLICY = "産学連携による地域イノベーション創出の推進を図るため、大学と地域企業との共同研究開発体制の構築を支援する。"


def test_an_easy_hiragana_notice_scores_higher_than_a_policy_sentence():
    easy, hard = assess(EASY_NOTICE), assess(POLICY)
    assert easy.score is not None and hard.score is not None
    assert easy.score > hard.score + 2
    assert easy.score >= 3.5 and hard.score < 1.5
    assert hard.kango_percent > easy.kango_percent


def test_long_sentences_and_difficult_kango_are_flagged():
    report = assess(POLICY + "水を飲みます。")
    assert [s.index for s in report.long_sentences] == [1]
    assert report.long_sentences[0].length > LONG_SENTENCE_CHARS
    assert "研究開発" in report.difficult_words and "連携" in report.difficult_words
    assert "水" not in report.difficult_words
    assert not assess(EASY_NOTICE).long_sentences and not assess(EASY_NOTICE).difficult_words
    assert not report.plain_enough and assess(EASY_NOTICE).plain_enough


def test_the_formula_and_the_origin_by_script():
    # 2 words in 1 sentence: 100 % kango, no verb → 11.724 − 0.056·2 − 0.126·100
    tokens = [Token("地域", "名詞"), Token("連携", "名詞"), Token("。", "補助記号")]
    report = assess_tokens([("地域連携。", tokens)])
    assert report.words == 2 and report.kango_percent == 100.0
    assert report.score == round(11.724 - 0.056 * 2 - 0.126 * 100, 2)
    assert Token("ごみ", "名詞").origin == "wago" and Token("飲む", "動詞").origin == "wago"
    assert Token("イノベーション", "名詞").origin == "loan" and Token("8", "名詞").origin == "other"


def test_levels_and_sentences():
    assert level_of(6.0) == "lower_elementary" and level_of(4.4) == "lower_intermediate"
    assert level_of(0.5) == "upper_advanced" and level_of(-0.9) == "very_difficult" and level_of(7) == "very_easy"
    assert split_sentences("はい。そうです！\nおわり") == ["はい。", "そうです！", "おわり"]
    assert assess("").score is None and assess("   ").level == "empty"
