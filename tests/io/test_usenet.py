"""Usenet and e-mail quoting ("> " lines under "X wrote:") in every format whose text can hold it."""

import json

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sna.io import read_input
from sna.io.helpers.usenet import attribution_name, split_usenet_quotes
from sna.io.text_page import parse_text_page
from sna.pipeline import ingest
from tests.helpers import SEED

NBSP = "\n\u00a0\n"
ANN = "Tea is the best drink there is, hot or cold, morning or night."


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ('"malik641" <[email protected]> wrote in message news:malik641.1vqgna_1123021507.3183@excelforum.com...',
         "malik641"),
        ("Bruno Campanini <bruno@example.com> wrote in message news:OXyb%23mtRFHA.1232@TK2MSFTNGP10.phx.gbl...",
         "Bruno Campanini"),
        ("On Mon, Jan 1, 2024 at 10:00 AM John Smith <john@example.com> wrote:", "John Smith"),
        ("On 01/01/2024 10:00, John Smith wrote:", "John Smith"),
        ("On Jan 1, 2024, at 10:00, John Smith <john@example.com> wrote:", "John Smith"),
        ("On 9/3/05, malik641 wrote:", "malik641"),
        ("In article <abc123@news.example.com>, Bob Jones <bob@example.com> wrote:", "Bob Jones"),
        ("Biff Wrote:", "Biff"),
        ("ann writes:", "ann"),
        ("KrotVikinG napisał:", "KrotVikinG"),
        ("You wrote:", None),
    ],
)  # fmt: skip
def test_attribution_lines_name_the_quoted_person(line, name):
    assert attribution_name(line) == (True, name)


@pytest.mark.parametrize("line", ["I wrote this code:", "Here is what the manual says:", "Tea", "> Ann wrote:", ""])
def test_lines_that_are_not_attributions(line):
    assert attribution_name(line)[0] is False


def test_interleaved_replies_are_each_a_quote_of_the_named_author():
    post = (
        "On Sat, Sep 3, 2005 at 4:05 PM, Bruno Campanini wrote:\n\n"
        "> Do you mean a Collection of worksheets?\n\nYes.\n\n> And the sum?\n>\n> -- \n> Bruno\n\nAlso yes."
    )
    own, quotes = split_usenet_quotes(post)
    assert own == "Yes.\n\nAlso yes."
    assert [(q.author, q.text) for q in quotes] == [
        ("Bruno Campanini", "Do you mean a Collection of worksheets?"),
        ("Bruno Campanini", "And the sum?"),  # the quoted signature ("-- ") is not quoted words
    ]
    assert post[quotes[0].start : quotes[0].end].startswith("On Sat, Sep 3")


def test_a_quote_of_a_quote_keeps_only_the_first_level_and_drops_the_inner_attribution():
    post = "malik641 wrote:\n> Biff wrote:\n>> Try SUMPRODUCT.\n> It gives #NAME?\n\nDefine the name first."
    own, quotes = split_usenet_quotes(post)
    assert own == "Define the name first."
    assert [(q.author, q.text) for q in quotes] == [("malik641", "It gives #NAME?")]


@pytest.mark.parametrize(
    "text",
    [
        "I think >_< is cute\n>_> yes\n>.< no",
        ">!spoiler!< here",
        "Python:\n>>> 1 + 1\n2\n>>> print('x')",
        "=> not a quote\n-> nor this",
        ">:( angry",
    ],
)
def test_faces_arrows_spoilers_and_prompts_are_not_quotes(text):
    assert split_usenet_quotes(text) == (text, [])


@given(st.lists(st.sampled_from(["Ann wrote:", "> tea is hot", ">> cold", "", "coffee", ">", "> -- ", "sig"]),
                max_size=12).map("\n".join))  # fmt: skip
def test_quote_spans_lie_in_the_text_and_hold_the_quoted_words(text):
    own, quotes = split_usenet_quotes(text)
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
        for line in q.text.split("\n"):
            assert line in text[q.start : q.end]
    assert not any(line.startswith(">") for line in own.split("\n") if line not in ("",))


def text_page(*bodies):
    return NBSP.join(bodies) + "\n"


