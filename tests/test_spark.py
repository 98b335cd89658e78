"""The Spark engine (local[2]) gives the local engine's tables: the sample, real-data fixtures, a 20k-post forum.

Skipped, with the reason, where pyspark or Java is missing (``make install-spark`` installs the extra).
"""

from __future__ import annotations

import filecmp
import json
import os
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sna.convert import convert
from sna.engine.spark import _murmur3_long, missing_spark, partition_keys
from sna.errors import SnaError
from sna.pipeline import run

HERE = Path(__file__).parent
ROOT = HERE.parent

pytestmark = pytest.mark.skipif(missing_spark() is not None, reason=f"Spark engine: {missing_spark()}")

#: Tables written from the same rows by the same writer: equal byte for byte.
EXACT = ("posts", "edges", "unresolved_quotes", "cascades", "author_edges")


@pytest.fixture(scope="module")
def spark():
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from sna.engine.spark import spark_session

    session = spark_session("local[2]", shuffle_partitions=4)
    assert session.conf.get("spark.sql.session.timeZone") == "UTC"
    yield session
    session.stop()


def _same_results(local: Path, spark_out: Path) -> None:
    compared = filecmp.dircmp(local, spark_out)
    assert compared.left_only == [] and compared.right_only == []
    for name in compared.diff_files:
        stem, suffix = name.rsplit(".", 1)
        assert stem not in EXACT, f"{name} differs"
        if suffix == "parquet":  # centrality floats: equal to 1e-9 (the local engine's own runs vary in the last bits)
            assert_frame_equal(pl.read_parquet(local / name), pl.read_parquet(spark_out / name), check_exact=False,
                               rel_tol=1e-9, abs_tol=1e-12)  # fmt: skip
        elif name == "summary.json":
            ours, theirs = json.loads((local / name).read_text()), json.loads((spark_out / name).read_text())
            engine = theirs.pop("engine")
            assert engine["name"] == "spark" and engine["graph_on"] == "driver"
            assert json.dumps(ours, sort_keys=True)[:200] == json.dumps(theirs, sort_keys=True)[:200]
            assert ours.keys() == theirs.keys()
        elif suffix == "csv":
            assert_frame_equal(pl.read_csv(local / name), pl.read_csv(spark_out / name), check_exact=False,
                               rel_tol=1e-9, abs_tol=1e-12)  # fmt: skip
        elif name == ".sna-manifest.json":  # the same files; only summary.json (its engine entry) hashes apart
            ours, theirs = (json.loads((d / name).read_text())["files"] for d in (local, spark_out))
            assert sorted(ours) == sorted(theirs)
            same = [f for f in ours if f not in compared.diff_files]
            assert [ours[f] for f in same] == [theirs[f] for f in same]
        else:
            raise AssertionError(f"{name} differs")


#: What --graph-on cluster leaves out (see sna.engine.spark_graph).
NOT_ON_CLUSTER = ["post_metrics.csv", "post_metrics.parquet", "posts.gexf", "posts.graphml"]


def _same_cluster_results(local: Path, cluster: Path) -> None:
    """--graph-on cluster, the author graph within the driver limits: the local engine's tables but post_metrics.

    Degrees, PageRank and components are computed by the local engine's code on the collected author graph, so
    author_metrics is equal bit for bit; camps hold the author graph's rows.
    """
    compared = filecmp.dircmp(local, cluster)
    assert sorted(compared.left_only) == NOT_ON_CLUSTER and compared.right_only == []
    for name in compared.diff_files:
        stem, suffix = name.rsplit(".", 1)
        assert stem not in EXACT, f"{name} differs"
        if stem in ("author_metrics", "camps"):
            read = pl.read_parquet if suffix == "parquet" else pl.read_csv
            ours, theirs = read(local / name), read(cluster / name)
            if stem == "camps":  # the post graph's camps are not computed on the cluster
                ours = ours.filter(pl.col("graph") == "author")
            assert_frame_equal(ours, theirs)  # exact
        elif stem == "authors":
            assert (local / name).read_text() == (cluster / name).read_text(), name
        elif name == "summary.json":
            ours, theirs = json.loads((local / name).read_text()), json.loads((cluster / name).read_text())
            engine = theirs.pop("engine")
            assert engine["graph_on"] == "cluster" and engine["driver_subgraph"]["whole"]
            assert engine["measured_on"] == "driver"
            assert "pagerank" in engine["on_driver"] and "betweenness" in engine["on_driver"]
            assert "pagerank" not in engine["on_cluster"] and "author graph" in engine["on_cluster"]
            assert theirs.pop("post_graph")["available"] is False
            del ours["post_graph"]
            if ours["camps"]["available"]:
                assert theirs["camps"].pop("post_graph")["available"] is False
                del ours["camps"]["post_graph"]
            assert theirs["graph_files"].pop("posts").startswith("left out")
            del ours["graph_files"]["posts"]
            assert ours == theirs
        elif name != ".sna-manifest.json":
            raise AssertionError(f"{name} differs")


