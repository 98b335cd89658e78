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
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.schema import UTC_DATETIME
from sna.text import remove_spans

_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_TITLE_PREFIX = "4Forums.com Political Debates and Polls -"
SITE = "4forums.com"


def _title(posts: list[Any], metadata: object) -> str | None:
    if posts and isinstance(posts[0], list) and len(posts[0]) > 4 and isinstance(posts[0][4], dict):
        title = (posts[0][4].get("post_info") or {}).get("post_title")
        if isinstance(title, str) and title.strip():
            return title.strip()
    if isinstance(metadata, dict) and isinstance(metadata.get("title"), str):
        return metadata["title"].removeprefix(_TITLE_PREFIX).strip() or None
    return None


def parse_iac_discussion(discussion: str | list[Any], ranges: str | list[Any] | None = None, *,
                         thread_id: str, where: str = "discussion", site: str = SITE) -> Parsed:  # fmt: skip
    """Parse one IAC discussion and its quote ranges.

    Parameters
    ----------
    discussion : str or list
        The discussion file's JSON (text or parsed).
    ranges : str or list, optional
        The quote-ranges file's JSON.
    thread_id : str
        The discussion id.
    where : str
        The file name for error messages.
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
        When the JSON is not a discussion, or a range lies outside its post.

    Examples
    --------
    >>> discussion = [[[1, None, "ann", "Tea is best.", {"post_info": {"post_title": "Tea"}}, None, None, 60.0],
    ...                [2, None, "bo", "Tea is best.\\nNo, coffee.", {}, 1, None, 120.0]], {}, {}]
    >>> parsed = parse_iac_discussion(discussion, [[2, [0, 12, {"quote_id": 1, "author": "ann"}]]], thread_id="9",
    ...                               site="f")
    >>> parsed.posts.select("post_id", "position", "author", "title", "text", "reply_to").rows()
    [('f/posts/1', 1, 'ann', 'Tea', 'Tea is best.', None), ('f/posts/2', 2, 'bo', 'Tea', 'No, coffee.', 'f/posts/1')]
    >>> parsed.posts["thread_id"].unique().to_list()
    ['f/threads/9']
    >>> parsed.quotes.rows()
    [('f/posts/2', 'f/posts/1', 'ann', 'Tea is best.', 0, 12)]
    """
    try:
        data = json.loads(discussion) if isinstance(discussion, str | bytes) else discussion
        spans = (json.loads(ranges) if isinstance(ranges, str | bytes) else ranges) or []
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", path=where, line=exc.lineno) from None
    if not (isinstance(data, list) and data and isinstance(data[0], list)):
        raise InputError("expected an IAC discussion: [posts, annotations, metadata]", path=where)
    posts, metadata = data[0], data[2] if len(data) > 2 else {}
    rows: list[dict[str, Any]] = []
    for i, post in enumerate(posts, 1):
        if not (isinstance(post, list) and len(post) >= 6):
            raise InputError(f"post {i} is not [post_id, side, author, text, annotations, parent, …]", path=where)
        stamp = post[7] if len(post) > 7 else None
        rows.append(
            {"post_id": f"{site}/posts/{post[0]}", "position": i, "author": post[2] or None,
             "raw_text": post[3] or "", "reply_to": None if post[5] is None else f"{site}/posts/{post[5]}",
             "created_at": None if stamp is None else dt.datetime.fromtimestamp(float(stamp), dt.UTC)}
        )  # fmt: skip
    raw_of = {row["post_id"]: row["raw_text"] for row in rows}
    marked: list[dict[str, Any]] = []
    cut: dict[str, list[tuple[int, int]]] = {}
    for entry in spans:
        source, (start, end, info) = f"{site}/posts/{entry[0]}", entry[1]
        raw = raw_of.get(source)
        if raw is None or not (0 <= start <= end <= len(raw)):
            raise InputError(f"quote range {start}-{end} of post {source} lies outside the post", path=where)
        info = info if isinstance(info, dict) else {}
        target = info.get("quote_id")
        author = None if info.get("unknown_author") else info.get("author")
        marked.append({"source": source, "target": None if target is None else f"{site}/posts/{target}",
                       "target_author": author,
                       "quoted_text": raw[start:end].strip(), "start": start, "end": end})  # fmt: skip
        cut.setdefault(source, []).append((start, end))
    for row in rows:
        spans_here = cut.get(row["post_id"])
        row["text"] = remove_spans(row["raw_text"], spans_here or [])
    frame = pl.DataFrame(
        rows,
        schema={"post_id": pl.String, "position": pl.Int64, "author": pl.String, "raw_text": pl.String,
                "reply_to": pl.String, "created_at": UTC_DATETIME, "text": pl.String},
    ).with_columns(thread_id=pl.lit(f"{site}/threads/{thread_id}"),
                   title=pl.lit(_title(posts, metadata), pl.String))  # fmt: skip
    return Parsed(finish_posts(frame, default_thread=thread_id), pl.DataFrame(marked, schema=MARKED_SCHEMA))


