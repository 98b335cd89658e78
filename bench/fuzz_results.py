"""Break a results folder every way we can think of and run every command that reads one.

For each table of a complete results folder (the sample thread, with stance and
camps), and for each of its columns, the table is rewritten broken — random
bytes, cut in half, removed, emptied, a column dropped, cast to text, all null,
shuffled, negative, huge, NaN, constant, replaced by integers, timestamps out of
range — and listed anew in the manifest (as a tool that edits results would do)
or with the manifest removed (a folder made by hand). Then ``sna metrics``,
``figures``, ``html`` and ``export`` run on it in process. A case passes when the
command ends with exit code 0, or 1 with one ``sna: error:`` line of at most 300
characters and no "internal error"; anything else is printed.

This is the slow, exhaustive version of ``tests/hostile/test_results_folders.py``.

Usage: python bench/fuzz_results.py [--commands metrics,figures,html,export] [--only post_metrics]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import polars as pl  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from sna.cli import main  # noqa: E402

SEED = HERE.parent / "data" / "raw" / "pakistan-ussr-thread.txt"
TABLES = ("posts", "edges", "post_metrics", "author_metrics", "author_edges", "cascades", "camps")
COMMANDS = {
    "metrics": lambda d, o: ["metrics", d, "-q"],
    "figures": lambda d, o: ["figures", d, "--to", o, "--dpi", "30"],
    "html": lambda d, o: ["html", d, "--to", o],
    "export": lambda d, o: ["export", d, "--convokit", o],
}


def column_changes(df: pl.DataFrame, column: str):
    dtype = df.schema[column]
    yield "drop", lambda d: d.drop(column)
    yield "text", lambda d: d.with_columns(pl.col(column).cast(pl.String).fill_null("x") + "?")
    yield "null", lambda d: d.with_columns(pl.lit(None, dtype).alias(column))
    yield "shuffle", lambda d: d.with_columns(pl.col(column).shuffle(seed=1))
    if dtype.is_numeric():
        big = (10**15 if dtype in (pl.Int64, pl.UInt64) else 2**31 - 1) if dtype.is_integer() else 1e300
        yield "huge", lambda d: d.with_columns(pl.lit(big).cast(dtype).alias(column))
        yield "negative", lambda d: d.with_columns((-pl.col(column).abs() - 5).cast(dtype))
        if dtype.is_float():
            yield "nan", lambda d: d.with_columns(pl.lit(float("nan")).alias(column))
    if dtype == pl.String:
        yield "integers", lambda d: d.with_columns(pl.int_range(pl.len()).alias(column))
        yield "constant", lambda d: d.with_columns(pl.lit("same").alias(column))
        yield "huge text", lambda d: d.with_columns(pl.lit("<b>" * 20_000).alias(column))
    if isinstance(dtype, pl.Datetime):
        for years in (-5_000, 200_000):
            micros = years * 365 * 86_400 * 10**6
            yield f"year {years}", lambda d, m=micros: d.with_columns(pl.lit(m).cast(dtype).alias(column))


def cases(base: Path):
    for table in TABLES:
        yield f"{table}: random bytes", table, lambda p: p.write_bytes(os.urandom(4096))
        yield f"{table}: cut in half", table, lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
        yield f"{table}: removed", table, lambda p: p.unlink()
        df = pl.read_parquet(base / f"{table}.parquet")
        yield f"{table}: no rows", table, lambda p, df=df: df.head(0).write_parquet(p)
        for column in df.columns:
            for how, change in column_changes(df, column):
                yield f"{table}.{column}: {how}", table, lambda p, df=df, c=change: c(df).write_parquet(p)


def relist(folder: Path, name: str, manifest: str) -> None:
    path = folder / ".sna-manifest.json"
    if manifest == "dropped":
        path.unlink(missing_ok=True)
        return
    data = json.loads(path.read_text())
    target = folder / name
    if target.exists():
        data["files"][name].update(bytes=target.stat().st_size, sha256=hashlib.sha256(target.read_bytes()).hexdigest())
    path.write_text(json.dumps(data))


def verdict(result) -> str | None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "escaped: " + "".join(traceback.format_exception_only(result.exception)).strip()
    if result.exit_code not in (0, 1):
        return f"exit code {result.exit_code}"
    if result.exit_code == 1:
        lines = [line for line in result.output.strip().splitlines() if line.startswith("sna:")]
        if len(lines) != 1 or not lines[0].startswith("sna: error: ") or len(lines[0]) > 300:
            return "message: " + " | ".join(result.output.strip().splitlines()[-2:])[:300]
    return None


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--only", default="", help="Only cases whose name starts with this.")
    args = parser.parse_args()
    commands = [c for c in args.commands.split(",") if c]
    scratch = Path(tempfile.mkdtemp(prefix="sna-fuzz-"))
    base = scratch / "base"
    result = CliRunner().invoke(main, ["run", str(SEED), "--out", str(base), "-q", "--skip", "figures,html"])
    assert result.exit_code == 0, result.output
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    problems = 0
    for name, table, breaker in cases(base):
        if not name.startswith(args.only):
            continue
        for manifest in ("relisted", "dropped"):
            work, out = scratch / "work", scratch / "out"
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(base, work)
            try:
                breaker(work / f"{table}.parquet")
            except pl.exceptions.PolarsError:  # a change that does not apply to this column
                continue
            relist(work, f"{table}.parquet", manifest)
            for command in commands:
                result = CliRunner().invoke(main, [str(a) for a in COMMANDS[command](work, out)])
                problem = verdict(result)
                counts["problem" if problem else f"exit {result.exit_code}"] += 1
                if problem:
                    problems += 1
                    print(f"{name} (manifest {manifest}) {command}: {problem}", flush=True)
        print(f"  … {name}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    print(f"{sum(counts.values())} runs in {seconds:.0f} s: {dict(counts)}; problems: {problems}")
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main_())
