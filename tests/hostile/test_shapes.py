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
import pytest

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


def test_deep_cascade_trees_never_reach_igraphs_recursive_layout(monkeypatch):
    import sna.render.static as static

    def refuse(parent):
        raise AssertionError(f"Reingold-Tilford called on {len(parent)} posts")

    monkeypatch.setattr(static, "tree_layout", refuse)
    chain = np.arange(-1, 299_999)  # 300,000 deep: the recursive layout overflowed the stack at ~120k
    pos = static._tree_positions(chain, depth=299_999)
    assert pos.shape == (300_000, 2) and pos[-1].tolist() == [0.0, -299_999.0]
    wide = np.concatenate([[-1], np.zeros(9_999, dtype=np.int64)])  # 10,000 posts under one root
    pos = static._tree_positions(wide, depth=1)
    assert sorted(pos[1:, 0].tolist()) == list(map(float, range(9_999))) and pos[0, 0] == 4_999.0


def test_the_layered_layout_on_cycles_and_forests_does_not_hang():
    from sna.render.static import layered_tree_layout

    forest = np.array([-1, 0, -1, 2, 3])
    assert layered_tree_layout(forest)[:, 1].tolist() == [0.0, -1.0, 0.0, -1.0, -2.0]
    tampered = np.array([-1, 2, 1])  # posts 1 and 2 each other's parent: left at the top, no loop
    assert layered_tree_layout(tampered).shape == (3, 2)


def test_cascade_tree_figure_of_a_deep_chain(tmp_path, monkeypatch):
    """The whole figure, drawn with the layered layout (limits lowered so a small chain is 'deep')."""
    import matplotlib

    matplotlib.use("Agg")
    import sna.render.static as static

    monkeypatch.setattr(static, "TIDY_MAX_DEPTH", 50)
    monkeypatch.setattr(static, "tree_layout", lambda parent: pytest.fail("igraph layout used"))
    out = tmp_path / "out"
    ok("ingest", chain_csv(tmp_path / "chain.csv", 400), "--out", out, "-q")
    ok("metrics", out, "-q")
    from sna.pipeline import read_results

    _, edges, metrics = read_results(out)
    figure = static.cascade_trees(metrics.cascades, metrics.post_metrics, edges)
    assert figure.axes[0].get_ylim()[0] < -399


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
