"""Markdown written by staff (lessons, help articles, workshop descriptions), rendered safely.

markdown-it-py renders CommonMark (with tables and strikethrough); staff may write inline
HTML, so nh3 then keeps only an allow-list of tags and attributes: no script, no style, no
event handler, no javascript: URL survives, whatever the author typed.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


@lru_cache(maxsize=256)
def render_markdown(text: str) -> Markup:
    """Safe HTML for `text`; the one way Markdown becomes HTML in this application. The same
    text gives the same HTML, so the last pages' HTML is kept (an article read again is not
    parsed again)."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
