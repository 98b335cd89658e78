"""Agreement camps and communities on real forums: time, frustration and camp sizes, before and after.

On the IAC 4forums sample (170 threads, 8,776 posts) and the IAC bulk slice
(2,632 threads, 110k posts), with stance labels from the shipped model
(``sna.stance.label_edges``), this runs in one process:

* **before**: the camp code as it was before near-linear camps (read from git,
  ``--baseline-ref``): Leiden on the whole signed graph, best of four runs,
  local moves, 200 random shuffles for the baseline;
* **agree components**: the partition into components of agreement alone
  (step 1 of the new method, exact on a reply forest);
* **after**: :func:`sna.analysis.camps.agreement_camps` with one Leiden run and
  with four (does a best-of-four lower the frustration?), for the whole corpus
  and per thread;
* **communities**: modularity communities of the author graph.

Each "after" time is the median of three runs; "before" runs once (it takes
minutes on the bulk slice). Frustration is printed next to the random
baseline (before: the mean of 200 shuffles; after: the exact mean). The
labelled tables are cached in ``bench/out/camps-cache`` keyed by the data and
the stance code and model, so a rerun skips ingest and stance.

With ``--synthetic 100000,1000000`` it also runs synthetic forums of those
sizes (``bench/synth.py`` reply forests; each author on one of two sides, 20%
of replies neutral, the rest agreeing with their own side and disagreeing with
the other 70% of the time), with Leiden where the method puts it and with
Leiden in every component that holds a disagreement (``LEIDEN_MAX_PAIRS``
lifted), once each.

Writes bench/out/bench_camps.json.

Usage: python bench/bench_camps.py [--data ../shared/data] [--sets iac-fourforums,iac-fourforums-bulk]
       [--baseline-ref REF | --no-baseline] [--synthetic SIZES]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

#: The last commit with the camp code this branch replaced.
BASELINE_REF = "02de007fbc2a5bb074b5e2d653aaa8ff3cee9226"
SETS = ("iac-fourforums", "iac-fourforums-bulk")


def labelled(data: Path, name: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    """POSTS and stance-labelled EDGES of a data set, from the cache when the data and the model are unchanged."""
    from sna.pipeline import ingest
    from sna.stance import label_edges

    folder = data / name
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):  # the data: names, sizes, times
        digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    code = sorted((ROOT / "sna" / "stance").rglob("*.py")) + sorted((ROOT / "sna" / "models").rglob("*"))
    for path in (p for p in code if p.is_file()):  # the stance code and model: contents
        digest.update(path.read_bytes())
    cache = HERE / "out" / "camps-cache" / f"{name}-{digest.hexdigest()[:16]}"
    if (cache / "edges.parquet").exists():
        return pl.read_parquet(cache / "posts.parquet"), pl.read_parquet(cache / "edges.parquet"), {}
    start = time.perf_counter()
    result = ingest([folder])
    read = time.perf_counter()
    edges = label_edges(result.posts, result.edges)
    done = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    result.posts.write_parquet(cache / "posts.parquet")
    edges.write_parquet(cache / "edges.parquet")
    return result.posts, edges, {"ingest_s": read - start, "stance_s": done - read}


def baseline_module(ref: str) -> types.ModuleType:
    """The camps module as it was at ``ref`` (it needs only ``sna.graph``)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:sna/analysis/camps.py"], check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    module = types.ModuleType("camps_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, f"{ref[:7]}:sna/analysis/camps.py", "exec"), module.__dict__)
    return module


def timed(function, repeat: int = 1):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def before(module: types.ModuleType, ix, importance: dict[str, np.ndarray]) -> dict[str, dict[str, object]]:
    out = {}
    for level in ("author", "post"):
        (result, _, summary), seconds = timed(
            lambda level=level: module.agreement_camps(ix, level=level, importance=importance[level])
        )
        sizes = np.bincount(result.labels)[1:]
        active = np.zeros(len(result.labels), dtype=bool)
        pairs = module.signed_pairs(ix.node if level == "author" else np.arange(ix.n_posts), len(result.labels),
                                    ix.src, ix.dst, ix.stance)  # fmt: skip
        active[pairs.i] = active[pairs.j] = True
        signed_sizes = np.bincount(result.labels[active])
        signed_sizes = signed_sizes[signed_sizes > 0]
        out[level] = {
            "seconds": seconds,
            "camps_listed": len(sizes),
            "camps_of_two_or_more": int((sizes >= 2).sum()),
            "camps_of_one": int((sizes == 1).sum()),
            "camps_of_one_without_signed_link": int((~active).sum()),
            "camps_of_one_with_signed_links": int((signed_sizes == 1).sum()),
            "largest_camps": sorted(sizes.tolist(), reverse=True)[:10],
            "frustration": summary["frustration_index"],
            "random_mean": summary["random_partitions"]["mean"],
        }
    return out