#: What the cluster computes as DataFrame iterations (or aggregations) above the driver limits.
ITERATED = ["author", "in_degree", "out_degree", "in_weight", "out_weight", "pagerank", "replies_received",
            "implicit_received", "agree_in", "disagree_in"]  # fmt: skip


def _same_iterated_results(local: Path, cluster: Path, max_nodes: int) -> None:
    """--graph-on cluster above the driver limits: degrees, PageRank (to 1e-9) and components from Spark iterations."""
    ours, theirs = (pl.read_parquet(folder / "author_metrics.parquet") for folder in (local, cluster))
    assert_frame_equal(ours.select(ITERATED), theirs.select(ITERATED), check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    assert theirs["betweenness"].drop_nulls().len() == min(max_nodes, theirs.height)  # the driver's subgraph
    summary, local_summary = (json.loads((folder / "summary.json").read_text()) for folder in (cluster, local))
    engine = summary["engine"]
    assert engine["measured_on"] == "cluster" and not engine["driver_subgraph"]["whole"]
    assert "pagerank" in engine["on_cluster"] and "weak components" in engine["on_cluster"]
    assert summary["author_graph"]["convergence"]["pagerank"]["converged"]
    for key in ("nodes", "links", "interactions", "density", "reciprocity", "weak_components",
                "largest_weak_component"):  # fmt: skip
        assert summary["author_graph"][key] == pytest.approx(local_summary["author_graph"][key], rel=1e-12), key
    for key in ("threads", "posts", "authors", "edges", "cascades", "share_of_posts_that_quote"):
        assert summary[key] == local_summary[key], key


def _both_engines(
    tmp_path: Path, spark, inputs: list[Path], *, partitions: int = 3, cluster: bool = False,
    iterated: int | None = None, **options,
) -> Path:  # fmt: skip
    """Local and Spark runs compared; ``cluster`` also --graph-on cluster; ``iterated`` that with lower driver limits.

    ``iterated`` is the driver's node limit that forces the cluster's DataFrame iterations.
    """
    from sna.engine.spark import run_spark

    convert(inputs, tmp_path / "converted", buckets=4)
    run(inputs, tmp_path / "local", skip=["figures", "html"], **options)
    run_spark(tmp_path / "converted", tmp_path / "spark", spark=spark, partitions=partitions)
    _same_results(tmp_path / "local", tmp_path / "spark")
    if cluster:
        run_spark(tmp_path / "converted", tmp_path / "cluster", spark=spark, partitions=partitions, graph_on="cluster")
        _same_cluster_results(tmp_path / "local", tmp_path / "cluster")
    if iterated is not None:
        run_spark(tmp_path / "converted", tmp_path / "iterated", spark=spark, partitions=partitions, graph_on="cluster",
                  driver_limits=(iterated, 10**9))  # fmt: skip
        _same_iterated_results(tmp_path / "local", tmp_path / "iterated", iterated)
    return tmp_path / "spark"


def test_partition_keys_match_spark_hash(spark):
    rows = spark.sql("SELECT id, hash(id) AS h FROM range(0, 50)").collect()
    assert [_murmur3_long(r["id"]) for r in rows] == [r["h"] for r in rows]
    keys = partition_keys(5)
    frame = spark.createDataFrame([(k,) for k in keys], "k long").repartition(5, "k")
    placed = frame.selectExpr("k", "spark_partition_id() AS p").collect()
    assert sorted((keys.index(r["k"]), r["p"]) for r in placed) == [(i, i) for i in range(5)]


def test_sample_thread(tmp_path, spark):
    out = _both_engines(tmp_path, spark, [ROOT / "data" / "raw"], cluster=True)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"]["large_threads"] == 1  # the one thread is larger than a partition's share


def test_real_fixtures(tmp_path, spark):
    inputs = [HERE / "data" / "stackexchange", HERE / "data" / "discourse", HERE / "data" / "reddit-cmv"]
    _both_engines(tmp_path, spark, inputs, iterated=5)


def test_synthetic_forum_20k_reddit_dump(tmp_path, spark):
    from bench.synth import reddit_records, synthetic_forum

    dump = tmp_path / "RC_synthetic.ndjson"
    dump.write_text(reddit_records(synthetic_forum(20_000, seed=3)).write_ndjson())
    out = _both_engines(tmp_path / "run", spark, [dump], partitions=4, cluster=True)
    assert pl.read_parquet(out / "posts.parquet").height == 20_000


def test_duplicate_ids_same_error(tmp_path, spark):
    from sna.engine.spark import run_spark

    (tmp_path / "a.csv").write_text("thread_id,post_id,position,author,text\nt1,p1,1,ann,Tea.\n")
    (tmp_path / "b.csv").write_text("thread_id,post_id,position,author,text\nt2,p1,1,bo,Coffee.\n")
    inputs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    convert(inputs, tmp_path / "c")
    with pytest.raises(SnaError) as local:
        run(inputs, tmp_path / "l", skip=["figures", "html", "stance"])
    with pytest.raises(SnaError) as remote:
        run_spark(tmp_path / "c", tmp_path / "s", spark=spark, skip=("stance",))
    assert str(remote.value) == str(local.value)


def test_parent_in_another_thread_same_error(tmp_path, spark):
    from sna.engine.spark import global_checks, run_spark

    (tmp_path / "a.csv").write_text("thread_id,post_id,position,author,text,reply_to\n"
                                    "t1,p1,1,ann,Tea.,\nt1,p2,2,bo,Coffee.,p1\nt2,p3,1,cy,Milk.,\n"
                                    "t2,p4,2,ann,Water.,p3\nt2,p5,3,bo,Juice.,p2\n")  # fmt: skip
    convert([tmp_path / "a.csv"], tmp_path / "c")
    with pytest.raises(SnaError) as local:
        run([tmp_path / "a.csv"], tmp_path / "l", skip=["figures", "html", "stance"])
    with pytest.raises(SnaError) as remote:
        run_spark(tmp_path / "c", tmp_path / "s", spark=spark, skip=("stance",))
    assert "replies to 'p2', which is in another thread" in str(local.value)
    assert str(remote.value) == str(local.value)
    with pytest.raises(SnaError) as checked:  # found by the checks across threads, before the per-thread step
        global_checks(spark.read.parquet(str(tmp_path / "c" / "posts")))
    assert str(checked.value) == str(local.value)


def _graph_from_local(posts: pl.DataFrame, metrics) -> object:
    """A ClusterGraph holding what the cluster computes, taken from the local engine's results."""
    from sna.analysis.centrality import Convergence
    from sna.engine.spark_graph import ClusterGraph

    table = metrics.author_metrics
    summary = metrics.summary
    facts = {
        "threads": summary["threads"], "posts": summary["posts"], "placeholders": summary["placeholders"],
        "authors": summary["authors"], "edges": summary["edges"], "has_stance": summary["camps"]["available"],
        "quoting_posts": round(summary["share_of_posts_that_quote"] * summary["posts"]),
        "links": summary["author_graph"]["links"], "interactions": summary["author_graph"]["interactions"],
        "mutual": round(summary["author_graph"]["reciprocity"] * summary["author_graph"]["links"]),
    }  # fmt: skip
    measures = table.select("author", "in_degree", "out_degree", "in_weight", "out_weight", "pagerank",
                            "replies_received", "implicit_received", "agree_in", "disagree_in")  # fmt: skip
    weak = metrics.summary["author_graph"]["weak_components"]
    measures = measures.with_columns(component=pl.Series(range(table.height)) % weak)  # sizes are not compared
    nodes = table.select("author", "posts", "self_replies", "anonymous")
    converged = Convergence("pagerank", 1, True, 0.0)
    return ClusterGraph(nodes, metrics.author_edges, measures, pl.DataFrame(), pl.DataFrame(), converged, facts)


def test_driver_side_whole_and_filtered_author_graph():
    """cluster_metrics on the whole author graph gives the local author table; on a subgraph, nulls outside it."""
    import sna
    from sna.engine.spark_graph import cluster_metrics

    corpus = sna.load(ROOT / "data" / "raw")
    metrics = corpus.metrics()
    graph = _graph_from_local(corpus.posts, metrics)
    cascades = metrics.cascades
    whole, about = cluster_metrics(graph, cascades, metrics.summary["cascades"])
    assert about["whole"] and whole.post_metrics is None
    assert_frame_equal(whole.author_metrics, metrics.author_metrics, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    assert_frame_equal(whole.camps, metrics.camps.filter(pl.col("graph") == "author"))
    assert whole.summary["communities"] == metrics.summary["communities"]

    part, about = cluster_metrics(graph, cascades, metrics.summary["cascades"], max_nodes=5)
    assert not about["whole"] and about["nodes"] == 5
    table = part.author_metrics
    ranked = metrics.author_metrics.with_row_index("_i").sort(["pagerank", "_i"], descending=[True, False])
    top = set(ranked.head(5)["author"])  # ties: the earlier first post
    assert set(table.filter(pl.col("betweenness").is_not_null())["author"]) == top
    assert_frame_equal(table.select("author", "pagerank", "in_degree"), metrics.author_metrics.select(
        "author", "pagerank", "in_degree"))  # fmt: skip
    assert table.filter(~pl.col("author").is_in(list(top)))["community"].null_count() == table.height - 5
