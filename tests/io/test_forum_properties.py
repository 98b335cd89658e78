"""Properties of HTML to text, quote spans, dates and page readers, on generated input."""

import datetime as dt
import html

from hypothesis import given, settings
from hypothesis import strategies as st

from sna.io.forumscraper import parse_forumscraper
from sna.io.helpers.dates import day_order, parse_dates, parse_datetime
from sna.io.helpers.html_text import html_to_text, parse_html, text_with_blocks
from sna.schema import validate_posts

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=30)
safe_words = st.lists(st.sampled_from(["cats", "dogs", "tea", "are", "better", "no", "yes", "we", "agree"]),
                      min_size=1, max_size=12).map(" ".join)  # fmt: skip


@st.composite
def fragments(draw, depth=0):
    kind = draw(st.sampled_from(["text", "p", "div", "b", "script", "style", "comment", "br", "blockquote"]))
    if kind == "text" or depth > 2:
        return html.escape(draw(words))
    if kind == "script":
        return "<script>SECRET_SCRIPT()</script>"
    if kind == "style":
        return "<style>.SECRET_STYLE{}</style>"
    if kind == "comment":
        return "<!-- SECRET_COMMENT -->"
    if kind == "br":
        return "<br>"
    inner = "".join(draw(st.lists(fragments(depth + 1), max_size=3)))
    return f"<{kind}>{inner}</{kind}>"


@given(st.lists(fragments(), max_size=5).map("".join))
def test_html_to_text_never_leaks_tags_scripts_or_comments(markup):
    text = html_to_text(markup)
    assert "SECRET_" not in text
    assert "<p>" not in text and "<div>" not in text and "<script" not in text
    assert "\n\n\n" not in text and text == text.strip()


@given(st.lists(st.tuples(safe_words, st.booleans()), min_size=1, max_size=6))
def test_block_spans_cover_exactly_the_block_text(parts):
    markup = "".join(f"<blockquote>{w}</blockquote>" if quoted else f"<p>{w}</p>" for w, quoted in parts)
    root = parse_html(f"<div>{markup}</div>")
    blocks = [[b] for b in root.iter("blockquote")]
    text, spans = text_with_blocks(root, blocks)
    assert text == html_to_text(f"<div>{markup}</div>")
    for (start, end), (w, _) in zip(spans, [p for p in parts if p[1]], strict=True):
        assert text[start:end] == w


@given(st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2035, 12, 31)),
       st.sampled_from(["%b %d, %Y at %I:%M %p", "%d.%m.%Y, %H:%M", "%Y-%m-%dT%H:%M:%S", "%B %d, %Y, %I:%M:%S %p",
                        "%d %b %Y %H:%M"]))  # fmt: skip
def test_dates_round_trip(when, layout):
    when = when.replace(microsecond=0, second=when.second if "%S" in layout else 0)
    parsed = parse_datetime(when.strftime(layout), order="DMY")
    assert parsed == when.replace(tzinfo=dt.UTC)


def test_ambiguous_numeric_dates_are_settled_by_the_thread():
    assert day_order(["03-04-2019, 10:00", "03-05-2019, 09:00", "03-06-2019, 08:00"]) == "MDY"
    assert day_order(["03.04.2019", "04.04.2019", "05.04.2019"]) == "DMY"
    assert [d.month for d in parse_dates(["12-01-2020 at 10:00", "13-01-2020 at 10:00"])] == [1, 1]


@st.composite
def threads(draw):
    n = draw(st.integers(1, 6))
    posts = []
    for i in range(1, n + 1):
        body = draw(safe_words)
        if i > 1 and draw(st.booleans()):
            j = draw(st.integers(1, i - 1))
            target = draw(st.sampled_from([str(j), "999"]))
            body = (
                f'<blockquote class="bbCodeBlock bbCodeBlock--quote" data-quote="u{j}" data-source="post: {target}">'
                f'<div class="bbCodeBlock-title">u{j} said:</div>{html.escape(draw(safe_words))}</blockquote>{body}'
            )
        posts.append(
            {
                "id": str(i),
                "user": draw(st.sampled_from(["", f"u{i}"])),
                "date": draw(st.sampled_from(["", "2020-01-01T10:00:00+0000", "yesterday"])),
                "text": body,
            }
        )
    return {"format_version": "xenforo-2-thread", "url": "https://f.org/threads/t.1/", "id": 1, "title": "T",
            "posts": posts}  # fmt: skip


@settings(max_examples=50)
@given(threads())
def test_reader_output_always_validates_and_quote_spans_fit(thread):
    parsed = parse_forumscraper(thread)
    validate_posts(parsed.posts)
    raw = dict(zip(parsed.posts["post_id"], parsed.posts["raw_text"], strict=True))
    for source, start, end in parsed.quotes.select("source", "start", "end").rows():
        assert 0 <= start <= end <= len(raw[source])
    assert parsed.posts["text"].str.contains("said:").sum() == 0
