"""Broken results folders: every command that reads one ends in exit 1 and one line naming the file.

Issue 12: "a results folder with a garbage or wrongly typed Parquet table breaks
metrics, figures, html and export" and "a corrupt Parquet page makes polars panic".
Each case checks the exit code, the one line, and that the output folder of the
command holds what it held before (here: nothing).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.hostile.common import MANIFEST, cli, leftovers, one_error_line, results, snapshot

COMMANDS = {
    "metrics": lambda d, o: ["metrics", d, "-q"],
    "figures": lambda d, o: ["figures", d, "--to", o, "--dpi", "40"],
    "html": lambda d, o: ["html", d, "--to", o],
    "export": lambda d, o: ["export", d, "--convokit", o],
}
READS_METRICS = ("figures", "html")
INGESTED = ("posts", "edges", "unresolved_quotes")  # read by every command


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A complete results folder of the seed thread (with stance labels and camps)."""
    folder = tmp_path_factory.mktemp("good") / "results"
    results(folder)
    return folder


@pytest.fixture
def broken(good, tmp_path):
    """A copy of the good folder to break, and an output folder beside it."""
    folder = tmp_path / "results"
    shutil.copytree(good, folder)
    return folder, tmp_path / "out"


def rewrite(folder: Path, table: str, df: pl.DataFrame, *, manifest: str = "update") -> None:
    """Replace a table as a tool that edits results would: listing it in the manifest anew, or dropping the manifest."""
    path = folder / f"{table}.parquet"
    df.write_parquet(path)
    if manifest == "drop":
        (folder / MANIFEST).unlink()
        return
    import hashlib

    data = json.loads((folder / MANIFEST).read_text())
    data["files"][path.name].update(bytes=path.stat().st_size, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    (folder / MANIFEST).write_text(json.dumps(data))


def check_refused(result, out: Path, *fragments: str) -> None:
    one_error_line(result, *fragments)
    assert snapshot(out) == {} and leftovers(out.parent) == []


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("table", ["posts", "edges", "unresolved_quotes", "post_metrics", "cascades"])
def test_garbage_table(broken, command, table):
    folder, out = broken
    (folder / f"{table}.parquet").write_bytes(os.urandom(4096))
    result = cli(*COMMANDS[command](folder, out))
    if command not in READS_METRICS and table not in INGESTED:
        assert result.exit_code == 0, result.output  # metrics and export do not read that table
        return
    check_refused(result, out, f"{table}.parquet", "changed since sna wrote it")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_garbage_table_in_a_folder_without_a_manifest(broken, command):
    folder, out = broken
    (folder / MANIFEST).unlink()
    (folder / "posts.parquet").write_bytes(b"PAR1" + os.urandom(4096) + b"PAR1")
    check_refused(cli(*COMMANDS[command](folder, out)), out, "posts.parquet", "not a readable Parquet table")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_truncated_table(broken, command):
    folder, out = broken
    (folder / MANIFEST).unlink()
    data = (folder / "edges.parquet").read_bytes()
    (folder / "edges.parquet").write_bytes(data[: len(data) // 2])
    check_refused(cli(*COMMANDS[command](folder, out)), out, "edges.parquet", "not a readable Parquet table")


@pytest.mark.parametrize("manifest", ["update", "drop"])
@pytest.mark.parametrize(
    ("table", "change", "expected"),
    [
        (
            "posts",
            lambda df: df.with_columns(pl.col("position").cast(pl.String) + "th"),
            "column 'position' holds String, expected Int64",
        ),
        ("posts", lambda df: df.drop("raw_text"), "missing column(s) raw_text"),
        ("posts", lambda df: df.with_columns(post_id=pl.lit("same")), "duplicate post_id 'same'"),
        ("edges", lambda df: df.with_columns(kind=pl.lit("poke")), "unknown kind 'poke'"),
        ("edges", lambda df: df.with_columns(target=pl.lit("nobody")), "target 'nobody' is not a post"),
        ("edges", lambda df: df.with_columns(stance_score=pl.lit("high")), "column 'stance_score' holds String"),
        ("post_metrics", lambda df: df.with_columns(pl.col("pagerank").cast(pl.String)), "column 'pagerank'"),
        ("post_metrics", lambda df: df.drop("depth"), "missing column(s) depth"),
        ("post_metrics", lambda df: df.head(3), "its posts are not those of posts.parquet"),
        ("author_metrics", lambda df: df.with_columns(author=pl.lit("x")), "author 'x' is empty or repeated"),
        (
            "cascades",
            lambda df: df.with_columns(size=pl.col("size").cast(pl.Float64) + 0.5),
            "column 'size' holds Float64, expected Int64",
        ),
        ("author_edges", lambda df: df.with_columns(source=pl.lit("ghost")), "links authors not in author_metrics"),
        ("camps", lambda df: df.drop("members"), "missing column(s) members"),
        # values the renderers cannot draw (found by bench/fuzz_results.py)
        ("post_metrics", lambda df: df.with_columns(pagerank=-pl.col("pagerank")), "'pagerank' holds -"),
        ("post_metrics", lambda df: df.with_columns(cascade_id=None), "'cascade_id' is empty in row 1"),
        ("post_metrics", lambda df: df.with_columns(camp=10**15), "'camp' holds 1000000000000000"),
        ("author_edges", lambda df: df.with_columns(weight=-3), "'weight' holds -3 in row 1"),
        ("author_metrics", lambda df: df.with_columns(katz=float("nan")), "'katz' holds nan in row 1"),
    ],
)
def test_wrongly_typed_or_inconsistent_table(broken, table, change, expected, manifest):
    folder, out = broken
    rewrite(folder, table, change(pl.read_parquet(folder / f"{table}.parquet")), manifest=manifest)
    reads = ["figures", "html"] + (["metrics", "export"] if table in INGESTED else [])
    for command in reads:
        check_refused(cli(*COMMANDS[command](folder, out)), out, f"{table}.parquet", expected)


def test_lossless_type_differences_are_accepted(broken):
    folder, out = broken
    posts = pl.read_parquet(folder / "posts.parquet")
    rewrite(
        folder,
        "posts",
        posts.with_columns(pl.col("position").cast(pl.Int32), pl.col("created_at").cast(pl.Datetime("ms"))),
    )
    assert cli("html", folder, "--to", out).exit_code == 0


def test_timestamps_out_of_pythons_range_are_refused(broken):
    folder, out = broken
    posts = pl.read_parquet(folder / "posts.parquet")
    far = pl.lit(200_000 * 365 * 86_400 * 10**6, pl.Int64).cast(pl.Datetime("us", "UTC"))  # year ~201,000
    rewrite(folder, "posts", posts.with_columns(created_at=far))
    for command in ("figures", "metrics"):
        check_refused(cli(*COMMANDS[command](folder, out)), out, "posts.parquet", "created_at", "year")


def test_csv_only_folder_names_the_fix(broken):
    folder, out = broken
    for path in folder.glob("*.parquet"):
        path.unlink()
    (folder / MANIFEST).unlink()
    line = one_error_line(cli("metrics", folder, "-q"), "posts.parquet", "there is posts.csv")
    assert f"sna ingest {folder / 'posts.csv'} --out NEW" in line
    check_refused(cli("html", folder, "--to", out), out, "posts.parquet: missing")


def test_missing_folder_and_missing_metrics(tmp_path):
    one_error_line(cli("metrics", tmp_path / "nope", "-q"), "nope: no such folder")
    one_error_line(cli("html", tmp_path / "nope", "--to", tmp_path / "o"), "no such folder")
    assert not (tmp_path / "nope").exists() and not (tmp_path / "o").exists()
    ingested = tmp_path / "ingested"
    cli("ingest", Path(__file__).parents[1] / "data" / "seed-pakistan-ussr-thread.txt", "--out", ingested, "-q")
    check_refused(cli("figures", ingested, "--to", tmp_path / "f"), tmp_path / "f", "no post_metrics.parquet",
                  f"run `sna metrics {ingested}`")  # fmt: skip


def test_broken_manifest_and_summary(broken):
    folder, out = broken
    (folder / "summary.json").write_text("{not json")
    check_refused(cli("html", folder, "--to", out), out, "summary.json", "changed since sna wrote it")
    (folder / MANIFEST).write_text("[1, 2]")
    check_refused(cli("html", folder, "--to", out), out, MANIFEST, "not an sna manifest")
    (folder / MANIFEST).unlink()
    check_refused(cli("html", folder, "--to", out), out, "summary.json", "not valid JSON")
    (folder / "summary.json").write_text("[1]")
    check_refused(cli("html", folder, "--to", out), out, "summary.json", "expected a JSON object")


def test_stale_tables_not_in_the_manifest_are_never_read(good, tmp_path):
    """camps.* of an earlier run, copied back or left by another tool, are not this result set's."""
    from sna.pipeline import load_results
    from tests.helpers import SEED

    folder = tmp_path / "results"
    shutil.copytree(good, folder)
    assert load_results(folder).metrics.camps.height > 0
    camps = pl.read_parquet(folder / "camps.parquet")
    results(folder, SEED, "--skip", "stance,figures,html")  # no stance: no camps this time
    assert not (folder / "camps.parquet").exists()  # the earlier run's camps went with it
    camps.write_parquet(folder / "camps.parquet")  # put back by hand: not listed, so not read
    assert load_results(folder).metrics.camps.height == 0
    pages = tmp_path / "pages"
    assert cli("html", folder, "--to", pages).exit_code == 0


@pytest.fixture(scope="module")
def per_thread(tmp_path_factory) -> Path:
    """A results folder with camps per thread (thread_camps.*)."""
    from tests.helpers import SEED

    folder = tmp_path_factory.mktemp("per-thread") / "results"
    results(folder, SEED, "--camps-by", "thread")
    return folder


def _unresolved_from_nobody(df: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({"source": ["nobody"], "quoted_text": ["words"]}).select(
        *[
            pl.col(c) if c in ("source", "quoted_text") else pl.lit(None, dtype).alias(c)
            for c, dtype in df.schema.items()
        ]
    )


@pytest.mark.parametrize("manifest", ["update", "drop"])
@pytest.mark.parametrize(
    ("table", "change", "expected"),
    [
        ("thread_camps", lambda df: df.with_columns(pl.col("posts").cast(pl.String)), "column 'posts' holds String"),
        ("thread_camps", lambda df: df.with_columns(posts=-1), "'posts' holds -1 in row 1"),
        ("thread_camps", lambda df: df.drop("camp"), "missing column(s) camp"),
        ("unresolved_quotes", lambda df: df.drop("quoted_text"), "missing column(s) quoted_text"),
        ("unresolved_quotes", _unresolved_from_nobody, "quoting post 'nobody' is not in posts.parquet"),
    ],
)
def test_unresolved_quotes_and_thread_camps_are_checked(per_thread, tmp_path, table, change, expected, manifest):
    """The tables of issue 9 are listed in the manifest and checked like the others (also when adopted)."""
    folder, out = tmp_path / "results", tmp_path / "out"
    shutil.copytree(per_thread, folder)
    rewrite(folder, table, change(pl.read_parquet(folder / f"{table}.parquet")), manifest=manifest)
    reads = ["html"] + (["metrics", "export"] if table in INGESTED else [])
    for command in reads:
        check_refused(cli(*COMMANDS[command](folder, out)), out, f"{table}.parquet", expected)


def test_a_folder_from_before_manifests_and_unresolved_quotes_still_loads(per_thread, tmp_path):
    """No manifest, unresolved_quotes.*, ingest.json or thread_camps.*: read as empty, adopted when written."""
    from sna.pipeline import load_results

    folder = tmp_path / "results"
    shutil.copytree(per_thread, folder)
    (folder / MANIFEST).unlink()
    for name in ("unresolved_quotes.csv", "unresolved_quotes.parquet", "ingest.json", "thread_camps.csv",
                 "thread_camps.parquet"):  # fmt: skip
        (folder / name).unlink()
    loaded = load_results(folder)
    assert loaded.id is None and loaded.metrics.thread_camps.height == 0 and loaded.posts.height > 0
    from sna.pipeline import read_ingested

    assert read_ingested(folder).unresolved.height == 0
    assert cli("metrics", folder, "-q", "--camps-by", "thread").exit_code == 0
    listed = json.loads((folder / MANIFEST).read_text())["files"]
    assert listed["posts.parquet"]["part"] == "ingest" and listed["thread_camps.parquet"]["part"] == "metrics"
    assert load_results(folder).metrics.thread_camps.height > 0
