"""Building blocks of the server-rendered SVG charts (KPI charts, backcasting graph, portfolio chart, maps).

Standard library only. Everything a chart writes goes through these helpers, so that user text can never break
the markup: :func:`text` escapes element content, :func:`attrs` quotes attribute values, and both first drop the
characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF) — ``escape`` alone keeps them and
the SVG no longer parses. Coordinates are written with :func:`num` (one decimal at most, no ``-0``) so the output
is short and deterministic.
"""

from __future__ import annotations

import hashlib
import re
from xml.sax.saxutils import escape, quoteattr

XML_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "'Noto Sans JP', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', Meiryo, sans-serif"

INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """Text safe for XML 1.0: ``clean("a\\x0bb") == "ab"``."""
    return INVALID_XML.sub("", str(value))


def text(value: object) -> str:
    """Element content: cleaned and escaped, ``text("<b> & c") == "&lt;b&gt; &amp; c"``."""
    return escape(clean(value))


def attrs(values: dict[str, object]) -> str:
    """`` name="value"`` for each attribute, cleaned and quoted; ``None`` values are left out."""
    return "".join(f" {name}={quoteattr(clean(value))}" for name, value in values.items() if value is not None)


def element(tag: str, values: dict[str, object], content: str | None = None) -> str:
    """``<tag …/>``, or ``<tag …>content</tag>`` (``content`` is markup: build it with :func:`text`)."""
    if content is None:
        return f"<{tag}{attrs(values)}/>"
    return f"<{tag}{attrs(values)}>{content}</{tag}>"


def num(value: float) -> str:
    """A coordinate, one decimal at most: ``num(12.0) == "12"``, ``num(3.14159) == "3.1"``, ``num(-0.01) == "0"``."""
    written = f"{value:.1f}"
    if written.endswith(".0"):
        written = written[:-2]
    return "0" if written == "-0" else written


def element_id(prefix: str, given: str | None, *parts: object) -> str:
    """Prefix of a drawing's element ids: ``given`` made safe, else derived from its content (stable across runs).

    ``element_id("k-chart", None, "title", "desc") == "k-chart-" + 12 hex digits``; user text is cleaned first, so a
    lone surrogate cannot make the digest fail.
    """
    if given:
        return re.sub(r"[^A-Za-z0-9_-]", "-", given) or prefix
    digest = hashlib.sha1("\x1f".join(clean(part) for part in parts).encode("utf-8"), usedforsecurity=False)
    return f"{prefix}-{digest.hexdigest()[:12]}"
