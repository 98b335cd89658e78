"""Tables of posts: CSV, TSV, JSON Lines and Parquet.

Columns are named as in POSTS (``post_id``, ``thread_id``, ``position``,
``author``, ``created_at``, ``title``, ``text``, ``reply_to``; only ``text`` is
required), or mapped with ``mapping={"text": "body", "author": "user"}``. Ids
are kept exactly as given. A missing ``thread_id`` means one thread named after
the file; a missing ``position`` means file order. If a ``raw_text`` column is
present (as in what ``sna ingest`` writes) it is taken as the text, so a
written table reads back to the same posts. BBCode quote markup in the text is
read; other quotes are left to quote recovery.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts, json_lines, thread_id_from_path
from sna.io.markup import split_marked_quotes
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


def _apply_mapping(df: pl.DataFrame, mapping: Mapping[str, str], path: Path) -> pl.DataFrame:
    for canonical, source in mapping.items():
        if source not in df.columns:
            raise InputError(
                f"--map {canonical}={source}: no column {source!r} (columns: {', '.join(df.columns)})", path=path
            )
    renamed = {source: canonical for canonical, source in mapping.items()}
    clashing = [c for c in renamed.values() if c in df.columns and c not in renamed]
    return df.drop(clashing).rename(renamed)


def _parse_times(values: pl.Series, path: Path) -> pl.Series:
    """Read timestamps: ISO 8601 strings (UTC unless they carry an offset) or Unix seconds/milliseconds."""
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
    seconds = pl.when(numeric.abs() > 1e11).then(numeric / 1000).otherwise(numeric)
    from_epoch = (
        pl.DataFrame({"s": numeric}).select(
            (seconds * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        )
    ).to_series()
    parsed = from_epoch
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
    bad = parsed.is_null() & frame["v"].is_not_null()
    if bad.any():
        row = int(bad.arg_true()[0]) + 1
        raise InputError(
            f"created_at {frame['v'][row - 1]!r} is not a date and time "
            "(expected ISO 8601 such as 2021-03-04T05:06:07Z, or Unix seconds)",
            path=path,
            row=row,
        )
    return parsed.cast(UTC_DATETIME).alias("created_at")


def table_to_parsed(df: pl.DataFrame, *, path: Path, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Turn a raw table into POSTS plus the quotes its BBCode marks.

    Examples
    --------
    >>> df = pl.DataFrame({"id": [7, 8], "body": ["Hi all", "[quote=x;7]Hi all[/quote]Hello"]})
    >>> parsed = table_to_parsed(df, path=Path("t.csv"), mapping={"post_id": "id", "text": "body"})
    >>> parsed.posts.select("post_id", "text").rows()
    [('7', 'Hi all'), ('8', 'Hello')]
    >>> parsed.quotes.select("source", "target").rows()
    [('8', '7')]
    """
    df = _apply_mapping(df, mapping or {}, path)
    if "raw_text" in df.columns:
        df = df.drop("text", strict=False).rename({"raw_text": "text"})
    if "text" not in df.columns:
        raise InputError(
            f"expected a 'text' column (columns: {', '.join(df.columns)}); use --map text=COLUMN to name it",
            path=path,
        )
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
        dup = ids.is_duplicated()
        if dup.any():
            rows = [int(r) + 1 for r in dup.arg_true().head(2)]
            raise InputError(f"duplicate post_id {ids[rows[0] - 1]!r} (rows {rows[0]} and {rows[1]})", path=path)
    if "position" in df.columns:
        pos = df["position"].cast(pl.Int64, strict=False)
        bad = (pos.is_null() & df["position"].is_not_null()) | (pos < 1).fill_null(False)
        if bad.any():
            row = int(bad.arg_true()[0]) + 1
            raise InputError(
                f"position {df['position'][row - 1]!r} is not a whole number of 1 or more", path=path, row=row
            )
        df = df.with_columns(position=pos)
        if "thread_id" in df.columns:
            dup = df.select(pl.struct("thread_id", "position").is_duplicated()).to_series() & pos.is_not_null()
        else:
            dup = pos.is_duplicated() & pos.is_not_null()
        if dup.any():
            row = int(dup.arg_true()[0]) + 1
            raise InputError(f"position {pos[row - 1]} repeats within its thread", path=path, row=row)
    if "created_at" in df.columns:
        df = df.with_columns(created_at=_parse_times(df["created_at"], path))
    posts = finish_posts(df, default_thread=thread_id_from_path(path))
    marked = []
    has_markup = posts.select(
        pl.col("text").str.contains(r"(?i)\[quote") | pl.col("text").str.contains(" said:", literal=True)
    ).to_series()
    rows = has_markup.arg_true()
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


def read_table(path: str | Path, *, format: str | None = None, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Read a CSV, TSV, JSON Lines or Parquet table of posts.

    Parameters
    ----------
    path : str or Path
        The file.
    format : {"csv", "tsv", "jsonl", "parquet"}, optional
        Taken from the extension when not given.
    mapping : dict, optional
        Canonical column name to the file's column name.

    Returns
    -------
    Parsed
    """
    path = Path(path)
    format = format or {".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                        ".parquet": "parquet", ".pq": "parquet"}.get(path.suffix.lower(), "csv")  # fmt: skip
    try:
        if format == "parquet":
            df = pl.read_parquet(path)
        elif format == "jsonl":
            try:
                df = pl.read_ndjson(path, infer_schema_length=None)
            except Exception:
                with path.open(encoding="utf-8", errors="replace") as handle:
                    for _ in json_lines(handle, where=path, what="JSON object"):  # raises at the bad line
                        pass
                raise
        else:
            df = pl.read_csv(
                path, separator="\t" if format == "tsv" else ",", infer_schema=False, encoding="utf8",
                quote_char=None if format == "tsv" else '"',
            )  # fmt: skip
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; convert it (e.g. iconv -f cp1252 -t utf-8)", path=path) from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "utf-8" in first.lower() or "utf8" in first.lower():
            raise InputError("not UTF-8 text; convert it (e.g. iconv -f cp1252 -t utf-8)", path=path) from None
        raise InputError(f"cannot read as {format.upper()}: {first}", path=path) from None
    if df.height == 0:
        raise InputError("no rows", path=path)
    return table_to_parsed(df, path=path, mapping=mapping)
