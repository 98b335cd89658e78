"""ConvoKit corpora: reading a corpus folder into POSTS, and writing POSTS back out as one.

A ConvoKit corpus is a folder with ``utterances.jsonl`` (one utterance per
line: ``id``, ``conversation_id`` (``root`` in old dumps), ``speaker``
(``user`` in old dumps), ``text``, ``timestamp``, ``reply_to`` (``reply-to`` in
old dumps) and ``meta``), ``speakers.json`` (``users.json``),
``conversations.json``, ``corpus.json`` and ``index.json``.

Reading
    ``thread_id`` is the conversation id, ``post_id`` the utterance id,
    ``reply_to`` as stated. A conversation's root (the utterance whose id is
    the conversation id, else the one without ``reply_to``) is its first post
    (position 1); the others follow by timestamp, then file order; threads
    come in the order the file starts them. When no utterance of a
    conversation is its root (the corpus holds only replies), positions start
    at 2, so that the missing opening post shows. ``title`` comes from the
    conversation's ``meta.title``. Scalar ``meta`` values become columns named
    after their keys (``meta_KEY`` where a key clashes with a POSTS column);
    other values are kept as JSON text; a ``meta`` (of an utterance, speaker or
    conversation) that is not an object is ignored. Timestamps are Unix times
    of any unit (see :mod:`sna.io.helpers.timestamps`; impossible ones are
    null). Speakers named ``[deleted]`` or ``[removed]``, and the per-post
    placeholders this module writes, become a null ``author``. Markdown ``>``
    quote lines are read as in :mod:`sna.io.reddit` (ConvoKit's Reddit corpora
    keep Reddit's markdown): a block quotes the parent when the parent's words
    hold it, else its source is left open, and its words are removed from
    ``text`` either way. ConvoKit holds corpora of many kinds (forums, talk
    pages, transcripts) as plain text, so the posts are also searched for
    quotes pasted without markup (``recover`` is true), as for any plain-text
    source; this also makes a corpus written by ``sna export`` read back to the
    same posts.

Writing (``sna export --convokit DIR``)
    ``text`` is the post's ``raw_text``; ``timestamp`` Unix seconds; extra POSTS
    columns go into ``meta``. A post without an author gets a speaker of its
    own, ``[unknown:POST_ID]`` (flagged ``"placeholder": true`` in
    ``speakers.json``), so that ConvoKit does not merge them. ConvoKit expects
    a reply tree, so a post with no stated parent gets as ``reply_to`` the
    post it quotes (its first quote edge) or, failing that, its thread's first
    post, and ``meta.reply_to_from`` says so (``"quote"`` or ``"implicit"``);
    reading such a corpus back drops those parents again, so POSTS survive the
    round trip. A stated parent that is not among the posts is written as
    stated (ConvoKit's integrity check will name it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers.boundary import reading, shorten
from sna.io.helpers.json_data import json_lines, load_json
from sna.io.helpers.markdown_quotes import quote_matches, split_markdown_quotes
from sna.io.helpers.streams import numbered_lines, open_input, read_text_file
from sna.io.helpers.timestamps import unix_time
from sna.schema import POSTS_SCHEMA, UTC_DATETIME

_DELETED = {"[deleted]", "[removed]"}
_INFERRED = "reply_to_from"
_MISSING = "reply_to_missing"
_SKIP_COLUMNS = {"source_file"}


def _placeholder(post_id: str) -> str:
    return f"[unknown:{post_id}]"


def _object(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (ConvoKit's meta and entries are objects)."""
    return value if isinstance(value, dict) else {}


