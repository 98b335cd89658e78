"""Converting inputs of any size to a folder of partitioned Parquet POSTS, in bounded memory.

``sna convert INPUT… --to DIR`` writes::

    DIR/sna-posts.json           what the folder holds (format, inputs, counts, columns)
    DIR/posts/part-00000.parquet POSTS (+ source_file and the readers' extra columns)
    DIR/quotes/part-00000.parquet the quotes stated by markup in those posts

Each part holds whole threads, sorted by ``thread_id`` and ``position``; a
thread is never split between parts, and part *k* of ``quotes`` holds the
quotes of the posts of part *k*. Such a folder is an input like any other:
``sna run DIR`` (local engine) and ``sna run DIR --engine spark`` read it and
give the tables a run on the original inputs gives.

How memory stays bounded: Reddit NDJSON dumps (plain, ``.zst`` with any
window, ``.gz``/``.bz2``/``.xz``, folders and tar archives of them) are read
as streams, a block of whole lines (:data:`sna.io.reddit.BLOCK_BYTES`) at a
time; each block is parsed at once into the Reddit reader's rows
(:func:`sna.io.reddit.block_rows`: the per-record rules as column
expressions, with anything they cannot decide exactly left to the per-record
rules, so a bad line gets the reader's own error naming file and line), and
each row goes to one of many spill files (Arrow IPC) chosen by a hash of its
thread, so a spill file holds whole threads; each row's post id goes to a
small id spill file too (by a hash of the id), so that a post id a Reddit
input holds in two threads keeps its first record only, as a whole read
keeps it. A spill file larger than
:data:`SPILL_TARGET` is split again by a second hash. Each spill file is then
made into POSTS by the reader's own second half
(:func:`sna.io.reddit.parse_reddit_rows`: duplicates, ``>`` quotes,
positions) and merged like pages (:func:`sna.io.merge.merge_pages`), exactly
as a whole-file read would, and written as one part. Memory holds one block
and one spill file's posts at a time (a thread larger than that is kept whole
all the same), plus the zstandard decoder's window (up to 2 GiB for
``--long=31`` dumps). Inputs of other formats are read one file at a time by
their reader and spilled the same way.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

from sna.errors import InputError, SnaError, held_signals
from sna.io import ReadOptions, detect_format, expand_inputs, read_input
from sna.io.base import MARKED_SCHEMA, Parsed
from sna.io.merge import merge_pages
from sna.io.reddit import ROW_SCHEMA
from sna.outputs import scratch_folder
from sna.progress import SILENT, Progress

#: Marker file of a converted folder.
MARKER = "sna-posts.json"
FORMAT = "sna-posts/1"
#: Spill bytes per part aimed at (uncompressed NDJSON); a spill file over twice this is split again.
SPILL_TARGET = 96 * 2**20
#: Uncompressed bytes per spill file aimed at when the number of spill files is left to ``convert``.
BUCKET_BYTES = 24 * 2**20
#: Compressed inputs are counted as this many times their size when choosing the number of spill files.
COMPRESSION_GUESS = 8
#: Columns a converted part carries besides POSTS and the readers' extras (dropped on reading).
RECOVER = "_recover"
#: Sort keys of quotes: the order the local engine reads them in (non-paged inputs first, then by input and row).
QUOTE_KEYS = ("_paged", "_input", "_row")


@dataclass(frozen=True)
class Sources:
    """What the per-thread steps need from inputs: POSTS, stated quotes and the recover flags.

    Attributes
    ----------
    posts : pl.DataFrame
        POSTS plus ``source_file``, in input order.
    marked : pl.DataFrame
        Quotes stated by markup (``MARKED_SCHEMA``), in input order.
    recover : pl.Series
        Per post, whether to look for quotes pasted without markup.
    files, files_skipped : int
        Inputs read and files left out.
    """

    posts: pl.DataFrame
    marked: pl.DataFrame
    recover: pl.Series
    files: int
    files_skipped: int


def _bucket(thread_id: str, buckets: int, salt: int = 0) -> int:
    """Spill file of a thread: a stable hash of its id (the same in every run and process).

    Examples
    --------
    >>> _bucket("t3_abc", 64) == _bucket("t3_abc", 64)
    True
    """
    return zlib.crc32(thread_id.encode("utf-8"), salt) % buckets


def _reddit_sources(path: Path) -> Iterator[tuple[IO[bytes], str]] | None:
    """The byte streams (and names) of a Reddit dump input, or None when it is not one (a page, another format)."""
    from sna.io import reddit
    from sna.io.helpers.streams import open_input

    fmt = detect_format(path)
    if fmt is None or fmt.name != "reddit":
        return None
    if path.is_dir():
        return _file_sources(reddit._folder_files(path) or [])
    if reddit._is_archive(path):
        return reddit._archive_streams(path)
    with open_input(path) as stream:
        if stream.peek(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):  # type: ignore[attr-defined]
            return None  # a thread page: one small document, read whole
    return _file_sources([path])


def _file_sources(paths: list[Path]) -> Iterator[tuple[IO[bytes], str]]:
    from sna.io.helpers.streams import open_input

    for path in paths:
        with open_input(path) as stream:
            yield stream, str(path)


class _Spill:
    """Spill files of records (as JSON lines tagged with their input and line) and of parsed parts."""

    def __init__(self, folder: Path, buckets: int) -> None:
        self.folder = folder
        self.buckets = buckets
        self.handles: dict[int, _RowWriter] = {}
        self.id_buckets = max(1, -(-buckets // 16))
        self.id_handles: dict[int, _RowWriter] = {}
        self.sizes = [0] * buckets
        self.tables: dict[int, list[tuple[int, bool, Path, Path]]] = {}
        self.recover: dict[int, bool] = {}
        self.pages: dict[int, bool] = {}
        self.columns: dict[int, list[str]] = {}

    def rows(self, bucket: int, rows: pl.DataFrame, size: int) -> None:
        """Append rows (:data:`SPILL_SCHEMA`) to a bucket's spill file; ``size`` is their bytes in the input."""
        writer = self.handles.get(bucket)
        if writer is None:
            writer = self.handles[bucket] = _RowWriter(self.folder / f"r{bucket:05d}.arrow")
        writer.write(rows)
        self.sizes[bucket] += size

    def ids(self, rows: pl.DataFrame) -> None:
        """Note the post ids of Reddit rows (with their input and order), spilled by a hash of the id."""
        ids = rows.select(*ID_SCHEMA).with_columns(_h=pl.col("post_id").hash() % self.id_buckets)
        for (bucket,), part in ids.partition_by("_h", as_dict=True).items():
            writer = self.id_handles.get(int(bucket))
            if writer is None:
                path = self.folder / f"i{int(bucket):05d}.arrow"
                writer = self.id_handles[int(bucket)] = _RowWriter(path, ID_SCHEMA)
            writer.write(part)

    def repeated(self) -> pl.DataFrame:
        """``_input`` and ``_seq`` of the Reddit rows whose post id an earlier row of the same input has.

        A whole read keeps a post id's first record only (:func:`sna.io.reddit.parse_reddit_rows`); the
        parts of the other threads the id is seen in must leave theirs out too.
        """
        found = []
        for writer in self.id_handles.values():
            ids = _read_rows([writer.path], ID_SCHEMA)
            writer.path.unlink()
            repeats = ids.filter(pl.col("_seq") != pl.col("_seq").min().over("_input", "post_id"))
            found.append(repeats.select("_input", "_seq"))
        return pl.concat(found) if found else pl.DataFrame(schema={"_input": pl.Int64, "_seq": pl.Int64})

    def parsed(self, index: int, parsed: Parsed, name: str) -> None:
        """Spill one input read whole: its posts and quotes, by thread."""
        posts = parsed.posts.with_columns(
            _b=_buckets_of(parsed.posts["thread_id"], parsed.posts["thread_id"].unique().to_list(), self.buckets)
        )
        quotes = parsed.quotes.with_row_index("_row").join(
            posts.select(pl.col("post_id").alias("source"), "_b"), on="source", how="left", maintain_order="left"
        )
        for (bucket,), part in posts.partition_by("_b", as_dict=True).items():
            p_path = self.folder / f"p{index:06d}-{bucket:05d}.parquet"
            q_path = self.folder / f"q{index:06d}-{bucket:05d}.parquet"
            part.drop("_b").write_parquet(p_path)
            quotes.filter(pl.col("_b") == bucket).drop("_b").write_parquet(q_path)
            self.tables.setdefault(int(bucket), []).append((index, parsed.pages, p_path, q_path))
            self.sizes[int(bucket)] += int(part["raw_text"].str.len_bytes().sum() or 0)
        self.recover[index] = parsed.recover
        self.pages[index] = parsed.pages
        self.columns[index] = parsed.posts.columns

    def close(self) -> None:
        for handle in [*self.handles.values(), *self.id_handles.values()]:
            handle.close()
        self.handles.clear()


