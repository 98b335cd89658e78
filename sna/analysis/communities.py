"""Communities of the author graph: who talks with whom, whatever they say.

Agreement camps (:mod:`sna.analysis.camps`) read the sign of each reply;
communities ignore it. They are groups of authors who interact more with each
other than the graph's degrees would lead one to expect: the *modularity
classes* that users of Gephi and NodeXL know (Newman & Girvan, Phys. Rev. E
2004), found with igraph's Leiden (Traag, Waltman & van Eck, Scientific Reports
2019) with the modularity objective — igraph's default objective is CPM, which
at its default resolution puts nearly every node alone.

The graph is the author graph made undirected: the weight between two authors
is every interaction between them, both ways (self-replies are not links). An
author without any link has no community (null), as in the camps: nothing
places them. Communities are numbered 1, 2, … by size, largest first, ties by
first node. The same graph and seed give the same communities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from sna.graph import LinkArrays, load_igraph

LARGEST_LISTED = 10
#: Up to this many links Leiden runs until the partition no longer changes; above, igraph's two
#: iterations (on a 1M-post forum's author graph, 570k links: 1.6 s instead of 30 s, modularity 0.1217
#: instead of 0.1221).
CONVERGE_LINKS = 100_000


@dataclass(frozen=True)
class CommunityResult:
    """Communities of a graph and how modular they are.

    Attributes
    ----------
    labels : np.ndarray
        Community of each node, 1 for the largest; 0 for a node without links.
    modularity : float or None
        Newman's modularity of the partition of the undirected, weighted graph
        (None without links).
    iterations : int
        Leiden iterations run (-1: until the partition no longer changed).
    """

    labels: np.ndarray
    modularity: float | None
    iterations: int = -1

    @property
    def sizes(self) -> np.ndarray:
        """Members per community, community 1 first."""
        return np.bincount(self.labels)[1:] if len(self.labels) else np.zeros(0, dtype=np.int64)


def undirected(links: LinkArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair of distinct nodes once (``i < j``) with the weights of both directions summed.

    Examples
    --------
    >>> import polars as pl
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([0, 1, 2]), np.array([1, 0, 2]), np.array([1.0, 2.0, 5.0]))
    >>> [x.tolist() for x in undirected(g)]
    [[0], [1], [3.0]]
    """
    keep = links.src != links.dst
    lo = np.minimum(links.src, links.dst)[keep]
    hi = np.maximum(links.src, links.dst)[keep]
    n = max(links.n, 1)
    unique, inverse = np.unique(lo * n + hi, return_inverse=True)
    return unique // n, unique % n, np.bincount(inverse, weights=links.weight[keep], minlength=len(unique))


def modularity_communities(
    links: LinkArrays, *, seed: int = 0, resolution: float = 1.0, iterations: int | None = None
) -> CommunityResult:
    """Modularity communities of a graph's undirected, weighted version (igraph Leiden, seeded).

    Parameters
    ----------
    links : LinkArrays
        The graph (e.g. the author graph); direction is ignored.
    seed : int
        Seed for Leiden's random node order.
    resolution : float
        Modularity resolution (above 1: more, smaller communities).
    iterations : int, optional
        Leiden iterations; negative runs until the partition no longer
        changes. Default: that up to ``CONVERGE_LINKS`` links, else 2.

    Returns
    -------
    CommunityResult

    Examples
    --------
    Two triangles joined by one link, and a node without links:

    >>> import polars as pl
    >>> src, dst = np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3])
    >>> g = LinkArrays(pl.Series(list("abcdefg")), src, dst, np.ones(7))
    >>> result = modularity_communities(g)
    >>> result.labels.tolist(), round(result.modularity, 4)
    ([1, 1, 1, 2, 2, 2, 0], 0.3571)
    """
    ig = load_igraph()
    i, j, weight = undirected(links)
    labels = np.zeros(links.n, dtype=np.int64)
    if iterations is None:
        iterations = -1 if len(i) <= CONVERGE_LINKS else 2
    if not len(i):
        return CommunityResult(labels, None, iterations)
    graph = ig.Graph(n=links.n, edges=list(zip(i.tolist(), j.tolist(), strict=True)),
                     edge_attrs={"weight": weight.tolist()})  # fmt: skip
    state = random.getstate()
    ig.set_random_number_generator(random.Random(seed))  # igraph draws from one global generator
    try:
        found = graph.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=iterations
        )
    finally:
        ig.set_random_number_generator(random)
        random.setstate(state)
    membership = np.asarray(found.membership, dtype=np.int64)
    linked = np.zeros(links.n, dtype=bool)
    linked[i] = linked[j] = True
    nodes = np.flatnonzero(linked)
    unique, first, inverse, counts = np.unique(membership[nodes], return_index=True, return_inverse=True,
                                               return_counts=True)  # fmt: skip
    rank = np.empty(len(unique), dtype=np.int64)
    rank[np.lexsort((first, -counts))] = np.arange(1, len(unique) + 1)
    labels[nodes] = rank[inverse]
    score = graph.modularity(membership.tolist(), weights="weight", resolution=resolution)
    return CommunityResult(labels, float(score), iterations)


def community_summary(result: CommunityResult, *, seed: int, resolution: float = 1.0) -> dict[str, object]:
    """Modularity, community count and sizes for ``summary.json``.

    Examples
    --------
    >>> s = community_summary(CommunityResult(np.array([1, 1, 2, 0]), 0.25), seed=0)
    >>> s["communities"], s["largest_communities"], s["nodes_without_links"], s["modularity"]
    (2, [2, 1], 1, 0.25)
    """
    sizes = result.sizes
    return {
        "method": "Leiden, modularity objective (igraph), undirected author graph weighted by interactions",
        "modularity": result.modularity,
        "communities": len(sizes),
        "communities_of_two_or_more": int((sizes >= 2).sum()),
        "largest_communities": sizes[:LARGEST_LISTED].tolist(),
        "nodes_in_communities": int(sizes.sum()),
        "nodes_without_links": int((result.labels == 0).sum()),
        "resolution": resolution,
        "leiden_iterations": result.iterations,
        "seed": seed,
    }
