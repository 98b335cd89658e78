"""Stack Exchange dump XML, on rows cut from the History Meta dump (BOM and DOCTYPE line kept)."""

import xml.etree.ElementTree as ET

import polars as pl
import pytest
from click.testing import CliRunner

import sna
from sna.cli import main
from sna.io import detect_format, read_input
from sna.io.stackexchange import body_text, parse_stackexchange, read_stackexchange
from tests.helpers import DATA

DUMP = DATA / "stackexchange"


def rows(name):
    return [dict(row.attrib) for row in ET.parse(DUMP / name).getroot().iter("row")]


WIKIS = {"3", "4", "5", "7", "8"}  # tag wikis and other reference rows: not posts of a discussion
ALL_POSTS, ALL_COMMENTS, USERS = rows("Posts.xml"), rows("Comments.xml"), rows("Users.xml")
POSTS = [p for p in ALL_POSTS if p["PostTypeId"] not in WIKIS]
COMMENTS = [c for c in ALL_COMMENTS if c["PostId"] in {p["Id"] for p in POSTS}]
NAMES = {u["Id"]: u["DisplayName"] for u in USERS}
SITE = "stackexchange"  # the fixture folder's name prefixes every id


def post(i):
    return None if i is None else f"{SITE}/posts/{i}"


def comment(i):
    return f"{SITE}/comments/{i}"


def test_dump_files_start_with_bom_and_doctype():
    head = (DUMP / "Posts.xml").read_bytes()[:120]
    assert head.startswith(b"\xef\xbb\xbf<?xml") and b"<!DOCTYPE posts" in head


def test_posts_comments_authors_and_parents_match_the_xml():
    posts = read_stackexchange(DUMP).posts
    assert posts.height == len(POSTS) + len(COMMENTS)
    got = {r["post_id"]: r for r in posts.iter_rows(named=True)}
    for p in POSTS:
        row = got[post(p["Id"])]
        assert row["reply_to"] == post(p.get("ParentId"))
        expected = NAMES.get(p.get("OwnerUserId", ""), p.get("OwnerDisplayName"))
        assert row["author"] == expected
        assert row["thread_id"] == f"{SITE}/threads/" + p.get("ParentId", p["Id"])
    for c in COMMENTS:
        row = got[comment(c["Id"])]
        assert row["reply_to"] == post(c["PostId"])
        assert row["author"] == NAMES.get(c.get("UserId", ""), c.get("UserDisplayName"))
        assert row["raw_text"] == c["Text"].strip()
    questions = [p for p in POSTS if p["PostTypeId"] == "1"]
    assert posts["thread_id"].n_unique() == len([p for p in POSTS if "ParentId" not in p])
    assert (posts["post_type"] == "question").sum() == len(questions)
    # deleted accounts fall back to the name the dump kept for them
    assert any("OwnerUserId" not in p and p.get("OwnerDisplayName") for p in POSTS)


def test_threads_are_ordered_by_date_question_first_with_its_title():
    posts = read_stackexchange(DUMP).posts
    for (thread,), group in posts.group_by("thread_id"):
        group = group.sort("position")
        assert group["position"].to_list() == list(range(1, group.height + 1))
        assert group["post_id"][0] == thread.replace("/threads/", "/posts/")
        assert group["created_at"].is_sorted()
        assert group["title"].n_unique() == 1


def test_posts_xml_alone_finds_its_siblings():
    assert detect_format(DUMP).name == "stackexchange"
    assert detect_format(DUMP / "Posts.xml").name == "stackexchange"
    assert read_input(DUMP / "Posts.xml").posts.equals(read_input(DUMP).posts)


def test_reply_edges_through_ingest():
    result = sna.ingest([DUMP])
    replies = set(result.edges.filter(pl.col("kind") == "reply").select("source", "target").iter_rows())
    expected = {(post(p["Id"]), post(p["ParentId"])) for p in POSTS if "ParentId" in p}
    expected |= {(comment(c["Id"]), post(c["PostId"])) for c in COMMENTS}
    assert replies == expected
    assert result.summary["replies_missing"] == 0


