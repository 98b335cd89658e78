"""`sna convert` on a generated Reddit dump (.zst, long window): peak memory and posts/s next to `zstd -d | wc -l`.

    python bench/bench_convert.py --gb 5            # generates bench/out/synthetic-RC-5GB.zst once, then measures
    python bench/bench_convert.py --dump D.zst      # measures an existing dump (e.g. one recompressed without --long)
    python bench/bench_convert.py --dump D.zst --baseline-python ../main/.venv/bin/python   # old code too

``--baseline-python`` runs ``sna convert`` from that Python's environment as
well (the ``sna`` package it imports: its path and git commit are printed),
in the same run, and says whether its parts are byte-identical to this
checkout's.

The dump is chunks of synthetic forums (``bench/synth.py``), each with its own
id prefix, compressed with a 2 GiB window (``--long=31``, as Pushshift's
dumps are). Both commands run in this one process's run, one after the other,
so the ratio holds on a busy machine too; CPU seconds (user + system, of the
command and its children) are given as well, as they depend less on what else
the machine runs.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.synth import reddit_records, synthetic_forum

CHUNK = 200_000


def generate(path: Path, gigabytes: float, *, seeds: int = 4) -> tuple[int, int]:
    """Write a .zst dump of about ``gigabytes`` GB uncompressed; return (records, bytes uncompressed)."""
    chunks = [reddit_records(synthetic_forum(CHUNK, seed=s)) for s in range(seeds)]
    target = int(gigabytes * 1e9)
    written = records = 0
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=31, threads=1)
    with path.open("wb") as raw, zstandard.ZstdCompressor(compression_params=params).stream_writer(raw) as out:
        i = 0
        while written < target:
            chunk = chunks[i % seeds]
            prefix = f"c{i}x"
            chunk = chunk.with_columns(
                (chunk["name"].str.slice(0, 3) + prefix + chunk["name"].str.slice(3)).alias("name"),
                (chunk["link_id"].str.slice(0, 3) + prefix + chunk["link_id"].str.slice(3)).alias("link_id"),
                (chunk["parent_id"].str.slice(0, 3) + prefix + chunk["parent_id"].str.slice(3)).alias("parent_id"),
            )
            data = chunk.write_ndjson().encode()
            out.write(data)
            written += len(data)
            records += chunk.height
            i += 1
    return records, written


def timed(command: str) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (KB, of the largest process) and stdout of a command."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", "bash", "-c", command], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    times = (re.search(rf"{kind} time \(seconds\): ([\d.]+)", proc.stderr) for kind in ("User", "System"))
    cpu = sum(float(found.group(1)) for found in times if found)
    return wall, cpu, peak, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=5.0, help="Uncompressed size of the generated dump.")
    parser.add_argument("--work", type=Path, default=Path("bench/out"), help="Folder for the dump and the output.")
    parser.add_argument("--buckets", type=int, default=0, help="Spill files (0: sna convert's default).")
    parser.add_argument("--dump", type=Path, help="Measure this .zst dump (its facts in DUMP.json, else counted).")
    parser.add_argument("--baseline-python", type=Path, help="Also run the sna this Python imports (e.g. main's venv).")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    dump = args.dump or args.work / f"synthetic-RC-{args.gb:g}GB.zst"
    meta = dump.with_suffix(".json")
    if args.dump and not meta.exists():
        _, _, _, out = timed(f"zstd -d --long=31 -c {dump} | wc -lc")
        lines, size = (int(v) for v in out.split())
        meta.write_text(json.dumps({"records": lines, "bytes": size}))
    if not meta.exists():
        started = time.perf_counter()
        records, size = generate(dump, args.gb)
        meta.write_text(json.dumps({"records": records, "bytes": size}))
        print(f"generated {records:,} records, {size / 1e9:.2f} GB uncompressed, "
              f"{dump.stat().st_size / 1e9:.2f} GB compressed in {time.perf_counter() - started:.0f} s")  # fmt: skip
    info = json.loads(meta.read_text())
    print(f"dump: {info['records']:,} records, {info['bytes'] / 1e9:.2f} GB uncompressed, "
          f"{dump.stat().st_size / 1e9:.2f} GB .zst")  # fmt: skip
    wall_z, cpu_z, peak_z, out = timed(f"zstd -d --long=31 -c {dump} | wc -l")
    lines = int(out.strip())
    print(f"zstd -d | wc -l : {wall_z:7.1f} s wall {cpu_z:7.1f} s CPU  {lines / wall_z:>10,.0f} lines/s"
          f"  peak {peak_z / 1024:,.0f} MB", flush=True)  # fmt: skip
    buckets = f"--buckets {args.buckets}" if args.buckets else ""
    runs = [("baseline", args.baseline_python)] if args.baseline_python else []
    folders = {}
    for label, python in [*runs, ("this checkout", Path(sys.executable))]:
        to = folders[label] = args.work / ("converted-baseline" if python != Path(sys.executable) else "converted")
        shutil.rmtree(to, ignore_errors=True)
        # run from / so that the sna found is the environment's, not the working folder's
        where = subprocess.run([str(python), "-c", "import sna; print(sna.__file__)"], capture_output=True, text=True,
                               check=True, cwd="/").stdout.strip()  # fmt: skip
        commit = _git(Path(where).parent, "rev-parse", "--short", "HEAD") or "?"
        if _git(Path(where).parent, "status", "--porcelain", "--untracked-files=no"):
            commit += " with uncommitted changes"
        wall_c, cpu_c, peak_c, _ = timed(f"{Path(python).parent / 'sna'} convert {dump} --to {to} {buckets} -q")
        converted = json.loads((to / "sna-posts.json").read_text())
        rate = converted["posts"] / wall_c
        print(f"sna convert ({label}: {where} at {commit})")
        print(
            f"  {wall_c:7.1f} s wall {cpu_c:7.1f} s CPU  {rate:>10,.0f} posts/s"
            f"  peak {peak_c / 1024:,.0f} MB  ({converted['parts']} parts, {converted['threads']:,} threads)"
        )
        print(f"  ratio convert/zstd: {wall_c / wall_z:.1f}x wall, {cpu_c / cpu_z:.1f}x CPU", flush=True)
    if runs:
        print(f"parts byte-identical to the baseline's: {_same_parts(folders['baseline'], folders['this checkout'])}")
        shutil.rmtree(folders["baseline"], ignore_errors=True)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True).stdout.strip()


def _same_parts(a: Path, b: Path) -> bool:
    """Whether two converted folders hold the same part files, byte for byte."""
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*.parquet"))
    if names != sorted(str(p.relative_to(b)) for p in b.rglob("*.parquet")):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


if __name__ == "__main__":
    main()
