"""`sna stance`: labelling a table of reply pairs."""

import polars as pl
import pytest
from click.testing import CliRunner

from sna.cli import main

PAIRS = [
    ("p1", "We need to invest much more in renewable energy.", "Exactly this. Couldn't agree more."),
    (
        "p2",
        "Russia is selling Pakistan its best jets.",
        "Good luck if you think Russians are selling you topshelf arms",
    ),
    ("p3", "Does anyone know when the second dose is due?", "Mine was three weeks after the first one."),
    ("p4", "The election was stolen.", "No, it wasn't. That is a lie and you know it."),
]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def pairs_csv(tmp_path):
    path = tmp_path / "pairs.csv"
    pl.DataFrame(PAIRS, schema=["id", "parent", "reply"], orient="row").write_csv(path)
    return path


def _stance(runner, *args):
    return runner.invoke(main, ["stance", *map(str, args)])


def test_one_row_per_input_row_in_order_with_input_columns(runner, pairs_csv, tmp_path):
    out = tmp_path / "out" / "pred.csv"
    result = _stance(runner, pairs_csv, "--parent-col", "parent", "--reply-col", "reply", "--out", out)
    assert result.exit_code == 0, result.output
    assert "labelled 4 pairs (1 agree, 1 neutral, 2 disagree)" in result.output
    pred = pl.read_csv(out)
    assert pred.columns == ["id", "parent", "reply", "stance", "stance_score"]
    assert pred["id"].to_list() == ["p1", "p2", "p3", "p4"]
    assert pred["stance"].to_list() == ["agree", "disagree", "neutral", "disagree"]
    assert pred["stance_score"].is_between(-1, 1).all()


def test_output_is_byte_identical_across_runs(runner, pairs_csv, tmp_path):
    outs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for out in outs:
        args = (pairs_csv, "--parent-col", "parent", "--reply-col", "reply", "--out", out, "--probabilities")
        assert _stance(runner, *args).exit_code == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert pl.read_csv(outs[0]).columns[-3:] == ["p_disagree", "p_neutral", "p_agree"]


def test_parquet_in_and_out_and_existing_stance_replaced(runner, tmp_path):
    src = tmp_path / "pairs.parquet"
    df = pl.DataFrame(PAIRS, schema=["id", "parent", "reply"], orient="row")
    df.with_columns(stance=pl.lit("gold"), n=pl.int_range(4)).write_parquet(src)
    out = tmp_path / "pred.parquet"
    result = _stance(runner, src, "--parent-col", "parent", "--reply-col", "reply", "--out", out)
    assert result.exit_code == 0, result.output
    pred = pl.read_parquet(out)
    assert pred.columns == ["id", "parent", "reply", "n", "stance", "stance_score"]
    assert pred["n"].to_list() == [0, 1, 2, 3]
    assert "gold" not in pred["stance"].to_list()


def test_cp1252_input_with_encoding(runner, tmp_path):
    src = tmp_path / "sub.csv"
    src.write_bytes(
        '"quote_text","response_text","relation"\n'
        '"Masks don\u2019t work.","That\u2019s wrong, they clearly do.",0\n'.encode("cp1252")
    )
    out = tmp_path / "pred.csv"
    args = [src, "--parent-col", "quote_text", "--reply-col", "response_text", "--out", out]
    result = _stance(runner, *args, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    pred = pl.read_csv(out)
    assert pred["quote_text"][0] == "Masks don\u2019t work."
    assert pred["relation"][0] == 0
    result = _stance(runner, *args[:-1], tmp_path / "again.csv")
    assert result.exit_code == 1
    # the readers' own line: position of the byte and the --encoding to pass
    assert result.output.strip().endswith(
        "sub.csv:2: not UTF-8 text (byte 0x92 at column 11, byte offset 50); "
        "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    ), result.output


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("make", "options", "message"),
    [
        (lambda d: d / "missing.csv", {}, "missing.csv: no such file"),
        (lambda d: _write(d / "a.csv", "parent,reply\nA,B\n"), {"--parent-col": "body"},
         "a.csv: no column 'body' (columns: parent, reply)"),
        (lambda d: _write(d / "b.csv", "parent,reply\nHello there,Hi\nSomething,\n"), {},
         "b.csv: row 2: reply is empty"),
        (lambda d: _write(d / "c.csv", "parent,reply\n"), {}, "c.csv: no rows"),
        (lambda d: _write(d / "e.csv", "parent,reply\nA,B\n"), {"--encoding": "klingon"},
         "unknown encoding 'klingon'"),
        (lambda d: _write(d / "f.csv", "parent,reply\nA,B\n"), {"--out": "pred.txt"},
         "cannot write tables as '.txt'"),
    ],
)  # fmt: skip
def test_errors_are_one_line_exit_1_and_write_nothing(runner, tmp_path, make, options, message):
    out_dir = tmp_path / "out"
    options = {"--parent-col": "parent", "--reply-col": "reply", **options}
    options["--out"] = str(out_dir / options.get("--out", "pred.csv"))
    result = _stance(runner, make(tmp_path), *[a for pair in options.items() for a in pair])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("sna: error: ") and message in lines[0], lines[0]
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_help_has_an_example(runner):
    result = runner.invoke(main, ["stance", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "sna stance pairs.csv" in result.output


def test_min_confidence_leaves_rows_unlabelled(runner, pairs_csv, tmp_path):
    out = tmp_path / "pred.csv"
    args = [pairs_csv, "--parent-col", "parent", "--reply-col", "reply", "--out", out, "--probabilities"]
    result = _stance(runner, *args, "--stance-min-confidence", "0.999")
    assert result.exit_code == 0, result.output
    assert "labelled 0 of 4 pairs (0 agree, 0 neutral, 0 disagree; 4 left unlabelled)" in result.output
    pred = pl.read_csv(out)
    assert pred["stance"].is_null().all() and pred["stance_score"].is_null().all()
    assert pred["p_agree"].is_not_null().all()
    assert _stance(runner, *args, "--stance-model", "large").exit_code == 2


def test_run_passes_the_stance_options_through(runner, tmp_path):
    from tests.helpers import SEED

    base = ["run", str(SEED), "--skip", "figures,html", "-q"]
    sure = runner.invoke(main, [*base, "--out", str(tmp_path / "a")])
    unsure = runner.invoke(main, [*base, "--out", str(tmp_path / "b"), "--stance-min-confidence", "1"])
    assert sure.exit_code == 0 and unsure.exit_code == 0, sure.output + unsure.output
    labelled = [pl.read_parquet(tmp_path / d / "edges.parquet")["stance"].drop_nulls().len() for d in ("a", "b")]
    assert labelled[0] == 12 and labelled[1] == 0
