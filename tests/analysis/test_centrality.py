"""Centrality fast paths equal networkx, and hand-computed answers on tiny graphs."""

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.analysis.centrality import betweenness, centrality_table, degrees, harmonic, hits, katz, pagerank
from sna.graph import LinkArrays


def from_nx(graph: nx.DiGraph) -> LinkArrays:
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    edges = sorted((index[u], index[v], d.get("weight", 1.0)) for u, v, d in graph.edges(data=True))
    src, dst, w = (np.array(x) for x in zip(*edges, strict=True)) if edges else (np.zeros(0, int),) * 3
    return LinkArrays(pl.Series([str(v) for v in nodes]), src.astype(np.int64), dst.astype(np.int64), w.astype(float))


def as_array(values: dict, graph: nx.DiGraph) -> np.ndarray:
    return np.array([values[v] for v in graph])


def random_graphs():
    for seed in range(6):
        g = nx.gnp_random_graph(40, 0.08, seed=seed, directed=True)
        rng = np.random.default_rng(seed)
        for u, v in g.edges:
            g.edges[u, v]["weight"] = float(rng.integers(1, 5))
        yield g
    # A reply forest (acyclic), like a post graph.
    forest = nx.DiGraph()
    rng = np.random.default_rng(9)
    forest.add_node(0)
    for i in range(1, 120):
        forest.add_edge(i, int(rng.integers(0, i)), weight=1.0)
    yield forest


@pytest.mark.parametrize("graph", list(random_graphs()))
def test_fast_paths_equal_networkx(graph):
    links = from_nx(graph)
    expected_pr = as_array(nx.pagerank(graph, tol=1e-12, max_iter=10_000), graph)
    np.testing.assert_allclose(pagerank(links), expected_pr, atol=1e-9)
    values, sources = betweenness(links)
    assert sources == graph.number_of_nodes()
    np.testing.assert_allclose(values, as_array(nx.betweenness_centrality(graph), graph), atol=1e-12)
    values, _ = harmonic(links)
    np.testing.assert_allclose(values, as_array(nx.harmonic_centrality(graph), graph), atol=1e-12)
    values, alpha = katz(links)
    expected_katz = nx.katz_centrality(graph, alpha=alpha, tol=1e-12, max_iter=100_000)
    np.testing.assert_allclose(values, as_array(expected_katz, graph), atol=1e-8)
    deg = degrees(links)
    assert deg["in_degree"].tolist() == [graph.in_degree(v) for v in graph]
    assert deg["out_weight"].tolist() == [graph.out_degree(v, weight="weight") for v in graph]


def test_hits_equals_networkx_when_the_leading_singular_value_is_unique():
    graph = nx.gnp_random_graph(60, 0.1, seed=3, directed=True)
    hub, authority = hits(from_nx(graph))
    nx_hub, nx_authority = nx.hits(graph, max_iter=10_000, tol=1e-12)
    np.testing.assert_allclose(hub, as_array(nx_hub, graph), atol=1e-7)
    np.testing.assert_allclose(authority, as_array(nx_authority, graph), atol=1e-7)


def test_sampled_betweenness_and_harmonic_with_all_sources_equal_exact():
    graph = nx.gnp_random_graph(50, 0.1, seed=5, directed=True)
    links = from_nx(graph)
    exact, _ = betweenness(links)
    sampled, sources = betweenness(links, k=50)
    assert sources == 50
    np.testing.assert_allclose(sampled, exact)
    exact_h, _ = harmonic(links)
    sampled_h, _ = harmonic(links, k=50)
    np.testing.assert_allclose(sampled_h, exact_h)


def test_sampled_estimates_are_close_and_deterministic():
    graph = nx.gnp_random_graph(400, 0.02, seed=1, directed=True)
    links = from_nx(graph)
    exact, _ = betweenness(links)
    a, sources = betweenness(links, k=200, seed=7)
    b, _ = betweenness(links, k=200, seed=7)
    assert sources == 200
    assert np.array_equal(a, b)
    assert np.corrcoef(a, exact)[0, 1] > 0.9
    exact_h, _ = harmonic(links)
    est_h, _ = harmonic(links, k=200, seed=7)
    assert np.abs(est_h - exact_h).mean() / exact_h.mean() < 0.15


