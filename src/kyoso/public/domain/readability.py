"""How easy a Japanese text is to read: the jReadability score, its level, long sentences and difficult kango.

Plain Python (no Django). The score is the regression of Lee & Hasebe (jReadability)::

    score = 11.724 − 0.056 · words/sentence − 0.126 · kango% − 0.042 · wago% − 0.145 · verb% − 0.044 · aux%

where the percentages are shares (0–100) of all words of the text. Higher is easier. The levels
(:data:`LEVELS`) are the published bands: 0.5–1.4 upper advanced, 1.5–2.4 lower advanced, 2.5–3.4 upper
intermediate, 3.5–4.4 lower intermediate, 4.5–5.4 upper elementary, 5.5–6.4 lower elementary; below 0.5 is off
the scale on the difficult side ("very difficult"), 6.5 and above on the easy side ("very easy").

Words come from SudachiPy (split mode C, so that compounds such as 待機児童 stay one word). A *word* is every
token except white space and symbols (補助記号・記号・空白). Verbs are tokens whose part of speech is 動詞;
auxiliary verbs 助動詞.

**Word origin (語種) is approximated by script**, because Sudachi's dictionary does not give 語種 (UniDic, which
jReadability uses, does): a word written only in kanji is counted as *kango* (漢語, e.g. 連携, 推進; this also
counts the few native words written in one kanji, such as 水, as kango); a word with hiragana in it (ごみ, 飲む,
です, particles) as *wago* (和語); katakana words (イノベーション) as loanwords, which are neither; numbers and
Latin letters as neither. So kango% is somewhat over-estimated for texts with many one-kanji native words.

*Difficult kango* (flagged for the writer, not part of the score): a kango word of four or more kanji, or a
kango word that is part of a noun compound (next to another kanji or katakana noun, e.g. 地域 + 企業), which the
やさしい日本語 guidelines ask to rewrite as a sentence (水分補給 → 水を飲む). *Long sentences* have more than
:data:`LONG_SENTENCE_CHARS` (40) characters, white space not counted.

The Sudachi tokenizer is built once per process (``tokenizer()``); :func:`assess` takes already-split tokens from
:func:`tokenize`, so tests can feed tokens directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

LONG_SENTENCE_CHARS = 40
DIFFICULT_KANGO_CHARS = 4
#: The score below which a plain-language summary should be rewritten (the lower-intermediate band's floor).
PLAIN_MINIMUM = 3.5

#: (lowest score, level code), from the easiest down; a score takes the first level whose floor it reaches.
LEVELS: tuple[tuple[float, str], ...] = (
    (6.5, "very_easy"),
    (5.5, "lower_elementary"),
    (4.5, "upper_elementary"),
    (3.5, "lower_intermediate"),
    (2.5, "upper_intermediate"),
    (1.5, "lower_advanced"),
    (0.5, "upper_advanced"),
    (float("-inf"), "very_difficult"),
)

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")
_KANJI = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+$")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA = re.compile(r"^[\u30a0-\u30ffー・]+$")
_SKIPPED_POS = {"補助記号", "記号", "空白"}
_COMPOUND_POS = {"名詞", "接尾辞", "接頭辞"}


@dataclass(frozen=True)
class Token:
    surface: str
    pos: str  # the first level of the part of speech: 名詞, 動詞, 助動詞, 助詞, 補助記号, …

    @property
    def is_word(self) -> bool:
        return self.pos not in _SKIPPED_POS and bool(self.surface.strip())

    @property
    def origin(self) -> str:
        """"kango", "wago", "loan" or "other", by script (see the module docstring)."""
        if _KANJI.match(self.surface):
            return "kango"
        if _HIRAGANA.search(self.surface):
            return "wago"
        if _KATAKANA.match(self.surface):
            return "loan"
        return "other"


@dataclass(frozen=True)
class LongSentence:
    index: int  # 1-based position in the text
    text: str
    length: int


@dataclass(frozen=True)
class Readability:
    score: float | None  # None for a text without any word
    level: str  # a code of LEVELS, or "empty"
    sentences: int
    words: int
    words_per_sentence: float
    kango_percent: float
    wago_percent: float
    verb_percent: float
    aux_percent: float
    long_sentences: tuple[LongSentence, ...]
    difficult_words: tuple[str, ...]  # distinct, in order of appearance

    @property
    def plain_enough(self) -> bool:
        return self.score is not None and self.score >= PLAIN_MINIMUM and not self.long_sentences


def level_of(score: float) -> str:
    for floor, code in LEVELS:
        if score >= floor:
            return code
    return LEVELS[-1][1]  # pragma: no cover - the last floor is -inf


def split_sentences(text: str) -> list[str]:
    """Sentences end at 。！？!? or a line break; empty pieces are dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip()]


def sentence_length(sentence: str) -> int:
    return len(re.sub(r"\s", "", sentence))


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    from sudachipy import Dictionary

    return Dictionary().tokenizer()


def tokenize(sentence: str) -> list[Token]:
    from sudachipy import SplitMode

    return [Token(m.surface(), m.part_of_speech()[0]) for m in tokenizer().tokenize(sentence, SplitMode.C)]


def _difficult(tokens: list[Token]) -> list[str]:
    found: list[str] = []
    for i, token in enumerate(tokens):
        if token.origin != "kango" or token.pos != "名詞" and len(token.surface) < DIFFICULT_KANGO_CHARS:
            continue
        in_compound = any(0 <= j < len(tokens) and tokens[j].pos in _COMPOUND_POS
                          and tokens[j].origin in {"kango", "loan"} for j in (i - 1, i + 1))
        if len(token.surface) >= DIFFICULT_KANGO_CHARS or (in_compound and len(token.surface) >= 2):
            found.append(token.surface)
    return found


def assess_tokens(sentences: list[tuple[str, list[Token]]]) -> Readability:
    """The readability of a text given as (sentence, its tokens) pairs."""
    words = [t for _s, tokens in sentences for t in tokens if t.is_word]
    n_words, n_sentences = len(words), len(sentences)
    long_ones = tuple(LongSentence(i, s, sentence_length(s)) for i, (s, _t) in enumerate(sentences, 1)
                      if sentence_length(s) > LONG_SENTENCE_CHARS)
    difficult: list[str] = []
    for _s, tokens in sentences:
        for word in _difficult([t for t in tokens if t.is_word]):
            if word not in difficult:
                difficult.append(word)
    if not n_words:
        return Readability(None, "empty", n_sentences, 0, 0.0, 0.0, 0.0, 0.0, 0.0, long_ones, tuple(difficult))

    def percent(test: Any) -> float:
        return 100.0 * sum(1 for w in words if test(w)) / n_words

    per_sentence = n_words / max(n_sentences, 1)
    kango, wago = percent(lambda w: w.origin == "kango"), percent(lambda w: w.origin == "wago")
    verbs, aux = percent(lambda w: w.pos == "動詞"), percent(lambda w: w.pos == "助動詞")
    score = 11.724 - 0.056 * per_sentence - 0.126 * kango - 0.042 * wago - 0.145 * verbs - 0.044 * aux
    return Readability(round(score, 2), level_of(score), n_sentences, n_words, round(per_sentence, 2),
                       round(kango, 1), round(wago, 1), round(verbs, 1), round(aux, 1), long_ones, tuple(difficult))


def assess(text: str) -> Readability:
    """The readability of ``text`` (tokenised with SudachiPy)."""
    sentences = split_sentences(text)
    return assess_tokens([(s, tokenize(s)) for s in sentences])
