"""One answer from CLI and API: `sna.load` runs the stages of `sna run`; subsets; `sna stance DIR`."""

import json
from datetime import UTC, datetime

import polars as pl
import pytest
from click.testing import CliRunner

import sna
from sna.cli import main
from sna.errors import SnaError
from tests.helpers import SEED, thread

TABLES = ("posts", "edges", "post_metrics", "author_metrics", "author_edges", "cascades", "camps",
          "unresolved_quotes")  # fmt: skip


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(main, ["run", str(SEED), "--out", str(out), "-q", "--skip", "figures,html"])
    assert result.exit_code == 0, result.output
    return out


def api_tables(corpus: sna.Corpus) -> dict[str, pl.DataFrame]:
    metrics = corpus.metrics()
    return {
        "posts": corpus.posts, "edges": corpus.edges, "post_metrics": metrics.post_metrics,
        "author_metrics": metrics.author_metrics, "author_edges": metrics.author_edges, "cascades": metrics.cascades,
        "camps": metrics.camps, "unresolved_quotes": corpus.unresolved,
    }  # fmt: skip


def test_cli_and_api_give_the_same_tables_on_the_sample(run_folder):
    corpus = sna.load(SEED)
    assert corpus.edges["stance"].drop_nulls().len() > 0  # stance labelled, as by `sna run`
    tables = api_tables(corpus)
    for name in TABLES:
        written = pl.read_parquet(run_folder / f"{name}.parquet")
        assert written.equals(tables[name]), name
    summary = json.loads((run_folder / "summary.json").read_text())
    summary.pop("graph_files")
    assert summary == json.loads(json.dumps(corpus.summary()))
    assert corpus.camps().height > 0


def test_loading_a_results_folder_gives_the_same_tables(run_folder):
    again = api_tables(sna.load(run_folder))
    for name in ("posts", "edges", "post_metrics", "author_metrics", "cascades", "camps"):
        assert again[name].equals(pl.read_parquet(run_folder / f"{name}.parquet")), name


def test_options_reach_the_metrics_as_on_the_command_line(tmp_path):
    corpus = sna.load(SEED, stance=False)
    out = tmp_path / "count"
    args = ["run", str(SEED), "--out", str(out), "-q", "--skip", "stance,figures,html", "--implicit-links", "count",
            "--no-rank-anonymous"]  # fmt: skip
    assert CliRunner().invoke(main, args).exit_code == 0
    metrics = corpus.metrics(implicit_links="count", rank_anonymous=False)
    assert pl.read_parquet(out / "author_metrics.parquet").equals(metrics.author_metrics)
    # Varun, the only named author, opened the thread: first once assumed links count
    top = metrics.summary["author_graph"]["top"]["pagerank"]
    assert top[0]["node"] == "Varun" and all(not row["node"].startswith("[post ") for row in top)


def test_implicit_target_on_the_command_line(tmp_path):
    out = tmp_path / "prev"
    args = ["ingest", str(SEED), "--out", str(out), "-q", "--implicit-target", "previous"]
    assert CliRunner().invoke(main, args).exit_code == 0
    edges = pl.read_parquet(out / "edges.parquet").filter(pl.col("kind") == "implicit")
    number = edges.select(pl.col(c).str.extract(r"#(\d+)$").cast(pl.Int64) for c in ("source", "target"))
    assert (number["source"] - number["target"] == 1).all()
    assert json.loads((out / "ingest.json").read_text())["implicit_target"] == "previous"


def dated(*days: int, authors: list[str]) -> pl.DataFrame:
    posts = thread(*[f"post on day {d}" for d in days], authors=authors)
    stamps = [datetime(2024, 5, d, tzinfo=UTC) for d in days]
    return posts.with_columns(created_at=pl.Series(stamps, dtype=pl.Datetime("us", "UTC")))


def test_subset_by_thread_author_and_time():
    posts = pl.concat([dated(1, 2, 3, authors=["ann", "bo", "ann"]),
                       dated(4, 5, authors=["bo", "cy"]).with_columns(thread_id=pl.lit("u"),
                                                                       post_id=pl.Series(["u1", "u2"]))])  # fmt: skip
    found = sna.extract_edges(posts)
    corpus = sna.Corpus(found.posts, found.edges)
    assert corpus.subset(threads=["u"]).posts["post_id"].to_list() == ["u1", "u2"]
    assert corpus.subset(authors=["ann"]).posts["post_id"].to_list() == ["p1", "p3"]
    part = corpus.subset(since="2024-05-02", until=datetime(2024, 5, 5))
    assert part.posts["post_id"].to_list() == ["p2", "p3", "u1"]
    assert part.edges.height == 0  # both links pointed at p1, which is left out
    kept = corpus.subset(authors=["ann", "bo"])
    assert kept.edges.select("source", "target").rows() == [("p2", "p1"), ("p3", "p1")]
    assert part.metrics().post_metrics.height == 3  # a new corpus: metrics of the subset only
    with pytest.raises(SnaError, match="not an ISO 8601 time"):
        corpus.subset(since="yesterday")


def test_stance_labels_an_ingest_folder_in_place(tmp_path):
    out = tmp_path / "ingested"
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEED), "--out", str(out), "-q"]).exit_code == 0
    before = pl.read_parquet(out / "edges.parquet")
    assert before["stance"].null_count() == before.height
    result = runner.invoke(main, ["stance", str(out)])
    assert result.exit_code == 0, result.output
    assert "labelled 12 of 31 edges (6 agree, 0 neutral, 6 disagree; 19 implicit left unlabelled)" in result.output
    after = pl.read_parquet(out / "edges.parquet")
    assert after.equals(sna.load(SEED).edges)
    assert pl.read_csv(out / "edges.csv").height == after.height
    assert after.drop("stance", "stance_score").equals(before.drop("stance", "stance_score"))
    # pairs-table options make no sense for a folder, and a pairs table needs them
    result = runner.invoke(main, ["stance", str(out), "--parent-col", "x"])
    assert result.exit_code == 1 and "apply to a pairs table only" in result.output
    result = runner.invoke(main, ["stance", str(out / "posts.csv")])
    assert result.exit_code == 1 and "give --parent-col, --reply-col, --out" in result.output


def test_stance_on_a_folder_with_metrics_says_they_are_stale(run_folder, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    result = CliRunner().invoke(main, ["stance", str(folder)])
    assert result.exit_code == 0 and "run `sna metrics" in result.output


def test_author_named_like_an_anonymous_node_keeps_its_own_node():
    posts = thread("Hello there everyone.", "Who is this?", "Me again.", authors=["[post p3]", None, None])
    ix = sna.compute_metrics(posts, sna.extract_edges(posts).edges).author_metrics
    rows = {r["author"]: r["anonymous"] for r in ix.iter_rows(named=True)}
    assert rows == {"[post p3]": False, "[post p2]": True, "[post p3] (unknown author)": True}
