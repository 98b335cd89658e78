"""HTML to plain text, keeping paragraphs and line breaks.

Used by every reader whose source gives post bodies as HTML (saved forum pages,
scraper JSON, Discourse ``cooked``, Stack Exchange ``Body``). Block elements
start new lines, ``<br>`` breaks a line, paragraphs are separated by a blank
line, scripts and styles are dropped and runs of spaces collapse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


#: How deep libxml2 lets HTML nest; past it, it stops parsing and drops the rest of the document.
MAX_DEPTH = 256


def _checked(parse: Callable[[lxml.html.HTMLParser], lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    """Run ``parse`` with a fresh parser; refuse a document that libxml2 cut short at its depth limit."""
    from sna.errors import InputError

    parser = lxml.html.HTMLParser()
    root = parse(parser)
    log = parser.error_log
    if log and any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in log):
        raise InputError(
            f"HTML nested more than {MAX_DEPTH} elements deep: the parser stops there and the rest would be "
            "lost; expected forum markup"
        )
    return root


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse an HTML fragment (a post body) leniently.

    Raises
    ------
    InputError
        When the markup nests deeper than :data:`MAX_DEPTH` elements (the
        parser would silently drop everything after that point).

    Examples
    --------
    >>> parse_html("<p>hi</p>").tag in {"p", "div", "html"}
    True
    """
    if not html or not html.strip():
        return lxml.html.fragment_fromstring("<div></div>")
    if html.count("<") < MAX_DEPTH:  # too few tags to nest that deep: the shared parser will do
        try:
            return lxml.html.fromstring(html)
        except (etree.ParserError, ValueError):
            return lxml.html.fragment_fromstring(html, create_parent="div")
    try:
        return _checked(lambda parser: lxml.html.fromstring(html, parser=parser))
    except (etree.ParserError, ValueError):
        return _checked(lambda parser: lxml.html.fragment_fromstring(html, create_parent="div", parser=parser))


def parse_document(html: str) -> lxml.html.HtmlElement:
    """Parse a whole saved page (see :func:`parse_html` for the depth limit)."""
    return _checked(lambda parser: lxml.html.document_fromstring(html, parser=parser))


def element_text(element: etree._Element, *, skip: Callable[[etree._Element], bool] | None = None) -> str:
    """Plain text of an element; elements for which ``skip`` is true are left out.

    Examples
    --------
    >>> root = parse_html("<div><blockquote>quoted</blockquote><p>mine</p></div>")
    >>> element_text(root, skip=lambda e: e.tag == "blockquote")
    'mine'
    """
    return _squeeze(_render(element, skip=skip, placeholders={}))


def _render(
    element: etree._Element,
    *,
    skip: Callable[[etree._Element], bool] | None,
    placeholders: dict[etree._Element, str | None],
) -> str:
    """Render to unsqueezed text; an element in ``placeholders`` becomes its string (None: left out)."""
    parts: list[str] = []

    def brk(kind: str) -> None:
        parts.append(kind)

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str):  # comments and processing instructions: only their tail is text
            return
        tag = node.tag.lower()
        if node in placeholders:
            marker = placeholders[node]
            if marker is not None:
                parts.append(f"\n\n{marker}\n\n")
            return
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
    return "".join(parts)


def text_with_blocks(
    element: etree._Element,
    blocks: Sequence[Sequence[etree._Element]],
    *,
    skip: Callable[[etree._Element], bool] | None = None,
) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of an element and the character span of each block in it.

    Each block is a run of elements (e.g. a quote's header and body) rendered
    as paragraphs of their own where its first element stands; its span covers
    its text in the result. Used to know where quote blocks lie in a post's
    ``raw_text``.

    Parameters
    ----------
    element : lxml element
        The post body.
    blocks : sequence of sequences of elements
        Disjoint blocks inside ``element``, none inside another.
    skip : callable, optional
        Elements left out everywhere (page chrome such as "Click to expand...").

    Returns
    -------
    text : str
        As :func:`element_text` gives it.
    spans : list of (int, int)
        ``text[start:end]`` is the text of each block, in the order given.

    Examples
    --------
    >>> root = parse_html("<div><p>Hi</p><blockquote>Ann said: cats</blockquote>Dogs.</div>")
    >>> text, spans = text_with_blocks(root, [root.findall(".//blockquote")])
    >>> text
    'Hi\\n\\nAnn said: cats\\n\\nDogs.'
    >>> [text[a:b] for a, b in spans]
    ['Ann said: cats']
    """
    placeholders: dict[etree._Element, str | None] = {}
    for i, block in enumerate(blocks):
        for j, node in enumerate(block):
            placeholders[node] = f"\ue000{i}\ue001" if j == 0 else None
    rendered = _squeeze(_render(element, skip=skip, placeholders=placeholders))
    pieces = _PLACEHOLDER.split(rendered)
    out: list[str] = [pieces[0]]
    length = len(pieces[0])
    spans: list[tuple[int, int]] = [(length, length)] * len(blocks)
    for k in range(1, len(pieces), 2):
        i = int(pieces[k])
        block_text = "\n\n".join(t for t in (_squeeze(_render(n, skip=skip, placeholders={})) for n in blocks[i]) if t)
        after = pieces[k + 1]
        if not block_text:  # an empty block leaves no blank lines behind
            after = after.lstrip("\n") if (length == 0 or out[-1].endswith("\n")) else after
            if length and not after and out[-1].endswith("\n"):
                out[-1] = out[-1].rstrip("\n")
                length = sum(len(part) for part in out)
        spans[i] = (length, length + len(block_text))
        out.extend([block_text, after])
        length += len(block_text) + len(after)
    return "".join(out), spans


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
