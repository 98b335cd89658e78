"""The thin layer that reads files, runs the analyses and writes results.

Only this module and the CLI touch the file system.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from sna.analysis.pictures import PictureOptions
from sna.analysis.report import CAMP_SCHEMA, THREAD_CAMP_SCHEMA, Metrics, compute_metrics
from sna.edges import UNRESOLVED_SCHEMA, extract_edges
from sna.errors import InputError, SnaError
from sna.export import (
    EDGE_VIZ,
    NODE_VIZ,
    VIZ_COLUMNS,
    atomic_outputs,
    gexf_viz,
    graph_file_tables,
    write_gexf,
    write_graphml,
    write_json,
    write_tables,
)
from sna.io import ReadOptions, expand_inputs, read_input
from sna.io.base import Parsed
from sna.io.merge import merge_pages
from sna.progress import SILENT, Progress
from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, empty_marked


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
    """

    posts: pl.DataFrame
    edges: pl.DataFrame
    summary: dict[str, object] = field(default_factory=dict)
    unresolved: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNRESOLVED_SCHEMA))


def ingest(
    inputs: Iterable[str | Path],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit_target: str = "first",
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
    with progress.stage("finding inputs"):
        files, skipped = expand_inputs(inputs)
    if not files:
        raise SnaError(f"no readable input files in {', '.join(str(p) for p in inputs)}")
    options = ReadOptions(mapping=dict(mapping or {}))
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
    dup = posts["post_id"].is_duplicated()
    if dup.any():
        first = posts.filter(dup).sort("post_id").head(2)
        files_named = " and ".join(sorted(set(first["source_file"].to_list())))
        raise InputError(
            f"post id {first['post_id'][0]!r} occurs twice (in {files_named}); "
            "expected ids unique across inputs (rename one file or give thread_id/post_id columns)",
        )
    posts = posts.with_columns(_recover=pl.concat(recover_parts))
    marked = pl.concat([empty_marked(), *quote_parts], how="diagonal_relaxed")
    with progress.stage("finding quotes and replies"):
        extracted = extract_edges(
            posts.drop("_recover"), marked, recover=posts["_recover"], implicit_target=implicit_target
        )
    out_posts = extracted.posts
    real = out_posts.filter(~pl.col("placeholder"))
    summary: dict[str, object] = {
        "files": len(files),
        "files_skipped": len(skipped),
        "threads": out_posts["thread_id"].n_unique(),
        "posts": real.height,
        "authors": real["author"].drop_nulls().n_unique(),
        "posts_without_author": int(real["author"].null_count()),
        "implicit_target": implicit_target,
        **extracted.counts,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Ingested(out_posts, extracted.edges, summary, extracted.unresolved)


def stage_ingested(result: Ingested, stage: Callable[[str], Path]) -> list[str]:
    """Write posts and edges (CSV and Parquet) and ``ingest.json`` through ``stage``."""
    tables = (("posts", result.posts), ("edges", result.edges), ("unresolved_quotes", result.unresolved))
    write_tables([(df, stage(f"{table}{suffix}")) for table, df in tables for suffix in (".csv", ".parquet")])
    write_json({k: v for k, v in result.summary.items() if k != "seconds"}, stage("ingest.json"))
    return [f"{table}{suffix}" for table, _ in tables for suffix in (".csv", ".parquet")] + ["ingest.json"]


def write_ingested(result: Ingested, out_dir: str | Path) -> list[Path]:
    """Write what :func:`stage_ingested` writes into ``out_dir``, atomically; return the paths."""
    with atomic_outputs(out_dir) as stage:
        names = stage_ingested(result, stage)
    return [Path(out_dir) / name for name in names]


def _read_parquet(directory: Path, name: str, writer: str) -> pl.DataFrame:
    """Read ``directory/name.parquet``, or say which command writes it."""
    path = directory / f"{name}.parquet"
    if not path.exists():
        raise SnaError(f"{directory}: no {name}.parquet; run `{writer}` first")
    return pl.read_parquet(path)


def read_ingested(directory: str | Path) -> Ingested:
    """Read what :func:`write_ingested` wrote.

    Raises
    ------
    SnaError
        When the folder lacks ``posts.parquet`` or ``edges.parquet``.
    """
    directory = Path(directory)
    tables = {
        name: _read_parquet(directory, name, f"sna ingest INPUT --out {directory}") for name in ("posts", "edges")
    }
    for name, schema in (("posts", POSTS_SCHEMA), ("edges", EDGES_SCHEMA)):
        missing = [c for c in schema if c not in tables[name].columns]
        if missing:
            raise SnaError(f"{directory / (name + '.parquet')}: missing columns {', '.join(missing)}")
    unresolved_path = directory / "unresolved_quotes.parquet"
    unresolved = (
        pl.read_parquet(unresolved_path) if unresolved_path.exists() else pl.DataFrame(schema=UNRESOLVED_SCHEMA)
    )
    summary_path = directory / "ingest.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return Ingested(tables["posts"], tables["edges"], summary, unresolved)


def label_folder(directory: str | Path, **options: object) -> tuple[pl.DataFrame, bool]:
    """Label the stance of the edges in a folder ``sna ingest`` wrote, replacing its edges tables.

    Both ``edges.csv`` and ``edges.parquet`` are replaced together, or neither
    (when labelling fails). ``options`` go to :func:`sna.stance.label_edges`.

    Returns
    -------
    edges : pl.DataFrame
        The labelled EDGES.
    stale : bool
        Whether the folder also holds metric tables, computed before these labels.
    """
    from sna.stance import label_edges

    directory = Path(directory)
    ingested = read_ingested(directory)
    edges = label_edges(ingested.posts, ingested.edges, **options)
    with atomic_outputs(directory) as stage:
        write_tables([(edges, stage("edges.csv")), (edges, stage("edges.parquet"))])
    stale = any((directory / f"{name}.parquet").exists() for name in METRIC_TABLES)
    return edges, stale


METRIC_TABLES = ("post_metrics", "author_metrics", "author_edges", "cascades")
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
) -> list[str]:
    """Write metric tables (CSV and Parquet), ``summary.json`` and graph files through ``stage``.

    ``post_graph_files``: write ``posts.gexf``/``posts.graphml`` (default: only
    up to ``POST_GRAPH_FILE_LIMIT`` posts; ``authors.*`` are always written).
    ``views``: the laid-out graphs whose positions and colours the GEXF files
    carry (:func:`sna.analysis.views.graph_views`; computed when not given).
    """
    written: list[str] = []
    tables = list(METRIC_TABLES) + [name for name in ("camps", "thread_camps") if getattr(metrics, name).height]
    jobs = [(getattr(metrics, name), stage(name + suffix)) for name in tables for suffix in (".csv", ".parquet")]
    write_tables(jobs)
    written += [path.name for _, path in jobs]
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
                                   with_posts=with_posts, views=views)  # fmt: skip
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:  # polars builds and writes the lines without the GIL
            futures = []
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
            for future in futures:
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
) -> list[Path]:
    """Write what :func:`stage_metrics` writes into ``out_dir``, atomically; return the paths."""
    with atomic_outputs(out_dir) as stage:
        names = stage_metrics(posts, edges, metrics, stage, post_graph_files=post_graph_files, progress=progress)
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


