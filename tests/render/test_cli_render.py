"""`sna run`, `sna figures` and `sna html`: pictures, options, the report, and clear errors."""

import re

import pytest
from click.testing import CliRunner

from sna.cli import main
from tests.helpers import SEED
from tests.render.fixtures import labelled_forum


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    result = CliRunner().invoke(main, ["run", str(SEED), "--out", str(out), "-q", "--skip", "stance,figures,html"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def forum_run(tmp_path_factory):
    """`sna run` on a labelled forum written as a CSV table, with every picture."""
    import polars as pl

    folder = tmp_path_factory.mktemp("forum")
    posts, _ = labelled_forum()
    table = folder / "forum.csv"
    posts.select("thread_id", "post_id", "position", "author", pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                 "title", "text").write_csv(table)  # fmt: skip
    out, pictures = folder / "out", folder / "pictures"
    result = CliRunner().invoke(main, ["run", str(table), "--out", str(out), "--figures", str(pictures), "-q"])
    assert result.exit_code == 0, result.output
    return out, pictures, result.output


def test_figures_writes_pngs_svgs_and_the_report_and_says_what_it_skipped(processed, tmp_path):
    figures = tmp_path / "figures"
    result = CliRunner().invoke(main, ["figures", str(processed), "--to", str(figures), "--svg", "--dpi", "80"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in figures.iterdir() if not p.name.startswith("."))
    drawn = ("network", "thread-arcs", "centrality", "cascade-trees", "cascade-distributions")
    assert names == sorted([*(f"{n}.{ext}" for n in drawn for ext in ("png", "svg")), "report.html"])
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"wrote 11 files to {figures}")
    assert "skipped camp-map (no camps or communities), camp-agreement (no stance labels), activity (no timestamps)" \
        in lines[0]  # fmt: skip
    assert lines[-1] == f"report: {(figures / 'report.html').resolve()}"


def test_html_writes_both_pages_and_the_report(processed, tmp_path):
    result = CliRunner().invoke(main, ["html", str(processed), "--to", str(tmp_path), "--min-degree", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"wrote 3 pages to {tmp_path}: authors.html, posts.html, report.html"
    assert (tmp_path / "posts.html").read_text().startswith("<!DOCTYPE html>")


def test_an_unknown_thread_is_one_line_and_writes_nothing(processed, tmp_path):
    target = tmp_path / "figures"
    result = CliRunner().invoke(main, ["figures", str(processed), "--to", str(target), "--thread", "nope"])
    assert result.exit_code == 1
    assert re.fullmatch(r"sna: error: --thread 'nope': no such thread; the largest are 'seed-pakistan-ussr-thread' "
                        r"\(Why didn't Pakistan ally with the Soviet Union after independence\?, 32 posts\)\n",
                        result.output)  # fmt: skip
    assert not target.exists() or not any(p for p in target.iterdir() if not p.name.startswith("."))


def test_a_folder_without_metrics_is_one_line_and_writes_nothing(tmp_path):
    ingested = tmp_path / "ingested"
    assert CliRunner().invoke(main, ["ingest", str(SEED), "--out", str(ingested), "-q"]).exit_code == 0
    target = tmp_path / "figures"
    for command in ("figures", "html"):
        result = CliRunner().invoke(main, [command, str(ingested), "--to", str(target)])
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [
            f"sna: error: {ingested}: no post_metrics.parquet; run `sna metrics {ingested}` first"
        ]
    assert not target.exists()


def test_run_prints_the_report_last_and_the_report_lists_every_output_file(forum_run):
    out, pictures, output = forum_run
    assert output.strip().splitlines()[-1] == f"report: {(pictures / 'report.html').resolve()}"
    page = (pictures / "report.html").read_text()
    links = set(re.findall(r'<a href="([^"#][^"]*)"', page))
    files = [p for folder in (out, pictures) for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert {"network.png", "activity.png", "authors.html", "posts.html", "authors.gexf", "posts.csv"} <= {
        p.name for p in files
    }
    for path in files:
        href = path.name if path.parent == pictures else f"../out/{path.name}"
        assert href in links, href
    assert "http://" not in page.split("<script>")[0] and "https://" not in page.split("<script>")[0]


def test_run_takes_the_picture_options(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SEED),
            "--out",
            str(out),
            "-q",
            "--skip",
            "stance,html",
            "--top",
            "3",
            "--hide-assumed",
            "--thread",
            "seed-pakistan-ussr-thread",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "figures" / "network.png").exists() and (out / "figures" / "report.html").exists()
    assert "Top 3" in (out / "figures" / "report.html").read_text()


def test_a_rerun_without_figures_reports_none_of_the_old_ones(tmp_path):
    """`sna run --skip figures` replaces the figures part: the old PNGs go, and the report shows none of them."""
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["run", str(SEED), "--out", str(out), "-q", "--skip", "stance,html"])
    assert first.exit_code == 0, first.output
    assert "data:image/png" in (out / "figures" / "report.html").read_text()
    again = CliRunner().invoke(main, ["run", str(SEED), "--out", str(out), "-q", "--skip", "stance,figures"])
    assert again.exit_code == 0, again.output
    assert not (out / "figures" / "network.png").exists()
    assert "data:image/png" not in (out / "figures" / "report.html").read_text()


def test_every_drawing_command_has_help_with_an_example():
    for command in ("figures", "html", "run"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output
        assert "--hide-assumed" in result.output and "--min-degree" in result.output
        # --thread picks the arc diagram's thread and the cascade trees: the pages show every thread
        assert ("--thread" in result.output) == (command != "html")
