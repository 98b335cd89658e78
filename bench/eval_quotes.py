"""Quote recovery against the Internet Argument Corpus' own quote ranges.

The IAC (4forums.com) stores posts as plain text with quotes pasted inline and
no markers, plus the character ranges where the forum's quote markup was. We
feed the posts' text only (no ranges, no parent ids) through the table path
(`sna.ingest` on a CSV, as `sna ingest posts.csv` would) and score quote edges:
an edge is (post, quoted post of the same thread).

* precision: on posts that have at least one range pointing into their thread
  (the corpus marks quotes only in some posts); also reported on posts with any
  range at all;
* recall: over all ranges pointing into their thread.

A naive baseline runs in the same command: every sentence (split at .!? and
line breaks, lower-cased, whitespace collapsed, 15 characters or more) links a
post to the first earlier post of its thread containing the same sentence.

Usage: python bench/eval_quotes.py [--no-bulk] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sna

HERE = Path(__file__).resolve().parent


def load_iac(files: list[tuple[str, bytes, bytes | None]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Posts and true (source, target) quote pairs from (thread id, discussion json, ranges json)."""
    rows, truth = [], []
    for tid, discussion, ranges in files:
        posts = json.loads(discussion)[0]
        ids = {str(p[0]) for p in posts}
        for i, p in enumerate(posts, 1):
            rows.append((tid, str(p[0]), i, p[2], p[3]))
        for pid, (_, _, info) in json.loads(ranges) if ranges else []:
            target = info.get("quote_id")
            truth.append((tid, str(pid), None if target is None else str(target), str(target) in ids))
    posts = pl.DataFrame(rows, schema=["thread_id", "post_id", "position", "author", "text"], orient="row")
    ranges = pl.DataFrame(truth, schema=["thread_id", "source", "target", "in_thread"], orient="row")
    return posts, ranges


def iac_files(root: Path) -> list[tuple[str, bytes, bytes | None]]:
    out = []
    for path in sorted((root / "discussions").glob("*.json")):
        ranges = root / "ranges_quotes" / path.name
        out.append((path.stem, path.read_bytes(), ranges.read_bytes() if ranges.exists() else None))
    return out


def iac_bulk_files(root: Path) -> list[tuple[str, bytes, bytes | None]]:
    discussions, ranges = {}, {}
    for tar in sorted(root.glob("*.tar.xz")):
        with tarfile.open(tar) as archive:
            for member in archive:
                if not member.isfile() or not member.name.endswith(".json"):
                    continue
                data = archive.extractfile(member).read()
                target = ranges if "ranges_quotes/" in member.name else discussions
                target[Path(member.name).stem] = data
    return [(tid, discussions[tid], ranges.get(tid)) for tid in sorted(discussions)]


def naive_sentence_hash(posts: pl.DataFrame, min_chars: int = 15) -> set[tuple[str, str]]:
    pairs = set()
    for _, group in posts.sort("thread_id", "position").group_by("thread_id", maintain_order=True):
        first: dict[str, str] = {}
        for pid, text in zip(group["post_id"], group["text"], strict=True):
            sentences = {" ".join(s.lower().split()) for s in re.split(r"(?<=[.!?])\s+|\n+", text)}
            sentences = {s for s in sentences if len(s) >= min_chars}
            for s in sentences:
                if s in first and first[s] != pid:
                    pairs.add((pid, first[s]))
            for s in sentences:
                first.setdefault(s, pid)
    return pairs


def score(pred: set[tuple[str, str]], ranges: pl.DataFrame) -> dict[str, float]:
    resolvable = ranges.filter(pl.col("in_thread"))
    truth = set(resolvable.select("source", "target").iter_rows())
    judged = set(resolvable["source"])
    judged_any = set(ranges["source"])
    p_judged = {e for e in pred if e[0] in judged}
    p_any = {e for e in pred if e[0] in judged_any}
    return {
        "precision": len(p_judged & truth) / max(1, len(p_judged)),
        "precision_any_range": len(p_any & truth) / max(1, len(p_any)),
        "recall": len(pred & truth) / max(1, len(truth)),
        "true_edges": len(truth),
        "predicted_edges_judged": len(p_judged),
    }


def evaluate(name: str, files: list, workdir: Path) -> dict[str, object]:
    posts, ranges = load_iac(files)
    csv = workdir / f"{name}.csv"
    posts.write_csv(csv)
    start = time.perf_counter()
    result = sna.ingest([csv])
    seconds = time.perf_counter() - start
    quotes = result.edges.filter(pl.col("kind") == "quote")
    ours = set(quotes.select("source", "target").iter_rows())
    start = time.perf_counter()
    naive = naive_sentence_hash(posts)
    naive_seconds = time.perf_counter() - start
    return {
        "corpus": name,
        "threads": posts["thread_id"].n_unique(),
        "posts": posts.height,
        "sna": {**score(ours, ranges), "seconds": seconds},
        "naive": {**score(naive, ranges), "seconds": naive_seconds},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--no-bulk", action="store_true", help="skip the 110k-post slice")
    args = parser.parse_args()
    sets = [("iac-fourforums", lambda: iac_files(args.data / "iac-fourforums"))]
    if not args.no_bulk:
        sets.append(("iac-fourforums-bulk", lambda: iac_bulk_files(args.data / "iac-fourforums-bulk")))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, load in sets:
            print(f"evaluating {name} …", file=sys.stderr, flush=True)
            results.append(evaluate(name, load(), Path(tmp)))
    print(f"{'corpus':22} {'posts':>8} {'method':7} {'precision':>9} {'(any range)':>11} {'recall':>7} {'seconds':>8}")
    for r in results:
        for method in ("naive", "sna"):
            m = r[method]
            print(
                f"{r['corpus']:22} {r['posts']:>8,} {method:7} {m['precision']:9.4f} "
                f"{m['precision_any_range']:11.4f} {m['recall']:7.4f} {m['seconds']:8.2f}"
            )
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "eval_quotes.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out / 'eval_quotes.json'}", file=sys.stderr)
    if os.environ.get("SNA_EVAL_STRICT"):
        first = results[0]["sna"]
        assert first["precision"] >= 0.98 and first["recall"] >= 0.98, first


if __name__ == "__main__":
    main()
