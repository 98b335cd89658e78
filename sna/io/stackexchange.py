"""Stack Exchange data-dump XML: ``Posts.xml`` with ``Comments.xml`` and ``Users.xml`` beside it.

Give the folder that holds the three files, or ``Posts.xml`` itself (its
siblings are found automatically; ``Comments.xml`` and ``Users.xml`` are
optional, a folder without ``Posts.xml`` is not a dump).

* Each question (``PostTypeId`` 1) starts a thread whose id is the question's
  ``Id``; answers (``PostTypeId`` 2) reply to their question (``ParentId``);
  comments reply to the post they are on. Moderator nominations are threads
  of their own. Tag wikis, their excerpts and the other wiki rows
  (``PostTypeId`` 3, 4, 5, 7, 8) are reference text, not discussion: they
  and the comments on them are left out. ``post_type`` tells which is which.
* Ids are ``SITE/posts/ID`` for questions and answers (``ID`` as in the
  site's ``/q/ID`` and ``/a/ID`` links), ``SITE/comments/ID`` for comments
  (a separate series) and ``SITE/threads/ID`` for threads, where SITE is the
  dump folder's name (e.g. ``history.meta.stackexchange.com``), so that dumps
  of several sites, each numbering from 1, can be read together.
* Posts are ordered by ``CreationDate`` within a thread, question first.
* Authors are the user's ``DisplayName`` from ``Users.xml``; else (deleted
  accounts, or no ``Users.xml``) the dump's ``OwnerDisplayName`` /
  ``UserDisplayName``; else ``userID`` from ``OwnerUserId`` / ``UserId``, as
  the sites show accounts they have no name for (``Community`` for -1); else
  null.
* ``Body`` is HTML, converted to text with paragraphs kept. A ``<blockquote>``
  is a marked quote without a named target, and its words are removed from
  ``text``: the quoted post is looked for by its words among the thread's
  earlier posts; quotes of documentation or other sites are unresolved
  quotes. Comments are plain text.
* A ``CreationDate`` that is not an ISO 8601 date or a ``Score`` that is not a
  whole number is an error naming the file, line and row.

The files are parsed as a stream (``lxml.etree.iterparse``, clearing each
row), so dumps of large sites fit in memory as the posts table does. The byte
order mark and the ``<!DOCTYPE …>`` line some copies carry are accepted; the
DTD is not loaded.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import polars as pl
from lxml import etree

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers.boundary import reading, shorten
from sna.io.helpers.html_text import html_to_text, parse_html, text_with_blocks
from sna.io.helpers.streams import open_input
from sna.schema import UTC_DATETIME
from sna.text import remove_spans, tidy

_POST_TYPES = {
    "1": "question", "2": "answer", "3": "orphaned_tag_wiki", "4": "tag_wiki_excerpt", "5": "tag_wiki",
    "6": "moderator_nomination", "7": "wiki_placeholder", "8": "privilege_wiki",
}  # fmt: skip
#: Post types that hold reference text (tag wikis and their excerpts, help-centre wikis), not discussion.
_WIKI_TYPES = {"orphaned_tag_wiki", "tag_wiki_excerpt", "tag_wiki", "wiki_placeholder", "privilege_wiki"}


def _rows(source: str | bytes | IO[bytes], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, attributes)`` of every ``<row>`` of a dump file, streaming."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        for _, element in etree.iterparse(
            source, events=("end",), tag="row", load_dtd=False, no_network=True, resolve_entities=False,
            huge_tree=True, remove_comments=True,
        ):  # fmt: skip
            yield element.sourceline or 0, dict(element.attrib)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not valid XML ({shorten(exc.msg, 100)})", path=name, line=exc.lineno) from None


def _time(row: dict[str, str], where: str, line: int) -> dt.datetime | None:
    value = row.get("CreationDate")
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"row Id={shorten(row.get('Id'), 20)}: CreationDate {shorten(repr(value), 40)} is not a date; "
            "expected ISO 8601 such as 2011-10-11T19:21:53.563",
            path=where, line=line,
        ) from None  # fmt: skip
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def _score(row: dict[str, str], where: str, line: int) -> int | None:
    value = row.get("Score")
    if not value:
        return None
    try:
        score = int(value)
    except ValueError:
        score = None
    if score is None or not -(2**63) <= score < 2**63:
        raise InputError(f"row Id={shorten(row.get('Id'), 20)}: Score {shorten(repr(value), 40)} is not a whole "
                         "number; expected the post's vote count", path=where, line=line)  # fmt: skip
    return score


def body_text(html: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Text of an HTML body and the spans of its top-level ``<blockquote>`` elements.

    Returns
    -------
    raw : str
        The whole body as plain text.
    quotes : list of (start, end, quoted text)
        Spans into ``raw``.

    Examples
    --------
    >>> body_text("<blockquote><p>Tea is best.</p></blockquote><p>No, coffee.</p>")
    ('Tea is best.\\n\\nNo, coffee.', [(0, 12, 'Tea is best.')])
    """
    if "<blockquote" not in html:
        return html_to_text(html), []
    root = parse_html(html)
    blocks = [b for b in root.iter("blockquote") if not any(a.tag == "blockquote" for a in b.iterancestors())]
    raw, spans = text_with_blocks(root, [[b] for b in blocks])
    return raw, [(start, end, raw[start:end]) for start, end in spans if raw[start:end].strip()]


