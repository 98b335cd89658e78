"""Quote blocks in forum post HTML, per forum engine, and a post body as text.

Each engine marks a quote its own way (XenForo ``data-source="post: N"``,
vBulletin "Originally Posted by", phpBB ``<cite>NAME wrote:</cite>``, SMF
"Quote from: NAME on DATE" headers, Invision ``data-ipsquote-*``, XMB quote
tables, NodeBB "@NAME said in", Discourse ``<aside class="quote">`` and its
Markdown ``<blockquote>`` under a "NAME wrote:" line). A
:class:`QuoteBlock` records the elements that make up one block, the quoted
author and post id where the markup gives them, and which of its elements are
the attribution rather than quoted words. :func:`render_post` turns a post
body into ``raw_text`` (everything), ``text`` (top-level quote blocks cut out)
and the top-level quotes with the quoted post's own words (nested quotes
dropped, as forums do when quoting) and their spans in ``raw_text``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from sna.io.helpers.html_text import element_text, text_with_blocks
from sna.io.helpers.markup import MarkedQuote, split_bbcode_quotes, split_marked_quotes, unwrap_bbcode
from sna.io.helpers.usenet import attribution_name
from sna.text import remove_spans

Element = etree._Element


@dataclass(frozen=True)
class QuoteBlock:
    """One quote block in a post body.

    Attributes
    ----------
    elements : tuple of elements
        The block's elements in document order (e.g. SMF's header, body and
        footer); the first stands where the block is.
    author : str or None
        The quoted name.
    post : str or None
        The quoted post's id as the markup spells it (Discourse:
        ``"TOPIC/POST_NUMBER"``).
    cite : tuple of elements
        Attribution elements inside the block ("X said:"), not quoted words.
    """

    elements: tuple[Element, ...]
    author: str | None = None
    post: str | None = None
    cite: tuple[Element, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RenderedPost:
    """A post body as text, with its top-level quotes.

    Attributes
    ----------
    text : str
        The post's own words (top-level quote blocks removed).
    raw_text : str
        The whole post as plain text.
    quotes : list of (author, post, quoted_text, start, end)
        Top-level quotes; ``raw_text[start:end]`` is the block as shown.
    """

    text: str
    raw_text: str
    quotes: list[tuple[str | None, str | None, str, int, int]]


def _classes(el: Element) -> set[str]:
    return set((el.get("class") or "").split())


def _has_class(*names: str) -> Callable[[Element], bool]:
    wanted = set(names)
    return lambda el: bool(wanted & _classes(el))


def _xpath_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_POST_IN_HREF = re.compile(
    r"(?:[?&;]p=|[?&;]pid=|goto/post\?id=|/posts?/|#post-?|#p|[.;]msg|#msg|findpost&(?:amp;)?p=|comment=)(\d+)"
)
_SAID = re.compile(
    r"\s*(?:said|wrote|posted|pisze|napisał\(a\)|napisał|napisała|a écrit|a dit|sagte|schrieb|scrisse|ha scritto|"
    r"escribió|dijo|zei|schreef|píše|napsal\(a\)|napsal|сказал\(а\)|сказал|сказала|писал\(а\)|писал|написал\(а\)|"
    r"написал|wrote on .*?)\s*:?\s*$",
    re.IGNORECASE,
)
_ORIGINALLY = re.compile(
    r"(?:originally posted by|posted by|сообщение от|цитата|cytat|citace|zitat von|citation de|oorspronkelijk "
    r"geplaatst door|mensaje original de|messaggio originale di)\s*:?\s*(.+?)\s*$",
    re.IGNORECASE,
)
_QUOTE_FROM = re.compile(r"^[^:]{1,40}:\s*(?P<name>.+?)(?:\s+(?:on|w|am|le|el|il|op|dne|от|в|em|på|den|kl)\s+.*\d.*)?$")


def post_in_href(href: str | None) -> str | None:
    """The post id a quote's link points at.

    Examples
    --------
    >>> post_in_href("goto/post?id=2146285#post-2146285"), post_in_href("showthread.php?p=365268#post365268")
    ('2146285', '365268')
    >>> post_in_href("index.php?topic=1203.msg4672#msg4672"), post_in_href("/post/73814")
    ('4672', '73814')
    """
    if not href:
        return None
    match = _POST_IN_HREF.search(href)
    return match.group(1) if match else None


def strip_said(text: str) -> str | None:
    """A quoted name from an attribution line such as "Ann said:".

    Examples
    --------
    >>> strip_said("Higure said:"), strip_said("KrotVikinG napisał(a):"), strip_said(" Bo Li  wrote: ")
    ('Higure', 'KrotVikinG', 'Bo Li')
    """
    text = " ".join(text.split())
    name = _SAID.sub("", text).strip().lstrip("@").strip()
    if name == text.strip() and text.endswith(":"):  # an unknown language: drop the last word
        name = text[:-1].rsplit(" ", 1)[0].strip() if " " in text else ""
    return name or None


def _first(el: Element, path: str) -> Element | None:
    found = el.xpath(path)
    return found[0] if found else None


def _text(el: Element | None) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def _href_post(el: Element | None) -> str | None:
    if el is None:
        return None
    for a in el.iter("a"):
        post = a.get("data-post-id") or post_in_href(a.get("href"))
        if post:
            return post
    return None


# --- per-engine quote finders --------------------------------------------------------------


def _xenforo(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.xpath(f".//*[{_xpath_class('bbCodeQuote')} or {_xpath_class('bbCodeBlock--quote')}]"):
        title = _first(el, f".//*[{_xpath_class('attribution')} or {_xpath_class('bbCodeBlock-title')}]")
        source = re.search(r"post:\s*(\d+)", el.get("data-source") or "")
        post = source.group(1) if source else _href_post(title)
        if post is None and title is not None:
            for a in title.iter("a"):
                selector = re.search(r"#(?:js-)?post-(\d+)", a.get("data-content-selector") or "")
                post = selector.group(1) if selector else None
        author = (
            el.get("data-author") or el.get("data-quote") or (strip_said(_text(title)) if title is not None else None)
        )
        blocks.append(QuoteBlock((el,), author or None, post, (title,) if title is not None else ()))
    return blocks


def _vbulletin(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.xpath(f".//*[{_xpath_class('bbcode_quote')}]"):
        outer = el.getparent() if el.getparent() is not None and "bbcode_container" in _classes(el.getparent()) else el
        by = _first(el, f".//*[{_xpath_class('bbcode_postedby')}]")
        author = _text(_first(by, ".//strong")) if by is not None else ""
        blocks.append(QuoteBlock((outer,), author or None, _href_post(by), (by,) if by is not None else ()))
    # vBulletin 3: <div style="margin:20px"><div class="smallfont">Quote:</div><table>…</table></div>
    for el in body.xpath(".//div[div[@class='smallfont'] and table]"):
        label = el.find("div")
        if label is None or not _text(label).endswith(":"):
            continue
        cell = _first(el, "./table//td")
        by = _first(cell, "./div[strong]") if cell is not None else None
        author = _text(by.find("strong")) if by is not None and _ORIGINALLY.search(_text(by)) else ""
        cite = tuple(x for x in (label, by if author else None) if x is not None)
        blocks.append(QuoteBlock((el,), author or None, _href_post(by) if author else None, cite))
    return blocks


def _phpbb(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.iter("blockquote"):
        cite = _first(el, "./cite|./div/cite")
        author = None
        if cite is not None:
            link = _first(cite, ".//a[contains(@href, 'memberlist') or contains(@href, 'mode=viewprofile')]")
            author = _text(link) if link is not None else strip_said((cite.text or "").strip() or _text(cite))
        post = post_in_href(el.get("cite")) or _href_post(cite)
        blocks.append(QuoteBlock((el,), author or None, post, (cite,) if cite is not None else ()))
    return blocks


def _smf_header(header: Element) -> tuple[str | None, str | None]:
    link = _first(header, ".//a")
    match = _QUOTE_FROM.match(_text(link if link is not None else header))
    author = match.group("name") if match and link is not None else None
    return author, post_in_href(link.get("href") if link is not None else None)


def _smf(body: Element) -> list[QuoteBlock]:
    blocks, claimed = [], set()
    for header in body.xpath(f".//div[{_xpath_class('quoteheader')}]"):
        quote = header.getnext()
        if quote is None:
            continue
        parts = [header, quote]
        footer = quote.getnext()
        if footer is not None and "quotefooter" in _classes(footer):
            parts.append(footer)
        author, post = _smf_header(header)
        claimed.add(quote)
        blocks.append(QuoteBlock(tuple(parts), author, post, (header,)))
    for el in body.xpath(
        f".//blockquote[{_xpath_class('bbc_standard_quote')} or {_xpath_class('bbc_alternate_quote')}]"
    ):
        if el in claimed:
            continue
        cite = _first(el, "./cite")
        author, post = _smf_header(cite) if cite is not None else (None, None)
        blocks.append(QuoteBlock((el,), author, post, (cite,) if cite is not None else ()))
    return blocks


def _invision(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.xpath(f".//blockquote[{_xpath_class('ipsQuote')}]"):
        cite = _first(el, f"./*[{_xpath_class('ipsQuote_citation')}]")
        author = el.get("data-ipsquote-username") or el.get("data-cite") or None
        post = el.get("data-ipsquote-contentcommentid") or None
        blocks.append(QuoteBlock((el,), author, post, (cite,) if cite is not None else ()))
    return blocks


def _xmb(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.xpath(f".//table[{_xpath_class('quote')}]"):
        head = _first(el, f".//td[{_xpath_class('quote')}]")
        message = _first(el, f".//td[{_xpath_class('quotemessage')}]")
        by = head
        match = _ORIGINALLY.search(_text(head))
        if not match and message is not None:  # older XMB: <em>Originally posted by NAME</em> in the message
            em = _first(message, "./em|./i")
            match = _ORIGINALLY.search(_text(em)) if em is not None else None
            by = em if match else head
        cite = tuple(x for x in {id(head): head, id(by): by}.values() if x is not None)
        author = match.group(1).strip() if match else None
        blocks.append(QuoteBlock((el,), author or None, _href_post(head), cite))
    return blocks


_NODEBB_SAID = re.compile(r"^@?(?P<name>.+?) said in .+:\s*$", re.DOTALL)


def _nodebb(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.iter("blockquote"):
        before = el.getprevious()
        match = _NODEBB_SAID.match(_text(before)) if before is not None and before.tag == "p" else None
        if match:
            link = _first(before, ".//a[contains(@href, '/post/')]")
            post = post_in_href(link.get("href")) if link is not None else None
            blocks.append(QuoteBlock((before, el), match.group("name").strip(), post, (before,)))
        else:
            blocks.append(QuoteBlock((el,)))
    return blocks


def _discourse(body: Element) -> list[QuoteBlock]:
    blocks = []
    for el in body.xpath(f".//aside[{_xpath_class('quote')}]"):
        title = _first(el, f"./*[{_xpath_class('title')}]")
        post = el.get("data-post")
        topic = el.get("data-topic")
        author = el.get("data-username")  # the title of a quote without it names a topic, not a poster
        ref = f"{topic or ''}/{post}" if post else None
        blocks.append(QuoteBlock((el,), author or None, ref, (title,) if title is not None else ()))
    # Markdown "> …" quotes (of other sites, or of posts written by hand): plain blockquotes, maybe below a
    # "NAME wrote:" line that names whom they quote
    for el in body.xpath(f".//blockquote[not(ancestor::aside[{_xpath_class('quote')}])]"):
        before = el.getprevious()
        found, name = attribution_name(_text(before)) if before is not None and before.tag == "p" else (False, None)
        blocks.append(QuoteBlock((before, el), name, None, (before,)) if found else QuoteBlock((el,)))
    return blocks


#: Elements that are page furniture inside post bodies, never the poster's words.
_CHROME_CLASSES = {
    "quoteExpand", "bbCodeBlock-expandLink", "messageTextEndMarker", "js-selectToQuoteEnd", "quotefooter",
    "bbcode_quote_container", "onebox", "meta", "ipsEdited", "subject", "quote-controls", "ipsQuote_citation_link",
}  # fmt: skip


def is_chrome(el: Element) -> bool:
    """True for an element that is interface text inside a post body ("Click to expand...").

    This includes the header of phpBB's code boxes ("Code: Select all", a
    ``<p>`` or ``<dt>`` heading ``<div class="codebox">`` / ``<dl
    class="codebox">``).

    Examples
    --------
    >>> from sna.io.helpers.html_text import parse_html
    >>> is_chrome(parse_html('<div class="quoteExpand">Click to expand...</div>'))
    True
    >>> box = parse_html('<div class="codebox"><p>Code: <a href="#">Select all</a></p><pre><code>ls</code></pre></div>')
    >>> [is_chrome(el) for el in box]
    [True, False]
    """
    if el.tag in ("p", "dt") and el.getparent() is not None and "codebox" in _classes(el.getparent()):
        return el.getprevious() is None
    return bool(_CHROME_CLASSES & _classes(el)) or el.get("data-excludequote") is not None


QUOTE_FINDERS: dict[str, Callable[[Element], list[QuoteBlock]]] = {
    "xenforo": _xenforo,
    "vbulletin": _vbulletin,
    "phpbb": _phpbb,
    "smf": _smf,
    "invision": _invision,
    "xmb": _xmb,
    "nodebb": _nodebb,
    "discourse": _discourse,
    "none": lambda body: [],
}


def render_post(body: Element, markup: str) -> RenderedPost:
    """Split a post body into its own words and its top-level quotes.

    Quotes are the engine's quote blocks (:data:`QUOTE_FINDERS`) and, in the
    text outside them, quote markup written as text: BBCode left by a forum
    migration and Usenet-style ``>`` quoting
    (:func:`sna.io.helpers.markup.split_marked_quotes`), but not inside
    ``<pre>`` code. A block that names no author but carries a raw
    ``[quote=NAME …]`` tag is attributed to NAME. Every quote's words are
    removed from ``text``.

    Parameters
    ----------
    body : lxml element
        The post's content element.
    markup : str
        A key of :data:`QUOTE_FINDERS`.

    Examples
    --------
    >>> from sna.io.helpers.html_text import parse_html
    >>> body = parse_html('<div><blockquote><cite>Ann wrote:</cite>Cats rule.'
    ...                   '<blockquote><cite>Bo wrote:</cite>Dogs!</blockquote></blockquote>No.</div>')
    >>> post = render_post(body, "phpbb")
    >>> post.text, post.quotes[0][:3]
    ('No.', ('Ann', None, 'Cats rule.'))
    >>> post.raw_text
    'Ann wrote:Cats rule.\\n\\nBo wrote:Dogs!\\n\\nNo.'
    >>> post = render_post(parse_html("<div><p>Cy wrote:<br>&gt; Cats rule.</p><p>No.</p></div>"), "none")
    >>> post.text, post.quotes
    ('No.', [('Cy', None, 'Cats rule.', 0, 23)])
    """
    found = QUOTE_FINDERS[markup](body)
    members = {id(node) for block in found for node in block.elements}
    top = [block for block in found if not _inside(block.elements[0], body, members)]
    if len(top) > 1:  # finders list blocks by kind, not in document order
        order = {id(el): i for i, el in enumerate(body.iter())}
        top.sort(key=lambda b: order.get(id(b.elements[0]), -1))
    pres = {id(el) for el in body.iter("pre")}
    code = [el for el in body.iter("pre") if not _inside(el, body, members) and not _inside(el, body, pres)]
    raw, spans = text_with_blocks(body, [b.elements for b in top] + [[el] for el in code], skip=is_chrome)
    block_spans, code_spans = spans[: len(top)], spans[len(top) :]
    quotes: list[tuple[str | None, str | None, str, int, int]] = []
    for block, (start, end) in zip(top, block_spans, strict=True):
        own = {id(node) for node in block.elements}
        cite = {id(node) for node in block.cite}

        def skip(el: Element, own: set[int] = own, cite: set[int] = cite) -> bool:
            return (id(el) in members and id(el) not in own) or id(el) in cite or is_chrome(el)

        words = "\n\n".join(t for t in (element_text(node, skip=skip) for node in block.elements) if t)
        author, post = block.author, block.post
        carried = unwrap_bbcode(words)
        if carried is not None:  # a migrated post: the block holds the old forum's raw [quote=NAME] tag
            words = carried.text
            author = author or carried.author
            post = post or _reference(carried, markup)
        elif "[quote" in words.lower():  # the quoted post's own raw quotes: dropped, as nested quotes are
            rest, inner = split_bbcode_quotes(words)
            words = rest if inner else words
        quotes.append((author, post, words, start, end))
    taken = block_spans + code_spans
    _, written = split_marked_quotes(raw)
    for quote in written:
        span = (quote.start or 0, quote.end or 0)
        if not any(span[0] < end and start < span[1] for start, end in taken):
            quotes.append((quote.author, _reference(quote, markup), quote.text, *span))
    quotes.sort(key=lambda q: q[3])
    text = remove_spans(raw, [(s, e) for *_, s, e in quotes]) if quotes else raw
    return RenderedPost(text, raw, quotes)


def _inside(node: Element, root: Element, members: set[int]) -> bool:
    """Whether an ancestor of ``node`` below ``root`` is one of ``members``."""
    ancestor = node.getparent()
    while ancestor is not None and ancestor is not root:
        if id(ancestor) in members:
            return True
        ancestor = ancestor.getparent()
    return False


def _reference(quote: MarkedQuote, markup: str) -> str | None:
    """The quoted post as :class:`QuoteBlock` spells it (Discourse: ``TOPIC/POST_NUMBER``)."""
    if quote.post is None:
        return None
    return f"{quote.topic or ''}/{quote.post}" if markup == "discourse" else quote.post
