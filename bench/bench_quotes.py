"""Speed and memory of quote recovery on synthetic forums, with baselines.

Each measurement runs in a fresh Python process, so that its time includes
first-call costs and its memory is the process's own: "peak MB" is how far the
resident set grew above what it held before the call (the forum already
loaded). Each forum is generated once (1M posts take about half a minute) and
handed to the measuring processes as a Parquet file.

Baselines in the same run: a pure-Python sentence-hash dictionary (exact
sentences only), up to 100k posts, and, at 10k posts, the naive scan of every
earlier post of the thread for the first quoted sentence (quadratic). Larger
forums skip them, and the table says so.

With ``--against REF`` (a git commit or branch), the same forums are also
searched by the ``sna`` package as it was at REF, in fresh processes taking
turns with the current one, and the table gives the ratio of the current
median time to REF's: how much a change costs, measured in one command.

Usage: python bench/bench_quotes.py [--sizes 10000,100000,1000000] [--repeat 3] [--seed 0] [--against main]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import synthetic_forum

ROOT = Path(__file__).resolve().parents[1]

#: Largest forum (posts) each baseline runs on.
BASELINE_LIMITS = {"python sentence hash": 100_000, "naive substring scan": 10_000}


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


def sna_pairs(posts: pl.DataFrame) -> set[tuple[str, str]]:
    from sna.quotes import find_pasted_quotes  # from the tree on sys.path first (see --against)

    return set(find_pasted_quotes(posts).blocks.select("source", "target").iter_rows())


METHODS: dict[str, Callable[[pl.DataFrame], set[tuple[str, str]]]] = {
    "sna find_pasted_quotes": sna_pairs,
    "python sentence hash": sentence_hash,
    "naive substring scan": naive_scan,
}


def _resident_mb(field: str) -> float | None:
    """VmRSS or VmHWM of this process in MB (Linux), else None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def measure(method: str, path: Path) -> dict[str, float]:
    """Run one method on the forum at ``path`` in this (fresh) process."""
    posts = pl.read_parquet(path).sort("thread_id", "position")
    truth = set(posts.filter(pl.col("quoted").is_not_null()).select("post_id", "quoted").iter_rows())
    gc.collect()
    before = _resident_mb("VmRSS")
    if before is not None:
        Path("/proc/self/clear_refs").write_text("5")  # restart the peak (VmHWM) from here
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    start, cpu = time.perf_counter(), time.process_time()
    pred = METHODS[method](posts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _resident_mb("VmHWM")
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak - before,
        "precision": len(pred & truth) / max(1, len(pred)),
        "recall": len(pred & truth) / max(1, len(truth)),
    }


def in_fresh_process(method: str, path: Path, tree: Path | None = None) -> dict[str, float]:
    """Measure in a new process; ``tree`` is a folder holding another ``sna`` package to import instead."""
    env = dict(os.environ)
    if tree is not None:
        env["SNA_BENCH_TREE"] = str(tree)
    out = subprocess.run(
        [sys.executable, __file__, "--measure", method, str(path)], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def export_tree(ref: str, folder: Path) -> Path:
    """The ``sna`` package as it was at git ``ref``, unpacked into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "sna.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref, "sna"], check=True, stdout=out)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def compare(n: int, path: Path, tree: Path, ref: str, repeat: int) -> None:
    """Current and ``ref`` times of find_pasted_quotes on one forum, taking turns.

    Wall time and CPU time (all threads of the process): on a shared machine
    the CPU time is the steadier of the two.
    """
    now, before = [], []
    for _ in range(repeat):
        before.append(in_fresh_process("sna find_pasted_quotes", path, tree))
        now.append(in_fresh_process("sna find_pasted_quotes", path))
    t_before = statistics.median(r["seconds"] for r in before)
    c_before = statistics.median(r["cpu_seconds"] for r in before)
    for label, runs in ((f"sna at {ref}", before), ("sna (this tree)", now)):
        t = statistics.median(r["seconds"] for r in runs)
        c = statistics.median(r["cpu_seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        print(
            f"{n:>9,} {label:22} {t:8.2f} {t / t_before:7.2f} {c:8.2f} {c / c_before:7.2f} "
            f"{peak:8.0f} {runs[0]['precision']:9.3f} {runs[0]['recall']:7.3f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="forum sizes in posts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per cell; the median is shown")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--against", metavar="REF", help="also time the sna package at this git commit or branch")
    parser.add_argument("--measure", nargs=2, metavar=("METHOD", "PARQUET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if os.environ.get("SNA_BENCH_TREE"):
            sys.path.insert(0, os.environ["SNA_BENCH_TREE"])
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    skipped = []
    with tempfile.TemporaryDirectory() as tmp:
        tree = export_tree(args.against, Path(tmp) / "tree") if args.against else None
        if tree:
            print(
                f"{'posts':>9} {'method':22} {'seconds':>8} {'x before':>7} {'cpu s':>8} {'x before':>7} "
                f"{'peak MB':>8} {'precision':>9} {'recall':>7}"
            )
        else:
            print(
                f"{'posts':>9} {'method':22} {'seconds':>8} {'x sna':>7} {'peak MB':>8} {'precision':>9} {'recall':>7}"
            )
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"generating {n:,} posts …", file=sys.stderr, flush=True)
            path = Path(tmp) / f"forum-{n}.parquet"
            synthetic_forum(n, seed=args.seed).write_parquet(path)
            if tree is not None:
                compare(n, path, tree, args.against, args.repeat)
                continue
            sna_seconds = None
            for method in METHODS:
                if n > BASELINE_LIMITS.get(method, n):
                    skipped.append(f"{method} at {n:,} posts")
                    continue
                runs = [in_fresh_process(method, path) for _ in range(args.repeat)]
                seconds = statistics.median(r["seconds"] for r in runs)
                sna_seconds = sna_seconds or seconds
                print(
                    f"{n:>9,} {method:22} {seconds:8.2f} {seconds / sna_seconds:7.1f} "
                    f"{statistics.median(r['peak_mb'] for r in runs):8.0f} {runs[0]['precision']:9.3f} "
                    f"{runs[0]['recall']:7.3f}",
                    flush=True,
                )
    if skipped:
        print("skipped (too slow at that size): " + "; ".join(skipped))


if __name__ == "__main__":
    main()