def test_star_and_chain_by_hand():
    # Chain c -> b -> a: b lies on the one path from c to a.
    chain = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 1]), np.ones(2))
    table = centrality_table(chain, name="post_id")
    assert table["betweenness"].to_list() == [0.0, 0.5, 0.0]
    assert table["harmonic"].to_list() == [1.5, 1.0, 0.0]
    # Star: three replies to one post.
    star = LinkArrays(pl.Series(["r", "x", "y", "z"]), np.array([1, 2, 3]), np.zeros(3, dtype=np.int64), np.ones(3))
    table = centrality_table(star, name="post_id")
    assert table["in_degree"].to_list() == [3, 0, 0, 0]
    assert table["authority"].to_list() == [1.0, 0.0, 0.0, 0.0]
    assert table["hub"].to_list() == pytest.approx([0, 1 / 3, 1 / 3, 1 / 3])
    assert table["harmonic"].to_list() == [3.0, 0.0, 0.0, 0.0]
    assert table["pagerank"][0] == max(table["pagerank"])


def test_empty_graph_has_null_hits():
    lonely = LinkArrays(pl.Series(["a"]), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    table = centrality_table(lonely)
    assert table["hub"].to_list() == [None]
    assert table["pagerank"].to_list() == [1.0]


def visited(graph: nx.DiGraph) -> int:
    """Nodes and edges that breadth-first searches from every node visit (what exact betweenness costs)."""
    total = 0
    for source in graph:
        reached = nx.descendants(graph, source) | {source}
        total += len(reached) + sum(graph.out_degree(v) for v in reached)
    return total


@pytest.mark.parametrize("graph", list(random_graphs()))
def test_exact_cost_bounds_the_searches_and_is_exact_on_trees(graph):
    from sna.analysis.centrality import exact_cost

    cost = exact_cost(from_nx(graph))
    assert cost >= visited(graph)
    if all(d <= 1 for _, d in graph.out_degree()) and nx.is_directed_acyclic_graph(graph):
        assert cost == visited(graph)


def test_long_chains_are_sampled_and_bushy_forests_stay_exact():
    from sna.analysis.centrality import DEFAULT_SOURCES, EXACT_COST, exact_cost

    n = 20_000  # exact would visit 4·10⁸ nodes and edges
    chain = LinkArrays(pl.Series([str(i) for i in range(n)]), np.arange(1, n), np.arange(n - 1), np.ones(n - 1))
    assert exact_cost(chain) == pytest.approx(n * n, rel=1e-3) and exact_cost(chain) > EXACT_COST
    _, sources = betweenness(chain)
    assert sources == DEFAULT_SOURCES
    assert harmonic(chain)[1] < n
    rng = np.random.default_rng(0)
    parents = (rng.random(n - 1) * np.minimum(np.arange(1, n), 50)).astype(np.int64)  # shallow reply trees
    forest = LinkArrays(chain.nodes, np.arange(1, n), np.arange(1, n) - 1 - parents, np.ones(n - 1))
    assert betweenness(forest)[1] == n


def two_stars(leaves: int) -> LinkArrays:
    """Two reply stars of ``leaves`` and ``leaves + 1`` posts: HITS power iteration converges slowly."""
    a, b = leaves, 2 * leaves + 1
    src = np.concatenate([np.arange(1, a + 1), np.arange(a + 2, a + 2 + b - a)])
    dst = np.concatenate([np.zeros(a, dtype=np.int64), np.full(b - a, a + 1)])
    n = int(src.max()) + 1
    return LinkArrays(pl.Series([str(i) for i in range(n)]), src, dst, np.ones(len(src)))


def test_non_convergence_is_reported_with_the_iterations_used():
    from sna.analysis.centrality import ConvergenceWarning, centrality, hits_checked

    slow = two_stars(1000)
    _, _, report = hits_checked(slow, max_iter=50)
    assert not report.converged and report.iterations == 50
    with pytest.warns(ConvergenceWarning, match="hits did not converge in 50 iterations"):
        hits(slow, max_iter=50)
    table, convergence = centrality(slow)
    assert convergence["hits"]["iterations"] == 500 and convergence["hits"]["converged"] is False
    assert 0 < convergence["hits"]["change"] < 1
    assert convergence["pagerank"]["converged"] and convergence["katz"]["converged"]
    assert table["authority"].null_count() == 0  # approximate values are kept, and said to be


def test_a_diverging_katz_is_null_and_said_so(monkeypatch):
    import sna.analysis.centrality as centrality_module

    complete = from_nx(nx.complete_graph(20, create_using=nx.DiGraph))  # spectral radius 19
    monkeypatch.setattr(centrality_module, "_spectral_radius", lambda adjacency: 0.0)  # alpha 0.1: 0.1·19 > 1
    table, convergence = centrality_module.centrality(complete)
    assert convergence["katz"]["diverged"] and not convergence["katz"]["converged"]
    assert table["katz"].null_count() == 20
    assert table["pagerank"].null_count() == 0


def test_pagerank_is_checked_and_polished(monkeypatch):
    from sna.analysis.centrality import pagerank_checked

    graph = nx.gnp_random_graph(60, 0.1, seed=2, directed=True)
    links = from_nx(graph)
    exact, report = pagerank_checked(links)
    assert report.converged and report.iterations == 0
    import igraph as ig

    monkeypatch.setattr(ig.Graph, "pagerank", lambda self, **kw: [1.0 / self.vcount()] * self.vcount())
    polished, report = pagerank_checked(links)
    assert report.converged and report.iterations > 5
    np.testing.assert_allclose(polished, exact, atol=1e-9)
    _, report = pagerank_checked(links, max_iter=3)
    assert not report.converged and report.iterations == 3


def test_sampled_measures_on_the_reached_subgraph_equal_the_whole_graphs_bit_for_bit():
    # A reply forest of 3,000 posts with quotes (posts with two targets): few sources reach few posts,
    # so the searches run on a small subgraph; the values must be those of the searches on the whole graph.
    rng = np.random.default_rng(4)
    forest = nx.DiGraph()
    forest.add_nodes_from(range(3000))
    for i in range(1, 3000):
        if i % 50:  # every 50th post starts a thread
            forest.add_edge(i, i - 1 - int(rng.integers(0, min(i, 30))))
        if i % 7 == 0 and i > 40:
            forest.add_edge(i, i - 40)
    links = from_nx(forest)
    from sna.analysis.centrality import _reached, _sources

    chosen = _sources(links, 8, 3)
    reached, sub, starts = _reached(links, chosen)
    assert 8 <= len(reached) < links.n // 2 and sub.vcount() == len(reached) and len(starts) == 8
    n = links.n
    whole = np.asarray(links.igraph.betweenness(sources=chosen, directed=True)) / ((n - 1) * (n - 2)) * (n / 8)
    values, sources = betweenness(links, k=8, seed=3)
    assert sources == 8 and np.array_equal(values, whole) and (values > 0).any()
    chosen = _sources(links, 8, 3)
    distances = np.asarray(links.igraph.distances(source=chosen, mode="out"), dtype=float)
    with np.errstate(divide="ignore"):
        inverse = np.where(np.isfinite(distances) & (distances > 0), 1.0 / distances, 0.0)
    values, _ = harmonic(links, k=8, seed=3)
    assert np.array_equal(values, inverse.sum(axis=0) * (n / 8)) and (values > 0).any()


def exact_cost_of_main(links: LinkArrays) -> float:
    """:func:`exact_cost` as main computed it (igraph's components and topological order every time)."""
    import igraph as ig
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    n = links.n
    if n == 0:
        return 0.0
    graph = ig.Graph(n=n, edges=np.stack([links.src, links.dst], axis=1).tolist(), directed=True)
    acyclic = graph.is_dag()
    strong = np.arange(n) if acyclic else np.asarray(graph.connected_components(mode="strong").membership)
    k = int(strong.max()) + 1
    visit = np.bincount(strong, minlength=k) + np.bincount(strong[links.src], minlength=k)
    between = strong[links.src] != strong[links.dst]
    up, down = strong[links.src][between], strong[links.dst][between]
    condensed = graph if acyclic else ig.Graph(n=k, edges=np.stack([up, down], axis=1).tolist(), directed=True)
    order = np.asarray(condensed.topological_sorting(mode="out"), dtype=np.int64)
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    below = sp.csr_array((np.ones(len(up)), (rank[up], rank[down])), shape=(k, k))
    below.sum_duplicates()
    below.data[:] = 1.0
    system = (sp.identity(k, format="csr") - below).tocsr()
    with np.errstate(over="ignore", invalid="ignore"):
        reach = spla.spsolve_triangular(system, visit[order].astype(float), lower=False)
    reach = np.nan_to_num(reach, nan=np.inf)[rank][strong]
    weak = np.asarray(graph.connected_components(mode="weak").membership)
    cap = (np.bincount(weak) + np.bincount(weak[links.src], minlength=weak.max() + 1))[weak]
    return float(np.minimum(reach, cap).sum())


def simple_graph(n: int, pairs: list[tuple[int, int]]) -> LinkArrays:
    """A simple directed graph (no loops, each pair once, sorted) on nodes 0..n-1."""
    edges = sorted({(a % n, b % n) for a, b in pairs if a % n != b % n})
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    return LinkArrays(pl.Series([str(i) for i in range(n)]), src, dst, np.ones(len(edges)))


pair_lists = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 25), pairs=pair_lists, down=st.booleans())
def test_exact_cost_equals_mains_and_the_limit_decides_alike(n, pairs, down):
    from sna.analysis.centrality import exact_cost

    if down:  # every edge to a lower node: a post graph in thread order, whose order needs no sort
        pairs = [(max(a % n, b % n), min(a % n, b % n)) for a, b in pairs]
    links = simple_graph(n, pairs)
    cost = exact_cost(links)
    assert cost == exact_cost_of_main(links)
    for limit in (0.0, cost / 2, cost - 1, cost, cost + 1):
        bounded = exact_cost(links, limit=limit)
        assert (bounded <= limit) == (cost <= limit)
        assert bounded == cost or limit < bounded <= cost


