"""The whole pipeline on synthetic forums, against the I/O floor and plain networkx.

For each size (default 100k and 1M posts) a synthetic reply forest with
pasted quotes is generated (``bench/synth.py``: each post replies to an earlier
one by preferential attachment, ~10% start new threads, authors Zipf over N/10
names, ~40% of replies open with a quote) and written as Parquet. Each of these
runs in a fresh process, one after the other:

* **I/O floor**: read that Parquet file and write the same table back as
  Parquet (what any tool that reads and writes the posts pays);
* **sna**: ``sna.pipeline.run`` as ``sna run --skip stance,figures,html`` does
  it (read, quotes and edges, metrics, every table and graph file), stage by
  stage; "writing tables" is the rest of the run (tables, JSON, moving files);
* **sna (baseline)**, with ``--baseline-python``: the same run by another
  interpreter, e.g. main's code in a second checkout, for ratios measured in
  the same command;
* **networkx**: on the same EDGES, the same metrics with plain networkx: the
  graphs as ``nx.DiGraph``; PageRank, HITS, Katz; betweenness and harmonic
  closeness exact up to 5,000 nodes, else from 256 sampled sources; cascades
  with BFS depths and ``nx.average_shortest_path_length`` per tree. It is
  slow: above 100k posts it runs only with ``--baseline-1m``.

Peak memory is each process's maximum resident set size. With a baseline, the
CPU time (user and system, all threads and any child process, such as the
second process of a baseline that still has ``sna.analysis.offload``) of
both sna runs is printed too: on a busy machine its ratio moves less than that of wall-clock times. For each sna
stage the table also gives the CPU seconds of the process during it (every
thread: the POSTS/EDGES writer runs beside "computing metrics") and the peak
MB so far at its end. Between two sizes
the table gives the scaling exponent of sna's total time (log time ratio over
log size ratio; 1.0 is linear).

A size whose sna run would pass ``--max-memory-gb`` (default 12) is not run:
the bench says so and how much it expects — extrapolated along the line
through the peaks of the two largest sizes run so far, or ``MB_PER_POST`` per
post before there are two — instead of running the machine out of memory.

Usage: python bench/bench_pipeline.py [--sizes 100000,1000000] [--baseline-python PATH] [--baseline-1m]
[--skip-networkx] [--max-memory-gb 12]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SAMPLE = 256
#: Peak memory of an sna run per post before any size was measured (3,451 MB at 1M synthetic posts).
MB_PER_POST = 3.5e-3


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User and system CPU time so far of this process (all its threads) and of its finished children.

    Steadier than wall time when busy; children count for a baseline whose author-graph betweenness runs in
    a second process (``sna.analysis.offload``, since removed).
    """
    usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def forum_file(n: int) -> Path:
    path = HERE / "out" / f"forum-{n}.parquet"
    if not path.exists():
        sys.path.insert(0, str(HERE.parent))  # only here: a baseline worker must import its own sna
        from bench.synth import synthetic_forum

        path.parent.mkdir(exist_ok=True)
        synthetic_forum(n, seed=1).drop("quoted").write_parquet(path)
    return path


def run_floor(n: int) -> dict[str, object]:
    import tempfile

    import polars as pl

    start = time.perf_counter()
    table = pl.read_parquet(forum_file(n))
    read = time.perf_counter() - start
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        table.write_parquet(Path(tmp) / "copy.parquet", statistics=False)
    total = time.perf_counter() - start
    return {"stages": [("read", read, peak_mb()), ("write", total - read, peak_mb())], "total": total}


def _stage_meter():
    """A quiet ``sna.progress.Progress`` that also keeps each stage's CPU seconds and the peak MB at its end."""
    from contextlib import contextmanager

    from sna.progress import Progress

    class StageMeter(Progress):
        def __init__(self) -> None:
            super().__init__(quiet=True)
            self.cpu: dict[str, float] = {}
            self.peak: dict[str, float] = {}

        @contextmanager
        def stage(self, name: str):
            start = cpu_seconds()
            try:
                with super().stage(name):
                    yield
            finally:
                self.cpu[name] = self.cpu.get(name, 0.0) + cpu_seconds() - start
                self.peak[name] = peak_mb()

    return StageMeter()


def run_sna(n: int, save: bool) -> dict[str, object]:
    import tempfile

    from sna.pipeline import run

    path = HERE / "out" / f"forum-{n}.parquet"
    progress = _stage_meter()
    start, cpu = time.perf_counter(), cpu_seconds()
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        result = run([path], tmp, skip=("stance", "figures", "html"), progress=progress)
        files = sum(len(names) for names in result.written.values())
    total, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    stages = [(name, seconds, progress.peak[name]) for name, seconds in progress.timings.items()]
    stages.append(("writing tables", total - sum(s for _, s, _ in stages), peak_mb()))
    stage_cpu = dict(progress.cpu) | {"writing tables": cpu - sum(progress.cpu.values())}
    if save:
        edges, posts = result.ingested.edges, result.ingested.posts
        edges.select("source", "target").write_parquet(HERE / "out" / f"edges-{n}.parquet")
        posts.select("post_id", "thread_id", "position", "author").write_parquet(HERE / "out" / f"posts-{n}.parquet")
    return {"stages": stages, "total": total, "files": files, "peak": peak_mb(), "cpu": cpu, "stage_cpu": stage_cpu}


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


