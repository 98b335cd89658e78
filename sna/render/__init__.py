"""Pictures of a corpus: static figures (matplotlib) and offline HTML graphs (pyvis).

:func:`write_figures` and :func:`write_html` draw from tables already in
memory and write through a ``stage`` callable (see
:func:`sna.export.atomic_outputs`), so ``sna run`` can call them after
computing metrics and a failed run writes nothing. ``sna figures`` and ``sna html`` read
what ``sna run`` / ``sna metrics`` wrote with :func:`sna.pipeline.read_results`.

Examples
--------
>>> import tempfile, sna
>>> from sna.export import atomic_outputs
>>> corpus = sna.load("data/raw")
>>> with atomic_outputs(tempfile.mkdtemp()) as stage:
...     names = write_figures(corpus.posts, corpus.edges, corpus.metrics(), stage)
>>> names[:3], names[-1]
(['network.png', 'thread-arcs.png', 'centrality.png'], 'camp-agreement.png')
>>> figure_notes(corpus.posts, corpus.metrics())
['activity (no timestamps)']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from sna.analysis.report import Metrics

#: Graphs larger than this are drawn as their most central nodes (static figures).
MAX_DRAWN_NODES = 20_000

FIGURES = ("network", "thread-arcs", "centrality", "cascade-trees", "cascade-distributions", "camp-agreement",
           "activity")  # fmt: skip


def _has_times(posts: pl.DataFrame) -> bool:
    return "created_at" in posts.columns and posts["created_at"].null_count() < posts.height


def _has_camps(metrics: Metrics) -> bool:
    return bool(metrics.author_metrics["camp"].drop_nulls().len() or metrics.post_metrics["camp"].drop_nulls().len())


def figure_notes(posts: pl.DataFrame, metrics: Metrics) -> list[str]:
    """Which figures :func:`write_figures` leaves out for this corpus, and why."""
    notes = []
    if not _has_camps(metrics):
        notes.append("camp-agreement (no stance labels)")
    if not _has_times(posts):
        notes.append("activity (no timestamps)")
    return notes


def write_figures(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics: Metrics,
    stage: Callable[[str], Path],
    *,
    svg: bool = False,
    dpi: int = 150,
    seed: int = 0,
) -> list[str]:
    """Draw every static figure and write it through ``stage``; return the file names.

    Writes ``network``, ``thread-arcs``, ``centrality``, ``cascade-trees`` and
    ``cascade-distributions``, plus ``camp-agreement`` when there are camps
    (stance labels) and ``activity`` when posts have timestamps — as PNG,
    and also SVG with ``svg=True``. The network map and the rankings show
    the author graph, or the post graph when most authors are unknown.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    metrics : Metrics
        Computed metric tables.
    stage : callable
        Maps a file name to the path to write it at.
    svg : bool
        Also write SVG files.
    dpi : int
        PNG resolution.
    seed : int
        Layout seed.
    """
    from sna.render import static
    from sna.render.style import figure_style, save_figure
    from sna.render.views import graph_view, post_camps

    view = graph_view(posts, edges, metrics, max_nodes=MAX_DRAWN_NODES)
    camps = post_camps(posts, metrics, view.level)
    # with camps per thread, camp numbers restart in every thread: each picture colours its own largest camps
    colored = None if metrics.thread_camps.height else view.colored_camps
    drawers: list[tuple[str, Callable[[], object]]] = [
        ("network", lambda: static.network_map(view, seed=seed)),
        ("thread-arcs", lambda: static.thread_arcs(posts, edges, metrics.post_metrics, camps=camps, colored=colored)),
        ("centrality", lambda: static.centrality_rankings(view)),
        (
            "cascade-trees",
            lambda: static.cascade_trees(metrics.cascades, metrics.post_metrics, edges, camps=camps, colored=colored),
        ),
        ("cascade-distributions", lambda: static.cascade_distributions(metrics.cascades)),
    ]
    if _has_camps(metrics):
        drawers.append(("camp-agreement", lambda: static.camp_agreement(view)))
    if _has_times(posts):
        drawers.append(("activity", lambda: static.activity(posts, edges)))
    written: list[str] = []
    suffixes = [".png", ".svg"] if svg else [".png"]
    with figure_style():
        for name, draw in drawers:
            fig = draw()
            for suffix in suffixes:
                save_figure(fig, stage(name + suffix), dpi=dpi)
                written.append(name + suffix)
    return written


def write_html(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics: Metrics,
    stage: Callable[[str], Path],
    *,
    seed: int = 0,
) -> list[str]:
    """Write the interactive pages (``authors.html``, ``posts.html``) through ``stage``; return the names.

    Each page is one offline HTML file of at most 10,000 nodes (the most
    central by PageRank); see :mod:`sna.render.interactive`.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    metrics : Metrics
        Computed metric tables.
    stage : callable
        Maps a file name to the path to write it at.
    seed : int
        Layout seed.
    """
    from sna.render.interactive import MAX_PAGE_NODES, graph_page
    from sna.render.views import author_view, post_view

    pages = (
        ("authors.html", lambda: author_view(metrics, posts, max_nodes=MAX_PAGE_NODES)),
        ("posts.html", lambda: post_view(posts, edges, metrics, max_nodes=MAX_PAGE_NODES)),
    )
    written = []
    for name, make in pages:
        stage(name).write_text(graph_page(make(), seed=seed), encoding="utf-8")
        written.append(name)
    return written


__all__ = ["FIGURES", "figure_notes", "write_figures", "write_html"]
