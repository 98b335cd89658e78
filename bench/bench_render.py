"""Rendering at scale: static figures and interactive pages for 1k and 10k nodes.

For each size a synthetic forum (``bench/synth.py``: reply forests, Zipf
authors over N/10 names) gets reply edges from its parents and planted stance
(authors in three groups; replies inside a group agree 80% of the time,
across groups disagree 80%), then ``sna.compute_metrics`` — so camps exist
and every figure is drawn. Timed: ``write_figures`` (all PNGs, 150 dpi),
``write_html`` (authors.html and posts.html); reported: HTML sizes, and the
seconds until each page has drawn in headless Chromium with the network off
(``performance.now()`` at vis-network's first ``afterDrawing``, i.e. from
navigation start). The post graph has N nodes, the author graph about N/10.

Usage: python bench/bench_render.py [--sizes 1000,10000] [--no-browser]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def synthetic_corpus(n: int, *, seed: int = 1):
    """POSTS and EDGES (reply edges with planted stance) of a synthetic forum of ``n`` posts."""
    import numpy as np
    import polars as pl

    from bench.synth import synthetic_forum
    from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, conform

    forum = synthetic_forum(n, seed=seed)
    posts = conform(forum.drop("quoted"), POSTS_SCHEMA)
    group = {a: i % 3 for i, a in enumerate(sorted(posts["author"].unique().to_list()))}
    author_of = dict(zip(posts["post_id"].to_list(), posts["author"].to_list(), strict=True))
    replies = posts.filter(pl.col("reply_to").is_not_null())
    rng = np.random.default_rng(seed)
    u = rng.random(replies.height)
    pairs = zip(replies["post_id"].to_list(), replies["reply_to"].to_list(), strict=True)
    same = np.array([group[author_of[s]] == group[author_of[t]] for s, t in pairs])
    stance = np.where(u < 0.8, np.where(same, "agree", "disagree"), np.where(u < 0.9, "neutral",
                      np.where(same, "disagree", "agree")))  # fmt: skip
    edges = pl.DataFrame({
        "source": replies["post_id"], "target": replies["reply_to"], "kind": "reply", "stance": stance,
        "created_at": replies["created_at"],
    })  # fmt: skip
    return posts, conform(edges, EDGES_SCHEMA)


def run(n: int, browser) -> dict[str, object]:
    from sna.analysis.report import compute_metrics
    from sna.export import atomic_outputs
    from sna.render import write_figures, write_html

    posts, edges = synthetic_corpus(n)
    metrics = compute_metrics(posts, edges)
    row: dict[str, object] = {"posts": n, "authors": metrics.author_metrics.height}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with atomic_outputs(tmp) as stage:
            figures = write_figures(posts, edges, metrics, stage)
        row["png_s"] = time.perf_counter() - start
        row["figures"] = len(figures)
        start = time.perf_counter()
        with atomic_outputs(tmp) as stage:
            write_html(posts, edges, metrics, stage)
        row["html_s"] = time.perf_counter() - start
        for page in ("posts", "authors"):
            path = Path(tmp) / f"{page}.html"
            row[f"{page}_mb"] = path.stat().st_size / 1e6
            if browser is not None:
                report = browser.open(path, timeout=180)
                row[f"{page}_draw_s"] = report.seconds_to_draw if report.drawn else float("nan")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()
    browser = None
    if not args.no_browser:
        from tests.render.browser import Browser, unavailable_reason

        reason = unavailable_reason()
        if reason:
            print(f"no browser timings: {reason}", file=sys.stderr)
        else:
            browser = Browser()
    rows = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"{n:,} posts …", file=sys.stderr, flush=True)
            rows.append(run(n, browser))
    finally:
        if browser is not None:
            browser.close()
    print(f"{'post nodes':>10} {'author nodes':>12} {'PNGs (s)':>9} {'HTML (s)':>9} {'posts.html MB':>13} "
          f"{'drawn (s)':>9} {'authors.html MB':>15} {'drawn (s)':>9}")  # fmt: skip
    for r in rows:
        draw_p = f"{r['posts_draw_s']:9.2f}" if "posts_draw_s" in r else f"{'-':>9}"
        draw_a = f"{r['authors_draw_s']:9.2f}" if "authors_draw_s" in r else f"{'-':>9}"
        print(f"{r['posts']:>10,} {r['authors']:>12,} {r['png_s']:9.2f} {r['html_s']:9.2f} {r['posts_mb']:13.2f} "
              f"{draw_p} {r['authors_mb']:15.2f} {draw_a}")  # fmt: skip
    print(f"(PNGs: all {rows[0]['figures'] if rows else 0} figures at 150 dpi; HTML: both pages; drawn: seconds from "
          "navigation start to vis-network's first frame in headless Chromium, network off)")  # fmt: skip


if __name__ == "__main__":
    main()
