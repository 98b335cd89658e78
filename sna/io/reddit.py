"""Reddit: Pushshift / Arctic Shift NDJSON dumps (plain or compressed), tar archives of them, thread ``.json`` pages.

Records use the Reddit API's field names: ``id``, ``name`` (fullname,
``t1_…`` for comments, ``t3_…`` for submissions), ``parent_id``, ``link_id``,
``author`` (``author_name`` in some exports), ``body`` or ``selftext``,
``title``, ``created_utc``, ``score``, ``subreddit``.

* ``post_id`` is the fullname, so ``reply_to`` is ``parent_id`` as given and
  ``thread_id`` is ``link_id`` (the submission's fullname). A submission in the
  input is its thread's first post (position 1); comments follow by
  ``created_utc``. A thread whose submission is not in the input (comments
  dumped without it) numbers its comments from 2, so that the missing opening
  post shows.
* Lines that start with ``>`` are quotes, and their words are removed from
  ``text``. In a comment, a block is given the parent as its target only when
  the parent is in the same input and its text holds the quoted words
  (:func:`~sna.io.helpers.markdown_quotes.quote_matches`); otherwise the
  block's target is left open, and :func:`sna.edges.extract_edges` looks for
  the quoted post by its words among the thread's earlier posts (a reply often
  quotes the submission, not the comment it answers). A block found nowhere (a
  news article, the subreddit's rules) is an unresolved quote. A submission's
  ``>`` lines quote things outside the thread: unresolved quotes.
* ``[deleted]`` and ``[removed]`` authors become a null ``author`` (so no one
  node gathers every deleted account), with ``author_deleted`` true.
* Markdown bodies are kept as they are, except that the HTML escapes Reddit's
  API adds (``&gt;``, ``&lt;``, ``&amp;``) are undone.
* ``created_utc`` is read by :func:`~sna.io.helpers.timestamps.unix_time`
  (seconds or milliseconds; impossible values are null). An ``author``,
  ``title`` or ``subreddit`` that is not a string is left out; ids and bodies
  of the wrong type are errors.

Dumps are read as streams (:mod:`sna.io.helpers.streams`): ``.zst`` with any
window size, ``.bz2``, ``.xz`` and ``.gz`` files (told from their first
bytes), tar archives of them (``.tar``, ``.tar.gz``, …, members plain or
compressed); memory holds the posts read so far and one line. Thread pages
are walked without recursion, however deep the replies nest.

Quotes pasted without ``>`` are rare on Reddit, so these posts are not
searched for them (``recover`` is false).
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers.boundary import reading
from sna.io.helpers.json_data import json_lines, load_json
from sna.io.helpers.markdown_quotes import PY_WHITESPACE, quote_matches_frame, split_markdown_quotes_frame
from sna.io.helpers.streams import (
    LINE_LIMIT,
    decode_text,
    decompressed,
    head_bytes,
    numbered_lines,
    open_input,
    read_document,
)
from sna.io.helpers.timestamps import unix_time
from sna.schema import UTC_DATETIME

_DELETED = {"[deleted]", "[removed]"}
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")
_COMPRESSED_SUFFIXES = (".zst", ".bz2", ".xz", ".gz")
_NDJSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_NOTES = ("readme", "license", "licence", "source.md", "changelog")
_PAGE_WHAT = "a Reddit thread page (the .json of a thread: an array of two Listings)"

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


def _fullname(value: str, prefix: str) -> str:
    return value if value[:3] in ("t1_", "t3_") else prefix + value


def _field(record: dict[str, Any], key: str, where: str, line: int | None, *, ids: bool = False) -> str | None:
    """A string field; integers too where ``ids`` (some exports write numeric ids); anything else is an error."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    if ids and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"field {key!r} is {type(value).__name__}; expected a string", path=where, line=line)


def _optional(value: object) -> str | None:
    """A string, or None for anything else (fields read where present and well formed)."""
    return value if isinstance(value, str) and value.strip() else None