def _meta_columns(metas: list[dict[str, Any]]) -> dict[str, pl.Series]:
    """Columns from utterances' meta: one per key, JSON text where values are not all one scalar type."""
    keys: list[str] = []
    for meta in metas:
        for key in meta:
            if key not in keys and key not in (_INFERRED, _MISSING):
                keys.append(key)
    columns: dict[str, pl.Series] = {}
    for key in keys:
        values = [meta.get(key) for meta in metas]
        kinds = {type(v) for v in values if v is not None}
        if not kinds:  # null everywhere: written back as absent, so not a column
            continue
        name = f"meta_{key}" if key in POSTS_SCHEMA or key.startswith("_") else key
        fits = all(not isinstance(v, int) or -(2**63) <= v < 2**63 for v in values)  # else kept as JSON text
        if kinds <= {int} and fits:
            columns[name] = pl.Series(name, values, dtype=pl.Int64)
        elif kinds <= {float} or kinds <= {str} or kinds <= {bool}:
            columns[name] = pl.Series(name, values)
        elif kinds <= {int, float} and fits:
            columns[name] = pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
        else:
            text = [None if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values]
            columns[name] = pl.Series(name, text, dtype=pl.String)
    return columns


def _key(value: object, what: str, where: str, line: int) -> str | None:
    """An id field as text: strings and numbers are ids, null is none, anything else an error."""
    kind = type(value)
    if kind is str or value is None:
        return value  # type: ignore[return-value]
    if kind is int or kind is float:
        return str(value)
    raise InputError(f"{what} is {type(value).__name__} {shorten(json.dumps(value), 40)}; expected a string or number",
                     path=where, line=line)  # fmt: skip


