"""Camps at a glance: the camp map (camps as nodes) and the agreement table between camps.

Both read the group tables of :mod:`sna.analysis.pictures` (camps, else
communities); only camps that are listed (two members or more, the largest
``LISTED_GROUPS``) appear — nodes without a camp are never pooled into a cell
that would read as a camp.

Examples
--------
>>> import sna
>>> from sna.analysis.pictures import picture_data
>>> corpus = sna.load("data/raw", stance=False)
>>> p = picture_data(corpus.posts, corpus.edges, corpus.metrics())
>>> camp_map(p.drawn, p.groups, p.group_links).axes[0].texts[0].get_text()
'no camps or communities: they need stance labels (camps) or a community column'
"""

from __future__ import annotations

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sna.analysis.pictures import LISTED_GROUPS, agreement_matrix, listed_groups
from sna.analysis.views import GraphView
from sna.render import marks, style


def _positions(view: GraphView, listed: list[int]) -> np.ndarray:
    """Centres of the listed groups: their discs in the network layout, else a ring by size."""
    lay = view.layout
    lookup = {int(g): i for i, g in enumerate(lay.region_group.tolist())}
    if view.level == "author" and all(g in lookup for g in listed):
        return lay.centers[[lookup[g] for g in listed]]
    angle = np.pi / 2 - 2 * np.pi * np.arange(len(listed)) / max(len(listed), 1)
    return 0.5 + 0.38 * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def camp_map(
    view: GraphView,
    groups: pl.DataFrame,
    links: pl.DataFrame,
    *,
    listed: int = LISTED_GROUPS,
    ax: Axes | None = None,
) -> Figure:
    """Camps as nodes (area = members), links coloured by the share of agreement between them.

    Each link pools the signed replies both ways between two camps (width:
    how many); a camp's rim shows the share of agreement among replies
    inside it; its most central members are named. Without stance labels
    (communities only) links are grey, their width the interactions.

    Parameters
    ----------
    view : GraphView
        The drawn graph (for group names and positions).
    groups, links : pl.DataFrame
        :func:`sna.analysis.pictures.group_table` and ``group_links``.
    listed : int
        Largest groups drawn.
    ax : Axes, optional
        Where to draw.
    """
    fig, ax = marks.axes(ax, "campmap")
    noun = view.group_noun
    title = f"{noun.capitalize()} map: who agrees with whom" if view.grouping == "camp" else f"{noun.capitalize()} map"
    if view.grouping is None or groups.height == 0:
        marks.note(ax, "no camps or communities: they need stance labels (camps) or a community column",
                   title="Camp map")  # fmt: skip
        return fig
    shown = listed_groups(groups, limit=listed)
    table = groups.filter(pl.col("group").is_in(shown))
    order = {g: i for i, g in enumerate(shown)}
    table = table.sort(pl.col("group").replace_strict(order))
    xy = _positions(view, shown)
    span = np.ptp(xy, axis=0).max() if len(xy) > 1 else 1.0
    xy = (xy - xy.mean(axis=0)) / (span or 1.0) * 0.78 + 0.5
    size = table["size"].to_numpy()
    signed = view.grouping == "camp" and bool(links.select(pl.col("agree") + pl.col("disagree")).sum().item())
    cmap = style.diverging_cmap()
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    marks.bare(ax)
    ax.set_title(title)
    fig.draw_without_rendering()
    # links between groups, both directions pooled
    pair = links.filter(pl.col("source_group").is_in(shown) & pl.col("target_group").is_in(shown)
                        & (pl.col("source_group") != pl.col("target_group")))  # fmt: skip
    pair = (
        pair.with_columns(
            lo=pl.min_horizontal("source_group", "target_group"), hi=pl.max_horizontal("source_group", "target_group")
        )
        .group_by("lo", "hi")
        .agg(pl.col("agree", "disagree", "weight").sum())
        .sort("lo", "hi")
    )
    amount = (pair["agree"] + pair["disagree"]).to_numpy() if signed else pair["weight"].to_numpy()
    keep = amount > 0
    pair, amount = pair.filter(pl.Series(keep)), amount[keep]
    if pair.height:
        a = np.array([order[g] for g in pair["lo"].to_list()])
        b = np.array([order[g] for g in pair["hi"].to_list()])
        widths = 0.6 + 7.0 * np.sqrt(amount / amount.max())
        if signed:
            share = pair["agree"].to_numpy() / np.maximum(amount, 1)
            colors = cmap(share)
        else:
            colors = [style.FADED] * len(a)
        rank = np.argsort(amount, kind="stable")
        ax.add_collection(LineCollection(np.stack([xy[a], xy[b]], axis=1)[rank], colors=np.asarray(colors)[rank],
                                         linewidths=widths[rank], alpha=0.9, capstyle="round", zorder=1))  # fmt: skip
    # groups
    area = 250 + 2600 * size / max(int(size.max()), 1)
    radius_pt = np.sqrt(area / np.pi)
    fills = style.group_colors(table["group"].to_numpy())
    if signed:
        inside = (table["agree_inside"] + table["disagree_inside"]).to_numpy()
        rims = [cmap(a / t) if t else style.FADED for a, t in zip(table["agree_inside"].to_numpy(), inside,
                                                                   strict=True)]  # fmt: skip
    else:
        rims = [style.NODE_EDGE] * table.height
    ax.scatter(xy[:, 0], xy[:, 1], s=area, c=list(fills), edgecolors=rims, linewidths=4.0 if signed else 1.0,
               zorder=2)  # fmt: skip
    for (x, y), group, fill, r in zip(xy, table["group"].to_list(), fills, radius_pt, strict=True):
        dark = fill in (style.CAMP_COLORS[5], style.CAMP_COLORS[1], style.CAMP_COLORS[2])
        ax.text(x, y, str(group), ha="center", va="center", fontsize=float(np.clip(r * 0.55, 6.5, 12)),
                fontweight="bold", color="white" if dark else style.TEXT, zorder=3)  # fmt: skip
    if signed:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        bar = fig.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap=cmap), ax=ax, shrink=0.55, pad=0.02,
                           location="bottom", aspect=40)  # fmt: skip
        bar.set_label("share agreeing: agree / (agree + disagree); links, and replies inside (rim)",
                      fontsize=style.FONT["annotation"])  # fmt: skip
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelsize=style.FONT["tick"])
        bar.set_ticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    entries = []
    for row in table.iter_rows(named=True):
        head = f"{noun} {row['group']} ({row['size']:,})"
        if signed and row["agree_inside"] + row["disagree_inside"]:
            head += f", {row['agree_inside'] / (row['agree_inside'] + row['disagree_inside']):.0%} agree inside"
        members = ", ".join(style.short_label(m, 18) for m in row["central"])
        label = style.plain(head + (f"\n{members}" if members else ""))
        entries.append(style.Entry(label, style.group_color(int(row["group"]))))
    if not signed and pair.height:
        entries.append(style.Entry("interactions between them", style.FADED, "line"))
    marks.legend(ax, [(f"{view.noun}: {noun} (most central members)", entries)],
                 fontsize=style.FONT["legend"] - 0.5, labelspacing=0.55)  # fmt: skip
    total = groups.height
    more = f"; the {listed} largest of {total:,} {style.plural(noun)} shown" if total > listed else ""
    how = ("width: signed replies between them; rim: agreement inside" if signed
           else "width: interactions between them")  # fmt: skip
    marks.caption(ax, f"Node area: members ({how}){more}. Names: the most central members.")
    return fig


