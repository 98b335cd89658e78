"""The Internet Argument Corpus (IAC v1, 4forums.com) layout.

Inputs: a folder holding ``discussions/<id>.json`` (and ``ranges_quotes/<id>.json``),
one ``discussions/<id>.json`` file (its ranges file is found beside it), or a
tar archive (``.tar``, ``.tar.gz``, ``.tar.xz``, …) whose members are laid out
the same way, as the corpus' bulk downloads are.

* A discussion file is ``[posts, annotations, metadata]``; each post is
  ``[post_id, side, author, raw_text, annotations, parent_post_id, category,
  unix_timestamp]``. ``thread_id`` is the discussion id, ``position`` the order
  in the file, ``reply_to`` the stated parent, ``title`` the first post's
  ``post_title`` (else the page title without the site's prefix). Ids are
  ``4forums.com/threads/ID`` and ``4forums.com/posts/ID``.
* A quote-ranges file lists ``[post_id, [start, end, {quote_id, author, …}]]``:
  character offsets into the post's ``raw_text`` where the forum showed a quote
  of post ``quote_id`` by ``author``. Each range is a marked quote with that
  span, target and author; ``text`` is ``raw_text`` without the ranges. A
  range without ``quote_id`` (or pointing outside the discussion) is looked
  for by author and words, and stays unresolved otherwise.
* The ranges cover the quotes made with the forum's quote button; people also
  pasted quotes by hand, so the posts are still searched for unmarked quotes
  (``recover`` is true).
* Timestamps are Unix times of any unit (impossible ones are null, see
  :mod:`sna.io.helpers.timestamps`); a post or range of the wrong shape is an
  error naming the file.

Archives are read as a stream (``.tar.zst`` too); each member is one JSON
document of at most :data:`~sna.io.helpers.streams.DOCUMENT_LIMIT` bytes.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers import streams
from sna.io.helpers.boundary import DATA_ERRORS, reading, shorten
from sna.io.helpers.json_data import load_json, paused_gc
from sna.io.helpers.streams import decode_text, open_input, read_document, read_text_file
from sna.io.helpers.timestamps import unix_time
from sna.schema import POSTS_SCHEMA
from sna.text import remove_spans

_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")
_TITLE_PREFIX = "4Forums.com Political Debates and Polls -"
_DISCUSSION = "an IAC discussion: [posts, annotations, metadata]"
_RANGES = "IAC quote ranges: [[post_id, [start, end, {quote_id, author}]], …]"
SITE = "4forums.com"


def _title(posts: list[Any], metadata: object) -> str | None:
    first = posts[0] if posts else None
    if isinstance(first, list) and len(first) > 4 and isinstance(first[4], dict):
        info = first[4].get("post_info")
        title = info.get("post_title") if isinstance(info, dict) else None
        if isinstance(title, str) and title.strip():
            return title.strip()
    if isinstance(metadata, dict) and isinstance(metadata.get("title"), str):
        return metadata["title"].removeprefix(_TITLE_PREFIX).strip() or None
    return None


_TEXT = (str, type(None))


def _id(value: object) -> str | None:
    """A post id as text (IAC writes them as strings or numbers); None for anything else."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    return str(value) if kind is int else None


def parse_iac_discussion(discussion: str | bytes | list[Any], ranges: str | bytes | list[Any] | None = None, *,
                         source: str = "discussion", thread_id: str | None = None,
                         site: str = SITE) -> Parsed:  # fmt: skip
    """Parse one IAC discussion and its quote ranges.

    Parameters
    ----------
    discussion : str, bytes or list
        The discussion file's JSON (text or parsed).
    ranges : str, bytes or list, optional
        The quote-ranges file's JSON.
    source : str
        Where the discussion came from (``…/discussions/ID.json``), for
        messages; its name gives the discussion id unless ``thread_id`` does.
    thread_id : str, optional
        The discussion id.
    site : str
        Prefix of the ids: ``SITE/threads/ID`` and ``SITE/posts/ID``, as the
        forum-page readers name posts, so that IAC ids (plain numbers) do not
        collide with other inputs.

    Returns
    -------
    Parsed

    Raises
    ------
    InputError
        When the JSON is not a discussion, a post is not a list of the
        corpus' fields, or a quote range is not ``[post_id, [start, end,
        {…}]]`` with whole-number offsets inside its post.

    Examples
    --------
    >>> discussion = [[[1, None, "ann", "Tea is best.", {"post_info": {"post_title": "Tea"}}, None, None, 60.0],
    ...                [2, None, "bo", "Tea is best.\\nNo, coffee.", {}, 1, None, 120.0]], {}, {}]
    >>> parsed = parse_iac_discussion(discussion, [[2, [0, 12, {"quote_id": 1, "author": "ann"}]]],
    ...                               source="discussions/9.json", site="f")
    >>> parsed.posts.select("post_id", "position", "author", "title", "text", "reply_to").rows()
    [('f/posts/1', 1, 'ann', 'Tea', 'Tea is best.', None), ('f/posts/2', 2, 'bo', 'Tea', 'No, coffee.', 'f/posts/1')]
    >>> parsed.posts["thread_id"].unique().to_list()
    ['f/threads/9']
    >>> parsed.quotes.rows()
    [('f/posts/2', 'f/posts/1', 'ann', 'Tea is best.', 0, 12)]
    """
    thread_id = thread_id or _layout_id(source)
    return _frames([_discussion_columns(discussion, ranges, source=source, thread_id=thread_id, site=site)])


