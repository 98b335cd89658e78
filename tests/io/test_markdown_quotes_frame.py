"""The column versions of the ``>`` quote rules give what the per-text functions give, text by text."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna.io.helpers.markdown_quotes import (
    quote_matches,
    quote_matches_frame,
    split_markdown_quotes,
    split_markdown_quotes_frame,
)

# line starts that are quote markers, near misses (spoilers, four spaces, escapes) and plain text
_STARTS = ["", "> ", ">", ">> ", "> > ", "   > ", "    > ", ">!", "&gt; ", "&gt;&gt; ", "&gt;!", " ", "x > ", ">  "]
_PIECES = ["tea", "Coffee", "is", "best", "42", "_", "é", "ß", "ǅ", "²", "\u0301", "٣", "!", "...", " ", "\t",
           "\u00a0", "\u2028", "\x1c", "\r", "&amp;", "🙂"]  # fmt: skip
_LINE = st.builds(lambda start, words: start + "".join(words), st.sampled_from(_STARTS),
                  st.lists(st.sampled_from(_PIECES), max_size=6))  # fmt: skip
_TEXT = st.lists(_LINE, min_size=1, max_size=10).map("\n".join)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.lists(_TEXT, min_size=1, max_size=8))
def test_split_frame_is_split_markdown_quotes_text_by_text(texts):
    own, quotes = split_markdown_quotes_frame(pl.Series("raw", texts))
    expected_quotes = []
    for i, text in enumerate(texts):
        expected_own, found = split_markdown_quotes(text)
        assert own[i] == expected_own, text
        expected_quotes += [(i, q.text, q.start, q.end) for q in found]
    assert quotes.rows() == expected_quotes
    assert own.name == "raw" and own.len() == len(texts)


def test_split_frame_of_no_texts():
    own, quotes = split_markdown_quotes_frame(pl.Series("raw", [], dtype=pl.String))
    assert own.len() == 0 and quotes.height == 0
    assert quotes.columns == ["index", "quoted_text", "start", "end"]


_WORDS = st.lists(st.sampled_from(["tea", "Coffee", "is", "best", "not", "42", "é", "straße", "'", ",", "..."]),
                  max_size=12).map(" ".join)  # fmt: skip


@_SETTINGS
@given(st.lists(st.tuples(_WORDS, st.one_of(st.none(), _WORDS)), min_size=1, max_size=10), st.data())
def test_matches_frame_is_quote_matches_pair_by_pair(pairs, data):
    # quotes often are cuts of the text they are checked against: take some from it
    pairs = [(t[: data.draw(st.integers(0, len(t)))] if t and data.draw(st.booleans()) else q, t) for q, t in pairs]
    got = quote_matches_frame(pl.Series([q for q, _ in pairs]), pl.Series([t for _, t in pairs], dtype=pl.String))
    assert got.to_list() == [t is not None and quote_matches(q, t) for q, t in pairs]


def test_matches_frame_shingles_and_short_quotes():
    parent = "If they're not adult enough to embrace the reality of the situation, you're right."
    quoted = [
        "if they're NOT adult enough to embrace the reality of the situation",
        "adult enough reality of",
        "they are adults who embrace reality",
        "you're right",
        "not adult enough to embrace the reality...so",  # 7 of 8 words in shingles: too few
        "If they're not adult enough to embrace the reality of the situation... so",  # 12 of 13: enough
    ]
    got = quote_matches_frame(pl.Series(quoted), pl.Series([parent] * len(quoted)))
    assert got.to_list() == [True, False, False, True, False, True]
