"""The Python entry point: a corpus of posts and edges with graphs and metrics on demand.

Examples
--------
>>> import sna
>>> corpus = sna.load("data/raw")
>>> corpus.posts.height, corpus.author_graph().number_of_nodes()
(32, 32)
>>> corpus.post_metrics().sort("pagerank", descending=True)["post_id"][0]
'pakistan-ussr-thread#1'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

import networkx as nx
import polars as pl

from sna.analysis.report import Metrics, compute_metrics
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

    Notes
    -----
    Graphs and metrics are computed on first use and cached; the networkx
    graphs are fresh copies each call, so changing one never changes the
    corpus.
    """

    def __init__(self, posts: pl.DataFrame, edges: pl.DataFrame, summary: Mapping[str, object] | None = None) -> None:
        self.posts = posts
        self.edges = edges
        self.ingest_summary = dict(summary or {})
        self._metrics: dict[tuple[object, ...], Metrics] = {}

    def __repr__(self) -> str:
        return (
            f"Corpus({self.posts['thread_id'].n_unique()} threads, {self.posts.height} posts, "
            f"{self.edges.height} edges)"
        )

    @cached_property
    def _post_graph(self) -> nx.MultiDiGraph:
        return post_graph(self.posts, self.edges)

    @cached_property
    def _author_graph(self) -> nx.DiGraph:
        return author_graph(self.posts, self.edges)

    def post_graph(self) -> nx.MultiDiGraph:
        """The post graph (a copy): a node per post, an edge per EDGES row keyed by kind."""
        return self._post_graph.copy()

    def author_graph(self) -> nx.DiGraph:
        """The author graph (a copy): weighted, with counts by kind and stance."""
        return self._author_graph.copy()

    def metrics(
        self,
        *,
        seed: int = 0,
        sources: int | None = None,
        n_camps: int | None = None,
        min_camp_size: int = 2,
        camps_by: str = "corpus",
    ) -> Metrics:
        """All metric tables and the summary, as ``sna metrics`` writes them (options as for ``compute_metrics``)."""
        key = (seed, sources, n_camps, min_camp_size, camps_by)
        if key not in self._metrics:
            self._metrics[key] = compute_metrics(self.posts, self.edges, seed=seed, sources=sources, n_camps=n_camps,
                                                 min_camp_size=min_camp_size, camps_by=camps_by)  # fmt: skip
        return self._metrics[key]

    def post_metrics(self, **options: object) -> pl.DataFrame:
        """Centrality, depth and subtree size per post."""
        return self.metrics(**options).post_metrics  # type: ignore[arg-type]

    def author_metrics(self, **options: object) -> pl.DataFrame:
        """Centrality and activity per author."""
        return self.metrics(**options).author_metrics  # type: ignore[arg-type]

    def cascades(self, **options: object) -> pl.DataFrame:
        """Reply and quote cascades with their shape."""
        return self.metrics(**options).cascades  # type: ignore[arg-type]

    def summary(self, **options: object) -> dict[str, object]:
        """Graph-level figures (``summary.json``)."""
        return self.metrics(**options).summary  # type: ignore[arg-type]


def load(
    *paths: str | Path,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit: bool = True,
) -> Corpus:
    """Load a corpus from forum files, or from a folder ``sna ingest`` wrote.

    Parameters
    ----------
    *paths : str or Path
        Input files or folders; a single folder holding ``posts.parquet`` and
        ``edges.parquet`` is read as it is.
    format, mapping, implicit
        As for ``sna ingest``.

    Returns
    -------
    Corpus
    """
    if len(paths) == 1 and (Path(paths[0]) / "posts.parquet").exists():
        result: Ingested = read_ingested(paths[0])
    else:
        result = ingest(paths, format=format, mapping=mapping, implicit=implicit)
    return Corpus(result.posts, result.edges, result.summary)
