"""`sna export --convokit` follows every rule of ConvoKit's data-format documentation.

The rules (convokit.cornell.edu/documentation/data_format.html): a folder of
utterances.jsonl, speakers.json, conversations.json, corpus.json and index.json;
each utterance has the six mandatory fields id (unique), speaker,
conversation_id (the id of the first utterance of its conversation), reply_to
(the utterance it replies to, or None), timestamp and text, and optional meta;
speakers.json and conversations.json are keyed by speaker names and
conversation ids; index.json has utterances-index, speakers-index,
conversations-index, overall-index and version.
"""

import json
from pathlib import Path

import polars as pl
import pytest

from sna.edges import extract_edges
from sna.io.convokit import read_convokit, stage_convokit, to_convokit
from tests.helpers import SEED, thread

MANDATORY = ("id", "speaker", "conversation_id", "reply_to", "timestamp", "text")
INDEX_FIELDS = ("utterances-index", "speakers-index", "conversations-index", "overall-index", "version")


def written(corpus: dict, folder: Path) -> Path:
    def stage(name: str) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    stage_convokit(corpus, stage)
    return folder


def check_rules(folder: Path) -> list[dict]:
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["conversations.json", "corpus.json", "index.json", "speakers.json", "utterances.jsonl"]
    utterances = [json.loads(line) for line in (folder / "utterances.jsonl").read_text().splitlines()]
    speakers = json.loads((folder / "speakers.json").read_text())
    conversations = json.loads((folder / "conversations.json").read_text())
    index = json.loads((folder / "index.json").read_text())
    assert isinstance(json.loads((folder / "corpus.json").read_text()), dict)
    by_id = {}
    for u in utterances:
        assert all(field in u for field in MANDATORY), u
        assert u["id"] not in by_id, f"utterance id {u['id']} repeats"
        by_id[u["id"]] = u
        assert isinstance(u["text"], str) and u["speaker"] in speakers
        assert u["timestamp"] is None or isinstance(u["timestamp"], int | float)
        assert isinstance(u.get("meta", {}), dict)
        assert set(u.get("meta", {})) <= set(index["utterances-index"])
    for u in utterances:
        first = by_id[u["conversation_id"]]  # the conversation id is an utterance ...
        assert first["conversation_id"] == first["id"] and first["reply_to"] is None  # ... that starts it
        if u["reply_to"] is not None:
            parent = by_id[u["reply_to"]]
            assert parent["conversation_id"] == u["conversation_id"]
        # following reply_to ends at a root of the same conversation: no cycle
        seen, node = set(), u
        while node["reply_to"] is not None:
            assert node["id"] not in seen
            seen.add(node["id"])
            node = by_id[node["reply_to"]]
    assert set(conversations) == {u["conversation_id"] for u in utterances}
    assert all(field in index for field in INDEX_FIELDS)
    for key in {k for c in conversations.values() for k in c["meta"]}:
        assert key in index["conversations-index"]
    return utterances


def test_seed_thread_export_follows_the_rules(tmp_path):
    from sna.io.text_page import read_text_page

    parsed = read_text_page(SEED)
    found = extract_edges(parsed.posts, parsed.quotes)
    utterances = check_rules(written(to_convokit(found.posts, found.edges), tmp_path / "c"))
    assert {u["conversation_id"] for u in utterances} == {"seed-pakistan-ussr-thread#1"}
    roots = [u["id"] for u in utterances if u["reply_to"] is None]
    assert roots == ["seed-pakistan-ussr-thread#1"]
    conversations = json.loads((tmp_path / "c" / "conversations.json").read_text())
    assert conversations["seed-pakistan-ussr-thread#1"]["meta"]["thread_id"] == "seed-pakistan-ussr-thread"


@pytest.mark.parametrize("target", ["first", "previous", "none"])
def test_page_from_the_middle_missing_parents_and_implicit_targets(tmp_path, target):
    posts = thread("Opening words on page two are here.", "Just chatting here.", "A reply to something gone.",
                   "Another one.", thread_id="t")  # fmt: skip
    posts = posts.with_columns(position=pl.Series([54, 55, 56, 57]), reply_to=pl.Series([None, None, "p0", None]))
    found = extract_edges(posts, implicit_target=target)
    utterances = check_rules(written(to_convokit(found.posts, found.edges), tmp_path / target))
    by_id = {u["id"]: u for u in utterances}
    assert by_id["p3"]["reply_to"] != "p0" and by_id["p3"]["meta"]["reply_to_missing"] == "p0"
    if target == "first":
        assert utterances[0]["id"] == "[thread t]" and by_id["p4"]["reply_to"] == "[thread t]"
    if target == "none":
        assert all(u["reply_to"] is None for u in utterances)
    # read back: the same posts in the same order (ConvoKit has no post numbers, so positions restart
    # at 1), the placeholder still marked, the missing parent still stated
    again = read_convokit(tmp_path / target)
    keep = ["thread_id", "post_id", "author", "text", "reply_to", "placeholder"]
    assert again.posts.select(keep).equals(found.posts.select(keep))
