"""`sna figures` and `sna html` on what `sna run` wrote."""

import pytest
from click.testing import CliRunner

from sna.cli import main


@pytest.fixture(scope="module")
def processed(tmp_path_factory, seed_path_module):
    out = tmp_path_factory.mktemp("processed")
    result = CliRunner().invoke(
        main, ["run", str(seed_path_module), "--out", str(out), "-q", "--skip", "stance,figures,html"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seed_path_module():
    from tests.helpers import SEED

    return SEED


def test_figures_writes_pngs_and_svgs_and_says_what_it_skipped(processed, tmp_path):
    figures = tmp_path / "figures"
    result = CliRunner().invoke(main, ["figures", str(processed), "--to", str(figures), "--svg", "--dpi", "80"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in figures.iterdir() if p.name != ".sna-manifest.json")
    assert names == sorted(f"{n}.{ext}" for n in ("network", "thread-arcs", "centrality", "cascade-trees",
                                                  "cascade-distributions") for ext in ("png", "svg"))  # fmt: skip
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"wrote 10 figure files to {figures}")
    assert "skipped camp-agreement (no stance labels), activity (no timestamps)" in lines[0]


def test_html_writes_both_pages(processed, tmp_path):
    result = CliRunner().invoke(main, ["html", str(processed), "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote 2 pages to {tmp_path}: authors.html, posts.html"
    assert (tmp_path / "posts.html").read_text().startswith("<!DOCTYPE html>")


def test_a_folder_without_metrics_is_one_line_and_writes_nothing(tmp_path, seed_path_module):
    ingested = tmp_path / "ingested"
    assert CliRunner().invoke(main, ["ingest", str(seed_path_module), "--out", str(ingested), "-q"]).exit_code == 0
    target = tmp_path / "figures"
    for command in ("figures", "html"):
        result = CliRunner().invoke(main, [command, str(ingested), "--to", str(target)])
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [
            f"sna: error: {ingested}: no post_metrics.parquet; run `sna metrics {ingested}` first"
        ]
    assert not target.exists()
