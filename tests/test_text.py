"""Plain-text helpers: tidying skips the regex only where it could not match."""

import re

from hypothesis import given
from hypothesis import strategies as st

from sna.text import BLANK_LINES, EDGE_SPACE, remove_spans, tidy

SPACEY = st.text(alphabet="\n \t\u00a0\r ab", max_size=40)


@given(SPACEY)
def test_tidy_is_the_regex_then_the_strip_for_any_text(text):
    assert tidy(text) == re.sub(BLANK_LINES, "\n\n", text).strip(EDGE_SPACE)


def test_tidy_by_hand():
    assert tidy("a\n \nb") == "a\n \nb"  # two newlines: one blank line, kept
    assert tidy("a\n\n\nb") == "a\n\nb"
    assert tidy("\u00a0a\n\t\n \nb\n") == "a\n\nb"


@given(SPACEY, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=3))
def test_cutting_no_spans_is_tidying_and_cutting_spans_keeps_the_rest_in_order(text, spans):
    spans = [(min(a, b), max(a, b)) for a, b in spans]
    assert remove_spans(text, []) == tidy(text)
    kept = remove_spans(text, spans)
    assert "\n\n\n" not in kept and kept == kept.strip(EDGE_SPACE)
