"""Graphs ready to draw: nodes with names, groups and positions; links with counts; a backbone.

Nothing here computes a centrality or a camp: a :class:`GraphView` joins what
the metric tables hold (PageRank, camp, community, anonymous) to the nodes,
aggregates EDGES per pair of posts (:func:`pair_links`), names every node as a
person would (author names; a post as "ann #12"; "unknown author (#12)" for a
post whose author is unknown, read from the ``anonymous`` column, never from
the name), and lays the graph out once (:mod:`sna.analysis.layout`), so the
figures, the pages and the GEXF files show every node in the same place.

**Groups.** Nodes are grouped — laid out in their own region and coloured —
by agreement camp when there are camps, else by modularity community when the
metric tables have a ``community`` column, else not at all. A node without a
camp (no signed interaction, or a camp of fewer than ``MIN_GROUP`` members)
is *unassigned*.

**Backbone** (:func:`mark_backbone`). Graphs of up to ``FULL_NODES`` nodes are
drawn whole. Larger ones draw their ``BACKBONE_NODES`` most central nodes (by
PageRank) and, of the links among those, each node's ``STRONG_TIES``
heaviest (ties broken by the other end's PageRank) once there are more than
``FULL_LINKS`` of them; the rest is drawn faded, and captions say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from sna.analysis.layout import Layout, discs_layout, forest_layout, group_layout
from sna.graph import KIND_CODES, STANCE_CODES, author_key, excerpt

#: Share of anonymous author nodes above which the post graph is drawn instead.
ANONYMOUS_SHARE = 0.5
#: Counts every drawn link carries.
LINK_COUNTS = ("weight", "quote", "reply", "implicit", "agree", "neutral", "disagree")
#: Graphs up to this many nodes are drawn whole; larger ones as a backbone.
FULL_NODES = 1_500
#: Nodes in the backbone of a larger graph: the most central by PageRank.
BACKBONE_NODES = 500
#: Links among backbone nodes drawn whole up to this many; beyond, each node's strongest.
FULL_LINKS = 1_000
#: Strongest links kept per backbone node when there are too many.
STRONG_TIES = 2
#: Post graphs are cut to whole threads, largest first, up to this many posts.
MAX_POST_NODES = 20_000


@dataclass(frozen=True)
class GraphView:
    """A graph ready to draw.

    Attributes
    ----------
    level : str
        ``"author"`` or ``"post"``.
    nodes : pl.DataFrame
        One row per node: ``id``, ``label`` (a name for display), ``x``, ``y``
        (unit square), ``group`` (0 = none), ``region`` (layout disc),
        ``backbone``, ``degree`` and the metric columns of ``author_metrics``
        or ``post_metrics``.
    links : pl.DataFrame
        One row per linked pair: ``source``, ``target``, ``src``/``dst`` (node
        rows), the counts of :data:`LINK_COUNTS` (``weight``: interactions the
        measures count), ``assumed`` (only implicit links: nothing read
        from the posts) and ``backbone``.
    total_nodes, total_links : int
        Size of the whole graph, before any cut.
    grouping : str or None
        ``"camp"``, ``"community"`` or None: what ``group`` holds.
    layout : Layout
        Positions and group discs (rows of ``nodes`` index ``layout.xy``
        through ``nodes["row"]``).
    cut : str
        What was left out and why, for captions ("" when nothing was).
    no_groups : str
        Why there are no groups, for legends when ``grouping`` is None
        (:func:`no_groups_reason`).
    """

    level: str
    nodes: pl.DataFrame
    links: pl.DataFrame
    total_nodes: int
    total_links: int
    grouping: str | None
    layout: Layout
    cut: str = ""
    no_groups: str = "no stance labels, so no camps"

    @property
    def n(self) -> int:
        """Nodes in the view."""
        return self.nodes.height

    @property
    def m(self) -> int:
        """Links in the view."""
        return self.links.height

    @property
    def src(self) -> np.ndarray:
        """Link sources (node rows)."""
        return self.links["src"].to_numpy()

    @property
    def dst(self) -> np.ndarray:
        """Link targets (node rows)."""
        return self.links["dst"].to_numpy()

    @property
    def xy(self) -> np.ndarray:
        """``(n, 2)`` node positions."""
        return self.nodes.select("x", "y").to_numpy()

    @property
    def pagerank(self) -> np.ndarray:
        """PageRank per node, 0 where undefined."""
        return np.nan_to_num(self.nodes["pagerank"].cast(pl.Float64).fill_null(0.0).to_numpy(), nan=0.0)

    @property
    def group(self) -> np.ndarray:
        """Group per node (camp or community), 0 for none."""
        return self.nodes["group"].to_numpy()

    @property
    def backbone(self) -> np.ndarray:
        """Whether each node is drawn in full."""
        return self.nodes["backbone"].to_numpy()

    @property
    def has_stance(self) -> bool:
        """Whether any link carries an agree, neutral or disagree label."""
        return bool(self.links.select(pl.sum_horizontal("agree", "neutral", "disagree").sum()).item() or 0)

    @property
    def stance(self) -> np.ndarray:
        """Stance code per link (``STANCE_CODES``; -1 unlabelled): the majority label."""
        return dominant_stance(self.links)

    @property
    def kind(self) -> np.ndarray:
        """Kind code per link (``KIND_CODES``): quote if any, else reply, else implicit."""
        return dominant_kind(self.links)

    @property
    def assumed(self) -> np.ndarray:
        """Whether each link rests only on assumed (implicit) links."""
        return self.links["assumed"].to_numpy()

    @property
    def noun(self) -> str:
        """``"authors"`` or ``"posts"``."""
        return f"{self.level}s"

    @property
    def group_noun(self) -> str:
        """``"camp"``, ``"community"`` or ``"group"``."""
        return self.grouping or "group"

    @property
    def truncated(self) -> bool:
        """Whether nodes were left out."""
        return self.n < self.total_nodes


def dominant_stance(links: pl.DataFrame) -> np.ndarray:
    """Stance code per link from its counts: the majority of agree/disagree, else neutral, else -1.

    Examples
    --------
    >>> links = pl.DataFrame({"agree": [2, 1, 0, 0], "neutral": [0, 5, 1, 0], "disagree": [1, 1, 0, 0]})
    >>> dominant_stance(links).tolist()
    [0, 1, 1, -1]
    """
    agree, neutral, disagree = (links[c].to_numpy() for c in ("agree", "neutral", "disagree"))
    out = np.full(len(agree), -1, dtype=np.int8)
    out[(agree + neutral + disagree) > 0] = STANCE_CODES["neutral"]
    out[agree > disagree] = STANCE_CODES["agree"]
    out[disagree > agree] = STANCE_CODES["disagree"]
    return out


def dominant_kind(links: pl.DataFrame) -> np.ndarray:
    """Kind code per link: quote when any quote, else reply when any reply, else implicit.

    Examples
    --------
    >>> dominant_kind(pl.DataFrame({"quote": [0, 1, 0], "reply": [1, 1, 0], "implicit": [0, 0, 2]})).tolist()
    [1, 0, 2]
    """
    out = np.full(links.height, KIND_CODES["implicit"], dtype=np.int8)
    out[links["reply"].to_numpy() > 0] = KIND_CODES["reply"]
    out[links["quote"].to_numpy() > 0] = KIND_CODES["quote"]
    return out


def pair_links(edges: pl.DataFrame, *, implicit_links: str = "ignore") -> pl.DataFrame:
    """EDGES grouped per (source, target) post pair, with the counts author links carry.

    ``weight`` counts the interactions the measures count (quotes and
    replies; implicit links too when ``implicit_links="count"``), the kind
    counts count every row, stance counts cover the counted kinds; ``first``
    is the earliest ``created_at``.

    Examples
    --------
    >>> edges = pl.DataFrame({"source": ["b", "b", "c"], "target": ["a", "a", "a"],
    ...     "kind": ["quote", "reply", "implicit"], "stance": ["disagree", "disagree", None]})
    >>> pair_links(edges).select("source", "weight", "quote", "implicit", "disagree", "assumed").rows()
    [('b', 2, 1, 0, 2, False), ('c', 0, 0, 1, 0, True)]
    """
    counted = pl.col("kind").is_not_null() if implicit_links == "count" else pl.col("kind") != "implicit"
    stance = pl.col("stance") if "stance" in edges.columns else pl.lit(None, pl.String)
    counts = [counted.sum().cast(pl.Int64).alias("weight")]
    counts += [(pl.col("kind") == k).sum().cast(pl.Int64).alias(k) for k in KIND_CODES]
    counts += [((stance == s) & counted).sum().cast(pl.Int64).alias(s) for s in STANCE_CODES]
    extra = []
    if "stance_score" in edges.columns:
        extra.append(pl.col("stance_score").mean().alias("stance_score"))
    if "quoted_text" in edges.columns:
        extra.append(pl.col("quoted_text").drop_nulls().first().alias("quoted_text"))
    if "created_at" in edges.columns:
        extra.append(pl.col("created_at").min().alias("first"))
    return (
        edges.group_by("source", "target")
        .agg(*counts, *extra)
        .with_columns(assumed=(pl.col("quote") + pl.col("reply")) == 0)
        .sort("source", "target")
    )


def author_edge_links(author_edges: pl.DataFrame) -> pl.DataFrame:
    """Author links with an ``assumed`` flag (pairs linked only by implicit links).

    Examples
    --------
    >>> t = pl.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "weight": [1, 0], "quote": [1, 0],
    ...                   "reply": [0, 0], "implicit": [0, 2]})
    >>> author_edge_links(t)["assumed"].to_list()
    [False, True]
    """
    return author_edges.with_columns(assumed=(pl.col("quote") + pl.col("reply")) == 0)


# Names --------------------------------------------------------------------------------------


def post_labels(table: pl.DataFrame) -> pl.Expr:
    """Display name of each post: "ann #12", "unknown author #12", "missing first post".

    ``table`` needs ``post_id``, ``position``, ``author`` and, when it has
    them, ``placeholder`` and ``anonymous`` (else unknown means no author).

    Examples
    --------
    >>> t = pl.DataFrame({"post_id": ["t#1", "t#2", "[thread t]"], "position": [1, 2, 1],
    ...                   "author": ["ann", None, None], "placeholder": [False, False, True]})
    >>> t.select(post_labels(t)).to_series().to_list()
    ['ann #1', 'unknown author #2', 'missing first post']
    """
    number = pl.format("#{}", pl.col("position"))
    unknown = pl.col("author").is_null()
    if "anonymous" in table.columns:
        unknown = unknown | pl.col("anonymous").fill_null(False)
    label = (
        pl.when(unknown)
        .then(pl.format("unknown author {}", number))
        .otherwise(pl.format("{} {}", pl.col("author"), number))
    )
    if "placeholder" in table.columns:
        label = pl.when(pl.col("placeholder").fill_null(False)).then(pl.lit("missing first post")).otherwise(label)
    return label.alias("label")


def thread_names(posts: pl.DataFrame) -> pl.DataFrame:
    """One row per thread: ``thread_id``, ``name`` (its title, else its id), ``posts``, ``authors``.

    Placeholder rows (a thread's missing opening post) are not counted.

    Examples
    --------
    >>> posts = pl.DataFrame({"thread_id": ["a", "a", "b"], "title": ["Guns", "Guns", None],
    ...                       "author": ["x", "y", "x"]})
    >>> thread_names(posts).rows()
    [('a', 'Guns', 2, 2), ('b', 'b', 1, 1)]
    """
    real = posts.filter(~pl.col("placeholder").fill_null(False)) if "placeholder" in posts.columns else posts
    title = pl.col("title").drop_nulls().first() if "title" in posts.columns else pl.lit(None, pl.String)
    table = real.group_by("thread_id", maintain_order=True).agg(
        title.alias("title"), pl.len().cast(pl.Int64).alias("posts"),
        pl.col("author").drop_nulls().n_unique().cast(pl.Int64).alias("authors"),
    )  # fmt: skip
    name = pl.coalesce(pl.col("title").cast(pl.String).str.strip_chars().replace("", None), pl.col("thread_id"))
    return table.select("thread_id", name.alias("name"), "posts", "authors")


def author_labels(metrics_table: pl.DataFrame, posts: pl.DataFrame | None) -> pl.DataFrame:
    """``id``, ``label`` for author nodes: the name, or "unknown author #N" / "missing first post"."""
    nodes = metrics_table.select(pl.col("author").alias("id"), pl.col("anonymous").fill_null(False))
    if posts is None or not nodes["anonymous"].any():
        return nodes.select("id", pl.col("id").alias("label"))
    keyed = posts.select(author_key().alias("id"), "post_id", "position",
                         pl.col("placeholder").fill_null(False) if "placeholder" in posts.columns
                         else pl.lit(False).alias("placeholder"))  # fmt: skip
    first = keyed.unique("id", keep="first", maintain_order=True)
    joined = nodes.join(first, on="id", how="left", maintain_order="left")
    label = (
        pl.when(~pl.col("anonymous"))
        .then(pl.col("id"))
        .when(pl.col("placeholder"))
        .then(pl.lit("missing first post"))
        .when(pl.col("position").is_not_null())
        .then(pl.format("unknown author #{}", pl.col("position")))
        .otherwise(pl.lit("unknown author"))
    )
    return joined.select("id", label.alias("label"))


# Groups and views ---------------------------------------------------------------------------


def grouping_of(table: pl.DataFrame) -> str | None:
    """``"camp"`` when any node has a camp, else ``"community"`` when any has one, else None.

    Examples
    --------
    >>> grouping_of(pl.DataFrame({"camp": [None, 2], "community": [1, 1]}))
    'camp'
    >>> grouping_of(pl.DataFrame({"camp": [None, None], "community": [1, 1]}, schema_overrides={"camp": pl.Int64}))
    'community'
    >>> grouping_of(pl.DataFrame({"x": [1]})) is None
    True
    """
    for column in ("camp", "community"):
        if column in table.columns and table[column].drop_nulls().len():
            return column
    return None


def no_groups_reason(metrics, level: str) -> str:
    """Why a graph's nodes have neither camps nor communities, from the summary, for legends.

    Examples
    --------
    >>> from types import SimpleNamespace as Metrics
    >>> no_groups_reason(Metrics(summary={"camps": {"available": False}}), "author")
    'no stance labels, so no camps'
    >>> no_groups_reason(Metrics(summary={"camps": {"available": True, "camps_by": "thread"}}), "author")
    'camps are per thread (see the thread pictures)'
    >>> no_groups_reason(Metrics(summary={"camps": {"available": True, "min_camp_size": 3}}), "post")
    'no camp of 3 or more, no community'
    """
    camps = metrics.summary.get("camps") or {}
    if not camps.get("available"):
        return "no stance labels, so no camps"
    if camps.get("camps_by") == "thread" and level == "author":
        return "camps are per thread (see the thread pictures)"
    return f"no camp of {camps.get('min_camp_size', 2)} or more, no community"


#: Groups with fewer members are not drawn as groups: their members are unassigned.
MIN_GROUP = 2


def _group_column(table: pl.DataFrame, grouping: str | None) -> pl.Expr:
    """Group per node: the camp (or community), 0 for none or for a group of fewer than ``MIN_GROUP``."""
    if grouping is None:
        return pl.lit(0, pl.Int64).alias("group")
    group = pl.col(grouping).cast(pl.Int64).fill_null(0).clip(lower_bound=0)
    return pl.when(pl.len().over(group) >= MIN_GROUP).then(group).otherwise(0).alias("group")


def _attach(nodes: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Add node rows ``src``/``dst`` to links, dropping links to nodes not in the view and self-links."""
    index = nodes.select(pl.col("id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"))
    return (
        links.join(index.rename({"id": "source", "_i": "src"}), on="source", how="inner", maintain_order="left")
        .join(index.rename({"id": "target", "_i": "dst"}), on="target", how="inner", maintain_order="left")
        .filter(pl.col("src") != pl.col("dst"))
    )


def _with_positions(nodes: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    return nodes.with_columns(
        x=pl.Series(layout.xy[:, 0]), y=pl.Series(layout.xy[:, 1]), region=pl.Series(layout.region),
        row=pl.int_range(pl.len(), dtype=pl.Int64),
    )  # fmt: skip


def _layout_weight(links: pl.DataFrame) -> np.ndarray:
    """Attraction per link for layouts: interactions read from the posts, assumed ones at a quarter."""
    read = (links["quote"] + links["reply"]).cast(pl.Float64).to_numpy()
    return read + 0.25 * links["implicit"].cast(pl.Float64).to_numpy()


def author_view(metrics, posts: pl.DataFrame | None = None, *, seed: int = 0) -> GraphView:
    """The whole author graph, laid out by groups.

    Parameters
    ----------
    metrics : Metrics
        Computed metric tables (``author_metrics``, ``author_edges``).
    posts : pl.DataFrame, optional
        POSTS, to name authors that are unknown by their post ("unknown author #12").
    seed : int
        Layout seed.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> view = author_view(corpus.metrics(), corpus.posts)
    >>> view.level, view.n, view.m, view.nodes["label"][:2].to_list()
    ('author', 32, 31, ['Varun', 'unknown author #2'])
    """
    table = metrics.author_metrics
    grouping = grouping_of(table)
    labels = author_labels(table, posts)
    nodes = (
        table.with_columns(pl.col("author").alias("id"))
        .join(labels, on="id", how="left", maintain_order="left")
        .with_columns(_group_column(table, grouping),
                      degree=(pl.col("in_degree").fill_null(0) + pl.col("out_degree").fill_null(0)).cast(pl.Int64))
    )  # fmt: skip
    links = _attach(nodes, author_edge_links(metrics.author_edges))
    layout = group_layout(
        nodes.height, links["src"].to_numpy(), links["dst"].to_numpy(), _layout_weight(links),
        nodes["group"].to_numpy(), nodes["pagerank"].fill_null(0.0).fill_nan(0.0).to_numpy(), seed=seed,
    )  # fmt: skip
    nodes = _with_positions(nodes, layout).select("id", "label", pl.all().exclude("id", "label"))
    view = GraphView("author", nodes, links, nodes.height, links.height, grouping, layout,
                     no_groups=no_groups_reason(metrics, "author"))  # fmt: skip
    return mark_backbone(view)


def largest_threads(posts: pl.DataFrame, max_posts: int) -> tuple[list[str], int]:
    """Threads, largest first, whose posts add up to at most ``max_posts`` (always at least one).

    Examples
    --------
    >>> largest_threads(pl.DataFrame({"thread_id": ["a", "b", "b", "c", "c", "c"]}), 5)
    (['c', 'b'], 3)
    """
    sizes = posts.group_by("thread_id", maintain_order=True).len().sort("len", descending=True, maintain_order=True)
    total = sizes["len"].cum_sum()
    keep = sizes.filter((total <= max_posts) | (pl.int_range(pl.len()) == 0))
    return keep["thread_id"].to_list(), sizes.height


def keep_threads(table: pl.DataFrame, max_posts: int) -> tuple[pl.DataFrame, str]:
    """Rows of whole threads, largest first, up to ``max_posts`` (the first posts of the largest when it is larger).

    Returns the rows and what was kept, for captions.

    Examples
    --------
    >>> t = pl.DataFrame({"thread_id": ["a", "b", "b", "b"], "position": [1, 1, 2, 3]})
    >>> keep_threads(t, 2)[0]["position"].to_list(), keep_threads(t, 2)[1]
    ([1, 2], 'the first 2 of the 3 posts of the largest of 2 threads')
    >>> keep_threads(t, 3)[1]
    'the 1 largest of 2 threads'
    """
    keep, threads = largest_threads(table, max_posts)
    rows = table.filter(pl.col("thread_id").is_in(keep))
    if rows.height <= max_posts:
        return rows, f"the {len(keep):,} largest of {threads:,} threads"
    rows = rows.sort("position").head(max_posts) if "position" in rows.columns else rows.head(max_posts)
    which = "the thread" if threads == 1 else f"the largest of {threads:,} threads"
    return (
        rows,
        f"the first {max_posts:,} of the {table.filter(pl.col('thread_id') == keep[0]).height:,} posts of {which}",
    )


def post_view(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics,
    *,
    max_nodes: int | None = MAX_POST_NODES,
    implicit_links: str | None = None,
    whole: bool = False,
) -> GraphView:
    """The post graph: each thread a disc, its reply tree drawn radially (largest threads when cut).

    Parameters
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    metrics : Metrics
        Computed metric tables (``post_metrics`` with ``parent``).
    max_nodes : int, optional
        Keep whole threads, largest first, up to this many posts.
    implicit_links : str, optional
        Whether ``weight`` counts assumed links (default: as the metrics did).
    whole : bool
        Lay out every post before cutting (positions as in the whole graph's
        layout, e.g. its GEXF file); by default only the threads kept are laid out.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> view = post_view(corpus.posts, corpus.edges, corpus.metrics())
    >>> view.level, view.n, view.m, view.nodes["label"][0]
    ('post', 32, 31, 'Varun #1')
    """
    implicit_links = implicit_links or str(metrics.summary.get("implicit_links", "ignore"))
    if max_nodes is not None and posts.height > max_nodes and not whole:
        kept, cut = keep_threads(posts, max_nodes)
        view = post_view(kept, edges, metrics, max_nodes=None, implicit_links=implicit_links)
        pairs = edges.select("source", "target").unique().height
        return replace(view, total_nodes=posts.height, total_links=pairs, cut=cut)
    table, grouping = _post_table(posts, metrics)
    nodes = _post_nodes(posts, metrics, table, _group_column(table, grouping))
    # the layout covers every post, so a post sits in the same place whatever is cut (and in the GEXF file)
    rows = nodes.select(pl.col("id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
    parent = (
        nodes.select(pl.col("parent").alias("id"))
        .join(rows, on="id", how="left", maintain_order="left")["_row"]
        .fill_null(-1)
        .to_numpy()
        .copy()
    )
    thread = nodes["thread_id"].to_numpy()
    parent[(parent >= 0) & (thread[np.maximum(parent, 0)] != thread)] = -1
    order = nodes["position"].to_numpy() if "position" in nodes.columns else None
    layout = forest_layout(parent, thread, order)
    nodes = _with_positions(nodes, layout).select("id", "label", pl.all().exclude("id", "label"))
    all_links = pair_links(edges, implicit_links=implicit_links)
    view = GraphView("post", nodes, _attach(nodes, all_links), nodes.height, all_links.height, grouping, layout,
                     no_groups=no_groups_reason(metrics, "post"))  # fmt: skip
    return cut_to_threads(mark_backbone(view), max_nodes)


#: Columns of POSTS that post views take from the posts rather than from ``post_metrics``.
_POST_COLUMNS = ("position", "created_at", "title", "placeholder")


def _post_table(posts: pl.DataFrame, metrics) -> tuple[pl.DataFrame, str | None]:
    """``post_metrics`` without the columns the posts give, and what groups its nodes."""
    extra = [c for c in _POST_COLUMNS if c in posts.columns]
    table = metrics.post_metrics.drop([c for c in extra if c in metrics.post_metrics.columns])
    return table, grouping_of(table)


def _post_nodes(posts: pl.DataFrame, metrics, table: pl.DataFrame, group: pl.Expr | pl.Series) -> pl.DataFrame:
    """The node table of a post view (before positions): posts, their measures, names, ``group`` and degree."""
    extra = [c for c in _POST_COLUMNS if c in posts.columns]
    text = [excerpt("text").alias("excerpt")] if "text" in posts.columns else []
    # lazily: an eager select evaluates the excerpt's shared subexpressions once per use (1.8x the CPU at 1M)
    nodes = (
        posts.lazy().select("post_id", *extra, *text).collect()
        .join(table, on="post_id", how="left", maintain_order="left")
    )  # fmt: skip
    anonymous = nodes.select("post_id", author_key().alias("_node")).join(
        metrics.author_metrics.select(pl.col("author").alias("_node"), "anonymous"), on="_node", how="left",
        maintain_order="left",
    )["anonymous"]  # fmt: skip
    nodes = nodes.with_columns(anonymous=anonymous.fill_null(False))
    return nodes.with_columns(
        pl.col("post_id").alias("id"), post_labels(nodes), group,
        degree=(pl.col("in_degree").fill_null(0) + pl.col("out_degree").fill_null(0)).cast(pl.Int64),
    )  # fmt: skip


def cut_post_view(
    posts: pl.DataFrame, edges: pl.DataFrame, metrics, max_nodes: int | None, *, implicit_links: str | None = None
) -> GraphView:
    """``cut_to_threads(post_view(posts, edges, metrics, max_nodes=None), max_nodes)``, without the whole view.

    The same nodes, links, positions and captions, but only the threads
    kept are turned into nodes, links and tree layouts: a 10,000-post page
    of a million-post forum costs what its own posts cost, plus placing
    every thread's disc (:func:`sna.analysis.layout.discs_layout`).

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> m = corpus.metrics()
    >>> fast, whole = cut_post_view(corpus.posts, corpus.edges, m, 10), post_view(corpus.posts, corpus.edges, m,
    ...                                                                            max_nodes=None)
    >>> fast.nodes.equals(cut_to_threads(whole, 10).nodes), fast.cut
    (True, 'the first 10 of the 32 posts of the thread')
    """
    implicit_links = implicit_links or str(metrics.summary.get("implicit_links", "ignore"))
    if max_nodes is None or posts.height <= max_nodes:
        return cut_to_threads(post_view(posts, edges, metrics, max_nodes=None, implicit_links=implicit_links),
                              max_nodes)  # fmt: skip
    table, grouping = _post_table(posts, metrics)
    # every post's thread, parent and group, as post_view's node table has them (thread and parent: post_metrics)
    wanted = ["thread_id", "parent", *([grouping] if grouping else [])]
    every = (
        posts.select("post_id", *[c for c in ("position",) if c in posts.columns])
        .join(table.select("post_id", *wanted), on="post_id", how="left", maintain_order="left")
        .with_columns(row=pl.int_range(pl.len(), dtype=pl.Int64))
    )
    group = every.select(_group_column(every, grouping))["group"] if grouping else None
    kept, cut = keep_threads(every, max_nodes)
    kept = kept.sort("row")
    # the trees of the kept threads, whole (a cut inside the largest thread keeps its places)
    threads = every.filter(pl.col("thread_id").is_in(kept["thread_id"].unique().implode()))
    local = threads.select(pl.col("row").alias("_r"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_p"))
    parent = (
        threads.join(threads.select(pl.col("post_id").alias("parent"), "thread_id", local["_p"]),
                     on=["parent", "thread_id"], how="left", maintain_order="left")["_p"]
        .fill_null(-1).to_numpy().copy()
    )  # fmt: skip
    region = every.select(pl.col("thread_id").rank("dense").cast(pl.Int64) - 1).to_series().to_numpy()
    order = threads["position"].to_numpy() if "position" in threads.columns else None
    layout = discs_layout(region, threads["row"].to_numpy(), parent, order)
    at = kept["row"].to_numpy()
    nodes = _post_nodes(posts[at], metrics, table, _group_column(table, None) if group is None else group.gather(at))
    nodes = nodes.with_columns(
        x=pl.Series(layout.xy[at, 0]), y=pl.Series(layout.xy[at, 1]), region=pl.Series(layout.region[at]),
        row=kept["row"],
    )  # fmt: skip
    nodes = nodes.select("id", "label", pl.all().exclude("id", "label")).with_columns(backbone=pl.lit(False))
    ids = nodes.select("id")
    inside = edges.join(ids.rename({"id": "source"}), on="source", how="semi").join(
        ids.rename({"id": "target"}), on="target", how="semi"
    )
    links = pair_links(inside, implicit_links=implicit_links).with_columns(backbone=pl.lit(False))
    pairs = edges.select("source", "target").unique().height
    view = GraphView("post", nodes, links, posts.height, pairs, grouping, layout,
                     no_groups=no_groups_reason(metrics, "post"))  # fmt: skip
    return _zoomed(view, nodes, cut)


def cut_to_threads(view: GraphView, max_nodes: int | None) -> GraphView:
    """A post view cut to whole threads, largest first, up to ``max_nodes`` posts (see :func:`keep_threads`).

    The posts keep their places relative to each other: the layout is the
    whole graph's, zoomed onto what is kept.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> view = post_view(corpus.posts, corpus.edges, corpus.metrics(), max_nodes=None)
    >>> cut = cut_to_threads(view, 10)  # one thread of 32 posts: its first 10
    >>> cut.n, cut.cut
    (10, 'the first 10 of the 32 posts of the thread')
    """
    if max_nodes is None or view.n <= max_nodes:
        return view
    return _zoomed(view, *keep_threads(view.nodes, max_nodes))


def _zoomed(view: GraphView, nodes: pl.DataFrame, cut: str) -> GraphView:
    """``view`` cut to ``nodes`` (rows of its nodes, ``row`` into its layout), the layout zoomed onto them."""
    nodes = nodes.sort("row")
    layout = _rescaled(nodes, view.layout)
    nodes = nodes.with_columns(x=pl.Series(layout.xy[:, 0]), y=pl.Series(layout.xy[:, 1]),
                               region=pl.Series(layout.region), row=pl.int_range(pl.len(), dtype=pl.Int64))  # fmt: skip
    links = _attach(nodes, view.links.drop("src", "dst", strict=False))
    return mark_backbone(replace(view, nodes=nodes, links=links, layout=layout, cut=cut))


def _rescaled(nodes: pl.DataFrame, layout: Layout) -> Layout:
    """The layout of a subset of nodes (rows ``nodes["row"]``), rescaled to fill the unit square."""
    rows = nodes["row"].to_numpy()
    used, region = np.unique(layout.region[rows], return_inverse=True)
    centers, radii = layout.centers[used], layout.radii[used]
    xy = layout.xy[rows]
    low = np.minimum((centers - radii[:, None]).min(axis=0), xy.min(axis=0))
    high = np.maximum((centers + radii[:, None]).max(axis=0), xy.max(axis=0))
    span = float((high - low).max()) or 1.0
    shift = (1 - (high - low) / span) / 2
    return Layout((xy - low) / span + shift, region.astype(np.int64), (centers - low) / span + shift, radii / span,
                  layout.region_group[used])  # fmt: skip


def mostly_anonymous(metrics) -> bool:
    """Whether most author-graph nodes stand for unknown authors (then the post graph is drawn).

    Examples
    --------
    >>> import sna
    >>> mostly_anonymous(sna.load("data/raw", stance=False).metrics())
    True
    """
    anonymous = metrics.author_metrics["anonymous"]
    return bool(len(anonymous)) and float(anonymous.mean() or 0.0) > ANONYMOUS_SHARE


def graph_views(posts: pl.DataFrame, edges: pl.DataFrame, metrics, *, seed: int = 0,
                with_posts: bool = True) -> dict[str, GraphView]:  # fmt: skip
    """The whole author graph and (with ``with_posts``) the whole post graph, each laid out once.

    Every picture, page and graph file of a run takes its positions from
    these two layouts.
    """
    views = {"authors": author_view(metrics, posts, seed=seed)}
    if with_posts:
        views["posts"] = post_view(posts, edges, metrics, max_nodes=None)
    return views


def drawn_level(metrics, level: str = "auto") -> str:
    """``"author"``, or ``"post"`` when asked or when most authors are unknown."""
    if level not in ("auto", "author", "post"):
        raise ValueError(f"level must be 'auto', 'author' or 'post', not {level!r}")
    return "post" if level == "post" or (level == "auto" and mostly_anonymous(metrics)) else "author"


def graph_view(posts: pl.DataFrame, edges: pl.DataFrame, metrics, *, level: str = "auto", seed: int = 0,
               max_post_nodes: int | None = MAX_POST_NODES) -> GraphView:  # fmt: skip
    """The author graph, or the post graph when ``level="post"`` or most authors are unknown."""
    if drawn_level(metrics, level) == "post":
        return post_view(posts, edges, metrics, max_nodes=max_post_nodes)
    return author_view(metrics, posts, seed=seed)


# Selection and backbone -------------------------------------------------------------------------


def select(
    view: GraphView,
    *,
    min_degree: int = 0,
    hide_assumed: bool = False,
    max_nodes: int | None = None,
) -> GraphView:
    """The same view with fewer nodes or links; positions stay where the layout put them.

    Parameters
    ----------
    view : GraphView
        The whole view.
    min_degree : int
        Leave out nodes with fewer links (in + out, as counted by the measures).
    hide_assumed : bool
        Leave out links that rest only on assumed (implicit) links.
    max_nodes : int, optional
        Keep only this many nodes, the highest PageRank.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> view = post_view(corpus.posts, corpus.edges, corpus.metrics())
    >>> small = select(view, min_degree=2)
    >>> small.n < view.n, bool((small.nodes["degree"] >= 2).all())
    (True, True)
    """
    nodes, links = view.nodes, view.links
    notes = [view.cut] if view.cut else []
    if hide_assumed:
        links = links.filter(~pl.col("assumed"))
    if min_degree > 0:
        nodes = nodes.filter(pl.col("degree") >= min_degree)
        notes.append(f"{view.noun} with fewer than {min_degree} links left out")
    if max_nodes is not None and nodes.height > max_nodes:
        ranked = nodes.with_row_index("_order").sort(pl.col("pagerank").fill_null(0.0).fill_nan(0.0), "_order",
                                                     descending=[True, False])  # fmt: skip
        nodes = ranked.head(max_nodes).sort("_order").drop("_order")
        notes.append(f"the {max_nodes:,} {view.noun} with the highest PageRank")
    if nodes.height == view.n and links.height == view.m:
        return view
    links = _attach(nodes, links.drop("src", "dst"))
    out = replace(view, nodes=nodes, links=links, cut="; ".join(notes))
    return mark_backbone(out)


def mark_backbone(
    view: GraphView,
    *,
    full_nodes: int = FULL_NODES,
    backbone_nodes: int = BACKBONE_NODES,
    full_links: int = FULL_LINKS,
    strong_ties: int = STRONG_TIES,
) -> GraphView:
    """Flag the nodes and links drawn in full (the backbone); see the module docstring for the rule.

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> view = mark_backbone(post_view(corpus.posts, corpus.edges, corpus.metrics()), full_nodes=10,
    ...                      backbone_nodes=5, full_links=2, strong_ties=1)
    >>> int(view.nodes["backbone"].sum()), int(view.links["backbone"].sum()) <= 5
    (5, True)
    """
    n, m = view.n, view.m
    pagerank = view.pagerank
    if n <= full_nodes:
        core = np.ones(n, dtype=bool)
    else:
        core = np.zeros(n, dtype=bool)
        core[np.lexsort((np.arange(n), -pagerank))[:backbone_nodes]] = True
    src, dst = view.src, view.dst
    among = core[src] & core[dst] if m else np.zeros(0, dtype=bool)
    strong = among.copy()
    if among.sum() > full_links:
        strong = np.zeros(m, dtype=bool)
        weight = view.links["weight"].to_numpy() + 0.25 * view.links["implicit"].to_numpy()
        rows = np.flatnonzero(among)
        row = np.concatenate([rows, rows])  # each link once per end
        end, other = np.concatenate([src[rows], dst[rows]]), np.concatenate([dst[rows], src[rows]])
        order = np.lexsort((row, -pagerank[other], -weight[row], end))
        rank = np.arange(len(order)) - np.searchsorted(end[order], end[order])
        strong[row[order[rank < strong_ties]]] = True
    nodes = view.nodes.with_columns(backbone=pl.Series(core))
    links = view.links.with_columns(backbone=pl.Series(strong, dtype=pl.Boolean))
    return replace(view, nodes=nodes, links=links)


def backbone_note(view: GraphView) -> str:
    """What a figure of ``view`` draws in full and what faded, for captions ("" when all is drawn).

    Examples
    --------
    >>> import sna
    >>> corpus = sna.load("data/raw", stance=False)
    >>> backbone_note(post_view(corpus.posts, corpus.edges, corpus.metrics()))
    ''
    """
    core = int(view.nodes["backbone"].sum()) if view.n else 0
    strong = int(view.links["backbone"].sum()) if view.m else 0
    among = int((view.backbone[view.src] & view.backbone[view.dst]).sum()) if view.m else 0
    parts = []
    if core < view.n:
        parts.append(f"drawn in full: the {core:,} {view.noun} with the highest PageRank")
    if strong < among:
        among_them = "among them" if core < view.n else "in all"
        parts.append(f"of the {among:,} links {among_them}, each {view.level}'s {STRONG_TIES} strongest ({strong:,})")
    if parts:
        return "; ".join(parts) + "; the rest faded"
    return ""
