"""Everything the pictures read, computed once: views, a thread, cascade trees, group and time tables.

:func:`picture_data` is what ``sna run``, ``sna figures`` and ``sna html``
compute before drawing; the renderers in :mod:`sna.render` only draw what
it returns. It is pure: tables in, tables out.

* the graph to draw (:mod:`sna.analysis.views`), whole and as selected by the
  options (``min_degree``, ``hide_assumed``);
* per group (camp or community): members, the most central, and signed
  interactions inside it (:func:`group_table`), and between each ordered
  pair of groups (:func:`group_links`);
* one thread for the arc diagram (:func:`thread_view`) and the largest reply
  cascades with their tree layouts (:func:`cascade_views`);
* posts and labelled replies per time bin (:func:`activity_bins`).

Examples
--------
>>> import sna
>>> corpus = sna.load("data/raw", stance=False)
>>> pictures = picture_data(corpus.posts, corpus.edges, corpus.metrics())
>>> pictures.view.level, pictures.thread.title[:24], len(pictures.trees), pictures.activity is None
('post', "Why didn't Pakistan ally", 1, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sna.analysis.layout import deepest_below, leaf_intervals
from sna.analysis.views import (
    MAX_POST_NODES,
    GraphView,
    author_view,
    cut_post_view,
    cut_to_threads,
    dominant_kind,
    dominant_stance,
    drawn_level,
    pair_links,
    post_labels,
    select,
    thread_names,
)
from sna.errors import SnaError
from sna.graph import author_key

#: Camps (or communities) listed by name, drawn in the camp map and the agreement table.
LISTED_GROUPS = 12
#: Members named per group.
CENTRAL_NAMED = 3
#: Reply cascades drawn.
TREES = 4
#: Time bins, finest first: polars interval, length in days, name.
TIME_BINS = (("1h", 1 / 24, "hour"), ("6h", 0.25, "6 hours"), ("1d", 1.0, "day"), ("1w", 7.0, "week"),
             ("1mo", 30.0, "month"), ("1y", 365.0, "year"))  # fmt: skip
MAX_BINS = 200
#: Interactive pages hold at most this many nodes (the most central by PageRank).
MAX_PAGE_NODES = 10_000


@dataclass(frozen=True)
class PictureOptions:
    """What the user chose to see (``sna figures``/``sna html`` options).

    Attributes
    ----------
    thread : str, optional
        Thread for the arc diagram and cascade trees (default the largest).
    top : int
        Nodes labelled and ranked; rows of the report's tables.
    min_degree : int
        Leave out nodes with fewer links.
    hide_assumed : bool
        Leave out links that rest only on assumed (implicit) links.
    seed : int
        Layout seed.
    """

    thread: str | None = None
    top: int = 10
    min_degree: int = 0
    hide_assumed: bool = False
    seed: int = 0


@dataclass(frozen=True)
class ThreadView:
    """One thread for the arc diagram: its posts in order and the linked pairs among them.

    Attributes
    ----------
    thread_id, title : str
    posts : pl.DataFrame
        ``post_id``, ``position``, ``label``, ``depth`` (reply depth in the
        thread), ``parent_position``, ``parent_stance`` and ``parent_kind``
        (codes of the link to the parent), ``group``, ``pagerank``, ``created_at``.
    links : pl.DataFrame
        ``source_position``, ``target_position``, counts, ``assumed``.
    threads : int
        Threads in the corpus.
    largest : bool
        Whether this is the largest thread (the default choice).
    """

    thread_id: str
    title: str
    posts: pl.DataFrame
    links: pl.DataFrame
    threads: int
    largest: bool


@dataclass(frozen=True)
class TreeView:
    """One reply cascade laid out as a tree.

    Attributes
    ----------
    cascade : dict
        Its row of the cascades table (size, depth, authors, …).
    root_label, thread : str
        Who started it and in which thread.
    nodes : pl.DataFrame
        ``post_id``, ``parent`` (row, -1 for the root), ``depth``, ``start``,
        ``end`` (leaf span: x extent in a layered tree or icicle), ``deepest``
        (greatest depth below it), ``x``,
        ``group``, ``stance`` and ``kind`` codes of the link to the parent
        (-1 / implicit when unknown).
    """

    cascade: dict[str, object]
    root_label: str
    thread: str
    nodes: pl.DataFrame


@dataclass(frozen=True)
class Activity:
    """Posts and labelled replies per time bin.

    Attributes
    ----------
    bins : pl.DataFrame
        ``start`` (UTC), ``posts``, ``agree``, ``neutral``, ``disagree``.
    unit : str
        Bin length in words ("6 hours").
    days : float
        Bin length in days.
    stamped, total : int
        Posts with a time, and all posts.
    """

    bins: pl.DataFrame
    unit: str
    days: float
    stamped: int
    total: int


@dataclass(frozen=True)
class Pictures:
    """What the renderers draw (see :func:`picture_data`)."""

    posts: pl.DataFrame
    edges: pl.DataFrame
    metrics: object
    options: PictureOptions
    view: GraphView
    drawn: GraphView
    groups: pl.DataFrame
    group_links: pl.DataFrame
    thread: ThreadView | None
    trees: list[TreeView]
    activity: Activity | None
    threads: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    pages: list[tuple[str, GraphView]] = field(default_factory=list)
    thread_grouping: str | None = None


# Groups --------------------------------------------------------------------------------------


def group_table(view: GraphView, *, named: int = CENTRAL_NAMED) -> pl.DataFrame:
    """One row per group of the view: size, the most central members, signed replies inside it.

    Groups are sorted by number; ``named`` members with the highest PageRank
    are listed in ``central`` (display names).

    Examples
    --------
    >>> from sna.analysis.layout import group_layout
    >>> nodes = pl.DataFrame({"id": list("abcd"), "label": list("ABCD"), "group": [1, 1, 2, 0],
    ...                       "pagerank": [0.1, 0.4, 0.3, 0.2]})
    >>> links = pl.DataFrame({"src": [0, 1], "dst": [1, 2], "agree": [2, 0], "neutral": [0, 1], "disagree": [1, 3],
    ...                       "weight": [3, 4]})
    >>> view = GraphView("author", nodes, links, 4, 2, "camp", group_layout(4, np.array([0]), np.array([1])))
    >>> group_table(view).select("group", "size", "central", "agree_inside", "disagree_inside").rows()
    [(1, 2, ['B', 'A'], 2, 1), (2, 1, ['C'], 0, 0)]
    """
    nodes = view.nodes.select("group", "label", pl.col("pagerank").fill_null(0.0).fill_nan(0.0)).with_row_index("_r")
    members = nodes.filter(pl.col("group") > 0)
    central = (
        members.sort("pagerank", "_r", descending=[True, False])
        .group_by("group", maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("size"), pl.col("label").head(named).alias("central"))
    )
    inside = group_links(view).filter(pl.col("source_group") == pl.col("target_group"))
    return (
        central.join(
            inside.select(
                pl.col("source_group").alias("group"),
                pl.col("agree").alias("agree_inside"),
                pl.col("disagree").alias("disagree_inside"),
                pl.col("weight").alias("inside"),
            ),
            on="group",
            how="left",
        )
        .with_columns(pl.col("agree_inside", "disagree_inside", "inside").fill_null(0))
        .sort("group")
    )


def group_links(view: GraphView) -> pl.DataFrame:
    """Interactions from each group (the replier's) to each group, by stance: the camp-to-camp table.

    Nodes without a group are group 0.

    Examples
    --------
    >>> from sna.analysis.layout import group_layout
    >>> nodes = pl.DataFrame({"group": [1, 1, 2, 0]})
    >>> links = pl.DataFrame({"src": [0, 2, 1, 3], "dst": [1, 0, 2, 0], "agree": [3, 0, 1, 5], "neutral": [0, 0, 0, 0],
    ...                       "disagree": [0, 2, 1, 0], "weight": [3, 2, 2, 5]})
    >>> view = GraphView("author", nodes, links, 4, 4, "camp", group_layout(4, np.array([0]), np.array([1])))
    >>> group_links(view).rows()
    [(0, 1, 5, 0, 0, 5), (1, 1, 3, 0, 0, 3), (1, 2, 1, 0, 1, 2), (2, 1, 0, 0, 2, 2)]
    """
    group = view.nodes["group"].to_numpy() if view.n else np.zeros(0, dtype=np.int64)
    table = pl.DataFrame(
        {"source_group": group[view.src] if view.m else [], "target_group": group[view.dst] if view.m else []},
        schema={"source_group": pl.Int64, "target_group": pl.Int64},
    ).with_columns(*(view.links[c].cast(pl.Int64) for c in ("agree", "neutral", "disagree", "weight")))
    return (
        table.group_by("source_group", "target_group")
        .agg(pl.col("agree", "neutral", "disagree", "weight").sum())
        .sort("source_group", "target_group")
    )


def agreement_matrix(
    groups: pl.DataFrame, links: pl.DataFrame, *, limit: int = LISTED_GROUPS
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Agree and disagree replies from each camp (rows: the replier's) to each camp, for the heatmap.

    The listed camps (:func:`listed_groups`, by number) have a row each; the
    other camps share one row named by how many they are, and nodes without
    a camp share ``"no camp"``. Pooled rows appear only when they hold signed
    replies.

    Examples
    --------
    >>> groups = pl.DataFrame({"group": [1, 2, 3], "size": [4, 3, 2]})
    >>> links = pl.DataFrame({"source_group": [1, 2, 3, 0], "target_group": [2, 1, 1, 1], "agree": [1, 0, 2, 0],
    ...                       "disagree": [3, 2, 0, 1]})
    >>> names, agree, disagree = agreement_matrix(groups, links, limit=2)
    >>> names
    ['camp 1', 'camp 2', '1 other camp', 'no camp']
    >>> agree.tolist()
    [[0, 1, 0, 0], [0, 0, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0]]
    >>> disagree.tolist()
    [[0, 3, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]]
    """
    shown = sorted(listed_groups(groups, limit=limit))
    slot = {g: i for i, g in enumerate(shown)}
    other, none = len(shown), len(shown) + 1
    size = none + 1

    def slots(column: str) -> np.ndarray:
        values = links[column].to_numpy()
        return np.array([slot.get(int(g), other) if g > 0 else none for g in values], dtype=np.int64)

    cell = slots("source_group") * size + slots("target_group") if links.height else np.zeros(0, dtype=np.int64)
    agree, disagree = (
        np.bincount(cell, weights=links[c].to_numpy().astype(float), minlength=size * size)
        .astype(np.int64).reshape(size, size)
        for c in ("agree", "disagree")
    )  # fmt: skip
    others = groups.height - len(shown)
    names = [f"camp {g}" for g in shown] + [f"{others:,} other camp{'s' if others != 1 else ''}", "no camp"]
    signed = agree + disagree
    keep = [i for i in range(size) if i < other or signed[i].sum() + signed[:, i].sum() > 0]
    return [names[i] for i in keep], agree[np.ix_(keep, keep)], disagree[np.ix_(keep, keep)]


def listed_groups(groups: pl.DataFrame, *, limit: int = LISTED_GROUPS) -> list[int]:
    """The groups shown by name: the ``limit`` largest (ties by number).

    Examples
    --------
    >>> listed_groups(pl.DataFrame({"group": [1, 2, 3], "size": [5, 9, 5]}), limit=2)
    [2, 1]
    """
    ranked = groups.sort(["size", "group"], descending=[True, False]).head(limit)
    return ranked["group"].to_list()


# Threads and cascades ----------------------------------------------------------------------------


def largest_thread(posts: pl.DataFrame) -> str:
    """The thread with the most posts (the first such thread on ties).

    Examples
    --------
    >>> largest_thread(pl.DataFrame({"thread_id": ["a", "b", "b"]}))
    'b'
    """
    counts = posts.group_by("thread_id", maintain_order=True).len()
    return str(counts.sort("len", descending=True, maintain_order=True)["thread_id"][0])


def check_thread(threads: pl.DataFrame, thread_id: str) -> None:
    """Raise a one-line error naming a few threads when ``thread_id`` is not one of them."""
    if threads.filter(pl.col("thread_id") == thread_id).height:
        return
    biggest = threads.sort("posts", descending=True, maintain_order=True).head(3)
    examples = "; ".join(
        f"{t!r} ({name}, {n:,} posts)" for t, name, n in biggest.select("thread_id", "name", "posts").iter_rows()
    )
    raise SnaError(f"--thread {thread_id!r}: no such thread; the largest are {examples}")


def per_thread_camps(metrics, view: GraphView) -> bool:
    """Whether thread pictures colour posts by camps found per thread (``--camps-by thread``, author graph)."""
    thread_camps = getattr(metrics, "thread_camps", None)
    return view.level == "author" and thread_camps is not None and thread_camps.height > 0


def thread_grouping(metrics, view: GraphView) -> str | None:
    """What the colours of the thread pictures mean: each thread's own camps, else the view's groups."""
    return "camp" if per_thread_camps(metrics, view) else view.grouping


def _post_groups(posts: pl.DataFrame, view: GraphView, metrics=None) -> pl.DataFrame:
    """``post_id``, ``group``: each post's group — its author's (author view) or its own (post view).

    With camps per thread, an author's group is their camp in the post's thread.
    """
    if metrics is not None and per_thread_camps(metrics, view):
        by_thread = metrics.thread_camps.select("thread_id", pl.col("author").alias("_node"), "camp")
        return (
            posts.select("post_id", "thread_id", author_key().alias("_node"))
            .join(by_thread, on=["thread_id", "_node"], how="left", maintain_order="left")
            .select("post_id", pl.col("camp").cast(pl.Int64).fill_null(0).clip(lower_bound=0).alias("group"))
        )
    groups = view.nodes.select(pl.col("id").alias("_node"), "group")
    key = author_key().alias("_node") if view.level == "author" else pl.col("post_id").alias("_node")
    return (
        posts.select("post_id", key)
        .join(groups, on="_node", how="left", maintain_order="left")
        .select("post_id", pl.col("group").fill_null(0))
    )


def thread_view(posts: pl.DataFrame, edges: pl.DataFrame, metrics, view: GraphView, *,
                thread_id: str | None = None, threads: pl.DataFrame | None = None) -> ThreadView | None:  # fmt: skip
    """One thread's posts and the linked pairs among them, for the arc diagram.

    Examples
    --------
    >>> import sna
    >>> from sna.analysis.views import post_view
    >>> corpus = sna.load("data/raw", stance=False)
    >>> m = corpus.metrics()
    >>> t = thread_view(corpus.posts, corpus.edges, m, post_view(corpus.posts, corpus.edges, m))
    >>> t.posts.height, t.links.height, t.posts["depth"].max()
    (32, 31, 4)
    """
    if posts.height == 0:
        return None
    threads = thread_names(posts) if threads is None else threads
    default = str(threads.sort("posts", descending=True, maintain_order=True)["thread_id"][0])
    chosen = thread_id if thread_id is not None else default
    if thread_id is not None:
        check_thread(threads, thread_id)
    thread = posts.filter(pl.col("thread_id") == chosen).sort("position")
    measures = metrics.post_metrics.select("post_id", "pagerank", "depth", "parent")
    table = (
        thread.select(
            "post_id", "position", "author", *[c for c in ("created_at", "placeholder") if c in thread.columns]
        )
        .join(measures, on="post_id", how="left", maintain_order="left")
        .join(_post_groups(thread, view, metrics), on="post_id", how="left", maintain_order="left")
    )
    where = table.select("post_id", "position")
    table = table.with_columns(post_labels(table)).join(
        where.rename({"post_id": "parent", "position": "parent_position"}), on="parent", how="left",
        maintain_order="left",
    )  # fmt: skip
    ids = thread.select("post_id")
    inside = edges.join(ids.rename({"post_id": "source"}), on="source", how="semi").join(
        ids.rename({"post_id": "target"}), on="target", how="semi"
    )
    links = pair_links(inside, implicit_links=str(metrics.summary.get("implicit_links", "ignore")))
    links = links.join(where.rename({"post_id": "source", "position": "source_position"}), on="source",
                       maintain_order="left").join(where.rename({"post_id": "target", "position": "target_position"}),
                                                   on="target", maintain_order="left")  # fmt: skip
    to_parent = (
        table.select(pl.col("post_id").alias("source"), pl.col("parent").alias("target"))
        .join(links, on=["source", "target"], how="left", maintain_order="left")
        .select(pl.col("quote", "reply", "implicit", "agree", "neutral", "disagree").fill_null(0))
    )
    table = table.with_columns(parent_stance=pl.Series(dominant_stance(to_parent)),
                               parent_kind=pl.Series(dominant_kind(to_parent)))  # fmt: skip
    name = threads.filter(pl.col("thread_id") == chosen)["name"]
    title = str(name[0]) if name.len() else chosen
    return ThreadView(chosen, title, table, links, threads.height, chosen == default)


def cascade_views(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics,
    view: GraphView,
    *,
    k: int = TREES,
    thread_id: str | None = None,
    threads: pl.DataFrame | None = None,
) -> list[TreeView]:
    """The ``k`` largest reply cascades (of one thread when given), each laid out as a tree.

    Layouts are linear in the cascade's size (:func:`sna.analysis.layout.leaf_intervals`).

    Examples
    --------
    >>> import sna
    >>> from sna.analysis.views import post_view
    >>> corpus = sna.load("data/raw", stance=False)
    >>> m = corpus.metrics()
    >>> [tree] = cascade_views(corpus.posts, corpus.edges, m, post_view(corpus.posts, corpus.edges, m))
    >>> tree.nodes.height, int(tree.nodes["depth"].max()), tree.root_label
    (32, 4, 'Varun #1')
    """
    chosen = metrics.cascades.filter((pl.col("kind") == "reply") & (pl.col("size") >= 2))
    if thread_id is not None:
        chosen = chosen.filter(pl.col("thread_id") == thread_id)
    chosen = chosen.with_row_index("_order").sort("size", "_order", descending=[True, False]).head(k)
    if chosen.height == 0:
        return []
    threads = thread_names(posts) if threads is None else threads
    names = dict(threads.select("thread_id", "name").iter_rows())
    pm = metrics.post_metrics
    wanted = pm.filter(pl.col("cascade_id").is_in(chosen["cascade_id"].to_list()))
    info = posts.select("post_id", "position", *[c for c in ("placeholder",) if c in posts.columns])
    wanted = (
        wanted.select("post_id", "thread_id", "author", "cascade_id", "parent", "depth")
        .join(info, on="post_id", how="left", maintain_order="left")
        .join(
            _post_groups(posts.join(wanted.select("post_id"), on="post_id", how="semi"), view, metrics),
            on="post_id",
            how="left",
            maintain_order="left",
        )
    )
    links = pair_links(edges.join(wanted.select(pl.col("post_id").alias("source")), on="source", how="semi"),
                       implicit_links=str(metrics.summary.get("implicit_links", "ignore")))  # fmt: skip
    trees = []
    for row in chosen.drop("_order").iter_rows(named=True):
        members = wanted.filter(pl.col("cascade_id") == row["cascade_id"]).sort("depth", "position")
        rows = members.select(pl.col("post_id").alias("parent"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_p"))
        parent = (
            members.select("parent").join(rows, on="parent", how="left", maintain_order="left")["_p"]
            .fill_null(-1).to_numpy().copy()
        )  # fmt: skip
        order = members["position"].to_numpy()
        start, end, depth = leaf_intervals(parent, order)
        pairs = members.select(pl.col("post_id").alias("source"), pl.col("parent").alias("target")).join(
            links, on=["source", "target"], how="left", maintain_order="left"
        )
        counts = pairs.select(pl.col("quote", "reply", "implicit", "agree", "neutral", "disagree").fill_null(0))
        nodes = members.select("post_id", "group").with_columns(
            parent=pl.Series(parent, dtype=pl.Int64), depth=pl.Series(depth, dtype=pl.Int64),
            start=pl.Series(start, dtype=pl.Int64), end=pl.Series(end, dtype=pl.Int64),
            deepest=pl.Series(deepest_below(parent, depth), dtype=pl.Int64),
            x=pl.Series((start + end) / 2.0), stance=pl.Series(dominant_stance(counts)),
            kind=pl.Series(dominant_kind(counts)),
        )  # fmt: skip
        root = members.filter(pl.col("post_id") == row["root"])
        root_label = root.select(post_labels(root)).item() if root.height else str(row["root"])
        trees.append(TreeView(row, root_label, names.get(row["thread_id"], str(row["thread_id"])), nodes))
    return trees


# Time ------------------------------------------------------------------------------------------------


def time_bin(span_seconds: float) -> tuple[str, float, str]:
    """The finest time bin that cuts a span into at most 200 bins: interval, days, name.

    Examples
    --------
    >>> time_bin(3600 * 5)[2], time_bin(86400 * 20)[2], time_bin(86400 * 400)[2]
    ('hour', '6 hours', 'week')
    """
    days = span_seconds / 86400
    return next((b for b in TIME_BINS if days / b[1] <= MAX_BINS), TIME_BINS[-1])


def activity_bins(posts: pl.DataFrame, edges: pl.DataFrame | None = None) -> Activity | None:
    """Posts, and labelled replies by stance, per hour, day, week, … (at most 200 bins); None without times.

    Examples
    --------
    >>> import datetime as dt
    >>> t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    >>> posts = pl.DataFrame({"created_at": [t0, t0, t0 + dt.timedelta(days=3)]})
    >>> a = activity_bins(posts)
    >>> a.unit, a.bins["posts"].sum(), a.bins.height
    ('hour', 3, 2)
    """
    if "created_at" not in posts.columns:
        return None
    times = posts["created_at"].drop_nulls()
    if times.len() == 0:
        return None
    span = (times.max() - times.min()).total_seconds() if times.len() > 1 else 0.0
    every, days, unit = time_bin(span)
    counts = (
        pl.DataFrame({"start": times})
        .group_by(pl.col("start").dt.truncate(every))
        .agg(pl.len().cast(pl.Int64).alias("posts"))
    )
    if edges is not None and {"created_at", "stance"} <= set(edges.columns):
        labelled = edges.filter(pl.col("created_at").is_not_null() & pl.col("stance").is_not_null())
        by = labelled.group_by(pl.col("created_at").dt.truncate(every).alias("start")).agg(
            *((pl.col("stance") == s).sum().cast(pl.Int64).alias(s) for s in ("agree", "neutral", "disagree"))
        )
        counts = counts.join(by, on="start", how="full", coalesce=True)
    for column in ("agree", "neutral", "disagree"):
        if column not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.Int64).alias(column))
    bins = counts.with_columns(pl.col("posts", "agree", "neutral", "disagree").fill_null(0)).sort("start")
    return Activity(bins, unit, days, times.len(), posts.height)


# Everything --------------------------------------------------------------------------------------------


def picture_data(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics,
    options: PictureOptions | None = None,
    *,
    level: str = "auto",
    views: dict[str, GraphView] | None = None,
    pages: bool = False,
) -> Pictures:
    """Compute what every figure, page and the report draw.

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    metrics : Metrics
        Computed metric tables.
    options : PictureOptions, optional
        Thread, labels, filters and seed.
    level : {"auto", "author", "post"}
        Graph to draw: the author graph unless most authors are unknown.
    views : dict, optional
        The whole graphs, already laid out (:func:`sna.analysis.views.graph_views`:
        the GEXF files' positions); computed when needed otherwise.
    pages : bool
        Also compute the views of the interactive pages (``authors.html``,
        ``posts.html``: at most ``MAX_PAGE_NODES`` nodes each).

    Raises
    ------
    SnaError
        When ``options.thread`` is not a thread of the corpus.
    """
    options = options or PictureOptions()
    threads = thread_names(posts)
    if options.thread is not None:
        check_thread(threads, options.thread)
    views = dict(views or {})
    if drawn_level(metrics, level) == "author":
        if "authors" not in views:
            views["authors"] = author_view(metrics, posts, seed=options.seed)
        view = views["authors"]
    elif "posts" in views:
        view = cut_to_threads(views["posts"], MAX_POST_NODES)
    else:  # only the threads drawn are laid out (in the places the whole layout gives them)
        view = cut_post_view(posts, edges, metrics, MAX_POST_NODES)
    drawn = select(view, min_degree=options.min_degree, hide_assumed=options.hide_assumed)
    groups = group_table(drawn)
    thread = thread_view(posts, edges, metrics, view, thread_id=options.thread, threads=threads)
    trees = cascade_views(posts, edges, metrics, view, thread_id=options.thread, threads=threads)
    notes = []
    if view.grouping is None:
        notes.append("camp-map (no camps or communities)")
    activity = activity_bins(posts, edges)
    if activity is None:
        notes.append("activity (no timestamps)")
    page_list = page_views(posts, edges, metrics, views, options) if pages else []
    return Pictures(posts, edges, metrics, options, view, drawn, groups, group_links(drawn), thread, trees, activity,
                    threads, notes, page_list, thread_grouping(metrics, view))  # fmt: skip


def page_views(posts: pl.DataFrame, edges: pl.DataFrame, metrics, views: dict[str, GraphView],
               options: PictureOptions) -> list[tuple[str, GraphView]]:  # fmt: skip
    """The author graph and the post graph of the interactive pages, at most ``MAX_PAGE_NODES`` nodes each.

    The author page shows the most central authors; the post page whole
    threads, largest first; both keep the positions of ``views`` (computed
    when missing).
    """
    authors = views.get("authors") or author_view(metrics, posts, seed=options.seed)
    post_graph = (cut_to_threads(views["posts"], MAX_PAGE_NODES) if "posts" in views
                  else cut_post_view(posts, edges, metrics, MAX_PAGE_NODES))  # fmt: skip
    return [("authors.html", select(authors, min_degree=options.min_degree, max_nodes=MAX_PAGE_NODES)),
            ("posts.html", select(post_graph, min_degree=options.min_degree))]  # fmt: skip


def top_tables(pictures: Pictures, *, k: int | None = None) -> dict[str, pl.DataFrame]:
    """The report's tables: the top ``k`` authors, posts and cascades, and the listed groups.

    Authors and posts are ranked by PageRank, cascades by size; groups are
    the camps (or communities) of the drawn graph.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> tables = top_tables(picture_data(corpus.posts, corpus.edges, corpus.metrics()), k=3)
    >>> sorted(tables), tables["posts"].height, tables["posts"]["post"][0]
    (['authors', 'cascades', 'groups', 'posts'], 3, 'unknown author #14')
    """
    k = k or pictures.options.top
    metrics = pictures.metrics
    names = dict(pictures.threads.select("thread_id", "name").iter_rows())
    authors = pictures.view.nodes if pictures.view.level == "author" else None
    if authors is None:
        from sna.analysis.views import author_labels

        names_ = author_labels(metrics.author_metrics, pictures.posts)
        authors = metrics.author_metrics.with_columns(label=names_["label"])
    wanted = [c for c in ("label", "posts", "replies_received", "implicit_received", "pagerank", "betweenness",
                          "harmonic", "camp", "community") if c in authors.columns]  # fmt: skip
    if not metrics.summary.get("rank_anonymous", True) and "anonymous" in authors.columns:
        authors = authors.filter(~pl.col("anonymous").fill_null(False))
    author_table = (
        authors.with_row_index("_o")
        .sort(pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_o", descending=[True, False])
        .head(k)
        .select(*wanted)
        .rename({"label": "author"})
    )
    pm = metrics.post_metrics
    if "placeholder" in pm.columns:
        pm = pm.filter(~pl.col("placeholder").fill_null(False))
    best = pm.with_row_index("_o").sort(pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_o",
                                        descending=[True, False]).head(k)  # fmt: skip
    best = best.join(pictures.posts.select("post_id", "position"), on="post_id", how="left", maintain_order="left")
    post_cols = [c for c in ("replies_received", "implicit_received", "pagerank", "depth", "subtree_size", "camp")
                 if c in best.columns]  # fmt: skip
    post_table = best.select(
        post_labels(best).alias("post"), pl.col("thread_id").replace_strict(names, default=None).alias("thread"),
        *post_cols,
    )  # fmt: skip
    cascades = metrics.cascades.filter(pl.col("kind") == "reply").with_row_index("_o")
    cascades = cascades.sort("size", "_o", descending=[True, False]).head(k)
    roots = cascades.select(pl.col("root").alias("post_id")).join(
        pictures.posts.select("post_id", "position", "author", *[c for c in ("placeholder",)
                                                                 if c in pictures.posts.columns]),
        on="post_id", how="left", maintain_order="left")  # fmt: skip
    cascade_table = cascades.select(
        pl.Series("started by", roots.select(post_labels(roots)).to_series() if roots.height else []),
        pl.col("thread_id").replace_strict(names, default=None).alias("thread"),
        *[c for c in ("size", "depth", "max_breadth", "authors", "structural_virality", "agree", "disagree")
          if c in cascades.columns],
    )  # fmt: skip
    groups = pictures.groups.with_columns(
        pl.col("central").list.join(", "),
        agree_share=pl.when((pl.col("agree_inside") + pl.col("disagree_inside")) > 0).then(
            pl.col("agree_inside") / (pl.col("agree_inside") + pl.col("disagree_inside"))
        ),
    ).sort(["size", "group"], descending=[True, False])
    return {"authors": author_table, "posts": post_table, "cascades": cascade_table, "groups": groups}
