"""Markdown to HTML that is safe to show: markdown-it-py renders (raw HTML in the source stays text), then nh3
(ammonia) keeps only the tags, attributes and link schemes listed here — the FAQ is typed by an administrator
and the page is read by everyone."""
import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {"p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "img", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "loading"}, "h2": {"id"}, "h3": {"id"},
              "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _tokens(text: str, image_base: str, heading_ids: dict[int, str] | None):
    tokens = _md.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and heading_ids and index in heading_ids:
            token.attrSet("id", heading_ids[index])
        for child in token.children or []:
            # a guide's own screenshot is named by its file name, and so is the link that opens it full size
            attribute = {"image": "src", "link_open": "href"}.get(child.type)
            if attribute and image_base:
                target = str(child.attrGet(attribute) or "")
                if target.endswith(".png") and ":" not in target and not target.startswith("/"):
                    child.attrSet(attribute, image_base + target)
            if child.type == "image":
                child.attrSet("loading", "lazy")
    return tokens


def render(text: str, image_base: str = "", heading_ids: dict[int, str] | None = None) -> Markup:
    """Safe HTML of ``text``; ``heading_ids`` maps the index of a heading's token (see headings()) to its id."""
    rendered = _md.renderer.render(_tokens(text, image_base, heading_ids), _md.options, {})
    return Markup(nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                            link_rel="noopener noreferrer", strip_comments=True))


def headings(text: str, level: int) -> list[tuple[int, str]]:
    """(token index, plain text) of every heading of that level (2 for ##)."""
    tokens = _md.parse(text)
    return [(index, tokens[index + 1].content) for index, token in enumerate(tokens)
            if token.type == "heading_open" and token.tag == f"h{level}"]


def plain_text(text: str) -> str:
    """What a reader sees of the Markdown, without markup: the text the search indexes and quotes."""
    rendered = nh3.clean(_md.render(text), tags=set())
    return " ".join(html.unescape(rendered).split())
