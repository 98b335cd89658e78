"""Reddit: Pushshift / Arctic Shift NDJSON dumps (plain or ``.zst``), tar archives of them, and thread ``.json`` pages.

Records use the Reddit API's field names: ``id``, ``name`` (fullname,
``t1_…`` for comments, ``t3_…`` for submissions), ``parent_id``, ``link_id``,
``author`` (``author_name`` in some exports), ``body`` or ``selftext``,
``title``, ``created_utc``, ``score``, ``subreddit``.

* ``post_id`` is the fullname, so ``reply_to`` is ``parent_id`` as given and
  ``thread_id`` is ``link_id`` (the submission's fullname). A submission in the
  input is its thread's first post; comments follow by ``created_utc``.
* Lines of a comment that start with ``>`` are quotes of its parent. A block is
  given the parent as its target only when the parent is in the same input and
  its text holds the quoted words (:func:`~sna.io.markdown_quotes.quote_matches`).
  Otherwise the block's target is left open, and :func:`sna.edges.extract_edges`
  looks for the quoted post by its words among the thread's earlier posts (a
  reply often quotes the submission, not the comment it answers); a block
  found nowhere (a news article, the subreddit's rules) is counted as
  unresolved and its words go back into the post's text. A submission's
  ``>`` lines quote things outside the thread and stay in its text.
* ``[deleted]`` and ``[removed]`` authors become a null ``author`` (so no one
  node gathers every deleted account), with ``author_deleted`` true.
* Markdown bodies are kept as they are, except that the HTML escapes Reddit's
  API adds (``&gt;``, ``&lt;``, ``&amp;``) are undone.

Quotes pasted without ``>`` are rare on Reddit, so these posts are not
searched for them (``recover`` is false).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts, json_lines
from sna.io.markdown_quotes import quote_matches, split_markdown_quotes
from sna.schema import UTC_DATETIME

_DELETED = {"[deleted]", "[removed]"}
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_NDJSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_NOTES = ("readme", "license", "licence", "source.md", "changelog")

#: One record and where it came from: (record, file, line) — line is None for pages.
Located = tuple[dict[str, Any], str, int | None]


def _unescape(text: str) -> str:
    """Undo the three escapes Reddit's API applies to markdown bodies.

    Examples
    --------
    >>> _unescape("&gt; a &amp;lt; b")
    '> a &lt; b'
    """
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def _fullname(value: object, prefix: str) -> str:
    text = str(value)
    return text if text[:3] in ("t1_", "t3_") else prefix + text


def _timestamp(value: object) -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _is_submission(record: dict[str, Any]) -> bool:
    name = str(record.get("name") or "")
    if name.startswith("t3_"):
        return True
    if name.startswith("t1_") or "parent_id" in record or "body" in record:
        return False
    return "selftext" in record or "num_comments" in record or "is_self" in record


def _row(record: dict[str, Any], where: str, line: int | None) -> dict[str, Any]:
    """One POSTS row from a Reddit record (without position)."""
    if "id" not in record and "name" not in record:
        raise InputError(
            "expected a Reddit comment or submission (fields id or name, body or selftext)", path=where, line=line
        )
    submission = _is_submission(record)
    post_id = _fullname(record.get("name") or record["id"], "t3_" if submission else "t1_")
    if submission:
        thread_id, parent = post_id, None
        text = record.get("selftext", record.get("body"))
        title = record.get("title")
    else:
        link = record.get("link_id")
        if not link:
            raise InputError(
                f"comment {post_id} has no link_id; expected the fullname of its submission", path=where, line=line
            )
        thread_id = _fullname(link, "t3_")
        parent = _fullname(record["parent_id"], "t1_") if record.get("parent_id") else None
        text = record.get("body")
        title = record.get("link_title") or record.get("title")
    author = record.get("author", record.get("author_name"))
    author = None if author is None or not str(author).strip() else str(author)
    deleted = author is not None and author.strip() in _DELETED
    score = record.get("score", record.get("ups"))
    return {
        "thread_id": thread_id,
        "post_id": post_id,
        "author": None if deleted else author,
        "created_at": _timestamp(record.get("created_utc", record.get("created"))),
        "title": str(title) if title else None,
        "raw_text": _unescape(str(text or "")),
        "reply_to": parent,
        "is_submission": submission,
        "author_deleted": deleted,
        "score": score if isinstance(score, int) and not isinstance(score, bool) else None,
        "subreddit": record.get("subreddit"),
    }


_ROW_SCHEMA = {
    "thread_id": pl.String,
    "post_id": pl.String,
    "author": pl.String,
    "created_at": UTC_DATETIME,
    "title": pl.String,
    "raw_text": pl.String,
    "reply_to": pl.String,
    "is_submission": pl.Boolean,
    "author_deleted": pl.Boolean,
    "score": pl.Int64,
    "subreddit": pl.String,
}


def parse_reddit_records(records: Iterable[Located]) -> Parsed:
    """Build POSTS and ``>`` quotes from Reddit records.

    Parameters
    ----------
    records : iterable of (dict, str, int or None)
        Each record with the file and line it came from (for error messages).
        A fullname seen twice keeps its first record.

    Returns
    -------
    Parsed
        POSTS (extra columns ``author_deleted``, ``score``, ``subreddit``) and
        the quotes stated by ``>`` lines; ``pages`` is true, so that a thread
        spread over several inputs (submissions and comments dumped apart)
        is merged by post id.

    Raises
    ------
    InputError
        A record that is not a comment or submission, or a comment without
        ``link_id``.

    Examples
    --------
    >>> records = [
    ...     ({"name": "t3_a", "title": "Tea?", "selftext": "Tea is better than coffee.", "author": "ann",
    ...       "created_utc": 1}, "x", 1),
    ...     ({"name": "t1_b", "link_id": "t3_a", "parent_id": "t3_a", "author": "[deleted]",
    ...       "body": "> Tea is better than coffee.\\n\\nNo.", "created_utc": 2}, "x", 2)]
    >>> parsed = parse_reddit_records(records)
    >>> parsed.posts.select("post_id", "position", "author", "title", "text", "reply_to").rows()
    [('t3_a', 1, 'ann', 'Tea?', 'Tea is better than coffee.', None), ('t1_b', 2, None, 'Tea?', 'No.', 't3_a')]
    >>> parsed.quotes.select("source", "target", "quoted_text").rows()
    [('t1_b', 't3_a', 'Tea is better than coffee.')]
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for record, where, line in records:
        row = _row(record, where, line)
        if row["post_id"] in seen:
            continue
        seen.add(row["post_id"])
        row["_order"] = len(rows)
        rows.append(row)
    raw_of = {row["post_id"]: row["raw_text"] for row in rows}
    marked: list[dict[str, Any]] = []
    for row in rows:
        row["text"] = row["raw_text"]
        if row["is_submission"] or ">" not in row["raw_text"]:
            continue
        own, quotes = split_markdown_quotes(row["raw_text"])
        row["text"] = own
        parent_text = raw_of.get(row["reply_to"]) if row["reply_to"] else None
        for quote in quotes:
            matched = parent_text is not None and quote_matches(quote.text, parent_text)
            marked.append(
                {"source": row["post_id"], "target": row["reply_to"] if matched else None, "target_author": None,
                 "quoted_text": quote.text, "start": quote.start, "end": quote.end}
            )  # fmt: skip
    schema = {**_ROW_SCHEMA, "_order": pl.Int64, "text": pl.String}
    posts = pl.DataFrame(rows, schema=schema)
    posts = (
        posts.sort(~pl.col("is_submission"), pl.col("created_at"), "_order", nulls_last=True)
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("thread_id"),
            title=pl.coalesce(
                pl.col("title").filter(pl.col("is_submission")).first().over("thread_id"),
                pl.col("title").drop_nulls().first().over("thread_id"),
            ),
        )
        .sort("thread_id", "position")
        .drop("_order", "is_submission")
    )
    quotes = pl.DataFrame(marked, schema=MARKED_SCHEMA)
    return Parsed(finish_posts(posts, default_thread="reddit"), quotes, recover=False, pages=True)


