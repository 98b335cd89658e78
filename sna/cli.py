"""The ``sna`` command: thin commands that parse flags, call the library, write.

Problems with the input are reported as one line on stderr with exit code 1.
Pass ``--debug`` (or set ``SNA_DEBUG=1``) to see tracebacks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sna.edges import IMPLICIT_TARGETS
from sna.errors import SnaError, pending_interrupt
from sna.graph import IMPLICIT_LINKS
from sna.progress import Progress

if TYPE_CHECKING:
    import polars as pl

#: Longest error line printed (longer messages are cut, keeping their start).
MESSAGE_LIMIT = 300


def one_line(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message as one line of at most ``limit`` characters.

    Examples
    --------
    >>> one_line("a\\nb")
    'a b'
    >>> len(one_line("x" * 1000))
    300
    """
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug") or os.environ.get("SNA_DEBUG"))


class _Group(click.Group):
    """Turns SnaError (and unexpected failures) into one line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SnaError as exc:
            if (interrupt := pending_interrupt()) is not None:  # the signal, lost in compiled code, caused this
                raise interrupt from None
            if _debug(ctx):
                raise
            click.echo(one_line(f"sna: error: {exc}"), err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as sna.errors.Interrupted
            click.echo("sna: interrupted", err=True)
            sys.exit(getattr(exc, "exit_code", 130))
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # a bug in sna (or a library panic): one line, traceback with --debug
            if (interrupt := pending_interrupt()) is not None:
                raise interrupt from None
            if _debug(ctx):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            click.echo(
                one_line(f"sna: internal error: {type(exc).__name__}: {first}", MESSAGE_LIMIT - 70)
                + " (a bug in sna; rerun with --debug for details and report it)",
                err=True,
            )
            sys.exit(1)


def _require_folder(directory: Path, writer: str) -> None:
    """A results folder named on the command line must exist (it is not created by reading it)."""
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "no such folder"
        raise SnaError(f"{directory}: {what}; expected the folder `{writer} {directory}` wrote")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _print_ingest_summary(summary: dict[str, Any]) -> None:
    authors = f"{_plural(int(summary['authors']), 'author')}"
    if summary.get("posts_without_author"):
        authors += f" ({summary['posts_without_author']:,} posts without one)"
    click.echo(f"{_plural(int(summary['threads']), 'thread')}, {_plural(int(summary['posts']), 'post')}, {authors}")
    read = summary["edges_quote"] + summary["edges_reply"]
    total = read + summary["edges_implicit"]
    share = f": {summary['edges_implicit'] / total:.0%} of links" if total else ""
    click.echo(
        f"edges: {summary['edges_quote']:,} quote, {summary['edges_reply']:,} reply (read from the posts); "
        f"{summary['edges_implicit']:,} implicit (assumed{share})"
    )
    if summary.get("threads_without_start"):
        click.echo(
            f"{_plural(int(summary['threads_without_start']), 'thread')} without its first post in the input: "
            "a placeholder [thread ID] stands for it"
        )
    click.echo(
        f"quotes of posts not in the input: {summary['quotes_unresolved']:,}; "
        f"stated parents not in the input: {summary['replies_missing']:,}"
    )
    if summary.get("files_skipped"):
        click.echo(f"skipped {_plural(int(summary['files_skipped']), 'file')} of unknown format")


_encoding_option = click.option(
    "--encoding", default="utf-8", show_default=True, metavar="NAME",
    help="Text encoding of CSV, TSV and JSON Lines tables and plain-text pages, e.g. cp1252 or latin-1 "
         "(never guessed: bytes that do not decode are an error naming the line).",
)  # fmt: skip


def _input_options(command: Any) -> Any:
    """The options of commands that read forum files (ingest, run)."""
    options = [
        click.option("--format", "fmt", metavar="NAME", help="Read every input as this format (see `sna formats`)."),
        click.option("--map", "mapping", metavar="SPEC",
                     help="Table column names, canonical=yours, e.g. text=body,author=user."),
        _encoding_option,
        click.option("--implicit-target", type=click.Choice(IMPLICIT_TARGETS), default="first", show_default=True,
                     help="What a post that quotes nothing and states no parent is linked to by an assumed "
                          "(implicit) link: its thread's first post, the post just above, or nothing."),
        click.option("--no-implicit", is_flag=True, hidden=True, help="Same as --implicit-target none."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sna")
@click.option("--debug", is_flag=True, help="Show the traceback of an error (as SNA_DEBUG=1 does).")
def main(debug: bool) -> None:
    """Social network analysis of online forum discussions.

    Turns forum threads (copied pages, tables, …) into a table of posts,
    recovers who quotes or replies to whom, and analyses the result.

    \b
    Example:
      sna ingest data/raw --out data/processed
    """


_csv_option = click.option(
    "--csv/--no-csv", default=None,
    help="Write a CSV copy beside each Parquet table (default: yes, but not of posts, edges and post_metrics "
         "above 200,000 posts).",
)  # fmt: skip


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write posts and edges tables into.",
)
@_input_options
@_csv_option
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def ingest(inputs: tuple[Path, ...], out: Path, fmt: str | None, mapping: str | None, encoding: str,
           implicit_target: str, no_implicit: bool, csv: bool | None, quiet: bool) -> None:  # fmt: skip
    """Read forum threads into the posts and edges tables.

    INPUTS are files or folders (searched recursively). Writes posts, edges
    and unresolved_quotes (Parquet, and CSV copies: see --csv) and ingest.json
    into --out.

    \b
    Example:
      sna ingest data/raw --out data/processed
      sna ingest export.csv --map text=body,author=user --out out/
      sna ingest excel-export.csv --encoding cp1252 --out out/
    """
    from sna.io import parse_mapping
    from sna.pipeline import ingest as run_ingest
    from sna.pipeline import ingest_outputs, stage_ingested

    progress = Progress(quiet=quiet)
    # ingest_outputs locks --out now; it is switched in when all is written
    with ingest_outputs(out, inputs=inputs) as stage:
        result = run_ingest(inputs, format=fmt, mapping=parse_mapping(mapping), encoding=encoding,
                            implicit_target="none" if no_implicit else implicit_target, progress=progress)  # fmt: skip
        with progress.stage("writing tables"):
            names = stage_ingested(result, stage, csv=csv)
    _print_ingest_summary(result.summary)
    _print_csv_note(result.posts.height, names if csv is None else [])
    click.echo(f"wrote {', '.join(str(out / name) for name in names)} in {result.summary['seconds']:.1f} s")


@main.command()
def formats() -> None:
    """List the input formats sna reads.

    \b
    Example:
      sna formats
    """
    from sna.io import FORMATS

    width = max(len(fmt.name) for fmt in FORMATS) + 2
    for fmt in FORMATS:
        click.echo(f"{fmt.name:{width}}{fmt.description}")
        click.echo(f"{'':{width}}files: {', '.join(fmt.extensions) or 'folders'}")


def _print_csv_note(n_posts: int, names: list[str]) -> None:
    """Say which tables were written as Parquet only by default (see :func:`sna.pipeline.table_suffixes`).

    Examples
    --------
    >>> _print_csv_note(1_000_000, ["posts.parquet", "edges.parquet", "author_metrics.csv"])
    tables: posts, edges as Parquet only for 1,000,000 posts (pass --csv for CSV copies)
    >>> _print_csv_note(10, ["posts.csv", "posts.parquet"])
    """
    left_out = [t for t in ("posts", "edges", "post_metrics") if f"{t}.parquet" in names and f"{t}.csv" not in names]
    if left_out:
        click.echo(f"tables: {', '.join(left_out)} as Parquet only for {n_posts:,} posts (pass --csv for CSV copies)")


def _print_graph_file_note(summary: dict[str, Any], names: list[str]) -> None:
    if "posts.gexf" not in names and summary.get("posts"):
        click.echo(
            f"graph files: posts.gexf/posts.graphml left out for {summary['posts']:,} posts "
            "(pass --post-graph-files to write them); authors.* written"
        )


def _print_warnings(summary: dict[str, Any]) -> None:
    """Measures that did not converge (or were left out), as ``summary.json`` lists them."""
    for warning in summary.get("warnings") or []:
        click.echo(one_line(f"warning: {warning}"), err=True)


def _author_nodes(authors: dict[str, Any]) -> str:
    """The author graph's nodes, saying how many stand for posts of unknown authors (one node each).

    Examples
    --------
    >>> _author_nodes({"nodes": 693, "anonymous_nodes": 157})
    '693 nodes (536 authors, 157 posts by unknown authors)'
    >>> _author_nodes({"nodes": 2, "anonymous_nodes": 0})
    '2 authors'
    """
    nodes, unknown = authors["nodes"], authors.get("anonymous_nodes") or 0
    if not unknown:
        return f"{nodes:,} authors"
    named = nodes - unknown
    return (f"{nodes:,} nodes ({named:,} author{'s' * (named != 1)}, "
            f"{unknown:,} post{'s' * (unknown != 1)} by unknown authors)")  # fmt: skip


def _print_metrics_summary(summary: dict[str, Any]) -> None:
    posts, authors = summary["post_graph"], summary["author_graph"]
    reply, quote = summary["cascades"]["reply"], summary["cascades"]["quote"]
    click.echo(
        f"post graph: {posts['nodes']:,} posts, {posts['links']:,} links; "
        f"author graph: {_author_nodes(authors)}, {authors['links']:,} links"
        + (f" (betweenness from {authors['betweenness_sources']:,} sampled sources)"
           if authors["betweenness_sources"] < authors["nodes"] else "")
    )  # fmt: skip
    most = authors["top"].get("pagerank") or []
    if most:
        click.echo("most central authors (PageRank): " + ", ".join(str(row["node"]) for row in most[:3]))
    click.echo(
        f"cascades: {reply['count']:,} reply (largest {reply.get('largest', 0):,}, deepest {reply.get('deepest', 0)}), "
        f"{quote['count']:,} quote"
    )
    camps = summary.get("camps") or {}
    if camps.get("available"):
        a = camps["author_graph"]
        noun = "authors" if a["camps_by"] == "corpus" else "authors in threads"
        click.echo(
            f"camps ({'per thread' if a['camps_by'] == 'thread' else 'whole corpus'}): {a['camps']:,} of "
            f"{a['min_camp_size']}+ holding {a['nodes_in_camps']:,} {noun}; {a['unassigned_nodes']:,} without a "
            f"signed link, {a['below_min_size_nodes']:,} in smaller camps; frustration {a['frustration_index']:.3f} "
            f"(random {a['random_partitions']['mean']:.3f})"
        )
    communities = summary.get("communities") or {}
    if communities.get("modularity") is not None:
        sizes = ", ".join(f"{n:,}" for n in communities["largest_communities"][:5])
        click.echo(f"communities: {communities['communities']:,} (modularity {communities['modularity']:.3f}; "
                   f"largest {sizes})")  # fmt: skip


_source_option = click.option(
    "--sources", type=click.IntRange(min=1), default=None,
    help="Sample this many sources for betweenness and harmonic closeness (default: exact where cheap, else 256).",
)  # fmt: skip
_seed_option = click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampled measures.")
_post_graph_files_option = click.option(
    "--post-graph-files/--no-post-graph-files", default=None,
    help="Write posts.gexf and posts.graphml (default: only up to 200,000 posts).",
)  # fmt: skip
_camps_option = click.option(
    "--camps", "n_camps", type=click.IntRange(min=1), default=None,
    help="Merge agreement camps down to this many (default: as many as the data show).",
)  # fmt: skip
_implicit_links_option = click.option(
    "--implicit-links", type=click.Choice(IMPLICIT_LINKS), default="ignore", show_default=True,
    help="Leave assumed (implicit) links out of centrality, communities and camps, or count them like quotes "
         "and replies. Reply cascades always keep them.",
)  # fmt: skip
_rank_anonymous_option = click.option(
    "--rank-anonymous/--no-rank-anonymous", default=True, show_default=True,
    help="Whether nodes that stand for unknown or deleted authors appear in the top-10 rankings.",
)  # fmt: skip
_min_camp_size_option = click.option(
    "--min-camp-size", type=click.IntRange(min=1), default=2, show_default=True,
    help="Smallest camp listed; members of smaller camps have no camp (counted in the summary).",
)  # fmt: skip
_camps_by_option = click.option(
    "--camps-by", type=click.Choice(["corpus", "thread"]), default="corpus", show_default=True,
    help="One partition of the whole corpus, or camps per thread (then written to thread_camps).",
)  # fmt: skip


_thread_option = click.option(
    "--thread", "thread", metavar="ID", default=None,
    help="Thread for the arc diagram and the cascade trees (default: the largest).",
)  # fmt: skip


def _picture_options(command: Any) -> Any:
    """The options of commands that draw (run, figures, html); ``--thread`` picks a figure's thread (not html)."""
    options = [
        click.option("--top", type=click.IntRange(min=0, max=1000), default=10, show_default=True,
                     help="Nodes labelled in the network figure and listed in rankings and the report."),
        click.option("--min-degree", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Leave out nodes with fewer links (in + out) from the network figure and pages."),
        click.option("--hide-assumed", is_flag=True,
                     help="Hide assumed (implicit) links in figures; pages start with them filtered out."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _options(seed: int, thread: str | None, top: int, min_degree: int, hide_assumed: bool):
    from sna.analysis.pictures import PictureOptions

    return PictureOptions(thread=thread, top=top, min_degree=min_degree, hide_assumed=hide_assumed, seed=seed)


def _draw(directory: Path, to: Path, *, figures: bool, html: bool, svg: bool = False, dpi: int = 150,
          options) -> tuple[list[str], list[str]]:  # fmt: skip
    """Lock ``to``, read what `sna run` wrote in ``directory``, write pictures and the report into ``to``.

    Returns the names written and the figure notes. The manifest of ``to``
    records the id of the result set the pictures were drawn from.
    """
    import json

    from sna.analysis.pictures import picture_data
    from sna.outputs import output_folders
    from sna.pipeline import load_results
    from sna.render import figure_notes, write_pictures

    _require_folder(directory, "sna run INPUT --out")
    part = "figures" if figures else "html"
    with output_folders() as outputs:
        info: dict[str, object] = {}
        stage = outputs.folder(to, part=part, replaces=[part], info=info)
        loaded = load_results(directory)
        info |= {"drawn_from": os.path.relpath(directory.resolve(), to.resolve()), "results_id": loaded.id}
        pictures = picture_data(loaded.posts, loaded.edges, loaded.metrics, options, pages=html)
        inputs_path = directory / "ingest.json"
        inputs = json.loads(inputs_path.read_text()) if inputs_path.exists() else None
        present = sorted(p.name for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
        present += sorted(f"{p.name}/" for p in directory.iterdir() if p.is_dir() and any(p.glob("part-*.parquet")))
        others = [(directory, present)] if directory.resolve() != to.resolve() else []
        names = write_pictures(pictures, stage, folder=to, others=others, figures=figures, html=html, svg=svg,
                               dpi=dpi, inputs=inputs)  # fmt: skip
    return names, figure_notes(pictures) if figures else []


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@_seed_option
@_source_option
@_camps_option
@_implicit_links_option
@_rank_anonymous_option
@_min_camp_size_option
@_camps_by_option
@_post_graph_files_option
@_csv_option
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def metrics(directory: Path, seed: int, sources: int | None, n_camps: int | None, implicit_links: str,
            rank_anonymous: bool, min_camp_size: int, camps_by: str, post_graph_files: bool | None,
            csv: bool | None, quiet: bool) -> None:  # fmt: skip
    """Compute centrality, cascades, camps and communities for what `sna ingest` wrote in DIRECTORY.

    Adds post_metrics, author_metrics, author_edges, cascades and camps
    (Parquet, and CSV copies: see --csv; thread_camps with --camps-by thread),
    summary.json, and the
    authors and posts graph files (GEXF and GraphML) to DIRECTORY. Camps need
    stance labels: run `sna stance DIRECTORY` first (`sna run` does both).

    \b
    Example:
      sna metrics data/processed
    """
    from sna.analysis.report import compute_metrics
    from sna.pipeline import part_outputs, read_ingested, stage_metrics

    progress = Progress(quiet=quiet)
    _require_folder(directory, "sna ingest INPUT --out")
    with part_outputs(directory, "metrics") as stage:  # locks DIRECTORY before reading it
        with progress.stage("reading tables"):
            result = read_ingested(directory)
        with progress.stage("computing metrics"):
            computed = compute_metrics(result.posts, result.edges, seed=seed, sources=sources, n_camps=n_camps,
                                       implicit_links=implicit_links, rank_anonymous=rank_anonymous,
                                       min_camp_size=min_camp_size, camps_by=camps_by)  # fmt: skip
        written = stage_metrics(
            result.posts, result.edges, computed, stage, post_graph_files=post_graph_files, progress=progress, csv=csv
        )
    _print_warnings(computed.summary)
    _print_metrics_summary(computed.summary)
    _print_graph_file_note(computed.summary, written)
    _print_csv_note(result.posts.height, written if csv is None else [])
    click.echo(f"wrote {len(written)} files to {directory}")


def _stance_options(command):
    """``--stance-model`` and ``--stance-min-confidence``, shared by ``sna run`` and ``sna stance``."""
    command = click.option("--stance-min-confidence", "stance_min_confidence", type=click.FloatRange(0, 1),
                           default=None, metavar="P",
                           help="Leave links unlabelled whose most likely stance has probability below P.")(
        command
    )  # fmt: skip
    return click.option("--stance-model", "stance_model", type=click.Choice(["default", "accurate"]),
                        default="default", show_default=True,
                        help="Stance model: the fast hashed default, or the fine-tuned transformer "
                             "(pip install 'sna[accurate]').")(command)  # fmt: skip


def _engine_options(command: Any) -> Any:
    """--engine, --master, --partitions, --driver-memory, --graph-on (see sna.engine.spark)."""
    options = [
        click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
                     help="local: one process. spark: Apache Spark (pip install 'sna[spark]'); reads a folder "
                          "`sna convert` wrote."),
        click.option("--master", metavar="URL", default=None,
                     help="Spark master (default local[2]; leave it to spark-submit on a cluster: --master submit)."),
        click.option("--partitions", type=click.IntRange(min=1), default=None,
                     help="Spark partitions of whole threads (default: the cluster's parallelism, or more so that "
                          "each holds about 200,000 posts at most)."),
        click.option("--driver-memory", metavar="SIZE", default=None,
                     help="Spark engine: the driver's Java heap, e.g. 8g (default in local mode: a quarter of this "
                          "machine's memory, 1g to 8g)."),
        click.option("--graph-on", type=click.Choice(["driver", "cluster"]), default="driver", show_default=True,
                     help="Spark engine: driver collects posts (without text) and links and computes every metric; "
                          "cluster computes the author graph, PageRank, degrees and components in Spark and the rest "
                          "on the author graph (no post_metrics)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", "out", required=True, type=click.Path(path_type=Path), help="Folder for tables and graph files."
)
@click.option(
    "--figures",
    "figures_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for figures and HTML pages (default: OUT/figures).",
)
@_input_options
@click.option(
    "--skip", default="", metavar="STAGES", help="Comma-separated stages to leave out: stance, figures, html."
)
@_seed_option
@_source_option
@_camps_option
@_implicit_links_option
@_rank_anonymous_option
@_min_camp_size_option
@_camps_by_option
@_post_graph_files_option
@_csv_option
@click.option("--svg", is_flag=True, help="Also write figures as SVG.")
@click.option("--dpi", type=click.IntRange(min=30, max=1200), default=150, show_default=True, help="PNG resolution.")
@_stance_options
@_thread_option
@_picture_options
@_engine_options
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def run(inputs: tuple[Path, ...], out: Path, figures_dir: Path | None, fmt: str | None, mapping: str | None,
        encoding: str, implicit_target: str, no_implicit: bool, skip: str, seed: int, sources: int | None,
        n_camps: int | None, implicit_links: str, rank_anonymous: bool, min_camp_size: int, camps_by: str,
        post_graph_files: bool | None, csv: bool | None, svg: bool, dpi: int, stance_model: str,
        stance_min_confidence: float | None, thread: str | None, top: int, min_degree: int, hide_assumed: bool,
        engine: str, master: str | None, partitions: int | None, driver_memory: str | None, graph_on: str,
        quiet: bool) -> None:  # fmt: skip
    """Run the whole analysis: ingest, stance, metrics, camps, figures and HTML.

    Writes everything `sna ingest` and `sna metrics` write into --out, and the
    pictures of `sna figures` and `sna html` into --figures, in one step: if
    any stage fails, nothing is written.

    \b
    Example:
      sna run data/raw --out data/processed --figures figures
      sna run dump.csv --map text=body --out out/ --skip figures,html
    """
    from sna.io import parse_mapping
    from sna.io.helpers.encodings import is_utf8
    from sna.pipeline import run as run_pipeline

    if engine == "spark":
        from sna.engine.spark_cli import run_on_spark

        if not is_utf8(encoding):
            raise SnaError("--engine spark: --encoding applies to `sna convert`, not to a converted folder")

        return run_on_spark(
            inputs, out, master=master, partitions=partitions, driver_memory=driver_memory, graph_on=graph_on,
            skip=skip, fmt=fmt,
            implicit_target="none" if no_implicit else implicit_target, post_graph_files=post_graph_files,
            csv=csv, stance_model=stance_model, stance_min_confidence=stance_min_confidence, quiet=quiet,
            metric_options={"seed": seed, "sources": sources, "n_camps": n_camps, "implicit_links": implicit_links,
                            "rank_anonymous": rank_anonymous, "min_camp_size": min_camp_size, "camps_by": camps_by},
        )  # fmt: skip
    result = run_pipeline(
        inputs, out, figures_dir=figures_dir, skip=skip.split(","), format=fmt, mapping=parse_mapping(mapping),
        encoding=encoding, implicit_target="none" if no_implicit else implicit_target, implicit_links=implicit_links,
        rank_anonymous=rank_anonymous, seed=seed, sources=sources, n_camps=n_camps, min_camp_size=min_camp_size,
        camps_by=camps_by, svg=svg, dpi=dpi, post_graph_files=post_graph_files, csv=csv, stance_model=stance_model,
        stance_min_confidence=stance_min_confidence, pictures=_options(seed, thread, top, min_degree, hide_assumed),
        progress=Progress(quiet=quiet),
    )  # fmt: skip
    _print_warnings(result.metrics.summary)
    _print_ingest_summary(result.ingested.summary)
    labelled = result.ingested.edges["stance"].drop_nulls()
    if labelled.len():
        counts = labelled.value_counts().sort("stance")
        click.echo("stance: " + ", ".join(f"{n:,} {s}" for s, n in counts.iter_rows()))
    _print_metrics_summary(result.metrics.summary)
    for note in result.notes:
        click.echo(f"figures: {note}")
    every_name = [name for names in result.written.values() for name in names]
    _print_graph_file_note(result.metrics.summary, every_name)
    _print_csv_note(result.ingested.posts.height, every_name if csv is None else [])
    for folder, names in result.written.items():
        click.echo(f"wrote {_plural(len(names), 'file')} to {folder}")
    for folder, names in result.written.items():
        if "report.html" in names:
            click.echo(f"report: {(Path(folder) / 'report.html').resolve()}")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--convokit",
    "convokit",
    type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
    metavar="DIR",
    help="Write a ConvoKit corpus (utterances.jsonl, speakers.json, conversations.json, corpus.json, index.json).",
)
def export(directory: Path, convokit: Path | None) -> None:
    """Write what `sna ingest` wrote in DIRECTORY in another tool's format.

    Follows ConvoKit's data format: conversation_id is the id of the
    conversation's first utterance. Posts without a stated parent get the
    post they quote, else the target of their assumed (implicit) link, as
    reply_to (marked in meta.reply_to_from); posts without an author get a
    speaker of their own.

    \b
    Example:
      sna export data/processed --convokit data/convokit
    """
    from sna.io.convokit import stage_convokit, to_convokit
    from sna.pipeline import part_outputs, read_ingested

    if convokit is None:
        raise SnaError("nothing to export: name a target, e.g. --convokit DIR")
    _require_folder(directory, "sna ingest INPUT --out")
    with part_outputs(convokit, "convokit") as stage:
        ingested = read_ingested(directory)
        corpus = to_convokit(ingested.posts, ingested.edges)
        written = stage_convokit(corpus, stage)
    click.echo(
        f"wrote a ConvoKit corpus of {_plural(len(corpus['utterances']), 'utterance')} in "
        f"{_plural(len(corpus['conversations']), 'conversation')} to {convokit} ({', '.join(written)})"
    )


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "to", default="figures", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write the figures into.")  # fmt: skip
@click.option("--svg", is_flag=True, help="Also write SVG files.")
@click.option("--dpi", type=click.IntRange(min=30, max=1200), default=150, show_default=True, help="PNG resolution.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the network layout.")
@_thread_option
@_picture_options
def figures(directory: Path, to: Path, svg: bool, dpi: int, seed: int, thread: str | None, top: int, min_degree: int,
            hide_assumed: bool) -> None:  # fmt: skip
    """Draw static figures (PNG, and SVG with --svg) and report.html from what `sna run` wrote in DIRECTORY.

    Network map, thread arc diagram, centrality rankings, the largest reply
    cascades, cascade size and depth distributions, and — when the data has
    them — the camp map and camp agreement (need camps or communities) and
    activity over time (needs timestamps). report.html, in the same folder,
    shows them with what went in and what was found.

    \b
    Example:
      sna figures data/processed --to figures
      sna figures data/processed --to figures --thread pakistan-ussr-thread --top 20 --hide-assumed
      sna figures data/processed --to figures --svg --dpi 300
    """
    options = _options(seed, thread, top, min_degree, hide_assumed)
    written, skipped = _draw(directory, to, figures=True, html=False, svg=svg, dpi=dpi, options=options)
    notes = f"; skipped {', '.join(skipped)}" if skipped else ""
    click.echo(f"wrote {_plural(len(written), 'file')} to {to}: {', '.join(written)}{notes}")
    click.echo(f"report: {(to / 'report.html').resolve()}")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "to", default="figures", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write the pages into.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the network layout.")
@_picture_options
def html(directory: Path, to: Path, seed: int, top: int, min_degree: int, hide_assumed: bool) -> None:
    """Write interactive graph pages (authors.html, posts.html) and report.html from what `sna run` wrote.

    Each page is one offline file: filter links by kind, stance, camp,
    thread and time, search names and post text, click a node for its posts
    and links. Nothing is loaded from the network.

    \b
    Example:
      sna html data/processed --to figures
      sna html data/processed --to figures --min-degree 2 --hide-assumed
    """
    options = _options(seed, None, top, min_degree, hide_assumed)  # the pages show every thread (and filter by it)
    written, _ = _draw(directory, to, figures=False, html=True, options=options)
    click.echo(f"wrote {_plural(len(written), 'page')} to {to}: {', '.join(written)}")
    click.echo(f"report: {(to / 'report.html').resolve()}")


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--parent-col", metavar="NAME", help="Pairs table: column with the text that is answered.")
@click.option("--reply-col", metavar="NAME", help="Pairs table: column with the reply's own words.")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Pairs table: table to write (.csv, .parquet, .json or .jsonl).")  # fmt: skip
@click.option("--encoding", default="utf-8", show_default=True, metavar="NAME",
              help="Pairs table: text encoding of a CSV, TSV or JSON Lines input, e.g. cp1252.")  # fmt: skip
@click.option("--probabilities", is_flag=True, help="Pairs table: also write p_disagree, p_neutral and p_agree.")
@click.option("--model", "model_path", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="A model written by bench/train_stance.py instead of the one shipped with sna.")  # fmt: skip
@_stance_options
def stance(source: Path, parent_col: str | None, reply_col: str | None, out: Path | None, encoding: str,
           probabilities: bool, model_path: Path | None, stance_model: str,
           stance_min_confidence: float | None) -> None:  # fmt: skip
    """Label replies as agree, neutral or disagree: a folder `sna ingest` wrote, or a table of pairs.

    A FOLDER: labels the quote and reply edges in its edges tables, in place
    (the tables are replaced in one step, or not at all), as `sna run` does.

    A PAIRS table (CSV, TSV, JSON Lines or Parquet, one (parent, reply) pair
    per row, with --parent-col, --reply-col and --out): writes every input
    row, in order, with its columns plus stance and stance_score (P(agree) -
    P(disagree), in [-1, 1]); columns of those names already there are
    replaced.

    \b
    Example:
      sna stance data/processed
      sna stance pairs.csv --parent-col parent --reply-col reply --out pred.csv
      sna stance mask.csv --parent-col quote_text --reply-col response_text --encoding cp1252 --out pred.csv
      sna stance pairs.csv --parent-col parent --reply-col reply --stance-model accurate --out pred.csv
    """
    from sna.errors import InputError
    from sna.stance import load_model, resolve_model

    if not source.exists():
        raise InputError("no such file or directory", path=source)
    model = load_model(model_path) if model_path is not None else resolve_model(stance_model)
    if source.is_dir():
        from sna.pipeline import label_folder

        given = [name for name, value in (("--parent-col", parent_col), ("--reply-col", reply_col), ("--out", out),
                                          ("--probabilities", probabilities or None)) if value is not None]  # fmt: skip
        if given:
            raise SnaError(f"{source} is a folder: {', '.join(given)} apply to a pairs table only")
        labelled, stale = label_folder(source, model=model, min_confidence=stance_min_confidence)
        click.echo(f"labelled {_stance_counts(labelled, 'edge')}; rewrote the edges tables in {source}")
        if stale:
            click.echo(f"note: {source} also holds metrics computed before these labels; "
                       f"run `sna metrics {source}` to update them")  # fmt: skip
        return

    from sna.export import atomic_file, write_table
    from sna.stance.pairs import label_pairs, read_pairs

    missing = [name for name, value in (("--parent-col", parent_col), ("--reply-col", reply_col), ("--out", out))
               if value is None]  # fmt: skip
    if missing:
        raise SnaError(f"{source} is a pairs table: give {', '.join(missing)} (or name a folder `sna ingest` wrote)")
    assert out is not None and parent_col is not None and reply_col is not None
    if out.suffix.lower() not in (".csv", ".parquet", ".json", ".jsonl"):
        suffix = out.suffix or "no suffix"
        raise SnaError(f"--out {out}: cannot write tables as {suffix!r} (use .csv, .parquet, .json or .jsonl)")
    table = read_pairs(source, columns=(parent_col, reply_col), encoding=encoding)
    labelled = label_pairs(table, parent_col=parent_col, reply_col=reply_col, model=model, probabilities=probabilities,
                           min_confidence=stance_min_confidence)  # fmt: skip
    with atomic_file(out, inputs=[source]) as temporary:
        write_table(labelled, temporary)
    click.echo(f"labelled {_stance_counts(labelled, 'pair')}; wrote {out}")


def _stance_counts(labelled: pl.DataFrame, noun: str) -> str:
    """``"12 of 31 edges (6 agree, 0 neutral, 6 disagree; 19 implicit left unlabelled)"``, as `sna stance` says it.

    Rows left without a stance are counted apart, by edge kind when the table has one: implicit links are
    labelled only where the model is confident, and --stance-min-confidence leaves unsure ones out.
    """
    import polars as pl

    from sna.schema import STANCES

    counts = dict(zip(*labelled["stance"].value_counts().to_dict(as_series=False).values(), strict=True))
    shown = ", ".join(f"{counts.get(s, 0):,} {s}" for s in STANCES)
    unlabelled = counts.get(None, 0)
    if not unlabelled:
        return f"{_plural(labelled.height, noun)} ({shown})"
    if "kind" in labelled.columns:
        kinds = labelled.filter(pl.col("stance").is_null())["kind"].value_counts().sort("kind")
        left = ", ".join(f"{n:,} {kind}" for kind, n in kinds.iter_rows())
    else:
        left = f"{unlabelled:,}"
    return f"{labelled.height - unlabelled:,} of {_plural(labelled.height, noun)} ({shown}; {left} left unlabelled)"


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, type=click.Path(path_type=Path), help="Folder to write the parts into.")
@click.option("--format", "fmt", metavar="NAME", help="Read every input as this format (see `sna formats`).")
@click.option("--map", "mapping", metavar="SPEC", help="Table column names, canonical=yours, e.g. text=body.")
@_encoding_option
@click.option("--buckets", type=click.IntRange(min=1, max=4096), default=None,
              help="Spill files of the first pass (default: one per ~24 MB of input, at most 1,024).")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Parts parsed at once, each in its own process.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def convert(inputs: tuple[Path, ...], to: Path, fmt: str | None, mapping: str | None, encoding: str, buckets: int,
            workers: int, quiet: bool) -> None:  # fmt: skip
    """Convert inputs of any size to partitioned Parquet POSTS, in bounded memory.

    Each part holds whole threads, sorted; `sna run DIR` (either engine) reads
    the folder like the original inputs.

    \b
    Example:
      sna convert RC_2023-01.zst RS_2023-01.zst --to posts/
      sna run posts/ --out results/
    """
    from sna.convert import convert as convert_inputs
    from sna.io import parse_mapping

    info = convert_inputs(inputs, to, format=fmt, mapping=parse_mapping(mapping), encoding=encoding, buckets=buckets,
                          workers=workers, progress=Progress(quiet=quiet))  # fmt: skip
    click.echo(
        f"wrote {_plural(int(info['posts']), 'post')} in {_plural(int(info['threads']), 'thread')} "
        f"as {_plural(int(info['parts']), 'part')} to {to}"
    )
