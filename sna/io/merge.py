"""Merging pages of one thread read from several files.

Readers of paged sources (saved HTML pages, scraper JSON, Discourse) name
posts by the source's own ids and set ``Parsed.pages``. Given together, their
posts are merged: a post id seen again is the same post (the first copy read
is kept, with the quotes read from that copy); a thread that spans files is
ordered by the post numbers the pages show when they are distinct, else by
time and then by the source's (increasing) numeric post id, and renumbered;
a missing title is taken from another page of the thread.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, empty_marked


def merge_pages(parts: Sequence[Parsed], names: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Merge the posts and marked quotes of paged inputs.

    Parameters
    ----------
    parts : sequence of Parsed
        Readers' results with ``pages=True``.
    names : sequence of str
        The file each came from (for the ``source_file`` column and messages).

    Returns
    -------
    posts : pl.DataFrame
        POSTS plus ``source_file``, each post once, threads in order.
    quotes : pl.DataFrame
        The marked quotes of the posts kept.

    Raises
    ------
    InputError
        When one post id is in two different threads.

    Examples
    --------
    >>> from sna.io.base import finish_posts
    >>> def page(ids, positions):
    ...     df = pl.DataFrame({"thread_id": "f/threads/1", "post_id": [f"f/posts/{i}" for i in ids],
    ...                        "position": positions, "text": [f"post {i}" for i in ids]})
    ...     return Parsed(finish_posts(df, default_thread="x"), recover=False, pages=True)
    >>> posts, _ = merge_pages([page([30, 40], [1, 2]), page([10, 20, 30], [1, 2, 3])], ["p2.html", "p1.html"])
    >>> posts.select("post_id", "position").rows()
    [('f/posts/10', 1), ('f/posts/20', 2), ('f/posts/30', 3), ('f/posts/40', 4)]
    """
    if not parts:
        return pl.DataFrame(), empty_marked()
    tagged = [
        p.posts.with_columns(source_file=pl.lit(name), _part=pl.lit(i, pl.Int64), _row=pl.int_range(pl.len()))
        for i, (p, name) in enumerate(zip(parts, names, strict=True))
    ]
    posts = pl.concat(tagged, how="diagonal_relaxed").sort("_part", "_row")
    kept = posts.unique("post_id", keep="first", maintain_order=True)
    clash = posts.join(kept.select("post_id", pl.col("thread_id").alias("_kept_thread")), on="post_id")
    clash = clash.filter(pl.col("thread_id") != pl.col("_kept_thread"))
    if clash.height:
        row = clash.row(0, named=True)
        raise InputError(
            f"post id {row['post_id']!r} is in thread {row['_kept_thread']!r} in one file and in "
            f"{row['thread_id']!r} in {row['source_file']}; expected a post to belong to one thread",
        )
    # Numeric ids only where the digits are a whole id part ("site/posts/123"), not the
    # tail of a base-36 Reddit name ("t1_dlq9").
    seq = pl.col("post_id").str.extract(r"(?:^|[/#:_=-])(\d+)$").cast(pl.Int64, strict=False)
    spans = kept.group_by("thread_id").agg(
        _files=pl.col("_part").n_unique(), _distinct=pl.col("position").n_unique() == pl.len()
    )
    kept = kept.join(spans, on="thread_id", how="left").with_columns(_seq=seq)
    by_number = kept.filter((pl.col("_files") == 1) | pl.col("_distinct")).sort("thread_id", "position")
    by_id = (
        kept.filter((pl.col("_files") > 1) & ~pl.col("_distinct"))
        .sort("thread_id", "created_at", "_seq", "_part", "position", nulls_last=True)
        .with_columns(position=pl.int_range(1, pl.len() + 1).over("thread_id"))
    )
    merged = pl.concat([by_number, by_id]).sort("thread_id", "position")
    merged = merged.with_columns(pl.col("title").fill_null(pl.col("title").drop_nulls().first().over("thread_id")))
    quotes = pl.concat(
        [empty_marked()] + [p.quotes.with_columns(_part=pl.lit(i, pl.Int64)) for i, p in enumerate(parts)],
        how="diagonal_relaxed",
    )
    quotes = quotes.join(merged.select(pl.col("post_id").alias("source"), "_part"), on=["source", "_part"], how="semi")
    return merged.drop("_part", "_row", "_files", "_distinct", "_seq"), quotes.select(list(MARKED_SCHEMA))
