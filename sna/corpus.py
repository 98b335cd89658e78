"""The Python entry point: a corpus of posts and edges with graphs and metrics on demand.

``sna.load`` runs the same stages as ``sna run`` — reading, quotes and replies,
stance, metrics and camps — so the API and the command line give the same
tables for the same input and options.

Examples
--------
>>> import sna
>>> corpus = sna.load("data/raw")
>>> corpus.posts.height, corpus.author_graph().number_of_nodes()
(32, 32)
>>> corpus.edges["stance"].drop_nulls().len() > 0
True
>>> corpus.post_metrics().sort("replies_received", descending=True)["post_id"][0]
'pakistan-ussr-thread#14'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import polars as pl

from sna.analysis.report import Metrics, compute_metrics
from sna.edges import UNRESOLVED_SCHEMA
from sna.errors import SnaError
from sna.graph import author_graph, post_graph
from sna.pipeline import Ingested, ingest, read_ingested


class Corpus:
    """Posts and edges, with the graphs and metric tables the CLI writes.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    summary : dict, optional
        What ingesting counted.
    unresolved : pl.DataFrame, optional
        Quotes of posts not in the input (``sna.edges.UNRESOLVED_SCHEMA``).

    Notes
    -----
    Graphs and metrics are computed on first use and cached per set of
    options; the networkx graphs are fresh copies each call, so changing one
    never changes the corpus. Metric options are those of ``sna metrics``:
    ``seed``, ``sources``, ``n_camps``, ``implicit_links``, ``rank_anonymous``
    and the camp options (see :func:`sna.analysis.report.compute_metrics`).
    """

    def __init__(
        self,
        posts: pl.DataFrame,
        edges: pl.DataFrame,
        summary: Mapping[str, object] | None = None,
        *,
        unresolved: pl.DataFrame | None = None,
    ) -> None:
        self.posts = posts
        self.edges = edges
        self.ingest_summary = dict(summary or {})
        self.unresolved = pl.DataFrame(schema=UNRESOLVED_SCHEMA) if unresolved is None else unresolved
        self._metrics: dict[tuple[tuple[str, Any], ...], Metrics] = {}

    def __repr__(self) -> str:
        return (
            f"Corpus({self.posts['thread_id'].n_unique()} threads, {self.posts.height} posts, "
            f"{self.edges.height} edges)"
        )

    @cached_property
    def _post_graph(self) -> nx.MultiDiGraph:
        return post_graph(self.posts, self.edges)

    def post_graph(self) -> nx.MultiDiGraph:
        """The post graph (a copy): a node per post, an edge per EDGES row keyed by kind."""
        return self._post_graph.copy()

    def author_graph(self, *, implicit_links: str = "ignore") -> nx.DiGraph:
        """The author graph: weighted by quotes and replies (and assumed links with ``implicit_links="count"``)."""
        return author_graph(self.posts, self.edges, implicit_links=implicit_links)

    def metrics(self, **options: Any) -> Metrics:
        """All metric tables and the summary, as ``sna metrics`` writes them with the same options."""
        key = tuple(sorted(options.items()))
        if key not in self._metrics:
            self._metrics[key] = compute_metrics(self.posts, self.edges, **options)
        return self._metrics[key]

    def post_metrics(self, **options: Any) -> pl.DataFrame:
        """Centrality, depth and subtree size per post."""
        return self.metrics(**options).post_metrics

    def author_metrics(self, **options: Any) -> pl.DataFrame:
        """Centrality and activity per author."""
        return self.metrics(**options).author_metrics

    def cascades(self, **options: Any) -> pl.DataFrame:
        """Reply and quote cascades with their shape."""
        return self.metrics(**options).cascades

    def camps(self, **options: Any) -> pl.DataFrame:
        """Agreement camps (empty before stance is labelled)."""
        return self.metrics(**options).camps

    def summary(self, **options: Any) -> dict[str, object]:
        """Graph-level figures (``summary.json``)."""
        return self.metrics(**options).summary

    def subset(
        self,
        *,
        threads: Iterable[str] | None = None,
        authors: Iterable[str] | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> Corpus:
        """A new corpus of the posts that pass every filter given, and the edges between them.

        Parameters
        ----------
        threads : iterable of str, optional
            Thread ids to keep.
        authors : iterable of str, optional
            Authors whose posts to keep.
        since, until : datetime or ISO 8601 str, optional
            Keep posts created at or after ``since`` and before ``until``
            (naive times are UTC); posts without a time are left out when
            either is given.

        Examples
        --------
        >>> import sna
        >>> corpus = sna.load("data/raw", stance=False)
        >>> part = corpus.subset(authors=["Varun"])
        >>> part.posts.height, part.edges.height
        (1, 0)
        """
        keep = pl.lit(True)
        if threads is not None:
            keep = keep & pl.col("thread_id").is_in(list(threads))
        if authors is not None:
            keep = keep & pl.col("author").is_in(list(authors))
        for bound, after in ((since, True), (until, False)):
            if bound is None:
                continue
            moment = _utc(bound)
            keep = keep & (pl.col("created_at") >= moment if after else pl.col("created_at") < moment)
        posts = self.posts.filter(keep.fill_null(False))
        ids = posts["post_id"].implode()
        edges = self.edges.filter(pl.col("source").is_in(ids) & pl.col("target").is_in(ids))
        unresolved = self.unresolved.filter(pl.col("source").is_in(ids))
        summary = {"subset_of": self.ingest_summary.get("posts"), "posts": posts.height,
                   "threads": posts["thread_id"].n_unique()}  # fmt: skip
        return Corpus(posts, edges, summary, unresolved=unresolved)


def _utc(moment: datetime | str) -> datetime:
    """A timezone-aware UTC datetime from a datetime or an ISO 8601 string."""
    from datetime import UTC

    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            raise SnaError(
                f"not an ISO 8601 time: {moment!r} (expected e.g. 2024-05-01 or 2024-05-01T12:00:00Z)"
            ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def load(
    *paths: str | Path,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit_target: str = "first",
    encoding: str = "utf-8",
    stance: bool = True,
    **stance_options: Any,
) -> Corpus:
    """Load a corpus from forum files, or from a folder ``sna ingest`` or ``sna run`` wrote.

    The same stages as ``sna run``: read, find quotes and replies, label
    stance; metrics and camps are computed on first use with the options you
    pass to :meth:`Corpus.metrics` (``sna metrics``'s options).

    Parameters
    ----------
    *paths : str or Path
        Input files or folders; a single folder holding ``posts.parquet`` and
        ``edges.parquet`` is read as it is.
    format, mapping, implicit_target, encoding
        As for ``sna ingest`` (``--format``, ``--map``, ``--implicit-target``,
        ``--encoding``: the text encoding of tables and plain-text pages).
    stance : bool
        Label each quote and reply agree / neutral / disagree, as ``sna run``
        does (edges already labelled in a results folder are kept).
    **stance_options
        Passed to :func:`sna.stance.label_edges`.

    Returns
    -------
    Corpus
    """
    if len(paths) == 1 and (Path(paths[0]) / "posts.parquet").exists():
        result: Ingested = read_ingested(paths[0])
    else:
        result = ingest(paths, format=format, mapping=mapping, implicit_target=implicit_target, encoding=encoding)
    edges = result.edges
    if stance and edges["stance"].null_count() == edges.height:
        from sna.stance import label_edges

        edges = label_edges(result.posts, edges, **stance_options)
    return Corpus(result.posts, edges, result.summary, unresolved=result.unresolved)
