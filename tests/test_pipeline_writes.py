"""sna run writes POSTS and EDGES in a thread while metrics are computed: all of it or nothing."""

from __future__ import annotations

import threading

import pytest

import sna.pipeline
from sna.errors import SnaError
from sna.pipeline import run
from tests.helpers import SEED
from tests.hostile.common import leftovers, snapshot


def test_a_metrics_failure_while_posts_are_written_leaves_the_previous_result(tmp_path, monkeypatch):
    out = tmp_path / "out"
    run([SEED], out, skip=["stance", "figures", "html"])
    before = snapshot(out)
    writing = threading.Event()
    real_write = sna.pipeline.write_tables

    def slow_write(jobs, **options):  # the posts are still being written when the metrics fail
        writing.set()
        real_write(jobs, **options)

    def broken_metrics(*args, **kwargs):
        assert writing.wait(10)
        raise SnaError("the metrics broke")

    monkeypatch.setattr(sna.pipeline, "write_tables", slow_write)
    monkeypatch.setattr(sna.pipeline, "compute_metrics", broken_metrics)
    with pytest.raises(SnaError, match="the metrics broke"):
        run([SEED], out, skip=["stance", "figures", "html"])
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_files_written_in_the_thread_are_complete_when_run_returns(tmp_path):
    out = tmp_path / "out"
    result = run([SEED], out, skip=["stance", "figures", "html"])
    names = result.written[out]
    assert names[:7] == ["posts.csv", "posts.parquet", "edges.csv", "edges.parquet", "unresolved_quotes.csv",
                         "unresolved_quotes.parquet", "ingest.json"]  # fmt: skip
    assert all((out / name).stat().st_size > 0 for name in names)
    assert sna.pipeline.read_ingested(out).posts.height == result.ingested.posts.height


def test_metric_tables_read_back_as_written_in_the_documented_column_order(tmp_path):
    import polars as pl

    from sna.analysis.camps import TABLE_SCHEMA
    from sna.pipeline import load_results

    out = tmp_path / "out"
    result = run([SEED], out, skip=["figures", "html"])
    camps = result.metrics.camps
    assert camps.height > 0  # the seed thread has agreement camps
    assert camps.columns == ["graph", *TABLE_SCHEMA]  # as the README lists them
    assert pl.read_csv(out / "camps.csv", n_rows=0).columns == camps.columns
    loaded = load_results(out).metrics
    for name in ("camps", "post_metrics", "author_metrics", "cascades"):
        assert getattr(loaded, name).columns == getattr(result.metrics, name).columns, name