def test_blockquotes_are_marked_quotes_with_spans_into_raw_text():
    parsed = read_stackexchange(DUMP)
    with_quotes = [post(p["Id"]) for p in POSTS if "<blockquote" in p.get("Body", "")]
    assert set(parsed.quotes["source"]) == set(with_quotes)
    raw = dict(parsed.posts.select("post_id", "raw_text").iter_rows())
    for source, quoted, start, end in parsed.quotes.select("source", "quoted_text", "start", "end").iter_rows():
        assert raw[source][start:end] == quoted
    text = dict(parsed.posts.select("post_id", "text").iter_rows())
    assert all(q not in text[s] for s, q in parsed.quotes.select("source", "quoted_text").iter_rows())


def test_body_text_keeps_paragraphs():
    raw, quotes = body_text("<p>Hi</p>\n<blockquote>\n<p>Tea.</p>\n<p>Really.</p>\n</blockquote><p>No.</p>")
    assert raw == "Hi\n\nTea.\n\nReally.\n\nNo."
    assert quotes == [(4, 17, "Tea.\n\nReally.")]


def test_answer_with_a_missing_question_is_one_line_exit_1_and_nothing_written(tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    text = (DUMP / "Posts.xml").read_text(encoding="utf-8")
    answer = next(p for p in POSTS if p["PostTypeId"] == "2")
    broken = text.replace(f'Id="{answer["Id"]}" PostTypeId="2" ParentId="{answer["ParentId"]}"',
                          f'Id="{answer["Id"]}" PostTypeId="2" ParentId="999999"')  # fmt: skip
    assert broken != text
    (folder / "Posts.xml").write_text(broken, encoding="utf-8")
    line = next(i for i, x in enumerate(broken.split("\n"), 1) if 'ParentId="999999"' in x)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--out", str(out), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"Posts.xml:{line}: row Id={answer['Id']}: answer has ParentId=999999" in lines[0]
    assert "expected" in lines[0]
    assert not out.exists() or not any(out.iterdir())


def test_comments_xml_alone_is_refused():
    with pytest.raises(sna.InputError, match="read together with Posts.xml"):
        read_input(DUMP / "Comments.xml")


def test_invalid_xml_names_the_line(tmp_path):
    path = tmp_path / "Posts.xml"
    path.write_text('<posts>\n<row Id="1" PostTypeId="1" Body="x" />\n<row Id="2"\n')
    with pytest.raises(sna.InputError, match=r"Posts.xml:\d+: not valid XML"):
        read_input(path)


def test_parse_from_bytes_without_users():
    import io

    parsed = parse_stackexchange(io.BytesIO(b'<posts><row Id="3" PostTypeId="1" Title="T" Body="&lt;p&gt;q&lt;/p&gt;"'
                                            b' OwnerDisplayName="x" /></posts>'))  # fmt: skip
    assert parsed.posts.select("post_id", "author", "text").rows() == [("stackexchange/posts/3", "x", "q")]


def test_tag_wikis_are_not_posts_or_threads():
    wikis = [p for p in ALL_POSTS if p["PostTypeId"] in WIKIS]
    assert [p["Id"] for p in wikis] == ["215"]  # the fixture keeps one tag wiki row (PostTypeId 5)
    posts = read_stackexchange(DUMP).posts
    assert post("215") not in posts["post_id"].to_list()
    assert f"{SITE}/threads/215" not in posts["thread_id"].to_list()
    assert "tag_wiki" not in posts["post_type"].to_list()


def test_without_users_xml_authors_come_from_owner_ids_and_kept_names(tmp_path):
    dump = tmp_path / "stackexchange"
    dump.mkdir()
    for name in ("Posts.xml", "Comments.xml"):
        (dump / name).write_bytes((DUMP / name).read_bytes())
    posts = read_stackexchange(dump).posts
    got = dict(posts.select("post_id", "author").iter_rows())
    for p in POSTS:
        owner = p.get("OwnerUserId")
        want = p.get("OwnerDisplayName") or (("Community" if owner == "-1" else f"user{owner}") if owner else None)
        assert got[post(p["Id"])] == want
    assert posts["author"].null_count() == 0
    community = parse_stackexchange(b'<posts><row Id="1" PostTypeId="1" Body="q" OwnerUserId="-1" /></posts>')
    assert community.posts["author"].to_list() == ["Community"]  # the site's own account
