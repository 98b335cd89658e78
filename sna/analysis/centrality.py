"""Centrality of posts and authors: degree, PageRank, betweenness, HITS, harmonic, Katz.

Each function takes a :class:`sna.graph.LinkArrays` (a directed graph as
integer arrays) and returns numpy arrays aligned with its nodes; results equal
networkx's within tolerance (the tests check that on random graphs), but run in
igraph or scipy, which are 20–100× faster at 100k+ nodes. Edges point from the
replier to the replied-to, so "in" measures how much a node is answered.

Betweenness and harmonic closeness run a breadth-first search from every
source. They are exact where that is cheap — where :func:`exact_cost`, an upper
bound on the nodes and edges those searches visit, is at most
``EXACT_COST``: the post graph of a forum, whose paths run back in time within
a thread and are short, and small author graphs — and otherwise estimated from
``k`` sources drawn with ``seed`` (Brandes & Pich 2007), scaled to the whole
graph: 256 for betweenness, 64 for harmonic closeness, whose terms are bounded
and settle sooner. So a reply chain 200,000 posts deep (exact: 2·10¹⁰ steps)
is sampled, and no graph costs more than about ``256·(n + m)`` steps. The
tables say how many sources were used.

PageRank is solved by igraph (PRPACK) and checked: if one power-iteration step
moves it by more than ``tol``, power iteration continues from it. HITS and Katz
iterate. :func:`centrality` reports, per measure, the iterations used and
whether they converged; the public functions warn (:class:`ConvergenceWarning`)
when they did not, and a Katz iteration that diverges gives nulls.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
import polars as pl
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sna.graph import LinkArrays, load_igraph, points_down
from sna.ids import sorted_unique

#: Betweenness and harmonic closeness are exact while :func:`exact_cost` is at most this
#: many steps (igraph does 30–60 million a second on one core: a few seconds a measure).
EXACT_COST = 1e8
#: Sources sampled for betweenness where exact is not cheap (Brandes & Pich 2007).
DEFAULT_SOURCES = 256
#: Sources sampled for harmonic closeness there: it averages bounded terms 1/d, so its
#: estimate settles with fewer sources than betweenness (a few percent at 64).
DEFAULT_HARMONIC_SOURCES = 64


@cache
def _openmp():  # the OpenMP runtime igraph's wheel ships (None where there is none to find)
    import ctypes
    from pathlib import Path

    igraph = load_igraph()
    for path in sorted((Path(igraph.__file__).parent.parent / "igraph.libs").glob("lib*omp*.so*")):
        try:
            return ctypes.CDLL(str(path))
        except OSError:
            continue
    return None


@contextmanager
def one_openmp_thread() -> Iterator[None]:
    """Run igraph's OpenMP code on one thread, so that its sums add up in one order.

    igraph's PageRank (PRPACK) sums in parallel; with two threads the last
    bits of the scores changed from run to run on the same input.

    Examples
    --------
    >>> with one_openmp_thread():
    ...     pass
    """
    omp = _openmp()
    if omp is None:
        yield
        return
    before = omp.omp_get_max_threads()
    omp.omp_set_num_threads(1)
    try:
        yield
    finally:
        omp.omp_set_num_threads(before)


def degrees(links: LinkArrays) -> dict[str, np.ndarray]:
    """In/out degree (distinct neighbours) and weighted degree (interactions).

    Examples
    --------
    >>> import polars as pl
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 3.0]))
    >>> {k: v.tolist() for k, v in degrees(g).items()}["in_weight"]
    [4.0, 0.0, 0.0]
    """
    n = links.n
    return {
        "in_degree": np.bincount(links.dst, minlength=n).astype(np.int64),
        "out_degree": np.bincount(links.src, minlength=n).astype(np.int64),
        "in_weight": np.bincount(links.dst, weights=links.weight, minlength=n),
        "out_weight": np.bincount(links.src, weights=links.weight, minlength=n),
    }


class ConvergenceWarning(UserWarning):
    """An iterative measure stopped before it converged (its values are approximate)."""


@dataclass(frozen=True)
class Convergence:
    """How an iterative measure ended.

    Attributes
    ----------
    measure : str
        ``pagerank``, ``hits`` or ``katz``.
    iterations : int
        Iterations used (for PageRank: power-iteration steps after the direct solve).
    converged : bool
        Whether the last step changed the values by less than the tolerance.
    change : float
        L1 change of the last step (per node for HITS and Katz).
    diverged : bool
        The values grew without bound (Katz with ``alpha`` at or above 1/λ); they are null.
    """

    measure: str
    iterations: int
    converged: bool
    change: float
    diverged: bool = False

    def message(self) -> str:
        """One line for ``summary.json`` warnings and the CLI."""
        if self.diverged:
            return f"{self.measure} diverged after {self.iterations:,} iterations; its values are null"
        return (f"{self.measure} did not converge in {self.iterations:,} iterations "
                f"(last change {self.change:.2g}); its values are approximate")  # fmt: skip

    def warn(self) -> None:
        """Emit a :class:`ConvergenceWarning` unless converged."""
        if not self.converged:
            warnings.warn(self.message(), ConvergenceWarning, stacklevel=3)


def _pagerank_step(links: LinkArrays, x: np.ndarray, alpha: float, out_weight: np.ndarray) -> np.ndarray:
    share = np.where(out_weight[links.src] > 0, links.weight / np.maximum(out_weight[links.src], 1e-300), 0.0)
    spread = np.bincount(links.dst, weights=share * x[links.src], minlength=links.n)
    dangling = x[out_weight <= 0].sum()
    return alpha * (spread + dangling / links.n) + (1 - alpha) / links.n


def pagerank_checked(
    links: LinkArrays, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 1_000
) -> tuple[np.ndarray, Convergence]:
    """PageRank as :func:`pagerank`, with how it converged.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b"]), np.array([1]), np.array([0]), np.array([1.0]))
    >>> values, report = pagerank_checked(g)
    >>> report.converged, report.iterations
    (True, 0)
    """
    if links.n == 0:
        return np.zeros(0), Convergence("pagerank", 0, True, 0.0)
    graph = links.igraph
    with one_openmp_thread():  # PRPACK sums in parallel: one thread gives the same bits on every run
        x = np.asarray(graph.pagerank(directed=True, damping=alpha, weights="weight"), dtype=float)
    out_weight = np.bincount(links.src, weights=links.weight, minlength=links.n)
    change, used = float("inf"), 0
    while True:
        new = _pagerank_step(links, x, alpha, out_weight)
        change = float(np.abs(new - x).sum())
        if change <= tol or used == max_iter:
            break
        x, used = new / new.sum(), used + 1
    return x, Convergence("pagerank", used, change <= tol, change)


def pagerank(links: LinkArrays, *, alpha: float = 0.85) -> np.ndarray:
    """Weighted PageRank, solved exactly (igraph PRPACK); dangling mass spread evenly.

    Equals ``nx.pagerank(G, alpha)`` run to convergence (note that networkx's
    default tolerance scales with the number of nodes and stops far from
    convergence on large graphs). Checked by one power-iteration step, which
    continues where the solve was not exact (see :func:`pagerank_checked`).

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b"]), np.array([1]), np.array([0]), np.array([1.0]))
    >>> pagerank(g).round(4).tolist()
    [0.6491, 0.3509]
    """
    values, report = pagerank_checked(links, alpha=alpha)
    report.warn()
    return values


def hits_checked(
    links: LinkArrays, *, max_iter: int = 500, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, Convergence]:
    """HITS as :func:`hits`, with how the power iteration ended.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 1.0]))
    >>> hub, authority, report = hits_checked(g)
    >>> report.converged, report.iterations
    (True, 2)
    """
    n = links.n
    if links.m == 0:
        return np.full(n, np.nan), np.full(n, np.nan), Convergence("hits", 0, True, 0.0)
    a_mat = links.adjacency
    at_mat = a_mat.T.tocsr()
    authority = np.full(n, 1.0 / n)
    change, used = float("inf"), 0
    while used < max_iter:
        used += 1
        hub = a_mat @ authority
        hub /= hub.max() or 1.0
        new = at_mat @ hub
        new /= new.max() or 1.0
        change = float(np.abs(new - authority).sum())
        authority = new
        if change < tol * n:
            break
    hub = a_mat @ authority
    report = Convergence("hits", used, change < tol * n, change / n)
    return hub / (hub.sum() or 1.0), authority / (authority.sum() or 1.0), report


def hits(links: LinkArrays, *, max_iter: int = 500, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """HITS hub and authority scores by power iteration from a uniform start.

    Both vectors sum to 1, as in ``nx.hits``. Where the leading singular value
    is repeated (common in reply forests) the scores are not unique; starting
    from the uniform vector makes them deterministic. All null (NaN) when the
    graph has no edges. Warns (:class:`ConvergenceWarning`) if ``max_iter``
    iterations do not converge.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 1.0]))
    >>> hub, authority = hits(g)
    >>> authority.tolist(), hub.tolist()
    ([1.0, 0.0, 0.0], [0.0, 0.5, 0.5])
    """
    hub, authority, report = hits_checked(links, max_iter=max_iter, tol=tol)
    report.warn()
    return hub, authority


def exact_cost(links: LinkArrays, *, limit: float = np.inf) -> float:
    """An upper bound on the nodes and edges that breadth-first searches from every node visit.

    What exact betweenness and harmonic closeness cost. The nodes reachable
    from a node are bounded by its strongly connected component and, in the
    component graph (a DAG), the components below it, counted once per path
    (exact on reply trees and chains); never more than its weakly connected
    component. Linear time: a strongly connected components pass, a
    topological order (none where every edge points to a lower node, as in a
    post graph in thread order) and one triangular solve.

    With ``limit``, a graph whose bound is sure to pass it is not solved:
    what is returned is then a lower bound of it, above ``limit`` — every
    node visits at least its strongly connected component and the edges out
    of it (on a large author graph, one component of most authors).

    Examples
    --------
    >>> chain = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 1]), np.ones(2))
    >>> exact_cost(chain)  # from c: 3 nodes, 2 edges; from b: 2 and 1; from a: 1 and 0
    9.0
    >>> cycle = LinkArrays(pl.Series(["a", "b", "c"]), np.array([0, 1, 2]), np.array([1, 2, 0]), np.ones(3))
    >>> exact_cost(cycle), exact_cost(cycle, limit=10)  # from each node: 3 nodes and 3 edges
    (18.0, 18.0)
    """
    n = links.n
    if n == 0:
        return 0.0
    strong = links.strong_components  # cached: the summary counts them too; each node its own if acyclic
    k = int(strong.max()) + 1
    sizes = np.bincount(strong, minlength=k)
    visit = sizes + np.bincount(strong[links.src], minlength=k)  # nodes + their edges
    lower = float((sizes * visit).sum())  # each node visits its component and the edges out of it
    if lower > limit:
        return lower
    between = strong[links.src] != strong[links.dst]
    up, down = strong[links.src][between], strong[links.dst][between]
    if links.is_acyclic and points_down(links.src, links.dst):  # a post graph in thread order
        order = np.arange(k - 1, -1, -1, dtype=np.int64)  # a topological order already: no sort needed
    elif links.is_acyclic:  # the components are the nodes
        order = np.asarray(links.igraph.topological_sorting(mode="out"), dtype=np.int64)
    else:
        ig = load_igraph()
        condensed = ig.Graph(n=k, edges=np.stack([up, down], axis=1).tolist(), directed=True)
        order = np.asarray(condensed.topological_sorting())
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    system = _reach_system(rank[up], rank[down], k, distinct=links.is_acyclic)
    with np.errstate(over="ignore", invalid="ignore"):
        reach = spla.spsolve_triangular(system, visit[order].astype(float), lower=False, overwrite_A=True,
                                        unit_diagonal=True)  # fmt: skip
    reach = np.nan_to_num(reach, nan=np.inf)[rank][strong]
    weak = links.weak_components  # cached: the summary counts them too
    cap = (np.bincount(weak) + np.bincount(weak[links.src], minlength=weak.max() + 1))[weak]
    return float(np.minimum(reach, cap).sum())


def _reach_system(up: np.ndarray, down: np.ndarray, k: int, *, distinct: bool) -> sp.csr_array:
    """``I − B``, with B[u, d] = 1 where a link runs from component ``u`` to ``d`` (several count once).

    Upper triangular when components are numbered in topological order. The
    unit diagonal is stored, so that the solver need not insert it or scale
    by it. ``distinct``: the pairs are known to be distinct (the links of an
    acyclic graph, whose components are its nodes), so no duplicates are looked for.

    Examples
    --------
    >>> _reach_system(np.array([0, 0, 1]), np.array([1, 1, 2]), 3, distinct=False).toarray().tolist()
    [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0], [0.0, 0.0, 1.0]]
    """
    if not distinct:
        pairs = sorted_unique(up * max(k, 1) + down)
        up, down = pairs // max(k, 1), pairs % max(k, 1)
    diagonal = np.arange(k, dtype=np.int64)
    values = np.concatenate([np.ones(k), np.full(len(up), -1.0)])
    return sp.csr_array((values, (np.concatenate([diagonal, up]), np.concatenate([diagonal, down]))), shape=(k, k))


def _sources(links: LinkArrays, k: int | None, seed: int, default: int = DEFAULT_SOURCES) -> list[int] | None:
    """None for exact computation, else ``k`` sampled source nodes."""
    if k is None:
        k = links.n if exact_cost(links, limit=EXACT_COST) <= EXACT_COST else default
    if k >= links.n:
        return None
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(links.n, size=k, replace=False).tolist())


def betweenness(links: LinkArrays, *, k: int | None = None, seed: int = 0) -> tuple[np.ndarray, int]:
    """Normalised directed betweenness (unweighted paths), exact or from ``k`` sources.

    Parameters
    ----------
    links : LinkArrays
    k : int, optional
        Number of sampled sources; by default exact where :func:`exact_cost`
        is at most ``EXACT_COST``, else ``DEFAULT_SOURCES``.
    seed : int
        Seed for the sample.

    Returns
    -------
    values : np.ndarray
        As ``nx.betweenness_centrality(G, k=k, normalized=True)``: divided by
        (n−1)(n−2) and, when sampled, scaled by n/k.
    sources : int
        Sources used (n when exact).

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([2, 1]), np.array([1, 0]), np.array([1.0, 1.0]))
    >>> values, sources = betweenness(g)
    >>> values.tolist(), sources
    ([0.0, 0.5, 0.0], 3)
    """
    n = links.n
    if n <= 2:
        return np.zeros(n), n
    sources = _sources(links, k, seed)
    if sources is None:
        raw = np.asarray(links.igraph.betweenness(directed=True), dtype=float)
        return raw / ((n - 1) * (n - 2)), n
    reached, graph, starts = _reached(links, sources)
    raw = np.zeros(n)
    raw[reached] = graph.betweenness(sources=starts, directed=True)
    return raw / ((n - 1) * (n - 2)) * (n / len(sources)), len(sources)


def _reached(links: LinkArrays, sources: list[int]) -> tuple[np.ndarray | slice, object, list[int]]:
    """The nodes the sources reach, the igraph graph they induce, and the sources there.

    A search from a source only visits nodes it reaches, so betweenness and
    distances from these sources are the same on that subgraph, computed in
    the same order (nodes and edges keep their relative order): on a post
    graph, whose paths run back to a thread's first post, a few thousand
    nodes instead of every post, each of which a search would otherwise reset.
    Where the sources reach most of the graph, the whole graph.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(list("abcd")), np.array([1, 3]), np.array([0, 2]), np.ones(2))
    >>> reached, sub, starts = _reached(g, [1])
    >>> reached.tolist(), sub.vcount(), starts
    ([0, 1], 2, [1])
    """
    from scipy.sparse.csgraph import breadth_first_order

    n = links.n
    hub = np.full(len(sources), n, dtype=np.int64)  # one extra node linking to every source: one search
    graph = sp.csr_array(
        (np.ones(links.m + len(sources), dtype=np.int8),
         (np.concatenate([links.src, hub]), np.concatenate([links.dst, np.asarray(sources, dtype=np.int64)]))),
        shape=(n + 1, n + 1),
    )  # fmt: skip
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    reached = np.sort(order[order != n])
    if len(reached) > n // 2:
        return slice(None), links.igraph, sources
    ig = load_igraph()
    rank = np.full(n, -1, dtype=np.int64)
    rank[reached] = np.arange(len(reached))
    keep = rank[links.src] >= 0  # a reached node reaches its targets
    edges = np.stack([rank[links.src[keep]], rank[links.dst[keep]]], axis=1)
    return reached, ig.Graph(n=len(reached), edges=edges.tolist(), directed=True), rank[sources].tolist()


def harmonic(links: LinkArrays, *, k: int | None = None, seed: int = 0) -> tuple[np.ndarray, int]:
    """Harmonic closeness: the sum of 1/d(v, u) over the nodes v that reach u.

    As ``nx.harmonic_centrality(G)`` (not normalised). Where exact is not
    cheap (as for :func:`betweenness`) the sum runs over ``k`` sampled sources
    (``DEFAULT_HARMONIC_SOURCES`` by default) and is scaled by n/k.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([2, 1]), np.array([1, 0]), np.array([1.0, 1.0]))
    >>> values, sources = harmonic(g)
    >>> values.tolist()
    [1.5, 1.0, 0.0]
    """
    n = links.n
    sources = _sources(links, k, seed, DEFAULT_HARMONIC_SOURCES)
    if sources is None:
        return np.asarray(links.igraph.harmonic_centrality(mode="in", normalized=False), dtype=float), n
    reached, graph, starts = _reached(links, sources)
    total = np.zeros(n)
    for start in range(0, len(starts), 32):
        block = np.asarray(graph.distances(source=starts[start : start + 32], mode="out"), dtype=float)
        with np.errstate(divide="ignore"):
            inverse = np.where(np.isfinite(block) & (block > 0), 1.0 / block, 0.0)
        total[reached] += inverse.sum(axis=0)
    return total * (n / len(sources)), len(sources)


def katz_checked(
    links: LinkArrays, *, alpha: float | None = None, beta: float = 1.0, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, float, Convergence]:
    """Katz centrality as :func:`katz`, with how the iteration ended (NaN values if it diverged).

    Examples
    --------
    >>> cycle = LinkArrays(pl.Series(["a", "b"]), np.array([0, 1]), np.array([1, 0]), np.ones(2))
    >>> values, alpha, report = katz_checked(cycle, alpha=1.5)
    >>> report.diverged, bool(np.isnan(values).all())
    (True, True)
    """
    n = links.n
    if n == 0:
        return np.zeros(0), alpha or 0.1, Convergence("katz", 0, True, 0.0)
    adjacency = sp.csr_array((np.ones(links.m), (links.src, links.dst)), shape=(n, n))
    if alpha is None:
        radius = _spectral_radius(adjacency) if not links.is_acyclic else 0.0
        alpha = 0.1 if radius * 0.1 < 0.9 else 0.9 / radius
    transposed = adjacency.T.tocsr()
    x = np.zeros(n)
    change, used, diverged = float("inf"), 0, False
    while used < max_iter:
        used += 1
        new = alpha * (transposed @ x) + beta
        change = float(np.abs(new - x).sum())
        x = new
        if change < tol * n:
            break
        if not np.isfinite(change) or change > 1e200:
            diverged = True
            break
    if diverged:
        return np.full(n, np.nan), float(alpha), Convergence("katz", used, False, change / n, diverged=True)
    report = Convergence("katz", used, change < tol * n, change / n)
    return x / np.linalg.norm(x), float(alpha), report


def katz(
    links: LinkArrays, *, alpha: float | None = None, beta: float = 1.0, tol: float = 1e-10
) -> tuple[np.ndarray, float]:
    """Katz centrality on incoming paths (unweighted), normalised to unit length.

    ``alpha`` defaults to 0.1, lowered to 0.9/λ where λ, the adjacency's
    spectral radius, would make 0.1 diverge; the value used is returned.
    Equals ``nx.katz_centrality(G, alpha, beta)``. Warns
    (:class:`ConvergenceWarning`) if the iteration does not converge; values
    are NaN if it diverges (``alpha`` ≥ 1/λ).

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b"]), np.array([1]), np.array([0]), np.array([1.0]))
    >>> values, alpha = katz(g)
    >>> values.round(4).tolist(), alpha
    ([0.7399, 0.6727], 0.1)
    """
    values, used_alpha, report = katz_checked(links, alpha=alpha, beta=beta, tol=tol)
    report.warn()
    return values, used_alpha


def _spectral_radius(adjacency: sp.csr_array) -> float:
    if adjacency.shape[0] <= 500:
        return float(np.abs(np.linalg.eigvals(adjacency.toarray())).max()) if adjacency.shape[0] else 0.0
    try:
        values = spla.eigs(
            adjacency.astype(float), k=1, which="LM", return_eigenvectors=False, v0=np.ones(adjacency.shape[0])
        )
        return float(np.abs(values).max())
    except (spla.ArpackNoConvergence, ValueError, TypeError):
        # Fall back to a crude power estimate.
        x = np.ones(adjacency.shape[0])
        radius = 0.0
        for _ in range(200):
            y = adjacency @ x
            norm = np.linalg.norm(y)
            if norm == 0:
                return 0.0
            radius, x = norm / np.linalg.norm(x), y / norm
        return radius


def path_sources(links: LinkArrays, k: int | None = None) -> tuple[int, int]:
    """Sources of betweenness and of harmonic closeness: the number of nodes where exact.

    Exact when ``k`` is None and :func:`exact_cost` is at most ``EXACT_COST``,
    decided once for both measures; else ``k``, by default ``DEFAULT_SOURCES``
    and ``DEFAULT_HARMONIC_SOURCES``.

    Examples
    --------
    >>> chain = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 1]), np.ones(2))
    >>> path_sources(chain), path_sources(chain, 2)
    ((3, 3), (2, 2))
    """
    if k is None and exact_cost(links, limit=EXACT_COST) <= EXACT_COST:
        return links.n, links.n
    return k or DEFAULT_SOURCES, k or DEFAULT_HARMONIC_SOURCES


def centrality(
    links: LinkArrays, *, k: int | None = None, seed: int = 0, name: str = "node"
) -> tuple[pl.DataFrame, dict[str, dict[str, object]]]:
    """Every centrality measure of every node, and how the iterative ones converged.

    Returns
    -------
    table : pl.DataFrame
        As :func:`centrality_table`.
    convergence : dict
        ``{"pagerank": {...}, "hits": {...}, "katz": {...}}``, each with
        ``iterations``, ``converged``, ``change`` and ``diverged`` (see
        :class:`Convergence`); a diverged Katz leaves ``katz`` null.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 2.0]))
    >>> table, convergence = centrality(g)
    >>> sorted(convergence), convergence["hits"]["converged"]
    (['hits', 'katz', 'pagerank'], True)
    """
    between_k, harmonic_k = path_sources(links, k)
    between, between_sources = betweenness(links, k=between_k, seed=seed)
    harm, harm_sources = harmonic(links, k=harmonic_k, seed=seed)
    rank, rank_report = pagerank_checked(links)
    hub, authority, hits_report = hits_checked(links)
    katz_values, _, katz_report = katz_checked(links)
    columns = {
        name: links.nodes,
        **degrees(links),
        "pagerank": rank,
        "betweenness": between,
        "hub": hub,
        "authority": authority,
        "harmonic": harm,
        "katz": katz_values,
    }
    table = pl.DataFrame(columns).with_columns(pl.col("hub", "authority", "katz").fill_nan(None))
    table = table.with_columns(
        betweenness_sources=pl.lit(between_sources, pl.Int64), harmonic_sources=pl.lit(harm_sources, pl.Int64)
    )
    reports = {r.measure: {k: v for k, v in asdict(r).items() if k != "measure"}
               for r in (rank_report, hits_report, katz_report)}  # fmt: skip
    return table, reports


def convergence_warnings(convergence: dict[str, dict[str, object]], *, graph: str) -> list[str]:
    """One line per measure of ``convergence`` (from :func:`centrality`) that did not converge.

    Examples
    --------
    >>> convergence_warnings({"hits": {"iterations": 500, "converged": False, "change": 1e-6, "diverged": False}},
    ...                      graph="author graph")
    ['author graph: hits did not converge in 500 iterations (last change 1e-06); its values are approximate']
    """
    return [
        f"{graph}: " + Convergence(measure, **report).message()  # type: ignore[arg-type]
        for measure, report in convergence.items()
        if not report["converged"]
    ]


def centrality_table(links: LinkArrays, *, k: int | None = None, seed: int = 0, name: str = "node") -> pl.DataFrame:
    """Every centrality measure of every node, one row per node.

    Columns: the node, ``in_degree``, ``out_degree``, ``in_weight``,
    ``out_weight``, ``pagerank``, ``betweenness``, ``hub``, ``authority``,
    ``harmonic``, ``katz``, and ``betweenness_sources`` / ``harmonic_sources``
    (sources used: the number of nodes when exact). See :func:`centrality`
    for how the iterative measures converged.

    Examples
    --------
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 0]), np.array([1.0, 2.0]))
    >>> table = centrality_table(g, name="post_id")
    >>> table.select("post_id", "in_degree", "in_weight", "authority").row(0)
    ('a', 2, 3.0, 1.0)
    """
    table, convergence = centrality(links, k=k, seed=seed, name=name)
    for report in convergence_warnings(convergence, graph=name):
        warnings.warn(report, ConvergenceWarning, stacklevel=2)
    return table
