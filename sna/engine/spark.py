"""The Spark engine: the per-thread steps as ``mapInArrow`` over partitions of whole threads.

``sna run DIR --engine spark`` reads a folder ``sna convert`` wrote and runs:

1. **global checks as aggregations**: a post id seen twice, a parent in
   another thread (the errors the local engine gives, word for word);
2. **the per-thread step** (:func:`sna.steps.thread_edges`: quotes,
   replies, implicit links, stance) in one Python call per partition
   (``mapInArrow``). Posts are repartitioned by thread and sorted; threads
   larger than a partition's share get a partition of their own (placed
   exactly, not by hash), so one huge thread never shares a task with others,
   and a partition is worked through in chunks of whole threads;
3. **the global step** (:func:`sna.steps.corpus_metrics`) with
   ``--graph-on driver``: POSTS without their text and EDGES are collected and
   the existing centrality, camp and cascade code runs unchanged, so the tables
   equal the local engine's.

Tables up to :data:`COLLECT_LIMIT` posts are written through the same writer
as the local engine (byte-identical files); larger POSTS, EDGES and
unresolved quotes are written by Spark as partitioned Parquet folders
(``posts/part-*.parquet``, …) in the same schema and row order.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from sna.convert import MARKER, QUOTE_KEYS, RECOVER, converted_info
from sna.edges import UNRESOLVED_SCHEMA
from sna.errors import InputError, SchemaError, SnaError
from sna.progress import SILENT, Progress
from sna.schema import MARKED_SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

#: Up to this many posts the Spark engine writes POSTS and EDGES through the local writer (CSV and Parquet files).
COLLECT_LIMIT = 200_000
#: Default partitions of the per-thread step: at least the cluster's parallelism, and no more than about this
#: many posts each (a partition's posts, with their text, are held by one Python worker at once).
PARTITION_POSTS = 200_000
#: Posts given to the per-thread step at once inside a partition (whole threads; a larger thread goes alone).
CHUNK_POSTS = 50_000
_BLOB_SCHEMA = "kind string, part long, seq long, data binary"
#: The tables of the per-thread step, in the order of their schemas.
TABLES = ("posts", "edges", "unresolved", "cascades")


def missing_spark() -> str | None:
    """Why the Spark engine cannot run here (pyspark or Java missing), or None.

    Examples
    --------
    >>> missing_spark() is None or "install" in missing_spark()
    True
    """
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pyarrow") is None:
        return "pyspark or pyarrow is not installed (pip install 'sna[spark]', or make install-spark)"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (install one, e.g. apt-get install openjdk-17-jre-headless)"
    return None


def default_driver_memory(total_bytes: int | None = None) -> str:
    """Heap for a local Spark driver: a quarter of this machine's memory, 1 to 8 GB (Spark's own default is 1 GB).

    In local mode the driver JVM also runs the executors, so Spark's 1 GB
    default runs out of heap at a few hundred thousand posts.

    Examples
    --------
    >>> default_driver_memory(24 * 2**30), default_driver_memory(2 * 2**30), default_driver_memory(64 * 2**30)
    ('6g', '1g', '8g')
    """
    if total_bytes is None:
        try:
            total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            total_bytes = 4 * 2**30
    return f"{min(8, max(1, total_bytes // 4 // 2**30))}g"


def refuse_ignored_driver_memory(driver_memory: str | None, *, master: str | None, session_given: bool) -> None:
    """Refuse ``--driver-memory`` where it cannot take effect: the driver's JVM is already running.

    Under ``spark-submit`` (``master`` None, ``--master submit``) or with a
    session made elsewhere, the heap was fixed when that JVM started, so the
    flag would be silently ignored and a long run could still fail for heap
    later; the error says where the heap is set instead.

    Examples
    --------
    >>> refuse_ignored_driver_memory("8g", master="local[2]", session_given=False)
    >>> refuse_ignored_driver_memory(None, master=None, session_given=False)
    >>> refuse_ignored_driver_memory("8g", master=None, session_given=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sna.errors.SnaError: --driver-memory 8g cannot take effect under spark-submit (--master submit): ...
    """
    if not driver_memory:
        return
    where = "under spark-submit (--master submit)" if master is None else "with a Spark session already running"
    if master is None or session_given or _jvm_running():
        raise SnaError(f"--driver-memory {driver_memory} cannot take effect {where}: the driver's Java heap is fixed "
                       f"when spark-submit starts it; give it there (spark-submit --driver-memory {driver_memory} "
                       "...) or as spark.driver.memory in the cluster's Spark configuration")  # fmt: skip


def _jvm_running() -> bool:
    """Whether this process already has a SparkContext (so a new session reuses its JVM and heap)."""
    if "pyspark" not in sys.modules:
        return False
    from pyspark import SparkContext

    return SparkContext._active_spark_context is not None  # pyspark has no public test for it


def spark_session(
    master: str | None = "local[2]", *, shuffle_partitions: int = 8, app: str = "sna", driver_memory: str | None = None
) -> SparkSession:
    """A Spark session set up for sna: time zone UTC, workers on this Python, Arrow batches.

    ``master`` None leaves the master to ``spark-submit``. In local mode the
    driver binds 127.0.0.1 unless ``SPARK_LOCAL_IP`` says otherwise, and its
    heap is ``driver_memory`` (default :func:`default_driver_memory`, unless
    ``PYSPARK_SUBMIT_ARGS`` sets ``--driver-memory``); it only applies when
    this call starts the JVM.
    """
    why = missing_spark()
    if why:
        raise SnaError(f"--engine spark: {why}")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master is None or master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master is not None:
        builder = builder.master(master)
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.pythonUDF.arrow.enabled", "true")
    )
    refuse_ignored_driver_memory(driver_memory, master=master, session_given=False)
    local = master is not None and master.startswith("local")
    if local:
        builder = builder.config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
    if local and not driver_memory and "--driver-memory" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        driver_memory = default_driver_memory()
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _plain(table: pa.Table) -> pa.Table:
    """Arrow types Spark reads: large/view strings and lists become plain ones."""
    import pyarrow as pa

    def plain(t: pa.DataType) -> pa.DataType:
        if pa.types.is_large_string(t) or str(t) == "string_view":
            return pa.string()
        if pa.types.is_large_binary(t):
            return pa.binary()
        if pa.types.is_large_list(t) or pa.types.is_list(t):
            return pa.list_(plain(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, plain(f.type)) for f in t])
        return t

    schema = pa.schema([pa.field(f.name, plain(f.type)) for f in table.schema])
    return table.cast(schema)


def _blob(frame: pl.DataFrame) -> bytes:
    import pyarrow as pa

    sink = io.BytesIO()
    table = _plain(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _unblob(data: bytes) -> pl.DataFrame:
    import pyarrow as pa

    return pl.from_arrow(pa.ipc.open_stream(data).read_all())  # type: ignore[return-value]


def _chunks(posts: pl.DataFrame, size: int) -> Iterator[tuple[int, int]]:
    """(start, stop) row ranges of whole threads, about ``size`` posts each (threads contiguous)."""
    starts = posts.with_row_index("_i").group_by("thread_id", maintain_order=True).agg(pl.col("_i").first())["_i"]
    bounds = [*starts.to_list(), posts.height]
    begin = 0
    for stop in bounds[1:]:
        if stop - begin >= size:
            yield begin, stop
            begin = stop
    if begin < posts.height:
        yield begin, posts.height


def _unresolved_keys(marked: pl.DataFrame, unresolved: pl.DataFrame) -> pl.DataFrame:
    """The sort keys of unresolved quotes (an order-keeping subset of the marked quotes)."""
    columns = list(unresolved.columns)
    keys = marked.select(QUOTE_KEYS).rows()
    rows = marked.select(columns).rows()
    picked, j, wanted = [], 0, unresolved.rows()
    for i, row in enumerate(rows):
        if j < len(wanted) and row == wanted[j]:
            picked.append(keys[i])
            j += 1
    return unresolved.with_columns(
        pl.DataFrame(picked, schema={k: pl.Boolean if k == "_paged" else pl.Int64 for k in QUOTE_KEYS}, orient="row")
    )


def thread_cascades(posts: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """The cascades table of whole threads, with the keys that order it as one call on the corpus does.

    Reply and quote trees never leave a thread, so the tables of separate
    threads, sorted by ``_kind`` (reply before quote), ``thread_id`` and
    ``_position`` (of the root), are the corpus's. One difference is left for
    the caller: ``agree``/``disagree`` are null where these threads have no
    stance label, 0 in a corpus that has some.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b"], "thread_id": ["t", "t"], "position": [1, 2],
    ...     "author": ["x", "y"], "created_at": [None, None]},
    ...     schema_overrides={"created_at": pl.Datetime("us", "UTC")})
    >>> edges = pl.DataFrame({"source": ["b"], "target": ["a"], "kind": ["reply"]})
    >>> thread_cascades(posts, edges).select("cascade_id", "size", "_kind", "_position").rows()
    [('reply:a', 2, 0, 1)]
    """
    from sna.analysis.cascades import cascades

    table, _ = cascades(posts, edges)
    roots = posts.select(pl.col("post_id").alias("root"), pl.col("position").cast(pl.Int64).alias("_position"))
    return table.join(roots, on="root", how="left", maintain_order="left").with_columns(
        _kind=(pl.col("kind") == "quote").cast(pl.Int64)
    )


def thread_partition(
    batches: Iterator[pa.RecordBatch], *, implicit_target: str, stance: Mapping[str, Any] | None, part: int,
    with_cascades: bool = False,
) -> Iterator[pa.RecordBatch]:  # fmt: skip
    """The per-thread step over one partition of whole threads, sorted; results as Arrow blobs.

    Yields rows (kind, part, seq, data): ``posts``, ``edges`` and
    ``unresolved`` tables (IPC streams), with ``with_cascades`` also
    ``cascades`` (:func:`thread_cascades`), ``counts`` (JSON), or ``error``
    (the message of an :class:`~sna.errors.SnaError`).
    """
    import pyarrow as pa

    from sna.steps import thread_edges

    frames = [pl.from_arrow(b) for b in batches if b.num_rows]
    out: list[tuple[str, int, bytes]] = []
    if frames:
        posts = pl.concat(frames).sort("thread_id", "position", maintain_order=True)  # type: ignore[arg-type]
        for seq, (start, stop) in enumerate(_chunks(posts, CHUNK_POSTS)):
            chunk = posts.slice(start, stop - start)
            marked = (
                chunk.select("quotes").explode("quotes").drop_nulls().unnest("quotes").sort(*QUOTE_KEYS)
                if chunk["quotes"].list.len().sum()
                else pl.DataFrame(schema={**MARKED_SCHEMA, "_paged": pl.Boolean, "_input": pl.Int64, "_row": pl.Int64})
            )
            try:
                found = thread_edges(
                    chunk.drop("quotes", RECOVER, "_bucket"), marked.select(list(MARKED_SCHEMA)),
                    chunk[RECOVER].fill_null(False), implicit_target=implicit_target, stance=stance,
                )  # fmt: skip
            except SnaError as exc:
                out.append(("error", seq, str(exc).encode()))
                break
            thread_of = found.posts.select(pl.col("post_id").alias("source"), pl.col("thread_id").alias("_thread"))
            edges = found.edges.with_row_index("_row").join(thread_of, on="source", how="left", maintain_order="left")
            frames = [found.posts, edges.with_columns(pl.col("_row").cast(pl.Int64)),
                      _unresolved_keys(marked, found.unresolved)]  # fmt: skip
            if with_cascades:
                frames.append(thread_cascades(found.posts, found.edges))
            out += [(kind, seq, _blob(frame)) for kind, frame in zip(TABLES, frames, strict=False)]
            out.append(("counts", seq, json.dumps(found.counts).encode()))
            if seq == 0:  # the schema of each table, for the driver (as empty tables)
                out += [("schema", i, _blob(frame.head(0))) for i, frame in enumerate(frames)]
    if out:
        kinds, seqs, data = zip(*out, strict=True)
        yield pa.RecordBatch.from_pydict(
            {"kind": list(kinds), "part": [part] * len(out), "seq": list(seqs), "data": list(data)},
            schema=pa.schema([("kind", pa.string()), ("part", pa.int64()), ("seq", pa.int64()), ("data", pa.binary())]),
        )


def _decode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    for batch in batches:
        for data in batch.column("data").to_pylist():
            yield from pa.ipc.open_stream(data).read_all().to_batches()


def _spark_schema(frame: pl.DataFrame) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_plain(frame.to_arrow(compat_level=pl.CompatLevel.oldest())).schema)


def _murmur3_long(value: int, seed: int = 42) -> int:
    """Spark's ``hash()`` of a bigint (Murmur3 x86 32-bit over its two 32-bit halves, seed 42), as a signed int.

    Examples
    --------
    >>> _murmur3_long(0), _murmur3_long(1)
    (-1670924195, -1712319331)
    """
    mask = 0xFFFFFFFF

    def mix(h: int, k: int) -> int:
        k = (k * 0xCC9E2D51) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * 0x1B873593) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        return (h * 5 + 0xE6546B64) & mask

    h = mix(seed & mask, value & mask)
    h = mix(h, (value >> 32) & mask)
    h ^= 8
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def default_partitions(posts: int, parallelism: int) -> int:
    """Partitions of whole threads when ``--partitions`` is not given: the parallelism, more for a large corpus.

    Each Python worker holds one partition's posts (with their text) and its
    results at once, so at 10M posts two partitions would need two workers of
    several GB each; about :data:`PARTITION_POSTS` posts a partition keeps a
    worker under about 1 GB.

    Examples
    --------
    >>> default_partitions(20_000, 2), default_partitions(1_000_000, 2), default_partitions(10_000_000, 2)
    (2, 5, 50)
    >>> default_partitions(1_000_000, 64)
    64
    """
    return max(2, parallelism, -(-posts // PARTITION_POSTS))


def partition_keys(partitions: int) -> list[int]:
    """For each partition number, the smallest integer Spark's hash partitioning sends there.

    Repartitioning by these keys places rows exactly (a key per partition),
    where hashing thread ids would let two large threads share a task.

    Examples
    --------
    >>> keys = partition_keys(4)
    >>> [_murmur3_long(k) % 4 for k in keys]
    [0, 1, 2, 3]
    """
    found: dict[int, int] = {}
    value = 0
    while len(found) < partitions:
        found.setdefault(_murmur3_long(value) % partitions, value)
        value += 1
    return [found[p] for p in range(partitions)]


def global_checks(posts: DataFrame) -> None:
    """Raise the local engine's errors for a post id seen twice or a parent in another thread.

    One scan and one shuffle find whether either happens: each post gives its
    own id (with its thread) and its parent's id (with its thread), grouped by
    id. Only when one does are the queries run that name the post the local
    engine names (the least duplicated id; the first reply across threads).
    """
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    key = F.explode(F.array(
        F.struct(F.col("post_id").alias("key"), F.lit(1).alias("own"), F.col("thread_id").alias("thread")),
        F.struct(F.col("reply_to").alias("key"), F.lit(0).alias("own"), F.col("thread_id").alias("thread")),
    )).alias("_k")  # fmt: skip
    own = F.col("_k.own") == 1
    grouped = (
        posts.select(key)
        .filter(own | F.col("_k.key").isNotNull())
        .groupBy(F.col("_k.key").alias("key"))
        .agg(
            F.sum("_k.own").alias("own"),
            F.min(F.when(own, F.col("_k.thread"))).alias("parent"),
            F.min(F.when(~own, F.col("_k.thread"))).alias("low"),
            F.max(F.when(~own, F.col("_k.thread"))).alias("high"),
        )
    )
    crossing = (F.col("own") == 1) & ((F.col("low") != F.col("parent")) | (F.col("high") != F.col("parent")))
    found = grouped.agg(
        F.max((F.col("own") > 1).cast("int")).alias("twice"), F.max(crossing.cast("int")).alias("crossing")
    ).first()
    if not (found and (found["twice"] or found["crossing"])):
        return
    dup = posts.groupBy("post_id").count().filter("count > 1").orderBy("post_id").limit(1).collect()
    if dup:
        post_id = dup[0]["post_id"]
        rows = posts.filter(F.col("post_id") == post_id).select("source_file").collect()
        files = sorted({r["source_file"] for r in rows})
        raise InputError(
            f"post id {post_id!r} occurs twice (in {' and '.join(files)}); "
            "expected ids unique across inputs (rename one file or give thread_id/post_id columns)",
        )
    parents = posts.select(F.col("post_id").alias("_pid"), F.col("thread_id").alias("_pthread"))
    cross = (
        posts.select("post_id", "thread_id", "reply_to", "position")
        .join(parents, F.col("reply_to") == F.col("_pid"))
        .filter(F.col("thread_id") != F.col("_pthread"))
        .orderBy("thread_id", "position")
        .limit(1)
        .collect()
    )
    if cross:
        row = cross[0]
        raise SchemaError(
            f"post {row['post_id']!r} replies to {row['reply_to']!r}, which is in another thread "
            f"({row['_pthread']!r}, not {row['thread_id']!r}): expected replies within a thread"
        )


def _read_text(spark: SparkSession, path: str) -> str:
    return "\n".join(r["value"] for r in spark.read.text(path, wholetext=True).collect())


def per_thread(
    spark: SparkSession,
    source: str,
    *,
    partitions: int | None,
    implicit_target: str = "first",
    stance: Mapping[str, Any] | None = None,
    with_cascades: bool = False,
    progress: Progress = SILENT,
) -> tuple[DataFrame, dict[str, Any]]:
    """Run the global checks and the per-thread step on a converted folder; return the result blobs and facts.

    ``partitions`` None: :func:`default_partitions` of the folder's posts and
    the cluster's parallelism. The blobs are persisted; facts are the folder's ``sna-posts.json`` plus
    ``partitions``, ``large_threads`` (threads given a partition of their own)
    and ``largest_partition_posts``.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    if "://" in source:
        info = json.loads(_read_text(spark, f"{source.rstrip('/')}/{MARKER}"))
    else:
        info = converted_info(source)
    posts = spark.read.parquet(f"{source.rstrip('/')}/posts")
    quotes = spark.read.parquet(f"{source.rstrip('/')}/quotes")
    with progress.stage("checking ids and parents across threads"):
        global_checks(posts)
    sizes = posts.groupBy("thread_id").count()
    total = int(info["posts"])
    partitions = partitions or default_partitions(total, spark.sparkContext.defaultParallelism)
    share = max(1, total // partitions)
    large = sizes.filter(F.col("count") > share).orderBy(F.desc("count"), "thread_id").collect()
    slots = partitions + len(large)
    keys = partition_keys(slots)
    placed = spark.createDataFrame(
        [(r["thread_id"], keys[partitions + i]) for i, r in enumerate(large)], "thread_id string, _big long"
    )
    small_key = F.element_at(F.array(*[F.lit(k) for k in keys[:partitions]]),
                             (F.pmod(F.xxhash64("thread_id"), F.lit(partitions)) + 1).cast("int"))  # fmt: skip
    nested = quotes.groupBy("source").agg(F.collect_list(F.struct(*MARKED_SCHEMA, *QUOTE_KEYS)).alias("quotes"))
    posts = (
        posts.join(F.broadcast(placed), "thread_id", "left")
        .withColumn("_bucket", F.coalesce("_big", small_key))
        .drop("_big")
        .join(nested.withColumnRenamed("source", "post_id"), "post_id", "left")
        .withColumn("quotes", F.coalesce("quotes", F.array().cast(nested.schema["quotes"].dataType)))
        .repartition(slots, "_bucket")
        .sortWithinPartitions("thread_id", "position")
    )
    posts = posts.select(*info["columns"], RECOVER, "quotes", "_bucket")

    def work(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        yield from thread_partition(
            batches,
            implicit_target=implicit_target,
            stance=stance,
            part=context.partitionId() if context else 0,
            with_cascades=with_cascades,
        )

    with progress.stage(f"finding quotes and replies in {slots} partitions of whole threads"):
        # On disk only: a partition's blobs are one cached batch of ~150 MB at 200,000 posts. Kept in memory they
        # fill the heap's storage share, and reading one spilled back then ran out of heap (10M posts, 5 GB heap).
        blobs = posts.mapInArrow(work, _BLOB_SCHEMA).persist(StorageLevel.DISK_ONLY)
        small = blobs.filter(F.col("kind").isin("counts", "error", "schema")).orderBy("part", "seq").collect()
    errors = [r for r in small if r["kind"] == "error"]
    if errors:
        blobs.unpersist()
        raise SchemaError(errors[0]["data"].decode())
    counts = [json.loads(r["data"]) for r in small if r["kind"] == "counts"]
    schemas = {r["seq"]: r["data"] for r in small if r["kind"] == "schema"}
    facts = info | {"partitions": slots, "large_threads": len(large), "counts": counts, "schemas": schemas}
    return blobs, facts


def table(blobs: DataFrame, kind: str, facts: Mapping[str, Any]) -> DataFrame | None:
    """One result table (:data:`TABLES`) of the per-thread step as a Spark DataFrame (None if not made)."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    index = TABLES.index(kind)
    if index not in facts["schemas"]:
        return None
    schema = _spark_schema(_unblob(facts["schemas"][index]))
    return blobs.filter(F.col("kind") == kind).mapInArrow(_decode, schema)


def collect(frame: DataFrame, *, drop: tuple[str, ...] = ()) -> pl.DataFrame:
    """A Spark DataFrame on the driver as polars (through Arrow)."""
    kept = frame.drop(*[c for c in drop if c in frame.columns])
    return pl.from_arrow(kept.toArrow())  # type: ignore[return-value]


def _plain_parts(folder: Path) -> None:
    """Leave only ``part-NNNNN.parquet`` files in a folder Spark wrote (no ``_SUCCESS``, checksums or job ids)."""
    import re

    for path in sorted(folder.iterdir()):
        found = re.fullmatch(r"part-(\d+)-.*\.parquet", path.name)
        if found:
            path.rename(folder / f"part-{found.group(1)}.parquet")
        elif path.name == "_SUCCESS" or (path.name.startswith(".") and path.name.endswith(".crc")):
            path.unlink()


def run_spark(
    source: str | Path,
    out: str | Path,
    *,
    master: str | None = "local[2]",
    partitions: int | None = None,
    graph_on: str = "driver",
    skip: tuple[str, ...] = (),
    implicit_target: str = "first",
    stance_model: str = "default",
    stance_min_confidence: float | None = None,
    post_graph_files: bool | None = None,
    csv: bool | None = None,
    metric_options: Mapping[str, Any] | None = None,
    driver_limits: tuple[int, int] | None = None,
    driver_memory: str | None = None,
    spark: SparkSession | None = None,
    progress: Progress = SILENT,
) -> tuple[Any, Any, dict[Path, list[str]]]:
    """``sna run SOURCE --engine spark``: see the module text. Returns (Ingested, Metrics, written).

    ``driver_limits``: with ``graph_on="cluster"``, the largest author graph
    (nodes, links) the driver takes whole (default
    :data:`sna.engine.spark_graph.DRIVER_NODES`, ``DRIVER_LINKS``). With
    ``graph_on="cluster"`` the returned Ingested holds POSTS and EDGES only up
    to :data:`COLLECT_LIMIT` posts (else their empty schemas), and Metrics has
    ``post_metrics`` None (not computed) and ``cascades`` None above that limit
    (written by Spark). ``driver_memory`` is the driver's heap (see
    :func:`spark_session`); when Java runs out of heap the run stops with a
    one-line :class:`~sna.errors.SnaError` saying so. ``csv``: CSV copies of
    the tables, as for :func:`sna.pipeline.table_suffixes`.
    """
    from sna.convert import is_converted

    refuse_ignored_driver_memory(driver_memory, master=master, session_given=spark is not None)
    if graph_on not in ("driver", "cluster"):
        raise SnaError(f"--graph-on must be driver or cluster, not {graph_on!r}")
    source = str(source)
    if "://" not in source and not is_converted(source):
        raise SnaError(f"{source}: the Spark engine reads a folder `sna convert` wrote; run `sna convert {source} "
                       "--to DIR` first")  # fmt: skip
    own = spark is None
    spark = spark or spark_session(master, driver_memory=driver_memory)
    try:
        with _java_heap_errors(spark):
            stance = None if "stance" in skip else {"model": stance_model, "min_confidence": stance_min_confidence}
            blobs, facts = per_thread(spark, source, partitions=partitions, implicit_target=implicit_target,
                                      stance=stance, with_cascades=graph_on == "cluster",
                                      progress=progress)  # fmt: skip
            try:
                options = dict(metric_options or {})
                step = _on_cluster if graph_on == "cluster" else _on_driver
                return step(spark, blobs, facts, Path(out), source=source, implicit_target=implicit_target,
                            post_graph_files=post_graph_files, csv=csv, options=options,
                            driver_limits=driver_limits, progress=progress)  # fmt: skip
            finally:
                blobs.unpersist()
    finally:
        if own:
            spark.stop()


@contextmanager
def _java_heap_errors(spark: SparkSession) -> Iterator[None]:
    """Java's OutOfMemoryError (a Py4J error with a Java stack) as one line naming the heap and the flag."""
    try:
        yield
    except Exception as exc:
        if "java.lang.OutOfMemoryError" not in str(exc):
            raise
        try:
            heap = spark.sparkContext.getConf().get("spark.driver.memory", "1g")
        except Exception:  # a JVM that ran out of heap may no longer answer
            heap = "unknown"
        raise SnaError(f"Spark ran out of Java heap (driver memory {heap}); give it more with --driver-memory, "
                       "or on a cluster more executor memory, or more --partitions") from None  # fmt: skip


def _engine_facts(spark: SparkSession, facts: Mapping[str, Any], graph_on: str) -> dict[str, Any]:
    return {
        "name": "spark",
        "master": spark.sparkContext.master,
        "graph_on": graph_on,
        "partitions": facts["partitions"],
        "large_threads": facts["large_threads"],
    }


def _collected(blobs: DataFrame, facts: Mapping[str, Any], *, big: bool) -> tuple[pl.DataFrame, ...]:
    """POSTS (without text when ``big``), EDGES and unresolved quotes on the driver, in the local engine's order."""
    posts_df, edges_df, unresolved_df = (table(blobs, k, facts) for k in ("posts", "edges", "unresolved"))
    assert posts_df is not None and edges_df is not None
    posts = collect(posts_df, drop=("text", "raw_text") if big else ()).sort("thread_id", "position")
    edges = collect(edges_df).sort("_thread", "_row").drop("_thread", "_row")
    return posts, edges, _collected_unresolved(unresolved_df)


def _collected_unresolved(unresolved_df: DataFrame | None) -> pl.DataFrame:
    if unresolved_df is None:
        return pl.DataFrame(schema=UNRESOLVED_SCHEMA)
    return collect(unresolved_df).sort(*QUOTE_KEYS).drop(*QUOTE_KEYS)


def _write_big_ingest(blobs: DataFrame, facts: Mapping[str, Any], tables: Any, unresolved: pl.DataFrame,
                      summary: Mapping[str, Any]) -> list[str]:  # fmt: skip
    """POSTS and EDGES as partitioned Parquet written by Spark; unresolved quotes and ingest.json by the driver."""
    from sna.export import TEXT_LEVEL, write_json, write_tables

    blobs.sparkSession.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # POSTS' type, not INT96
    names = []
    for name, order in (("posts", ("thread_id", "position")), ("edges", ("_thread", "_row"))):
        frame = table(blobs, name, facts)
        assert frame is not None
        folder = tables(name)
        frame.orderBy(*order).drop("_thread", "_row").write.parquet(str(folder))
        _plain_parts(folder)
        names.append(f"{name}/")
    write_tables([(unresolved, tables("unresolved_quotes.parquet"))], compression_level=TEXT_LEVEL)  # as locally
    write_json(summary, tables("ingest.json"))
    return [*names, "unresolved_quotes.parquet", "ingest.json"]


def _on_driver(
    spark: SparkSession,
    blobs: DataFrame,
    facts: Mapping[str, Any],
    out: Path,
    *,
    source: str,
    implicit_target: str,
    post_graph_files: bool | None,
    csv: bool | None,
    options: dict[str, Any],
    driver_limits: tuple[int, int] | None,
    progress: Progress,
) -> tuple[Any, Any, dict[Path, list[str]]]:
    """``--graph-on driver``: POSTS without text and EDGES collected; the local global step unchanged."""
    from sna.outputs import output_folders
    from sna.pipeline import POST_GRAPH_FILE_LIMIT, Ingested, _legacy_files, stage_ingested, stage_metrics
    from sna.steps import add_counts, corpus_metrics, ingest_summary

    big = int(facts["posts"]) > COLLECT_LIMIT
    with progress.stage("collecting posts (without text) and edges to the driver"):
        posts, edges, unresolved = _collected(blobs, facts, big=big)
    counts = add_counts(facts["counts"])
    summary = ingest_summary(posts, counts, files=int(facts["files"]), files_skipped=int(facts["files_skipped"]),
                             implicit_target=implicit_target)  # fmt: skip
    ingested = Ingested(posts, edges, summary, unresolved)
    with progress.stage("computing metrics on the driver"):
        metrics = corpus_metrics(posts, edges, **options)
    metrics.summary["engine"] = _engine_facts(spark, facts, "driver")
    with output_folders(inputs=[] if "://" in source else [source]) as outputs:
        tables = outputs.folder(out, part="ingest", replaces=None, adopt=_legacy_files())
        metric_files = outputs.folder(out, part="metrics")
        with_posts = not big and (post_graph_files if post_graph_files is not None else
                                  posts.height <= POST_GRAPH_FILE_LIMIT)  # fmt: skip
        with progress.stage("laying out graphs"):
            from sna.analysis.views import graph_views

            views = graph_views(posts, edges, metrics, seed=int(options.get("seed", 0)), with_posts=with_posts)
        if big:
            with progress.stage("writing posts and edges as Parquet parts (Spark)"):
                names = _write_big_ingest(blobs, facts, tables, unresolved, summary)
        else:
            names = stage_ingested(ingested, tables, csv=csv)
        names += stage_metrics(posts, edges, metrics, metric_files, post_graph_files=with_posts, views=views,
                               progress=progress, csv=csv)  # fmt: skip
    return ingested, metrics, {out: names}


def _on_cluster(
    spark: SparkSession,
    blobs: DataFrame,
    facts: Mapping[str, Any],
    out: Path,
    *,
    source: str,
    implicit_target: str,
    post_graph_files: bool | None,
    csv: bool | None,
    options: dict[str, Any],
    driver_limits: tuple[int, int] | None,
    progress: Progress,
) -> tuple[Any, Any, dict[Path, list[str]]]:
    """``--graph-on cluster``: see :mod:`sna.engine.spark_graph`; the driver holds author-level tables only."""
    from pyspark import StorageLevel

    from sna.analysis.report import _cascade_summary
    from sna.analysis.views import author_view
    from sna.engine.spark_graph import (
        DRIVER_LINKS,
        DRIVER_NODES,
        NOT_COMPUTED,
        cascade_summary_frame,
        cluster_graph,
        cluster_metrics,
        placement,
    )
    from sna.export import write_json
    from sna.outputs import output_folders
    from sna.pipeline import Ingested, _legacy_files, stage_ingested, stage_metrics
    from sna.steps import add_counts

    if post_graph_files:
        raise SnaError("--post-graph-files needs the post graph: use --graph-on driver")
    big = int(facts["posts"]) > COLLECT_LIMIT
    posts_df, edges_df, cascades_df = (table(blobs, k, facts) for k in ("posts", "edges", "cascades"))
    assert posts_df is not None and edges_df is not None and cascades_df is not None
    posts_df = posts_df.select("post_id", "thread_id", "position", "author", "placeholder", "created_at")
    edges_df = edges_df.select(*[c for c in ("source", "target", "kind", "stance", "created_at") if c in
                                 edges_df.columns])  # fmt: skip
    posts_df = posts_df.persist(StorageLevel.MEMORY_AND_DISK)
    edges_df = edges_df.persist(StorageLevel.MEMORY_AND_DISK)
    limits = driver_limits or (DRIVER_NODES, DRIVER_LINKS)
    try:
        with progress.stage("author graph on the cluster; degrees, PageRank and components"):
            graph = cluster_graph(spark, posts_df, edges_df, implicit_links=options.get("implicit_links", "ignore"),
                                  max_nodes=limits[0], max_links=limits[1])  # fmt: skip
    finally:
        posts_df.unpersist()
        edges_df.unpersist()
    counts = add_counts(facts["counts"])
    found = graph.facts
    summary = {
        "files": int(facts["files"]),
        "files_skipped": int(facts["files_skipped"]),
        "threads": found["threads"],
        "posts": found["posts"],
        "authors": found["authors"],
        "posts_without_author": found["posts_without_author"],
        "implicit_target": implicit_target,
        **counts,
    }
    ordered = cascades_df.orderBy("_kind", "thread_id", "_position").drop("_kind", "_position")
    if found["has_stance"]:
        from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

        ordered = ordered.withColumns({c: F.coalesce(c, F.lit(0).cast("long")) for c in ("agree", "disagree")})
    if big:
        cascades = None
        with progress.stage("summarising cascades on the cluster"):
            cascade_summary = {
                kind: cascade_summary_frame(ordered.filter(f"kind = '{kind}'")) for kind in ("reply", "quote")
            }
    else:
        cascades = collect(ordered)
        if found["has_stance"]:
            cascades = cascades.with_columns(pl.col("agree", "disagree").fill_null(0))
        cascade_summary = {
            kind: _cascade_summary(cascades.filter(pl.col("kind") == kind)) for kind in ("reply", "quote")
        }
    with progress.stage("betweenness, harmonic, HITS, Katz, communities and camps on the driver (author graph)"):
        metrics, subgraph = cluster_metrics(graph, cascades, cascade_summary, max_nodes=limits[0], max_links=limits[1],
                                            **options)  # fmt: skip
    metrics.summary["engine"] = _engine_facts(spark, facts, "cluster") | {
        "measured_on": graph.measured_on, **placement(graph.measured_on), "driver_subgraph": subgraph,
        "not_computed": NOT_COMPUTED, "pagerank_iterations": graph.convergence.iterations,
    }  # fmt: skip
    with output_folders(inputs=[] if "://" in source else [source]) as outputs:
        tables = outputs.folder(out, part="ingest", replaces=None, adopt=_legacy_files())
        metric_files = outputs.folder(out, part="metrics")
        if big:
            unresolved = _collected_unresolved(table(blobs, "unresolved", facts))
            ingested = Ingested(_unblob(facts["schemas"][0]), _unblob(facts["schemas"][1]).drop("_thread", "_row"),
                                summary, unresolved)  # fmt: skip
            with progress.stage("writing posts, edges and cascades as Parquet parts (Spark)"):
                names = _write_big_ingest(blobs, facts, tables, unresolved, summary)
                ordered.write.parquet(str(metric_files("cascades")))
                _plain_parts(metric_files("cascades"))
            names.append("cascades/")
        else:
            with progress.stage("collecting posts and edges to write them through the local writer"):
                posts, edges, unresolved = _collected(blobs, facts, big=False)
            ingested = Ingested(posts, edges, summary, unresolved)
            names = stage_ingested(ingested, tables, csv=csv)
        with progress.stage("laying out the author graph"):
            views = {"authors": author_view(metrics, graph.firsts, seed=int(options.get("seed", 0)))}
        names += stage_metrics(graph.firsts, graph.pair_times, metrics, metric_files, post_graph_files=False,
                               views=views, progress=progress, csv=csv)  # fmt: skip
        graph_files = {
            "authors": "written",
            "posts": "left out: the post graph is not computed with --graph-on cluster",
        }
        write_json(metrics.summary | {"graph_files": graph_files}, metric_files("summary.json"))
    return ingested, metrics, {out: names}