def test_exact_cost_of_a_graph_in_thread_order_is_that_of_its_relabelling():
    from sna.analysis.centrality import exact_cost

    # By hand: 0 <- 1 <- 2 and 0 <- 3, 2 -> 0 (a quote past the parent). From 2: nodes 2, 1, 0 and edges
    # 2->1, 2->0, 1->0, with 0 counted once per path (twice): 7; from 1: 2 nodes + 1 edge = 3; from 3: 3;
    # from 0: 1. The weak component (4 nodes + 4 edges = 8) caps nothing.
    links = LinkArrays(pl.Series(list("abcd")), np.array([1, 2, 2, 3]), np.array([0, 0, 1, 0]), np.ones(4))
    assert links.is_acyclic and exact_cost(links) == 7 + 3 + 3 + 1
    order = np.array([2, 0, 3, 1])  # the same graph with nodes renumbered: edges point up and down
    shuffled = LinkArrays(links.nodes.gather(np.argsort(order)), order[links.src], order[links.dst], links.weight)
    assert shuffled.is_acyclic and exact_cost(shuffled) == exact_cost(links)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 25), pairs=pair_lists)
def test_cached_components_are_igraphs(n, pairs):
    links = simple_graph(n, pairs)
    graph = links.igraph
    assert links.is_acyclic == graph.is_dag()
    weak = graph.connected_components(mode="weak")
    strong = graph.connected_components(mode="strong")
    for ours, theirs in ((links.weak_components, weak), (links.strong_components, strong)):
        assert sorted(np.bincount(ours).tolist()) == sorted(theirs.sizes())  # numbered 0.., none empty
        same = ours[:, None] == ours[None, :]  # the same partition, whatever the numbers
        assert (same == (np.asarray(theirs.membership)[:, None] == np.asarray(theirs.membership)[None, :])).all()


IGRAPH_ALONE = """
import sys
from sna.graph import load_igraph
ig = load_igraph()
print(sorted(name for name in sys.modules if name.split(".")[0] == "matplotlib"))
import matplotlib.figure  # matplotlib itself is untouched, for sna's figures
print(ig.Graph(n=3, edges=[(1, 0), (2, 1)]).betweenness(), load_igraph() is ig, matplotlib.figure.Figure.__name__)
"""


IGRAPH_AFTER_MATPLOTLIB = """
import sys
import matplotlib
from sna.graph import load_igraph
ig = load_igraph()
print(sys.modules["matplotlib"] is matplotlib, "matplotlib.pyplot" in sys.modules, ig.Graph(n=2).vcount())
"""


def test_igraph_is_imported_without_matplotlib():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IGRAPH_ALONE], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "[0.0, 1.0, 0.0] True Figure"]
    done = subprocess.run([sys.executable, "-c", IGRAPH_AFTER_MATPLOTLIB], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["True False 2"]  # matplotlib as it was, and still no pyplot