def _comment_text(text: str) -> str:
    return tidy(text.replace("\r\n", "\n"))


def _siblings(path: Path) -> tuple[Path, Path | None, Path | None]:
    folder = path if path.is_dir() else path.parent
    names = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    posts = names.get("posts.xml")
    if path.is_dir() and posts is None:
        raise InputError("no Posts.xml: expected a Stack Exchange dump folder (Posts.xml, Comments.xml, Users.xml)",
                         path=path)  # fmt: skip
    if not path.is_dir() and path.name.lower() != "posts.xml":
        raise InputError("is read together with Posts.xml: give the dump's folder or its Posts.xml", path=path)
    return posts or path, names.get("comments.xml"), names.get("users.xml")


def _skipped(kind: str) -> bool:
    return kind in _WIKI_TYPES


def parse_stackexchange(
    posts: str | bytes | IO[bytes],
    comments: str | bytes | IO[bytes] | None = None,
    users: str | bytes | IO[bytes] | None = None,
    *,
    source: str = "stackexchange",
    site: str | None = None,
) -> Parsed:
    """Parse the XML of a Stack Exchange dump.

    Parameters
    ----------
    posts, comments, users : bytes or binary file
        ``Posts.xml``, and optionally ``Comments.xml`` and ``Users.xml`` (a
        str is taken as a file name, as by ``lxml``).
    source : str
        Where the dump came from (its folder): error messages name
        ``SOURCE/Posts.xml`` and so on.
    site : str, optional
        Prefix of every id (dumps come one per site, each numbering from 1);
        the folder's name when not given.

    Returns
    -------
    Parsed
        POSTS with extra columns ``post_type`` and ``score``, and
        ``<blockquote>`` quotes.

    Raises
    ------
    InputError
        An answer whose question, or a comment whose post, is not in the
        dump, a ``CreationDate`` that is not a date or a ``Score`` that is not
        a whole number (naming the file, line and row id), or invalid XML.

    Examples
    --------
    >>> posts = b\'\'\'<posts>
    ... <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" Title="Tea?" Body="&lt;p&gt;Tea?&lt;/p&gt;"
    ...   OwnerUserId="7" />
    ... <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2020-01-02T00:00:00" Body="&lt;p&gt;Yes.&lt;/p&gt;"
    ...   OwnerDisplayName="gone" />
    ... <row Id="3" PostTypeId="5" CreationDate="2020-01-02T00:00:00" Body="&lt;p&gt;About tea.&lt;/p&gt;" />
    ... </posts>\'\'\'
    >>> comments = (b'<comments><row Id="5" PostId="2" Text="Why?" UserId="7" CreationDate="2020-01-03T00:00:00" />'
    ...             b'<row Id="6" PostId="2" Text="Because." UserId="8" CreationDate="2020-01-04T00:00:00" />'
    ...             b'</comments>')
    >>> users = b'<users><row Id="7" DisplayName="ann" /></users>'
    >>> parsed = parse_stackexchange(posts, comments, users, site="tea.se")
    >>> parsed.posts.select("post_id", "author", "text").rows()
    [('tea.se/posts/1', 'ann', 'Tea?'), ('tea.se/posts/2', 'gone', 'Yes.'), ('tea.se/comments/5', 'ann', 'Why?'), \
('tea.se/comments/6', 'user8', 'Because.')]
    >>> parsed.posts["reply_to"].to_list(), parsed.posts["thread_id"].unique().to_list()
    ([None, 'tea.se/posts/1', 'tea.se/posts/2', 'tea.se/posts/2'], ['tea.se/threads/1'])
    """
    folder = Path(source)
    names = (str(folder / "Posts.xml"), str(folder / "Comments.xml"), str(folder / "Users.xml"))
    site = site or folder.name or "stackexchange"
    user_names: dict[str, str] = {}
    if users is not None:
        for _, row in _rows(users, names[2]):
            if row.get("Id") is not None and row.get("DisplayName") is not None:
                user_names[row["Id"]] = row["DisplayName"]

    def author(row: dict[str, str], user_key: str, fallback: str) -> str | None:
        user = row.get(user_key)
        name = user_names.get(user or "") or row.get(fallback) or None
        if name is None and user:
            name = "Community" if user == "-1" else f"user{user}"  # as the site shows accounts it has no name for
        return name

    records: list[dict[str, Any]] = []
    marked: list[dict[str, Any]] = []
    parent_of: dict[str, tuple[str, int, str]] = {}  # post id -> (ParentId, line, post type)
    skipped: set[str] = set()
    for line, row in _rows(posts, names[0]):
        post_id = row.get("Id")
        if post_id is None:
            raise InputError("row without Id; expected <row Id=… PostTypeId=…>", path=names[0], line=line)
        kind = _POST_TYPES.get(row.get("PostTypeId", ""), f"type_{row.get('PostTypeId')}")
        if _skipped(kind):  # tag wikis and their like: reference text, not posts of a discussion
            skipped.add(post_id)
            continue
        raw, quotes = body_text(row.get("Body", ""))
        if row.get("ParentId"):
            parent_of[post_id] = (row["ParentId"], line, kind)
        for start, end, quoted in quotes:
            marked.append({"source": post_id, "target": None, "target_author": None, "quoted_text": quoted,
                           "start": start, "end": end})  # fmt: skip
        records.append(
            {"post_id": post_id, "reply_to": row.get("ParentId") or None,
             "author": author(row, "OwnerUserId", "OwnerDisplayName"),
             "created_at": _time(row, names[0], line), "title": row.get("Title"), "raw_text": raw,
             "post_type": kind, "score": _score(row, names[0], line), "_line": line}
        )  # fmt: skip
    thread_of = {r["post_id"]: r["post_id"] for r in records if r["reply_to"] is None}
    for post_id, (parent, line, kind) in parent_of.items():
        if parent not in thread_of:
            what = "answer" if kind == "answer" else f"{kind} post"
            raise InputError(
                f"row Id={post_id}: {what} has ParentId={shorten(parent, 20)}, which is not a question in "
                f"{Path(names[0]).name}; expected the post it answers in the same dump",
                path=names[0], line=line,
            )  # fmt: skip
        thread_of[post_id] = thread_of[parent]
    if comments is not None:
        for line, row in _rows(comments, names[1]):
            on = row.get("PostId")
            if on in skipped:
                continue
            if on not in thread_of:
                raise InputError(
                    f"row Id={shorten(row.get('Id'), 20)}: comment has PostId={shorten(on, 20)}, which is not in "
                    f"{Path(names[0]).name}; expected the post it is on in the same dump",
                    path=names[1], line=line,
                )  # fmt: skip
            thread_of[f"c{row.get('Id')}"] = thread_of[on]
            records.append(
                {"post_id": f"c{row.get('Id')}", "reply_to": on, "author": author(row, "UserId", "UserDisplayName"),
                 "created_at": _time(row, names[1], line), "title": None,
                 "raw_text": _comment_text(row.get("Text", "")), "post_type": "comment",
                 "score": _score(row, names[1], line), "_line": line}
            )  # fmt: skip
    if not records:
        raise InputError('no questions, answers or comments; expected <row PostTypeId="1" …> rows', path=names[0])
    schema = {"post_id": pl.String, "reply_to": pl.String, "author": pl.String, "created_at": UTC_DATETIME,
              "title": pl.String, "raw_text": pl.String, "post_type": pl.String, "score": pl.Int64,
              "_line": pl.Int64}  # fmt: skip
    frame = pl.DataFrame(records, schema=schema).with_row_index("_order")
    root_or_answer = pl.col("reply_to").is_null()
    frame = (
        frame.with_columns(
            thread_id=pl.col("post_id").replace_strict(thread_of, return_dtype=pl.String),
            _root=root_or_answer,
        )
        .sort("thread_id", ~pl.col("_root"), "created_at", "_order", nulls_last=True)
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("thread_id"),
            title=pl.col("title").filter(pl.col("_root")).first().over("thread_id"),
        )
    )
    quotes = pl.DataFrame(marked, schema=MARKED_SCHEMA)
    own = _own_texts(frame, quotes)
    frame = frame.with_columns(text=own).drop("_order", "_root", "_line")
    frame = frame.sort(pl.col("thread_id").cast(pl.Int64, strict=False), "thread_id", "position")
    frame = frame.with_columns(
        post_id=_site_key(pl.col("post_id"), site),
        reply_to=_site_key(pl.col("reply_to"), site),
        thread_id=pl.lit(f"{site}/threads/") + pl.col("thread_id"),
    )
    quotes = quotes.with_columns(source=_site_key(pl.col("source"), site))
    return Parsed(finish_posts(frame, default_thread=site), quotes, recover=False)