def _is_submission(record: dict[str, Any]) -> bool:
    name = str(record.get("name") or "")
    if name.startswith("t3_"):
        return True
    if name.startswith("t1_") or "parent_id" in record or "body" in record:
        return False
    return "selftext" in record or "num_comments" in record or "is_self" in record


def _row(record: dict[str, Any], where: str, line: int | None) -> dict[str, Any]:
    """One POSTS row from a Reddit record (without position)."""
    name = _field(record, "name", where, line, ids=True) or _field(record, "id", where, line, ids=True)
    if not name:
        raise InputError(
            "expected a Reddit comment or submission (fields id or name, body or selftext)", path=where, line=line
        )
    submission = _is_submission(record)
    post_id = _fullname(name, "t3_" if submission else "t1_")
    if submission:
        thread_id, parent = post_id, None
        text = _field(record, "selftext", where, line) if "selftext" in record else _field(record, "body", where, line)
        title = _optional(record.get("title"))
    else:
        link = _field(record, "link_id", where, line, ids=True)
        if not link:
            raise InputError(
                f"comment {post_id} has no link_id; expected the fullname of its submission", path=where, line=line
            )
        thread_id = _fullname(link, "t3_")
        stated = _field(record, "parent_id", where, line, ids=True)
        parent = _fullname(stated, "t1_") if stated else None
        text = _field(record, "body", where, line)
        title = _optional(record.get("link_title")) or _optional(record.get("title"))
    author = _optional(record.get("author", record.get("author_name")))
    deleted = author is not None and author.strip() in _DELETED
    score = record.get("score", record.get("ups"))
    return {
        "thread_id": thread_id,
        "post_id": post_id,
        "author": None if deleted else author,
        "created_at": unix_time(record.get("created_utc", record.get("created"))),
        "title": title,
        "raw_text": _unescape(text or ""),
        "reply_to": parent if parent != post_id else None,
        "is_submission": submission,
        "author_deleted": deleted,
        "score": score if isinstance(score, int) and not isinstance(score, bool) and abs(score) < 2**63 else None,
        "subreddit": _optional(record.get("subreddit")),
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


ROW_SCHEMA = _ROW_SCHEMA

#: Bytes of whole lines parsed at a time by :func:`block_rows` (a line longer than this is one block of its own).
BLOCK_BYTES = 16 * 2**20
_BOM = b"\xef\xbb\xbf"
#: The fields the batch parser reads, each with the only JSON type it takes from a block (any other type in a
#: block sends that block through the per-record rules, which decide as they always have).
_BATCH_FIELDS = {
    **dict.fromkeys(("name", "id", "link_id", "parent_id", "body", "selftext", "title", "link_title", "author",
                     "author_name", "subreddit"), "string"),
    **dict.fromkeys(("created_utc", "created", "score", "ups"), "int64"),
}  # fmt: skip
#: A line holding this many brackets may nest deeper than Python's JSON parser goes: it is read record by record.
_MANY_BRACKETS = 800
#: A run of this many digits may be an integer longer than Python's JSON parser takes (4,300 digits).
_LONG_DIGITS = 4000
_DIGIT_RUN = re.compile(rb"[0-9]{%d}" % _LONG_DIGITS)
#: Every byte but ``[``, ``{`` and the newline (deleted to count the brackets that open on each line).
_NOT_OPENING = bytes(sorted(set(range(256)) - set(b"[{\n")))
_INT64_MIN = -(2**63)
_MIN_US, _MAX_US = -62_135_596_800_000_000, 253_402_300_799_999_999  # years 1 and 9999 in microseconds


def line_blocks(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, bytes) of blocks of whole lines of a stream, about :data:`BLOCK_BYTES` each.

    A line longer than :data:`~sna.io.helpers.streams.LINE_LIMIT` ends the
    blocks (as its own block), so that reading it names it and memory stays bounded.

    Examples
    --------
    >>> import io
    >>> list(line_blocks(io.BytesIO(b"a\\nb\\nc")))
    [(1, b'a\\nb\\n'), (3, b'c')]
    """
    carry = b""
    line = 1
    while chunk := stream.read(BLOCK_BYTES):
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if not cut:
            carry = data
            if len(carry) > LINE_LIMIT:
                break
            continue
        block, carry = data[:cut], data[cut:]
        yield line, block
        line += block.count(b"\n")
    if carry:
        yield line, carry


def block_rows(block: bytes, *, where: str, first: int = 1) -> pl.DataFrame:
    """The rows (:data:`ROW_SCHEMA` and ``_line``) of a block of whole NDJSON lines, as :func:`_row` makes them.

    The block is parsed at once (pyarrow's JSON reader, with each field's
    JSON type fixed) and the per-record rules are applied as column
    expressions. Whatever those cannot decide exactly as the per-record rules
    do is decided by them: a block the batch reader rejects, or that holds
    lines Python's JSON parser may read otherwise, is read record by record
    (so that a bad line gets the same error, naming the file and line); single
    records whose outcome depends on a field being absent rather than null,
    or that the rules reject, go through :func:`_row` alone.

    Parameters
    ----------
    block : bytes
        Whole lines (the last may lack its newline).
    where : str
        The file, for error messages.
    first : int
        The number of the block's first line in the file.

    Raises
    ------
    InputError
        As :func:`parse_reddit_records` and reading the lines would, for the first bad line.

    Examples
    --------
    >>> block_rows(b'{"id": "b", "link_id": "t3_a", "body": "Hi &amp; bye", "author": "[removed]"}\\n',
    ...            where="x").select("post_id", "thread_id", "raw_text", "author", "author_deleted").rows()
    [('t1_b', 't3_a', 'Hi & bye', None, True)]
    """
    parsed = _batch_table(block, first)
    if parsed is None:
        return _record_rows(block, where, first)
    table, lines, numbers = parsed
    frame = _batch_columns(pl.from_arrow(table))  # type: ignore[arg-type]
    frame = frame.with_columns(_line=pl.Series(numbers, dtype=pl.Int64) + first)
    odd = frame["_odd"]
    if not odd.any():
        return frame.drop("_odd")
    redo = [int(i) for i in odd.arg_true().to_list()]
    rows = []
    for i in redo:
        record = json.loads(lines[numbers[i]])
        rows.append({**_row(record, where, first + numbers[i]), "_line": first + numbers[i]})
    fixed = pl.DataFrame(rows, schema={**_ROW_SCHEMA, "_line": pl.Int64})
    kept = frame.filter(~pl.col("_odd")).drop("_odd")
    return pl.concat([kept, fixed]).sort("_line")


def _batch_table(block: bytes, first: int) -> tuple[Any, list[bytes], list[int]] | None:
    """(pyarrow table, lines, indices of the non-blank lines) of a block, or None when it must go record by record."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    if first == 1 and block.startswith(_BOM):
        block = b" " * len(_BOM) + block[len(_BOM) :]  # numbered_lines drops it from line 1
    if _BOM in block or (b"\r" in block and block.count(b"\r") != block.count(b"\r\n")):  # Python and the reader differ
        return None
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = block.split(b"\n")
    if len(max(lines, key=len)) >= LINE_LIMIT:
        return None
    numbers = [i for i, line in enumerate(lines) if line.strip()]
    if not numbers:
        return None
    # what Python's JSON parser rejects and the batch reader takes: deep nesting, huge integers
    if max(map(len, block.translate(None, _NOT_OPENING).split(b"\n"))) >= _MANY_BRACKETS:  # brackets per line
        return None
    if any(len(line) >= _LONG_DIGITS and _DIGIT_RUN.search(line) for line in lines):
        return None
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in _BATCH_FIELDS.items()])
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    size = max(1 << 20, len(max(lines, key=len)) + 2)
    try:
        table = pa_json.read_json(
            pa.py_buffer(block),
            read_options=pa_json.ReadOptions(block_size=size, use_threads=False),  # threads: twice the CPU, no faster
            parse_options=options,
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(numbers):  # two records on one line, or a line the batch reader split
        return None
    return table, lines, numbers


def _py_blank(column: str) -> pl.Expr:
    """Whether a string column is null or holds only what ``str.strip()`` removes."""
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars(PY_WHITESPACE) == "")