def after(ix, posts: pl.DataFrame, importance: dict[str, np.ndarray]) -> dict[str, dict[str, object]]:
    from sna.analysis.camps import agreement_camps, signed_pairs
    from sna.analysis.signed import agree_components, frustration, random_frustration

    out: dict[str, dict[str, object]] = {}
    for level in ("author", "post"):
        node = ix.node if level == "author" else np.arange(ix.n_posts, dtype=np.int64)
        n = len(ix.node_names) if level == "author" else ix.n_posts

        def components(node=node, n=n):
            pairs = signed_pairs(node, n, ix.src, ix.dst, ix.stance)
            return pairs, agree_components(pairs)

        (pairs, parts), seconds = timed(components, 3)
        out[f"{level} agree components"] = {
            "seconds": seconds,
            "frustration": frustration(parts, pairs),
            "random_mean": random_frustration(parts, pairs)["mean"],
        }
        for by in ("corpus", "thread"):
            for runs in (1, 4):
                camps, seconds = timed(
                    lambda level=level, by=by, runs=runs: agreement_camps(
                        ix, level=level, camps_by=by, thread_ids=posts["thread_id"], runs=runs,
                        importance=importance[level],
                    ),
                    3,
                )  # fmt: skip
                s = camps.summary
                out[f"{level} {by} runs={runs}"] = {
                    "seconds": seconds,
                    "camps": s["camps"],
                    "largest_camps": s["largest_camps"],
                    "nodes": s["nodes"],
                    "nodes_in_camps": s["nodes_in_camps"],
                    "unassigned": s["unassigned_nodes"],
                    "below_min_size": s["below_min_size_nodes"],
                    "frustration": s["frustration_index"],
                    "random_mean": s["random_partitions"]["mean"],
                    "random_sd": s["random_partitions"]["sd"],
                }
    return out


def communities(posts: pl.DataFrame, edges: pl.DataFrame, ix) -> dict[str, object]:
    from sna.analysis.communities import community_summary, modularity_communities
    from sna.graph import author_tables, links_from_tables

    graph = links_from_tables(*author_tables(posts, edges, index=ix))
    found, seconds = timed(lambda: modularity_communities(graph, seed=0), 3)
    return {"seconds": seconds} | community_summary(found, seed=0)