def _json_lines(lines: Iterable[str], where: str) -> Iterator[Located]:
    for number, record in json_lines(lines, where=where, what="Reddit record"):
        yield record, where, number


def _walk_listing(node: object) -> Iterator[dict[str, Any]]:
    """Records of a Reddit page: Listings, ``t1``/``t3`` things and their nested ``replies``."""
    if isinstance(node, list):
        for item in node:
            yield from _walk_listing(item)
    elif isinstance(node, dict):
        kind, data = node.get("kind"), node.get("data")
        if kind == "Listing" and isinstance(data, dict):
            yield from _walk_listing(data.get("children", []))
        elif kind in ("t1", "t3") and isinstance(data, dict):
            yield data
            yield from _walk_listing(data.get("replies") or [])


def parse_reddit_page(data: object, *, where: str = "page") -> Parsed:
    """Parse a thread page as reddit.com serves it with ``.json`` (a two-Listing array).

    ``more`` stubs (comments not loaded on the page) are skipped.

    Examples
    --------
    >>> page = [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
    ...     "name": "t3_a", "title": "Tea?", "selftext": "Tea!", "author": "ann", "created_utc": 1}}]}},
    ...   {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
    ...     "name": "t1_b", "link_id": "t3_a", "parent_id": "t3_a", "body": "Coffee!", "author": "bo",
    ...     "created_utc": 2, "replies": {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
    ...       "name": "t1_c", "link_id": "t3_a", "parent_id": "t1_b", "body": "Water.", "author": "cy",
    ...       "created_utc": 3, "replies": ""}}, {"kind": "more", "data": {}}]}}}}]}}]
    >>> parse_reddit_page(page).posts.select("post_id", "author", "reply_to").rows()
    [('t3_a', 'ann', None), ('t1_b', 'bo', 't3_a'), ('t1_c', 'cy', 't1_b')]
    """
    records = [(record, where, None) for record in _walk_listing(data)]
    if not records:
        raise InputError("no Reddit comments or submission found; expected a thread page's .json", path=where)
    return parse_reddit_records(records)