#: Rows of the heatmap up to which each cell also gives its number of signed replies.
COUNTED_CELLS = 8


def camp_agreement(
    groups: pl.DataFrame,
    links: pl.DataFrame,
    *,
    grouping: str | None = "camp",
    listed: int = LISTED_GROUPS,
    reason: str = "no stance labels, so no camps",
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of the share of agreement among signed replies from each camp (rows) to each camp (columns).

    Each cell is agree / (agree + disagree) with the number of signed
    replies; empty cells have none. The listed camps have a row each; the
    other camps share a row named by their number, and nodes without a camp
    share "no camp" (:func:`sna.analysis.pictures.agreement_matrix`).

    Examples
    --------
    >>> groups = pl.DataFrame({"group": [1, 2], "size": [3, 2]})
    >>> links = pl.DataFrame({"source_group": [1, 2], "target_group": [2, 1], "agree": [1, 0], "neutral": [0, 0],
    ...                       "disagree": [3, 2], "weight": [4, 2]})
    >>> camp_agreement(groups, links).axes[0].get_xlabel()
    'camp replied to'
    """
    fig, ax = marks.axes(ax, "heatmap")
    title = "Agreement within and between camps"
    if grouping != "camp" or groups.height == 0:
        marks.note(ax, "no agreement camps here:\n" + reason, title=title)
        return fig
    names, agree, disagree = agreement_matrix(groups, links, limit=listed)
    k = len(names)
    total = agree + disagree
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, agree / np.maximum(total, 1), np.nan)
    cmap = style.diverging_cmap().with_extremes(bad="#F2F2F2")
    image = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0, vmax=1, aspect="equal")
    small = style.FONT["annotation"] if k <= 6 else style.FONT["annotation"] - 1.2
    for i in range(k):
        for j in range(k):
            if total[i, j] == 0:
                ax.text(j, i, "–", ha="center", va="center", color=style.MUTED_TEXT, fontsize=small)
                continue
            color = "white" if abs(share[i, j] - 0.5) > 0.3 else style.TEXT
            text = f"{share[i, j]:.0%}\nn={total[i, j]:,}" if k <= COUNTED_CELLS else f"{share[i, j]:.0%}"
            ax.text(j, i, text, ha="center", va="center", color=color,
                    fontsize=small)  # fmt: skip
    ax.set_xticks(range(k), names, rotation=30 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(
        "camp replied to"
        if k <= COUNTED_CELLS
        else f"camp replied to (cells: share agreeing; n per cell when {COUNTED_CELLS} rows or fewer)"
    )
    ax.set_ylabel("camp of the replier")
    ax.set_title(title)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.03)
    bar.set_label("share agreeing (agree / (agree + disagree))")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=style.FONT["tick"])
    bar.set_ticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    return fig
