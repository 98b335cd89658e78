"""Posts per second of each reader on the largest real file at hand for it.

Each case is (format, file): the file is read with ``read_input(file, format=…)``
``--repeat`` times in a fresh process and the best time is kept. Files live in ../shared/data
(or $SNA_DATA); cases whose file is missing are listed as skipped. With ``--baseline DIR``
each case is also run with the sna found in DIR (e.g. ``git archive`` of an older commit),
interleaved case by case, and the ratio of speeds is printed (above 1: faster now), by wall time
and by CPU time (the steadier of the two on a busy machine). To add a reader, add a row to CASES.

Usage: python bench/bench_readers.py [--repeat 5] [--data DIR] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (format, path under the data folder): the largest file of each format at hand.
CASES: list[tuple[str, str]] = [
    ("html", "nettally-html/vBulletin5.html"),
    ("html", "nettally-html/RenascenceSV.html"),
    ("forumscraper", "forumscraper-examples/invision/478170"),
    ("forumscraper", "forumscraper-examples/smf-1/5452300"),
    ("forumscraper", "forumscraper-examples/vbulletin/401807"),
    ("discourse", "discourse-criticalfallibilism/posts.json"),
    ("reddit", "ukp-cmv-adhominem/sampled-threads-ah-delta-context3.tar.bz2"),
    ("stackexchange", "stackexchange-history-meta"),
    ("convokit", "convokit-subreddit-cornell-sample"),
    ("iac", "iac-fourforums"),
    ("iac", "iac-fourforums-bulk/iac-fourforums-bulk-part1.tar.xz"),
]

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sna.io import read_input
best, cpu, posts = float("inf"), float("inf"), 0
for _ in range(int(sys.argv[4])):
    started, used = time.perf_counter(), time.process_time()
    parsed = read_input(sys.argv[2], format=sys.argv[3])
    best = min(best, time.perf_counter() - started)
    cpu = min(cpu, time.process_time() - used)
    posts = parsed.posts.height
print(json.dumps({"posts": posts, "seconds": best, "cpu": cpu}))
"""


def bench(code: Path, fmt: str, path: Path, repeat: int) -> tuple[int, float, float]:
    """Best wall and CPU seconds of ``repeat`` reads of ``path`` with the sna in ``code``, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(code), str(path), fmt, str(repeat)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    return result["posts"], result["seconds"], result["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    default = os.environ.get("SNA_DATA") or ROOT.parent / "shared" / "data"
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--baseline", type=Path, help="folder holding an older sna to compare with")
    args = parser.parse_args()
    extra = f" {'base s':>8} {'speed now/base':>15}" if args.baseline else ""
    print(f"{'format':14} {'file':56} {'KB':>6} {'posts':>6} {'seconds':>8} {'posts/s':>9} {'cpu s':>7}{extra}")
    for fmt, rel in CASES:
        path = args.data / rel
        if not path.exists():
            print(f"{fmt:14} {rel:56} skipped: not found under {args.data}")
            continue
        posts, seconds, cpu = bench(ROOT, fmt, path, args.repeat)
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]  # folder inputs
        size = sum(p.stat().st_size for p in files) // 1024
        line = f"{fmt:14} {rel:56} {size:6} {posts:6} {seconds:8.3f} {posts / seconds:9.0f} {cpu:7.3f}"
        if args.baseline:
            base_posts, base_seconds, base_cpu = bench(args.baseline, fmt, path, args.repeat)
            note = "" if base_posts == posts else f"  (baseline read {base_posts} posts)"
            line += f" {base_seconds:8.3f} {base_seconds / seconds:6.2f}x wall {base_cpu / cpu:5.2f}x cpu{note}"
        print(line)


if __name__ == "__main__":
    main()
