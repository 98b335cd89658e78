"""Agreement camps of a corpus: who sides with whom, from the stance of their replies.

The author graph (or the post graph) is read as a signed graph: an ``agree``
reply or quote says two nodes belong together, a ``disagree`` one that they
belong apart; ``neutral`` and unlabelled links carry no sign. Camps are the
least frustrated partition (correlation clustering, :mod:`sna.analysis.signed`).

Which nodes have a camp:

* a node without any signed interaction has **no camp** (null in the tables,
  "no camp" and a hollow dot in pictures): nothing places it; the summary
  counts such nodes as ``unassigned_nodes``;
* a node whose camp has fewer than ``min_camp_size`` members (default 2; e.g. an
  author who disagrees with everyone they met is a camp of one) has no camp
  either (also "no camp" in pictures); the summary counts such nodes as
  ``below_min_size_nodes`` (and their camps as ``below_min_size_camps``), and
  the camps table leaves them out. The
  frustration index is that of the partition found, in which those small camps
  are camps of their own, so raising the minimum size never changes it.

Camps are numbered 1, 2, … by size, largest first. ``camps_by="thread"``
partitions each thread on its own, from the interactions inside it: people who
never met in a thread are never put in one camp. A node is then an author *in
one thread*, camps are numbered within their thread, and a camp is the pair
``(thread_id, camp)``; an author can be in different camps in different
threads, so the per-author table has no single camp, and the per-(thread,
author) table (``thread_camps`` in :func:`sna.analysis.report.compute_metrics`)
holds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sna.analysis.signed import LEIDEN_MAX_PAIRS, CampResult, SignedPairs, partition_signed, signed_pairs
from sna.graph import Indexed
from sna.ids import sorted_unique

CENTRAL_MEMBERS = 5
LISTED_MEMBERS = 20
LARGEST_LISTED = 10
CAMPS_BY = ("corpus", "thread")


@dataclass(frozen=True)
class Camps:
    """What :func:`agreement_camps` returns.

    Attributes
    ----------
    result : CampResult
        Camp per node.
    table : pl.DataFrame
        One row per camp (:func:`camp_table`, with ``graph`` and ``thread_id``).
    nodes : pl.DataFrame
        One row per node: ``author`` or ``post_id`` (with ``thread_id`` and
        ``posts`` for authors per thread) and ``camp``.
    summary : dict
        Counts, sizes, the frustration index and its random baseline.
    """

    result: CampResult
    table: pl.DataFrame
    nodes: pl.DataFrame
    summary: dict[str, object]


def camp_table(
    result: CampResult,
    pairs: SignedPairs,
    names: pl.Series,
    importance: np.ndarray | None = None,
    group_names: pl.Series | None = None,
) -> pl.DataFrame:
    """One row per camp: size, members (most central first), agreement inside and across.

    ``thread_id`` is the camp's group name (null without groups); ``members``
    lists up to 20 names, ``central_members`` the five with the highest
    ``importance`` (e.g. PageRank); ``*_inside`` count interactions within the
    camp, ``*_across`` interactions between it and anyone outside it (other
    camps and nodes without a camp).

    Examples
    --------
    >>> pairs = SignedPairs(3, np.array([0, 1]), np.array([1, 2]), np.array([2, 0]), np.array([0, 1]))
    >>> table = camp_table(partition_signed(pairs), pairs, pl.Series(["ann", "bo", "cy"]))
    >>> table.select("camp", "size", "members", "agree_inside", "disagree_across").rows()
    [(1, 2, 'ann; bo', 2, 1)]
    """
    labels = result.labels
    group = result.group if result.group is not None else np.zeros(len(labels), dtype=np.int64)
    has = labels > 0
    # a dense id per (group, camp), 1.., in (group, camp) order; 0 for no camp
    key = group.astype(np.int64) * (int(labels.max()) + 1 if len(labels) else 1) + labels
    unique_keys = sorted_unique(key[has])
    camp_id = np.zeros(len(labels), dtype=np.int64)
    camp_id[has] = np.searchsorted(unique_keys, key[has]) + 1
    k = len(unique_keys)
    importance = np.zeros(len(labels)) if importance is None else np.nan_to_num(importance, nan=0.0)
    ci, cj = camp_id[pairs.i], camp_id[pairs.j]
    same = (ci == cj) & (ci > 0)
    counts = {}
    for name, weights in (("agree", pairs.agree), ("disagree", pairs.disagree)):
        inside = np.bincount(ci[same], weights=weights[same], minlength=k + 1)
        across = np.bincount(ci[~same], weights=weights[~same], minlength=k + 1)
        across += np.bincount(cj[~same], weights=weights[~same], minlength=k + 1)
        counts[f"{name}_inside"], counts[f"{name}_across"] = inside, across
    order = np.lexsort((np.arange(len(labels)), -importance, camp_id))
    order = order[camp_id[order] > 0]  # members of each camp, most central first
    members = (
        pl.DataFrame({"_id": camp_id[order], "_name": names.gather(order), "_node": order})
        .group_by("_id", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("size"),
            pl.col("_name").head(LISTED_MEMBERS).str.join("; ").alias("members"),
            pl.col("_name").head(CENTRAL_MEMBERS).str.join("; ").alias("central_members"),
            pl.col("_node").first(),
        )
    )
    more = pl.col("size") > LISTED_MEMBERS
    first = members["_node"].to_numpy()
    ids = members["_id"].to_numpy()
    thread = group_names.gather(group[first]) if group_names is not None else [None] * len(first)
    table = members.select(
        pl.Series("thread_id", thread, dtype=pl.String),
        pl.Series("camp", labels[first], dtype=pl.Int64),
        "size",
        pl.when(more)
        .then(pl.format("{} … (+{})", "members", pl.col("size") - LISTED_MEMBERS))
        .otherwise("members")
        .alias("members"),
        "central_members",
        *[pl.Series(key, values[ids].astype(np.int64)) for key, values in counts.items()],
    )
    return table.select(list(TABLE_SCHEMA)).cast(TABLE_SCHEMA)  # type: ignore[arg-type]  # its documented order


TABLE_SCHEMA = {
    "thread_id": pl.String, "camp": pl.Int64, "size": pl.Int64, "members": pl.String, "central_members": pl.String,
    "agree_inside": pl.Int64, "disagree_inside": pl.Int64, "agree_across": pl.Int64, "disagree_across": pl.Int64,
}  # fmt: skip


def _nodes_of(ix: Indexed, level: str, by: str, thread_ids: pl.Series | None):
    """Node of each post, node names, node group and group names for a level and a ``camps_by`` mode."""
    if level not in ("author", "post"):
        raise ValueError(f"level must be 'author' or 'post', not {level!r}")
    if by not in CAMPS_BY:
        raise ValueError(f"camps_by must be 'corpus' or 'thread', not {by!r}")
    names = ix.node_names if level == "author" else ix.post_ids
    node = ix.node if level == "author" else np.arange(ix.n_posts, dtype=np.int64)
    if by == "corpus":
        return node, names, None, None, None
    if thread_ids is None:
        raise ValueError("camps_by='thread' needs thread_ids (the thread_id of each post)")
    thread = ix.thread.astype(np.int64)
    unique, first, node = np.unique(thread * max(len(names), 1) + node, return_index=True, return_inverse=True)
    group = np.unique(thread[first], return_inverse=True)[1]
    group_names = thread_ids.gather(first[np.unique(group, return_index=True)[1]])
    return node.astype(np.int64), names.gather(unique % max(len(names), 1)), group.astype(np.int64), group_names, first


def agreement_camps(
    ix: Indexed,
    *,
    level: str = "author",
    camps_by: str = "corpus",
    thread_ids: pl.Series | None = None,
    n_camps: int | None = None,
    min_camp_size: int = 2,
    seed: int = 0,
    runs: int = 1,
    importance: np.ndarray | None = None,
) -> Camps:
    """Camps of the author graph (``level="author"``) or the post graph (``"post"``).

    Parameters
    ----------
    ix : Indexed
        Posts and the edges to use (only edges with an agree or disagree label count).
    level : str
        ``"author"`` or ``"post"``.
    camps_by : str
        ``"corpus"``: one partition of the whole graph. ``"thread"``: camps per
        thread, from the interactions inside each thread (links between
        threads are left out); a node is then an author in one thread (or a
        post), numbered 1.. within its thread, and a camp is ``(thread_id, camp)``.
    thread_ids : pl.Series, optional
        ``thread_id`` of each post (POSTS order); needed for ``camps_by="thread"``.
    n_camps : int, optional
        Merge camps down to this many (``camps_by="corpus"`` only).
    min_camp_size : int
        Camps with fewer members are left out; their members have no camp.
    seed, runs : int
        Seed and number of Leiden runs.
    importance : np.ndarray, optional
        Per author (or post): orders ``central_members``.

    Returns
    -------
    Camps

    Examples
    --------
    >>> import polars as pl
    >>> from sna.graph import index_corpus
    >>> posts = pl.DataFrame({"post_id": list("abcd"), "thread_id": ["t"] * 4, "position": [1, 2, 3, 4],
    ...                       "author": ["ann", "bo", "cy", "dee"]})
    >>> edges = pl.DataFrame({"source": list("bcd"), "target": list("abc"), "kind": ["reply"] * 3,
    ...                       "stance": ["agree", "disagree", "neutral"]})
    >>> camps = agreement_camps(index_corpus(posts, edges))
    >>> camps.nodes.rows(), camps.summary["unassigned_nodes"], camps.summary["below_min_size_nodes"]
    ([('ann', 1), ('bo', 1), ('cy', None), ('dee', None)], 1, 1)
    """
    node, names, group, group_names, first_post = _nodes_of(ix, level, camps_by, thread_ids)
    stance = ix.stance
    if camps_by == "thread":
        stance = np.where(ix.thread[ix.src] == ix.thread[ix.dst], stance, -1).astype(stance.dtype)
        if importance is not None:
            importance = importance[ix.node[first_post]] if level == "author" else importance[first_post]
    pairs = signed_pairs(node, len(names), ix.src, ix.dst, stance)
    result = partition_signed(
        pairs, n_camps=n_camps if camps_by == "corpus" else None, min_camp_size=min_camp_size, seed=seed, runs=runs,
        group=group,
    )  # fmt: skip
    table = (
        camp_table(result, pairs, names, importance, group_names)
        .with_columns(graph=pl.lit(level))
        .select("graph", pl.all().exclude("graph"))
    )
    column = "author" if level == "author" else "post_id"
    camp = pl.Series("camp", result.labels).replace(0, None)
    if camps_by == "corpus":
        nodes = pl.DataFrame({column: names, "camp": camp})
    else:
        assert group is not None and group_names is not None
        nodes = pl.DataFrame({"thread_id": group_names.gather(group), column: names, "camp": camp})
        if level == "author":
            nodes = nodes.insert_column(2, pl.Series("posts", np.bincount(node, minlength=len(names)), pl.Int64))
    summary = _summary(result, pairs, camps_by=camps_by, n_camps=n_camps, min_camp_size=min_camp_size, seed=seed,
                       runs=runs)  # fmt: skip
    return Camps(result, table, nodes, summary)


def _summary(result: CampResult, pairs: SignedPairs, **options: object) -> dict[str, object]:
    """Counts, sizes, frustration and its baseline for ``summary.json``."""
    signed = result.signed
    labels = result.labels
    group = result.group if result.group is not None else np.zeros(len(labels), dtype=np.int64)
    base = int(labels.max()) + 1 if len(labels) else 1
    camp_key = np.unique(group[labels > 0] * base + labels[labels > 0], return_counts=True)[1]
    sizes = np.sort(camp_key)[::-1]
    part_sizes = np.bincount(result.parts[signed]) if signed.any() else np.zeros(0, dtype=np.int64)
    small = (part_sizes > 0) & (part_sizes < max(1, int(options["min_camp_size"])))  # type: ignore[call-overload]
    summary: dict[str, object] = {
        "method": "correlation clustering: components of agreement, then, inside those that hold a "
        "disagreement, Leiden (CPM at resolution 0 on agree - disagree; local moves alone above "
        f"{LEIDEN_MAX_PAIRS:,} signed pairs) and local moves",
        "camps_by": options["camps_by"],
        "nodes": len(labels),
        "camps": len(sizes),
        "largest_camps": sizes[:LARGEST_LISTED].tolist(),
        "nodes_in_camps": int((labels > 0).sum()),
        "unassigned_nodes": int((~signed).sum()),
        "below_min_size_nodes": int(signed.sum() - (labels > 0).sum()),
        "below_min_size_camps": int(small.sum()),
        "min_camp_size": options["min_camp_size"],
        "signed_interactions": pairs.total,
        "signed_nodes": int(signed.sum()),
        "frustration_index": result.frustration,
        "random_partitions": result.random,
        "n_camps_requested": options["n_camps"],
        "leiden_runs": options["runs"],
        "seed": options["seed"],
    }
    if options["camps_by"] == "thread":
        summary["threads_with_camps"] = len(sorted_unique(group[labels > 0]))
    return summary
