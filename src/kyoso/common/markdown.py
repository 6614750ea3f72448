"""Markdown → safe HTML for minutes and other long texts (Python-Markdown, then nh3 sanitising)."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}


def render_markdown(text: str) -> SafeString:
    """Render user-written Markdown; raw HTML, scripts and event handlers are removed."""
    if not text:
        return mark_safe("")
    # Headings start at h3: the page around the text owns h1 and h2.
    html = md.markdown(text, extensions=["tables", "sane_lists", "nl2br", "toc"],
                       extension_configs={"toc": {"baselevel": 3, "anchorlink": False, "permalink": False}},
                       output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
