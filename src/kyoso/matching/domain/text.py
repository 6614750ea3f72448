"""Text normalisation and tokenisation for matching (Japanese and English).

How a text becomes search terms:

1. **Normalisation**: Unicode NFKC (全角英数 → 半角, 半角ｶﾀｶﾅ → 全角カタカナ, ① → 1), old character forms
   (旧字体) → current forms (國→国, 學→学, 澤→沢 …, the table ``KYUJI`` below), lower case.
2. **Japanese** runs are cut into words by the morphological analyser SudachiPy with its core dictionary
   (split mode A, the shortest units, so 赤潮被害 matches both 赤潮 and 被害). Each word is replaced by its
   *normalised form* (``normalized_form()``: 使っ → 使う, ブリ → 鰤, 附属 → 付属), so spelling variants meet.
   Only content words are kept: nouns, verbs, adjectives and adjectival nouns; particles (の, を),
   auxiliaries (たい, ます), symbols, suffixes and a few empty words (こと, もの, ため) are dropped.
3. **English** (ASCII words) is lower-cased, stop words (the, of, for …) are dropped and a light stemmer
   folds plurals and -ing/-ed endings (models → model, predicting → predict).

:func:`tokens` keeps, for each term, where it came from in the *original* text, so that snippets can
highlight the matched words exactly as the user wrote them.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

# 旧字体 → 新字体 (common in names of universities, places and people; NFKC does not change them).
KYUJI = {
    "國": "国", "學": "学", "會": "会", "澤": "沢", "濱": "浜", "邊": "辺", "邉": "辺", "廣": "広",
    "榮": "栄", "藝": "芸", "體": "体", "醫": "医", "氣": "気", "縣": "県", "櫻": "桜", "鐵": "鉄",
    "發": "発", "實": "実", "齋": "斎", "齊": "斉", "髙": "高", "﨑": "崎", "寶": "宝", "禮": "礼",
    "變": "変", "圖": "図", "區": "区", "驛": "駅", "舊": "旧", "聲": "声", "條": "条", "讀": "読",
    "擧": "挙", "惠": "恵", "顯": "顕", "眞": "真", "從": "従", "應": "応", "價": "価", "關": "関",
    "廳": "庁", "當": "当", "黨": "党", "萬": "万", "與": "与", "豐": "豊", "戰": "戦", "鹽": "塩",
    "壽": "寿", "螢": "蛍", "樂": "楽", "藥": "薬", "燈": "灯", "臺": "台", "辯": "弁", "辨": "弁",
    "瓣": "弁", "傳": "伝", "來": "来", "專": "専", "營": "営", "總": "総", "綠": "緑",
    "觀": "観", "歐": "欧", "兒": "児", "勞": "労", "勵": "励", "濟": "済", "瀨": "瀬",
    "黑": "黒", "德": "徳", "晝": "昼", "淺": "浅", "稻": "稲", "嶋": "島", "嶌": "島",
}
_KYUJI_TABLE = str.maketrans(KYUJI)

# Half-width voiced/semi-voiced sound marks combine with the preceding kana under NFKC (ﾃﾞ → デ).
_COMBINING_MARKS = {"\uff9e", "\uff9f", "\u3099", "\u309a"}

_ENGLISH_STOPWORDS = """a an and are as at be by can for from has have in into is it its of on or our that the their
this to using use used via was we were which with within without towards toward new based study studies approach
method methods system systems research"""
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS.split())
# Content words Sudachi keeps that say nothing about a topic.
_JAPANESE_STOPWORDS = """こと もの ため よう 等 など 的 これ それ ある いる する なる できる 行う 図る
用いる 研究 開発 手法 技術 方法 ところ 上 中 下 時 際 後 前 者 性 化
よる 因る 依る 対する 関する おく 於く 基づく 通じる 為 為る 伴う 際する 向ける 応じる"""
# The second line: verbs that form compound particles (による, に対して, に関する, において, に基づく, を通じて,
# のために, に伴う, に際して, に向けて, に応じて); as matched terms they explain nothing.
JAPANESE_STOPWORDS = frozenset(_JAPANESE_STOPWORDS.split())
_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞"}
_DROP_SUBPOS = {"数詞", "非自立可能", "代名詞"}
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_HAS_ASCII = re.compile(r"[a-z0-9]")


def normalize(text: str) -> str:
    """NFKC, 旧字体 → 新字体, lower case: the form that is tokenised and indexed."""
    return unicodedata.normalize("NFKC", text).translate(_KYUJI_TABLE).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Like :func:`normalize`, with ``offsets[i]`` = index in ``text`` of normalised character ``i``.

    ``offsets`` has one extra entry (``len(text)``) so that an end position maps too.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch in _COMBINING_MARKS and out:
            combined = unicodedata.normalize("NFKC", out[-1] + ch)
            if len(combined) == 1:
                out[-1] = combined
                continue
        for c in unicodedata.normalize("NFKC", ch).translate(_KYUJI_TABLE).lower():
            out.append(c)
            offsets.append(i)
    offsets.append(len(text))
    return "".join(out), offsets


def stem_english(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed (enough to fold the usual variants of a term)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    return word


@dataclass(frozen=True)
class Token:
    """A search term and where it came from (start/end in the text given to :func:`tokens`)."""

    term: str
    start: int
    end: int


_local = threading.local()


def _tokenizer() -> Any:
    """The Sudachi tokenizer, created once per thread (creating it loads the dictionary)."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        tok = Dictionary(dict="core").tokenizer(mode=SplitMode.A)
        _local.tokenizer = tok
    return tok


def _english(text: str, base: int, out: list[tuple[str, int, int]]) -> None:
    for m in _ASCII_WORD.finditer(text):
        word = m.group()
        if word in ENGLISH_STOPWORDS or len(word) < 2 or word.isdigit():
            continue
        out.append((stem_english(word), base + m.start(), base + m.end()))


def _normalized_tokens(norm: str) -> list[tuple[str, int, int]]:
    """Terms of an already normalised text, with offsets into it."""
    out: list[tuple[str, int, int]] = []
    if not norm.strip():
        return out
    if norm.isascii():
        _english(norm, 0, out)
        return out
    for m in _tokenizer().tokenize(norm):
        surface = m.surface()
        if _HAS_ASCII.search(surface):
            _english(surface, m.begin(), out)
            continue
        pos = m.part_of_speech()
        if pos[0] not in _KEEP_POS or pos[1] in _DROP_SUBPOS:
            continue
        term = m.normalized_form().lower()
        if term in JAPANESE_STOPWORDS or (len(term) == 1 and "\u3040" <= term <= "\u309f"):
            continue
        out.append((term, m.begin(), m.end()))
    return out


def terms(text: str) -> list[str]:
    """The search terms of a text, in order, repeated as often as they occur (for BM25)."""
    return [t for t, _, _ in _normalized_tokens(normalize(text))]


def tokens(text: str) -> list[Token]:
    """The search terms with their positions in the original ``text`` (for highlighting)."""
    norm, offsets = normalize_with_offsets(text)
    return [Token(t, offsets[s], offsets[e]) for t, s, e in _normalized_tokens(norm)]
