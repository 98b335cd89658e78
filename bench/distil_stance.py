"""Soft labels for distilling the accurate stance model into the default (used by ``bench/train_stance.py``).

Reply pairs come from the real forum corpora in the data folder — never DEBAGREEMENT —
read with sna's own readers: the IAC 4forums bulk slice, r/ChangeMyView chains (UKP),
the ConvoKit r/Cornell sample and the Stack Exchange History Meta dump (comments and
answers). Each quote or stated reply gives a pair (the quoted words or the parent post,
and the reply's own words), exactly as ``sna run`` labels them; up to 20,000 pairs are
sampled (seed 0): every CMV and ConvoKit pair (Reddit, the domain of DEBAGREEMENT), 2,000
Stack Exchange and 10,000 IAC pairs.

The accurate model labels them; the probabilities, rounded to 4 decimals, are written
to ``bench/data/stance-soft-labels.csv`` with the pairs' ids and a fingerprint of their
texts (no text), so that ``make train-stance`` rebuilds the default byte for byte
without rerunning the transformer, and stops with a clear message if a reader change
gives a pair other words than were labelled.

Usage: python bench/distil_stance.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SOFT_LABELS = HERE / "data" / "stance-soft-labels.csv"
SEED = 0
#: (corpus, paths under the data folder, reader format, pairs sampled)
CORPORA = [
    ("cmv", ["ukp-cmv-adhominem/sampled-threads-ah-delta-context3.tar.bz2"], "reddit", 7000),
    ("convokit", ["convokit-subreddit-cornell-sample"], "convokit", 1500),
    ("stackexchange", ["stackexchange-history-meta"], "stackexchange", 2000),
    (
        "iac-bulk",
        [
            "iac-fourforums-bulk/iac-fourforums-bulk-part1.tar.xz",
            "iac-fourforums-bulk/iac-fourforums-bulk-part2.tar.xz",
        ],
        "iac",
        10000,
    ),
]


def corpus_pairs(data: Path, corpus: str) -> pl.DataFrame:
    """The quote and reply pairs of one corpus: corpus, source, target, parent text, reply text."""
    import sna

    paths, fmt = next((p, f) for name, p, f, _ in CORPORA if name == corpus)
    ingested = sna.ingest([data / p for p in paths], format=fmt)
    text = ingested.posts.select("post_id", pl.col("text").cast(pl.String))
    pairs = (
        ingested.edges.filter(pl.col("kind").is_in(["quote", "reply"]))
        .join(text.rename({"post_id": "source", "text": "reply"}), on="source")
        .join(text.rename({"post_id": "target", "text": "target_text"}), on="target")
        .with_columns(
            parent=pl.when(pl.col("kind") == "quote").then(pl.col("quoted_text")).otherwise(pl.col("target_text"))
        )
        .filter((pl.col("reply").str.strip_chars() != "") & (pl.col("parent").str.strip_chars() != ""))
        .unique(["source", "target"], keep="first", maintain_order=True)
    )
    return pairs.select(pl.lit(corpus).alias("corpus"), "source", "target", "parent", "reply")


def all_pairs(data: Path) -> pl.DataFrame:
    """A sample (seed 0) of each corpus's pairs, of the size :data:`CORPORA` gives."""
    parts = []
    for corpus, _, _, size in CORPORA:
        pairs = corpus_pairs(data, corpus)
        pairs = pairs.sample(min(size, pairs.height), seed=SEED, shuffle=True)
        print(f"  {corpus}: {pairs.height:,} pairs", file=sys.stderr, flush=True)
        parts.append(pairs)
    return pl.concat(parts)


def fingerprint(parents: pl.Series, replies: pl.Series) -> pl.Series:
    """First 12 hex digits of the SHA-256 of each pair's parent and reply text."""
    digests = [hashlib.sha256(f"{p}\0{r}".encode()).hexdigest()[:12] for p, r in zip(parents, replies, strict=True)]
    return pl.Series("text_sha256", digests, pl.String)


def read_soft_labels(data: Path, path: Path = SOFT_LABELS) -> pl.DataFrame:
    """The soft-labelled pairs with their texts, in file order (the texts are read again from the corpora)."""
    labels = pl.read_csv(path, schema_overrides={"source": pl.String, "target": pl.String})
    parts = []
    for corpus in labels["corpus"].unique(maintain_order=True).to_list():
        pairs = corpus_pairs(data, corpus)
        parts.append(
            labels.filter(pl.col("corpus") == corpus).join(
                pairs, on=["corpus", "source", "target"], how="left", maintain_order="left"
            )
        )
    out = pl.concat(parts)
    missing = out.filter(pl.col("reply").is_null())
    if missing.height:
        raise SystemExit(f"{path}: {missing.height} pairs not found in the corpora (e.g. {missing.row(0)[:3]}); "
                         "the readers changed since the soft labels were made: rerun make distil-stance")  # fmt: skip
    changed = out.filter(fingerprint(out["parent"], out["reply"]) != out["text_sha256"])
    if changed.height:
        raise SystemExit(f"{path}: {changed.height} pairs have other texts than were labelled (e.g. "
                         f"{changed.row(0)[:3]}); the readers changed: rerun make distil-stance")  # fmt: skip
    return out


def main() -> None:
    from sna.stance.accurate import load_accurate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=SOFT_LABELS)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (the cores are shared).")
    args = parser.parse_args()
    pairs = all_pairs(args.data)
    model = load_accurate()
    model.threads = args.threads
    started = time.perf_counter()
    chunks = []
    for at in range(0, pairs.height, 2000):
        chunk = pairs.slice(at, 2000)
        chunks.append(model.predict_proba(chunk["parent"], chunk["reply"]))
        done = at + chunk.height
        print(f"  labelled {done:,} of {pairs.height:,} pairs ({done / (time.perf_counter() - started):.1f} pairs/s)",
              file=sys.stderr, flush=True)  # fmt: skip
    proba = np.concatenate(chunks)
    seconds = time.perf_counter() - started
    out = pairs.select("corpus", "source", "target", text_sha256=fingerprint(pairs["parent"], pairs["reply"]))
    out = out.with_columns(
        pl.Series(name, proba[:, k]).round(4) for k, name in enumerate(("p_disagree", "p_neutral", "p_agree"))
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(args.out)
    print(
        f"labelled {pairs.height:,} pairs in {seconds:.0f} s ({pairs.height / seconds:.1f} pairs/s); wrote {args.out}"
    )


if __name__ == "__main__":
    main()
