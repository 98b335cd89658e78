"""How large and deep cascades grow: complementary CDFs, reply trees and quote cascades apart.

Examples
--------
>>> table = pl.DataFrame({"kind": ["reply"] * 3, "size": [2, 3, 300], "depth": [1, 2, 9]})
>>> fig = cascade_distributions(table)
>>> fig.axes[0].get_xscale(), fig.axes[1].get_xscale()
('log', 'linear')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sna.render import marks, style

KINDS = (("reply", "reply trees", style.OKABE_ITO["bluish_green"], "o"),
         ("quote", "quote cascades", style.OKABE_ITO["reddish_purple"], "s"))  # fmt: skip


def ccdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the share of observations at or above each: P(X ≥ x).

    Examples
    --------
    >>> x, p = ccdf(np.array([1, 1, 2, 5]))
    >>> x.tolist(), p.tolist()
    ([1, 2, 5], [1.0, 0.5, 0.25])
    """
    values = np.sort(np.asarray(values))
    unique, first = np.unique(values, return_index=True)
    return unique, 1.0 - first / len(values)


def _spans_decades(values: np.ndarray, decades: float = 2.0) -> bool:
    positive = values[values > 0]
    return bool(len(positive)) and positive.max() / positive.min() >= 10**decades


def cascade_distributions(cascades: pl.DataFrame, *, axes: Sequence[Axes] | None = None) -> Figure:
    """Complementary CDFs of cascade size and depth, reply trees and quote cascades apart.

    Axes turn logarithmic when the values span two decades or more (x), or
    when there are 100 cascades or more (y).
    """
    fig, grid = marks.panels(axes, 2, "distributions", ncols=2)
    for column, ax, xlabel, title in (("size", grid[0], "cascade size (posts)", "Size"),
                                      ("depth", grid[1], "cascade depth (reply levels)", "Depth")):  # fmt: skip
        drawn = False
        all_values = cascades[column].drop_nulls().to_numpy() if cascades.height else np.zeros(0)
        log_x = _spans_decades(all_values)
        for kind, name, color, marker in KINDS:
            values = cascades.filter(pl.col("kind") == kind)[column].drop_nulls().to_numpy()
            if log_x:
                values = values[values > 0]
            if not len(values):
                continue
            x, p = ccdf(values)
            if len(x) > 2000:  # a step every 1/2000 of the range is as much as a figure shows
                keep = np.unique(np.linspace(0, len(x) - 1, 2000).astype(int))
                x, p = x[keep], p[keep]
            ax.step(x, p, where="post", color=color, linewidth=1.3, label=f"{name} ({len(values):,})",
                    marker=marker if len(x) < 60 else None, markersize=3.5)  # fmt: skip
            drawn = True
        if not drawn:
            marks.note(ax, "no cascades", title=title)
            continue
        if log_x:
            ax.set_xscale("log")
        if cascades.height >= 100:
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, 1.05)
        ax.set_xlabel(xlabel + (" — log scale" if log_x else ""))
        ax.set_ylabel("share of cascades ≥ x")
        ax.set_title(title)
        if not log_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            low, high = float(all_values.min()), float(all_values.max())
            if high - low < 2:
                ax.set_xlim(low - 1, high + 1)
        ax.grid(True, which="major", color="#EEEEEE", linewidth=0.6)
        ax.set_axisbelow(True)
    if axes is None:
        fig.suptitle("How large and deep cascades grow (complementary CDF)", x=0.01, ha="left")
        handles, labels = grid[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))
    else:
        for ax in grid:
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper right")
    return fig