def expected_mb(n: int, measured: list[tuple[int, float]]) -> float:
    """Peak MB of an sna run on ``n`` posts: on the line through the two largest measured, else ``MB_PER_POST``."""
    runs = sorted(measured)
    if len(runs) >= 2 and runs[-1][0] > runs[-2][0]:
        (n1, p1), (n2, p2) = runs[-2:]
        return p2 + max((p2 - p1) / (n2 - n1), 0.0) * (n - n2)
    return n * MB_PER_POST


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--baseline-python", help="also run sna with this interpreter (e.g. main's .venv/bin/python)")
    parser.add_argument("--baseline-1m", action="store_true", help="also run the networkx baseline above 100k posts")
    parser.add_argument("--skip-networkx", action="store_true", help="leave the networkx baseline out")
    parser.add_argument("--max-memory-gb", type=float, default=12.0,
                        help="leave out sizes whose sna run would need more memory than this (estimated)")  # fmt: skip
    parser.add_argument("--worker", choices=["floor", "sna", "networkx"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--save", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        workers = {"floor": run_floor, "sna": lambda n: run_sna(n, args.save), "networkx": run_networkx}
        print(json.dumps(workers[args.worker](args.n)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple[int, str, dict[str, object]]] = []
    skipped: list[str] = []
    measured: list[tuple[int, float]] = []  # (posts, peak MB) of sna's runs
    for n in sizes:
        needed_gb = expected_mb(n, measured) / 1024
        if needed_gb > args.max_memory_gb:
            skipped.append(f"{n:,} posts: not run: sna would need about {needed_gb:.1f} GB "
                           f"(over --max-memory-gb {args.max_memory_gb:g})")  # fmt: skip
            print(skipped[-1], file=sys.stderr, flush=True)
            continue
        print(f"{n:,} posts: generating …", file=sys.stderr, flush=True)
        forum_file(n)
        runs = [("I/O floor", "floor", sys.executable), ("sna", "sna", sys.executable)]
        if args.baseline_python:
            runs.append(("sna (baseline)", "sna", args.baseline_python))
        if not args.skip_networkx and (n <= 100_000 or args.baseline_1m):
            runs.append(("networkx", "networkx", sys.executable))
        for label, kind, python in runs:
            print(f"{n:,} posts: {label} …", file=sys.stderr, flush=True)
            rows.append((n, label, _worker(kind, n, python, save=label == "sna")))
            print(f"{n:,} posts: {label}: {rows[-1][2]['total']:.2f} s", file=sys.stderr, flush=True)
            if label == "sna":
                measured.append((n, float(rows[-1][2]["peak"])))
    _print(rows, [n for n in sizes if any(size == n for size, _, _ in rows)])
    for line in skipped:
        print(line)


def _print(rows: list[tuple[int, str, dict[str, object]]], sizes: list[int]) -> None:
    print(f"{'posts':>10}  {'run':15} {'stage':28} {'seconds':>8} {'peak MB':>8} {'x floor':>8} {'CPU s':>8}")
    floor = {n: r["total"] for n, label, r in rows if label == "I/O floor"}
    for n, label, result in rows:
        stage_cpu = result.get("stage_cpu", {})  # CPU seconds of the process (all threads) during the stage
        for name, seconds, mb in result["stages"]:
            shown = f"{mb:8.0f}" if mb else ""
            used = f"{stage_cpu[name]:8.2f}" if name in stage_cpu else ""
            print(f"{n:>10,}  {label:15} {name:28} {seconds:8.2f} {shown:>8} {'':>8} {used:>8}")
        peak = max(mb for _, _, mb in result["stages"])
        used = f"{result['cpu']:8.2f}" if "cpu" in result else ""
        print(f"{n:>10,}  {label:15} {'total':28} {result['total']:8.2f} {peak:8.0f} {result['total'] / floor[n]:8.1f} "
              f"{used:>8}")  # fmt: skip
    ours = {n: r for n, label, r in rows if label == "sna"}
    for n, label, result in rows:
        if label == "sna (baseline)":
            print(f"{n:>10,}  sna is {result['total'] / ours[n]['total']:.2f}x as fast as the baseline (whole run)")
            if "cpu" in result:  # CPU seconds of every thread: the fairer ratio when the machine is busy
                print(f"{n:>10,}  CPU time: sna {ours[n]['cpu']:.2f} s, baseline {result['cpu']:.2f} s "
                      f"({result['cpu'] / ours[n]['cpu']:.2f}x)")  # fmt: skip
        if label == "networkx":
            metrics = dict((name, s) for name, s, _ in ours[n]["stages"])["computing metrics"]
            print(f"{n:>10,}  metrics: networkx {result['total']:.2f} s, sna {metrics:.2f} s "
                  f"({result['total'] / metrics:.0f}x)")  # fmt: skip
    for small, large in itertools.pairwise(sizes):
        exponent = math.log(ours[large]["total"] / ours[small]["total"]) / math.log(large / small)
        print(f"scaling exponent of sna, {small:,} to {large:,} posts: {exponent:.2f}")
    print("(wall-clock seconds on this machine; compare ratios measured in the same run)")


def _worker(kind: str, n: int, python: str, *, save: bool = False) -> dict[str, object]:
    command = [python, __file__, "--worker", kind, "--n", str(n), *(["--save"] if save else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind} worker failed at {n}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
