"""Discourse posts JSON: ids, replies, quote asides, pages of a topic merged."""

import json
import re

import lxml.html
import polars as pl
from click.testing import CliRunner

from sna.cli import main
from sna.io import detect_format, read_input
from sna.pipeline import ingest
from sna.schema import validate_posts
from tests.helpers import DATA

DC = DATA / "discourse"
SITE = "discuss.criticalfallibilism.com"


def raw_posts(name):
    data = json.loads((DC / name).read_text())
    return data["post_stream"]["posts"] if "post_stream" in data else data["latest_posts"]


def asides(post):
    root = lxml.html.fragment_fromstring(post["cooked"] or "<p></p>", create_parent="div")
    return root.xpath(".//aside[contains(@class, 'quote')][not(ancestor::aside[contains(@class, 'quote')])]")


def markdown_quotes(post):
    root = lxml.html.fragment_fromstring(post["cooked"] or "<p></p>", create_parent="div")
    return root.xpath(".//blockquote[not(ancestor::aside[contains(@class, 'quote')])][not(ancestor::blockquote)]")


def test_each_file_posts_replies_and_quotes():
    for path in sorted(DC.iterdir()):
        assert detect_format(path).name == "discourse"
        parsed = read_input(path)
        validate_posts(parsed.posts)
        posts = [p for p in raw_posts(path.name) if str(p["post_type"]) != "3"]
        key = {(int(p["topic_id"]), int(p["post_number"])): p for p in posts}
        assert parsed.posts.height == len(key)
        got = {pid: row for pid, *row in parsed.posts.select("post_id", "author", "reply_to").rows()}
        for (topic, number), p in key.items():
            parent = p["reply_to_post_number"]
            want_parent = f"{SITE}/t/{topic}/{parent}" if parent not in (None, "None") else None
            assert got[f"{SITE}/t/{topic}/{number}"] == [p["username"], want_parent]
        want_quotes = [
            (f"{SITE}/t/{p['topic_id']}/{p['post_number']}", f"{SITE}/t/{a.get('data-topic')}/{a.get('data-post')}",
             a.get("data-username"))
            for p in posts for a in asides(p)
        ] + [  # Markdown quotes of other sites: no target, words out of the text all the same
            (f"{SITE}/t/{p['topic_id']}/{p['post_number']}", None, None) for p in posts for _ in markdown_quotes(p)
        ]  # fmt: skip
        got = parsed.quotes.select("source", "target", "target_author").rows()
        assert sorted(got, key=str) == sorted(want_quotes, key=str)


def test_pages_of_a_topic_merge_and_replies_resolve_across_files():
    files = [DC / "t_2144_posts_pn_5.json", DC / "t_2144_posts_1-10.json", DC / "latest_posts.json"]
    numbers = {
        (int(p["topic_id"]), int(p["post_number"]))
        for f in files
        for p in raw_posts(f.name)
        if str(p["post_type"]) != "3"
    }
    result = ingest(files)
    posts = result.posts.filter(~pl.col("placeholder"))
    assert posts.height == len(numbers) < sum(len(raw_posts(f.name)) for f in files)
    # topics whose first post is not in the files get a placeholder opening post
    starts = {t: min(n for u, n in numbers if u == t) for t, _ in numbers}
    placeholders = result.posts.filter(pl.col("placeholder"))["thread_id"].to_list()
    assert placeholders and all(starts[int(t.rsplit("/", 1)[1])] > 1 for t in placeholders)
    topic = posts.filter(pl.col("thread_id") == f"{SITE}/t/2144")
    assert topic["position"].to_list() == sorted(n for t, n in numbers if t == 2144)
    assert topic["title"].null_count() == 0  # the title comes from latest_posts.json
    present = set(result.posts["post_id"])
    stated = {(pid, parent) for pid, parent in result.posts.select("post_id", "reply_to").rows() if parent in present}
    assert set(result.edges.filter(pl.col("kind") == "reply").select("source", "target").rows()) == stated
    quotes = result.edges.filter(pl.col("kind") == "quote")
    assert quotes.height > 0 and quotes["quoted_text"].null_count() == 0


def test_truncated_discourse_json_is_one_line_exit_1(tmp_path):
    path = tmp_path / "t_1_posts.json"
    path.write_text((DC / "t_2144_posts_pn_5.json").read_text()[:5000])
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and re.search(rf"{re.escape(str(path))}:\d+: not valid JSON", lines[0])
    assert not (tmp_path / "o").exists()


def test_quotes_left_as_raw_bbcode_by_a_migration_name_their_author_and_leave_the_text():
    # Posts 28-30 of topic 2144 as a migrated topic shows them: 29 keeps the old forum's [quote="…"] tags
    # uncooked, 30 has a quote box naming no one whose words carry the old tag
    parsed = read_input(DATA / "discourse-migrated" / "t_2144_posts_28-30.json")
    post = f"{SITE}/t/2144/"
    assert parsed.posts.select("post_id", "text").rows()[1:] == [
        (post + "29", "no\n\nno"),
        (post + "30", "Got it.\n\nI must have done this then. They morphed into a single book in my mind."),
    ]
    assert parsed.quotes.select("source", "target", "target_author", "quoted_text").rows() == [
        (post + "30", None, "anonymous105",
         "Or I got them confused in my head and conflated them into one short dystopian book with a bleak ending."),
        (post + "29", post + "28", "anonymous105", "Is We the Living also short?"),
        (post + "29", post + "28", "anonymous105", "Does Anthem have a bleak ending?"),
    ]  # fmt: skip
    edges = ingest([DATA / "discourse-migrated" / "t_2144_posts_28-30.json"]).edges
    assert edges.filter(pl.col("kind") == "quote").select("source", "target").rows() == [
        (post + "29", post + "28"), (post + "30", post + "28")]  # fmt: skip
