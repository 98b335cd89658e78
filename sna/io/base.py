"""The reader contract: what every reader returns, and how it fills in POSTS.

Each reader module of :mod:`sna.io` has a pure ``parse_x(data, *, source)``
that turns the data of one input (text, bytes, parsed JSON, records) into a
:class:`Parsed`, and a thin ``read_x(path)`` that reads the file (through
:mod:`sna.io.helpers.streams`) and calls it. ``source`` names where the data
came from: it is put in error messages and, where the data names no thread,
gives the thread id (see :func:`thread_id_from_path`).

A :class:`Parsed` is the canonical POSTS table plus the quotes its markup
states (``[quote=…]``, ``<blockquote data-source=…>``, ``>`` lines, "X wrote:",
…). ``text`` has every marked quote removed, whether or not the quoted post is
in the input; quotes pasted without markup are found later by
:mod:`sna.quotes` when ``recover`` is true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sna.schema import MARKED_SCHEMA, POSTS_SCHEMA, conform, empty_marked

__all__ = ["MARKED_SCHEMA", "Parsed", "empty_marked", "finish_posts", "thread_id_from_path"]


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
