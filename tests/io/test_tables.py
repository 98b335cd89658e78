"""Tables of posts: CSV, TSV, JSON Lines, Parquet."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.errors import InputError
from sna.io import read_input
from sna.io.tables import has_quote_markup, read_table

POSTS = pl.DataFrame(
    {
        "post_id": ["007", "8", "x-9"],
        "thread_id": ["t1", "t1", "t2"],
        "author": ["ann", "bo", None],
        "created_at": ["2021-03-04T05:06:07Z", "2021-03-04 06:00:00", "1614837600"],
        "text": ["Hello world", "Hi\nthere", "Other thread"],
        "reply_to": [None, "007", ""],
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_each_table_format_reads_the_same_posts(tmp_path, suffix):
    path = tmp_path / f"posts{suffix}"
    if suffix == ".csv":
        POSTS.write_csv(path)
    elif suffix == ".tsv":
        POSTS.with_columns(pl.col("text").str.replace_all("\n", " ")).write_csv(
            path, separator="\t", quote_style="never"
        )
    elif suffix == ".jsonl":
        POSTS.write_ndjson(path)
    else:
        POSTS.write_parquet(path)
    posts = read_input(path).posts
    assert posts["post_id"].to_list() == ["007", "8", "x-9"]  # ids kept exactly
    assert posts["position"].to_list() == [1, 2, 1]  # file order within each thread
    assert posts["reply_to"].to_list() == [None, "007", None]
    assert posts["created_at"].to_list() == [
        dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        dt.datetime(2021, 3, 4, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2021, 3, 4, 6, 0, tzinfo=dt.UTC),
    ]


def test_missing_thread_id_means_one_thread_named_after_the_file(tmp_path):
    path = tmp_path / "export.csv"
    pl.DataFrame({"text": ["a", "b"]}).write_csv(path)
    posts = read_table(path).posts
    assert posts["thread_id"].to_list() == ["export", "export"]
    assert posts["post_id"].to_list() == ["export#1", "export#2"]


def test_mapping_renames_columns(tmp_path):
    path = tmp_path / "dump.csv"
    pl.DataFrame({"body": ["hi"], "user": ["zed"], "id": [5]}).write_csv(path)
    posts = read_table(path, mapping={"text": "body", "author": "user", "post_id": "id"}).posts
    assert posts.select("post_id", "author", "text").rows() == [("5", "zed", "hi")]


def test_missing_text_column_names_file_and_columns(tmp_path):
    path = tmp_path / "bad.csv"
    pl.DataFrame({"body": ["hi"]}).write_csv(path)
    with pytest.raises(InputError, match=r"bad.csv: expected a 'text' column \(columns: body\).*--map text="):
        read_table(path)


def test_mapping_to_a_missing_column(tmp_path):
    path = tmp_path / "bad.csv"
    pl.DataFrame({"body": ["hi"]}).write_csv(path)
    with pytest.raises(InputError, match="--map text=message: no column 'message'"):
        read_table(path, mapping={"text": "message"})


def test_duplicate_post_ids_name_rows(tmp_path):
    path = tmp_path / "dup.csv"
    pl.DataFrame({"post_id": ["1", "2", "1"], "text": ["a", "b", "c"]}).write_csv(path)
    with pytest.raises(InputError, match=r"dup.csv: duplicate post_id '1' \(rows 1 and 3\)"):
        read_table(path)


def test_bad_position_and_bad_time_name_the_row(tmp_path):
    path = tmp_path / "pos.csv"
    pl.DataFrame({"position": ["1", "two"], "text": ["a", "b"]}).write_csv(path)
    with pytest.raises(InputError, match="pos.csv: row 2: position 'two' is not a whole number"):
        read_table(path)
    path = tmp_path / "time.csv"
    pl.DataFrame({"created_at": ["2021-01-01", "yesterday"], "text": ["a", "b"]}).write_csv(path)
    with pytest.raises(InputError, match="time.csv: row 2: created_at 'yesterday' is not a date and time"):
        read_table(path)


def test_truncated_json_line_names_the_line(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b"}\n{"text": "c\n')
    with pytest.raises(InputError, match=r"cut.jsonl:3: not valid JSON"):
        read_table(path)


def test_non_utf8_csv(tmp_path):
    path = tmp_path / "cp.csv"
    path.write_bytes("text\ncaf\xe9\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"cp.csv:2: not UTF-8 text \(byte 0x"):
        read_table(path)


safe_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda s: s.strip() and "[quote" not in s.lower() and " said:" not in s
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet="abc123-_.", min_size=1, max_size=8), safe_text),
        min_size=1,
        max_size=8,
        unique_by=lambda r: r[0],
    )
)
def test_property_csv_and_parquet_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("rt")
    df = pl.DataFrame({"post_id": [r[0] for r in rows], "text": [r[1] for r in rows]})
    for name, write in (("p.csv", df.write_csv), ("p.parquet", df.write_parquet), ("p.jsonl", df.write_ndjson)):
        write(folder / name)
        posts = read_input(folder / name).posts
        assert posts["post_id"].to_list() == df["post_id"].to_list()
        assert posts["raw_text"].to_list() == df["text"].to_list()


_PIECES = st.sampled_from(["[", "q", "Q", "uote", "UOTE", " ", "\n", ">", "said:", "\r", "é"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_PIECES).map("".join), max_size=20))
def test_markup_search_is_the_one_regular_expression_it_replaces(texts):
    series = pl.Series(texts, dtype=pl.String)
    one = series.str.contains(r"(?i)\[quote|(?m)^ {0,3}>") | series.str.contains(" said:", literal=True)
    assert has_quote_markup(series).to_list() == one.to_list()