def parse_convokit(
    utterances: Iterable[tuple[int, dict[str, Any]]],
    *,
    speakers: dict[str, Any] | None = None,
    conversations: dict[str, Any] | None = None,
    source: str = "utterances.jsonl",
) -> Parsed:
    """Build POSTS from ConvoKit utterances.

    Parameters
    ----------
    utterances : iterable of (int, dict)
        Each utterance with its line number (for error messages).
    speakers, conversations : dict, optional
        The contents of ``speakers.json`` and ``conversations.json``.
    source : str
        Where the utterances came from (``utterances.jsonl``), for messages.

    Returns
    -------
    Parsed

    Raises
    ------
    InputError
        An utterance without ``id`` or repeated, without a conversation, with
        an id, conversation or parent that is not a string or number, or text
        that is not a string; no utterances at all.

    Examples
    --------
    >>> utts = [(1, {"id": "a", "conversation_id": "a", "speaker": "ann", "text": "Tea is best.",
    ...              "timestamp": 10, "reply_to": None, "meta": {"score": 3}}),
    ...         (2, {"id": "b", "conversation_id": "a", "speaker": "[deleted]",
    ...              "text": "> Tea is best.\\n\\nNo.", "timestamp": 20, "reply-to": "a", "meta": {"score": 1}})]
    >>> parsed = parse_convokit(utts, conversations={"a": {"meta": {"title": "Drinks"}}})
    >>> parsed.posts.select("post_id", "position", "author", "title", "text", "reply_to", "score").rows()
    [('a', 1, 'ann', 'Drinks', 'Tea is best.', None, 3), ('b', 2, None, 'Drinks', 'No.', 'a', 1)]
    >>> parsed.quotes.select("source", "target").rows()
    [('b', 'a')]
    """
    speakers = _object(speakers)
    conversations = _object(conversations)
    placeholders = {name for name, info in speakers.items() if _object(_object(info).get("meta")).get("placeholder")}
    rows: list[dict[str, Any]] = []
    metas: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, utt in utterances:
        post_id = _key(utt.get("id"), "utterance id", source, line)
        if post_id is None:
            raise InputError("utterance without id; expected ConvoKit fields id, conversation_id, text", path=source,
                             line=line)  # fmt: skip
        if post_id in seen:
            raise InputError(f"utterance id {shorten(repr(post_id), 60)} occurs twice", path=source, line=line)
        seen.add(post_id)
        conversation = _key(utt.get("conversation_id", utt.get("root")), "conversation_id", source, line)
        if conversation is None:
            raise InputError(f"utterance {shorten(repr(post_id), 60)} has no conversation_id", path=source, line=line)
        meta = _object(utt.get("meta"))
        stated = _key(utt.get("reply_to", utt.get("reply-to")), "reply_to", source, line)
        reply_to = None if meta.get(_INFERRED) in ("quote", "implicit") or stated == post_id else stated
        if reply_to is None and isinstance(meta.get(_MISSING), str) and meta[_MISSING] != post_id:
            reply_to = stated = meta[_MISSING]  # a parent sna's export left out: not in the corpus
        speaker = _key(utt.get("speaker", utt.get("user")), "speaker", source, line)
        if speaker in _DELETED or speaker in placeholders:
            speaker = None
        text = utt.get("text")
        if text is not None and not isinstance(text, str):
            raise InputError(f"text is {type(text).__name__}; expected a string", path=source, line=line)
        about = _object(_object(conversations.get(conversation)).get("meta"))
        title, thread = about.get("title"), about.get("thread_id")
        rows.append(
            {"thread_id": thread if isinstance(thread, str) else conversation, "post_id": post_id,
             "_conversation": conversation, "author": speaker,
             "created_at": unix_time(utt.get("timestamp")), "title": title if isinstance(title, str) else None,
             "raw_text": text or "", "reply_to": reply_to, "_order": len(rows), "_stated": stated is not None}
        )  # fmt: skip
        metas.append(meta)
    if not rows:
        raise InputError("no utterances; expected one JSON object per line", path=source)
    schema = {"thread_id": pl.String, "post_id": pl.String, "_conversation": pl.String, "author": pl.String,
              "created_at": UTC_DATETIME, "title": pl.String, "raw_text": pl.String, "reply_to": pl.String,
              "_order": pl.Int64, "_stated": pl.Boolean}  # fmt: skip
    posts = pl.DataFrame(rows, schema=schema).with_columns(**_meta_columns(metas))
    named_root = (pl.col("post_id") == pl.col("_conversation")).any().over("thread_id")
    is_root = (pl.col("post_id") == pl.col("_conversation")) | (~pl.col("_stated") & ~named_root)
    posts = (
        posts.with_columns(_root=is_root)
        .sort(~pl.col("_root"), "created_at", "_order", nulls_last=True)
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("thread_id")
            + (~pl.col("_root").any().over("thread_id")).cast(pl.Int64)  # no root: the opening post is missing
        )
        .with_columns(_first=pl.col("_order").min().over("thread_id"))
        .sort("_first", "position")  # threads in the order the file starts them, each in post order
        .drop("_root", "_order", "_stated", "_first", "_conversation")
    )
    own, marked = _markdown_quotes(posts)
    posts = posts.with_columns(text=own)
    return Parsed(finish_posts(posts, default_thread="convokit"), marked, recover=True)


