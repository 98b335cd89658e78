"""forumscraper thread JSON: every engine folder, counted independently with json + lxml."""

import json
import re

import lxml.html
import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main
from sna.io import detect_format, read_input
from sna.io.forumscraper import parse_forumscraper
from sna.pipeline import ingest
from sna.schema import validate_posts
from tests.helpers import DATA

FS = DATA / "forumscraper"

# Top-level quote blocks per engine, as XPath on a post body, and where their stated post id is.
TOP_QUOTES = {
    "xenforo": "//*[contains(@class, 'bbCodeBlock--quote') or contains(@class, 'bbCodeQuote')]"
    "[not(ancestor::*[contains(@class, 'bbCodeBlock--quote') or contains(@class, 'bbCodeQuote')])]",
    "phpbb": "//blockquote[not(ancestor::blockquote)]",
    "smf": "//div[@class='quoteheader'][not(ancestor::*[contains(@class, 'quote')])]",
    "vbulletin": "//div[@class='bbcode_quote' or starts-with(@class, 'bbcode_quote ')]"
    "[not(ancestor::*[contains(@class, 'bbcode_quote')])]"
    " | //div[div[@class='smallfont']][table][not(ancestor::table)]",
    "invision": "//blockquote[contains(@class, 'ipsQuote')][not(ancestor::blockquote)]",
    "xmb": "//table[@class='quote'][not(ancestor::table[@class='quote'])]",
}
FILES = sorted(p.name for p in FS.iterdir())


def stated_id(block) -> str | None:
    m = re.search(r"post: (\d+)", block.get("data-source") or "")
    if m:
        return m.group(1)
    if block.get("data-ipsquote-contentcommentid"):
        return block.get("data-ipsquote-contentcommentid")
    for href in [block.get("cite") or "", *block.xpath(".//a/@href")]:
        m = re.search(r"(?:goto/post\?id=|[?&]p=|\.msg|[?&]pid=|#post)(\d+)", href)
        if m:
            return m.group(1)
    return None


def expected(name):
    data = json.loads((FS / name).read_text())
    engine = data["format_version"].split("-")[0]
    site = re.sub(r"^www\.", "", re.match(r"https?://([^/]+)", data["url"]).group(1))
    posts, quotes, seen = [], [], set()
    for p in data["posts"]:
        pid = str(p.get("id", p.get("postid")))
        if pid in seen:
            continue
        seen.add(pid)
        user = p.get("author") if engine == "stackexchange" else p.get("user")
        user = (user.get("name") if isinstance(user, dict) else user) or None
        posts.append((f"{site}/posts/{pid}", user))
        body = p.get("text") or p.get("content") or p.get("body") or ""
        if engine in TOP_QUOTES and body.strip():
            root = lxml.html.fragment_fromstring(body, create_parent="div")
            for block in root.xpath("." + TOP_QUOTES[engine].replace(" | //", " | .//")):
                target = stated_id(block)
                quotes.append((f"{site}/posts/{pid}", f"{site}/posts/{target}" if target else None))
        for c in p.get("comments") or []:
            posts.append((f"{site}/posts/comment-{c['id']}", c.get("user") or None))
    return data, engine, site, posts, quotes


@pytest.mark.parametrize("name", FILES)
def test_posts_authors_and_quote_targets(name):
    path = FS / name
    assert detect_format(path).name == "forumscraper"
    parsed = read_input(path)
    validate_posts(parsed.posts)
    data, _, _, posts, quotes = expected(name)
    assert parsed.posts.select("post_id", "author").rows() == posts
    raw = dict(parsed.posts.select("post_id", "raw_text").iter_rows())
    by_markup = [  # quotes written as text ("> …" lines) are not the engine's markup
        (q["source"], q["target"]) for q in parsed.quotes.iter_rows(named=True)
        if not raw[q["source"]][q["start"] : q["end"]].lstrip().startswith(">")
    ]  # fmt: skip
    assert by_markup == quotes
    assert parsed.posts["title"].unique().to_list() == [data["title"]]
    assert parsed.posts["created_at"].null_count() == 0


def test_every_engine_folder_is_covered():
    engines = {json.loads((FS / n).read_text())["format_version"] for n in FILES}
    assert engines == {
        "xenforo-1-thread", "xenforo-2-thread", "phpbb-2+-thread", "smf-1-thread", "smf-2-thread",
        "vbulletin-3+-thread", "invision-4+-thread", "xmb-thread", "stackexchange-thread",
    }  # fmt: skip


def test_a_post_repeated_in_the_scrape_is_kept_once():
    data = json.loads((FS / "xenforo-2-67736").read_text())
    ids = [p["id"] for p in data["posts"]]
    assert len(ids) > len(set(ids))
    assert read_input(FS / "xenforo-2-67736").posts.height == len(set(ids))


