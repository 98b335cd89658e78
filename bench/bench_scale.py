"""Local engine against Spark local[2] on synthetic forums: wall time and peak memory, and the ratio Spark/local.

    python bench/bench_scale.py --sizes 1000000 3000000 10000000

Each size: a synthetic Reddit dump (``bench/synth.py``), ``sna convert`` once, then
``sna run DIR`` (local engine) and ``sna run DIR --engine spark --master local[2]``, each in
its own process under ``/usr/bin/time -v`` (peak memory of the driver; Spark's Python workers
are counted by sampling the whole process tree). A run that runs out of memory is reported
as such. Run under ``nice -n 10`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.synth import reddit_records, synthetic_forum

CHUNK = 200_000


def _tree_rss(pid: int) -> int:
    """Resident memory (KB) of a process and all its descendants."""
    total = 0
    children = [pid]
    while children:
        current = children.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) if "VmRSS" in status else 0
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, AttributeError):
            continue
        children += [int(k) for k in kids]
    return total


def measure(command: list[str], env: dict[str, str]) -> dict[str, object]:
    """Wall seconds, peak tree memory (MB) and exit status of a command."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - started
    failed = proc.returncode != 0
    return {"wall_s": round(wall, 1), "peak_mb": peak[0] // 1024, "ok": not failed,
            "error": err.strip().splitlines()[-1] if failed and err.strip() else None}  # fmt: skip


def dump(path: Path, posts: int) -> None:
    """Write a synthetic Reddit dump of ``posts`` records (chunks of distinct forums)."""
    with path.open("w") as out:
        for i, start in enumerate(range(0, posts, CHUNK)):
            chunk = reddit_records(synthetic_forum(min(CHUNK, posts - start), seed=i), prefix=f"c{i}x")
            out.write(chunk.write_ndjson())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--work", type=Path, default=Path("bench/out/scale"))
    parser.add_argument("--skip", default="figures,html", help="Stages `sna run` leaves out.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sna = str(Path(sys.executable).parent / "sna")
    env = os.environ | {"SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    for size in args.sizes:
        source = args.work / f"RC_synthetic_{size}.ndjson"
        if not source.exists():
            dump(source, size)
        converted = args.work / f"posts_{size}"
        conv = measure([sna, "convert", str(source), "--to", str(converted), "-q"], env)
        local = measure([sna, "run", str(converted), "--out", str(args.work / f"local_{size}"), "--skip", args.skip,
                         "-q"], env)  # fmt: skip
        spark = measure([sna, "run", str(converted), "--out", str(args.work / f"spark_{size}"), "--skip", args.skip,
                         "--engine", "spark", "--master", "local[2]", "-q"], env)  # fmt: skip
        ratio = spark["wall_s"] / local["wall_s"] if local["ok"] and spark["ok"] else None
        print(f"{size:>11,} posts  convert {conv}")
        print(f"{'':>18}local   {local}")
        print(f"{'':>18}spark   {spark}" + (f"  spark/local wall {ratio:.2f}x" if ratio else ""))


if __name__ == "__main__":
    main()
