"""The Spark engine's output above its collect limit: posts/ and edges/ as folders of Parquet parts.

The limit (:data:`sna.engine.spark.COLLECT_LIMIT`) is lowered so that the sample takes that path; the folder
must then read back (:func:`sna.load_results`, ``sna figures``, ``sna html``) as the single-file folder does.
Skipped, with the reason, where pyspark or Java is missing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main
from sna.convert import convert
from sna.engine import spark as spark_engine
from sna.engine.spark import missing_spark
from sna.pipeline import load_results

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.skipif(missing_spark() is not None, reason=f"Spark engine: {missing_spark()}")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """(single-file folder, folder of parts) of one Spark run each on the sample thread."""
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    base = tmp_path_factory.mktemp("large")
    convert([ROOT / "data" / "raw"], base / "converted", buckets=2)
    session = spark_engine.spark_session("local[2]", shuffle_partitions=4)
    try:
        spark_engine.run_spark(base / "converted", base / "small", spark=session, partitions=3)
        limit = spark_engine.COLLECT_LIMIT
        spark_engine.COLLECT_LIMIT = 10  # the sample's 32 posts are "large"
        try:
            spark_engine.run_spark(base / "converted", base / "large", spark=session, partitions=3)
        finally:
            spark_engine.COLLECT_LIMIT = limit
    finally:
        session.stop()
    return base / "small", base / "large"


def test_large_output_is_folders_of_parts_listed_in_the_manifest(results):
    small, large = results
    assert (small / "posts.parquet").is_file() and not (large / "posts.parquet").exists()
    manifest = json.loads((large / ".sna-manifest.json").read_text())
    for name in ("posts", "edges"):
        parts = sorted((large / name).iterdir())
        assert all(re.fullmatch(r"part-\d{5}\.parquet", p.name) for p in parts), parts
        assert parts, name
        listed = [f for f in manifest["files"] if f.startswith(f"{name}/")]
        assert sorted(listed) == sorted(f"{name}/{p.name}" for p in parts)
        whole = pl.concat([pl.read_parquet(p) for p in parts])
        assert whole.equals(pl.read_parquet(small / f"{name}.parquet")), name


def test_load_results_reads_the_parts(results):
    small, large = results
    one, parts = load_results(small), load_results(large)
    assert parts.posts.equals(one.posts) and parts.edges.equals(one.edges)
    assert parts.metrics.post_metrics.equals(one.metrics.post_metrics)


@pytest.mark.parametrize("command", ["figures", "html"])
def test_figures_and_pages_are_those_of_the_single_file_folder(results, tmp_path, command):
    small, large = results
    runner = CliRunner()
    made = {}
    for name, folder in (("small", small), ("large", large)):
        result = runner.invoke(main, [command, str(folder), "--to", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        made[name] = {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*")
                      if p.is_file() and p.name != ".sna-manifest.json"}  # fmt: skip
    assert made["small"] and sorted(made["small"]) == sorted(made["large"])
    differ = [name for name in made["small"] if made["small"][name] != made["large"][name]]
    assert differ in ([], [Path("report.html")])  # the report lists the files of its folder, which differ
    report = made["large"].get(Path("report.html"), b"").decode()
    if command == "figures":
        assert 'large/posts">posts/<' in report and "one row per post (POSTS), as Parquet parts" in report
        assert 'large/edges">edges/<' in report and "posts.csv" not in report
