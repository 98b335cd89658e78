"""Plain-text forum pages: the seed thread and its variants."""

import datetime as dt

import pytest

from sna.errors import InputError
from sna.io.text_page import parse_text_page, read_text_page

NBSP_LINE = "\u00a0\n"


def test_seed_thread_has_32_posts_with_header_fields(seed_path):
    posts = read_text_page(seed_path).posts
    assert posts.height == 32
    assert posts["post_id"].to_list()[:2] == ["seed-pakistan-ussr-thread#1", "seed-pakistan-ussr-thread#2"]
    assert posts["title"].unique().to_list() == ["Why didn't Pakistan ally with the Soviet Union after independence?"]
    first = posts.row(0, named=True)
    assert first["author"] == "Varun"
    assert first["author_rank"] == "Senior Test Player"
    assert first["author_joined"] == dt.date(2012, 12, 25)
    assert first["author_runs"] == 26111
    assert first["author_post_of_the_week"] == 1
    assert first["raw_text"].startswith("I have long held the belief")
    # The seed names only the first post's author.
    assert posts["author"].null_count() == 31


def test_seed_thread_header_and_chrome_are_not_post_text(seed_path):
    posts = read_text_page(seed_path).posts
    text = "\n".join(posts["raw_text"].to_list())
    for chrome in ("What's new", "Senior Test Player", "26,111", "Post of the Week", "Last edited by"):
        assert chrome not in text
    last = posts["raw_text"][-1]
    assert not last.rstrip().endswith(("Back", "Top"))
    assert last.rstrip().endswith(
        "Senior civil and military officials with British and American blessings broke it down.”"
    )


def test_seed_edit_line_marks_the_post_above(seed_path):
    posts = read_text_page(seed_path).posts
    edited = posts.filter("edited")
    assert edited["position"].to_list() == [21]
    assert edited["edited_by"].to_list() == ["a moderator"]
    assert edited["raw_text"][0].startswith("Pakistan was created with the tacit understanding")
    # The post below starts with its own words, not the edit line.
    assert posts["raw_text"][21].startswith("May be you should tell that to Putin.")


def page(*posts: str, header: str = "What's new\n\nCats\n\nAnn\n\nMember\nMessages\n1,024\n", trailer: str = "") -> str:
    return header + NBSP_LINE.join(p if p.endswith("\n") else p + "\n" for p in posts) + trailer


def test_crlf_bom_and_trailing_chrome_variants_parse_alike():
    plain = page("Cats are best.", "No they are not.", trailer=NBSP_LINE + "Back\nTop\n")
    variant = "\ufeff" + plain.replace("\n", "\r\n")
    a = parse_text_page(plain, source="c").posts
    b = parse_text_page(variant, source="c").posts
    assert (
        a.select("post_id", "author", "title", "text").rows() == b.select("post_id", "author", "title", "text").rows()
    )
    assert a["text"].to_list() == ["Cats are best.", "No they are not."]
    assert a["author_messages"][0] == 1024


def test_page_without_header_or_chrome():
    posts = parse_text_page("First post.\n" + NBSP_LINE + "Second post.\n", source="x").posts
    assert posts["text"].to_list() == ["First post.", "Second post."]
    assert posts["author"].to_list() == [None, None]
    assert posts["title"].to_list() == [None, None]


def test_other_counters_become_columns():
    header = (
        "What's new\n\nA title\n\nBo\n\nWell-known member\nJoined\n2019-03-04\nMessages\n12.3k\nReaction score\n456\n"
    )
    posts = parse_text_page(page("Hello.", header=header), source="x").posts
    row = posts.row(0, named=True)
    assert (row["author"], row["author_rank"]) == ("Bo", "Well-known member")
    assert row["author_joined"] == dt.date(2019, 3, 4)
    assert (row["author_messages"], row["author_reaction_score"]) == (12300, 456)


def test_edit_line_at_end_of_a_post_marks_that_post():
    posts = parse_text_page(page("Cats.\nLast edited: Jan 2, 2020", "Dogs."), source="x").posts
    assert posts["edited"].to_list() == [True, False]
    assert posts["edited_at"][0] == "Jan 2, 2020"
    assert posts["text"][0] == "Cats."


def test_bbcode_quotes_in_a_page_are_marked():
    parsed = parse_text_page(page("Cats are best.", "[QUOTE=Ann;1]Cats are best.[/QUOTE]\nNo."), source="x")
    assert parsed.posts["text"].to_list() == ["Cats are best.", "No."]
    assert parsed.quotes.select("source", "target", "target_author", "quoted_text").rows() == [
        ("x#2", "1", "Ann", "Cats are best.")
    ]


def test_empty_page_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("Back\nTop\n")
    with pytest.raises(InputError, match="empty.txt: no posts found"):
        read_text_page(path)


def test_non_utf8_page_is_an_error(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.txt:1: not UTF-8 text \(byte 0xe9"):
        read_text_page(path)
