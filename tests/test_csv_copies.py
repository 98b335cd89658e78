"""CSV copies of the tables: every table up to CSV_COPY_LIMIT posts; above it the per-post ones only on --csv."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

import sna.pipeline
from sna.cli import main
from sna.pipeline import PER_POST_TABLES, run
from tests.helpers import SEED

SKIP = ["stance", "figures", "html"]


def _csv_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".csv")


@pytest.fixture
def small_limit(monkeypatch):
    """The seed thread (32 posts) counts as a large corpus."""
    monkeypatch.setattr(sna.pipeline, "CSV_COPY_LIMIT", 10)


def test_small_corpora_get_a_csv_copy_of_every_table(tmp_path):
    run([SEED], tmp_path / "out", skip=SKIP)
    parquet = sorted(p.stem for p in (tmp_path / "out").iterdir() if p.suffix == ".parquet")
    assert _csv_files(tmp_path / "out") == [f"{name}.csv" for name in parquet]


def test_large_corpora_leave_out_the_csv_copies_of_per_post_tables_only(tmp_path, small_limit):
    full, lean = tmp_path / "full", tmp_path / "lean"
    run([SEED], full, skip=SKIP, csv=True)
    result = run([SEED], lean, skip=SKIP)
    missing = set(_csv_files(full)) - set(_csv_files(lean))
    assert missing == {f"{name}.csv" for name in PER_POST_TABLES}
    assert "author_metrics.csv" in _csv_files(lean) and "cascades.csv" in _csv_files(lean)
    assert set(result.written[lean]) == {p.name for p in lean.iterdir() if not p.name.startswith(".")}
    for name in PER_POST_TABLES:  # the Parquet tables are the same either way
        assert pl.read_parquet(lean / f"{name}.parquet").equals(pl.read_parquet(full / f"{name}.parquet"))
        assert pl.read_csv(full / f"{name}.csv", n_rows=0).columns == pl.read_parquet(lean / f"{name}.parquet").columns


def test_no_csv_writes_parquet_only(tmp_path):
    run([SEED], tmp_path / "out", skip=SKIP, csv=False)
    assert _csv_files(tmp_path / "out") == []
    assert (tmp_path / "out" / "author_metrics.parquet").exists()


def test_the_cli_says_which_tables_are_parquet_only_and_how_to_get_csv(tmp_path, small_limit):
    result = CliRunner().invoke(main, ["run", str(SEED), "--out", str(tmp_path / "out"), "--skip", ",".join(SKIP)])
    assert result.exit_code == 0, result.output
    assert "tables: posts, edges, post_metrics as Parquet only for 32 posts (pass --csv for CSV copies)" in result.output
    asked = CliRunner().invoke(main, ["run", str(SEED), "--out", str(tmp_path / "o2"), "--skip", ",".join(SKIP),
                                      "--no-csv"])  # fmt: skip
    assert asked.exit_code == 0 and "Parquet only" not in asked.output  # no note when the user chose
    assert _csv_files(tmp_path / "o2") == []


def test_ingest_then_metrics_follow_the_same_rule(tmp_path, small_limit):
    out = tmp_path / "out"
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", str(SEED), "--out", str(out)])
    assert ingested.exit_code == 0, ingested.output
    assert "tables: posts, edges as Parquet only" in ingested.output
    computed = runner.invoke(main, ["metrics", str(out), "--csv"])
    assert computed.exit_code == 0, computed.output
    assert "post_metrics.csv" in _csv_files(out) and "posts.csv" not in _csv_files(out)


@pytest.mark.parametrize("with_csv", [True, False])
def test_sna_stance_rewrites_the_edges_csv_only_where_there_is_one(tmp_path, small_limit, with_csv):
    out = tmp_path / "out"
    run([SEED], out, skip=SKIP, csv=with_csv)
    result = CliRunner().invoke(main, ["stance", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "edges.csv").exists() == with_csv
    edges = pl.read_parquet(out / "edges.parquet")
    assert edges["stance"].drop_nulls().len() > 0
    if with_csv:  # no stale copy: the CSV holds the new labels too
        assert pl.read_csv(out / "edges.csv")["stance"].to_list() == edges["stance"].to_list()
