"""HTML to plain text, keeping paragraphs and line breaks.

Used by every reader whose source gives post bodies as HTML (saved forum pages,
scraper JSON, Discourse ``cooked``, Stack Exchange ``Body``). Block elements
start new lines, ``<br>`` breaks a line, paragraphs are separated by a blank
line, scripts and styles are dropped and runs of spaces collapse.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html
from lxml import etree

_BLOCK = {
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot",
    "tr", "ul",
}  # fmt: skip
_PARAGRAPH = {"p", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "hr"}
_DROP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "button", "svg"}
_CELL = {"td", "th"}


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse an HTML document or fragment leniently.

    Examples
    --------
    >>> parse_html("<p>hi</p>").tag in {"p", "div", "html"}
    True
    """
    if not html or not html.strip():
        return lxml.html.fragment_fromstring("<div></div>")
    try:
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return lxml.html.fragment_fromstring(html, create_parent="div")


def element_text(element: etree._Element, *, skip: Callable[[etree._Element], bool] | None = None) -> str:
    """Plain text of an element; elements for which ``skip`` is true are left out.

    Examples
    --------
    >>> root = parse_html("<div><blockquote>quoted</blockquote><p>mine</p></div>")
    >>> element_text(root, skip=lambda e: e.tag == "blockquote")
    'mine'
    """
    parts: list[str] = []

    def brk(kind: str) -> None:
        parts.append(kind)

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower()
        if tag in _DROP or (skip is not None and skip(node)):
            return
        if tag == "br":
            brk("\n")
        elif tag in _BLOCK:
            brk("\n\n" if tag in _PARAGRAPH else "\n")
        elif tag in _CELL:
            parts.append(" ")
        if tag == "img":
            alt = node.get("alt")
            if alt and not alt.startswith(("http", "/")):
                parts.append(alt)
        if node.text and tag not in _DROP:
            parts.append(node.text if tag == "pre" else re.sub(r"\s+", " ", node.text))
        for child in node:
            walk(child)
            if child.tail:
                parts.append(re.sub(r"\s+", " ", child.tail))
        if tag in _BLOCK:
            brk("\n\n" if tag in _PARAGRAPH else "\n")

    walk(element)
    return _squeeze("".join(parts))


def html_to_text(html: str, *, skip: Callable[[etree._Element], bool] | None = None) -> str:
    """Convert HTML to plain text with paragraphs kept.

    Parameters
    ----------
    html : str
        A document or a fragment.
    skip : callable, optional
        Elements for which this returns true are left out (e.g. quote blocks,
        to get a post's own words).

    Examples
    --------
    >>> html_to_text("<p>One <b>two</b></p><p>three<br>four</p><script>x()</script>")
    'One two\\n\\nthree\\nfour'
    >>> html_to_text("<div>a &amp; b</div>")
    'a & b'
    """
    return element_text(parse_html(html), skip=skip)


def _squeeze(text: str) -> str:
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