def _combine(parts: Iterable[Parsed]) -> Parsed:
    parts = list(parts)
    if not parts:
        return Parsed(finish_posts(pl.DataFrame({"text": []}, schema={"text": pl.String}), default_thread="iac"))
    return Parsed(
        pl.concat([p.posts for p in parts], how="diagonal_relaxed"),
        pl.concat([p.quotes for p in parts], how="diagonal_relaxed"),
    )


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES)


def _layout_name(name: str) -> tuple[str, str] | None:
    """``("discussions" or "ranges_quotes", id)`` for a member or file path of the IAC layout."""
    parts = PurePosixPath(name).parts
    if len(parts) >= 2 and parts[-2] in ("discussions", "ranges_quotes") and parts[-1].endswith(".json"):
        return parts[-2], parts[-1][: -len(".json")]
    return None


def _read_archive(path: Path) -> Parsed:
    discussions: dict[str, bytes] = {}
    ranges: dict[str, bytes] = {}
    with tarfile.open(path, "r|*") as archive:  # streaming: one pass, no seeking in compressed data
        for member in archive:
            layout = _layout_name(member.name) if member.isfile() else None
            if layout is None:
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                (discussions if layout[0] == "discussions" else ranges)[layout[1]] = handle.read()
    if not discussions:
        raise InputError("unknown archive layout: expected members discussions/<id>.json (the IAC layout)", path=path)
    parts = []
    for tid in sorted(discussions, key=_id_order):
        spans = ranges[tid].decode("utf-8") if tid in ranges else None
        where = f"{path}:discussions/{tid}.json"
        parts.append(parse_iac_discussion(discussions[tid].decode("utf-8"), spans, thread_id=tid, where=where))
    return _combine(parts)


def _id_order(tid: str) -> tuple[int, str]:
    return (int(tid), tid) if tid.isdigit() else (1 << 62, tid)


def _read_file(path: Path) -> Parsed:
    tid = path.name[: -len(".json")] if path.name.endswith(".json") else path.stem
    ranges = path.parent.parent / "ranges_quotes" / path.name
    return parse_iac_discussion(
        path.read_text(encoding="utf-8"), ranges.read_text(encoding="utf-8") if ranges.exists() else None,
        thread_id=tid, where=str(path),
    )  # fmt: skip


def read_iac(path: str | Path) -> Parsed:
    """Read the IAC layout from a folder, one discussion file, or a tar archive; see :func:`parse_iac_discussion`."""
    path = Path(path)
    try:
        if path.is_dir():
            files = sorted((path / "discussions").glob("*.json"), key=lambda p: _id_order(p.stem))
            if not files:
                raise InputError("unknown layout: expected discussions/<id>.json (the IAC layout)", path=path)
            return _combine(_read_file(f) for f in files)
        if _is_archive(path):
            return _read_archive(path)
        return _read_file(path)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except (tarfile.TarError, EOFError) as exc:
        raise InputError(f"cannot read the archive ({exc or type(exc).__name__})", path=path) from None


def looks_like_iac(path: Path, head: str) -> bool:
    """A folder with ``discussions/``, a tar archive of that layout, or a discussion file."""
    if path.is_dir():
        return (path / "discussions").is_dir() and any((path / "discussions").glob("*.json"))
    if _is_archive(path):
        try:
            with tarfile.open(path, "r|*") as archive:
                for member in archive:
                    if member.isfile():
                        return _layout_name(member.name) is not None
        except (tarfile.TarError, OSError, EOFError):
            return False
        return False
    if path.parent.name != "discussions":
        return False
    return re.match(r"\ufeff?\s*\[\s*\[\s*\[", head) is not None