def _site_key(ids: pl.Expr, site: str) -> pl.Expr:
    """``SITE/posts/ID`` for questions and answers, ``SITE/comments/ID`` for comments (kept as ``cID`` until here)."""
    return (
        pl.when(ids.str.starts_with("c"))
        .then(pl.lit(f"{site}/comments/") + ids.str.slice(1))
        .otherwise(pl.lit(f"{site}/posts/") + ids)
    )


def _own_texts(frame: pl.DataFrame, quotes: pl.DataFrame) -> pl.Series:
    spans: dict[str, list[tuple[int, int]]] = {}
    for source, start, end in quotes.select("source", "start", "end").iter_rows():
        spans.setdefault(source, []).append((start, end))
    texts = [
        remove_spans(raw, spans[pid]) if pid in spans else raw
        for pid, raw in zip(frame["post_id"].to_list(), frame["raw_text"].to_list(), strict=True)
    ]
    return pl.Series("text", texts, dtype=pl.String)


@reading("a Stack Exchange dump folder (Posts.xml, with Comments.xml and Users.xml beside it)")
def read_stackexchange(path: str | Path) -> Parsed:
    """Read a Stack Exchange dump: its folder, or its ``Posts.xml`` with the siblings beside it.

    See :func:`parse_stackexchange`.
    """
    path = Path(path)
    files = _siblings(path)
    folder = files[0].parent
    with ExitStack() as stack:
        streams = [None if f is None else stack.enter_context(open_input(f, ahead=True)) for f in files]
        return parse_stackexchange(
            streams[0], streams[1], streams[2], source=str(folder), site=folder.resolve().name or "stackexchange"
        )


def looks_like_stackexchange(path: Path, head: str) -> bool:
    """Sniff a dump folder (holding Posts.xml) or a dump's XML file."""
    if path.is_dir():
        return any(p.name.lower() == "posts.xml" for p in path.iterdir() if p.is_file())
    text = head.lstrip("\ufeff")[:4096]
    return "<row " in text and any(f"<{tag}>" in text for tag in ("posts", "comments", "users"))