def test_text_pages_read_usenet_quotes_and_edges_find_the_named_authors_post(tmp_path):
    page = text_page(ANN, "Ann wrote:\n> " + ANN + "\n\nCoffee is better.", "Bo wrote:\n> Coffee is better.\n\nNo.")
    # post 1 by Ann, 2 by Bo, 3 by Cy
    parsed = parse_text_page(page, source="tea.txt")
    assert parsed.posts["text"].to_list() == [ANN, "Coffee is better.", "No."]
    assert parsed.quotes.select("source", "target_author", "quoted_text").rows() == [
        ("tea#2", "Ann", ANN), ("tea#3", "Bo", "Coffee is better.")]  # fmt: skip
    path = tmp_path / "tea.txt"
    path.write_text(page)
    authors = pl.DataFrame({"post_id": ["tea#1", "tea#2", "tea#3"], "author": ["Ann", "Bo", "Cy"]})
    table = tmp_path / "tea.csv"  # the same thread as a table, with authors this time
    pl.DataFrame({"post_id": authors["post_id"], "author": authors["author"],
                  "text": page.split(NBSP)}).write_csv(table)  # fmt: skip
    edges = ingest([table]).edges.filter(pl.col("kind") == "quote")
    assert edges.select("source", "target").rows() == [("tea#2", "tea#1"), ("tea#3", "tea#2")]


def test_tables_read_usenet_quotes(tmp_path):
    table = tmp_path / "posts.csv"
    texts = [ANN, '"Ann" <ann@example.com> wrote in message news:abc@example.com...\n> ' + ANN + "\n\nNo."]
    pl.DataFrame({"post_id": ["1", "2"], "author": ["Ann", "Bo"], "text": texts}).write_csv(table)
    parsed = read_input(table)
    assert parsed.posts["text"].to_list() == [ANN, "No."]
    assert parsed.quotes.select("source", "target", "target_author").rows() == [("2", None, "Ann")]
    assert ingest([table]).edges.filter(pl.col("kind") == "quote").select("source", "target").rows() == [("2", "1")]


def test_html_bodies_of_forumscraper_threads_read_usenet_quotes_but_not_in_code(tmp_path):
    reply = f"Ann wrote:<br>&gt; {ANN}<br><br>Coffee.<pre>$ cat\n&gt; in code</pre>"
    thread = {"format_version": "xenforo-2-thread", "url": "https://f.org/threads/t.1/", "id": 1, "title": "Tea",
              "posts": [{"id": 1, "user": "Ann", "date": "2020-01-01T10:00:00+0000", "text": f"<p>{ANN}</p>"},
                        {"id": 2, "user": "Bo", "date": "2020-01-01T11:00:00+0000", "text": reply}]}  # fmt: skip
    path = tmp_path / "1"
    path.write_text(json.dumps(thread))
    parsed = read_input(path, format="forumscraper")
    assert parsed.quotes.select("source", "target_author", "quoted_text").rows() == [("f.org/posts/2", "Ann", ANN)]
    assert parsed.posts["text"][1] == "Coffee.\n\n$ cat\n> in code"  # a ">" line in <pre> is code, not a quote
    edges = ingest([path], format="forumscraper").edges.filter(pl.col("kind") == "quote")
    assert edges.select("source", "target").rows() == [("f.org/posts/2", "f.org/posts/1")]


def test_discourse_markdown_quotes_under_a_wrote_line_name_their_author(tmp_path):
    posts = [
        {"topic_id": 5, "post_number": 1, "username": "ann", "cooked": f"<p>{ANN}</p>"},
        {
            "topic_id": 5,
            "post_number": 2,
            "username": "bo",
            "cooked": f"<p>ann wrote:</p>\n<blockquote>\n<p>{ANN}</p>\n</blockquote>\n<p>Coffee.</p>",
        },
        {
            "topic_id": 5,
            "post_number": 3,
            "username": "cy",
            "cooked": "<blockquote>\n<p>Tea contains caffeine, says the encyclopedia.</p>\n</blockquote><p>So?</p>",
        },
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"post_stream": {"posts": posts}}))
    parsed = read_input(path)
    assert parsed.posts["text"].to_list() == [ANN, "Coffee.", "So?"]
    assert parsed.quotes.select("target_author", "quoted_text").rows() == [
        ("ann", ANN), (None, "Tea contains caffeine, says the encyclopedia.")]  # fmt: skip


def test_the_seed_thread_has_no_usenet_quotes():
    parsed = parse_text_page(SEED.read_text(encoding="utf-8"), source=str(SEED))
    assert not any(split_usenet_quotes(raw)[1] for raw in parsed.posts["raw_text"])
