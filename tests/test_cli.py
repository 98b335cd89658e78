"""The command line: outputs, summary, help, and one-line errors."""

import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main
from tests.helpers import DATA


@pytest.fixture
def runner():
    return CliRunner()


def test_ingest_writes_tables_and_summary(runner, tmp_path, seed_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["ingest", str(seed_path), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "1 thread, 32 posts, 1 author" in result.output
    assert "edges: 12 quote, 0 reply (read from the posts); 19 implicit (assumed: 61% of links)" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".sna-manifest.json",
        "edges.csv",
        "edges.parquet",
        "ingest.json",
        "posts.csv",
        "posts.parquet",
        "unresolved_quotes.csv",
        "unresolved_quotes.parquet",
    ]
    posts = pl.read_parquet(out / "posts.parquet")
    assert posts.columns[:9] == [
        "thread_id",
        "post_id",
        "position",
        "author",
        "created_at",
        "title",
        "text",
        "raw_text",
        "reply_to",
    ]
    assert pl.read_csv(out / "edges.csv").height == 31


def test_written_posts_read_back_to_the_same_result(runner, tmp_path, seed_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(main, ["ingest", str(seed_path), "--out", str(first), "-q"]).exit_code == 0
    result = runner.invoke(main, ["ingest", str(first / "posts.csv"), "--out", str(second), "-q"])
    assert result.exit_code == 0, result.output
    a, b = pl.read_parquet(first / "edges.parquet"), pl.read_parquet(second / "edges.parquet")
    assert a.equals(b)
    keep = ["thread_id", "post_id", "position", "author", "title", "text", "raw_text"]
    assert (
        pl.read_parquet(first / "posts.parquet")
        .select(keep)
        .equals(pl.read_parquet(second / "posts.parquet").select(keep))
    )


def test_ingest_is_deterministic(runner, tmp_path, seed_path):
    outs = [tmp_path / "x", tmp_path / "y"]
    for out in outs:
        assert runner.invoke(main, ["ingest", str(seed_path), "--out", str(out), "-q"]).exit_code == 0
    for name in ("posts.csv", "edges.csv", "posts.parquet", "edges.parquet", "ingest.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_directory_input_is_searched_and_mapping_applies(runner, tmp_path):
    folder = tmp_path / "in" / "nested"
    folder.mkdir(parents=True)
    pl.DataFrame({"body": ["Hello there, this is the first post.", "Hi"]}).write_csv(folder / "t.csv")
    (folder / "README.md").write_text("not data")
    result = runner.invoke(main, ["ingest", str(tmp_path / "in"), "--map", "text=body", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "2 posts" in result.output
    assert "skipped 1 file of unknown format" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.csv", "missing.csv: no such file or directory"),
        (lambda d: (d / "a.xyz").write_text("???") and d / "a.xyz", "a.xyz: unknown format; name it with --format"),
        (lambda d: (d / "b.csv").write_text("body\nhi\n") and d / "b.csv", "b.csv: expected a 'text' column"),
        (
            lambda d: (d / "c.csv").write_text("post_id,text\n1,a\n1,b\n") and d / "c.csv",
            "c.csv: duplicate post_id '1' (rows 1 and 2)",
        ),
        (
            lambda d: (d / "d.csv").write_text("post_id,text,reply_to\n1,a,2\n2,b,1\n") and d / "d.csv",
            "reply_to forms a cycle",
        ),
        (
            lambda d: (d / "e.jsonl").write_text('{"text": "a"}\n{"text": \n') and d / "e.jsonl",
            "e.jsonl:2: not valid JSON",
        ),
    ],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(runner, tmp_path, make, message):
    path = make(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["ingest", str(path), "--out", str(out), "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("sna: error: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_failed_run_leaves_existing_outputs_untouched(runner, tmp_path, seed_path):
    out = tmp_path / "out"
    assert runner.invoke(main, ["ingest", str(seed_path), "--out", str(out), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text("body\nx\n")
    assert runner.invoke(main, ["ingest", str(bad), "--out", str(out), "-q"]).exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_every_command_has_help_with_an_example(runner):
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"sna {name}" in result.output, name


def test_formats_lists_readers(runner):
    result = runner.invoke(main, ["formats"])
    assert result.exit_code == 0
    assert "text" in result.output and "csv" in result.output


def test_real_iac_thread_through_the_table_path(runner, tmp_path):
    out = tmp_path / "iac"
    result = runner.invoke(main, ["ingest", str(DATA / "iac-8052-posts.csv"), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    edges = pl.read_parquet(out / "edges.parquet").filter(pl.col("kind") == "quote")
    truth = set(pl.read_csv(DATA / "iac-8052-quotes.csv", infer_schema=False).rows())
    assert set(edges.select("source", "target").rows()) == truth


def test_run_writes_tables_metrics_and_graph_files(runner, tmp_path, seed_path):
    out = tmp_path / "run"
    result = runner.invoke(main, ["run", str(seed_path), "--out", str(out), "-q", "--skip", "stance,figures,html"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    for name in ("posts.parquet", "edges.csv", "post_metrics.csv", "author_metrics.parquet", "cascades.csv",
                 "summary.json", "posts.gexf", "authors.gexf", "posts.graphml", "authors.graphml"):  # fmt: skip
        assert name in names
    import json

    import networkx as nx

    summary = json.loads((out / "summary.json").read_text())
    assert summary["post_graph"]["nodes"] == 32
    assert nx.read_gexf(out / "authors.gexf").number_of_nodes() == 32
    # Varun opened the thread, but only assumed links point at the opening post: by default the
    # ranking rests on quotes read from the posts.
    assert "most central authors (PageRank): [post seed-pakistan-ussr-thread#14]" in result.output
    assert result.output.count("warning: 61% of links are assumed") == 1  # said once


def test_metrics_on_an_ingest_folder_and_errors(runner, tmp_path, seed_path):
    out = tmp_path / "m"
    assert runner.invoke(main, ["ingest", str(seed_path), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(main, ["metrics", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "post_metrics.parquet").exists()
    missing = runner.invoke(main, ["metrics", str(tmp_path / "nothing"), "-q"])
    assert missing.exit_code == 1 and "nothing: no such folder" in missing.output
    bad_skip = runner.invoke(main, ["run", str(seed_path), "--out", str(tmp_path / "x"), "--skip", "colour"])
    assert bad_skip.exit_code == 1 and "unknown stage colour" in bad_skip.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_run_output_is_byte_identical_across_runs(runner, tmp_path, seed_path):
    outs = [tmp_path / "r1", tmp_path / "r2"]
    for out in outs:
        assert runner.invoke(main, ["run", str(seed_path), "--out", str(out), "-q"]).exit_code == 0
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert any(str(f).startswith("figures/") for f in files)  # the pictures are part of a run
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_post_graph_files_are_left_out_above_the_limit_unless_asked(runner, tmp_path, seed_path, monkeypatch):
    import json

    import sna.pipeline

    monkeypatch.setattr(sna.pipeline, "POST_GRAPH_FILE_LIMIT", 10)
    out = tmp_path / "big"
    result = runner.invoke(main, ["run", str(seed_path), "--out", str(out), "-q", "--skip", "stance,figures,html"])
    assert result.exit_code == 0, result.output
    assert not (out / "posts.gexf").exists() and (out / "authors.gexf").exists()
    assert "posts.gexf/posts.graphml left out for 32 posts" in result.output
    assert json.loads((out / "summary.json").read_text())["graph_files"]["posts"].startswith("left out")
    forced = tmp_path / "forced"
    args = ["run", str(seed_path), "--out", str(forced), "-q", "--skip", "stance,figures,html", "--post-graph-files"]
    assert runner.invoke(main, args).exit_code == 0
    assert (forced / "posts.gexf").exists()


def test_thread_is_an_option_of_the_commands_it_changes_and_not_of_html(runner, tmp_path):
    # --thread picks the arc diagram's and the cascade trees' thread; the pages show every thread (and filter by
    # any), so `sna html` does not offer an option that would change nothing.
    for command in ("run", "figures"):
        assert "--thread ID" in runner.invoke(main, [command, "--help"]).output
    assert "--thread" not in runner.invoke(main, ["html", "--help"]).output
    result = runner.invoke(main, ["html", str(tmp_path), "--thread", "t1"])
    assert result.exit_code == 2
    assert "No such option '--thread'" in result.output
