"""The thin layer that reads files, runs the analyses and writes results.

Only this module and the CLI touch the file system.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from sna.analysis.pictures import PictureOptions
from sna.analysis.report import CAMP_SCHEMA, THREAD_CAMP_SCHEMA, Metrics, compute_metrics
from sna.convert import Sources, is_converted, read_converted
from sna.edges import UNRESOLVED_SCHEMA
from sna.errors import InputError, SchemaError, SnaError
from sna.export import (
    EDGE_VIZ,
    NODE_VIZ,
    TEXT_LEVEL,
    VIZ_COLUMNS,
    gexf_viz,
    graph_file_tables,
    write_gexf,
    write_graphml,
    write_json,
    write_table,
    write_tables,
)
from sna.io import ReadOptions, expand_inputs, read_input
from sna.io.base import Parsed
from sna.io.merge import merge_pages
from sna.outputs import Results, Stage, atomic_outputs, open_results, output_folders, read_manifest
from sna.progress import SILENT, Progress
from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, empty_marked, validate_edges, validate_posts
from sna.steps import check_unique_ids, ingest_summary, thread_edges

#: Above this many posts the tables with a row per post or per link (:data:`PER_POST_TABLES`)
#: are written as Parquet only, unless CSV copies are asked for (``csv=True``, ``--csv``): at
#: 1M posts their CSV copies pass 1.3 GB and cost a tenth of the run. The other tables (per
#: author, cascade or camp) keep their CSV copies.
CSV_COPY_LIMIT = 200_000
PER_POST_TABLES = ("posts", "edges", "post_metrics")


def table_suffixes(table: str, n_posts: int, csv: bool | None = None) -> tuple[str, ...]:
    """The files a table is written as: Parquet, and a CSV copy unless it is left out.

    ``csv``: True for CSV copies of every table, False for none; None (the
    default) leaves out those of :data:`PER_POST_TABLES` above
    :data:`CSV_COPY_LIMIT` posts.

    Examples
    --------
    >>> table_suffixes("posts", 1_000), table_suffixes("posts", 1_000_000)
    (('.csv', '.parquet'), ('.parquet',))
    >>> table_suffixes("author_metrics", 1_000_000), table_suffixes("posts", 1_000_000, csv=True)
    (('.csv', '.parquet'), ('.csv', '.parquet'))
    >>> table_suffixes("author_metrics", 10, csv=False)
    ('.parquet',)
    """
    wanted = csv if csv is not None else table not in PER_POST_TABLES or n_posts <= CSV_COPY_LIMIT
    return (".csv", ".parquet") if wanted else (".parquet",)


@dataclass(frozen=True)
class Ingested:
    """The canonical tables of a corpus and what was counted on the way.

    Attributes
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    summary : dict
        Files, threads, posts, authors, edges by kind, unresolved quotes, …
    unresolved : pl.DataFrame
        Marked quotes of posts not in the input (``sna.edges.UNRESOLVED_SCHEMA``).
    edge_rows : tuple of np.ndarray, optional
        Each edge's source and target as row numbers of ``posts``, when
        extracted in this process (:attr:`sna.edges.Extracted.rows`): the
        metrics then need not look the post ids up again.
    """

    posts: pl.DataFrame
    edges: pl.DataFrame
    summary: dict[str, object] = field(default_factory=dict)
    unresolved: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNRESOLVED_SCHEMA))
    edge_rows: tuple[np.ndarray, np.ndarray] | None = None


def ingest(
    inputs: Iterable[str | Path],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit_target: str = "first",
    encoding: str | None = None,
    progress: Progress = SILENT,
) -> Ingested:
    """Read forum files and directories into POSTS and EDGES.

    Parameters
    ----------
    inputs : iterable of path
        Files, or directories searched recursively.
    format : str, optional
        Force one input format (see ``sna formats``).
    mapping : dict, optional
        Column names for tables, canonical name to source name.
    implicit_target : {"first", "previous", "none"}
        What a post that quotes nothing and states no parent is linked to by an
        assumed (``implicit``) edge (see :func:`sna.edges.extract_edges`).
    encoding : str, optional
        Text encoding of CSV, TSV and JSON Lines tables and plain-text pages
        (a Python codec name such as ``cp1252``; ``--encoding``); UTF-8 unless
        given. Other formats state theirs.
    progress : Progress
        Where to report stages.

    Returns
    -------
    Ingested
    """
    started = time.perf_counter()
    inputs = list(inputs)
    if not inputs:
        raise SnaError("no input files given")
    if any(is_converted(p) for p in inputs):
        with progress.stage("reading converted posts"):
            sources = read_converted_inputs(inputs)
    else:
        sources = read_sources(inputs, format=format, mapping=mapping, encoding=encoding, progress=progress)
    check_unique_ids(sources.posts)
    with progress.stage("finding quotes and replies"):
        extracted = thread_edges(sources.posts, sources.marked, sources.recover, implicit_target=implicit_target)
    out_posts = extracted.posts
    summary = ingest_summary(
        out_posts, extracted.counts, files=sources.files, files_skipped=sources.files_skipped,
        implicit_target=implicit_target,
    )  # fmt: skip
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return Ingested(out_posts, extracted.edges, summary, extracted.unresolved, extracted.rows)


def read_sources(
    inputs: list[str | Path],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    progress: Progress = SILENT,
) -> Sources:
    """Read forum files and folders into POSTS, stated quotes and recover flags (see :func:`ingest`)."""
    with progress.stage("finding inputs"):
        files, skipped = expand_inputs(inputs)
    if not files:
        raise SnaError(f"no readable input files in {', '.join(str(p) for p in inputs)}")
    options = ReadOptions(mapping=dict(mapping or {}), encoding=encoding)
    posts_parts, quote_parts, recover_parts = [], [], []
    paged: list[tuple[Parsed, str]] = []  # pages of threads, merged by post id below
    with progress.stage(f"reading {len(files)} file{'s' if len(files) != 1 else ''}"):
        for path in files:
            parsed = read_input(path, format=format, options=options)
            if parsed.pages:
                paged.append((parsed, str(path)))
                continue
            posts_parts.append(parsed.posts.with_columns(source_file=pl.lit(str(path))))
            quote_parts.append(parsed.quotes)
            recover_parts.append(pl.Series([parsed.recover] * parsed.posts.height, dtype=pl.Boolean))
    if paged:
        paged_posts, paged_quotes = merge_pages([p for p, _ in paged], [name for _, name in paged])
        posts_parts.append(paged_posts)
        quote_parts.append(paged_quotes)
        recover_parts.append(pl.Series([False] * paged_posts.height, dtype=pl.Boolean))
    posts = pl.concat(posts_parts, how="diagonal_relaxed")
    marked = pl.concat([empty_marked(), *quote_parts], how="diagonal_relaxed")
    return Sources(posts, marked, pl.concat(recover_parts), len(files), len(skipped))


def read_converted_inputs(inputs: list[str | Path]) -> Sources:
    """Read a folder ``sna convert`` wrote (given alone)."""
    if len(inputs) != 1:
        raise SnaError("a folder `sna convert` wrote is read alone: give it as the only input")
    return read_converted(inputs[0])


def stage_ingested(result: Ingested, stage: Callable[[str], Path], *, csv: bool | None = None) -> list[str]:
    """Write posts and edges (Parquet, and CSV copies as :func:`table_suffixes` says) and ``ingest.json``."""
    names, write = staged_ingested(result, stage, csv=csv)
    write()
    return names


def staged_ingested(
    result: Ingested, stage: Callable[[str], Path], *, csv: bool | None = None
) -> tuple[list[str], Callable[[], None]]:
    """Stage the files of :func:`stage_ingested` now; return their names and the function that writes them.

    Staging (naming the files in the output folder) happens in the caller's
    thread, in a fixed order; the writing may run in another thread while the
    caller computes metrics (polars writes without holding the GIL).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> posts = pl.DataFrame(schema=POSTS_SCHEMA)
    >>> names, write = staged_ingested(Ingested(posts, pl.DataFrame(schema=EDGES_SCHEMA)), lambda n: folder / n)
    >>> names[:2], (folder / "posts.csv").exists()
    (['posts.csv', 'posts.parquet'], False)
    >>> write()
    >>> (folder / "posts.csv").read_text().split(",")[:2]
    ['thread_id', 'post_id']
    """
    tables = (("posts", result.posts), ("edges", result.edges), ("unresolved_quotes", result.unresolved))
    n = result.posts.height
    jobs = [(df, stage(f"{table}{suffix}")) for table, df in tables for suffix in table_suffixes(table, n, csv)]
    summary_path = stage("ingest.json")
    summary = {k: v for k, v in result.summary.items() if k != "seconds"}

    def write() -> None:
        write_tables(jobs, compression_level=TEXT_LEVEL)
        write_json(summary, summary_path)

    return [path.name for _, path in jobs] + ["ingest.json"], write


#: The parts of a results folder (as its manifest names them) and the parts computed from
#: each: writing a part replaces its earlier files and removes those of the parts computed
#: from it, which would be stale; other parts stay.
DERIVED_PARTS: dict[str, tuple[str, ...]] = {
    "ingest": ("metrics", "figures", "html"),
    "metrics": ("figures", "html"),
    "stance": (),  # sna stance DIR: new edges.*; metrics stay (reported stale) as they were
    "figures": (),
    "html": (),
}


def part_outputs(
    folder: str | Path, part: str, *, whole: bool = False, inputs: Iterable[str | Path] = (),
    info: dict[str, object] | None = None,
) -> AbstractContextManager[Stage]:  # fmt: skip
    """Write one part of a results folder atomically (see :func:`sna.outputs.atomic_outputs`).

    Replaces the part's earlier files and those of the parts computed from it
    (:data:`DERIVED_PARTS`), or every file sna wrote there when ``whole``;
    keeps the rest. A command that rewrites some files of a folder in place
    names a part of its own: :func:`label_folder` (``sna stance DIR``) writes
    ``edges.*`` as part ``stance``, so posts and metrics stay.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r"
    >>> with part_outputs(out, "ingest", whole=True) as stage:
    ...     _ = stage("posts.csv").write_text("post_id\\n")
    >>> with part_outputs(out, "metrics") as stage:
    ...     _ = stage("summary.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['.sna-manifest.json', 'posts.csv', 'summary.json']
    """
    replaces = None if whole else (part, *DERIVED_PARTS.get(part, ()))
    return atomic_outputs(folder, part=part, replaces=replaces, inputs=inputs, info=info, adopt=_legacy_files())


def _legacy_files() -> dict[str, str]:
    """The files of a results folder written before manifests, by part (see ``adopt`` in sna.outputs)."""
    tables = {"ingest": ("posts", "edges", "unresolved_quotes"), "metrics": (*METRIC_TABLES, *OPTIONAL_METRIC_TABLES)}
    files = {f"{t}{suffix}": part for part, names in tables.items() for t in names for suffix in (".csv", ".parquet")}
    return files | {"ingest.json": "ingest", "summary.json": "metrics"} | dict.fromkeys(GRAPH_FILES, "metrics")


def ingest_outputs(out_dir: str | Path, *, inputs: Iterable[str | Path] = ()) -> AbstractContextManager[Stage]:
    """The output folder of ``sna ingest``: locked at once, replaced as a whole at the end."""
    return part_outputs(out_dir, "ingest", whole=True, inputs=inputs)


def write_ingested(
    result: Ingested, out_dir: str | Path, *, inputs: Iterable[str | Path] = (), csv: bool | None = None
) -> list[Path]:
    """Write what :func:`stage_ingested` writes into ``out_dir``, atomically; return the paths.

    ``inputs``: the files read, which the outputs must not replace; ``csv``: as
    for :func:`table_suffixes`.
    """
    with ingest_outputs(out_dir, inputs=inputs) as stage:
        names = stage_ingested(result, stage, csv=csv)
    return [Path(out_dir) / name for name in names]


# Reading results folders -------------------------------------------------------------


def _first_line(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split())
    return (text[: limit - 1] + "…") if len(text) > limit else text or type(exc).__name__


def _parquet(results: Results, name: str, writer: str) -> pl.DataFrame:
    """Read ``name.parquet`` of the result set, or say what is wrong and which command writes it."""
    file = f"{name}.parquet"
    path = results.path / file
    if not results.has(file) and (parts := results.parts(name)):  # written as a folder of parts (Spark, large runs)
        return pl.concat([_parquet_file(results, part, writer) for part in parts])
    if not results.has(file):
        if results.present(file):
            raise InputError(f"not listed in {results.path}'s manifest (left from an earlier run?); run `{writer}`",
                             path=path)  # fmt: skip
        if results.has(f"{name}.csv"):
            fix = f"sna ingest {results.path / name}.csv --out NEW" if name == "posts" else writer
            raise InputError(f"missing (there is {name}.csv, but results are read from Parquet); run `{fix}`",
                             path=path)  # fmt: skip
        raise SnaError(f"{results.path}: no {file}; run `{writer.replace('DIR', str(results.path))}` first")
    return _parquet_file(results, file, writer)


def _parquet_file(results: Results, file: str, writer: str) -> pl.DataFrame:
    """Read one listed Parquet file of the result set, or say it is unreadable and which command writes it."""
    from polars.exceptions import PanicException

    try:
        with results.open(file) as handle:
            return pl.read_parquet(handle)
    except (Exception, PanicException) as exc:  # polars panics on some corrupt pages
        if isinstance(exc, SnaError):
            raise
        raise InputError(f"not a readable Parquet table ({_first_line(exc)}); run `{writer}` again",
                         path=results.path / file) from None  # fmt: skip


def _typed(df: pl.DataFrame, schema: Mapping[str, pl.DataType], path: Path, writer: str) -> pl.DataFrame:
    """The table with ``schema``'s columns in their types (lossless casts only), extra columns after."""
    missing = [name for name in schema if name not in df.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; run `{writer}` again", path=path)
    columns = []
    for name, dtype in schema.items():
        actual = df.schema[name]
        column = pl.col(name)
        if actual == dtype:
            columns.append(column)
            continue
        if isinstance(dtype, pl.Datetime) and isinstance(actual, pl.Datetime):
            zoned = column.dt.replace_time_zone("UTC") if actual.time_zone is None else column  # type: ignore[union-attr]
            columns.append(zoned.dt.convert_time_zone("UTC").cast(dtype))
        elif (
            actual == pl.Null
            or (actual.is_integer() and (dtype.is_integer() or dtype.is_float()))
            or (actual.is_float() and dtype.is_float())
        ):
            columns.append(column.cast(dtype, strict=True))
        else:
            raise InputError(f"column {name!r} holds {actual}, expected {dtype}; run `{writer}` again", path=path)
    try:
        return df.select(*columns, *[c for c in df.columns if c not in schema])
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"a column does not fit its type ({_first_line(exc)}); run `{writer}` again",
                         path=path) from None  # fmt: skip


def _validated(check: Callable[[], object], path: Path) -> None:
    try:
        check()
    except SchemaError as exc:
        raise InputError(str(exc), path=path) from None


#: Timestamps sna can show: Python's datetime range (years 1 to 9999), in microseconds since 1970.
_TIME_RANGE_US = (-62_135_596_800 * 10**6, 253_402_300_799 * 10**6)


def _check_times(posts: pl.DataFrame, path: Path, writer: str) -> None:
    micros = posts["created_at"].cast(pl.Int64)
    outside = (micros < _TIME_RANGE_US[0]) | (micros > _TIME_RANGE_US[1])
    if outside.any():
        post = posts.filter(outside.fill_null(False))["post_id"][0]
        raise InputError(f"created_at is outside the years 1-9999; run `{writer}` again", path=path, post=post)


def _read_corpus(results: Results) -> Ingested:
    writer = "sna ingest INPUT --out DIR"
    tables = {}
    for name, schema in (("posts", POSTS_SCHEMA), ("edges", EDGES_SCHEMA)):
        tables[name] = _typed(_parquet(results, name, writer), schema, results.path / f"{name}.parquet", writer)
    posts, edges = tables["posts"], tables["edges"]
    _validated(lambda: validate_posts(posts), results.path / "posts.parquet")
    _check_times(posts, results.path / "posts.parquet", writer)
    _validated(lambda: validate_edges(edges, posts), results.path / "edges.parquet")
    unresolved = pl.DataFrame(schema=UNRESOLVED_SCHEMA)
    if results.has("unresolved_quotes.parquet"):  # folders from before unresolved quotes were kept have none
        path = results.path / "unresolved_quotes.parquet"
        unresolved = _typed(_parquet(results, "unresolved_quotes", writer), UNRESOLVED_SCHEMA, path, writer)
        known = unresolved["source"].is_in(posts["post_id"].implode())
        if not known.all():
            post = unresolved.filter(~known)["source"][0]
            raise InputError(f"quoting post {post!r} is not in posts.parquet; run `{writer}` again", path=path)
    return Ingested(posts, edges, _json_object(results, "ingest.json", writer), unresolved)


def read_ingested(directory: str | Path) -> Ingested:
    """Read the posts and edges that :func:`write_ingested` (or :func:`run`) wrote.

    Only files the folder's manifest lists are read (any file of the name
    in a folder without one); each table is checked against its schema.

    Raises
    ------
    SnaError
        When the folder lacks ``posts.parquet`` or ``edges.parquet``, or a
        table is unreadable, misses a column, holds a column of the wrong type
        or breaks the POSTS/EDGES rules (each naming the file).
    """
    with open_results(directory) as results:
        return _read_corpus(results)


def label_folder(directory: str | Path, **options: object) -> tuple[pl.DataFrame, bool]:
    """Label the stance of the edges in a folder ``sna ingest`` wrote, replacing its edges tables.

    Both ``edges.csv`` (if the folder holds one) and ``edges.parquet`` are
    replaced together in one switch of the folder (see :func:`part_outputs`, part ``stance``), or
    neither (when labelling fails); every other file stays and the manifest
    lists the new edges. ``options`` go to :func:`sna.stance.label_edges`.

    Returns
    -------
    edges : pl.DataFrame
        The labelled EDGES.
    stale : bool
        Whether the folder also holds metric tables, computed before these labels.
    """
    from sna.stance import label_edges

    directory = Path(directory)
    with part_outputs(directory, "stance") as stage:  # locked before reading: no writer can slip in between
        ingested = read_ingested(directory)
        edges = label_edges(ingested.posts, ingested.edges, **options)
        suffixes = (".csv", ".parquet") if (directory / "edges.csv").exists() else (".parquet",)  # no stale copy
        write_tables([(edges, stage(f"edges{suffix}")) for suffix in suffixes], compression_level=TEXT_LEVEL)
    manifest = read_manifest(directory)
    stale = manifest is not None and bool(manifest.names("metrics"))
    return edges, stale


METRIC_TABLES = ("post_metrics", "author_metrics", "author_edges", "cascades")
#: Metric tables written only when they have rows (read as empty when absent).
OPTIONAL_METRIC_TABLES = ("camps", "thread_camps")
GRAPH_FILES = ("posts.gexf", "authors.gexf", "posts.graphml", "authors.graphml")


#: Above this many posts the post graph's GEXF/GraphML files are left out unless asked for:
#: at 1M posts they pass 1.5 GB, take half a minute, and no desktop tool opens them.
POST_GRAPH_FILE_LIMIT = 200_000


def stage_metrics(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics: Metrics,
    stage: Callable[[str], Path],
    *,
    post_graph_files: bool | None = None,
    views: dict | None = None,
    progress: Progress = SILENT,
    edge_rows: tuple[np.ndarray, np.ndarray] | None = None,
    csv: bool | None = None,
) -> list[str]:
    """Write metric tables (Parquet, and CSV copies as :func:`table_suffixes` says), ``summary.json`` and graph files.

    ``post_graph_files``: write ``posts.gexf``/``posts.graphml`` (default: only
    up to ``POST_GRAPH_FILE_LIMIT`` posts; ``authors.*`` are always written).
    ``views``: the laid-out graphs whose positions and colours the GEXF files
    carry (:func:`sna.analysis.views.graph_views`; computed when not given).
    ``edge_rows``: as :attr:`Ingested.edge_rows`, if known. ``csv``: as for
    :func:`table_suffixes`.
    """
    written: list[str] = []
    # A table that is None was not computed (the Spark engine's --graph-on cluster: post_metrics); not written.
    tables = [name for name in METRIC_TABLES if getattr(metrics, name) is not None]
    tables += [name for name in OPTIONAL_METRIC_TABLES if getattr(metrics, name).height]
    jobs = [(getattr(metrics, name), stage(name + suffix))
            for name in tables for suffix in table_suffixes(name, posts.height, csv)]  # fmt: skip
    with ThreadPoolExecutor(max_workers=2) as pool:  # polars builds and writes without the GIL
        # The metric tables are written while the graph files' tables are built; files are staged in order.
        futures = [pool.submit(write_table, df, path) for df, path in jobs]
        written += [path.name for _, path in jobs]
        written += _stage_graph_files(posts, edges, metrics, stage, pool, futures, post_graph_files=post_graph_files,
                                      views=views, progress=progress, edge_rows=edge_rows)  # fmt: skip
        for future in futures:
            future.result()
    return written


def _stage_graph_files(
    posts: pl.DataFrame, edges: pl.DataFrame, metrics: Metrics, stage: Callable[[str], Path], pool: ThreadPoolExecutor,
    futures: list, *, post_graph_files: bool | None, views: dict | None, progress: Progress,
    edge_rows: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[str]:  # fmt: skip
    """Write ``summary.json`` and submit the graph files to ``pool`` (their futures go to ``futures``)."""
    written: list[str] = []
    with_posts = posts.height <= POST_GRAPH_FILE_LIMIT if post_graph_files is None else post_graph_files
    graph_files = {
        "authors": "written",
        "posts": "written"
        if with_posts
        else f"left out: {posts.height:,} posts (over {POST_GRAPH_FILE_LIMIT:,}); ask with --post-graph-files",
    }
    write_json(metrics.summary | {"graph_files": graph_files}, stage("summary.json"))
    written.append("summary.json")
    with progress.stage("writing graph files"):
        if views is None:
            from sna.analysis.views import graph_views

            views = graph_views(posts, edges, metrics, seed=int(metrics.summary.get("seed", 0)), with_posts=with_posts)
        tables = graph_file_tables(posts, edges, metrics.post_metrics, metrics.author_metrics, metrics.author_edges,
                                   with_posts=with_posts, views=views, edge_rows=edge_rows)  # fmt: skip
        for name, (nodes, links) in tables.items():
            weight = "weight" if "weight" in links.columns else None
            kind = "kind" if name == "posts" else None
            futures.append(
                pool.submit(
                    write_gexf,
                    stage(f"{name}.gexf"),
                    nodes,
                    links,
                    node_id="id",
                    label="label" if "label" in nodes.columns else None,
                    weight=weight,
                    edge_kind=kind,
                    description=f"sna {name} graph",
                    node_viz=gexf_viz(nodes, NODE_VIZ),
                    edge_viz=gexf_viz(links, EDGE_VIZ),
                )
            )
            plain = (nodes.drop(VIZ_COLUMNS, strict=False), links.drop(VIZ_COLUMNS, strict=False))
            futures.append(pool.submit(write_graphml, stage(f"{name}.graphml"), *plain, node_id="id"))
            written += [f"{name}.gexf", f"{name}.graphml"]
        for future in futures:  # inside the stage: it times the graph files
            future.result()
    return written


def write_metrics(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    metrics: Metrics,
    out_dir: str | Path,
    *,
    post_graph_files: bool | None = None,
    progress: Progress = SILENT,
    csv: bool | None = None,
) -> list[Path]:
    """Write what :func:`stage_metrics` writes into ``out_dir``, atomically; return the paths.

    The posts and edges already there stay; earlier metrics, figures and
    pages there are replaced or removed.
    """
    with part_outputs(out_dir, "metrics") as stage:
        names = stage_metrics(posts, edges, metrics, stage, post_graph_files=post_graph_files, progress=progress,
                              csv=csv)  # fmt: skip
    return [Path(out_dir) / name for name in names]


STAGES = ("stance", "figures", "html")


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` computed and wrote.

    Attributes
    ----------
    ingested : Ingested
        POSTS and EDGES (stance filled in unless skipped).
    metrics : Metrics
        Metric tables and summary.
    written : dict
        Folder → file names written there.
    notes : list of str
        Pictures left out and why (e.g. no timestamps).
    """

    ingested: Ingested
    metrics: Metrics
    written: dict[Path, list[str]]
    notes: list[str]


def _pictures_stage(figures: Stage, pages: Stage) -> Stage:
    """One stage for :func:`sna.render.write_pictures`: HTML files belong to part ``html``, the rest to ``figures``."""

    def stage(name: str) -> Path:
        return pages(name) if name.endswith(".html") else figures(name)

    return stage


def run(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    figures_dir: str | Path | None = None,
    skip: Iterable[str] = (),
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit_target: str = "first",
    encoding: str | None = None,
    implicit_links: str = "ignore",
    rank_anonymous: bool = True,
    seed: int = 0,
    sources: int | None = None,
    n_camps: int | None = None,
    min_camp_size: int = 2,
    camps_by: str = "corpus",
    svg: bool = False,
    dpi: int = 150,
    post_graph_files: bool | None = None,
    csv: bool | None = None,
    stance_model: str = "default",
    stance_min_confidence: float | None = None,
    pictures: PictureOptions | None = None,
    progress: Progress = SILENT,
) -> RunResult:
    """Ingest, label stance, compute metrics and draw pictures; write everything or nothing.

    Parameters
    ----------
    inputs : iterable of path
        Forum files or folders.
    out : path
        Folder for tables and graph files.
    figures_dir : path, optional
        Folder for figures and HTML pages (default ``out/figures``).
    skip : iterable of str
        Stages to leave out: ``stance``, ``figures``, ``html``.
    format, mapping, implicit_target, encoding
        As for :func:`ingest`.
    implicit_links, rank_anonymous, seed, sources, n_camps, min_camp_size, camps_by
        As for :func:`sna.analysis.report.compute_metrics`.
    svg, dpi
        Also write SVG figures; resolution of PNG figures.
    post_graph_files : bool, optional
        As for :func:`stage_metrics`.
    csv : bool, optional
        CSV copies of the tables, as for :func:`table_suffixes`.
    stance_model, stance_min_confidence
        ``model`` and ``min_confidence`` of :func:`sna.stance.label_edges`.
    pictures : PictureOptions, optional
        Thread, labels and filters of the figures and pages (its seed is ``seed``).
    progress : Progress
        Where to report stages.

    Returns
    -------
    RunResult

    Raises
    ------
    SnaError
        For an unknown stage name, and for bad input (nothing is written).
    """
    skipped = {s.strip() for s in skip if s.strip()}
    unknown = skipped - set(STAGES)
    if unknown:
        raise SnaError(f"--skip: unknown stage {', '.join(sorted(unknown))} (stages: {', '.join(STAGES)})")
    inputs = list(inputs)
    out = Path(out)
    folder = Path(figures_dir) if figures_dir is not None else out / "figures"
    drawing = not {"figures", "html"} <= skipped
    with output_folders(inputs=inputs) as outputs:  # locks the folders now; switched in at the end
        tables = outputs.folder(out, part="ingest", replaces=None, adopt=_legacy_files())  # all of it is this run's
        metric_files = outputs.folder(out, part="metrics")
        if drawing:
            figure_files = outputs.folder(folder, part="figures", replaces=["figures", "html"])
            page_files = outputs.folder(folder, part="html", replaces=["figures", "html"])
        result = ingest(
            inputs, format=format, mapping=mapping, implicit_target=implicit_target, encoding=encoding,
            progress=progress,
        )  # fmt: skip
        if "stance" not in skipped:
            from sna.stance import label_edges

            with progress.stage("labelling stance"):
                edges = label_edges(result.posts, result.edges, model=stance_model,
                                    min_confidence=stance_min_confidence)  # fmt: skip
                result = replace(result, edges=edges)
        # POSTS and EDGES are written (in a thread: polars writes without the GIL) while metrics are computed.
        names, write_ingested_files = staged_ingested(result, tables, csv=csv)
        with ThreadPoolExecutor(max_workers=1) as writer:  # waits for the writer on every way out
            pending = writer.submit(write_ingested_files)
            with progress.stage("computing metrics"):
                metrics = compute_metrics(
                    result.posts, result.edges, seed=seed, sources=sources, n_camps=n_camps,
                    implicit_links=implicit_links, rank_anonymous=rank_anonymous, min_camp_size=min_camp_size,
                    camps_by=camps_by, edge_rows=result.edge_rows,
                )  # fmt: skip
            written: dict[Path, list[str]] = {}
            notes: list[str] = []
            with_posts = result.posts.height <= POST_GRAPH_FILE_LIMIT if post_graph_files is None else post_graph_files
            with progress.stage("laying out graphs"):
                from sna.analysis.views import graph_views

                views = graph_views(result.posts, result.edges, metrics, seed=seed, with_posts=with_posts)
            names += stage_metrics(
                result.posts, result.edges, metrics, metric_files, post_graph_files=post_graph_files, views=views,
                progress=progress, edge_rows=result.edge_rows, csv=csv,
            )  # fmt: skip
            pending.result()
        if drawing:
            from sna.analysis.pictures import picture_data
            from sna.render import figure_notes, write_pictures

            options = replace(pictures or PictureOptions(), seed=seed)
            with progress.stage("preparing pictures"):
                drawn_data = picture_data(result.posts, result.edges, metrics, options, views=views,
                                          pages="html" not in skipped)  # fmt: skip
            notes = figure_notes(drawn_data) if "figures" not in skipped else []
            written[folder] = write_pictures(
                drawn_data, _pictures_stage(figure_files, page_files), folder=folder, others=[(out, names)],
                figures="figures" not in skipped, html="html" not in skipped, svg=svg, dpi=dpi,
                inputs=result.summary, progress=progress, reuse_figures=False,  # this run replaces old figures
            )  # fmt: skip
        written[out] = names
    return RunResult(result, metrics, written, notes)


@dataclass(frozen=True)
class ResultSet:
    """Everything a results folder holds, as read by :func:`load_results`.

    Attributes
    ----------
    posts, edges : pl.DataFrame
        POSTS and EDGES.
    metrics : Metrics
        Metric tables and ``summary.json``.
    id : str or None
        The manifest's id of the folder (None for a folder without one).
    """

    posts: pl.DataFrame
    edges: pl.DataFrame
    metrics: Metrics
    id: str | None


@functools.cache
def metric_schemas() -> dict[str, dict[str, pl.DataType]]:
    """Column types of the metric tables as :func:`compute_metrics` makes them.

    Taken from the metrics of a three-post thread, so they follow the code.

    Examples
    --------
    >>> metric_schemas()["cascades"]["size"]
    Int64
    """
    from sna.schema import conform

    three = {"thread_id": ["t"] * 3, "post_id": ["a", "b", "c"], "position": [1, 2, 3], "author": ["x", "y", "x"]}
    posts = conform(pl.DataFrame(three).with_columns(text=pl.lit(""), raw_text=pl.lit("")), POSTS_SCHEMA)
    edges = conform(
        pl.DataFrame({"source": ["b", "c"], "target": ["a", "b"], "kind": ["quote", "reply"],
                      "stance": ["agree", "disagree"], "stance_score": [0.5, -0.5]}), EDGES_SCHEMA)  # fmt: skip
    computed = compute_metrics(posts, edges)
    schemas = {name: dict(getattr(computed, name).schema) for name in METRIC_TABLES}
    return schemas | {"camps": dict(CAMP_SCHEMA), "thread_camps": dict(THREAD_CAMP_SCHEMA)}


#: Metric columns that are never null, and the only ones that may be negative (all other
#: numbers there are counts, sizes or centralities: finite and at least 0).
_NEVER_NULL = {
    "post_metrics": ("post_id", "cascade_id"),
    "author_metrics": ("author", "posts"),
    "author_edges": ("source", "target", "weight"),
    "cascades": ("cascade_id", "root", "kind", "size", "depth"),
    "camps": ("camp", "size"),
    "thread_camps": ("thread_id", "posts"),
}
_SIGNED = frozenset({"signed"})


def _check_values(name: str, table: pl.DataFrame, path: Path, writer: str) -> None:
    """Keys present, numbers finite and not negative, camp labels no larger than the table."""
    for column in _NEVER_NULL.get(name, ()):
        nulls = table[column].is_null()
        if nulls.any():
            raise InputError(f"column {column!r} is empty in row {int(nulls.arg_max()) + 1}; run `{writer}` again",
                             path=path)  # fmt: skip
    for column, dtype in table.schema.items():
        if not dtype.is_numeric() or column in _SIGNED:
            continue
        values = table[column]
        bad = values < 0
        if dtype.is_float():
            bad = bad | values.is_nan() | values.is_infinite()
        if column == "camp":
            bad = bad | (values > max(table.height, 1))
        bad = bad.fill_null(False)
        if bad.any():
            row = int(bad.arg_max())
            raise InputError(f"column {column!r} holds {values[row]} in row {row + 1}; expected a finite number "
                             f"from 0{' to the number of rows' if column == 'camp' else ''}; run `{writer}` again",
                             path=path)  # fmt: skip


def _unique(table: pl.DataFrame, column: str, path: Path, writer: str) -> None:
    dup = table[column].is_duplicated() | table[column].is_null()
    if dup.any():
        raise InputError(f"{column} {table.filter(dup)[column][0]!r} is empty or repeated; run `{writer}` again",
                         path=path)  # fmt: skip


def _check_keys(ingested: Ingested, tables: dict[str, pl.DataFrame], folder: Path, writer: str) -> None:
    """The metric tables belong to these posts: same post ids, known authors, known cascades."""
    post_metrics = tables["post_metrics"]
    path = folder / "post_metrics.parquet"
    _unique(post_metrics, "post_id", path, writer)
    if (
        post_metrics.height != ingested.posts.height
        or not post_metrics["post_id"].is_in(ingested.posts["post_id"].implode()).all()
    ):
        raise InputError(f"its posts are not those of posts.parquet ({post_metrics.height:,} rows for "
                         f"{ingested.posts.height:,} posts); run `{writer}` again", path=path)  # fmt: skip
    _unique(tables["author_metrics"], "author", folder / "author_metrics.parquet", writer)
    _unique(tables["cascades"], "cascade_id", folder / "cascades.parquet", writer)
    authors = tables["author_metrics"]["author"].implode()
    ends = tables["author_edges"].select(pl.col("source").is_in(authors) & pl.col("target").is_in(authors)).to_series()
    if not ends.all():
        raise InputError(f"links authors not in author_metrics.parquet; run `{writer}` again",
                         path=folder / "author_edges.parquet")  # fmt: skip
    known = tables["cascades"]["cascade_id"].implode()
    if not post_metrics["cascade_id"].drop_nulls().is_in(known).all():
        raise InputError(f"names cascades not in cascades.parquet; run `{writer}` again", path=path)


def _json_object(results: Results, name: str, writer: str) -> dict[str, object]:
    """A JSON object the manifest lists (``summary.json``, ``ingest.json``); empty when there is none."""
    if not results.has(name):
        return {}
    path = results.path / name
    try:
        with results.open(name) as handle:
            data = json.loads(handle.read(256 << 20).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({_first_line(exc, 80)}); run `{writer}` again", path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, found {type(data).__name__}; run `{writer}` again", path=path)
    return data


def load_results(directory: str | Path) -> ResultSet:
    """Read POSTS, EDGES, the metric tables and the summary of a results folder, checked.

    Reads only the files the folder's manifest lists (``camps.*`` left from an
    earlier run are not read), all from one version of the folder even if a
    command replaces it meanwhile. Every table is checked against the types
    sna writes it with, and the metric tables against the posts.

    Raises
    ------
    SnaError
        When a table is missing (with the command that writes it), unreadable,
        changed since sna wrote it, wrongly typed, or does not belong to the
        posts — each naming its file.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "results"
    >>> _ = run(["data/raw"], out, skip=["stance", "figures", "html"])
    >>> loaded = load_results(out)
    >>> loaded.posts.height, loaded.metrics.post_metrics.height, loaded.id.startswith("sha256:")
    (32, 32, True)
    >>> (out / "post_metrics.parquet").write_bytes(b"not parquet")
    11
    >>> load_results(out)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sna.errors.SnaError: .../results/post_metrics.parquet: changed since sna wrote it ...
    """
    directory = Path(directory)
    writer = "sna metrics DIR"
    schemas = metric_schemas()
    with open_results(directory) as results:
        ingested = _read_corpus(results)
        tables = {
            name: _typed(_parquet(results, name, writer), schemas[name], directory / f"{name}.parquet", writer)
            for name in METRIC_TABLES
        }
        optional = {}
        for name in OPTIONAL_METRIC_TABLES:
            optional[name] = pl.DataFrame(schema=schemas[name])
            if results.has(f"{name}.parquet"):
                table = _parquet(results, name, writer)
                optional[name] = _typed(table, schemas[name], directory / f"{name}.parquet", writer)
        summary = _json_object(results, "summary.json", writer)
        manifest_id = results.manifest.id if results.manifest is not None else None
    _check_keys(ingested, tables, directory, writer)
    for name, table in [*tables.items(), *optional.items()]:
        _check_values(name, table, directory / f"{name}.parquet", writer)
    metrics = Metrics(tables["post_metrics"], tables["author_metrics"], tables["cascades"], tables["author_edges"],
                      optional["camps"], summary, optional["thread_camps"])  # fmt: skip
    return ResultSet(ingested.posts, ingested.edges, metrics, manifest_id)


def read_results(directory: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, Metrics]:
    """POSTS, EDGES and metrics of a results folder, as :func:`load_results` reads them.

    Raises
    ------
    SnaError
        As :func:`load_results`.
    """
    loaded = load_results(directory)
    return loaded.posts, loaded.edges, loaded.metrics
