"""One palette, font sizes and figure sizes for every picture sna draws.

Colours come from Okabe & Ito ("Color Universal Design", 2008), a palette
that stays distinguishable under the common colour-vision deficiencies. Stance
uses the pair that survives all of them best — blue for agreement, vermillion
for disagreement — with greys for neutral and unlabelled edges; the six
largest camps get the remaining Okabe–Ito hues (and dark grey); edge kinds use purple, green and grey.
The same colours are used by the static figures and the HTML pages.

Examples
--------
>>> camp_color(1), camp_color(None), STANCE_COLORS["disagree"]
('#E69F00', '#56B4E9', '#D55E00')
>>> short_label("a-rather-long-thread-name#1234", 16)
'a-rather…me#1234'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: Edge colour per stance label; ``none`` is an edge without a label.
STANCE_COLORS = {
    "agree": OKABE_ITO["blue"],
    "neutral": "#8C8C8C",
    "disagree": OKABE_ITO["vermillion"],
    "none": "#BDBDBD",
}
#: Stance codes as in ``sna.graph.STANCE_CODES`` (-1 = no label), in legend order.
STANCE_ORDER = ("agree", "neutral", "disagree", "none")
STANCE_BY_CODE = {0: "agree", 1: "neutral", 2: "disagree", -1: "none"}

#: Edge colour per edge kind, used where there are no stance labels.
KIND_COLORS = {"quote": OKABE_ITO["reddish_purple"], "reply": OKABE_ITO["bluish_green"], "implicit": "#C8C8C8"}

#: Camp colours, camp 1 (the largest) first: the Okabe–Ito hues that stance does not use, so
#: a figure can colour nodes by camp and edges by stance. Camps past these share ``OTHER_CAMP``.
CAMP_COLORS = (
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    "#4D4D4D",
)
OTHER_CAMP = "#D9D9D9"
#: Nodes without a camp where there are camps (no agree/disagree link, or a camp below the minimum size):
#: drawn hollow, a grey ring.
UNASSIGNED_FILL = "#FFFFFF"
UNASSIGNED_EDGE = "#8C8C8C"
#: Node colour when there are no camps (no stance labels yet).
UNIFORM_NODE = OKABE_ITO["sky_blue"]
NODE_EDGE = "#FFFFFF"
TEXT = "#222222"
MUTED_TEXT = "#666666"

#: Diverging colours for shares from disagreement (0) to agreement (1).
DIVERGING = (OKABE_ITO["vermillion"], "#F7F7F7", OKABE_ITO["blue"])

#: Font sizes in points.
FONT = {"base": 8.5, "title": 10.5, "label": 8.5, "tick": 7.5, "annotation": 7.0, "legend": 7.5}
#: Figure sizes in inches (a two-column paper's text width is about 7.2 in).
FIGSIZE = {
    "network": (7.2, 5.6),
    "arcs": (7.2, 3.8),
    "rankings": (7.2, 6.2),
    "trees": (7.2, 5.0),
    "distributions": (7.2, 3.2),
    "heatmap": (5.6, 4.6),
    "activity": (7.2, 3.8),
}
DPI = 150

#: matplotlib settings for every figure (used through :func:`figure_style`).
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": FONT["base"],
    "axes.titlesize": FONT["title"],
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": FONT["label"],
    "axes.edgecolor": "#555555",
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.labelsize": FONT["tick"],
    "ytick.labelsize": FONT["tick"],
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": FONT["legend"],
    "legend.frameon": False,
    "figure.titlesize": FONT["title"] + 0.5,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": TEXT,
    # Byte-identical files on reruns: fixed SVG ids, text as paths.
    "svg.hashsalt": "sna",
    "svg.fonttype": "path",
    "path.simplify": True,
}
#: Metadata written into files: no dates, no versions, so reruns give identical bytes.
METADATA = {
    "png": {"Software": "sna"},
    "svg": {"Date": None, "Creator": "sna"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "sna", "Producer": "sna"},
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply sna's matplotlib settings for the duration of a block (no global change).

    Examples
    --------
    >>> import matplotlib
    >>> with figure_style():
    ...     matplotlib.rcParams["svg.hashsalt"]
    'sna'
    """
    import matplotlib as mpl

    with mpl.rc_context(RC):
        yield


