"""The whole pipeline on synthetic forums, stage by stage, against plain networkx.

For each size (default 10k, 100k and 1M posts) a synthetic reply forest with
pasted quotes is generated (``bench/synth.py``: each post replies to an earlier
one by preferential attachment, ~10% start new threads, authors Zipf over N/10
names, ~40% of replies open with a quote), written as Parquet, and run through
the stages of ``sna run`` (stance and pictures skipped) in a fresh process:
read, quotes and edges, metrics, tables, graph files. Peak memory is the
process's maximum resident set size at the end of each stage.

The baseline, in another fresh process on the same EDGES, computes the same
metrics with plain networkx: the graphs as ``nx.DiGraph``; PageRank, HITS,
Katz; betweenness and harmonic closeness exact up to 5,000 nodes, else from
256 sampled sources (networkx cannot do exact post-graph betweenness at 100k+:
every source initialises a dict of all nodes); cascades with BFS depths and
``nx.average_shortest_path_length`` per tree. It is slow: at 1M posts it runs
only with ``--baseline-1m``.

Usage: python bench/bench_pipeline.py [--sizes 10000,100000,1000000] [--baseline-1m]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SAMPLE = 256


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def forum_file(n: int) -> Path:
    from bench.synth import synthetic_forum

    path = HERE / "out" / f"forum-{n}.parquet"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        synthetic_forum(n, seed=1).drop("quoted").write_parquet(path)
    return path


def run_sna(n: int) -> dict[str, object]:
    import tempfile

    from sna.analysis.report import compute_metrics
    from sna.edges import extract_edges
    from sna.export import atomic_outputs
    from sna.io import read_input
    from sna.pipeline import Ingested, stage_ingested, stage_metrics

    path = forum_file(n)
    stages: list[tuple[str, float, float]] = []
    start = time.perf_counter()

    def mark(name: str, since: float) -> float:
        now = time.perf_counter()
        stages.append((name, now - since, peak_mb()))
        return now

    t = start
    parsed = read_input(path)
    t = mark("read", t)
    extracted = extract_edges(parsed.posts, parsed.quotes)
    t = mark("quotes+edges", t)
    metrics = compute_metrics(extracted.posts, extracted.edges)
    t = mark("metrics", t)
    with tempfile.TemporaryDirectory() as tmp, atomic_outputs(tmp) as stage:
        stage_ingested(Ingested(extracted.posts, extracted.edges, {}), stage)
        t = mark("tables", t)
        names = stage_metrics(extracted.posts, extracted.edges, metrics, stage)
        t = mark("metric tables+graph files", t)
    extracted.edges.write_parquet(HERE / "out" / f"edges-{n}.parquet")
    extracted.posts.select("post_id", "thread_id", "position", "author").write_parquet(
        HERE / "out" / f"posts-{n}.parquet"
    )
    return {"stages": stages, "total": time.perf_counter() - start, "files": len(names)}


def run_networkx(n: int) -> dict[str, object]:
    import networkx as nx
    import polars as pl

    posts = pl.read_parquet(HERE / "out" / f"posts-{n}.parquet")
    edges = pl.read_parquet(HERE / "out" / f"edges-{n}.parquet")
    stages: list[tuple[str, float, float]] = []
    t = time.perf_counter()
    start = t

    def mark(name: str, since: float) -> float:
        now = time.perf_counter()
        stages.append((name, now - since, peak_mb()))
        return now

    post_graph = nx.DiGraph()
    post_graph.add_nodes_from(posts["post_id"].to_list())
    post_graph.add_edges_from(edges.select("source", "target").iter_rows())
    author_of = dict(zip(posts["post_id"].to_list(), posts["author"].to_list(), strict=True))
    author_graph = nx.DiGraph()
    for source, target in edges.select("source", "target").iter_rows():
        a, b = author_of[source] or source, author_of[target] or target
        if a != b:
            weight = author_graph.get_edge_data(a, b, {"weight": 0})["weight"]
            author_graph.add_edge(a, b, weight=weight + 1)
    t = mark("graphs", t)
    for graph in (post_graph, author_graph):
        nx.pagerank(graph)
        nx.hits(graph, max_iter=1000)
        nx.katz_centrality(graph, alpha=_katz_alpha(graph), max_iter=5000, tol=1e-8)
        big = graph.number_of_nodes() > 5000
        nx.betweenness_centrality(graph, k=SAMPLE if big else None, seed=0)
        sources = list(graph)[:: max(1, graph.number_of_nodes() // SAMPLE)] if big else None
        nx.harmonic_centrality(graph, sources=sources)
    t = mark("centrality", t)
    parent: dict[str, str] = {}
    for source, target in edges.select("source", "target").iter_rows():
        parent.setdefault(source, target)
    tree = nx.Graph()
    tree.add_nodes_from(post_graph)
    tree.add_edges_from(parent.items())
    for component in nx.connected_components(tree):
        sub = tree.subgraph(component)
        root = min(component, key=lambda v: post_graph.out_degree(v))
        nx.single_source_shortest_path_length(sub, root)
        if len(component) > 1:
            nx.average_shortest_path_length(sub)
    t = mark("cascades", t)
    return {"stages": stages, "total": time.perf_counter() - start}


def _katz_alpha(graph) -> float:
    """0.1, or 0.9/λ when the spectral radius λ would make 0.1 diverge (as sna does)."""
    import networkx as nx
    import numpy as np
    import scipy.sparse.linalg as spla

    if nx.is_directed_acyclic_graph(graph):
        return 0.1
    matrix = nx.to_scipy_sparse_array(graph, weight=None, dtype=float)
    radius = float(np.abs(spla.eigs(matrix, k=1, which="LM", return_eigenvectors=False)).max())
    return 0.1 if radius * 0.1 < 0.9 else 0.9 / radius


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--baseline-1m", action="store_true", help="also run the networkx baseline at 1M posts")
    parser.add_argument("--worker", choices=["sna", "networkx"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = run_sna(args.n) if args.worker == "sna" else run_networkx(args.n)
        print(json.dumps(result))
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"{n:,} posts: generating and running sna …", file=sys.stderr, flush=True)
        forum_file(n)
        ours = _worker("sna", n)
        theirs = None
        if n < 1_000_000 or args.baseline_1m:
            print(f"{n:,} posts: running the networkx baseline …", file=sys.stderr, flush=True)
            theirs = _worker("networkx", n)
        rows.append((n, ours, theirs))
    print(f"{'posts':>9}  {'stage':28} {'seconds':>8} {'peak MB':>8}")
    for n, ours, theirs in rows:
        for name, seconds, mb in ours["stages"]:
            print(f"{n:>9,}  sna {name:24} {seconds:8.2f} {mb:8.0f}")
        print(f"{n:>9,}  sna total{'':19} {ours['total']:8.2f}")
        if theirs:
            for name, seconds, mb in theirs["stages"]:
                print(f"{n:>9,}  networkx {name:19} {seconds:8.2f} {mb:8.0f}")
            metrics_sna = next(s for name, s, _ in ours["stages"] if name == "metrics")
            print(
                f"{n:>9,}  networkx total {theirs['total']:8.2f}   "
                f"(metrics: sna {metrics_sna:.2f} s vs networkx {theirs['total']:.2f} s = "
                f"{theirs['total'] / metrics_sna:.0f}x)"
            )
        else:
            print(f"{n:>9,}  networkx baseline not run at this size (pass --baseline-1m)")


def _worker(kind: str, n: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--n", str(n)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{kind} worker failed at {n}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