def _optional_expr(column: str) -> pl.Expr:
    return pl.when(~_py_blank(column)).then(pl.col(column))


def _fullname_expr(column: str, prefix: str) -> pl.Expr:
    value = pl.col(column)
    return pl.when(value.str.starts_with("t1_") | value.str.starts_with("t3_")).then(value).otherwise(prefix + value)


def _time_expr(column: str) -> pl.Expr:
    """:func:`~sna.io.helpers.timestamps.unix_time` of an integer column (exactly: integer arithmetic only)."""
    value = pl.col(column)
    micros = (
        pl.when(value.is_between(-(10**11), 10**11, closed="none")).then(value * 10**6)
        .when(value.is_between(-(10**14), 10**14, closed="none")).then(value * 10**3)
        .when(value.is_between(-(10**17), 10**17, closed="none")).then(value)
        .otherwise(value // 1000)
    )  # fmt: skip
    return pl.when(micros.is_between(_MIN_US, _MAX_US)).then(micros).cast(UTC_DATETIME)


def _batch_columns(raw: pl.DataFrame) -> pl.DataFrame:
    """:func:`_row` as column expressions, with ``_odd`` marking the records it must decide itself."""
    raw = raw.with_columns(pl.col(c).cast(pl.String) for c in raw.columns if raw.schema[c] == pl.Null)
    col = pl.col
    name = col("name")
    ident = pl.when(name.is_not_null() & (name != "")).then(name).otherwise(col("id"))
    named_t3, named_t1 = name.str.starts_with("t3_").fill_null(False), name.str.starts_with("t1_").fill_null(False)
    comment_known = named_t1 | col("parent_id").is_not_null() | col("body").is_not_null()
    frame = raw.with_columns(_ident=ident, _sub=named_t3, _decided=named_t3 | comment_known)
    sub = col("_sub")
    # a null field may be absent or written as null: where that changes the outcome, _row decides
    unsure = (
        ~col("_decided")
        | col("_ident").is_null() | (col("_ident") == "")
        | (~sub & (col("link_id").is_null() | (col("link_id") == "")))
        | (sub & col("selftext").is_null() & col("body").is_not_null())
        | (col("author").is_null() & col("author_name").is_not_null())
        | (col("score").is_null() & col("ups").is_not_null())
        | (col("created_utc").is_null() & col("created").is_not_null())
    )  # fmt: skip
    post_id = pl.when(sub).then(_fullname_expr("_ident", "t3_")).otherwise(_fullname_expr("_ident", "t1_"))
    parent = pl.when(~sub & col("parent_id").is_not_null() & (col("parent_id") != "")).then(
        _fullname_expr("parent_id", "t1_")
    )
    text = pl.when(sub & col("selftext").is_not_null()).then(col("selftext")).otherwise(col("body")).fill_null("")
    author = pl.coalesce(col("author"), col("author_name"))
    frame = frame.with_columns(
        _odd=unsure,
        post_id=post_id,
        _author=pl.when(~_py_blank("author"))
        .then(col("author"))
        .otherwise(pl.when(col("author").is_null() & ~_py_blank("author_name")).then(col("author_name"))),
        _score=pl.coalesce(col("score"), col("ups")),
        _created=pl.coalesce(col("created_utc"), col("created")),
    ).with_columns(_parent=parent)
    del author
    deleted = col("_author").is_not_null() & col("_author").str.strip_chars(PY_WHITESPACE).is_in(sorted(_DELETED))
    return frame.select(
        thread_id=pl.when(sub).then(col("post_id")).otherwise(_fullname_expr("link_id", "t3_")),
        post_id=col("post_id"),
        author=pl.when(~deleted).then(col("_author")),
        created_at=_time_expr("_created"),
        title=pl.when(sub).then(_optional_expr("title")).otherwise(
            pl.coalesce(_optional_expr("link_title"), _optional_expr("title"))
        ),
        raw_text=text.str.replace_all("&gt;", ">", literal=True).str.replace_all("&lt;", "<", literal=True)
        .str.replace_all("&amp;", "&", literal=True),
        reply_to=pl.when(col("_parent") != col("post_id")).then(col("_parent")),
        is_submission=sub,
        author_deleted=deleted,
        score=pl.when(col("_score") != _INT64_MIN).then(col("_score")),
        subreddit=_optional_expr("subreddit"),
        _odd=col("_odd"),
    )  # fmt: skip


def _record_rows(block: bytes, where: str, first: int) -> pl.DataFrame:
    """The rows of a block read record by record (the rules of :func:`read_reddit`, errors and all)."""
    import io

    rows = [
        {**_row(record, where, number), "_line": number}
        for number, record in json_lines(
            numbered_lines(io.BytesIO(block), where=where, first=first), where=where, what="Reddit record"
        )
    ]
    return _rows_frame(rows, [(where, row["_line"]) for row in rows], {**_ROW_SCHEMA, "_line": pl.Int64})


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
        A record that is not a comment or submission, a comment without
        ``link_id``, an id or body of the wrong type, or no records at all.

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
    located: list[tuple[str, int | None]] = []
    where: str | None = None
    for record, where, line in records:
        rows.append(_row(record, where, line))
        located.append((where, line))
    return parse_reddit_rows(_rows_frame(rows, located, _ROW_SCHEMA), where=where)


def _rows_frame(rows: list[dict[str, Any]], located: list[tuple[str, int | None]], schema: dict) -> pl.DataFrame:
    """A frame of rows; a string that is not Unicode text (an unpaired surrogate, as JSON's ``\\ud800``) is an error."""
    try:
        return pl.DataFrame(rows, schema=schema)
    except UnicodeEncodeError:
        for row, (where, line) in zip(rows, located, strict=True):
            for key, value in row.items():
                if isinstance(value, str) and not value.isascii():
                    try:
                        value.encode("utf-8")
                    except UnicodeEncodeError as exc:
                        raise InputError(
                            f"field {key!r} holds an unpaired surrogate ({value[exc.start]!r}); expected Unicode text",
                            path=where, line=line,
                        ) from None  # fmt: skip
        raise


def parse_reddit_rows(rows: pl.DataFrame, *, where: str | None = None) -> Parsed:
    """Build POSTS and ``>`` quotes from rows of :data:`ROW_SCHEMA` (one per record, in input order).

    The second half of :func:`parse_reddit_records`: what it does once each
    record is a row, for rows made by :func:`block_rows` too. A fullname seen
    twice keeps its first row.

    Raises
    ------
    InputError
        No rows at all (naming ``where``).

    Examples
    --------
    >>> rows = block_rows(b'{"name": "t3_a", "title": "Tea?", "selftext": "Tea!"}\\n'
    ...                   b'{"name": "t1_b", "link_id": "t3_a", "parent_id": "t3_a", "body": "> Tea!\\\\n\\\\nNo."}\\n',
    ...                   where="x.jsonl")
    >>> parse_reddit_rows(rows).posts.select("post_id", "position", "text", "reply_to").rows()
    [('t3_a', 1, 'Tea!', None), ('t1_b', 2, 'No.', 't3_a')]
    """
    if not rows.height:
        raise InputError("no Reddit comments or submissions found", path=where)
    rows = rows.select(list(_ROW_SCHEMA)).unique("post_id", keep="first", maintain_order=True)
    rows = rows.with_columns(_order=pl.int_range(pl.len(), dtype=pl.Int64))
    # only texts with a line that may open a quote block (split_markdown_quotes leaves the others as they are)
    quoting = rows.select("_order", "post_id", "reply_to", "raw_text").filter(
        pl.col("raw_text").str.contains(">", literal=True) & pl.col("raw_text").str.contains(r"(?m)^ {0,3}(?:>|&gt;)")
    )
    quoting = quoting.join(
        rows.select(pl.col("post_id").alias("reply_to"), pl.col("raw_text").alias("_parent_text")),
        on="reply_to", how="left", maintain_order="left",
    )  # fmt: skip
    own_texts, found = split_markdown_quotes_frame(quoting["raw_text"])
    found = found.join(
        quoting.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("index"), "post_id", "reply_to", "_parent_text"),
        on="index", how="left", maintain_order="left",
    )  # fmt: skip
    matched = quote_matches_frame(found["quoted_text"], found["_parent_text"])
    quotes = found.with_columns(matched).select(
        source=pl.col("post_id"),
        target=pl.when(pl.col("matched")).then(pl.col("reply_to")),
        target_author=pl.lit(None, pl.String),
        quoted_text=pl.col("quoted_text"),
        start=pl.col("start"),
        end=pl.col("end"),
    )
    text = rows["raw_text"].alias("text")
    if quoting.height:
        text = text.scatter(quoting["_order"], own_texts)
    posts = rows.with_columns(text)
    posts = (
        posts.sort(~pl.col("is_submission"), pl.col("created_at"), "_order", nulls_last=True)
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("thread_id")
            + (~pl.col("is_submission").any().over("thread_id")).cast(pl.Int64),  # no submission: start at 2
            title=pl.coalesce(
                pl.col("title").filter(pl.col("is_submission")).first().over("thread_id"),
                pl.col("title").drop_nulls().first().over("thread_id"),
            ),
        )
        .sort("thread_id", "position")
        .drop("_order", "is_submission")
    )
    return Parsed(finish_posts(posts, default_thread="reddit"), quotes.cast(MARKED_SCHEMA), recover=False, pages=True)


