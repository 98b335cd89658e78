"""Writing tables and graph files, atomically.

Everything a command writes goes first into a temporary folder beside the
output folder; only when every file is complete are they moved into place, so
a failed run leaves no half-written files behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from sna.errors import SnaError


@contextmanager
def atomic_outputs(out_dir: str | Path) -> Iterator[Callable[[str], Path]]:
    """Stage files in a temporary folder and move them into ``out_dir`` at the end.

    Yields a function that maps a file name to the staging path to write it
    at. If the block raises, nothing is moved and the staging folder is
    removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "result"
    >>> with atomic_outputs(out) as stage:
    ...     _ = stage("a.txt").write_text("done")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SnaError(f"{out}: cannot create output folder ({exc.strerror})") from None
    staging = Path(tempfile.mkdtemp(prefix=".sna-", dir=out))
    names: list[str] = []

    def stage(name: str) -> Path:
        names.append(name)
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    try:
        yield stage
        for name in names:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_table(df: pl.DataFrame, path: Path) -> None:
    """Write a table in the format its suffix names (.csv, .parquet, .json, .jsonl).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(pl.DataFrame({"a": [1]}), p)
    >>> p.read_text()
    'a\\n1\\n'
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path, statistics=False)
    elif suffix == ".jsonl":
        df.write_ndjson(path)
    elif suffix == ".json":
        df.write_json(path)
    else:
        raise SnaError(f"{path}: cannot write tables as {suffix!r} (use .csv, .parquet, .json or .jsonl)")


def write_json(data: object, path: Path) -> None:
    """Write ``data`` as indented, key-sorted JSON (stable across runs)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")
