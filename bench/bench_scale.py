"""Local engine against Spark local[2] on synthetic forums: wall time and peak memory, and the ratio Spark/local.

    python bench/bench_scale.py --sizes 1000000 3000000 10000000

Each size: a synthetic Reddit dump (``bench/synth.py``), ``sna convert`` once, then
``sna run DIR`` (local engine) and ``sna run DIR --engine spark --master local[2]``, each in
its own process under ``/usr/bin/time -v`` (peak memory of the driver; Spark's Python workers
are counted by sampling the whole process tree). A run whose process tree passes ``--max-gb``
of resident memory (default 12) is killed, with its whole tree, and reported as "over N GB
after S s", so that the machine never swaps or has others killed; a run that fails otherwise
is reported with its last error line. Run under ``nice -n 10`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.synth import reddit_records, synthetic_forum

CHUNK = 200_000


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(k) for k in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return found


def _tree_rss(pid: int) -> int:
    """Resident memory (KB) of a process and all its descendants."""
    total = 0
    for current in _tree(pid):
        try:
            found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{current}/status").read_text())
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total


def _kill_tree(pid: int) -> None:
    """Kill a process and its descendants, each by its id (the last found first)."""
    for current in reversed(_tree(pid)):
        try:
            os.kill(current, signal.SIGKILL)
        except OSError:
            continue


def measure(command: list[str], env: dict[str, str], *, max_gb: float = 12.0) -> dict[str, object]:
    """Wall seconds, peak tree memory (MB) and exit status of a command, killed when its tree passes ``max_gb``."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    over: list[float] = []

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            if peak[0] > max_gb * 2**20:
                over.append(time.perf_counter() - started)
                _kill_tree(proc.pid)
                return
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - started
    if over:
        return {"wall_s": round(wall, 1), "peak_mb": peak[0] // 1024, "ok": False,
                "error": f"over {max_gb:g} GB after {over[0]:.0f} s (killed)"}  # fmt: skip
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
    parser.add_argument("--max-gb", type=float, default=12.0, help="Kill a run whose process tree passes this.")
    parser.add_argument("--graph-on", default="driver", help="The Spark engine's --graph-on.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sna = str(Path(sys.executable).parent / "sna")
    env = os.environ | {"SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    for size in args.sizes:
        source = args.work / f"RC_synthetic_{size}.ndjson"
        if not source.exists():
            dump(source, size)
        converted = args.work / f"posts_{size}"
        cap = {"max_gb": args.max_gb}
        conv = measure([sna, "convert", str(source), "--to", str(converted), "-q"], env, **cap)
        local = measure([sna, "run", str(converted), "--out", str(args.work / f"local_{size}"), "--skip", args.skip,
                         "-q"], env, **cap)  # fmt: skip
        spark = measure([sna, "run", str(converted), "--out", str(args.work / f"spark_{size}"), "--skip", args.skip,
                         "--engine", "spark", "--master", "local[2]", "--graph-on", args.graph_on, "-q"], env,
                        **cap)  # fmt: skip
        ratio = spark["wall_s"] / local["wall_s"] if local["ok"] and spark["ok"] else None
        print(f"{size:>11,} posts  convert {conv}")
        print(f"{'':>18}local   {local}")
        print(f"{'':>18}spark   {spark}" + (f"  spark/local wall {ratio:.2f}x" if ratio else ""))


if __name__ == "__main__":
    main()
