"""Local engine against Spark local[2] on synthetic forums: wall time and peak memory, and the ratio Spark/local.

    python bench/bench_scale.py --sizes 1000000 3000000 10000000
    python bench/bench_scale.py --sizes 10000000 --runs convert,spark,local --graph-on cluster --delete-dump

Each size: a synthetic Reddit dump (``bench/synth.py``), ``sna convert`` once, then
``sna run DIR`` (local engine) and ``sna run DIR --engine spark --master local[2]`` (``--runs``
chooses which of the three run and in which order), each in its own process; the whole process
tree's resident memory is sampled twice a second (Spark's JVM and Python workers included). A run
whose tree passes ``--max-gb`` (default 12) is killed, with its whole tree, and reported as "over
N GB after S s" with the stage it was in, so that the machine never swaps or has others killed; a
run that fails otherwise is reported with its last error line. Each run's progress lines (the
engine's stage times) go to ``WORK/<run>_<size>.log`` and its stage times are printed after it;
this script's own progress goes to stderr with timestamps. Run under ``nice`` on a shared machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.synth import reddit_records, synthetic_forum

CHUNK = 200_000
RUNS = ("convert", "local", "spark")
#: A finished stage in a progress log: ``name: 12.34 s`` (:class:`sna.progress.Progress`, not on a terminal).
STAGE_LINE = re.compile(r"^(?P<name>.+): (?P<seconds>\d+\.\d+) s$")


def say(message: str) -> None:
    """One progress line of this script on stderr, with the UTC time."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def stage_times(log: Path) -> list[tuple[str, float]]:
    r"""The finished stages of a progress log, in order, with their seconds.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     log = Path(d) / "run.log"
    ...     _ = log.write_text("reading posts: 1.50 s\nwarning: something\nmetrics: 12.25 s\n")
    ...     stage_times(log)
    [('reading posts', 1.5), ('metrics', 12.25)]
    """
    if not log.exists():
        return []
    found = (STAGE_LINE.match(line) for line in log.read_text(errors="replace").splitlines())
    return [(m["name"], float(m["seconds"])) for m in found if m]


def parse_runs(text: str) -> list[str]:
    """The runs ``--runs`` names, in its order.

    Examples
    --------
    >>> parse_runs("convert,spark,local")
    ['convert', 'spark', 'local']
    >>> parse_runs("spark,gpu")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: unknown run 'gpu' (expected convert, local, spark)
    """
    runs = [r.strip() for r in text.split(",") if r.strip()]
    for run in runs:
        if run not in RUNS:
            raise argparse.ArgumentTypeError(f"unknown run {run!r} (expected {', '.join(RUNS)})")
    return runs


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


def measure(command: list[str], env: dict[str, str], log: Path, *, max_gb: float = 12.0) -> dict[str, object]:
    """Wall seconds, peak tree memory (MB) and exit status of a command, killed when its tree passes ``max_gb``.

    The command's stderr (its progress lines) goes to ``log``; a run killed for
    memory names the stage it was in (the one after its last finished stage).
    """
    started = time.perf_counter()
    with log.open("w") as err_file:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err_file, text=True)
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
    proc.wait()
    sampler.join()
    wall = time.perf_counter() - started
    if over:
        done = stage_times(log)
        after = f", after stage {done[-1][0]!r}" if done else ", in its first stage"
        return {"wall_s": round(wall, 1), "peak_mb": peak[0] // 1024, "ok": False,
                "error": f"over {max_gb:g} GB after {over[0]:.0f} s (killed{after})"}  # fmt: skip
    failed = proc.returncode != 0
    return {"wall_s": round(wall, 1), "peak_mb": peak[0] // 1024, "ok": not failed,
            "error": error_line(log) if failed else None}  # fmt: skip


def error_line(log: Path) -> str:
    r"""The last ``sna: ...error`` line of a failed run's log (sna's one-line errors), else its last line.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     log = Path(d) / "run.log"
    ...     _ = log.write_text("stage: 1.00 s\nsna: error: out of heap\nWARN shutdown hook\n")
    ...     error_line(log)
    'sna: error: out of heap'
    """
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("sna:") and "error" in line]
    return (errors or lines or [f"failed with no output (see {log})"])[-1]