def run(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    figures_dir: str | Path | None = None,
    skip: Iterable[str] = (),
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    implicit_target: str = "first",
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
    format, mapping, implicit_target
        As for :func:`ingest`.
    implicit_links, rank_anonymous, seed, sources, n_camps, min_camp_size, camps_by
        As for :func:`sna.analysis.report.compute_metrics`.
    svg, dpi
        Also write SVG figures; resolution of PNG figures.
    post_graph_files : bool, optional
        As for :func:`stage_metrics`.
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
    result = ingest(inputs, format=format, mapping=mapping, implicit_target=implicit_target, progress=progress)
    if "stance" not in skipped:
        from sna.stance import label_edges

        with progress.stage("labelling stance"):
            edges = label_edges(result.posts, result.edges, model=stance_model, min_confidence=stance_min_confidence)
            result = replace(result, edges=edges)
    with progress.stage("computing metrics"):
        metrics = compute_metrics(
            result.posts, result.edges, seed=seed, sources=sources, n_camps=n_camps,
            implicit_links=implicit_links, rank_anonymous=rank_anonymous, min_camp_size=min_camp_size,
            camps_by=camps_by,
        )  # fmt: skip
    out = Path(out)
    folder = Path(figures_dir) if figures_dir is not None else out / "figures"
    written: dict[Path, list[str]] = {}
    notes: list[str] = []
    drawing = not {"figures", "html"} <= skipped
    with_posts = post_graph_files if post_graph_files is not None else result.posts.height <= POST_GRAPH_FILE_LIMIT
    with progress.stage("laying out graphs"):
        from sna.analysis.views import graph_views

        views = graph_views(result.posts, result.edges, metrics, seed=seed, with_posts=with_posts)
    with atomic_outputs(out) as stage:
        names = stage_ingested(result, stage)
        names += stage_metrics(
            result.posts, result.edges, metrics, stage, post_graph_files=post_graph_files, views=views,
            progress=progress,
        )  # fmt: skip
        if drawing:
            from sna.analysis.pictures import picture_data
            from sna.render import figure_notes, write_pictures

            options = replace(pictures or PictureOptions(), seed=seed)
            with progress.stage("preparing pictures"):
                drawn_data = picture_data(result.posts, result.edges, metrics, options, views=views,
                                          pages="html" not in skipped)  # fmt: skip
            notes = figure_notes(drawn_data) if "figures" not in skipped else []
            with atomic_outputs(folder) as draw:
                drawn = write_pictures(drawn_data, draw, folder=folder, others=[(out, names)],
                                       figures="figures" not in skipped, html="html" not in skipped, svg=svg, dpi=dpi,
                                       inputs=result.summary, progress=progress)  # fmt: skip
            written[folder] = drawn
    written[out] = names
    return RunResult(result, metrics, written, notes)


def read_results(directory: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, Metrics]:
    """Read POSTS, EDGES and the metric tables that ``sna run`` or ``sna metrics`` wrote.

    Raises
    ------
    SnaError
        When a table is missing (with the command that writes it).
    """
    directory = Path(directory)
    ingested = read_ingested(directory)
    tables = {name: _read_parquet(directory, name, f"sna metrics {directory}") for name in METRIC_TABLES}
    camps_path, thread_camps_path = directory / "camps.parquet", directory / "thread_camps.parquet"
    camps = pl.read_parquet(camps_path) if camps_path.exists() else pl.DataFrame(schema=CAMP_SCHEMA)
    thread_camps = (
        pl.read_parquet(thread_camps_path) if thread_camps_path.exists() else pl.DataFrame(schema=THREAD_CAMP_SCHEMA)
    )
    summary_path = directory / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    metrics = Metrics(tables["post_metrics"], tables["author_metrics"], tables["cascades"], tables["author_edges"],
                      camps, summary, thread_camps)  # fmt: skip
    return ingested.posts, ingested.edges, metrics
