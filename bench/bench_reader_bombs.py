"""Peak memory and time of the readers on decompression bombs and giant lines.

Each case is a small file (kilobytes to a few megabytes) that expands to GiBs, made in a
temporary folder: a .zst holding one line of GiBs, a .zst of GiBs of blank lines (read to the end:
the streaming case), a tar holding such a .zst, a .bz2 giant line, a .tar.xz whose IAC member is one
GiB-sized document, and an uncompressed file with no newline. Each is read with ``read_input`` in a
fresh process whose address space is capped (``--cap-gib``, so a reader that decompresses whole
ends in MemoryError instead of taking the machine); the table gives the outcome (the first words of
the error), seconds and the process's peak resident memory. ``--baseline DIR`` runs the same cases
with the sna found in DIR (e.g. an export of an older commit) in the same command, for ratios.

Usage: python bench/bench_reader_bombs.py [--gib 4] [--cap-gib 8] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 64 * 2**20

CHILD = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
limit = int(sys.argv[4]) * 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
started = time.perf_counter()
try:
    from sna.io import read_input
    parsed = read_input(sys.argv[2], format=sys.argv[3] or None)
    outcome = f"read {parsed.posts.height} posts"
except BaseException as exc:
    outcome = f"{type(exc).__name__}: {str(exc).split(': ', 1)[-1]}"
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
print(f"{seconds:.2f}\\t{peak:.0f}\\t{' '.join(outcome.split())[:70]}")
"""


def _repeat(unit: bytes, total: int):
    block = unit * max(1, CHUNK // len(unit))
    left = total
    while left > 0:
        yield block[:left]
        left -= len(block)


def _zst(path: Path, chunks) -> Path:
    import zstandard

    with path.open("wb") as handle, zstandard.ZstdCompressor(level=3).stream_writer(handle) as writer:
        for chunk in chunks:
            writer.write(chunk)
    return path


def _compressed(path: Path, compressor, chunks) -> Path:
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(compressor.compress(chunk))
        handle.write(compressor.flush())
    return path


def _tar(path: Path, name: str, member: Path, mode: str) -> Path:
    with tarfile.open(path, mode) as archive:
        archive.add(member, arcname=name)
    return path


def make_cases(folder: Path, gib: float) -> list[tuple[str, Path, str]]:
    size = int(gib * 2**30)
    giant = _zst(folder / "RC_giant_line.zst", _repeat(b"a", size))
    blanks = _zst(folder / "RC_blank_lines.zst", _repeat(b" " * 1023 + b"\n", size))
    tarred = _tar(folder / "dumps.tar", "RC_2015-01.zst", giant, "w")
    bz = _compressed(folder / "RC_giant_line.bz2", bz2.BZ2Compressor(9), _repeat(b"a", min(size, 2**30)))
    doc = folder / "1.json"
    with doc.open("wb") as handle:
        for chunk in _repeat(b" ", min(size, 2**30)):
            handle.write(chunk)
    iac = folder / "iac.tar.xz"
    with tarfile.open(iac, "w:xz", preset=0) as archive:
        archive.add(doc, arcname="discussions/1.json")
    doc.unlink()
    plain = folder / "giant_line.jsonl"
    with plain.open("wb") as handle:
        for chunk in _repeat(b"x", min(size, 2**30)):
            handle.write(chunk)
    return [
        ("zst: one line of GiBs", giant, "reddit"),
        ("zst: GiBs of blank lines (read to the end)", blanks, "reddit"),
        ("tar of that giant-line .zst", tarred, "reddit"),
        ("bz2: one line of up to 1 GiB", bz, "reddit"),
        ("tar.xz: IAC member of up to 1 GiB", iac, "iac"),
        ("plain .jsonl: 1 GiB, no newline", plain, "reddit"),
    ]


def run(code_dir: Path, path: Path, fmt: str, cap_gib: int) -> tuple[float, float, str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(code_dir), str(path), fmt, str(cap_gib)],
        capture_output=True, text=True, env={**os.environ, "RUST_BACKTRACE": "0"}, check=False,
    )  # fmt: skip
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else f"\t\tcrashed ({result.returncode})"
    seconds, peak, outcome = [*line.split("\t"), "", "", ""][:3]
    return float(seconds or "nan"), float(peak or "nan"), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=4.0, help="GiB each zstandard bomb expands to")
    parser.add_argument("--cap-gib", type=int, default=8, help="address-space cap of each reading process")
    parser.add_argument("--baseline", type=Path, help="folder holding an older sna to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cases = make_cases(Path(tmp), args.gib)
        print(f"made {len(cases)} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        sizes = {name: path.stat().st_size for name, path, _ in cases}
        print(f"{'case':44} {'on disk':>9} {'s':>7} {'peak MB':>8}  outcome")
        for name, path, fmt in cases:
            rows = [("now", run(ROOT, path, fmt, args.cap_gib))]
            if args.baseline:
                rows.append(("baseline", run(args.baseline, path, fmt, args.cap_gib)))
            for label, (seconds, peak, outcome) in rows:
                tag = name if label == "now" else "  (baseline)"
                print(f"{tag:44} {sizes[name] / 2**20:8.1f}M {seconds:7.2f} {peak:8.0f}  {outcome}")
            if args.baseline:
                (_, (s1, p1, _)), (_, (s0, p0, _)) = rows
                print(f"{'  now / baseline':44} {'':9} {s1 / s0:7.2f}x {p1 / p0:7.2f}x")
        print(json.dumps({"gib": args.gib, "cap_gib": args.cap_gib}), file=sys.stderr)


if __name__ == "__main__":
    main()
