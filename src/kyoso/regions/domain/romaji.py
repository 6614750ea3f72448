"""A small kana → romaji converter (modified Hepburn, as used for official place names).

Pure Python. Rules, chosen to match how municipalities write their own names in English:

* Hepburn syllables: し → shi, ち → chi, つ → tsu, ふ → fu, じ/ぢ → ji, づ → zu, を → o.
* Small ゃ/ゅ/ょ form digraphs: きょ → kyo, しゃ → sha, ちゅ → chu, じょ → jo.
* っ doubles the next consonant (さっぽろ → sapporo); before ch it gives tch (はっちょう → hatcho).
* ん is always ``n`` (しんばし → shinbashi, the MLIT road-sign style), also before vowels.
* Long vowels are written without macrons: ou → o, oo → o, uu → u
  (とうきょう → tokyo, おおさか → osaka, じゅう → ju). ei and ii stay (にいがた → niigata).
  Only one following vowel is absorbed, so しょうおう (勝央) → shoo and ちゅうおう → chuo.

Katakana is accepted and read as hiragana; the long-vowel mark ー is dropped.
"""

from __future__ import annotations

_BASIC: dict[str, str] = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o", "ん": "n",
    "ゔ": "vu",
    # small vowels on their own (rare in place names)
    "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o", "ゎ": "wa",
}  # fmt: skip

_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}

# The consonant part used before a small ゃ/ゅ/ょ: き+ゃ → kya, し+ゃ → sha, ち+ゃ → cha …
_Y_ONSET: dict[str, str] = {
    "き": "ky", "ぎ": "gy", "し": "sh", "じ": "j", "ち": "ch", "ぢ": "j",
    "に": "ny", "ひ": "hy", "び": "by", "ぴ": "py", "み": "my", "り": "ry",
}  # fmt: skip


def _to_hiragana(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0x30A1 <= code <= 0x30F6:  # katakana ァ..ヶ → hiragana
            out.append(chr(code - 0x60))
        else:
            out.append(ch)
    return "".join(out)


def _syllables(kana: str) -> list[str]:
    """Split hiragana into romanised syllables; ``"っ"`` and spaces are kept as markers."""
    result: list[str] = []
    i = 0
    while i < len(kana):
        ch = kana[i]
        nxt = kana[i + 1] if i + 1 < len(kana) else ""
        if nxt in _SMALL_Y and ch in _Y_ONSET:
            result.append(_Y_ONSET[ch] + _SMALL_Y[nxt])
            i += 2
            continue
        if ch in ("っ", " ", "\u3000"):
            result.append("っ" if ch == "っ" else " ")
        elif ch == "ー":
            pass  # long-vowel mark: long vowels are written short anyway
        elif ch in _BASIC:
            result.append(_BASIC[ch])
        elif ch in _SMALL_Y:
            result.append("y" + _SMALL_Y[ch])
        else:
            raise ValueError(f"cannot romanise {ch!r} in {kana!r}")
        i += 1
    return result


def kana_to_romaji(kana: str) -> str:
    """Romanise hiragana/katakana to lower-case modified Hepburn without macrons."""
    parts = _syllables(_to_hiragana(kana.strip()))
    out: list[str] = []
    previous_kept = ""  # the previous syllable, if it was written out
    for index, part in enumerate(parts):
        if part == "っ":
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if following.startswith("ch"):
                out.append("t")
            elif following and following[0] not in "aeiouyn ":
                out.append(following[0])
            previous_kept = ""  # a trailing or vowel-initial っ is dropped
            continue
        # Long vowels: う after an o- or u-syllable, お after an o-syllable, are not written.
        # Only one vowel is absorbed: しょうおう → sho + o → "shoo" (勝央), not "sho".
        if (part == "u" and previous_kept[-1:] in ("o", "u")) or (part == "o" and previous_kept[-1:] == "o"):
            previous_kept = ""
            continue
        out.append(part)
        previous_kept = part
    return "".join(out)


def romanise_name(kana: str) -> str:
    """Romanise a proper name and capitalise each word: ``はままつ`` → ``Hamamatsu``."""
    return " ".join(word[:1].upper() + word[1:] for word in kana_to_romaji(kana).split(" ") if word)