def dump_chunk(task: tuple[int, int]) -> str:
    """The NDJSON of chunk ``i`` of ``posts`` records: a distinct forum of its own seed and id prefix.

    Examples
    --------
    >>> dump_chunk((0, 3)).count("\\n")
    3
    """
    i, posts = task
    return reddit_records(synthetic_forum(posts, seed=i), prefix=f"c{i}x").write_ndjson()


def dump(path: Path, posts: int, jobs: int = 1) -> None:
    """Write a synthetic Reddit dump of ``posts`` records (chunks of distinct forums).

    With ``jobs`` > 1 the chunks are generated in that many processes and written in chunk order,
    so the file has the same bytes whatever ``jobs`` is.
    """
    tasks = [(i, min(CHUNK, posts - start)) for i, start in enumerate(range(0, posts, CHUNK))]
    with path.open("w") as out:
        if jobs <= 1:
            for task in tasks:
                out.write(dump_chunk(task))
            return
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            for text in pool.imap(dump_chunk, tasks):
                out.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--work", type=Path, default=Path("bench/out/scale"))
    parser.add_argument("--runs", type=parse_runs, default=list(RUNS),
                        help="Which runs, in this order (default convert,local,spark); without convert the "
                             "converted folder from an earlier run is used.")  # fmt: skip
    parser.add_argument("--skip", default="figures,html", help="Stages `sna run` leaves out.")
    parser.add_argument("--max-gb", type=float, default=12.0, help="Kill a run whose process tree passes this.")
    parser.add_argument("--graph-on", default="driver", help="The Spark engine's --graph-on.")
    parser.add_argument("--spark-args", default="", help="More flags for the Spark run, e.g. '--driver-memory 8g'.")
    parser.add_argument(
        "--delete-dump",
        action="store_true",
        help="Delete the generated NDJSON dump once it is converted (it is ~0.66 GB per 1M posts).",
    )
    parser.add_argument("--jobs", type=int, default=1,
                        help="Processes that generate the dump's chunks (same bytes whatever the number).")  # fmt: skip
    parser.add_argument("--delete-outputs", action="store_true", help="Delete each run's result folder after it.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sna = str(Path(sys.executable).parent / "sna")
    env = os.environ | {"SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    cap = {"max_gb": args.max_gb}
    for size in args.sizes:
        source = args.work / f"RC_synthetic_{size}.ndjson"
        converted = args.work / f"posts_{size}"
        commands = {
            "convert": [sna, "convert", str(source), "--to", str(converted)],
            "local": [sna, "run", str(converted), "--out", str(args.work / f"local_{size}"), "--skip", args.skip],
            "spark": [sna, "run", str(converted), "--out", str(args.work / f"spark_{size}"), "--skip", args.skip,
                      "--engine", "spark", "--master", "local[2]", "--graph-on", args.graph_on,
                      *shlex.split(args.spark_args)],
        }  # fmt: skip
        if "convert" in args.runs and not source.exists():
            say(f"{size:,} posts: writing the synthetic dump {source}")
            partial = source.with_name(source.name + ".part")
            dump(partial, size, args.jobs)
            partial.rename(source)
            say(f"{size:,} posts: dump written ({source.stat().st_size / 2**30:.2f} GB)")
        results: dict[str, dict[str, object]] = {}
        for run in args.runs:
            log = args.work / f"{run}_{size}.log"
            say(f"{size:,} posts: {run} starts: {shlex.join(commands[run])} (stderr to {log})")
            results[run] = measure(commands[run], env, log, **cap)
            say(f"{size:,} posts: {run} ends: {results[run]}")
            if run == "convert" and results[run]["ok"] and args.delete_dump:
                source.unlink()
                say(f"deleted {source}")
            if run != "convert" and args.delete_outputs:
                shutil.rmtree(args.work / f"{run}_{size}", ignore_errors=True)
            stages = stage_times(log)
            if stages:
                print(f"{size:>11,} posts  {run} stages: " + "; ".join(f"{name} {sec:.1f} s" for name, sec in stages))
        local, spark = results.get("local"), results.get("spark")
        ratio = spark["wall_s"] / local["wall_s"] if local and spark and local["ok"] and spark["ok"] else None
        for run in args.runs:
            line = f"{size:>11,} posts  {run:<8}{results[run]}"
            if run == "spark" and ratio:
                line += f"  spark/local wall {ratio:.2f}x"
            print(line, flush=True)


if __name__ == "__main__":
    main()