def test_stackexchange_answers_reply_to_the_question_and_comments_to_their_post():
    data = json.loads((FS / "stackexchange-47735").read_text())
    posts = read_input(FS / "stackexchange-47735").posts
    site = "skeptics.stackexchange.com/posts/"
    question = site + str(data["posts"][0]["id"])
    want = {(site + str(p["id"]), question) for p in data["posts"][1:]}
    want |= {(f"{site}comment-{c['id']}", site + str(p["id"])) for p in data["posts"] for c in p["comments"]}
    assert set(posts.filter(pl.col("reply_to").is_not_null()).select("post_id", "reply_to").rows()) == want
    result = ingest([FS / "stackexchange-47735"])
    assert result.edges.filter(pl.col("kind") == "reply").height == len(want)


def test_ingest_all_engines_gives_quote_edges_for_stated_targets_in_the_thread():
    result = ingest([FS])
    assert result.summary["files"] == len(FILES)
    order = {pid: (t, pos) for t, pid, pos in result.posts.select("thread_id", "post_id", "position").rows()}
    edges = set(result.edges.filter(pl.col("kind") == "quote").select("source", "target").rows())
    stated = set()
    for name in FILES:
        stated |= {
            (s, t)
            for s, t in expected(name)[4]
            if t in order and order[t][0] == order[s][0] and order[t][1] < order[s][1]
        }
    assert stated and stated <= edges


def test_nested_quote_is_not_an_edge_and_not_in_quoted_text():
    thread = {
        "format_version": "xenforo-2-thread", "url": "https://f.org/threads/x.1/", "id": 1, "title": "T",
        "posts": [
            {"id": "1", "user": "ann", "date": "2020-01-01T10:00:00+0000", "text": "Cats are the best pets around."},
            {"id": "2", "user": "bo", "date": "2020-01-01T11:00:00+0000",
             "text": '<blockquote class="bbCodeBlock bbCodeBlock--quote" data-quote="ann" data-source="post: 1">'
                     "Cats are the best pets around.</blockquote>Dogs are better than cats, really."},
            {"id": "3", "user": "cy", "date": "2020-01-01T12:00:00+0000",
             "text": '<blockquote class="bbCodeBlock bbCodeBlock--quote" data-quote="bo" data-source="post: 2">'
                     '<blockquote class="bbCodeBlock bbCodeBlock--quote" data-quote="ann" data-source="post: 1">'
                     "Cats are the best pets around.</blockquote>Dogs are better than cats, really.</blockquote>No."},
        ],
    }  # fmt: skip
    parsed = parse_forumscraper(thread)
    assert parsed.quotes.select("source", "target", "quoted_text").rows() == [
        ("f.org/posts/2", "f.org/posts/1", "Cats are the best pets around."),
        ("f.org/posts/3", "f.org/posts/2", "Dogs are better than cats, really."),
    ]
    assert parsed.posts["text"].to_list()[2] == "No."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format_version": "xenforo-2-thread", "url": "https://f.org/", "posts": [{"id": 1, ', "not valid JSON"),
        ('{"format_version": "hackernews-thread", "posts": []}', "format_version 'hackernews-thread' is not read"),
        ('{"format_version": "phpbb-2+-thread", "posts": [{"user": "x"}]}', "post 1 has no id"),
    ],
)
def test_bad_forumscraper_files_are_one_line_exit_1(tmp_path, content, message):
    path = tmp_path / "12345"
    path.write_text(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(out), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and re.match(rf"sna: error: {re.escape(str(path))}(:\d+)?: ", lines[0]), result.output
    assert message in lines[0]
    assert not out.exists() or not any(out.iterdir())


def test_json_of_no_known_shape_is_one_line_exit_1(tmp_path):
    path = tmp_path / "thing.json"
    path.write_text('{"hello": [1, 2, 3]}')
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    # a long temporary path may be cut in its middle to keep the line within 300 characters: the file name stays
    assert len(lines) == 1 and len(lines[0]) <= 300, result.output
    assert lines[0].startswith("sna: error: /") and "thing.json: content matches none" in lines[0]
    assert "forumscraper" in lines[0] and "discourse" in lines[0]
    assert not (tmp_path / "o").exists()


def test_phpbb_code_boxes_keep_the_code_and_drop_their_select_all_header():
    thread = json.loads((FS / "phpbb-2654665").read_text())
    boxed = [str(p["postid"]) for p in thread["posts"] if '<div class="codebox"><p>Code:' in p["content"]]
    assert boxed  # real posts with phpBB's code box markup
    posts = read_input(FS / "phpbb-2654665").posts.filter(pl.col("post_id").str.extract(r"(\d+)$").is_in(boxed))
    assert posts.height == len(boxed)
    assert not posts["raw_text"].str.contains("Select all").any()
    assert posts["raw_text"].str.contains("phpbbcli.php cron:run").any()
