"""BBCode and "said:" quote markup."""

from hypothesis import given
from hypothesis import strategies as st

from sna.io.helpers.markup import split_bbcode_quotes, split_marked_quotes, split_said_quotes
from sna.text import remove_spans


def test_vbulletin_and_xenforo_attributes():
    own, quotes = split_bbcode_quotes(
        '[QUOTE=Ann;123]one[/QUOTE]\nmine\n[quote="Bo Smith, post: 456, member: 4"]two[/quote]'
    )
    assert own == "mine"
    assert [(q.author, q.post, q.text) for q in quotes] == [("Ann", "123", "one"), ("Bo Smith", "456", "two")]


def test_plain_and_phpbb_and_discourse_quotes():
    _, quotes = split_bbcode_quotes(
        '[quote]anon[/quote][quote="cy" post_id=9 time=1 user_id=2]x[/quote][quote="dee, post:3, topic:2108"]y[/quote]'
    )
    assert [(q.author, q.post, q.topic) for q in quotes] == [
        (None, None, None),
        ("cy", "9", None),
        ("dee", "3", "2108"),
    ]


def test_nested_quote_is_the_quoted_posts_own_quote():
    own, quotes = split_bbcode_quotes("[quote=B]B's words[quote=A]A's words[/quote] more of B[/quote]reply")
    assert own == "reply"
    assert len(quotes) == 1
    assert quotes[0].author == "B"
    assert "A's words" not in quotes[0].text
    assert quotes[0].text == "B's words\n more of B"


def test_unbalanced_tags_stay_as_text():
    own, quotes = split_bbcode_quotes("[quote=A]never closed")
    assert (own, quotes) == ("[quote=A]never closed", [])


def test_said_block_needs_click_to_expand():
    text = "Ann said:\nnot a quote without the end marker"
    assert split_said_quotes(text) == (text, [])


def test_spans_point_at_the_markup():
    text = "x\n[quote=A]q[/quote]\ny"
    _, quotes = split_marked_quotes(text)
    assert text[quotes[0].start : quotes[0].end] == "[quote=A]q[/quote]"
    assert remove_spans(text, [(quotes[0].start, quotes[0].end)]) == "x\ny"


words = st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=40).filter(str.strip)


@given(st.lists(st.tuples(words, words), min_size=1, max_size=4), words)
def test_property_quotes_round_trip(pairs, tail):
    # Build text of quote blocks interleaved with own words; parsing returns both.
    text = "".join(f"[quote={name.strip()}]{body}[/quote]\nmine {i}\n" for i, (name, body) in enumerate(pairs))
    text += tail
    own, quotes = split_bbcode_quotes(text)
    assert [q.text for q in quotes] == [body.strip(" \t\n\u00a0") for _, body in pairs]
    assert [q.author for q in quotes] == [name.strip().split(",")[0].strip() or None for name, _ in pairs]
    assert "[quote" not in own
    for i in range(len(pairs)):
        assert f"mine {i}" in own