def new_figure(kind: str, *, nrows: int = 1, ncols: int = 1, **subplot_kw: Any):
    """A figure (no pyplot state) with a grid of axes, sized for ``kind`` (a key of ``FIGSIZE``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : np.ndarray of Axes
        Always 2-D, ``(nrows, ncols)``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE[kind], layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def save_figure(fig, path: str | Path, *, dpi: int = DPI) -> None:
    """Write a figure reproducibly: fixed metadata, format from the suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with figure_style():
    ...     fig, axes = new_figure("heatmap")
    ...     _ = axes[0, 0].plot([0, 1], [1, 0])
    ...     path = pathlib.Path(tempfile.mkdtemp()) / "f.svg"
    ...     save_figure(fig, path)
    >>> "Date" in path.read_text()
    False
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    with figure_style():
        fig.savefig(path, dpi=dpi, format=fmt, metadata=METADATA.get(fmt))


def camp_color(camp: int | None) -> str:
    """Colour of a camp number (1 = largest); ``None`` (no camps) gets the uniform node colour."""
    if camp is None:
        return UNIFORM_NODE
    if 1 <= camp <= len(CAMP_COLORS):
        return CAMP_COLORS[camp - 1]
    return OTHER_CAMP


def camp_colors(camps: np.ndarray) -> np.ndarray:
    """Colours for an array of camp numbers, 0 meaning no camp.

    Examples
    --------
    >>> camp_colors(np.array([1, 0, 12])).tolist()
    ['#E69F00', '#56B4E9', '#D9D9D9']
    """
    table = np.array([UNIFORM_NODE, *CAMP_COLORS, OTHER_CAMP], dtype=object)
    index = np.where(camps <= 0, 0, np.minimum(camps, len(CAMP_COLORS) + 1))
    return table[index]


def colored_camps(camp: np.ndarray, *, max_camps: int = len(CAMP_COLORS)) -> list[int]:
    """Camps that get a colour of their own: those with two or more members, at most ``max_camps``.

    Camps are numbered by size, largest first, so these are camps ``1..k``.

    Examples
    --------
    >>> colored_camps(np.array([1, 1, 2, 3, 3, 0]))
    [1, 3]
    """
    sizes = np.bincount(np.maximum(camp, 0)) if len(camp) else np.zeros(1, dtype=np.int64)
    sizes[0] = 0
    return [int(c) for c in np.flatnonzero(sizes >= 2)[:max_camps]]


def stance_colors(codes: np.ndarray) -> np.ndarray:
    """Colours for stance codes (0 agree, 1 neutral, 2 disagree, -1 none).

    Examples
    --------
    >>> stance_colors(np.array([0, 2, -1])).tolist()
    ['#0072B2', '#D55E00', '#BDBDBD']
    """
    table = np.array([STANCE_COLORS[STANCE_BY_CODE[c]] for c in (0, 1, 2, -1)], dtype=object)
    return table[np.where(codes < 0, 3, codes)]


def diverging_cmap():
    """The vermillion–white–blue colour map for shares of agreement (0 = all disagree)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("sna_agreement", DIVERGING)


def short_label(text: str, width: int = 24, *, end: bool = False) -> str:
    """Shorten text to ``width`` characters with an ellipsis in the middle (or at the end).

    Examples
    --------
    >>> short_label("abc", 24)
    'abc'
    >>> short_label("0123456789", 7), short_label("0123456789", 7, end=True)
    ('012…789', '012345…')
    """
    text = re.sub(r"\s+", " ", str(text)).strip()
    if len(text) <= width:
        return text
    if end:
        return text[: width - 1].rstrip() + "…"
    head = (width - 1) // 2 + (width - 1) % 2
    tail = width - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


def plain(text: str) -> str:
    """Text that matplotlib shows as it is: dollar signs escaped so they start no formula.

    Examples
    --------
    >>> print(plain("costs $5 or $6"))
    costs \\$5 or \\$6
    """
    return str(text).replace("$", r"\$")


def format_value(value: float | None) -> str:
    """A compact number for annotations: integers as such, else three significant digits.

    Examples
    --------
    >>> format_value(12.0), format_value(0.012345), format_value(None), format_value(1234567.0)
    ('12', '0.0123', '–', '1.23e+06')
    """
    if value is None or not np.isfinite(value):
        return "–"
    if float(value).is_integer() and abs(value) < 1e6:
        return f"{int(value):,}"
    return f"{value:.3g}"
