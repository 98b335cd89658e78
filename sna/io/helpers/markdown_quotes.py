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

import polars as pl

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


#: The characters ``str.strip()`` removes (Python's whitespace), so that column rules strip as Python does.
PY_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_ASCII_WORD = r"[A-Za-z0-9]"


def split_markdown_quotes_frame(texts: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """:func:`split_markdown_quotes` of every text of a column at once, as column expressions.

    Parameters
    ----------
    texts : pl.Series
        Markdown texts (no nulls).

    Returns
    -------
    own : pl.Series
        Each text without its quote blocks, as :func:`split_markdown_quotes` gives it.
    quotes : pl.DataFrame
        ``index`` (of the text), ``quoted_text``, ``start``, ``end``: the quotes of all texts, in
        text order, then block order — the quotes :func:`split_markdown_quotes` gives.

    Examples
    --------
    >>> own, quotes = split_markdown_quotes_frame(pl.Series(["> Cats are best.\\n>> Dogs!\\n\\nNo they are not.", "x"]))
    >>> own.to_list()
    ['No they are not.', 'x']
    >>> quotes.rows()
    [(0, 'Cats are best.', 0, 26)]
    """
    from sna.text import BLANK_LINES, EDGE_SPACE

    col = pl.col
    texts = texts.cast(pl.String)
    frame = pl.DataFrame({"line": texts.str.split("\n"), "_total": texts.str.len_chars().cast(pl.Int64)})
    lines = frame.with_row_index("index").explode("line")
    # lines of one text are consecutive: a text's first line is where the index changes (no window per text needed)
    first = col("index") != col("index").shift(1, fill_value=-1)
    quote = col("line").str.contains(r"^ {0,3}(?:>|&gt;)") & ~col("line").str.contains(r"^ {0,3}(?:>|&gt;)!")
    lines = lines.with_columns(
        _length=col("line").str.len_chars().cast(pl.Int64), _quote=quote, _first=first
    ).with_columns(
        _end=(col("_length") + 1).cum_sum(),  # after this line's newline, counted over all texts
        _opens=pl.when(col("_first")).then(col("_quote")).otherwise(col("_quote") != col("_quote").shift(1)),
    ).with_columns(
        _offset=col("_end") - col("_length") - 1
        - pl.when(col("_first")).then(col("_end") - col("_length") - 1).forward_fill(),
        _run=(col("_opens") | col("_first")).cum_sum(),  # runs of quote lines and of other lines, over all texts
    )  # fmt: skip
    # a run of other lines after a quote block starts with the block's newline: a blank first line of it goes
    blank_after = (col("line") == "") & col("_opens") & ~col("_quote")
    tidied = col("_own").str.replace_all(BLANK_LINES.replace(r"\u00a0", "\u00a0"), "\n\n").str.strip_chars(EDGE_SPACE)
    own = (
        lines.group_by("index", maintain_order=True)
        .agg(_own=col("line").filter(~col("_quote") & ~blank_after).str.join("\n"), _quotes=col("_quote").any())
        .with_columns(_text=texts)
        .select(pl.when(col("_quotes")).then(tidied).otherwise(col("_text")))  # no block: the text as it is
        .to_series()
        .alias(texts.name)
    )
    body = col("line").str.replace(r"^ {0,3}(?:>|&gt;)", "")
    deeper = body.str.strip_chars_start(" ").str.starts_with(">") | body.str.strip_chars_start(" ").str.starts_with(
        "&gt;"
    )
    blocks = (
        lines.filter(col("_quote"))
        .with_columns(
            _level1=pl.when(body.str.starts_with(" ")).then(body.str.slice(1)).otherwise(body),
            _deeper=deeper,
        )
        .group_by("_run", maintain_order=True)
        .agg(
            index=col("index").first(),
            quoted_text=col("_level1").filter(~col("_deeper")).str.join("\n").str.strip_chars(PY_WHITESPACE),
            start=col("_offset").first(),
            end=pl.min_horizontal(col("_offset").last() + col("_length").last() + 1, col("_total").first()),
        )
    )
    ascii_ = blocks["quoted_text"].str.len_bytes() == blocks["quoted_text"].str.len_chars()
    has_word = blocks["quoted_text"].str.contains(_ASCII_WORD)
    if not ascii_.all():  # words beyond ASCII: Python's own idea of a letter or digit
        others = [bool(_WORD.search(t)) for t in blocks.filter(~ascii_)["quoted_text"]]
        has_word = has_word.scatter(ascii_.not_().arg_true(), pl.Series(others, dtype=pl.Boolean))
    quotes = blocks.filter(has_word).select(col("index").cast(pl.Int64), "quoted_text", "start", "end")
    return own, quotes


def quote_matches_frame(quoted: pl.Series, texts: pl.Series) -> pl.Series:
    """:func:`quote_matches` of each quote against the text beside it (a null text matches nothing).

    The word-for-word test runs as column expressions where both are ASCII;
    the rest (shingles, other scripts) goes through :func:`quote_matches`.

    Examples
    --------
    >>> quote_matches_frame(pl.Series(["so true", "tea is better"]), pl.Series(["That is SO true.", None])).to_list()
    [True, False]
    """
    col = pl.col
    frame = pl.DataFrame({"q": quoted.cast(pl.String), "t": texts.cast(pl.String)})

    def joined_words(column: str) -> pl.Expr:  # _joined_words of ASCII text: a run of other characters is one space
        spaced = col(column).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars(" ")
        return pl.lit(" ") + spaced + pl.lit(" ")

    frame = frame.with_columns(
        _ascii=(col("q").str.len_bytes() == col("q").str.len_chars())
        & (col("t").str.len_bytes() == col("t").str.len_chars()),
        _q=joined_words("q"),
        _t=joined_words("t"),
    )
    verbatim = frame.select(
        (col("_ascii").fill_null(False) & (col("_q") != "  ") & col("_t").str.contains(col("_q"), literal=True))
        .fill_null(False)
    ).to_series()  # fmt: skip
    unsure = frame.select(col("t").is_not_null() & ~verbatim).to_series()
    if unsure.any():
        rest = frame.filter(unsure)
        found = [quote_matches(q, t) for q, t in zip(rest["q"], rest["t"], strict=True)]
        verbatim = verbatim.scatter(unsure.arg_true(), pl.Series(found, dtype=pl.Boolean))
    return verbatim.alias("matched")
