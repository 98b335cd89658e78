"""The pipeline's steps, split into per-thread steps and global steps, with no I/O.

Every engine calls these same functions, so that the local engine (one
process) and the Spark engine (:mod:`sna.engine.spark`, partitions of whole
threads) write the same tables:

* **global checks** over all posts: :func:`check_unique_ids` (and the
  cross-thread check inside :func:`sna.edges.extract_edges`, which an engine
  that splits the corpus runs as an aggregation first);
* **per-thread steps**, functions of the posts of whole threads:
  :func:`thread_edges` (quotes, replies, implicit links and, when asked,
  stance). Run on any set of whole threads, their outputs concatenated in
  thread order are the outputs of one call on the whole corpus;
* **global steps** over aggregated tables: :func:`ingest_summary` (the counts
  of ``ingest.json``) and :func:`corpus_metrics` (author graph, centrality,
  camps, communities, cascades and the summary; it needs POSTS without their
  text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from sna.analysis.report import Metrics, compute_metrics
from sna.edges import Extracted, extract_edges
from sna.errors import InputError
from sna.ids import all_unique

#: POSTS columns the global steps never read (they stay where the per-thread steps ran).
TEXT_COLUMNS = ("text", "raw_text")

#: Counts of :attr:`sna.edges.Extracted.counts` that add up over partitions.
SUMMED_COUNTS = ("quotes_unresolved", "replies_missing", "threads_without_start")


def check_unique_ids(posts: pl.DataFrame) -> None:
    """Raise when a post id occurs twice, naming the files it came from (``source_file``).

    Examples
    --------
    >>> check_unique_ids(pl.DataFrame({"post_id": ["a", "b"], "source_file": ["x", "x"]}))
    >>> check_unique_ids(pl.DataFrame({"post_id": ["a", "a"], "source_file": ["x", "y"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sna.errors.InputError: post id 'a' occurs twice (in x and y); expected ids unique across inputs ...
    """
    if all_unique(posts["post_id"]):  # cheaper than marking every repeat
        return
    dup = posts["post_id"].is_duplicated()
    if dup.any():
        first = posts.filter(dup).sort("post_id").head(2)
        files_named = " and ".join(sorted(set(first["source_file"].to_list())))
        raise InputError(
            f"post id {first['post_id'][0]!r} occurs twice (in {files_named}); "
            "expected ids unique across inputs (rename one file or give thread_id/post_id columns)",
        )


def thread_edges(
    posts: pl.DataFrame,
    marked: pl.DataFrame,
    recover: pl.Series,
    *,
    implicit_target: str = "first",
    stance: Mapping[str, Any] | None = None,
) -> Extracted:
    """The per-thread step: EDGES (and own words, placeholders) of a set of whole threads.

    Parameters
    ----------
    posts : pl.DataFrame
        POSTS of whole threads (every post of each thread present).
    marked : pl.DataFrame
        Quotes stated by markup in these posts (``sna.schema.MARKED_SCHEMA``).
    recover : pl.Series of bool
        Per post, whether to look for quotes pasted without markup.
    implicit_target : str
        As for :func:`sna.edges.extract_edges`.
    stance : dict, optional
        When given, the edges are labelled by :func:`sna.stance.label_edges`
        with these options (``model``, ``min_confidence``).

    Returns
    -------
    Extracted

    Examples
    --------
    >>> from sna.schema import POSTS_SCHEMA, conform, empty_marked
    >>> posts = conform(pl.DataFrame({"thread_id": ["t", "t"], "post_id": ["a", "b"], "position": [1, 2],
    ...     "author": ["ann", "bo"], "text": ["Tea.", "Coffee."], "raw_text": ["Tea.", "Coffee."]}), POSTS_SCHEMA)
    >>> found = thread_edges(posts, empty_marked(), pl.Series([True, True]))
    >>> found.edges.select("source", "target", "kind").rows()
    [('b', 'a', 'implicit')]
    """
    extracted = extract_edges(posts, marked, recover=recover, implicit_target=implicit_target)
    if stance is None:
        return extracted
    from sna.stance import label_edges

    edges = label_edges(extracted.posts, extracted.edges, **dict(stance))
    return Extracted(extracted.posts, edges, extracted.unresolved, extracted.counts, extracted.rows)


def add_counts(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Add up the counts of per-thread steps run on separate partitions, in the order one call gives them.

    Examples
    --------
    >>> add_counts([{"quotes_unresolved": 1, "edges_quote": 2}, {"quotes_unresolved": 0, "edges_quote": 1}])
    {'quotes_unresolved': 1, 'edges_quote': 3}
    """
    total: Counter[str] = Counter()
    order: list[str] = []
    for counts in parts:
        for key, value in counts.items():
            if key not in total:
                order.append(key)
            total[key] += int(value)
    return {key: total[key] for key in order}


def ingest_summary(
    posts: pl.DataFrame, counts: Mapping[str, int], *, files: int, files_skipped: int, implicit_target: str
) -> dict[str, object]:
    """The global figures of ``ingest.json`` (without ``seconds``) from all POSTS and the summed counts.

    ``posts`` needs ``thread_id``, ``author`` and ``placeholder`` only.

    Examples
    --------
    >>> posts = pl.DataFrame({"thread_id": ["t", "t"], "author": ["ann", None], "placeholder": [False, False]})
    >>> ingest_summary(posts, {"edges_quote": 1}, files=1, files_skipped=0, implicit_target="first")["authors"]
    1
    """
    real = posts.filter(~pl.col("placeholder"))
    return {
        "files": files,
        "files_skipped": files_skipped,
        "threads": posts["thread_id"].n_unique(),
        "posts": real.height,
        "authors": real["author"].drop_nulls().n_unique(),
        "posts_without_author": int(real["author"].null_count()),
        "implicit_target": implicit_target,
        **counts,
    }


def corpus_metrics(posts: pl.DataFrame, edges: pl.DataFrame, **options: Any) -> Metrics:
    """The global step: every metric table and the summary (:func:`sna.analysis.report.compute_metrics`).

    ``posts`` may leave out :data:`TEXT_COLUMNS`; ``options`` are those of
    :func:`~sna.analysis.report.compute_metrics`.

    Examples
    --------
    >>> posts = pl.DataFrame({"thread_id": ["t", "t"], "post_id": ["a", "b"], "position": [1, 2],
    ...     "author": ["ann", "bo"], "created_at": [None, None]},
    ...     schema_overrides={"created_at": pl.Datetime("us", "UTC")})
    >>> edges = pl.DataFrame({"source": ["b"], "target": ["a"], "kind": ["reply"]})
    >>> corpus_metrics(posts, edges).author_metrics["author"].to_list()
    ['ann', 'bo']
    """
    return compute_metrics(posts, edges, **options)
