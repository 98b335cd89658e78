"""Reddit: NDJSON dumps (plain, .zst, folders, tar archives) and thread pages, on real r/ChangeMyView chains."""

import json
import re
import tarfile

import polars as pl
import pytest
import zstandard
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import sna
from sna.cli import main
from sna.io import detect_format, read_input
from sna.io.helpers.markdown_quotes import quote_matches, split_markdown_quotes
from sna.io.reddit import parse_reddit_page, read_reddit
from tests.helpers import DATA

CMV = DATA / "reddit-cmv"
FILES = sorted(CMV.glob("*.json"))


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def quote_lines(body):
    return [line for line in body.split("\n") if line.startswith(">")]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_chain_gives_its_posts_authors_and_parents(path):
    recs = records(path)
    posts = read_reddit(path).posts
    assert posts.height == len({r["name"] for r in recs})
    by_id = {r["name"]: r for r in recs}
    for row in posts.iter_rows(named=True):
        rec = by_id[row["post_id"]]
        assert row["author"] == (rec["author_name"] or None)
        assert row["reply_to"] == (rec["parent_id"] or None)
        assert row["thread_id"] == (rec["link_id"] or rec["name"])
        assert row["raw_text"] == rec["body"]
    # chronological positions, the submission (when present) first
    ordered = posts.sort("position")
    assert ordered["created_at"].is_sorted()
    if any(name.startswith("t3_") for name in by_id):
        assert ordered["post_id"][0].startswith("t3_")
        assert ordered["title"].n_unique() == 1 and ordered["title"][0]


def test_quotes_of_the_parent_found_verbatim_become_quote_edges():
    # Ground truth counted here: a reply's first ">" line (its first 30 characters)
    # found verbatim in the parent's body, as the corpus' SOURCE.md counts it.
    expected = set()
    for path in FILES:
        recs = records(path)
        by_name = {r["name"]: r for r in recs}
        for r in recs:
            lines = quote_lines(r["body"])
            parent = by_name.get(r["parent_id"])
            if lines and parent and lines[0][1:].strip()[:30] in parent["body"]:
                expected.add((r["name"], r["parent_id"]))
    assert len(expected) == 2  # both in 320_ah_…: ">If they're not adult enough…" and ">tranny"
    for path in FILES:
        edges = sna.ingest([path]).edges
        quotes = set(edges.filter(pl.col("kind") == "quote").select("source", "target").iter_rows())
        mine = {e for e in expected if e[0] in set(records_names(path))}
        assert mine <= quotes, path.name


def records_names(path):
    return [r["name"] for r in records(path)]


def test_a_quote_that_does_not_match_its_parent_is_not_given_to_it():
    path = CMV / "387_ah_t1_dlqnfwn.json"
    parsed = read_reddit(path)
    quote = parsed.quotes.filter(pl.col("source") == "t1_dlqnfwn")
    assert quote.height == 1 and quote["target"][0] is None  # paraphrase of an earlier comment: left open
    result = sna.ingest([path])
    assert result.edges.filter((pl.col("source") == "t1_dlqnfwn") & (pl.col("kind") == "quote")).height == 0
    assert result.summary["quotes_unresolved"] == 1
    # the unresolved quote is recorded, and its words stay out of the post's own text
    text = result.posts.filter(pl.col("post_id") == "t1_dlqnfwn")["text"][0]
    assert "and they always called him dad" not in text
    recorded = result.unresolved.filter(pl.col("source") == "t1_dlqnfwn")["quoted_text"][0]
    assert "and they always called him dad" in recorded
    # the reply edge stands
    assert ("t1_dlqnfwn", "t1_dlqlswx", "reply") in set(result.edges.select("source", "target", "kind").iter_rows())


def test_quoted_lines_leave_the_posts_own_text():
    posts = read_reddit(CMV / "320_ah_t1_czfqvm2.json").posts
    text = dict(posts.select("post_id", "text").iter_rows())
    assert text["t1_czfq6a4"] == 'What is "the situation" you\'re referring to?'
    assert not any(line.startswith(">") for t in text.values() for line in t.split("\n"))


def test_folder_of_chains_is_one_input_and_shared_comments_are_kept_once():
    recs = [r for path in FILES for r in records(path)]
    names = {r["name"] for r in recs}
    assert len(recs) > len(names)  # t1_dmyxdcl is in two chains
    assert detect_format(CMV).name == "reddit"
    result = sna.ingest([CMV])
    assert result.posts.height == len(names)
    replies = {(r["name"], r["parent_id"]) for r in recs if r["parent_id"] in names}
    got = set(result.edges.filter(pl.col("kind") == "reply").select("source", "target").iter_rows())
    assert got == replies
    thread = result.posts.filter(pl.col("thread_id") == "t3_6zq9km").sort("position")
    assert thread.height == 7 and thread["created_at"].is_sorted()