def _walk_listing(node: object) -> Iterator[dict[str, Any]]:
    """Records of a Reddit page: Listings, ``t1``/``t3`` things and their nested ``replies``, depth first.

    Walked with an explicit stack, so that reply chains of any depth are read.
    """
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            kind, data = item.get("kind"), item.get("data")
            if kind == "Listing" and isinstance(data, dict):
                stack.append(data.get("children", []))
            elif kind in ("t1", "t3") and isinstance(data, dict):
                yield data
                stack.append(data.get("replies") or [])


def parse_reddit_page(data: str | bytes | object, *, source: str = "page") -> Parsed:
    """Parse a thread page as reddit.com serves it with ``.json`` (a two-Listing array).

    ``data`` is the page's JSON text or the parsed value. ``more`` stubs
    (comments not loaded on the page) are skipped.

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
    if isinstance(data, str | bytes):
        data = load_json(data, where=source, what=_PAGE_WHAT)
    records = [(record, source, None) for record in _walk_listing(data)]
    if not records:
        raise InputError("no Reddit comments or submission found; expected a thread page's .json", path=source)
    return parse_reddit_records(records)


def parse_reddit(data: str, *, source: str = "reddit") -> Parsed:
    """Parse Reddit data given as text: NDJSON records (one per line) or a thread page's JSON.

    Examples
    --------
    >>> lines = ('{"name": "t3_a", "title": "Tea?", "selftext": "Tea!"}\\n'
    ...          '{"name": "t1_b", "link_id": "t3_a", "body": "No."}')
    >>> parse_reddit(lines, source="dump.jsonl").posts.select("post_id", "position", "text").rows()
    [('t3_a', 1, 'Tea!'), ('t1_b', 2, 'No.')]
    """
    if data.lstrip("\ufeff \t\r\n").startswith("["):
        return parse_reddit_page(data, source=source)
    return parse_reddit_records(_records(data.split("\n"), source))


def _records(lines: Iterable[str] | Iterable[tuple[int, str]], where: str) -> Iterator[Located]:
    for number, record in json_lines(lines, where=where, what="Reddit record"):
        yield record, where, number


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES)


def _is_dump_name(name: str) -> bool:
    name = name.lower()
    for suffix in _COMPRESSED_SUFFIXES:
        name = name.removesuffix(suffix)
    return name.endswith(_NDJSON_SUFFIXES) or "." not in Path(name).name or name.startswith(("rc_", "rs_"))


def _archive_streams(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """(stream, ``archive:member``) of each dump member of a tar archive, read as a stream (plain or compressed)."""
    with open_input(path, ahead=True) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:  # streaming: members in archive order, none read whole
            name = Path(member.name).name
            if not member.isfile() or name.startswith(".") or name.lower().startswith(_NOTES):
                continue
            if not _is_dump_name(name):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            where = f"{path}:{member.name}"
            yield decompressed(handle, where=where), where


def _archive_records(path: Path) -> Iterator[Located]:
    """Records of every dump member of a tar archive."""
    for stream, where in _archive_streams(path):
        yield from _records(numbered_lines(stream, where=where), where)


def _file_records(path: Path) -> Iterator[Located]:
    with open_input(path, ahead=True) as stream:
        yield from _records(numbered_lines(stream, where=path), str(path))


@reading("a Reddit dump (NDJSON, plain or .zst/.bz2/.xz/.gz), a folder or tar of them, or a thread's .json page")
def read_reddit(path: str | Path) -> Parsed:
    """Read a Reddit NDJSON dump (plain or compressed), a folder or tar archive of them, or a thread's ``.json`` page.

    See :func:`parse_reddit_records` and :func:`parse_reddit_page`.

    Raises
    ------
    InputError
        An invalid JSON line (naming file and line), a line longer than the
        line limit, corrupt or truncated compressed data, a record that is
        not a comment or submission, or no records at all.
    """
    path = Path(path)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            raise InputError("expected a folder holding only Reddit dump files (.json, .jsonl, .ndjson, .zst, …)",
                             path=path)  # fmt: skip
        return parse_reddit_records(record for file in files for record in _file_records(file))
    if _is_archive(path):
        return parse_reddit_records(_archive_records(path))
    with open_input(path, ahead=True) as stream:
        if stream.peek(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):  # type: ignore[attr-defined]
            return parse_reddit_page(decode_text(read_document(stream, where=path), where=path), source=str(path))
        return parse_reddit_records(_records(numbered_lines(stream, where=path), str(path)))


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
        if child.is_dir() or not name.endswith((*_NDJSON_SUFFIXES, *_COMPRESSED_SUFFIXES)):
            return None
        files.append(child)
    return files or None


def _looks_like_dump_head(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace")
    return looks_like_reddit_lines(text)


def _archive_head(path: Path) -> bytes:
    """The first bytes (decompressed) of the first file in a tar archive, or b""."""
    from sna.io.helpers.boundary import DATA_ERRORS

    try:
        with open_input(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                name = Path(member.name).name
                if member.isfile() and not name.startswith(".") and not name.lower().startswith(_NOTES):
                    handle = archive.extractfile(member)
                    return b"" if handle is None else decompressed(handle, where=member.name).read(65536)
    except (InputError, *DATA_ERRORS):
        return b""
    return b""


def looks_like_reddit(path: Path, head: str) -> bool:
    """Sniff a Reddit input: NDJSON records (maybe compressed), a thread page, a tar archive or a folder of dumps."""
    if path.is_dir():
        files = _folder_files(path)
        return bool(files) and _looks_like_dump_head(head_bytes(files[0]))  # type: ignore[index]
    if _is_archive(path):
        return _looks_like_dump_head(_archive_head(path))
    if path.name.lower().endswith(_COMPRESSED_SUFFIXES):
        head = head_bytes(path).decode("utf-8", errors="replace")
    text = head.lstrip("\ufeff").lstrip()
    if text.startswith("["):
        return '"Listing"' in text[:2000] and ('"t3"' in text or '"t1"' in text)
    return looks_like_reddit_lines(text)