#: Columns of the rows in a spill file: the Reddit reader's rows, their line, input and order in the input.
SPILL_SCHEMA = {**ROW_SCHEMA, "_line": pl.Int64, "_input": pl.Int64, "_seq": pl.Int64}
#: Columns of the id spill files: which row of which input holds which post id.
ID_SCHEMA = {"post_id": pl.String, "_input": pl.Int64, "_seq": pl.Int64}


class _RowWriter:
    """An Arrow IPC stream of row batches, appended to as records are read."""

    def __init__(self, path: Path, schema: dict[str, Any] | None = None) -> None:
        import pyarrow as pa

        self.path = path
        self.schema = schema or SPILL_SCHEMA
        self._sink = pa.OSFile(str(path), "wb")
        self._writer: Any = None

    def write(self, rows: pl.DataFrame) -> None:
        import pyarrow as pa

        table = rows.select(list(self.schema)).cast(self.schema).to_arrow()
        if self._writer is None:
            self._writer = pa.ipc.new_stream(self._sink, table.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._sink.close()


def _row_batches(path: Path) -> Iterator[pl.DataFrame]:
    """The row batches of a spill file, one at a time."""
    import pyarrow as pa

    with pa.OSFile(str(path), "rb") as source:
        for batch in pa.ipc.open_stream(source):
            yield pl.from_arrow(batch)  # type: ignore[misc]


def _read_rows(paths: list[Path], schema: dict[str, Any] | None = None) -> pl.DataFrame:
    frames = [frame for path in paths for frame in _row_batches(path)]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema or SPILL_SCHEMA)


