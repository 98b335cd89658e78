"""ConvoKit corpora: import (old ``reply-to`` dumps), ``sna export --convokit`` and the round trip."""

import json

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sna
from sna.cli import main
from sna.io import detect_format, read_input
from sna.io.convokit import parse_convokit, read_convokit, stage_convokit, to_convokit
from sna.schema import POSTS_SCHEMA
from tests.helpers import DATA

CORPUS = DATA / "convokit-cornell"
UTTERANCES = [json.loads(x) for x in (CORPUS / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
CONVERSATIONS = json.loads((CORPUS / "conversations.json").read_text())


def test_utterances_speakers_parents_and_titles_match_the_files():
    posts = read_convokit(CORPUS).posts
    assert posts.height == len(UTTERANCES)
    got = {r["post_id"]: r for r in posts.iter_rows(named=True)}
    for u in UTTERANCES:
        row = got[u["id"]]
        assert row["reply_to"] == u["reply-to"]
        assert row["thread_id"] == u["conversation_id"]
        assert row["author"] == (None if u["speaker"] == "[deleted]" else u["speaker"])
        assert row["title"] == CONVERSATIONS[u["conversation_id"]]["meta"]["title"]
        assert row["score"] == u["meta"]["score"]
        assert row["raw_text"] == u["text"]
    deleted = sum(u["speaker"] == "[deleted]" for u in UTTERANCES)
    assert deleted == 10 and posts["author"].null_count() == deleted
    for (thread,), group in posts.group_by("thread_id"):
        group = group.sort("position")
        assert group["post_id"][0] == thread and group["created_at"].is_sorted()


def test_reply_and_quote_edges_through_ingest():
    result = sna.ingest([CORPUS])
    replies = set(result.edges.filter(pl.col("kind") == "reply").select("source", "target").iter_rows())
    assert replies == {(u["id"], u["reply-to"]) for u in UTTERANCES if u["reply-to"]}
    # "&gt;" lines (the corpus keeps Reddit's escapes) quoting the parent verbatim
    by_id = {u["id"]: u for u in UTTERANCES}
    expected = set()
    for u in UTTERANCES:
        lines = [x[4:].strip() for x in u["text"].split("\n") if x.startswith("&gt;")]
        parent = by_id.get(u["reply-to"])
        if lines and parent and lines[0][:30] in parent["text"]:
            expected.add((u["id"], u["reply-to"]))
    quotes = set(result.edges.filter(pl.col("kind") == "quote").select("source", "target").iter_rows())
    assert expected <= quotes
    assert detect_format(CORPUS).name == "convokit"
    assert detect_format(CORPUS / "utterances.jsonl").name == "convokit"


def test_export_writes_a_corpus_and_import_gives_the_same_posts(tmp_path):
    runner = CliRunner()
    first, corpus, second = tmp_path / "a", tmp_path / "corpus", tmp_path / "b"
    assert runner.invoke(main, ["ingest", str(CORPUS), "--out", str(first), "-q"]).exit_code == 0
    result = runner.invoke(main, ["export", str(first), "--convokit", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "53 utterances in 2 conversations" in result.output
    names = sorted(p.name for p in corpus.iterdir() if p.name != ".sna-manifest.json")
    assert names == ["conversations.json", "corpus.json", "index.json", "speakers.json", "utterances.jsonl"]
    lines = [json.loads(x) for x in (corpus / "utterances.jsonl").read_text().splitlines()]
    assert set(lines[0]) >= {"id", "conversation_id", "root", "speaker", "text", "timestamp", "reply_to", "meta"}
    speakers = json.loads((corpus / "speakers.json").read_text())
    assert sum(1 for s in speakers.values() if s["meta"].get("placeholder")) == 10  # one per deleted post
    assert runner.invoke(main, ["ingest", str(corpus), "--out", str(second), "-q"]).exit_code == 0
    a = pl.read_parquet(first / "posts.parquet").drop("source_file")
    b = pl.read_parquet(second / "posts.parquet").drop("source_file")
    assert a.equals(b)
    assert pl.read_parquet(first / "edges.parquet").equals(pl.read_parquet(second / "edges.parquet"))


def test_export_of_posts_without_parents_gives_convokit_a_tree(tmp_path, seed_path):
    runner = CliRunner()
    first, corpus, second = tmp_path / "a", tmp_path / "corpus", tmp_path / "b"
    assert runner.invoke(main, ["ingest", str(seed_path), "--out", str(first), "-q"]).exit_code == 0
    assert runner.invoke(main, ["export", str(first), "--convokit", str(corpus)]).exit_code == 0
    lines = [json.loads(x) for x in (corpus / "utterances.jsonl").read_text().splitlines()]
    assert sum(1 for u in lines if u["reply_to"] is None) == 1
    edges = pl.read_parquet(first / "edges.parquet")
    quoted = {s: t for s, t in edges.filter(pl.col("kind") == "quote").select("source", "target").iter_rows()}
    for u in lines[1:]:
        assert u["meta"]["reply_to_from"] == ("quote" if u["id"] in quoted else "implicit")
        if u["id"] in quoted:
            assert u["reply_to"] in set(edges.filter(pl.col("source") == u["id"])["target"])
    # read back: the inferred parents are dropped again, the posts are the same
    assert runner.invoke(main, ["ingest", str(corpus), "--out", str(second), "-q"]).exit_code == 0
    keep = [c for c in POSTS_SCHEMA if c != "created_at"]
    a = pl.read_parquet(first / "posts.parquet").select(keep)
    b = pl.read_parquet(second / "posts.parquet").select(keep)
    assert a.equals(b)


def test_export_needs_an_ingest_folder_and_a_target(tmp_path):
    runner = CliRunner()
    out = tmp_path / "corpus"
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["export", str(tmp_path / "empty"), "--convokit", str(out)])
    assert result.exit_code == 1 and "no posts.parquet" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())
    result = runner.invoke(main, ["export", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "--convokit" in result.output


def test_truncated_utterance_line_is_one_line_exit_1(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = (CORPUS / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "utterances.jsonl").write_text("\n".join([*lines[:3], lines[3][:40]]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--out", str(out), "-q"])
    assert result.exit_code == 1
    assert "utterances.jsonl:4: not valid JSON" in result.output and "expected one utterance per line" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_folder_without_utterances_is_not_a_corpus(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "speakers.json").write_text("{}")
    with pytest.raises(sna.InputError, match="not a ConvoKit corpus"):
        read_input(folder, format="convokit")


# -- round trip on random forests ---------------------------------------------------------------------------------


@st.composite
def forests(draw):
    """ConvoKit utterances: a few conversations, each a random tree, with quotes of parents now and then."""
    utterances = []
    n_conv = draw(st.integers(1, 3))
    speakers = ["ann", "bo", "cy", "[deleted]"]
    words = st.lists(st.sampled_from(["tea", "coffee", "is", "best", "no", "why", "cake"]), min_size=1, max_size=7)
    clock = 1_600_000_000
    for c in range(n_conv):
        size = draw(st.integers(1, 6))
        ids = [f"u{c}_{i}" for i in range(size)]
        texts = []
        for i, uid in enumerate(ids):
            parent = None if i == 0 else ids[draw(st.integers(0, i - 1))]
            text = " ".join(draw(words))
            if parent is not None and draw(st.booleans()):
                text = "> " + texts[ids.index(parent)].split("\n")[-1] + "\n\n" + text
            texts.append(text)
            clock += draw(st.integers(0, 50))
            timestamp = None if draw(st.integers(0, 9)) == 0 else clock
            meta = {"score": draw(st.integers(-3, 9))}
            if draw(st.booleans()):
                meta["flair"] = draw(st.sampled_from(["x", "y"]))
            utterances.append({"id": uid, "conversation_id": ids[0], "speaker": draw(st.sampled_from(speakers)),
                               "text": text, "timestamp": timestamp, "reply-to": parent, "meta": meta})  # fmt: skip
    return utterances


@settings(max_examples=60, suppress_health_check=[*settings.default.suppress_health_check,
                                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(forests())
def test_import_export_import_keeps_posts(tmp_path, utterances):
    first = parse_convokit(enumerate(utterances, 1))
    corpus = to_convokit(first.posts)
    files = tmp_path / f"c{abs(hash(json.dumps(utterances, sort_keys=True)))}"

    def stage(name):
        path = files / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    stage_convokit(corpus, stage)
    second = read_convokit(files)
    assert first.posts.equals(second.posts)
    assert first.quotes.equals(second.quotes)
    assert sum(1 for u in corpus["utterances"] if u["reply_to"] is None) == len(corpus["conversations"])


def test_a_roots_quotes_are_marked_and_a_conversation_without_its_root_starts_at_2():
    utts = [
        (1, {"id": "r", "conversation_id": "r", "text": "> The paper says tea cures colds.\n\nDoes it?"}),
        (2, {"id": "x", "conversation_id": "r", "text": "No.", "reply_to": "r"}),
        (3, {"id": "y", "conversation_id": "gone", "text": "Late reply.", "reply_to": "gone", "timestamp": 5}),
        (4, {"id": "z", "conversation_id": "gone", "text": "Later.", "reply_to": "y", "timestamp": 6}),
    ]
    parsed = parse_convokit(utts)
    assert parsed.posts.select("post_id", "position", "text").rows() == [
        ("r", 1, "Does it?"), ("x", 2, "No."), ("y", 2, "Late reply."), ("z", 3, "Later.")]  # fmt: skip
    assert parsed.quotes.select("source", "target", "quoted_text").rows() == [
        ("r", None, "The paper says tea cures colds.")]  # fmt: skip
