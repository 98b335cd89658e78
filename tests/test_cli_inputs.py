"""The command line on inputs users bring: Windows-1252 exports (--encoding) and tables of reply pairs."""

import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main
from tests.helpers import DATA

CP1252_CSV = b"post_id,author,text\n1,Ren\xe9,He said \x93hello\x94\n2,bob,caf\xe9 is nice\n"
MASK = DATA / "subreddit-agreement-cp1252.csv"  # real data, Windows-1252, columns quote_text,response_text,relation
DEBAGREEMENT = DATA / "debagreement-dev-sample.csv"  # real data, body_parent/body_child pairs


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


def test_real_cp1252_pair_table_names_its_byte_then_sends_to_stance(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short paths, as a user types them (a long path may cut the one line short)
    (tmp_path / "mask.csv").write_bytes(MASK.read_bytes())
    first = _error_line(runner.invoke(main, ["run", "mask.csv", "--out", "out", "-q"]))
    assert first == (
        "sna: error: mask.csv:3: not UTF-8 text (byte 0x92 at column 75, byte offset 771); "
        "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    )
    second = _error_line(runner.invoke(main, ["run", "mask.csv", "--encoding", "cp1252", "--out", "out", "-q"]))
    command = (
        "sna stance mask.csv --parent-col quote_text --reply-col response_text --encoding cp1252 --out labelled.csv"
    )
    assert second == (
        f"sna: error: mask.csv: no 'text' column: looks like reply pairs; label them with `{command}` "
        "(or --map text=COLUMN)"
    )
    # The command the error names works as given.
    result = runner.invoke(main, command.split()[1:])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "labelled.csv").height == 8


def test_debagreement_pairs_are_sent_to_stance(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)  # the command names the file relative to the current folder (when that is shorter)
    line = _error_line(runner.invoke(main, ["ingest", str(DEBAGREEMENT), "--out", str(tmp_path / "o"), "-q"]))
    assert line == (
        f"sna: error: {DEBAGREEMENT}: no 'text' column: looks like reply pairs; label them with "
        "`sna stance debagreement-dev-sample.csv --parent-col body_parent --reply-col body_child --out labelled.csv` "
        "(or --map text=COLUMN)"
    )


def test_pair_table_hint_survives_a_250_character_path(runner, tmp_path, monkeypatch):
    folder, wanted = tmp_path, 250 - len("/mask.csv")
    assert wanted - len(str(folder)) >= 2, tmp_path
    while len(str(folder)) < wanted:  # folders of at most 40 characters, the last one filling the rest exactly
        left = wanted - len(str(folder))
        folder = folder / ("d" * (40 if left > 42 else left - 1))
    folder.mkdir(parents=True)
    path = folder / "mask.csv"
    assert len(str(path)) == 250
    path.write_bytes(MASK.read_bytes())
    monkeypatch.chdir(folder)
    line = _error_line(runner.invoke(main, ["run", str(path), "--encoding", "cp1252", "--out", str(tmp_path / "o")]))
    command = (
        "sna stance mask.csv --parent-col quote_text --reply-col response_text --encoding cp1252 --out labelled.csv"
    )
    assert len(line) <= 300
    assert line.endswith(
        f": no 'text' column: looks like reply pairs; label them with `{command}` (or --map text=COLUMN)"
    )
    shown = line.removeprefix("sna: error: ").split(": no 'text' column")[0]  # the path, cut in its middle
    start, end = shown.split("…")
    assert str(path).startswith(start) and str(path).endswith(end) and end.endswith("/mask.csv")
    result = runner.invoke(main, command.split()[1:])  # the command works as given, from where the user is
    assert result.exit_code == 0, result.output
    assert pl.read_csv(folder / "labelled.csv").height == 8


def test_pair_table_hint_far_from_a_long_path_names_the_file_in_its_folder(runner, tmp_path, monkeypatch):
    folder = tmp_path.joinpath(*["d" * 40] * 4)
    folder.mkdir(parents=True)
    (folder / "mask.csv").write_bytes(MASK.read_bytes())
    monkeypatch.chdir(tmp_path)  # the path relative to here is still over 160 characters
    line = _error_line(runner.invoke(main, ["ingest", str(folder / "mask.csv"), "--encoding", "cp1252", "--out", "o"]))
    assert len(line) <= 300
    assert line.endswith(
        "label them with `sna stance mask.csv --parent-col quote_text --reply-col response_text --encoding cp1252 "
        "--out labelled.csv` in its folder (or --map text=COLUMN)"
    )


def test_pair_table_hint_quotes_a_path_with_spaces(runner, tmp_path, monkeypatch):
    path = tmp_path / "my exports" / "pairs.csv"
    path.parent.mkdir()
    path.write_bytes(DEBAGREEMENT.read_bytes())
    monkeypatch.chdir(tmp_path)
    line = _error_line(runner.invoke(main, ["ingest", str(path), "--out", str(tmp_path / "o"), "-q"]))
    assert "`sna stance 'my exports/pairs.csv' --parent-col body_parent --reply-col body_child" in line


def test_table_without_text_that_is_not_pairs_keeps_the_map_hint(runner, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("id,body,parent_id\n1,hello,\n")
    line = _error_line(runner.invoke(main, ["ingest", str(path), "--out", str(tmp_path / "o"), "-q"]))
    assert line == (
        f"sna: error: {path}: expected a 'text' column (columns: id, body, parent_id); use --map text=COLUMN to name it"
    )


def test_pair_table_still_reads_as_posts_when_mapped(runner, tmp_path):
    out = tmp_path / "o"
    args = ["ingest", str(DEBAGREEMENT), "--map", "text=body_child,post_id=msg_id_child", "--out", str(out), "-q"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out / "posts.parquet").height == 48
