"""Markdown ``>`` quote blocks (Reddit, ConvoKit's Reddit corpora), and checking a quote against a text.

A run of consecutive lines starting with ``>`` is one quote block. Its text is
the block's first-level lines without the ``>``; deeper lines (``>> …``) are
the quoted post's own quote of something earlier and are dropped from the
quoted text, as :mod:`sna.io.helpers.markup` does for nested BBCode. Reddit's spoiler
syntax ``>!…!<`` is not a quote. Text still carrying the HTML escapes of
Reddit's API (``&gt;``), as ConvoKit's Reddit corpora do, is read the same way.
"""

from __future__ import annotations

import functools
import re

from sna.io.helpers.markup import MarkedQuote
from sna.text import remove_spans

_QUOTE_LINE = re.compile(r"^ {0,3}(?:>|&gt;)(?!!)")
_MARKER = re.compile(r"^ {0,3}(?:>|&gt;)")
_WORD = re.compile(r"[^\W_]+")


def split_markdown_quotes(text: str) -> tuple[str, list[MarkedQuote]]:
    """Remove ``>`` quote blocks from ``text`` and return them.

    Parameters
    ----------
    text : str
        A post's markdown.

    Returns
    -------
    own : str
        The text without its quote blocks.
    quotes : list of MarkedQuote
        One per block, in order, with no author or post (markdown names
        neither) and ``start``/``end`` spans into ``text``. A block holding
        only deeper (``>>``) lines gives no quote but is still removed.

    Examples
    --------
    >>> own, quotes = split_markdown_quotes("> Cats are best.\\n>> Dogs!\\n\\nNo they are not.")
    >>> own
    'No they are not.'
    >>> quotes[0].text, quotes[0].start, quotes[0].end
    ('Cats are best.', 0, 26)
    """
    lines = text.split("\n")
    spans: list[tuple[int, int]] = []
    quotes: list[MarkedQuote] = []
    offset = 0
    i = 0
    while i < len(lines):
        if not _QUOTE_LINE.match(lines[i]):
            offset += len(lines[i]) + 1
            i += 1
            continue
        start = offset
        first_level: list[str] = []
        while i < len(lines) and _QUOTE_LINE.match(lines[i]):
            body = _MARKER.sub("", lines[i], count=1)
            if not body.lstrip(" ").startswith((">", "&gt;")):
                first_level.append(body[1:] if body.startswith(" ") else body)
            offset += len(lines[i]) + 1
            i += 1
        end = min(offset, len(text))
        spans.append((start, end))
        quoted = "\n".join(first_level).strip()
        if _WORD.search(quoted):
            quotes.append(MarkedQuote(None, None, None, quoted, start, end))
    if not spans:
        return text, []
    return remove_spans(text, spans), quotes


def words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits, as quotes are compared.

    Examples
    --------
    >>> words("Don't PANIC!")
    ['don', 't', 'panic']
    """
    return _WORD.findall(text.lower())


def quote_matches(quoted: str, text: str, *, shingle: int = 5, coverage: float = 0.9) -> bool:
    """Tell whether ``text`` contains the words of ``quoted``.

    The test is the one :func:`sna.quotes.locate_quoted_posts` applies: runs of
    ``shingle`` consecutive words of the quote that occur in ``text`` must
    cover at least ``coverage`` of its words; a quote shorter than a shingle
    must occur word for word. Case, punctuation and spacing do not matter, so
    small edits and ``...`` cuts still match.

    Examples
    --------
    >>> quote_matches("tea is better than coffee, in every way", "Tea is better than coffee in every way!")
    True
    >>> quote_matches("tea is better than coffee", "Coffee is better than tea.")
    False
    >>> quote_matches("so true", "That is so true.")
    True
    """
    q = words(quoted)
    if not q:
        return False
    haystack = _joined_words(text)
    if f" {' '.join(q)} " in haystack:  # word for word: the common case, no shingles needed
        return True
    if len(q) < shingle:
        return False
    t = haystack.split()
    grams = {tuple(t[i : i + shingle]) for i in range(len(t) - shingle + 1)}
    covered = [False] * len(q)
    for i in range(len(q) - shingle + 1):
        if tuple(q[i : i + shingle]) in grams:
            for j in range(i, i + shingle):
                covered[j] = True
    return sum(covered) >= coverage * len(q)


@functools.lru_cache(maxsize=1024)
def _joined_words(text: str) -> str:
    """`` w1 w2 … `` for ``text`` (cached: a parent is checked once per quote of it)."""
    return " " + " ".join(words(text)) + " "
