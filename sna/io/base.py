"""What every reader returns, and helpers readers share.

A reader turns one file into a :class:`Parsed`: the canonical POSTS table plus
the quotes its markup states (``[quote=…]``, ``<blockquote data-source=…>``,
``>`` lines, …). ``text`` already has marked quotes removed; quotes pasted
without markup are found later by :mod:`sna.quotes` when ``recover`` is true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sna.schema import MARKED_SCHEMA, POSTS_SCHEMA, conform, empty_marked

__all__ = [
    "MARKED_SCHEMA",
    "Parsed",
    "empty_marked",
    "finish_posts",
    "json_lines",
    "read_text_with",
    "thread_id_from_path",
]


@dataclass(frozen=True)
class Parsed:
    """The posts of one input and the quotes its markup states.

    Attributes
    ----------
    posts : pl.DataFrame
        Canonical POSTS table.
    quotes : pl.DataFrame
        Marked quotes (see ``MARKED_SCHEMA``).
    recover : bool
        Whether to look for quotes pasted without markup in these posts.
    pages : bool
        The posts carry the source's own ids and may be one page of a longer
        thread: inputs with ``pages=True`` are merged by post id (a post seen
        in several files is kept once, threads ordered across files; see
        :func:`sna.io.merge.merge_pages`).
    """

    posts: pl.DataFrame
    quotes: pl.DataFrame = field(default_factory=empty_marked)
    recover: bool = True
    pages: bool = False


def read_text_with(path: str | Path, parse: Callable[..., Parsed]) -> Parsed:
    """Read a UTF-8 file and parse it, naming the file in any error.

    ``parse(text, name=...)`` gets the text and a thread id derived from the
    file name.
    """
    from sna.errors import InputError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return parse(text, name=thread_id_from_path(path))
    except InputError as exc:
        if exc.path is not None:
            raise
        raise InputError(exc.message, path=path, line=exc.line, row=exc.row, post=exc.post) from None


def json_lines(lines: Iterable[str], *, where: str | Path, what: str = "record") -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank JSON Lines line.

    Raises
    ------
    InputError
        Naming ``where`` and the line, for invalid JSON or a non-object line.

    Examples
    --------
    >>> list(json_lines(['{"a": 1}', "", '{"b": 2}'], where="x.jsonl"))
    [(1, {'a': 1}), (3, {'b': 2})]
    >>> list(json_lines(['{"a": '], where="x.jsonl"))
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.jsonl:1: not valid JSON (Expecting value); expected one record per line
    """
    import json

    from sna.errors import InputError

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg}); expected one {what} per line", path=where, line=number
            ) from None
        if not isinstance(value, dict):
            raise InputError(f"expected a JSON object (one {what}) per line", path=where, line=number)
        yield number, value


def thread_id_from_path(path: str | Path) -> str:
    """Derive a thread id from a file name.

    Examples
    --------
    >>> thread_id_from_path("data/raw/pakistan-ussr-thread.txt")
    'pakistan-ussr-thread'
    """
    return Path(path).name.split(".")[0] or Path(path).name


def finish_posts(df: pl.DataFrame, *, default_thread: str) -> pl.DataFrame:
    """Fill in what a reader may leave out and put columns in canonical order.

    A missing ``thread_id`` means one thread named ``default_thread``; a missing
    ``position`` means file order within the thread; a missing ``post_id``
    becomes ``thread_id#position``; a missing ``raw_text`` is ``text``.

    Examples
    --------
    >>> df = pl.DataFrame({"text": ["first", "second"]})
    >>> finish_posts(df, default_thread="t")["post_id"].to_list()
    ['t#1', 't#2']
    """
    if "thread_id" not in df.columns or df["thread_id"].null_count() == df.height:
        df = df.with_columns(thread_id=pl.lit(default_thread))
    else:
        df = df.with_columns(pl.col("thread_id").cast(pl.String).fill_null(default_thread))
    if "position" not in df.columns or df["position"].null_count() == df.height:
        df = df.with_columns(position=pl.int_range(1, pl.len() + 1).over("thread_id"))
    if "post_id" not in df.columns:
        df = df.with_columns(post_id=pl.col("thread_id") + "#" + pl.col("position").cast(pl.String))
    if "raw_text" not in df.columns:
        df = df.with_columns(raw_text=pl.col("text"))
    return conform(df, POSTS_SCHEMA)
