"""Activity over time: posts per bin, and labelled replies by stance.

Examples
--------
>>> import datetime as dt
>>> from sna.analysis.pictures import activity_bins
>>> t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
>>> posts = pl.DataFrame({"created_at": [t0, t0 + dt.timedelta(days=3)]})
>>> activity(activity_bins(posts)).axes[0].get_ylabel()
'posts per hour'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sna.analysis.pictures import Activity
from sna.render import marks, style

POSTS_COLOR = style.OKABE_ITO["sky_blue"]


def activity(data: Activity | None, *, axes: Sequence[Axes] | None = None) -> Figure:
    """Posts per hour, day, week, … (at most 200 bins); and replies by stance when labels exist.

    Without timestamps the panel says so (``sna figures`` then skips the file).
    """
    labelled = data is not None and bool(
        data.bins.select(pl.sum_horizontal("agree", "neutral", "disagree").sum()).item()
    )
    fig, grid = marks.panels(axes, 2 if labelled else 1, "activity", ncols=1, sharex=labelled)
    if data is None:
        marks.note(grid[0], "no timestamps on the posts", title="Activity over time")
        return fig
    import matplotlib.dates as mdates

    bins = data.bins
    starts = bins["start"].to_list()
    width = data.days * 0.9
    ax = grid[0]
    ax.bar(starts, bins["posts"].to_numpy(), width=width, color=POSTS_COLOR, align="edge", edgecolor="none",
           label="posts")  # fmt: skip
    ax.set_ylabel(f"posts per {data.unit}")
    ax.set_title("Activity over time")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    stamped = (
        "every post has a time"
        if data.stamped == data.total
        else f"{data.stamped:,} of {data.total:,} posts have a time"
    )
    ax.set_xlabel(f"time (UTC); {stamped}")
    if labelled:
        ax2 = grid[1]
        bottom = np.zeros(bins.height)
        for label in ("agree", "neutral", "disagree"):
            values = bins[label].to_numpy()
            if not values.any():
                continue
            ax2.bar(starts, values, bottom=bottom, width=width, align="edge", color=style.STANCE_COLORS[label],
                    label=label, edgecolor="none")  # fmt: skip
            bottom = bottom + values
        ax2.set_ylabel(f"labelled replies per {data.unit}")
        ax2.set_title("Replies by stance")
        ax2.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax2.xaxis.set_major_locator(locator)
        ax2.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax2.set_xlabel("time (UTC)")
    return fig