@dataclass
class _Columns:
    """One discussion's posts and marked quotes as column lists (named as in POSTS and ``MARKED_SCHEMA``)."""

    posts: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in POSTS_SCHEMA})
    quotes: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in MARKED_SCHEMA})


def _discussion_columns(discussion: str | bytes | list[Any], ranges: str | bytes | list[Any] | None, *,
                        source: str, thread_id: str, site: str) -> _Columns:  # fmt: skip
    """The columns of :func:`parse_iac_discussion` for one discussion, checked as it says."""
    data = load_json(discussion, where=source, what=_DISCUSSION) if isinstance(discussion, str | bytes) else discussion
    spans = load_json(ranges, where=source, what=_RANGES) if isinstance(ranges, str | bytes) else ranges
    if not (isinstance(data, list) and data and isinstance(data[0], list)):
        raise InputError(f"expected {_DISCUSSION}", path=source)
    posts, metadata = data[0], data[2] if len(data) > 2 else {}
    out = _Columns()
    ids, authors, raws, replies, times = (out.posts[k] for k in ("post_id", "author", "raw_text", "reply_to",
                                                                 "created_at"))  # fmt: skip
    seen: set[str] = set()
    for i, post in enumerate(posts, 1):
        fields = post if type(post) is list and len(post) >= 6 else None
        own = _id(fields[0]) if fields else None
        parent = _id(fields[5]) if fields else None
        if (
            own is None
            or (fields[5] is not None and parent is None)  # type: ignore[index]
            or type(fields[3]) not in _TEXT
            or type(fields[2]) not in _TEXT
        ):  # type: ignore[index]
            raise InputError(f"post {i} is not [post_id, side, author, text, annotations, parent, …] "
                             "(ids strings or numbers, author and text strings)", path=source)  # fmt: skip
        if own in seen:
            raise InputError(f"post id {shorten(own, 60)} occurs twice in the discussion", path=source)
        seen.add(own)
        ids.append(f"{site}/posts/{own}")
        authors.append(fields[2] or None)  # type: ignore[index]
        raws.append(fields[3] or "")  # type: ignore[index]
        replies.append(None if parent is None or parent == own else f"{site}/posts/{parent}")  # own: none stated
        times.append(unix_time(fields[7]) if len(fields) > 7 else None)  # type: ignore[arg-type, index]
    raw_of = dict(zip(ids, raws, strict=True))
    cut: dict[str, list[tuple[int, int]]] = {}
    quotes = out.quotes
    for k, entry in enumerate(spans if isinstance(spans, list) else [spans] if spans else [], 1):
        shaped = type(entry) is list and len(entry) == 2 and type(entry[1]) is list and len(entry[1]) >= 2
        span = entry[1] if shaped else []
        if not shaped or type(span[0]) is not int or type(span[1]) is not int or _id(entry[0]) is None:
            raise InputError(f"quote range {k} is {shorten(repr(entry), 60)}; expected [post_id, [start, end, {{…}}]] "
                             "with whole-number offsets", path=source)  # fmt: skip
        start, end = span[0], span[1]
        source_post = f"{site}/posts/{entry[0]}"
        raw = raw_of.get(source_post)
        if raw is None or not (0 <= start <= end <= len(raw)):
            raise InputError(f"quote range {start}-{end} of post {source_post} lies outside the post", path=source)
        info = span[2] if len(span) > 2 and isinstance(span[2], dict) else {}
        target = _id(info.get("quote_id"))
        author = None if info.get("unknown_author") else info.get("author")
        quotes["source"].append(source_post)
        quotes["target"].append(None if target is None else f"{site}/posts/{target}")
        quotes["target_author"].append(author if isinstance(author, str) else None)
        quotes["quoted_text"].append(raw[start:end].strip())
        quotes["start"].append(start)
        quotes["end"].append(end)
        cut.setdefault(source_post, []).append((start, end))
    out.posts["text"] = [remove_spans(raw, cut.get(post_id) or []) for post_id, raw in zip(ids, raws, strict=True)]
    out.posts["position"] = list(range(1, len(ids) + 1))
    out.posts["thread_id"] = [f"{site}/threads/{thread_id}"] * len(ids)
    out.posts["title"] = [_title(posts, metadata)] * len(ids)
    return out


