"""What ``sna run --engine spark`` does between the flags and :func:`sna.engine.spark.run_spark`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from sna.errors import SnaError
from sna.progress import Progress


def run_on_spark(
    inputs: tuple[Path, ...], out: Path, *, master: str | None, partitions: int | None, driver_memory: str | None,
    graph_on: str, skip: str,
    fmt: str | None, implicit_target: str, post_graph_files: bool | None, csv: bool | None,
    stance_model: str,
    stance_min_confidence: float | None, quiet: bool, metric_options: Mapping[str, Any],
) -> None:  # fmt: skip
    """Run the Spark engine on one converted folder and say what it wrote."""
    from sna.engine.spark import run_spark

    if len(inputs) != 1:
        raise SnaError("--engine spark reads one folder `sna convert` wrote; give it alone")
    if fmt:
        raise SnaError("--engine spark: --format applies to `sna convert`, not to a converted folder")
    stages = {s.strip() for s in skip.split(",") if s.strip()}
    ingested, metrics, written = run_spark(
        str(inputs[0]), out, master=None if master == "submit" else (master or "local[2]"), partitions=partitions,
        driver_memory=driver_memory, graph_on=graph_on, skip=tuple(stages), implicit_target=implicit_target,
        stance_model=stance_model, stance_min_confidence=stance_min_confidence, post_graph_files=post_graph_files,
        csv=csv, metric_options=metric_options, progress=Progress(quiet=quiet),
    )  # fmt: skip
    engine = metrics.summary["engine"]
    click.echo(
        f"spark ({engine['master']}, graph on the {engine['graph_on']}): {ingested.summary['posts']:,} posts in "
        f"{engine['partitions']} partitions ({engine['large_threads']} large threads on their own)"
    )
    for table, reason in engine.get("not_computed", {}).items():
        click.echo(f"{table}: not written with --graph-on cluster ({reason})")
    subgraph = engine.get("driver_subgraph")
    if subgraph and not subgraph["whole"]:
        click.echo(f"betweenness, harmonic, HITS, Katz, camps and communities: on the {subgraph['nodes']:,} authors of "
                   "highest PageRank only (the others are null)")  # fmt: skip
    if not {"figures", "html"} <= stages:
        click.echo("figures: not drawn by the Spark engine; run `sna figures OUT` and `sna html OUT` on the results")
    if csv is None:
        from sna.cli import _print_csv_note

        _print_csv_note(int(ingested.summary["posts"]), [name for names in written.values() for name in names])
    for folder, names in written.items():
        click.echo(f"wrote {len(names):,} files to {folder}")
