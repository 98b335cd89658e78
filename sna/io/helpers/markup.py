"""Quote markup in plain text: BBCode ``[quote]`` blocks, "X said: … Click to expand..." and Usenet ``>`` quoting.

Forums strip nested quotes when a post is quoted, so a quote block reproduces
the quoted post's *own* words. A nested block inside a quote is the quoted
post's own quote: it is dropped from the quoted text and gives no edge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sna.text import remove_spans, tidy

_TAG = re.compile(r"\[(/?)quote((?:=|\s)[^\[\]\n]*)?\]", re.IGNORECASE)
_POST_ATTR = re.compile(r"\bpost(?:_?id)?\s*[:=]\s*\"?(\d+)", re.IGNORECASE)
_TOPIC_ATTR = re.compile(r"\btopic\s*[:=]\s*\"?(\d+)", re.IGNORECASE)
_NAMED_ATTR = re.compile(r"\bname\s*=\s*\"([^\"]*)\"", re.IGNORECASE)
_SAID = re.compile(r"^[ \t]*(?P<name>[^\n]{1,60}?) said:[ \t]*$")
_EXPAND = re.compile(r"^[ \t]*Click to expand\.\.\.[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class MarkedQuote:
    """One quote block found by its markup.

    Attributes
    ----------
    author : str or None
        The quoted name, when the markup gives one.
    post : str or None
        The quoted post's id as the markup spells it.
    topic : str or None
        The topic id (Discourse markup numbers posts within a topic).
    text : str
        The quoted words, without nested quotes.
    start, end : int or None
        The block's character span (markup included) in the text it came from.
    """

    author: str | None
    post: str | None
    topic: str | None
    text: str
    start: int | None = None
    end: int | None = None


def _parse_attributes(attrs: str) -> tuple[str | None, str | None, str | None]:
    """Read name, post and topic from the part of a quote tag after ``quote``.

    Examples
    --------
    >>> _parse_attributes('=Varun;123')
    ('Varun', '123', None)
    >>> _parse_attributes('="Ann, post: 42, member: 7"')
    ('Ann', '42', None)
    >>> _parse_attributes('="bob, post:3, topic:2108"')
    ('bob', '3', '2108')
    >>> _parse_attributes(' name="cy" post_id=9 time=1 user_id=2')
    ('cy', '9', None)
    """
    attrs = (attrs or "").strip()
    post_match = _POST_ATTR.search(attrs)
    topic_match = _TOPIC_ATTR.search(attrs)
    post = post_match.group(1) if post_match else None
    topic = topic_match.group(1) if topic_match else None
    name: str | None = None
    named = _NAMED_ATTR.search(attrs)
    if named:
        name = named.group(1)
    elif attrs.startswith("="):
        value = attrs[1:].strip()
        if value.startswith('"'):
            end = value.find('"', 1)
            value = value[1:end] if end > 0 else value[1:]
        elif value.startswith("'"):
            end = value.find("'", 1)
            value = value[1:end] if end > 0 else value[1:]
        else:
            value = value.split(" post_id=")[0]
        if ";" in value:
            value, _, maybe_post = value.partition(";")
            if post is None and maybe_post.strip().isdigit():
                post = maybe_post.strip()
        name = value.split(",")[0].strip() or None
    return name, post, topic


def split_bbcode_quotes(text: str) -> tuple[str, list[MarkedQuote]]:
    """Remove top-level ``[quote]`` blocks from ``text`` and return them.

    Unbalanced tags are left in the text as they are.

    Parameters
    ----------
    text : str
        A post's text with BBCode quote markup.

    Returns
    -------
    own : str
        The text without its quote blocks.
    quotes : list of MarkedQuote
        The top-level quote blocks in order.

    Examples
    --------
    >>> own, quotes = split_bbcode_quotes(
    ...     "[QUOTE=Ann;12]Cats are best.[quote=Bo]Dogs![/quote][/QUOTE]No they are not.")
    >>> own
    'No they are not.'
    >>> quotes[0]
    MarkedQuote(author='Ann', post='12', topic=None, text='Cats are best.', start=0, end=59)
    """
    tags = list(_TAG.finditer(text))
    if not tags:
        return text, []
    # Pair tags with a stack; unmatched ones stay as text.
    stack: list[re.Match[str]] = []
    pairs: list[tuple[re.Match[str], re.Match[str], int]] = []
    for tag in tags:
        if tag.group(1) == "":
            stack.append(tag)
        elif stack:
            opener = stack.pop()
            pairs.append((opener, tag, len(stack)))
    top = sorted((p for p in pairs if p[2] == 0), key=lambda p: p[0].start())
    nested = [p for p in pairs if p[2] > 0]
    quotes = []
    own_parts = []
    cursor = 0
    for opener, closer, _ in top:
        own_parts.append(text[cursor : opener.start()])
        cursor = closer.end()
        inner_start, inner_end = opener.end(), closer.start()
        inner = []
        inner_cursor = inner_start
        for n_open, n_close, depth in sorted(nested, key=lambda p: p[0].start()):
            if depth == 1 and inner_start <= n_open.start() and n_close.end() <= inner_end:
                inner.append(text[inner_cursor : n_open.start()])
                inner_cursor = n_close.end()
        inner.append(text[inner_cursor:inner_end])
        name, post, topic = _parse_attributes(opener.group(2) or "")
        quotes.append(MarkedQuote(name, post, topic, tidy("\n".join(inner)), opener.start(), closer.end()))
    own_parts.append(text[cursor:])
    return tidy("\n".join(own_parts)), quotes


def unwrap_bbcode(words: str) -> MarkedQuote | None:
    """The quote of text that is one raw BBCode ``[quote]`` block and nothing else, else None.

    Forums migrated to another engine leave such text inside the new
    engine's quote boxes; the tag names whom the box quotes.

    Examples
    --------
    >>> unwrap_bbcode('[quote="Elliot, post:20, topic:2144"]Tea is best.[/quote]')
    MarkedQuote(author='Elliot', post='20', topic='2144', text='Tea is best.', start=0, end=57)
    >>> unwrap_bbcode("Tea is best.") is None, unwrap_bbcode("[quote]a[/quote] and more") is None
    (True, True)
    """
    stripped = words.strip()
    if not stripped.lower().startswith("[quote"):
        return None
    rest, quotes = split_bbcode_quotes(stripped)
    if len(quotes) != 1 or rest.strip():
        return None
    return quotes[0]


def split_said_quotes(text: str) -> tuple[str, list[MarkedQuote]]:
    """Remove "NAME said: … Click to expand..." blocks (copied XenForo pages).

    Examples
    --------
    >>> own, quotes = split_said_quotes(
    ...     "Ann said:\\nCats are best.\\nClick to expand...\\nNo they are not.")
    >>> own, quotes[0].author, quotes[0].text
    ('No they are not.', 'Ann', 'Cats are best.')
    """
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    own: list[str] = []
    quotes: list[MarkedQuote] = []
    i = 0
    while i < len(lines):
        said = _SAID.match(lines[i])
        if said:
            end = next((j for j in range(i + 1, len(lines)) if _EXPAND.match(lines[j])), None)
            if end is not None:
                body = "\n".join(lines[i + 1 : end])
                span_end = min(offsets[end + 1], len(text))
                quotes.append(MarkedQuote(said.group("name").strip(), None, None, tidy(body), offsets[i], span_end))
                i = end + 1
                continue
        own.append(lines[i])
        i += 1
    if not quotes:
        return text, []
    return tidy("\n".join(own)), quotes


def split_marked_quotes(text: str, *, usenet: bool = True) -> tuple[str, list[MarkedQuote]]:
    """Remove every kind of quote markup this module knows; spans refer to ``text``.

    BBCode blocks, "X said: … Click to expand..." blocks and (unless
    ``usenet`` is false) Usenet-style ``>`` quotes with their attribution
    (:func:`sna.io.helpers.usenet.split_usenet_quotes`). A block inside
    another (a ``>`` line inside a ``[quote]``) is part of the outer one.

    Examples
    --------
    >>> text = "[quote=Ann]Hi there[/quote] Bo said:\\nYo\\nClick to expand...\\nCy wrote:\\n> Hey\\nOk"
    >>> own, quotes = split_marked_quotes(text.replace("] ", "]\\n"))
    >>> own, [q.author for q in quotes]
    ('Ok', ['Ann', 'Bo', 'Cy'])
    """
    from sna.io.helpers.usenet import split_usenet_quotes

    _, bbcode = split_bbcode_quotes(text) if "[" in text else (text, [])
    _, said = split_said_quotes(text) if " said:" in text else (text, [])
    _, angle = split_usenet_quotes(text) if usenet and ">" in text else (text, [])
    if not (bbcode or said or angle):
        return text, []
    quotes = sorted([*bbcode, *said, *angle], key=lambda q: (q.start or 0, -(q.end or 0)))
    kept: list[MarkedQuote] = []
    for quote in quotes:  # a block inside another is part of it
        if kept and (quote.start or 0) < (kept[-1].end or 0):
            continue
        kept.append(quote)
    return remove_spans(text, [(q.start or 0, q.end or 0) for q in kept]), kept
