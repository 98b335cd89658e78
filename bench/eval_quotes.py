"""Quote recovery on two yardsticks, each with a naive baseline in the same run.

**IAC.** The Internet Argument Corpus (4forums.com) stores posts as plain text
with quotes pasted inline and no markers, plus the character ranges where the
forum's quote markup was. We feed the posts' text only (no ranges, no parent
ids) through the table path (`sna.ingest` on a CSV, as `sna ingest posts.csv`
would) and score quote edges: an edge is (post, quoted post of the same
thread).

* precision: on posts that have at least one range pointing into their thread
  (the corpus marks quotes only in some posts); also reported on posts with any
  range at all;
* recall: over all ranges pointing into their thread.

**Other forums.** Threads of XenForo, phpBB, SMF, vBulletin, Invision, XMB,
NodeBB and Discourse forums whose markup says what each quote quotes, rendered
as plain-text copies with their quote headers dropped and their signatures,
attachment lines and edit notes kept (:mod:`bench.quote_yardstick`), read
through the text-page path (one file per thread, in the sample thread's shape:
no authors after the first post) and through the table path (one CSV with an
author column). Precision and recall over the posts whose quotes the markup
resolves; also by forum engine.

A naive baseline runs on the same texts: every sentence (split at .!? and
line breaks, lower-cased, whitespace collapsed, 15 characters or more) links a
post to the first earlier post of its thread containing the same sentence.

``--ablate`` runs both yardsticks again with each rule of :mod:`sna.quote_rules`
switched off in turn, to show what each rule does on each.

Usage: python bench/eval_quotes.py [--no-bulk] [--ablate] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sna
from bench.quote_yardstick import Thread, file_name, load_threads, table, text_page
from sna import edges, quote_rules, quotes

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


def score_other(pred: set[tuple[str, str]], truth: set[tuple[str, str]], judged: set[str]) -> dict[str, float]:
    """Precision and recall on the yardstick of other forums: posts whose quotes the markup resolves."""
    pred = {e for e in pred if e[0] in judged}
    truth = {e for e in truth if e[0] in judged}
    return {
        "precision": len(pred & truth) / max(1, len(pred)),
        "recall": len(pred & truth) / max(1, len(truth)),
        "true_edges": len(truth),
        "predicted_edges_judged": len(pred),
    }


def evaluate_other(threads: list[Thread], workdir: Path) -> list[dict[str, object]]:
    """Quote recovery on other forums' threads rendered as text pages, and as one table with authors."""
    pages = workdir / "pages"
    pages.mkdir()
    ids: dict[str, str] = {}
    for thread in threads:
        name = file_name(thread)
        (pages / f"{name}.txt").write_text(text_page(thread), encoding="utf-8")
        ids.update({f"{name}#{i}": pid for i, pid in enumerate(thread.post_ids, 1)})
    csv = workdir / "other-forums.csv"
    table(threads).write_csv(csv)
    truth = {e for t in threads for e in t.truth}
    judged = {pid for t in threads for pid in t.post_ids if pid not in t.unjudged}
    engine_of = {pid: t.engine for t in threads for pid in t.post_ids}
    results = []
    for variant, files in (("text pages", sorted(pages.glob("*.txt"))), ("table", [csv])):
        start = time.perf_counter()
        result = sna.ingest(files)
        seconds = time.perf_counter() - start
        if result.posts.height != len(ids):
            raise SystemExit(f"{variant}: read {result.posts.height} posts, rendered {len(ids)}")
        quotes = result.edges.filter(pl.col("kind") == "quote")
        ours = {(ids[s], ids[t]) for s, t in quotes.select("source", "target").iter_rows()}
        start = time.perf_counter()
        naive_pairs = naive_sentence_hash(result.posts.with_columns(text=pl.col("raw_text")))
        naive_seconds = time.perf_counter() - start
        naive = {(ids[s], ids[t]) for s, t in naive_pairs}
        engines = {}
        for engine in sorted({t.engine for t in threads}):
            mine = {pid for pid in judged if engine_of[pid] == engine}
            engines[engine] = {
                "sna": score_other(ours, truth, mine),
                "naive": score_other(naive, truth, mine),
            }
        results.append(
            {
                "corpus": f"other forums, {variant}",
                "threads": len(threads),
                "posts": len(ids),
                "judged_posts": len(judged),
                "sna": {**score_other(ours, truth, judged), "seconds": seconds},
                "naive": {**score_other(naive, truth, judged), "seconds": naive_seconds},
                "by_engine": engines,
            }
        )
    return results


def _no_rule(name: str) -> contextlib.AbstractContextManager:
    """Switch one quote rule off (for --ablate)."""
    empty = np.zeros(0, dtype=np.int64)
    if name in {r.__name__ for r in quote_rules.BLOCK_RULES}:
        kept = tuple(r for r in quote_rules.BLOCK_RULES if r.__name__ != name)
        return mock.patch.object(quote_rules, "BLOCK_RULES", kept)
    stack = contextlib.ExitStack()
    if name == "tails":
        untouched = lambda tokens, lines: tokens.line_words[lines + 1]  # noqa: E731
        stack.enter_context(mock.patch.object(quote_rules, "line_ends", untouched))
        stack.enter_context(mock.patch.object(quotes, "line_ends", untouched))
    elif name == "furniture":
        stack.enter_context(mock.patch.object(quotes, "furniture_lines", lambda tokens, lines=None: empty))
    elif name == "boilerplate":
        none = lambda keys, *a, **k: np.zeros(len(keys), dtype=bool)  # noqa: E731
        stack.enter_context(mock.patch.object(quotes, "boilerplate_lines", none))
    elif name == "opening lines":
        stack.enter_context(mock.patch.object(quotes, "opening_line_pairs", lambda *a, **k: (empty, empty)))
    elif name == "authors":
        original = quotes.find_pasted_quotes
        stack.enter_context(
            mock.patch.object(edges, "find_pasted_quotes", lambda posts, **k: original(posts.drop("author"), **k))
        )
    return stack


