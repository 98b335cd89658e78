"""sna convert: parts of whole threads that the local engine reads back as the original inputs."""

from __future__ import annotations

import filecmp
from pathlib import Path

import polars as pl
import pytest
import zstandard
from click.testing import CliRunner

from sna import convert as convert_module
from sna.cli import main
from sna.convert import convert, is_converted, read_converted
from sna.errors import SnaError
from sna.pipeline import ingest, run

HERE = Path(__file__).parent
ROOT = HERE.parent


def _reddit_dump(path: Path, posts: int, *, seed: int = 5) -> Path:
    from bench.synth import reddit_records, synthetic_forum

    data = reddit_records(synthetic_forum(posts, seed=seed)).write_ndjson().encode()
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27)
    path.write_bytes(zstandard.ZstdCompressor(compression_params=params).compress(data))
    return path


def _same_ingest(inputs: list[Path], folder: Path) -> None:
    direct, back = ingest(inputs), ingest([folder])
    for name in ("posts", "edges", "unresolved"):
        assert getattr(direct, name).equals(getattr(back, name)), name
    assert {k: v for k, v in direct.summary.items() if k != "seconds"} == {
        k: v for k, v in back.summary.items() if k != "seconds"
    }


@pytest.mark.parametrize(
    "inputs",
    [
        [ROOT / "data" / "raw"],
        [HERE / "data" / "stackexchange", HERE / "data" / "discourse", HERE / "data" / "reddit-cmv"],
        [HERE / "data" / "html"],
    ],
)
def test_converted_folder_reads_as_the_inputs(tmp_path, inputs):
    info = convert(inputs, tmp_path / "posts", buckets=4)
    assert is_converted(tmp_path / "posts") and info["parts"] >= 1
    _same_ingest(inputs, tmp_path / "posts")


def test_parts_hold_whole_sorted_threads(tmp_path):
    dump = _reddit_dump(tmp_path / "RC_synthetic.zst", 3000)
    info = convert([dump], tmp_path / "posts", buckets=5)
    parts = sorted((tmp_path / "posts" / "posts").glob("*.parquet"))
    assert len(parts) == info["parts"] == 5
    seen: set[str] = set()
    for part in parts:
        posts = pl.read_parquet(part)
        assert posts.equals(posts.sort("thread_id", "position"))
        threads = set(posts["thread_id"].unique())
        assert not threads & seen  # no thread in two parts
        seen |= threads
    assert sum(pl.read_parquet(p).height for p in parts) == info["posts"] == 3000
    _same_ingest([dump], tmp_path / "posts")


def test_large_spill_files_are_split_again(tmp_path, monkeypatch):
    dump = _reddit_dump(tmp_path / "RC_synthetic.zst", 2000, seed=6)
    monkeypatch.setattr(convert_module, "SPILL_TARGET", 50_000)
    info = convert([dump], tmp_path / "posts", buckets=1)
    assert info["parts"] > 2
    _same_ingest([dump], tmp_path / "posts")


def test_run_on_converted_folder_writes_the_same_files(tmp_path):
    convert([ROOT / "data" / "raw"], tmp_path / "posts")
    run([ROOT / "data" / "raw"], tmp_path / "a", skip=["figures", "html"])
    run([tmp_path / "posts"], tmp_path / "b", skip=["figures", "html"])
    compared = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert compared.diff_files == [] and compared.left_only == [] and compared.right_only == []


def test_converted_folder_is_read_alone(tmp_path):
    convert([ROOT / "data" / "raw"], tmp_path / "posts")
    with pytest.raises(SnaError, match="only input"):
        ingest([tmp_path / "posts", ROOT / "data" / "raw"])
    (tmp_path / "posts" / "sna-posts.json").write_text('{"format": "other"}')
    with pytest.raises(SnaError, match="sna convert"):
        read_converted(tmp_path / "posts")


def test_cli_convert(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(ROOT / "data" / "raw"), "--to", str(tmp_path / "p"), "-q"])
    assert result.exit_code == 0, result.output
    assert "wrote 32 posts in 1 thread as 1 part" in result.output
    help_text = runner.invoke(main, ["convert", "--help"]).output
    assert "Example:" in help_text and "sna convert" in help_text
    bad = runner.invoke(main, ["convert", str(tmp_path / "missing"), "--to", str(tmp_path / "q")])
    assert bad.exit_code == 1 and bad.output.startswith("sna: error:")