def synthetic(n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """POSTS and labelled EDGES of a synthetic forum whose authors take one of two sides."""
    from bench.synth import synthetic_forum

    forum = synthetic_forum(n, seed=1)
    posts = forum.select("thread_id", "post_id", "position", "author")
    authors = posts["author"].unique().sort()
    side = posts.select("post_id", "author").join(
        pl.DataFrame({"author": authors, "side": np.arange(len(authors)) % 2}), on="author"
    )
    pairs = (
        forum.filter(pl.col("reply_to").is_not_null())
        .select(pl.col("post_id").alias("source"), pl.col("reply_to").alias("target"))
        .join(side.select(pl.col("post_id").alias("source"), pl.col("side").alias("a")), on="source")
        .join(side.select(pl.col("post_id").alias("target"), pl.col("side").alias("b")), on="target")
    )
    rng = np.random.default_rng(0)
    same = (pairs["a"] == pairs["b"]).to_numpy()
    follows = rng.random(len(same)) < 0.7
    stance = np.where(rng.random(len(same)) < 0.2, "neutral", np.where(follows == same, "agree", "disagree"))
    return posts, pairs.select("source", "target", kind=pl.lit("reply"), stance=pl.Series(stance))


def run_synthetic(n: int) -> dict[str, object]:
    from sna.analysis import signed
    from sna.analysis.camps import agreement_camps
    from sna.graph import index_corpus

    posts, edges = synthetic(n)
    ix = index_corpus(posts, edges)
    entry: dict[str, object] = {"posts": posts.height, "edges": edges.height}
    limit = signed.LEIDEN_MAX_PAIRS
    for variant, cap in (("method", limit), ("Leiden everywhere", 10**18)):
        signed.LEIDEN_MAX_PAIRS = cap
        try:
            for level in ("post", "author"):
                camps, seconds = timed(lambda level=level: agreement_camps(ix, level=level))
                s = camps.summary
                entry[f"{level} {variant}"] = {"seconds": seconds, "camps": s["camps"], "frustration": s[
                    "frustration_index"], "random_mean": s["random_partitions"]["mean"]}  # fmt: skip
                print(f"   synthetic {n:,} {level:<6} {variant:<18} {seconds:8.2f} s  frustration "
                      f"{s['frustration_index']:.5f} (random {s['random_partitions']['mean']:.4f}); "
                      f"{s['camps']:,} camps", flush=True)  # fmt: skip
        finally:
            signed.LEIDEN_MAX_PAIRS = limit
    entry["communities"] = communities(posts, edges, ix)
    print(f"   synthetic {n:,} communities {entry['communities']['seconds']:.2f} s, modularity "
          f"{entry['communities']['modularity']:.4f}", flush=True)  # fmt: skip
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--no-baseline", action="store_true", help="Leave out the old method (minutes on bulk).")
    parser.add_argument("--synthetic", default="", help="Also synthetic forums of these sizes (e.g. 1000000).")
    args = parser.parse_args()
    import igraph  # noqa: F401  (imports outside the timings)
    import leidenalg  # noqa: F401

    from sna.analysis.centrality import centrality_table
    from sna.graph import author_tables, index_corpus, links_from_tables, post_links

    old = None if args.no_baseline else baseline_module(args.baseline_ref)
    report: dict[str, object] = {}
    for name in [s for s in args.sets.split(",") if s]:
        posts, edges, prep = labelled(args.data, name)
        ix = index_corpus(posts, edges)
        importance = {
            "author": centrality_table(links_from_tables(*author_tables(posts, edges, index=ix)), name="author")[
                "pagerank"
            ].to_numpy(),
            "post": centrality_table(post_links(posts, edges, index=ix), name="post_id")["pagerank"].to_numpy(),
        }
        entry: dict[str, object] = {"posts": posts.height, "edges": edges.height, **prep}
        entry["stance"] = dict(edges["stance"].fill_null("unlabelled").value_counts().sort("stance").iter_rows())
        print(f"\n== {name}: {posts.height:,} posts, {edges.height:,} edges; stance {entry['stance']}", flush=True)
        if prep:
            print(f"   ingest {prep['ingest_s']:.1f} s, stance {prep['stance_s']:.1f} s (cached for reruns)")
        if old is not None:
            entry["before"] = before(old, ix, importance)
            for level, row in entry["before"].items():
                print(f"   before  {level:<6} {row['seconds']:8.2f} s  frustration {row['frustration']:.5f} "
                      f"(random {row['random_mean']:.4f}); {row['camps_listed']:,} camps, "
                      f"{row['camps_of_two_or_more']:,} of 2+, {row['camps_of_one']:,} of one "
                      f"({row['camps_of_one_without_signed_link']:,} without a signed link); "
                      f"largest {row['largest_camps'][:6]}", flush=True)  # fmt: skip
        entry["after"] = after(ix, posts, importance)
        for label, row in entry["after"].items():
            line = f"   after   {label:<26} {row['seconds']:8.3f} s  frustration {row['frustration']:.5f} " \
                   f"(random {row['random_mean']:.4f})"  # fmt: skip
            if "camps" in row:
                line += (f"; {row['camps']:,} camps of 2+ holding {row['nodes_in_camps']:,} of {row['nodes']:,}, "
                         f"{row['unassigned']:,} unassigned, {row['below_min_size']:,} below 2; "
                         f"largest {row['largest_camps'][:6]}")  # fmt: skip
            print(line, flush=True)
        if old is not None:
            for level in ("author", "post"):
                ratio = entry["before"][level]["seconds"] / entry["after"][f"{level} corpus runs=1"]["seconds"]
                print(f"   {level} camps: {ratio:,.0f}x faster (before / after, corpus, one run)")
        entry["communities"] = communities(posts, edges, ix)
        c = entry["communities"]
        print(f"   communities {c['seconds']:.3f} s: {c['communities']:,} (modularity {c['modularity']:.3f}), "
              f"largest {c['largest_communities']}, {c['nodes_without_links']:,} authors without links")  # fmt: skip
        report[name] = entry
    for size in [int(s) for s in args.synthetic.split(",") if s]:
        print(f"\n== synthetic forum, {size:,} posts", flush=True)
        report[f"synthetic-{size}"] = run_synthetic(size)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_camps.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out / 'bench_camps.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
