"""The Internet Argument Corpus layout: folders, single discussions and tar archives, with quote ranges."""

import json
import tarfile

import polars as pl
import pytest
from click.testing import CliRunner

import sna
from sna.cli import main
from sna.io import detect_format, read_input
from sna.io.iac import read_iac
from tests.helpers import DATA

IAC = DATA / "iac"
IDS = sorted(p.stem for p in (IAC / "discussions").glob("*.json"))


def pid(value):
    return None if value is None else f"4forums.com/posts/{value}"


def discussion(tid):
    return json.loads((IAC / "discussions" / f"{tid}.json").read_text(encoding="utf-8"))


def ranges(tid):
    return json.loads((IAC / "ranges_quotes" / f"{tid}.json").read_text(encoding="utf-8"))


def test_posts_authors_parents_and_titles_match_the_json():
    posts = read_iac(IAC).posts
    expected = [(tid, p) for tid in IDS for p in discussion(tid)[0]]
    assert posts.height == len(expected)
    got = {r["post_id"]: r for r in posts.iter_rows(named=True)}
    for tid, p in expected:
        row = got[pid(p[0])]
        assert row["thread_id"] == f"4forums.com/threads/{tid}"
        assert row["author"] == p[2]
        assert row["raw_text"] == p[3]
        assert row["reply_to"] == pid(p[5])
        assert row["created_at"].timestamp() == p[7]
    for tid in IDS:
        first = discussion(tid)[0][0]
        assert set(posts.filter(pl.col("thread_id") == f"4forums.com/threads/{tid}")["title"]) == {
            first[4]["post_info"]["post_title"]
        }


def test_quote_ranges_become_marked_quotes_and_leave_the_text():
    parsed = read_iac(IAC)
    expected = [(pid(source), start, end, info) for tid in IDS for source, (start, end, info) in ranges(tid)]
    assert parsed.quotes.height == len(expected)
    rows = {(r["source"], r["start"]): r for r in parsed.quotes.iter_rows(named=True)}
    raw = dict(parsed.posts.select("post_id", "raw_text").iter_rows())
    text = dict(parsed.posts.select("post_id", "text").iter_rows())
    for source, start, end, info in expected:
        row = rows[(source, start)]
        assert row["end"] == end
        assert row["target"] == pid(info.get("quote_id"))
        assert row["target_author"] == info.get("author")
        assert row["quoted_text"] == raw[source][start:end].strip()
        assert row["quoted_text"] not in text[source]
    assert sum(1 for *_, info in expected if "quote_id" not in info) == 2  # left to be found by words


def test_through_ingest_reply_edges_and_quote_edges_of_the_ranges():
    result = sna.ingest([IAC])
    edges = result.edges
    replies = set(edges.filter(pl.col("kind") == "reply").select("source", "target").iter_rows())
    assert replies == {(pid(p[0]), pid(p[5])) for tid in IDS for p in discussion(tid)[0] if p[5] is not None}
    quotes = set(edges.filter(pl.col("kind") == "quote").select("source", "target").iter_rows())
    stated = set()
    for tid in IDS:
        order = [pid(p[0]) for p in discussion(tid)[0]]
        for source, (_, _, info) in ranges(tid):
            target = pid(info.get("quote_id"))
            if target in order and order.index(target) < order.index(pid(source)):
                stated.add((pid(source), target))
    assert stated and stated <= quotes


def test_one_discussion_file_finds_its_ranges():
    path = IAC / "discussions" / "5325.json"
    assert detect_format(path).name == "iac"
    parsed = read_input(path)
    assert parsed.posts["thread_id"].unique().to_list() == ["4forums.com/threads/5325"]
    assert parsed.quotes.height == len(ranges("5325"))


def test_tar_archive_reads_like_the_folder(tmp_path):
    archive = tmp_path / "iac-part.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        for folder in ("discussions", "ranges_quotes"):
            for path in sorted((IAC / folder).glob("*.json")):
                tar.add(path, arcname=f"{folder}/{path.name}")
    assert detect_format(archive).name == "iac"
    a, b = read_input(archive), read_iac(IAC)
    assert a.posts.equals(b.posts) and a.quotes.equals(b.quotes)


def test_unknown_archive_layout_is_one_line_exit_1_and_nothing_written(tmp_path):
    archive = tmp_path / "other.tar.gz"
    note = tmp_path / "notes.txt"
    note.write_text("hello")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(note, arcname="stuff/notes.txt")
    out = tmp_path / "out"
    for extra in ([], ["--format", "iac"]):
        result = CliRunner().invoke(main, ["ingest", str(archive), "--out", str(out), "-q", *extra])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sna: error: ") and "other.tar.gz" in lines[0], result.output
        assert not out.exists() or not any(out.iterdir())
    assert "expected members discussions/<id>.json" in lines[0]


def test_folder_of_another_layout_forced_as_iac_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(sna.InputError, match="expected discussions/<id>.json"):
        read_input(tmp_path / "x", format="iac")