def test_two_chains_of_one_thread_given_as_files_merge():
    a, b = CMV / "1225_ah_t1_dmz16fc.json", CMV / "1226_ah_t1_dmyz0bs.json"
    result = sna.ingest([a, b])
    assert result.posts.height == len(set(records_names(a)) | set(records_names(b))) == 7
    assert result.posts["post_id"].n_unique() == 7


def test_zstandard_dump_reads_like_the_plain_one(tmp_path):
    lines = b"".join(path.read_bytes() for path in FILES)
    plain = tmp_path / "RC_cmv.ndjson"
    plain.write_bytes(lines)
    packed = tmp_path / "RC_cmv.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(lines))
    assert detect_format(packed).name == "reddit" and detect_format(plain).name == "reddit"
    assert read_input(packed).posts.equals(read_input(plain).posts)
    assert read_input(plain).posts.equals(read_reddit(CMV).posts)


def test_tar_archive_of_chains(tmp_path):
    archive = tmp_path / "chains.tar.bz2"
    with tarfile.open(archive, "w:bz2") as tar:
        for path in FILES:
            tar.add(path, arcname=f"chains/{path.name}")
    assert detect_format(archive).name == "reddit"
    assert (
        read_input(archive)
        .posts.select("post_id")
        .sort("post_id")
        .equals(read_reddit(CMV).posts.select("post_id").sort("post_id"))
    )


def test_generic_posts_table_in_jsonl_is_not_taken_for_reddit(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "1", "text": "hello", "subreddit_like": "x"}\n')
    assert detect_format(path).name == "jsonl"


PAGE = [
    {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
        "name": "t3_x", "id": "x", "title": "Is tea better?", "selftext": "Tea &amp; biscuits beat coffee.",
        "author": "ann", "created_utc": 100.0, "subreddit": "tea", "score": 5}}]}},
    {"kind": "Listing", "data": {"children": [
        {"kind": "t1", "data": {
            "name": "t1_a", "id": "a", "link_id": "t3_x", "parent_id": "t3_x", "author": "[deleted]",
            "body": "&gt; Tea &amp; biscuits beat coffee.\n\nNot at all.", "created_utc": 110.0, "score": 2,
            "replies": {"kind": "Listing", "data": {"children": [
                {"kind": "t1", "data": {"name": "t1_b", "id": "b", "link_id": "t3_x", "parent_id": "t1_a",
                                        "author": "[deleted]", "body": "[removed]", "created_utc": 120.0,
                                        "replies": ""}},
                {"kind": "more", "data": {"count": 3, "children": ["c", "d", "e"]}}]}}}},
        {"kind": "t1", "data": {"name": "t1_f", "id": "f", "link_id": "t3_x", "parent_id": "t3_x",
                                "author": "bo", "body": "Coffee.", "created_utc": 105.0, "replies": ""}}]}},
]  # fmt: skip


def test_thread_page_json(tmp_path):
    path = tmp_path / "comments_x.json"
    path.write_text(json.dumps(PAGE))
    assert detect_format(path).name == "reddit"
    result = sna.ingest([path])
    posts = result.posts.sort("position")
    assert posts["post_id"].to_list() == ["t3_x", "t1_f", "t1_a", "t1_b"]
    assert posts["title"].to_list() == ["Is tea better?"] * 4
    assert posts["raw_text"][0] == "Tea & biscuits beat coffee."
    # two deleted accounts: null authors, never one merged name
    deleted = posts.filter(pl.col("author_deleted"))
    assert deleted["post_id"].to_list() == ["t1_a", "t1_b"] and deleted["author"].null_count() == 2
    edges = set(result.edges.select("source", "target", "kind").iter_rows())
    assert edges == {("t1_f", "t3_x", "reply"), ("t1_a", "t3_x", "quote"), ("t1_a", "t3_x", "reply"),
                     ("t1_b", "t1_a", "reply")}  # fmt: skip