def _frames(parts: Iterable[_Columns]) -> Parsed:
    """The POSTS table and marked quotes of discussions' columns, one after another, built once.

    The same tables as concatenating each discussion's own (as
    :func:`parse_iac_discussion` gives them), without building thousands of
    small frames.
    """
    parts = list(parts)
    posts = {name: list(chain.from_iterable(p.posts[name] for p in parts)) for name in POSTS_SCHEMA}
    quotes = {name: list(chain.from_iterable(p.quotes[name] for p in parts)) for name in MARKED_SCHEMA}
    frame = pl.DataFrame(posts, schema=POSTS_SCHEMA)
    return Parsed(finish_posts(frame, default_thread="iac"), pl.DataFrame(quotes, schema=MARKED_SCHEMA))


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES)


def _layout_name(name: str) -> tuple[str, str] | None:
    """``("discussions" or "ranges_quotes", id)`` for a member or file path of the IAC layout."""
    parts = PurePosixPath(name).parts
    if len(parts) >= 2 and parts[-2] in ("discussions", "ranges_quotes") and parts[-1].endswith(".json"):
        return parts[-2], parts[-1][: -len(".json")]
    return None


def _layout_id(source: str) -> str:
    name = PurePosixPath(str(source).replace("\\", "/")).name
    return name[: -len(".json")] if name.endswith(".json") else name


def _read_archive(path: Path) -> Parsed:
    """Read the members of an IAC archive as a stream.

    Members come in archive order; each is read whole (a JSON document of at
    most :data:`~sna.io.helpers.streams.DOCUMENT_LIMIT` bytes) and kept as
    bytes until its partner (a discussion's ranges, or the discussion of
    ranges) has been read, then parsed and dropped.
    """
    discussions: dict[str, bytes] = {}
    ranges: dict[str, bytes] = {}
    parts: dict[str, _Columns] = {}

    def parse(tid: str) -> None:
        where = f"{path}:discussions/{tid}.json"
        text = decode_text(discussions.pop(tid), where=where)
        spans = decode_text(ranges.pop(tid), where=f"{path}:ranges_quotes/{tid}.json") if tid in ranges else None
        parts[tid] = _discussion_columns(text, spans, source=where, thread_id=tid, site=SITE)

    with open_input(path, ahead=True) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:  # streaming: one pass, no seeking in compressed data
            layout = _layout_name(member.name) if member.isfile() else None
            handle = archive.extractfile(member) if layout is not None else None
            if layout is None or handle is None:
                continue
            kind, tid = layout
            where = f"{path}:{member.name}"
            if member.size > streams.DOCUMENT_LIMIT:  # the header says so: no need to read it to know
                limit = streams.size_text(streams.DOCUMENT_LIMIT)
                message = f"member of {member.size} bytes is larger than {limit}; expected one discussion's JSON"
                raise InputError(message, path=where)
            (discussions if kind == "discussions" else ranges)[tid] = read_document(handle, where=where)
            if tid in discussions and tid in ranges:
                parse(tid)
    for tid in list(discussions):
        parse(tid)
    if not parts:
        raise InputError("unknown archive layout: expected members discussions/<id>.json (the IAC layout)", path=path)
    return _frames(parts[tid] for tid in sorted(parts, key=_id_order))


def _id_order(tid: str) -> tuple[int, str]:
    return (int(tid), tid) if tid.isdigit() and len(tid) < 19 else (1 << 62, tid)


def _read_file(path: Path) -> _Columns:
    ranges = path.parent.parent / "ranges_quotes" / path.name
    return _discussion_columns(
        read_text_file(path), read_text_file(ranges) if ranges.exists() else None, source=str(path),
        thread_id=_layout_id(str(path)), site=SITE,
    )  # fmt: skip


@reading("the Internet Argument Corpus layout (discussions/<id>.json with ranges_quotes/<id>.json), or a tar of it")
def read_iac(path: str | Path) -> Parsed:
    """Read the IAC layout from a folder, one discussion file, or a tar archive; see :func:`parse_iac_discussion`."""
    path = Path(path)
    with paused_gc():  # thousands of parsed discussions: see paused_gc
        if path.is_dir():
            files = sorted((path / "discussions").glob("*.json"), key=lambda p: _id_order(_layout_id(str(p))))
            if not files:
                raise InputError("unknown layout: expected discussions/<id>.json (the IAC layout)", path=path)
            return _frames(_read_file(f) for f in files)
        if _is_archive(path):
            return _read_archive(path)
        return _frames([_read_file(path)])


def looks_like_iac(path: Path, head: str) -> bool:
    """A folder with ``discussions/``, a tar archive of that layout, or a discussion file."""
    if path.is_dir():
        return (path / "discussions").is_dir() and any((path / "discussions").glob("*.json"))
    if _is_archive(path):
        try:
            with open_input(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
                for member in archive:
                    if member.isfile():
                        return _layout_name(member.name) is not None
        except (InputError, *DATA_ERRORS):
            return False
        return False
    if path.parent.name != "discussions":
        return False
    return re.match(r"\ufeff?\s*\[\s*\[\s*\[", head) is not None
