"""Speed of quote recovery on synthetic forums (10k and 100k posts), with baselines.

Baselines in the same run: a pure-Python sentence-hash dictionary (exact
sentences only) and, at 10k posts, the naive scan of every earlier post of the
thread for the first quoted sentence (quadratic). Peak memory is the growth of
the process's maximum resident set size during the step.

Usage: python bench/bench_quotes.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import synthetic_forum
from sna.quotes import find_pasted_quotes


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentence_hash(posts: pl.DataFrame) -> set[tuple[str, str]]:
    pairs = set()
    for _, group in posts.group_by("thread_id", maintain_order=True):
        first: dict[str, str] = {}
        for pid, text in zip(group["post_id"], group["text"], strict=True):
            sentences = {" ".join(s.lower().split()) for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s) > 15}
            for s in sentences:
                if s in first:
                    pairs.add((pid, first[s]))
            for s in sentences:
                first.setdefault(s, pid)
    return pairs


def naive_scan(posts: pl.DataFrame) -> set[tuple[str, str]]:
    pairs = set()
    for _, group in posts.group_by("thread_id", maintain_order=True):
        earlier: list[tuple[str, str]] = []
        for pid, text in zip(group["post_id"], group["text"], strict=True):
            head = text.split("\n", 1)[0]
            for other_id, other in earlier:
                if head in other:
                    pairs.add((pid, other_id))
                    break
            earlier.append((pid, text))
    return pairs


def timed(fn, *args):
    start = time.perf_counter()
    before = peak_mb()
    result = fn(*args)
    return result, time.perf_counter() - start, peak_mb() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print(f"{'posts':>9} {'method':22} {'seconds':>8} {'x sna':>7} {'peak MB':>8} {'precision':>9} {'recall':>7}")
    for n in (int(s) for s in args.sizes.split(",")):
        posts = synthetic_forum(n, seed=0).sort("thread_id", "position")
        truth = set(posts.filter(pl.col("quoted").is_not_null()).select("post_id", "quoted").iter_rows())
        found, sna_s, sna_mb = timed(find_pasted_quotes, posts)
        rows = [("sna find_pasted_quotes", set(found.blocks.select("source", "target").iter_rows()), sna_s, sna_mb)]
        hashed, s, mb = timed(sentence_hash, posts)
        rows.append(("python sentence hash", hashed, s, mb))
        if n <= 10000:
            scanned, s, mb = timed(naive_scan, posts)
            rows.append(("naive substring scan", scanned, s, mb))
        for name, pred, seconds, mb in rows:
            precision = len(pred & truth) / max(1, len(pred))
            recall = len(pred & truth) / max(1, len(truth))
            print(f"{n:>9,} {name:22} {seconds:8.2f} {seconds / sna_s:7.1f} {mb:8.0f} {precision:9.3f} {recall:7.3f}")


if __name__ == "__main__":
    main()