class _TruncatedError(Exception):
    """A zstandard stream that ends inside a frame."""


def _zst_lines(path: Path, chunk_size: int = 1 << 20) -> Iterator[str]:
    """Lines of a zstandard-compressed text file, decompressed as a stream (frames may follow one another)."""
    import zstandard

    context = zstandard.ZstdDecompressor(max_window_size=2**31)  # dumps use long windows
    decoder = context.decompressobj()
    pending = b""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            data = decoder.decompress(chunk)
            while decoder.eof and decoder.unused_data:
                rest = decoder.unused_data
                decoder = context.decompressobj()
                data += decoder.decompress(rest)
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.decode("utf-8")
    if not decoder.eof:
        raise _TruncatedError
    if pending:
        yield pending.decode("utf-8")


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES)


def _archive_records(path: Path) -> Iterator[Located]:
    with tarfile.open(path, "r|*") as archive:  # streaming: members in archive order
        for member in archive:
            name = Path(member.name).name
            if not member.isfile() or name.startswith(".") or not name.lower().endswith((*_NDJSON_SUFFIXES, ".zst")):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            if name.lower().endswith(".zst"):
                import zstandard

                data = zstandard.ZstdDecompressor(max_window_size=2**31).decompressobj().decompress(data)
            yield from _json_lines(data.decode("utf-8").splitlines(), f"{path}:{member.name}")