ABLATIONS = (
    "tails", "furniture", "boilerplate", "opening lines", "self_repetition", "signatures", "links", "short_lines",
    "authors",
)  # fmt: skip


def ablate(iac: list, threads: list[Thread], workdir: Path) -> list[dict[str, object]]:
    """Both yardsticks with each rule switched off in turn, to see what each rule does on each."""
    rows = []
    for name in ("none", *ABLATIONS):
        print(f"rule off: {name} …", file=sys.stderr, flush=True)
        with contextlib.ExitStack() as stack:
            if name != "none":
                stack.enter_context(_no_rule(name))
            sub = workdir / name.replace(" ", "-")
            sub.mkdir(parents=True)
            first = evaluate("iac-fourforums", iac, sub)["sna"]
            other = evaluate_other(threads, sub)
        rows.append({"rule off": name, "iac": first, **{r["corpus"]: r["sna"] for r in other}})
    return rows


def print_results(results: list[dict[str, object]]) -> None:
    print(f"{'corpus':28} {'posts':>7} {'method':7} {'precision':>9} {'(any range)':>11} {'recall':>7} {'seconds':>8}")
    for r in results:
        for method in ("naive", "sna"):
            m = r[method]
            any_range = f"{m['precision_any_range']:11.4f}" if "precision_any_range" in m else f"{'':>11}"
            print(
                f"{r['corpus']:28} {r['posts']:>7,} {method:7} {m['precision']:9.4f} "
                f"{any_range} {m['recall']:7.4f} {m['seconds']:8.2f}"
            )


def print_engines(result: dict[str, object]) -> None:
    print(f"\n{result['corpus']}, by forum engine ({result['judged_posts']:,} of {result['posts']:,} posts judged):")
    print(f"{'engine':12} {'true edges':>10} {'sna P':>7} {'sna R':>7} {'naive P':>8} {'naive R':>8}")
    for engine, m in result["by_engine"].items():
        s, n = m["sna"], m["naive"]
        print(
            f"{engine:12} {s['true_edges']:>10} {s['precision']:7.3f} {s['recall']:7.3f} "
            f"{n['precision']:8.3f} {n['recall']:8.3f}"
        )


def print_ablation(rows: list[dict[str, object]]) -> None:
    columns = [k for k in rows[0] if k != "rule off"]
    print("\nEach rule switched off in turn (sna precision / recall):")
    print(f"{'rule off':16} " + " ".join(f"{c:>28}" for c in columns))
    for row in rows:
        cells = " ".join(f"{row[c]['precision']:>19.4f} / {row[c]['recall']:.4f}" for c in columns)
        print(f"{row['rule off']:16} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--no-bulk", action="store_true", help="skip the 110k-post slice")
    parser.add_argument("--ablate", action="store_true", help="also run both yardsticks with each rule off")
    args = parser.parse_args()
    sets = [("iac-fourforums", lambda: iac_files(args.data / "iac-fourforums"))]
    if not args.no_bulk:
        sets.append(("iac-fourforums-bulk", lambda: iac_bulk_files(args.data / "iac-fourforums-bulk")))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, load in sets:
            print(f"evaluating {name} …", file=sys.stderr, flush=True)
            results.append(evaluate(name, load(), Path(tmp)))
        print("evaluating other forums (text pages and a table) …", file=sys.stderr, flush=True)
        threads = load_threads(args.data)
        other = evaluate_other(threads, Path(tmp))
        results.extend(other)
        rows = ablate(iac_files(args.data / "iac-fourforums"), threads, Path(tmp) / "ablate") if args.ablate else []
    print_results(results)
    noise: dict[str, int] = {}
    for t in threads:
        for kind, count in t.noise.items():
            noise[kind] = noise.get(kind, 0) + count
    print(
        f"\nother forums: {len(threads)} threads of {len({t.engine for t in threads})} engines; noise added: "
        + ", ".join(f"{count} {kind}s" for kind, count in sorted(noise.items()))
        + f"; {sum(t.absent for t in threads)} quotes of posts whose words they do not show left out"
    )
    print_engines(other[0])
    if rows:
        print_ablation(rows)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "eval_quotes.json").write_text(json.dumps({"results": results, "ablation": rows}, indent=2) + "\n")
    print(f"wrote {out / 'eval_quotes.json'}", file=sys.stderr)
    if os.environ.get("SNA_EVAL_STRICT"):
        first = results[0]["sna"]
        assert first["precision"] >= 0.98 and first["recall"] >= 0.98, first
        for r in other:
            assert r["sna"]["precision"] > r["naive"]["precision"] and r["sna"]["recall"] > r["naive"]["recall"], r


if __name__ == "__main__":
    main()
