"""One palette, font sizes and figure sizes for every picture sna draws.

Colours come from Okabe & Ito ("Color Universal Design", 2008), a palette
that stays distinguishable under the common colour-vision deficiencies. Stance
uses the pair that survives all of them best — blue for agreement, vermillion
for disagreement — with greys for neutral and unlabelled edges; the six
largest camps get the remaining Okabe–Ito hues (and dark grey), smaller ones a mid grey, nodes
without a camp are white with a grey rim. Without stance labels, links are coloured by kind (blue
quotes, dark grey replies); assumed (implicit) links are always dashed grey.
The same colours are used by the static figures and the HTML pages, and
:func:`group_entries` / :func:`link_entries` give the legend of each: one
entry for every colour a picture uses.

Examples
--------
>>> group_color(1), group_color(0), group_color(9), STANCE_COLORS["disagree"]
('#E69F00', '#FFFFFF', '#A3A3A3', '#D55E00')
>>> short_label("a-rather-long-thread-name#1234", 16)
'a-rather…me#1234'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
#: Kind codes as in ``sna.graph.KIND_CODES``.
KIND_BY_CODE = {0: "quote", 1: "reply", 2: "implicit"}

#: Link colour per kind, used where there are no stance labels (blue and dark grey: no camp uses them).
KIND_COLORS = {"quote": OKABE_ITO["blue"], "reply": "#5E5E5E", "implicit": "#9E9E9E"}

#: Group colours (camps, else communities), group 1 (the largest) first: the Okabe–Ito hues that stance
#: does not use, so a figure can colour nodes by camp and links by stance.
CAMP_COLORS = (
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    "#4D4D4D",
)
#: Groups past the coloured ones share this grey.
SMALL_GROUP = "#A3A3A3"
#: Nodes without a group (no camp): white with a grey rim.
UNASSIGNED = "#FFFFFF"
UNASSIGNED_EDGE = "#8C8C8C"
#: Node colour when there are no groups at all.
UNIFORM_NODE = OKABE_ITO["sky_blue"]
#: Nodes and links outside a large graph's backbone.
FADED = "#C9C9C9"
#: Assumed (implicit) links: dashed, this grey.
ASSUMED = "#9E9E9E"
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
    "campmap": (7.2, 5.6),
    "thread": (7.2, 5.2),
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


def group_color(group: int, *, grouped: bool = True) -> str:
    """Colour of a group number (1 = largest; 0 = no group); without groups, the uniform colour.

    Examples
    --------
    >>> group_color(2), group_color(7), group_color(0), group_color(0, grouped=False)
    ('#009E73', '#A3A3A3', '#FFFFFF', '#56B4E9')
    """
    if not grouped:
        return UNIFORM_NODE
    if group <= 0:
        return UNASSIGNED
    return CAMP_COLORS[group - 1] if group <= len(CAMP_COLORS) else SMALL_GROUP


def group_colors(groups: np.ndarray, *, grouped: bool = True) -> np.ndarray:
    """Fill colours for an array of group numbers (0 = no group).

    Examples
    --------
    >>> group_colors(np.array([1, 0, 12])).tolist()
    ['#E69F00', '#FFFFFF', '#A3A3A3']
    """
    if not grouped:
        return np.full(len(groups), UNIFORM_NODE, dtype=object)
    table = np.array([UNASSIGNED, *CAMP_COLORS, SMALL_GROUP], dtype=object)
    return table[np.clip(groups, 0, len(CAMP_COLORS) + 1)]


def group_edge_colors(groups: np.ndarray, *, grouped: bool = True, rim: str = NODE_EDGE) -> np.ndarray:
    """Rim colours: grey for nodes without a group (their fill is white), else ``rim``."""
    out = np.full(len(groups), rim, dtype=object)
    if grouped:
        out[groups <= 0] = UNASSIGNED_EDGE
    return out


@dataclass(frozen=True)
class Entry:
    """One legend entry: a label and how it is drawn (``marker`` for nodes, ``line`` for links)."""

    label: str
    color: str
    kind: str = "marker"
    edge: str | None = None
    dashed: bool = False


def plural(noun: str) -> str:
    """The plural of a group noun: camps, communities, groups.

    Examples
    --------
    >>> plural("camp"), plural("community")
    ('camps', 'communities')
    """
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def group_entries(groups: np.ndarray, grouping: str | None, sizes: dict[int, int] | None = None,
                  *, noun: str = "nodes", counts: bool = True,
                  reason: str = "no camps or communities") -> tuple[str, list[Entry]]:  # fmt: skip
    """Legend title and entries for the node colours of ``groups`` (an entry for each colour used).

    Groups past the coloured ones share one entry that says how many they
    are; nodes without a group (0) are hollow ("no camp"). Without groups,
    one entry gives ``reason``.

    Examples
    --------
    >>> title, entries = group_entries(np.array([1, 1, 2, 8, 9, 0]), "camp")
    >>> title, [e.label for e in entries]
    ('nodes: camp', ['camp 1 (2)', 'camp 2 (1)', '2 other camps (2)', 'no camp (1)'])
    >>> group_entries(np.array([0, 0]), None, reason="no stance labels, so no camps")[1][0].label
    'no stance labels, so no camps'
    """
    if grouping is None:
        return noun, [Entry(reason, UNIFORM_NODE)]
    groups = np.asarray(groups)
    counted = sizes or {int(g): int(c) for g, c in zip(*np.unique(groups, return_counts=True), strict=True)}
    present = sorted(int(g) for g in np.unique(groups))

    def count(value: int) -> str:
        return f" ({value:,})" if counts else ""

    entries = [Entry(f"{grouping} {g}{count(counted.get(g, 0))}", group_color(g)) for g in present
               if 1 <= g <= len(CAMP_COLORS)]  # fmt: skip
    small = [g for g in present if g > len(CAMP_COLORS)]
    if small:
        total = sum(counted.get(g, 0) for g in small)
        name = f"{len(small):,} other {plural(grouping)}" if len(small) > 1 else f"{grouping} {small[0]}"
        entries.append(Entry(name + count(total), SMALL_GROUP))
    if 0 in present:
        label = f"no {grouping}"
        entries.append(Entry(label + count(counted.get(0, 0)), UNASSIGNED, edge=UNASSIGNED_EDGE))
    return f"{noun}: {grouping}", entries


def link_entries(*, has_stance: bool, stances: set[int], kinds: set[int], assumed: bool,
                 faded: bool = False) -> tuple[str, list[Entry]]:  # fmt: skip
    """Legend title and entries for link colours: stance (or kind) present, assumed and faded links.

    Examples
    --------
    >>> title, entries = link_entries(has_stance=True, stances={0, 2, -1}, kinds={0}, assumed=True)
    >>> title, [(e.label, e.dashed) for e in entries]
    ('links: stance', [('agree', False), ('disagree', False), ('unlabelled', False), ('assumed (implicit)', True)])
    """
    from sna.graph import KIND_CODES, STANCE_CODES

    entries: list[Entry] = []
    if has_stance:
        title = "links: stance"
        for name in STANCE_ORDER:
            if STANCE_CODES.get(name, -1) in stances:
                entries.append(Entry("unlabelled" if name == "none" else name, STANCE_COLORS[name], "line"))
    else:
        title = "links: kind (no stance labels)"
        for name, code in KIND_CODES.items():
            if code in kinds and name != "implicit":
                entries.append(Entry(name, KIND_COLORS[name], "line"))
    if assumed:
        entries.append(Entry("assumed (implicit)", ASSUMED, "line", dashed=True))
    if faded:
        entries.append(Entry("outside the backbone", FADED, "line"))
    return title, entries


def ink(color: str, *, lightness: float = 0.36) -> str:
    """A colour dark enough for text on white: the same hue, lightness capped.

    Examples
    --------
    >>> ink("#F0E442"), ink("#222222")
    ('#aa9f0d', '#222222')
    """
    import colorsys

    from matplotlib.colors import to_hex, to_rgb

    h, l_, s = colorsys.rgb_to_hls(*to_rgb(color))
    if l_ <= lightness:
        return color
    return to_hex(colorsys.hls_to_rgb(h, lightness, s))


def stance_colors(codes: np.ndarray) -> np.ndarray:
    """Colours for stance codes (0 agree, 1 neutral, 2 disagree, -1 none).

    Examples
    --------
    >>> stance_colors(np.array([0, 2, -1])).tolist()
    ['#0072B2', '#D55E00', '#BDBDBD']
    """
    table = np.array([STANCE_COLORS[STANCE_BY_CODE[c]] for c in (0, 1, 2, -1)], dtype=object)
    return table[np.where(codes < 0, 3, codes)]


def link_colors(
    stance: np.ndarray, kind: np.ndarray, has_stance: bool, assumed: np.ndarray | None = None
) -> np.ndarray:
    """Link colours: by stance when any link has a label, else by kind; assumed links grey.

    Examples
    --------
    >>> link_colors(np.array([0, -1]), np.array([0, 2]), True).tolist()
    ['#0072B2', '#BDBDBD']
    >>> link_colors(np.array([-1, -1]), np.array([0, 1]), False, np.array([False, True])).tolist()
    ['#0072B2', '#9E9E9E']
    """
    if has_stance:
        out = stance_colors(stance)
    else:
        table = np.array([KIND_COLORS[KIND_BY_CODE[c]] for c in range(3)], dtype=object)
        out = table[kind]
    if assumed is not None:
        out = np.where(assumed, ASSUMED, out)
    return out


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
