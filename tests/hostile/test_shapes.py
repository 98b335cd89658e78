"""Adversarial shapes: long chains, reply cycles, deep cascade trees, measures that do not converge.

Issue 12, "Hangs and blow-ups" and "Unconverged results without a word". The large
versions (200k-deep chains, 50k-post paste chains) are timed in bench/bench_hostile.py;
here they are small enough to run anywhere, and the checks are on what was chosen
(sampled, not exact; the layered layout, not igraph's), never on time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from tests.hostile.common import cli, leftovers, ok, one_error_line


def chain_csv(path: Path, n: int, *, cycle: bool = False) -> Path:
    ids = [f"p{i}" for i in range(n)]
    parents = [ids[-1] if cycle else None, *ids[:-1]]
    pl.DataFrame({"post_id": ids, "text": [f"post {i} says a thing" for i in range(n)], "reply_to": parents}).write_csv(
        path
    )
    return path


def test_a_long_reply_chain_gets_sampled_betweenness(tmp_path):
    out = tmp_path / "out"
    ok("ingest", chain_csv(tmp_path / "chain.csv", 12_000), "--out", out, "-q")
    result = ok("metrics", out, "-q")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["post_graph"]["betweenness_sources"] == 256  # exact would visit 1.4·10⁸ nodes and edges
    assert summary["author_graph"]["harmonic_sources"] == 64
    assert "(betweenness from 256 sampled sources)" in result.output
    post_metrics = pl.read_parquet(out / "post_metrics.parquet")
    assert post_metrics["depth"].max() == 11_999


def test_a_chain_of_pastes_is_found_once_and_gets_sampled_betweenness(tmp_path):
    """Each post pastes the previous one's words (no stated parents): one quote link each, no quadratic path."""
    from bench.bench_hostile import write_paste_chain

    source, out = tmp_path / "paste.csv", tmp_path / "out"
    write_paste_chain(source, 12_000)
    ok("ingest", source, "--out", out, "-q")
    edges = pl.read_parquet(out / "edges.parquet")
    assert edges["kind"].to_list() == ["quote"] * 11_999
    gap = edges["source"].str.slice(1).cast(int) - edges["target"].str.slice(1).cast(int)
    assert gap.unique().to_list() == [1]  # each post quotes the one just before, nothing further back
    ok("metrics", out, "-q")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["post_graph"]["betweenness_sources"] == 256
    assert pl.read_parquet(out / "post_metrics.parquet")["depth"].max() == 11_999


def test_a_reply_cycle_through_many_posts_is_one_short_line(tmp_path):
    out = tmp_path / "out"
    line = one_error_line(cli("ingest", chain_csv(tmp_path / "cycle.csv", 25_000, cycle=True), "--out", out, "-q"),
                          "reply_to forms a cycle of 25,000 posts: 'p0' -> 'p24999' -> 'p24998' -> 'p24997' -> …",
                          "expected each post to reply to an earlier one")  # fmt: skip
    assert len(line) < 200
    assert not out.exists() and leftovers(tmp_path) == []


def test_deep_and_wide_cascade_trees_lay_out_in_linear_passes_without_recursion():
    """Tree layouts (tidy, icicle, radial) come from leaf spans: no recursion, so depth cannot crash them."""
    from sna.analysis.layout import leaf_intervals

    chain = np.arange(-1, 29_999)  # 30,000 deep (igraph's recursive tree layout overflowed the stack at ~120k)
    start, end, depth = leaf_intervals(chain)
    assert start.tolist() == [0] * 30_000 and end.tolist() == [1] * 30_000 and depth[-1] == 29_999
    wide = np.concatenate([[-1], np.zeros(9_999, dtype=np.int64)])  # 10,000 posts under one root
    start, end, _ = leaf_intervals(wide)
    assert (start[0], end[0]) == (0, 9_999) and sorted(start[1:].tolist()) == list(range(9_999))
    forest = np.array([-1, 0, -1, 2, 3])
    start, end, depth = leaf_intervals(forest)
    assert depth.tolist() == [0, 1, 0, 1, 2] and end[0] <= start[2]


def test_cascade_tree_figure_of_a_deep_chain(tmp_path):
    """The whole figure of a 3,000-deep reply chain is drawn (the icicle encoding past a few hundred posts)."""
    out, figures = tmp_path / "out", tmp_path / "figures"
    ok("ingest", chain_csv(tmp_path / "chain.csv", 3_000), "--out", out, "-q")
    ok("metrics", out, "-q")
    ok("figures", out, "--to", figures)
    assert (figures / "cascade-trees.png").stat().st_size > 0


def two_stars_csv(path: Path, leaves: int) -> Path:
    """Two threads: a first post with ``leaves`` replies, and one with ``leaves + 1``."""
    rows = []
    for thread, size in (("a", leaves), ("b", leaves + 1)):
        rows.append((thread, f"{thread}0", 1, "opening post", None))
        rows += [(thread, f"{thread}{i}", i + 1, f"reply {i}", f"{thread}0") for i in range(1, size + 1)]
    columns = ["thread_id", "post_id", "position", "text", "reply_to"]
    pl.DataFrame(rows, schema=columns, orient="row").write_csv(path)
    return path


def test_hits_that_does_not_converge_is_reported_in_summary_and_cli(tmp_path):
    out = tmp_path / "out"
    ok("ingest", two_stars_csv(tmp_path / "stars.csv", 1_000), "--out", out, "-q", "--no-implicit")
    result = ok("metrics", out, "-q")
    summary = json.loads((out / "summary.json").read_text())
    hits = summary["post_graph"]["convergence"]["hits"]
    assert hits["converged"] is False and hits["iterations"] == 500
    assert summary["post_graph"]["convergence"]["pagerank"]["converged"] is True
    assert "post graph: hits did not converge in 500 iterations" in " ".join(summary["warnings"])
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert any("post graph: hits did not converge in 500 iterations" in line for line in warnings)
    assert all(len(line) <= 300 for line in warnings)