def _markdown_quotes(posts: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    raw_of = dict(zip(posts["post_id"].to_list(), posts["raw_text"].to_list(), strict=True))
    own: list[str] = []
    marked: list[dict[str, Any]] = []
    for post_id, raw, parent in posts.select("post_id", "raw_text", "reply_to").iter_rows():
        if ">" not in raw and "&gt;" not in raw:
            own.append(raw)
            continue
        text, quotes = split_markdown_quotes(raw)
        own.append(text)
        parent_text = raw_of.get(parent) if parent is not None else None
        for quote in quotes:
            matched = parent_text is not None and quote_matches(quote.text, parent_text)
            marked.append({"source": post_id, "target": parent if matched else None, "target_author": None,
                           "quoted_text": quote.text, "start": quote.start, "end": quote.end})  # fmt: skip
    return pl.Series("text", own, dtype=pl.String), pl.DataFrame(marked, schema=MARKED_SCHEMA)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = load_json(read_text_file(path), where=path, what="a JSON object mapping ids to {meta: …}")
    if not isinstance(data, dict):
        raise InputError("expected a JSON object mapping ids to {meta: …}", path=path)
    return data


def _utterance_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open_input(path, ahead=True) as stream:
        yield from json_lines(numbered_lines(stream, where=path), where=path, what="utterance")


@reading("a ConvoKit corpus folder (utterances.jsonl, speakers.json, conversations.json)")
def read_convokit(path: str | Path) -> Parsed:
    """Read a ConvoKit corpus folder (or its ``utterances.jsonl``); see :func:`parse_convokit`."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    utterances = folder / "utterances.jsonl"
    if not utterances.is_file() or (not path.is_dir() and path.name != "utterances.jsonl"):
        raise InputError("not a ConvoKit corpus: expected a folder holding utterances.jsonl (and speakers.json, "
                         "conversations.json)", path=path)  # fmt: skip
    speakers_file = folder / "speakers.json"
    speakers = _read_json(speakers_file if speakers_file.exists() else folder / "users.json")
    conversations = _read_json(folder / "conversations.json")
    return parse_convokit(
        _utterance_lines(utterances), speakers=speakers, conversations=conversations, source=str(utterances)
    )


def looks_like_convokit(path: Path, head: str) -> bool:
    """A folder holding ``utterances.jsonl``, or that file itself."""
    if path.is_dir():
        return (path / "utterances.jsonl").is_file()
    return path.name == "utterances.jsonl"


# -- writing -----------------------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _type_name(value: object) -> str:
    return f"<class '{type(value).__name__}'>"


def to_convokit(posts: pl.DataFrame, edges: pl.DataFrame | None = None) -> dict[str, Any]:
    """Turn POSTS (and EDGES) into the contents of a ConvoKit corpus folder.

    Follows ConvoKit's data format (``documentation/data_format.html``): every
    utterance has ``id``, ``speaker``, ``conversation_id`` — the id of the
    conversation's first utterance —, ``reply_to`` (an utterance of the same
    conversation, or None), ``timestamp`` and ``text``; ``conversations.json``
    is keyed by those first-utterance ids; every speaker is in
    ``speakers.json``; ``index.json`` has the five required fields.

    A post without a stated parent (or whose stated parent is not in the
    corpus, kept in ``meta.reply_to_missing``) gets the first post it quotes,
    else the target of its implicit edge, as ``reply_to``, marked in
    ``meta.reply_to_from``; a thread's other roots keep None. Posts without an
    author get a speaker of their own. The thread id goes into the
    conversation's ``meta.thread_id`` where it differs from the first
    utterance's id, so that reading the corpus back gives the same threads.

    Parameters
    ----------
    posts : pl.DataFrame
        Canonical POSTS; extra columns go into each utterance's ``meta``.
    edges : pl.DataFrame, optional
        EDGES, used to give posts without a stated parent a ``reply_to``
        (without EDGES: the thread's first post).

    Returns
    -------
    dict
        ``utterances`` (a list of dicts, one per line of ``utterances.jsonl``),
        ``speakers``, ``conversations``, ``corpus`` and ``index``.

    Examples
    --------
    >>> from sna.schema import conform
    >>> posts = conform(pl.DataFrame({"thread_id": ["t", "t"], "post_id": ["a", "b"], "position": [1, 2],
    ...     "author": ["ann", None], "title": ["Tea", "Tea"], "text": ["Tea!", "No."],
    ...     "raw_text": ["Tea!", "No."]}), POSTS_SCHEMA)
    >>> corpus = to_convokit(posts)
    >>> [(u["id"], u["conversation_id"], u["speaker"], u["reply_to"], u["meta"]) for u in corpus["utterances"]]
    [('a', 'a', 'ann', None, {}), ('b', 'a', '[unknown:b]', 'a', {'reply_to_from': 'implicit'})]
    >>> corpus["conversations"]["a"]["meta"]
    {'title': 'Tea', 'thread_id': 't'}
    """
    posts = (
        posts.with_row_index("_row")
        .with_columns(_first=pl.col("_row").min().over("thread_id"))
        .sort("_first", "position")
        .drop("_row", "_first")
    )
    first = dict(posts.group_by("thread_id").agg(pl.col("post_id").sort_by("position").first()).iter_rows())
    known = set(posts["post_id"].to_list())
    inferred: dict[str, tuple[str, str]] = {}
    if edges is not None and edges.height:
        for kind in ("quote", "implicit"):  # the first post quoted wins, then the assumed parent
            for source, target in edges.filter(pl.col("kind") == kind).select("source", "target").iter_rows():
                inferred.setdefault(source, (target, kind))
    extra = [c for c in posts.columns if c not in POSTS_SCHEMA and c not in _SKIP_COLUMNS]
    utterances: list[dict[str, Any]] = []
    speakers: dict[str, dict[str, Any]] = {}
    conversations: dict[str, dict[str, Any]] = {}
    meta_types: dict[str, list[str]] = {}
    for row in posts.iter_rows(named=True):
        post_id, thread = row["post_id"], row["thread_id"]
        conversation = first[thread]
        meta = {c: _json_value(row[c]) for c in extra}
        reply_to = row["reply_to"]
        if reply_to is not None and reply_to not in known:
            meta[_MISSING] = reply_to
            reply_to = None
        if reply_to is None and post_id != conversation:
            target, kind = inferred.get(post_id, (None if edges is not None else conversation, "implicit"))
            if target is not None:
                reply_to = target
                meta[_INFERRED] = kind
        for key, value in meta.items():
            meta_types.setdefault(key, [])
            if value is not None and _type_name(value) not in meta_types[key]:
                meta_types[key].append(_type_name(value))
        speaker = row["author"] if row["author"] is not None else _placeholder(post_id)
        if speaker not in speakers:
            speakers[speaker] = {"meta": {"placeholder": True} if row["author"] is None else {}, "vectors": []}
        created = row["created_at"]
        timestamp: int | float | None = None
        if created is not None:
            seconds = created.timestamp()
            timestamp = int(seconds) if seconds == int(seconds) else seconds
        utterances.append(
            {"id": post_id, "conversation_id": conversation, "root": conversation, "speaker": speaker,
             "text": row["raw_text"], "timestamp": timestamp, "reply_to": reply_to, "meta": meta, "vectors": []}
        )  # fmt: skip
        if conversation not in conversations:
            about: dict[str, Any] = {} if row["title"] is None else {"title": row["title"]}
            if thread != conversation:
                about["thread_id"] = thread
            conversations[conversation] = {"meta": about, "vectors": []}
    conversation_types: dict[str, list[str]] = {}
    for about in conversations.values():
        for key in about["meta"]:
            conversation_types[key] = ["<class 'str'>"]
    index = {
        "utterances-index": {k: v for k, v in sorted(meta_types.items())},
        "speakers-index": {"placeholder": ["<class 'bool'>"]} if any(s["meta"] for s in speakers.values()) else {},
        "conversations-index": dict(sorted(conversation_types.items())),
        "overall-index": {"generator": ["<class 'str'>"]},
        "version": 1,
        "vectors": [],
    }
    return {
        "utterances": utterances,
        "speakers": speakers,
        "conversations": conversations,
        "corpus": {"generator": "sna"},
        "index": index,
    }


def stage_convokit(corpus: dict[str, Any], stage: Callable[[str], Path]) -> list[str]:
    """Write the files of :func:`to_convokit`'s corpus through an ``atomic_outputs`` stage function."""
    with stage("utterances.jsonl").open("w", encoding="utf-8") as handle:
        for utterance in corpus["utterances"]:
            handle.write(json.dumps(utterance, ensure_ascii=False, default=str) + "\n")
    names = ["utterances.jsonl"]
    for name in ("speakers", "conversations", "corpus", "index"):
        stage(f"{name}.json").write_text(json.dumps(corpus[name], ensure_ascii=False, default=str), encoding="utf-8")
        names.append(f"{name}.json")
    return names
