"""Posts per second of each reader on the largest real file at hand for it.

Each case is (format, file): the file is read with ``read_input(file, format=…)``
``--repeat`` times and the best time is kept. Files live in ../shared/data
(or $SNA_DATA); cases whose file is missing are listed as skipped. To add a
reader, add a row to CASES.

Usage: python bench/bench_readers.py [--repeat 5] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sna.io import read_input

#: (format, path under the data folder): the largest file of each format at hand.
CASES: list[tuple[str, str]] = [
    ("html", "nettally-html/vBulletin5.html"),
    ("html", "nettally-html/RenascenceSV.html"),
    ("forumscraper", "forumscraper-examples/invision/478170"),
    ("forumscraper", "forumscraper-examples/smf-1/5452300"),
    ("discourse", "discourse-criticalfallibilism/posts.json"),
    ("reddit", "ukp-cmv-adhominem/sampled-threads-ah-delta-context3.tar.bz2"),
    ("stackexchange", "stackexchange-history-meta"),
    ("convokit", "convokit-subreddit-cornell-sample"),
    ("iac", "iac-fourforums"),
    ("iac", "iac-fourforums-bulk/iac-fourforums-bulk-part1.tar.xz"),
]


def bench(fmt: str, path: Path, repeat: int) -> tuple[int, float]:
    best = float("inf")
    posts = 0
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = read_input(path, format=fmt)
        best = min(best, time.perf_counter() - started)
        posts = parsed.posts.height
    return posts, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    default = os.environ.get("SNA_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data", type=Path, default=Path(default))
    args = parser.parse_args()
    print(f"{'format':14} {'file':48} {'KB':>6} {'posts':>6} {'seconds':>8} {'posts/s':>9}")
    for fmt, rel in CASES:
        path = args.data / rel
        if not path.exists():
            print(f"{fmt:14} {rel:48} skipped: not found under {args.data}")
            continue
        posts, seconds = bench(fmt, path, args.repeat)
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]  # folder inputs
        size = sum(p.stat().st_size for p in files) // 1024
        print(f"{fmt:14} {rel:48} {size:6} {posts:6} {seconds:8.3f} {posts / seconds:9.0f}")


if __name__ == "__main__":
    main()
