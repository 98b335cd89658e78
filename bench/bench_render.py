"""Pictures at scale: figures, pages and the report at 1k, 10k and 100k posts, figures at 1M, first draw in Chromium.

The forum (:func:`forum`): reply forests in which each post answers a recent
post of its thread by preferential attachment (10% start a thread; one thread
holds ``--giant`` of all posts, the shape that made the old tree layout take
16 minutes at 1M posts), Zipf authors over N/10 names in three planted camps
(replies inside a camp agree 80% of the time, across camps disagree 80%),
every 8th reply an assumed (implicit) link to its thread's first post, and a
time on every post. Metrics are computed without stance (stance camps cost
minutes at 1M posts and are not what this measures); the planted camps and
the stance counts are then put on the author tables, so every figure is drawn.

Timed, per size: ``prepare`` (:func:`sna.analysis.pictures.picture_data`:
views, layouts, tables), ``figures`` (all PNGs at 150 dpi), ``pages``
(authors.html and posts.html), ``report``; in headless Chromium with the
network off: seconds from navigation start to vis-network's first frame, and
the median time of a redraw after a zoom and a pan, while the reader drags
(links hidden, as the pages do) and once they let go (≤ 100 ms feels immediate). Baseline, in the same run: the
layouts the previous renderer used — igraph Fruchterman–Reingold on the
whole author graph and igraph Reingold–Tilford on the largest cascade — next
to this renderer's group layout and linear tree layout of the same graphs.

Usage: python bench/bench_render.py [--sizes 1000,10000,100000] [--figures-at 1000000] [--no-browser]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def forum(n: int, *, seed: int = 1, giant: float = 0.3) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray]:
    """POSTS, EDGES (with planted stance) and each author's planted camp (see the module docstring)."""
    from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, conform

    rng = np.random.default_rng(seed)
    n_authors = max(3, n // 10)
    weights = 1.0 / np.arange(1, n_authors + 1)
    author = rng.choice(n_authors, n, p=weights / weights.sum())
    camp = rng.integers(0, 3, n_authors)
    in_giant = rng.random(n) < giant
    in_giant[0] = True
    thread = np.zeros(n, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    position = np.ones(n, dtype=np.int64)
    last: dict[int, list[int]] = {0: [0]}
    current = 0
    count = {0: 1}
    for i in range(1, n):
        if in_giant[i]:
            t = 0
        elif rng.random() < 0.1 or current == 0:
            current = len(count)
            count[current] = 0
            last[current] = []
            t = current
        else:
            t = current
        members = last[t]
        if members:
            window = members[-60:]
            parent[i] = window[int(rng.integers(0, len(window)))] if rng.random() < 0.7 else members[0]
        thread[i] = t
        count[t] += 1
        position[i] = count[t]
        members.append(i)
    ids = np.array([f"t{t}#{p}" for t, p in zip(thread.tolist(), position.tolist(), strict=True)], dtype=object)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    words = np.array(["camp", "vote", "agree", "wrong", "source", "data", "because", "never", "always", "maybe"])
    text = [" ".join(words[rng.integers(0, 10, 6)]) for _ in range(min(n, 200_000))]
    text = (text * (n // len(text) + 1))[:n]
    posts = conform(pl.DataFrame({
        "thread_id": [f"t{t}" for t in thread.tolist()], "post_id": ids.tolist(), "position": position,
        "author": [f"user{a}" for a in author.tolist()],
        "created_at": [start + dt.timedelta(minutes=3 * i) for i in range(n)],
        "title": [f"Thread {t}" for t in thread.tolist()], "text": text, "raw_text": text,
    }), POSTS_SCHEMA)  # fmt: skip
    child = np.flatnonzero(parent >= 0)
    same = camp[author[child]] == camp[author[parent[child]]]
    u = rng.random(len(child))
    stance = np.where(u < 0.8, np.where(same, "agree", "disagree"), np.where(u < 0.9, "neutral",
                      np.where(same, "disagree", "agree")))  # fmt: skip
    assumed = (np.arange(len(child)) % 8 == 0) & (position[parent[child]] == 1)
    edges = conform(pl.DataFrame({
        "source": ids[child].tolist(), "target": ids[parent[child]].tolist(),
        "kind": np.where(assumed, "implicit", "reply"),
        "stance": pl.Series(stance.tolist()).set(pl.Series(assumed), None),
        "created_at": posts["created_at"].gather(child),
    }), EDGES_SCHEMA)  # fmt: skip
    return posts, edges, camp


def metrics_with_camps(posts: pl.DataFrame, edges: pl.DataFrame, camp: np.ndarray):
    """Metrics computed without stance, then the planted camps and the stance counts put on the author tables."""
    from sna.analysis.report import compute_metrics
    from sna.graph import author_tables, counted_kinds

    metrics = compute_metrics(posts, edges.with_columns(stance=pl.lit(None, pl.String)))
    _, links = author_tables(posts, edges, counted=counted_kinds("ignore"))
    names = metrics.author_metrics["author"]
    planted = pl.Series([int(camp[int(a[4:])]) + 1 for a in names.to_list()], dtype=pl.Int64)
    author_metrics = metrics.author_metrics.with_columns(camp=planted)
    return replace(metrics, author_metrics=author_metrics, author_edges=links)


CPU: dict[str, float] = {}


def timed(fn, name: str | None = None):
    """Wall seconds of ``fn()`` (and its CPU seconds in ``CPU[name]``: closer to a quiet machine's wall time)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    if name:
        CPU[name] = time.process_time() - cpu
    return out, time.perf_counter() - start


def baseline_layouts(metrics, posts: pl.DataFrame) -> tuple[float, float]:
    """The previous renderer's layouts: igraph FR (grid) on the whole author graph, Reingold–Tilford on the
    largest cascade."""
    import igraph as ig

    from sna.graph import links_from_tables

    author_graph = links_from_tables(metrics.author_metrics.select("author"), metrics.author_edges)
    graph = ig.Graph(n=author_graph.n, edges=list(zip(author_graph.src.tolist(), author_graph.dst.tolist(),
                                                       strict=True)), directed=False)  # fmt: skip
    _, fr = timed(lambda: graph.layout_fruchterman_reingold(grid="auto"))
    pm = metrics.post_metrics
    largest = metrics.cascades.filter(pl.col("kind") == "reply").sort("size", descending=True)["cascade_id"][0]
    members = pm.filter(pl.col("cascade_id") == largest).select("post_id", "parent")
    index = {p: i for i, p in enumerate(members["post_id"].to_list())}
    pairs = [(index[p], index[c]) for c, p in members.iter_rows() if p is not None and p in index]
    tree = ig.Graph(n=members.height, edges=pairs, directed=True)
    root = [i for i, p in enumerate(members["parent"].to_list()) if p is None or p not in index]
    _, rt = timed(lambda: tree.layout_reingold_tilford(mode="out", root=root))
    return fr, rt


def ours_layouts(metrics, posts: pl.DataFrame, edges: pl.DataFrame) -> tuple[float, float]:
    from sna.analysis.layout import leaf_intervals
    from sna.analysis.views import author_view

    _, group = timed(lambda: author_view(metrics, posts))
    pm = metrics.post_metrics
    largest = metrics.cascades.filter(pl.col("kind") == "reply").sort("size", descending=True)["cascade_id"][0]
    members = pm.filter(pl.col("cascade_id") == largest).select("post_id", "parent")
    index = {p: i for i, p in enumerate(members["post_id"].to_list())}
    parent = np.array([index.get(p, -1) if p is not None else -1 for p in members["parent"].to_list()])
    _, tree = timed(lambda: leaf_intervals(parent))
    return group, tree


REDRAW = """
var network = window.snaNetwork, renderer = network.renderer, times = [];
var scale = network.getScale(), view = network.getViewPosition();
for (var i = 0; i < 10; i++) {
  network.moveTo({scale: scale * (i % 2 ? 1.25 : 0.8), position: {x: view.x + (i % 3 - 1) * 40, y: view.y},
                  animation: false});
  renderer.dragging = arguments[0];  // a frame while the reader drags: links hidden (hideEdgesOnDrag)
  var t0 = performance.now();
  network.redraw();
  times.push(performance.now() - t0);
  renderer.dragging = false;
}
times.sort(function (a, b) { return a - b; });
return times[5];
"""


def browse(browser, path: Path) -> tuple[float, float, float]:
    """First draw (s), and the median frame while panning and after (s) in headless Chromium."""
    report = browser.open(path, timeout=300)
    if not report.drawn:
        return float("nan"), float("nan"), float("nan")
    return report.seconds_to_draw, float(browser.run(REDRAW, True)) / 1000, float(browser.run(REDRAW, False)) / 1000


def run(n: int, browser, *, figures_only: bool = False) -> dict[str, object]:
    from sna.analysis.pictures import picture_data
    from sna.export import atomic_outputs
    from sna.render import write_figures, write_html, write_pictures

    print(f"{n:,} posts: building the forum and its metrics …", file=sys.stderr, flush=True)
    posts, edges, camp = forum(n)
    metrics = metrics_with_camps(posts, edges, camp)
    row: dict[str, object] = {"posts": n, "authors": metrics.author_metrics.height,
                              "largest": int(metrics.cascades["size"].max())}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pictures, row["prepare_s"] = timed(lambda: picture_data(posts, edges, metrics, pages=not figures_only),
                                           "prepare")  # fmt: skip
        row["prepare_cpu"] = CPU["prepare"]
        with atomic_outputs(folder, part="figures") as stage:  # one part each: a part replaces its own files
            names, row["figures_s"] = timed(lambda: write_figures(pictures, stage), "figures")
        row["figures_cpu"] = CPU["figures"]
        row["figure_count"] = len(names)
        if figures_only:
            return row
        with atomic_outputs(folder, part="html") as stage:
            _, row["pages_s"] = timed(lambda: write_html(pictures, stage))
        with atomic_outputs(folder, part="report") as stage:
            _, row["report_s"] = timed(lambda: write_pictures(pictures, stage, folder=folder, figures=False,
                                                              html=False))  # fmt: skip
        for page in ("authors", "posts"):
            row[f"{page}_nodes"] = dict(pictures.pages)[f"{page}.html"].n
            row[f"{page}_mb"] = (folder / f"{page}.html").stat().st_size / 1e6
            if browser is not None:
                timings = browse(browser, folder / f"{page}.html")
                row[f"{page}_draw_s"], row[f"{page}_pan_s"], row[f"{page}_frame_s"] = timings
        row["report_mb"] = (folder / "report.html").stat().st_size / 1e6
        if browser is not None:
            browser.driver.get((folder / "report.html").resolve().as_uri())
            row["report_open_s"] = float(
                browser.run(
                    "return (performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart) / 1000"
                )
            )
    row["old_fr_s"], row["old_rt_s"] = baseline_layouts(metrics, posts)
    row["our_group_s"], row["our_tree_s"] = ours_layouts(metrics, posts, edges)
    return row


def _cell(value, fmt: str = ".2f") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return format(value, fmt)


def _sizes(parser: argparse.ArgumentParser, option: str, text: str) -> list[int]:
    """Comma-separated forum sizes of ``option`` (empty: none); a one-line usage error unless each is ≥ 2 posts."""
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        parser.error(f"{option}: expected comma-separated numbers of posts, got {text!r}")
    if any(n < 2 for n in sizes):
        parser.error(f"{option}: every size must be at least 2 posts, got {text!r} (leave it empty for none)")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--figures-at", default="1000000", help="sizes at which only the figures are timed")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()
    sizes, figures_at = (_sizes(parser, option, text) for option, text in
                         (("--sizes", args.sizes), ("--figures-at", args.figures_at)))  # fmt: skip
    browser = None
    if not args.no_browser:
        from tests.render.browser import Browser, unavailable_reason

        reason = unavailable_reason()
        if reason:
            print(f"no browser timings: {reason}", file=sys.stderr)
        else:
            browser = Browser()
    rows, big = [], []
    try:
        for n in sizes:
            rows.append(run(n, browser))
        for n in figures_at:
            big.append(run(n, None, figures_only=True))
    finally:
        if browser is not None:
            browser.close()
    print(
        "| posts | authors | largest cascade | prepare (s) | figures (s) | pages (s) | report (s) | authors.html: "
        "nodes, MB, first draw (s), frame panning / after (ms) | posts.html: the same | report: MB, open (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        pages = []
        for page in ("authors", "posts"):
            frames = [r.get(f"{page}_{k}_s") for k in ("pan", "frame")]
            ms = " / ".join(_cell(f * 1000 if f is not None else None, ".0f") for f in frames)
            pages.append(f"{r[page + '_nodes']:,}, {r[page + '_mb']:.1f}, {_cell(r.get(page + '_draw_s'))}, {ms}")
        print(f"| {r['posts']:,} | {r['authors']:,} | {r['largest']:,} | {r['prepare_s']:.2f} | {r['figures_s']:.2f} | "
              f"{r['pages_s']:.2f} | {r['report_s']:.2f} | {pages[0]} | {pages[1]} | {r['report_mb']:.1f}, "
              f"{_cell(r.get('report_open_s'))} |")  # fmt: skip
    for r in big:
        total = r["prepare_s"] + r["figures_s"]
        cpu = r["prepare_cpu"] + r["figures_cpu"]
        print(f"| {r['posts']:,} (figures only) | {r['authors']:,} | {r['largest']:,} | {r['prepare_s']:.2f} | "
              f"{r['figures_s']:.2f} | – | – | {r['figure_count']} figures, prepare + draw {total:.1f} s wall, "
              f"{cpu:.1f} s CPU ({'within' if total <= 30 else 'over'} the 30 s target) | | |")  # fmt: skip
    print("CPU seconds (prepare + figures): " + ", ".join(f"{r['posts']:,}: {r['prepare_cpu'] + r['figures_cpu']:.1f}"
                                                           for r in rows + big))  # fmt: skip
    print()
    print(
        "| posts | old: igraph FR, whole author graph (s) | ours: group layout (s) | ratio | old: Reingold–Tilford, "
        "largest cascade (s) | ours: leaf spans (s) | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['posts']:,} | {r['old_fr_s']:.3f} | {r['our_group_s']:.3f} | "
              f"{r['old_fr_s'] / max(r['our_group_s'], 1e-9):.1f}× | {r['old_rt_s']:.3f} | {r['our_tree_s']:.4f} | "
              f"{r['old_rt_s'] / max(r['our_tree_s'], 1e-9):.0f}× |")  # fmt: skip
    print("(prepare: views, layouts and tables; figures: every PNG at 150 dpi; pages: both pages; first draw: seconds "
          "from navigation start to vis-network's first frame, headless Chromium, network off; frames: median redraw "
          "after a zoom and a pan, while dragging (links hidden) and after it; the group layout includes building "
          "the author view)")  # fmt: skip


if __name__ == "__main__":
    main()