def read_reddit(path: str | Path) -> Parsed:
    """Read a Reddit NDJSON dump (plain or ``.zst``), a tar archive of them, or a thread's ``.json`` page.

    See :func:`parse_reddit_records` and :func:`parse_reddit_page`.

    Raises
    ------
    InputError
        An invalid JSON line (naming file and line), corrupt compressed data,
        a record that is not a comment or submission, or no records at all.
    """
    path = Path(path)
    try:
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                raise InputError("expected a folder holding only Reddit dump files (.json, .jsonl, .ndjson, .zst)",
                                 path=path)  # fmt: skip
            parsed = parse_reddit_records(record for file in files for record in _file_records(file))
        elif _is_archive(path):
            parsed = parse_reddit_records(_archive_records(path))
        elif path.suffix.lower() == ".zst":
            parsed = parse_reddit_records(_file_records(path))
        else:
            with path.open(encoding="utf-8") as handle:
                head = handle.read(1)
                while head.isspace():
                    head = handle.read(1)
                if head == "[":
                    try:
                        data = json.loads(head + handle.read())
                    except json.JSONDecodeError as exc:
                        raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", path=path) from None
                    return parse_reddit_page(data, where=str(path))
                parsed = parse_reddit_records(_json_lines(_prepend(head, handle), str(path)))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except (tarfile.TarError, EOFError) as exc:
        raise InputError(f"cannot read the archive ({exc or type(exc).__name__})", path=path) from None
    except _TruncatedError:
        raise InputError("corrupt or truncated zstandard data (the stream ends inside a frame)", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    except Exception as exc:
        if type(exc).__name__ == "ZstdError":
            raise InputError(f"corrupt or truncated zstandard data ({exc})", path=path) from None
        raise
    if parsed.posts.height == 0:
        raise InputError("no Reddit comments or submissions found", path=path)
    return parsed


def _file_records(path: Path) -> Iterator[Located]:
    if path.suffix.lower() == ".zst":
        yield from _json_lines(_zst_lines(path), str(path))
        return
    with path.open(encoding="utf-8") as handle:
        yield from _json_lines(handle, str(path))


def _prepend(first: str, handle: io.TextIOBase) -> Iterator[str]:
    """Lines of ``handle`` with ``first`` (already read) put back in front."""
    rest = handle.readline()
    yield first + rest
    yield from handle


_FULLNAME_FIELD = re.compile(r'"(?:name|parent_id|link_id)"\s*:\s*"t[13]_')
_TEXT_FIELD = re.compile(r'"(?:body|selftext)"\s*:')
_SUBREDDIT_FIELD = re.compile(r'"subreddit"\s*:')


def looks_like_reddit_lines(head: str) -> bool:
    """Tell whether the first line of ``head`` is a Reddit comment or submission record.

    Only the field names are looked at, so a first line longer than ``head``
    is still recognised.

    Examples
    --------
    >>> looks_like_reddit_lines('{"id": "b", "parent_id": "t3_a", "link_id": "t3_a", "body": "hi"}\\n')
    True
    >>> looks_like_reddit_lines('{"id": "b", "text": "hi"}\\n')
    False
    """
    line = head.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    if not line.startswith("{") or not _TEXT_FIELD.search(line):
        return False
    return bool(_FULLNAME_FIELD.search(line) or _SUBREDDIT_FIELD.search(line))


def _folder_files(folder: Path) -> list[Path] | None:
    """The dump files of a folder that holds only Reddit dump files (and notes such as README), else None."""
    files: list[Path] = []
    for child in sorted(folder.iterdir()):
        name = child.name.lower()
        if name.startswith(".") or (child.is_file() and name.startswith(_NOTES)):
            continue
        if child.is_dir() or not name.endswith((*_NDJSON_SUFFIXES, ".zst")):
            return None
        files.append(child)
    return files or None


def looks_like_reddit(path: Path, head: str) -> bool:
    """Sniff a Reddit input: NDJSON records, a thread page, a tar archive or a folder of NDJSON files."""
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            return False
        if files[0].suffix.lower() == ".zst":
            return True
        with files[0].open("rb") as handle:
            return looks_like_reddit_lines(handle.read(65536).decode("utf-8", errors="replace"))
    if _is_archive(path):
        try:
            with tarfile.open(path, "r|*") as archive:
                for member in archive:
                    if member.isfile() and not Path(member.name).name.startswith("."):
                        handle = archive.extractfile(member)
                        return handle is not None and looks_like_reddit_lines(
                            handle.read(65536).decode("utf-8", errors="replace")
                        )
        except (tarfile.TarError, OSError, EOFError):
            return False
        return False
    if path.suffix.lower() == ".zst":
        return True
    text = head.lstrip("\ufeff").lstrip()
    if text.startswith("["):
        return '"Listing"' in text[:2000] and ('"t3"' in text or '"t1"' in text)
    return looks_like_reddit_lines(text)
