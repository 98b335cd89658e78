"""Centrality rankings: the top nodes by each measure as bars, coloured by camp.

The "replies received" panel shows, next to the quotes and replies read from
the posts (the bar the ranking uses), the assumed links each node received
as a light dashed extension: they are not counted (``implicit_links="ignore"``),
and the picture shows how much they would add.

Examples
--------
>>> table = pl.DataFrame({"label": ["a", "b", "c"], "pagerank": [0.2, 0.5, 0.3], "group": [1, 0, 1]})
>>> ax = centrality_ranking(table, "pagerank", top=2).axes[0]
>>> [t.get_text() for t in ax.get_yticklabels()]
['c', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sna.analysis.views import GraphView
from sna.render import marks, style

#: Display name and axis label of each measure.
MEASURE_NAMES = {
    "pagerank": ("PageRank", "PageRank"),
    "in_degree": ("In-degree", "posts or authors linking here"),
    "replies_received": ("Replies received", "quotes and replies received"),
    "in_weight": ("Replies received", "quotes and replies received"),
    "betweenness": ("Betweenness", "betweenness centrality"),
    "harmonic": ("Harmonic closeness", "harmonic closeness"),
    "hub": ("Hub score", "HITS hub score"),
    "authority": ("Authority score", "HITS authority score"),
    "katz": ("Katz centrality", "Katz centrality"),
}


def top_nodes(nodes: pl.DataFrame, measure: str, k: int) -> pl.DataFrame:
    """The ``k`` nodes with the largest positive ``measure`` (ties in table order).

    Examples
    --------
    >>> top_nodes(pl.DataFrame({"v": [1.0, 3.0, 0.0, 3.0]}), "v", 3)["v"].to_list()
    [3.0, 3.0, 1.0]
    """
    return (
        nodes.with_row_index("_order")  # zeros are left out: a bar of nothing says nothing
        .filter(pl.col(measure).is_not_null() & pl.col(measure).cast(pl.Float64).is_not_nan() & (pl.col(measure) > 0))
        .sort(measure, "_order", descending=[True, False])
        .head(k)
        .drop("_order")
    )


def centrality_ranking(
    nodes: pl.DataFrame,
    measure: str,
    *,
    top: int = 10,
    level: str | None = None,
    grouping: str | None = "camp",
    ax: Axes | None = None,
) -> Figure:
    """Top-``top`` nodes by one measure as horizontal bars (largest at the top), coloured by group.

    Parameters
    ----------
    nodes : pl.DataFrame
        Metric table with ``measure``, ``label`` and optionally ``group`` and ``implicit_received``.
    measure : str
        Column to rank by.
    top : int
        Bars to draw.
    level : str, optional
        ``"author"`` or ``"post"``, for the axis label.
    grouping : str, optional
        What ``group`` means (None: one colour).
    ax : Axes, optional
        Where to draw.
    """
    fig, ax = marks.axes(ax, "rankings")
    name, long_name = MEASURE_NAMES.get(measure, (measure.replace("_", " "), measure.replace("_", " ")))
    if measure not in nodes.columns or nodes[measure].drop_nulls().cast(pl.Float64).drop_nans().len() == 0:
        marks.note(ax, f"{name} is undefined here", title=name)
        return fig
    if level is not None and measure == "in_degree":
        long_name = "distinct authors replying" if level == "author" else "posts replying"
    best = top_nodes(nodes, measure, top)
    values = best[measure].cast(pl.Float64).to_numpy()[::-1]
    group = best["group"].to_numpy()[::-1] if "group" in best.columns else np.zeros(len(values), dtype=np.int64)
    y = np.arange(len(values))
    fills = style.group_colors(group, grouped=grouping is not None)
    ax.barh(y, values, color=list(fills), edgecolor=list(style.group_edge_colors(group, grouped=grouping is not None,
                                                                                rim="none")), height=0.7)  # fmt: skip
    extra = np.zeros(len(values))
    if measure == "replies_received" and "implicit_received" in best.columns:
        extra = best["implicit_received"].fill_null(0).cast(pl.Float64).to_numpy()[::-1]
        if extra.any():
            ax.barh(y, extra, left=values, color=style.FADED, edgecolor=style.ASSUMED, linestyle=(0, (2, 1.5)),
                    linewidth=0.6, height=0.7)  # fmt: skip
    ax.set_yticks(y, [style.plain(style.short_label(s, 26)) for s in best["label"].to_list()[::-1]])
    ax.tick_params(axis="y", length=0)
    top_value = float((values + extra).max()) if len(values) else 1.0
    for yi, v, e in zip(y, values, extra, strict=True):
        text = style.format_value(v) + (f" (+{style.format_value(e)} assumed)" if e else "")
        ax.text(v + e + top_value * 0.015, yi, text, va="center", ha="left", fontsize=style.FONT["annotation"],
                color=style.MUTED_TEXT)  # fmt: skip
    ax.set_xlim(0, top_value * (1.45 if extra.any() else 1.22) if top_value > 0 else 1)
    ax.set_ylim(-0.6, max(len(values), 1) - 0.4)
    ax.set_xlabel(long_name)
    ax.set_title(name)
    return fig


def default_measures(nodes: pl.DataFrame, level: str) -> list[str]:
    """The four rankings drawn by default: PageRank, replies received, betweenness, harmonic closeness.

    Examples
    --------
    >>> default_measures(pl.DataFrame({"pagerank": [1.0], "in_degree": [1], "replies_received": [2]}), "author")
    ['pagerank', 'replies_received']
    """
    received = "replies_received" if "replies_received" in nodes.columns else "in_weight"
    wanted = ["pagerank", received if level == "author" else "in_degree", "betweenness", "harmonic"]
    return [m for m in wanted if m in nodes.columns]


def centrality_rankings(
    view: GraphView,
    *,
    measures: Sequence[str] | None = None,
    top: int = 10,
    rank_anonymous: bool = True,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Top-``top`` bars for each of several measures, one panel each.

    Parameters
    ----------
    view : GraphView
        Nodes with their measures.
    measures : sequence of str, optional
        Default :func:`default_measures`.
    top : int
        Bars per panel.
    rank_anonymous : bool
        Whether nodes that stand for unknown authors are ranked.
    axes : sequence of Axes, optional
        One per measure.
    """
    nodes = view.nodes
    if not rank_anonymous and "anonymous" in nodes.columns:
        nodes = nodes.filter(~pl.col("anonymous").fill_null(False))
    measures = list(measures or default_measures(nodes, view.level))
    fig, grid = marks.panels(axes, len(measures), "rankings", ncols=2 if len(measures) > 1 else 1)
    shown: list[np.ndarray] = []
    assumed = False
    for measure, ax in zip(measures, grid, strict=True):
        centrality_ranking(nodes, measure, top=top, level=view.level, grouping=view.grouping, ax=ax)
        if measure in nodes.columns:
            best = top_nodes(nodes, measure, top)
            shown.append(best["group"].to_numpy())
            if measure == "replies_received" and "implicit_received" in best.columns:
                assumed |= bool(best["implicit_received"].fill_null(0).sum())
    if axes is None:
        fig.suptitle(f"The most central {view.noun}", x=0.01, ha="left")
        groups = np.concatenate(shown) if shown else np.zeros(0, dtype=np.int64)
        _, entries = style.group_entries(groups, view.grouping, noun=view.noun, counts=False, reason=view.no_groups)
        if assumed:
            entries.append(style.Entry("assumed links received (not counted)", style.FADED, "cell",
                                       edge=style.ASSUMED))  # fmt: skip
        marks.legend(fig, [("", entries)], loc="outside lower center", ncols=min(len(entries), 5))
    return fig
