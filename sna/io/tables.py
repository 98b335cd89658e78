"""Tables of posts: CSV, TSV, JSON Lines and Parquet.

Columns are named as in POSTS (``post_id``, ``thread_id``, ``position``,
``author``, ``created_at``, ``title``, ``text``, ``reply_to``; only ``text`` is
required), or mapped with ``mapping={"text": "body", "author": "user"}``. Ids
are kept exactly as given. A missing ``thread_id`` means one thread named after
the file; a missing ``position`` means file order. If a ``raw_text`` column is
present (as in what ``sna ingest`` writes) it is taken as the text, so a
written table reads back to the same posts. Quote markup in the text (BBCode,
"X said: … Click to expand...", Usenet ``>`` lines under "X wrote:") is read;
other quotes are left to quote recovery.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from sna.errors import InputError
from sna.ids import all_unique, strictly_in_thread_order
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts, thread_id_from_path
from sna.io.helpers.boundary import native_stderr_held, reading, shorten
from sna.io.helpers.encodings import DEFAULT_ENCODING, check_decodes, encoding_or_default, is_utf8, utf8_copy
from sna.io.helpers.json_data import json_lines
from sna.io.helpers.markup import split_marked_quotes
from sna.io.helpers.streams import numbered_lines, open_input
from sna.io.helpers.timestamps import UNIT_LIMITS
from sna.schema import POSTS_SCHEMA, UTC_DATETIME

_ID_COLUMNS = ("thread_id", "post_id", "reply_to", "author", "title")


def parse_mapping(spec: str | None) -> dict[str, str]:
    """Parse ``--map`` text such as ``text=body,author=user``.

    Examples
    --------
    >>> parse_mapping("text=body, author=user")
    {'text': 'body', 'author': 'user'}
    >>> parse_mapping("text")
    Traceback (most recent call last):
    ...
    sna.errors.SnaError: --map expects canonical=source pairs such as text=body, got 'text'
    """
    from sna.errors import SnaError

    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        canonical, sep, source = part.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise SnaError(f"--map expects canonical=source pairs such as text=body, got {part!r}")
        if canonical.strip() not in POSTS_SCHEMA:
            raise SnaError(f"--map: {canonical.strip()!r} is not a POSTS column ({', '.join(POSTS_SCHEMA)})")
        mapping[canonical.strip()] = source.strip()
    return mapping


def _apply_mapping(df: pl.DataFrame, mapping: Mapping[str, str], path: str) -> pl.DataFrame:
    for canonical, source in mapping.items():
        if source not in df.columns:
            raise InputError(
                f"--map {canonical}={source}: no column {source!r} (columns: {', '.join(df.columns)})", path=path
            )
    renamed = {source: canonical for canonical, source in mapping.items()}
    clashing = [c for c in renamed.values() if c in df.columns and c not in renamed]
    return df.drop(clashing).rename(renamed)


_PAIR_ROLES = ({"parent", "quote"}, {"child", "reply", "response"})
_PAIR_TEXT_WORDS = {"body", "text", "comment", "message", "content"}


def pair_columns(columns: list[str]) -> tuple[str, str] | None:
    """The (parent, reply) text columns when a table's names say it holds reply pairs, else None.

    A pair table (DEBAGREEMENT's ``body_parent``/``body_child``, ``quote_text``/
    ``response_text``, …) has one column naming a parent (or quote) and one
    naming a child (or reply, response), both naming a text (body, text, …).

    Examples
    --------
    >>> pair_columns(["label", "msg_id_parent", "msg_id_child", "body_parent", "body_child", "author_parent"])
    ('body_parent', 'body_child')
    >>> pair_columns(["quote_text", "response_text", "relation"])
    ('quote_text', 'response_text')
    >>> pair_columns(["id", "body", "parent_id"]) is None
    True
    """
    found = []
    for role in _PAIR_ROLES:
        for name in columns:
            words = set(re.split(r"[^a-z0-9]+", name.lower()))
            if words & role and words & _PAIR_TEXT_WORDS:
                found.append(name)
                break
    return (found[0], found[1]) if len(found) == 2 else None


def shell_path(path: str | Path) -> str:
    """``path`` for a command to paste: relative to the current folder when that is shorter, quoted for the shell.

    Examples
    --------
    >>> shell_path(Path.cwd() / "export.csv"), shell_path("/no/such folder/x.csv")
    ('export.csv', "'/no/such folder/x.csv'")
    """
    given = str(path)
    try:
        relative = os.path.relpath(given)
    except ValueError:  # another drive (Windows)
        relative = given
    return shlex.quote(min(given, relative, key=len))


def _no_text_column(columns: list[str], path: str, encoding: str) -> InputError:
    """The error for a table without a ``text`` column; a pair table is sent to ``sna stance``."""
    pairs = pair_columns(columns)
    if pairs is None:
        return InputError(
            f"expected a 'text' column (columns: {', '.join(columns)}); use --map text=COLUMN to name it", path=path
        )
    decoded = "" if is_utf8(encoding) else f" --encoding {shlex.quote(encoding)}"
    shown, where = shell_path(path), ""
    if len(shown) > _COMMAND_PATH:  # the command would not fit the error line whole: name the file in its folder
        shown, where = shlex.quote(Path(path).name), " in its folder"
    return InputError(
        f"no 'text' column: looks like reply pairs; label them with `sna stance {shown} --parent-col {pairs[0]} "
        f"--reply-col {pairs[1]}{decoded} --out labelled.csv`{where} (or --map text=COLUMN)",
        path=path,
    )


_COMMAND_PATH = 80  # longest path put in the suggested command (the error line has 288 characters in all)


#: Microseconds of 0001-01-01 and of 9999-12-31T23:59:59.999999 since the Unix epoch.
_MICROS_RANGE = (-62_135_596_800_000_000, 253_402_300_799_999_999)


def _unix_times(numbers: pl.Series) -> pl.Series:
    """Unix times of any unit as UTC datetimes, by :mod:`sna.io.helpers.timestamps`' rule (else null).

    Examples
    --------
    >>> _unix_times(pl.Series([1.5e9, 1.5e12, float("inf"), 1e30, None])).dt.year().to_list()
    [2017, 2017, None, None, None]
    """
    size = numbers.abs()
    divisor = pl.lit(None, pl.Float64)
    for limit, unit in reversed(UNIT_LIMITS):
        divisor = pl.when(pl.col("s").abs() < limit).then(pl.lit(float(unit))).otherwise(divisor)
    micros = pl.col("s") * 1e6 / divisor
    low, high = _MICROS_RANGE
    in_range = numbers.is_finite() & (size < UNIT_LIMITS[-1][0])
    frame = pl.DataFrame({"s": numbers.fill_null(0.0), "ok": in_range.fill_null(False)})
    return frame.select(
        pl.when(pl.col("ok") & micros.is_between(low, high))
        .then(micros.round())
        .otherwise(None)
        .cast(pl.Int64)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    ).to_series()


def _parse_times(values: pl.Series, path: str) -> pl.Series:
    """Read timestamps: ISO 8601 strings (UTC unless they carry an offset) or Unix times of any unit."""
    if values.dtype == UTC_DATETIME:
        return values
    if isinstance(values.dtype, pl.Datetime):
        zone = values.dtype.time_zone
        return (values.dt.convert_time_zone("UTC") if zone else values.dt.replace_time_zone("UTC")).cast(UTC_DATETIME)
    if isinstance(values.dtype, pl.Date):
        return values.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    text = values.cast(pl.String).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    frame = pl.DataFrame({"v": values.cast(pl.String)}).with_columns(v=text)
    numeric = frame["v"].cast(pl.Float64, strict=False)
    parsed = _unix_times(numeric)
    iso = frame["v"].str.replace(r"^(\d{4}-\d\d-\d\d) ", "${1}T").str.replace(r"Z$", "+00:00")
    for fmt, aware in (
        ("%Y-%m-%dT%H:%M:%S%.f%:z", True),
        ("%Y-%m-%dT%H:%M:%S%:z", True),
        ("%Y-%m-%dT%H:%M%:z", True),
        ("%Y-%m-%dT%H:%M:%S%.f", False),
        ("%Y-%m-%dT%H:%M:%S", False),
        ("%Y-%m-%dT%H:%M", False),
        ("%Y-%m-%d", False),
    ):
        attempt = iso.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC" if aware else None)
        if not aware:
            attempt = attempt.dt.replace_time_zone("UTC")
        parsed = (
            pl.DataFrame({"a": parsed, "b": attempt.dt.convert_time_zone("UTC")})
            .select(pl.coalesce("a", "b"))
            .to_series()
        )
    bad = parsed.is_null() & frame["v"].is_not_null() & numeric.is_null()  # numbers out of range are missing
    if bad.any():
        row = int(bad.arg_true()[0]) + 1
        raise InputError(
            f"created_at {shorten(repr(frame['v'][row - 1]), 60)} is not a date and time "
            "(expected ISO 8601 such as 2021-03-04T05:06:07Z, or Unix seconds)",
            path=path,
            row=row,
        )
    return parsed.cast(UTC_DATETIME).alias("created_at")


def has_quote_markup(texts: pl.Series) -> pl.Series:
    """Whether each text may hold quote markup: ``[quote``, a line opening with ``>``, or `` said:``.

    Examples
    --------
    >>> has_quote_markup(pl.Series(["[QUOTE]a[/QUOTE] b", "x\\n  > y", "Bo said: hi", "a > b"])).to_list()
    [True, True, True, False]
    """
    # Three searches, not one alternation: a case-blind, multi-line alternation defeats the regex engine's
    # literal prefilters (at 1M posts one regex took 0.87 CPU-s, the three 0.11).
    text = pl.col("text").str
    return (
        texts.alias("text")
        .to_frame()
        .select(text.contains(r"(?i)\[quote") | text.contains(r"(?m)^ {0,3}>") | text.contains(" said:", literal=True))
        .to_series()
    )


def parse_table(
    df: pl.DataFrame,
    *,
    source: str = "table",
    mapping: Mapping[str, str] | None = None,
    encoding: str = DEFAULT_ENCODING,
) -> Parsed:
    """Turn a table as read into POSTS plus the quotes its markup states.

    Parameters
    ----------
    df : pl.DataFrame
        The table's columns as read (strings, or typed as Parquet stores them).
    source : str
        Where it came from (the file): named in errors; a table without
        ``thread_id`` is one thread named after it.
    mapping : dict, optional
        Canonical column name to the table's column name.
    encoding : str
        The text encoding the file was read in (named in the ``sna stance``
        command suggested for a table of reply pairs).

    Raises
    ------
    InputError
        Naming the row: no ``text`` column, empty text or ``post_id``,
        repeated ``post_id``, a position that is not a whole number of 1 or
        more or repeats in its thread, a ``created_at`` that is not a date.

    Examples
    --------
    >>> df = pl.DataFrame({"id": [7, 8], "body": ["Hi all", "[quote=x;7]Hi all[/quote]Hello"]})
    >>> parsed = parse_table(df, source="t.csv", mapping={"post_id": "id", "text": "body"})
    >>> parsed.posts.select("post_id", "text").rows()
    [('7', 'Hi all'), ('8', 'Hello')]
    >>> parsed.quotes.select("source", "target").rows()
    [('8', '7')]
    """
    path = source
    if df.height == 0:
        raise InputError("no rows", path=path)
    df = _apply_mapping(df, mapping or {}, path)
    if "raw_text" in df.columns:
        df = df.drop("text", strict=False).rename({"raw_text": "text"})
    if "text" not in df.columns:
        raise _no_text_column(df.columns, path, encoding)
    for name in _ID_COLUMNS:
        if name in df.columns:
            df = df.with_columns(pl.col(name).cast(pl.String))
            if name in ("reply_to", "author", "title"):
                df = df.with_columns(
                    pl.when(pl.col(name).str.strip_chars() == "").then(None).otherwise(pl.col(name)).alias(name)
                )
    df = df.with_columns(pl.col("text").cast(pl.String))
    missing_text = df["text"].is_null()
    if missing_text.any():
        raise InputError(
            "text is empty (expected the post's words)", path=path, row=int(missing_text.arg_true()[0]) + 1
        )
    if "post_id" in df.columns:
        ids = df["post_id"]
        if ids.is_null().any():
            raise InputError("post_id is empty", path=path, row=int(ids.is_null().arg_true()[0]) + 1)
        dup = None if all_unique(ids) else ids.is_duplicated()  # cheaper than marking every repeat
        if dup is not None and dup.any():
            rows = [int(r) + 1 for r in dup.arg_true().head(2)]
            shown = shorten(repr(ids[rows[0] - 1]), 60)
            raise InputError(f"duplicate post_id {shown} (rows {rows[0]} and {rows[1]})", path=path)
    if "position" in df.columns:
        pos = df["position"].cast(pl.Int64, strict=False)
        given = df["position"].is_not_null().any()  # a column of nulls means file order; else each row needs one
        bad = (pos.is_null() & (df["position"].is_not_null() | given)) | (pos < 1).fill_null(False)
        if bad.any():
            row = int(bad.arg_true()[0]) + 1
            value = df["position"][row - 1]
            shown = "is empty" if value is None else f"{shorten(repr(value), 40)} is not a whole number of 1 or more"
            raise InputError(f"position {shown} (expected each post's number in its thread)", path=path, row=row)
        df = df.with_columns(position=pos)
        if "thread_id" in df.columns and strictly_in_thread_order(df["thread_id"].cast(pl.String), pos):
            dup = pl.Series([False])  # sorted with no repeats: nothing to hash
        elif "thread_id" in df.columns:
            dup = df.select(pl.struct("thread_id", "position").is_duplicated()).to_series() & pos.is_not_null()
        else:
            dup = pos.is_duplicated() & pos.is_not_null()
        if dup.any():
            row = int(dup.arg_true()[0]) + 1
            raise InputError(f"position {pos[row - 1]} repeats within its thread", path=path, row=row)
    if "reply_to" in df.columns and "post_id" in df.columns:
        own = (df["reply_to"] == df["post_id"]).fill_null(False)
        if own.any():
            row = int(own.arg_true()[0]) + 1
            raise InputError("reply_to is the post itself (expected an earlier post's id)", path=path, row=row)
    if "created_at" in df.columns:
        df = df.with_columns(created_at=_parse_times(df["created_at"], path))
    posts = finish_posts(df, default_thread=thread_id_from_path(path))
    marked = []
    rows = has_quote_markup(posts["text"]).arg_true()
    if len(rows):
        own_texts = []
        subset = posts[rows]
        for post_id, text in zip(subset["post_id"].to_list(), subset["text"].to_list(), strict=True):
            own, quotes = split_marked_quotes(text)
            own_texts.append(own)
            for q in quotes:
                marked.append({"source": post_id, "target": q.post, "target_author": q.author,
                               "quoted_text": q.text, "start": q.start, "end": q.end})  # fmt: skip
        posts = posts.with_columns(text=posts["text"].scatter(rows, own_texts))
    return Parsed(posts, pl.DataFrame(marked, schema=MARKED_SCHEMA))


_FORMAT_OF_SUFFIX = {".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                     ".pq": "parquet"}  # fmt: skip


def _first_bad_line(path: Path, what: str, *, named: Path) -> None:
    """Raise the :class:`InputError` of the first line that is not UTF-8 (or, for JSON Lines, not an object)."""
    with open_input(path) as stream:
        lines = numbered_lines(stream, where=named)
        if what == "jsonl":
            for _ in json_lines(lines, where=named, what="JSON object"):
                pass
        else:
            for _ in lines:
                pass


def _read_polars(path: Path, format: str) -> pl.DataFrame:
    if format == "parquet":
        return pl.read_parquet(path)
    if format == "jsonl":
        return pl.read_ndjson(path, infer_schema_length=None)
    return pl.read_csv(
        path, separator="\t" if format == "tsv" else ",", infer_schema=False, encoding="utf8",
        quote_char=None if format == "tsv" else '"',
    )  # fmt: skip


@reading("a table of posts (CSV, TSV, JSON Lines or Parquet) with a 'text' column")
def read_table(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> Parsed:
    """Read a CSV, TSV, JSON Lines or Parquet table of posts; see :func:`parse_table`.

    Parameters
    ----------
    path : str or Path
        The file.
    format : {"csv", "tsv", "jsonl", "parquet"}, optional
        Taken from the extension when not given.
    mapping : dict, optional
        Canonical column name to the file's column name.
    encoding : str, optional
        Text encoding of a CSV, TSV or JSON Lines file (a Python codec name
        such as ``cp1252`` or ``latin-1``); UTF-8 unless given. Never guessed.

    Returns
    -------
    Parsed

    Raises
    ------
    InputError
        Also for bytes that are not text in the encoding, naming the line,
        column and byte offset (and, for UTF-8, suggesting ``--encoding cp1252``).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_bytes(b"author,text\\nRen\\xe9,He said \\x93hello\\x94\\n")
    >>> read_table(path, encoding="cp1252").posts.select("author", "text").rows()
    [('René', 'He said “hello”')]
    """
    path = Path(path)
    format = format or _FORMAT_OF_SUFFIX.get(path.suffix.lower(), "csv")
    encoding = encoding_or_default(encoding)
    if format != "parquet" and not is_utf8(encoding):
        with utf8_copy(path, encoding) as copy:
            df = _read_frame(copy, format, named=path)
    else:
        df = _read_frame(path, format, named=path)
    return parse_table(df, source=str(path), mapping=mapping, encoding=encoding)


def _read_frame(path: Path, format: str, *, named: Path) -> pl.DataFrame:
    """The table in ``path`` (UTF-8 unless Parquet) as polars reads it; errors name ``named``, the user's file."""
    try:
        with native_stderr_held():  # a polars panic on a corrupt file prints a report of its own
            return _read_polars(path, format)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if format != "parquet":
            if path == named:  # a copy made by utf8_copy is UTF-8 already
                check_decodes(path, DEFAULT_ENCODING)  # names the line and byte when the bytes are at fault
            _first_bad_line(path, format, named=named)  # names the line when a JSON line is at fault
        raise InputError(f"cannot read as {format.upper()}: {shorten(exc, 120)}", path=named) from None