def _resplit(path: Path, size: int, folder: Path, depth: int) -> list[Path]:
    """Split a row spill file that is too large into smaller ones (by a second hash of the thread)."""
    pieces = max(2, -(-size // SPILL_TARGET))
    out = [folder / f"{path.stem}-{depth}-{i:03d}.arrow" for i in range(pieces)]
    writers: dict[int, _RowWriter] = {}
    seen: set[str] = set()
    sizes = [0] * pieces
    for batch in _row_batches(path):
        threads = batch["thread_id"].unique().to_list()
        seen.update(threads)
        batch = batch.with_columns(_b=_buckets_of(batch["thread_id"], threads, pieces, salt=depth + 1))
        for (piece,), part in batch.partition_by("_b", as_dict=True).items():
            writer = writers.get(int(piece))
            if writer is None:
                writer = writers[int(piece)] = _RowWriter(out[int(piece)])
            writer.write(part)
            sizes[int(piece)] += int(part["raw_text"].str.len_bytes().sum() or 0) + 200 * part.height
    for writer in writers.values():
        writer.close()
    path.unlink()
    written = [(out[i], sizes[i]) for i in sorted(writers)]
    if len(seen) == 1:  # one thread: it stays whole however large
        return [p for p, _ in written]
    result = []
    for piece_path, piece_size in written:
        if piece_size > 2 * SPILL_TARGET and depth < 4:
            result += _resplit(piece_path, piece_size, folder, depth + 1)
        else:
            result.append(piece_path)
    return result


def _buckets_of(threads: pl.Series, unique: list[str], buckets: int, salt: int = 0) -> pl.Series:
    """:func:`_bucket` of each thread id (computed once per distinct id)."""
    mapping = {t: _bucket(t, buckets, salt) for t in unique}
    return threads.replace_strict(mapping, return_dtype=pl.Int64)


def _bucket_part(
    record_files: list[Path],
    tables: list[tuple[int, bool, Path, Path]],
    names: list[str],
    recover: dict[int, bool],
    columns: dict[int, list[str]],
    repeated: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """POSTS and quotes of one spill bucket, read and merged as a whole-input read would.

    ``columns`` gets the POSTS columns of each Reddit input parsed here; the rows in
    ``repeated`` (by ``_input`` and ``_seq``) are left out.
    """
    from sna.io.reddit import parse_reddit_rows

    parts: dict[int, tuple[Parsed, bool]] = {}
    rows = _read_rows(record_files)
    if repeated.height:
        rows = rows.join(repeated, on=["_input", "_seq"], how="anti", maintain_order="left")
    for (index,), own in sorted(rows.partition_by("_input", as_dict=True).items()):
        own = own.sort("_seq")
        parsed = parse_reddit_rows(own)
        # quotes in the order a whole read gives them: by the record they are in, then within it
        first = own.select("post_id", "_seq").unique("post_id", keep="first", maintain_order=True)
        quotes = parsed.quotes.join(
            first.rename({"post_id": "source"}), on="source", how="left", maintain_order="left"
        ).with_columns(_row=pl.col("_seq") * 65536 + pl.int_range(pl.len()).over("source"))
        parts[int(index)] = (Parsed(parsed.posts, quotes.drop("_seq"), recover=parsed.recover, pages=True), True)
        columns[int(index)] = parsed.posts.columns
    del rows
    loaded = {}
    for index, pages, p_path, q_path in tables:
        quotes = pl.read_parquet(q_path)
        loaded[index] = (Parsed(pl.read_parquet(p_path), quotes, recover=recover[index], pages=pages), pages)
    parts |= loaded
    plain, paged = [], []
    for index in sorted(parts):
        parsed, pages = parts[index]
        quotes = parsed.quotes if "_row" in parsed.quotes.columns else parsed.quotes.with_row_index("_row")
        quotes = quotes.with_columns(_paged=pl.lit(pages), _input=pl.lit(index, pl.Int64))
        parsed = Parsed(parsed.posts, quotes, recover=parsed.recover, pages=pages)
        (paged if pages else plain).append((index, parsed))
    posts_parts, quote_parts = [], []
    for index, parsed in plain:
        posts_parts.append(parsed.posts.with_columns(source_file=pl.lit(names[index]), _recover=pl.lit(parsed.recover)))
        quote_parts.append(parsed.quotes)
    if paged:
        merged, _ = merge_pages([p for _, p in paged], [names[i] for i, _ in paged])
        # merge_pages keeps quotes by (source, part); redo that with the sort keys kept
        kept = merged.select(pl.col("post_id").alias("source"), "source_file")
        for index, parsed in paged:
            own = kept.filter(pl.col("source_file") == names[index]).select("source")
            quote_parts.append(parsed.quotes.join(own, on="source", how="semi", maintain_order="left"))
        posts_parts.append(merged.with_columns(_recover=pl.lit(False)))
    posts = pl.concat(posts_parts, how="diagonal_relaxed").sort("thread_id", "position", maintain_order=True)
    quotes = pl.concat(quote_parts, how="diagonal_relaxed").select(*MARKED_SCHEMA, *QUOTE_KEYS)
    return posts, quotes.with_columns(pl.col("_row").cast(pl.Int64))


def _write_part(
    record_files: list[Path],
    tables: list[tuple[int, bool, Path, Path]],
    names: list[str],
    recover: dict[int, bool],
    out: Path,
    number: int,
    repeated: pl.DataFrame,
) -> tuple[int, int, dict[int, list[str]]]:
    """Parse, merge and write one part; return its posts, threads and the columns of the Reddit inputs in it."""
    columns: dict[int, list[str]] = {}
    posts, quotes = _bucket_part(record_files, tables, names, recover, columns, repeated)
    for path in record_files:
        path.unlink()
    posts.write_parquet(out / "posts" / f"part-{number:05d}.parquet")
    quotes.write_parquet(out / "quotes" / f"part-{number:05d}.parquet")
    return posts.height, posts["thread_id"].n_unique(), columns


def convert(
    inputs: Iterable[str | Path],
    to: str | Path,
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    buckets: int | None = None,
    workers: int = 1,
    progress: Progress = SILENT,
) -> dict[str, object]:
    """Convert inputs to a folder of partitioned Parquet POSTS (see the module text); return what it holds.

    Parameters
    ----------
    inputs : iterable of path
        Files or folders, as for :func:`sna.pipeline.ingest`.
    to : path
        The folder to write (replaced as a whole at the end, never left half written).
    format, mapping, encoding
        As for :func:`sna.pipeline.ingest`.
    buckets : int
        Spill files of the first pass (default: about one per 24 MB of uncompressed input, at
        most 1,024; more keeps each part, and memory, smaller).
    workers : int
        Parts parsed and written at once (each in its own process holding one part; call from a
        ``__main__`` guard when above 1).
    progress : Progress
        Where to report stages.

    Returns
    -------
    dict
        The content of ``sna-posts.json``.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "posts"
    >>> convert(["data/raw"], out)["posts"]
    32
    >>> read_converted(out).posts.height
    32
    """
    started = time.perf_counter()
    inputs = list(inputs)
    if not inputs:
        raise SnaError("no input files given")
    if buckets is not None and buckets < 1:
        raise SnaError(f"--buckets must be 1 or more, not {buckets}")
    with progress.stage("finding inputs"):
        files, skipped = expand_inputs(inputs)
    if not files:
        raise SnaError(f"no readable input files in {', '.join(str(p) for p in inputs)}")
    buckets = buckets or _auto_buckets(files)
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    with scratch_folder(f".{to.name}.", to.parent) as work:
        spill_dir = work / "spill"
        spill_dir.mkdir()
        spill = _Spill(spill_dir, buckets)
        names = [str(p) for p in files]
        records = 0
        options = ReadOptions(mapping=dict(mapping or {}), encoding=encoding)
        with progress.stage(f"reading {len(files)} input{'s' if len(files) != 1 else ''} into {buckets} spill files"):
            for index, path in enumerate(files):
                sources = None if format not in (None, "reddit") else _reddit_sources(path)
                if sources is None:
                    spill.parsed(index, read_input(path, format=format, options=options), names[index])
                    continue
                spill.pages[index] = True
                records += _spill_rows(spill, index, sources)
        spill.close()
        repeated = spill.repeated()
        plan: list[tuple[list[Path], list[tuple[int, bool, Path, Path]]]] = []
        for bucket in range(buckets):
            path = spill_dir / f"r{bucket:05d}.arrow"
            tables = spill.tables.get(bucket, [])
            if path.exists() and spill.sizes[bucket] > 2 * SPILL_TARGET and not tables:
                plan += [([piece], []) for piece in _resplit(path, spill.sizes[bucket], spill_dir, 0)]
            elif path.exists() or tables:
                plan.append(([path] if path.exists() else [], tables))
        out = work / "out"
        (out / "posts").mkdir(parents=True)
        (out / "quotes").mkdir()
        jobs = [(record_files, tables, names, spill.recover, out, number, repeated) for number, (record_files, tables)
                in enumerate(plan)]  # fmt: skip
        with progress.stage(f"writing {len(plan)} parts of whole threads ({workers} at a time)"):
            if workers == 1 or len(jobs) < 2:
                done = [_write_part(*job) for job in jobs]
            else:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                context = multiprocessing.get_context("spawn")  # polars' threads do not survive a fork
                with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    done = list(pool.map(_write_part, *zip(*jobs, strict=True)))
        posts_n = sum(n for n, _, _ in done)
        threads_n = sum(t for _, t, _ in done)
        for _, _, columns in done:
            spill.columns |= columns
        _uniform_parts(out / "posts", [*_column_order(spill), RECOVER])
        info: dict[str, object] = {
            "format": FORMAT,
            "inputs": names,
            "files": len(files),
            "files_skipped": len(skipped),
            "parts": len(plan),
            "posts": posts_n,
            "threads": threads_n,
            "reddit_records": records,
            "columns": _column_order(spill),
            "seconds": round(time.perf_counter() - started, 3),
        }
        (out / MARKER).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
        with held_signals():  # not between the two renames
            if to.exists():
                to.rename(work / "old")  # removed with the work folder
            out.rename(to)
    return info


def _auto_buckets(files: list[Path]) -> int:
    """About one spill file per :data:`BUCKET_BYTES` of (estimated) uncompressed input."""
    from sna.io.helpers.streams import compression_of

    total = 0
    for path in files:
        for file in path.rglob("*") if path.is_dir() else [path]:
            if file.is_file():
                size = file.stat().st_size
                with file.open("rb") as handle:  # the file's own first bytes, not decompressed ones
                    compressed = compression_of(handle.read(8)) is not None
                total += size * COMPRESSION_GUESS if compressed else size
    return max(1, min(1024, -(-total // BUCKET_BYTES)))


def _uniform_parts(folder: Path, columns: list[str]) -> None:
    """Give every part the same columns, order and types (engines such as Spark read the parts as one table)."""
    parts = sorted(folder.glob("*.parquet"))
    schemas = [pl.read_parquet_schema(p) for p in parts]
    types: dict[str, pl.DataType] = {}
    for schema in schemas:
        for name, dtype in schema.items():
            if types.get(name, pl.Null()) == pl.Null():
                types[name] = dtype
    wanted = {name: types.get(name, pl.String()) for name in columns}
    wanted = {name: pl.String() if dtype == pl.Null() else dtype for name, dtype in wanted.items()}
    for path, schema in zip(parts, schemas, strict=True):
        if dict(schema) == wanted and list(schema) == list(wanted):
            continue
        frame = pl.read_parquet(path)
        frame = frame.select(
            [pl.col(n).cast(t) if n in frame.columns else pl.lit(None, t).alias(n) for n, t in wanted.items()]
        )
        frame.write_parquet(path)


def _column_order(spill: _Spill) -> list[str]:
    """POSTS columns in the order a whole read gives them: inputs that are not pages first, then paged ones."""
    order: dict[str, None] = {}
    for pages in (False, True):
        for index in sorted(spill.columns):
            if spill.pages[index] == pages:
                order |= dict.fromkeys([*spill.columns[index], "source_file"])
    return list(order)


def _spill_rows(spill: _Spill, index: int, sources: Iterator[tuple[IO[bytes], str]]) -> int:
    """Read a Reddit input's streams a block of lines at a time and send each row to its thread's spill file."""
    from sna.io.reddit import block_rows, line_blocks

    count = 0
    for stream, where in sources:
        for first, block in line_blocks(stream):
            rows = block_rows(block, where=where, first=first)
            if not rows.height:
                continue
            threads = rows["thread_id"].unique().to_list()
            rows = rows.with_columns(
                _input=pl.lit(index, pl.Int64),
                _seq=pl.int_range(count, count + rows.height, dtype=pl.Int64),
                _b=_buckets_of(rows["thread_id"], threads, spill.buckets),
            )
            share = len(block) / rows.height
            for (bucket,), part in rows.partition_by("_b", as_dict=True).items():
                spill.rows(int(bucket), part, int(share * part.height))
            spill.ids(rows)
            count += rows.height
    return count


def is_converted(path: str | Path) -> bool:
    """Whether ``path`` is a folder ``sna convert`` wrote.

    Examples
    --------
    >>> is_converted("data/raw")
    False
    """
    return (Path(path) / MARKER).is_file()


def converted_info(path: str | Path) -> dict[str, Any]:
    """The content of a converted folder's ``sna-posts.json`` (checked to be one)."""
    marker = Path(path) / MARKER
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {MARKER}: {exc}", path=marker) from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise InputError(f"expected a folder `sna convert` wrote ({FORMAT})", path=marker)
    return info


def read_converted(path: str | Path) -> Sources:
    """Read a converted folder back as one corpus, in the order reading the original inputs gives.

    Raises
    ------
    InputError
        When the folder is not one ``sna convert`` wrote.
    """
    path = Path(path)
    info = converted_info(path)
    parts = sorted((path / "posts").glob("*.parquet"))
    if not parts:
        raise InputError("no posts/*.parquet in a converted folder", path=path)
    posts = pl.concat([pl.read_parquet(p) for p in parts], how="diagonal_relaxed")
    posts = posts.sort("thread_id", "position", maintain_order=True)
    quotes = pl.concat([pl.read_parquet(p) for p in sorted((path / "quotes").glob("*.parquet"))])
    marked = quotes.sort(*QUOTE_KEYS).select(list(MARKED_SCHEMA))
    recover = posts[RECOVER].fill_null(False)
    posts = posts.select([c for c in info["columns"] if c in posts.columns])
    return Sources(posts, marked, recover, int(info["files"]), int(info["files_skipped"]))