def test_page_without_comments_is_an_error():
    with pytest.raises(sna.InputError, match="no Reddit comments"):
        parse_reddit_page([{"kind": "Listing", "data": {"children": []}}])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cut.jsonl", None, "cut.jsonl:2: not valid JSON"),
        ("cut.json", None, "cut.json:2: not valid JSON"),
        ("cut.zst", b"zst", "cut.zst: truncated zstandard data"),
        ("nolink.ndjson", b'{"name": "t1_a", "parent_id": "t1_b", "body": "x"}\n', "nolink.ndjson:1: comment t1_a"),
    ],
)
def test_bad_reddit_input_is_one_line_exit_1_and_writes_nothing(tmp_path, name, content, message):
    first = (FILES[0]).read_text().splitlines()[0]
    if content is None:
        content = (first + "\n" + first[: len(first) // 2] + "\n").encode()
    elif content == b"zst":
        whole = zstandard.ZstdCompressor().compress(FILES[0].read_bytes())
        content = whole[: len(whole) // 2]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(out), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sna: error: ") and message in lines[0], result.output
    assert not out.exists() or not any(out.iterdir())


# -- ">" quote parsing ------------------------------------------------------------------------------------------

_WORDS = st.lists(st.sampled_from(["tea", "coffee", "is", "best", "not", "really", "why", "42"]), min_size=1,
                  max_size=6).map(" ".join)  # fmt: skip
_LINES = st.lists(st.tuples(st.sampled_from(["plain", "quote", "deep", "blank"]), _WORDS), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(_LINES)
def test_quote_blocks_are_the_runs_of_quote_lines(lines):
    rendered = []
    for kind, words in lines:
        rendered.append({"plain": words, "quote": "> " + words, "deep": ">> " + words, "blank": ""}[kind])
    text = "\n".join(rendered)
    own, quotes = split_markdown_quotes(text)
    # expected, counted from the generated structure
    blocks, current = [], None
    for kind, words in lines:
        if kind in ("quote", "deep"):
            if current is None:
                current = []
                blocks.append(current)
            if kind == "quote":
                current.append(words)
        else:
            current = None
    assert [q.text for q in quotes] == ["\n".join(b) for b in blocks if b]
    assert not any(line.startswith(">") for line in own.split("\n"))
    assert own.split() == [w for kind, words in lines if kind == "plain" for w in words.split()]
    for quote in quotes:
        assert text[quote.start : quote.end].lstrip().startswith(">")
        assert quote_matches(quote.text, quote.text.upper() + " !")


def test_spoilers_and_inline_arrows_are_not_quotes():
    own, quotes = split_markdown_quotes(">!spoiler!<\nx -> y\n  > indented quote")
    assert [q.text for q in quotes] == ["indented quote"]
    assert own == ">!spoiler!<\nx -> y"


def test_quote_matching_ignores_case_punctuation_and_small_cuts():
    parent = "If they're not adult enough to embrace the reality of the situation, you're right."
    assert quote_matches("if they're NOT adult enough to embrace the reality of the situation", parent)
    assert not quote_matches("they are adults who embrace reality", parent)
    assert re.search("situation", parent)


SHARED_CMV = DATA.parents[2] / "shared" / "data" / "ukp-cmv-adhominem" / "sampled-threads-ah-delta-context3.tar.bz2"


@pytest.mark.skipif(not SHARED_CMV.exists(), reason="needs ../shared/data (the whole CMV archive)")
def test_whole_cmv_archive_against_the_verbatim_ground_truth():
    truth = set()
    with tarfile.open(SHARED_CMV, "r|*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            recs = [json.loads(x) for x in archive.extractfile(member).read().decode().splitlines() if x.strip()]
            by_name = {r["name"]: r for r in recs}
            for r in recs:
                lines, parent = quote_lines(r["body"]), by_name.get(r["parent_id"])
                if lines and parent and lines[0][1:].strip()[:30] in parent["body"]:
                    truth.add((r["name"], r["parent_id"]))
    result = sna.ingest([SHARED_CMV])
    assert result.posts.height == 8987  # distinct comment names (SOURCE.md)
    quotes = set(result.edges.filter(pl.col("kind") == "quote").select("source", "target").iter_rows())
    assert len(truth & quotes) >= 0.99 * len(truth)


def test_a_submissions_quotes_of_outside_sources_are_marked_quotes_and_leave_its_text(tmp_path):
    path = tmp_path / "dump.jsonl"
    selftext = "> Tea is a vegetable, the article says.\n\nI disagree."
    path.write_text(
        json.dumps({"name": "t3_s", "title": "CMV", "selftext": selftext})
        + "\n" + json.dumps({"name": "t1_a", "link_id": "t3_s", "parent_id": "t3_s", "body": "Why?"}) + "\n"
    )  # fmt: skip
    parsed = read_reddit(path)
    assert parsed.posts.select("post_id", "text").rows() == [("t3_s", "I disagree."), ("t1_a", "Why?")]
    assert parsed.quotes.select("source", "target", "quoted_text").rows() == [
        ("t3_s", None, "Tea is a vegetable, the article says.")]  # fmt: skip
    raw = parsed.posts["raw_text"][0]
    start, end = parsed.quotes.select("start", "end").row(0)
    assert raw[start:end].startswith("> Tea is a vegetable")


def test_comments_dumped_without_their_submission_are_numbered_from_2(tmp_path):
    path = tmp_path / "RC.jsonl"
    path.write_text("".join(json.dumps({"name": f"t1_{c}", "link_id": "t3_s", "parent_id": "t3_s", "body": c,
                                        "created_utc": 10 + i}) + "\n" for i, c in enumerate("abc")))  # fmt: skip
    assert read_reddit(path).posts["position"].to_list() == [2, 3, 4]  # position 1 is the missing submission
