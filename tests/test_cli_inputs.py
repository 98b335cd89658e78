"""The command line on inputs users bring: Windows-1252 exports (--encoding)."""

import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main

CP1252_CSV = b"post_id,author,text\n1,Ren\xe9,He said \x93hello\x94\n2,bob,caf\xe9 is nice\n"


@pytest.fixture
def runner():
    return CliRunner()


def _error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("sna: ")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", ["ingest", "run"])
def test_cp1252_export_without_encoding_is_one_line_naming_the_option(runner, tmp_path, command):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    result = runner.invoke(main, [command, str(path), "--out", str(tmp_path / "out"), "-q"])
    assert _error_line(result) == (
        f"sna: error: {path}:2: not UTF-8 text (byte 0xe9 at column 6, byte offset 25); "
        "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_ingest_and_run_read_cp1252_with_the_option(runner, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    result = runner.invoke(main, ["ingest", str(path), "--encoding", "cp1252", "--out", str(tmp_path / "a"), "-q"])
    assert result.exit_code == 0, result.output
    posts = pl.read_parquet(tmp_path / "a" / "posts.parquet")
    assert posts.select("author", "text").rows() == [("René", "He said \u201chello\u201d"), ("bob", "café is nice")]
    result = runner.invoke(main, ["run", str(path), "--encoding", "cp1252", "--out", str(tmp_path / "b"),
                                  "--skip", "figures,html", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(tmp_path / "b" / "posts.parquet")["author"].to_list() == ["René", "bob"]


def test_convert_reads_cp1252_with_the_option(runner, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    failed = runner.invoke(main, ["convert", str(path), "--to", str(tmp_path / "bad"), "-q"])
    assert "pass --encoding cp1252" in _error_line(failed)
    result = runner.invoke(main, ["convert", str(path), "--encoding", "cp1252", "--to", str(tmp_path / "parts"), "-q"])
    assert result.exit_code == 0, result.output
    parts = pl.read_parquet(tmp_path / "parts" / "posts" / "*.parquet")
    assert sorted(parts["author"].to_list()) == ["René", "bob"]


def test_unknown_encoding_and_spark_engine_are_one_line(runner, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    result = runner.invoke(main, ["ingest", str(path), "--encoding", "klingon", "--out", str(tmp_path / "o")])
    assert _error_line(result) == "sna: error: --encoding: unknown encoding 'klingon' (e.g. utf-8, cp1252, latin-1)"
    result = runner.invoke(main, ["run", str(path), "--engine", "spark", "--encoding", "cp1252", "--out", "o"])
    assert _error_line(result) == (
        "sna: error: --engine spark: --encoding applies to `sna convert`, not to a converted folder"
    )
