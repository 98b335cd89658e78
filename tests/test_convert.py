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


# --- The batch Reddit parser (block_rows) against the per-record rules it replaces -------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sna.errors import InputError  # noqa: E402
from sna.io import reddit  # noqa: E402

_TEXT = st.sampled_from(["", " ", "\u3000", "\x1f", "[deleted]", " [removed] ", "[removed]", "ann", "bö 🙂", "&gt; q",
                         "> quoted\n\nreply", "a &amp;lt; b", "t1_x", "t3_y", "x", "\u2028"])  # fmt: skip
_IDS = st.sampled_from(["a", "b", "t1_a", "t3_a", "t1_b", "t3_b", "", "c1"])
_INTS = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**40), 2**40), st.sampled_from(
    [0, 1, -1, 10**11 - 1, 10**11, -(10**11), -62_135_596_800, -62_135_596_801, 10**14 - 1, 10**14, 10**17 - 1, 10**17,
     -(2**63), 2**63 - 1, 253_402_300_799_999_999, 253_402_300_800_000_000_000]))  # fmt: skip
_ODD_VALUES = st.sampled_from([2**63, 1.5, 1e300, True, "1500000000", "12", [], {}, [1], {"a": None}, 5])
_FIELDS = ["name", "id", "link_id", "parent_id", "body", "selftext", "title", "link_title", "author", "author_name",
           "subreddit", "created_utc", "created", "score", "ups", "num_comments", "is_self", "edited"]  # fmt: skip
_NUMERIC = ("created_utc", "created", "score", "ups", "num_comments")


@st.composite
def _record(draw) -> str:
    """A Reddit record: mostly of the types dumps hold (nulls, odd strings, extreme numbers), now and then not."""
    kind = draw(st.sampled_from(["comment", "submission", "any"]))
    record: dict = {}
    if kind == "comment":
        record = {"name": "t1_" + draw(_IDS), "link_id": draw(_IDS), "parent_id": draw(_IDS), "body": draw(_TEXT)}
    elif kind == "submission":
        record = {"name": "t3_" + draw(_IDS), "selftext": draw(_TEXT), "title": draw(_TEXT)}
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=8)):
        usual = _INTS if field in _NUMERIC else st.one_of(_TEXT, _IDS)
        record[field] = draw(st.one_of(usual, usual, usual, st.none(), _ODD_VALUES) if draw(st.integers(0, 29)) == 0
                             else st.one_of(usual, st.none()))  # fmt: skip
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=2)):
        record.pop(field, None)
    return json.dumps(record, ensure_ascii=draw(st.booleans()))


_ODD_LINES = st.sampled_from(["", "   ", '{"name": "t1_a", "link_id": "t3_a"} {"x": 1}', "[1]", "5", '{"a": ',
                              '{"body": "a\tb", "name": "t1_q", "link_id": "q"}', '{"name": "t1_z", "link_id": '
                              '"t3_z", "body": "\\ud800"}', "\ufeff{}", '{"name": "t1_r", "link_id": "t3_r"}\r',
                              '{"name": "t1_s", "link_id": "t3_s", "x": NaN}', '{"name": "t1_u", "name": "t1_v", '
                              '"link_id": "t3_u"}', '{"name": "t1_w", "link_id": "t3_w", "x": ' + "[" * 600 + "]" * 600
                              + "}", '{"name": "t1_w", "link_id": "t3_w", "x": ' + "1" * 4400 + "}"])  # fmt: skip


def _outcome(read, data: bytes) -> object:
    try:
        return read(data).to_dicts()
    except InputError as exc:
        return f"error: {exc}"


import json  # noqa: E402


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(*[_record()] * 6, _ODD_LINES), min_size=1, max_size=12), st.booleans(),
       st.sampled_from(["\n", "\r\n"]), st.integers(1, 5))  # fmt: skip
def test_block_rows_match_the_per_record_rules(lines, bom, newline, first):
    data = newline.join(lines).encode("utf-8", errors="surrogatepass")
    if bom:
        data = b"\xef\xbb\xbf" + data
    batch = _outcome(lambda d: reddit.block_rows(d, where="dump.jsonl", first=first), data)
    single = _outcome(lambda d: reddit._record_rows(d, "dump.jsonl", first), data)
    assert batch == single


def test_block_rows_edge_values_match_the_per_record_rules(monkeypatch):
    values = [0, 1, -1, 10**11 - 1, 10**11, -(10**11) + 1, -(10**11), -62_135_596_800, -62_135_596_801, 10**14 - 1,
              10**14, -(10**14), 10**17 - 1, 10**17, -(10**17), -(2**63), 2**63 - 1, 253_402_300_799_999,
              253_402_300_800_000, None]  # fmt: skip
    texts = ["", " ", "\u3000", "\x1f", "\x85", "[deleted]", " [removed]\u2028", "ann", "&amp;gt;", None]
    lines = []
    for i, value in enumerate(values):
        text = texts[i % len(texts)]
        lines.append(
            {
                "name": f"t1_{i}",
                "link_id": f"{i % 3}",
                "parent_id": text,
                "body": text,
                "author": text,
                "created_utc": value,
                "score": value,
                "title": text,
                "link_title": text,
                "subreddit": text,
            }
        )
        lines.append({"id": f"{i}", "title": text, "selftext": text, "author": text, "created": value, "ups": value,
                      "num_comments": 1} | ({"name": f"t3_{i}", "parent_id": None} if i % 2 else {}))  # fmt: skip
    data = "\n".join(json.dumps(r, ensure_ascii=i % 2 == 0) for i, r in enumerate(lines)).encode()
    expected = reddit._record_rows(data, "x", 1)
    fast = reddit._batch_table(data, 1)
    assert fast is not None  # the block itself is read at once; single records may still go through _row
    assert reddit.block_rows(data, where="x").equals(expected)


def test_block_rows_take_the_batch_path_on_ordinary_records(monkeypatch):
    lines = [
        {"name": "t3_a", "title": "Tea?", "selftext": "Tea &amp; cake", "author": "[deleted]", "created_utc": 1,
         "score": 3, "subreddit": "tea"},
        {"id": "b", "link_id": "t3_a", "parent_id": "t3_a", "body": "> Tea &amp; cake\n\nNo", "author": "bö",
         "created_utc": 1_500_000_000_123, "score": -2, "link_title": " "},
    ]  # fmt: skip
    data = "\n".join(json.dumps(r) for r in lines).encode()
    monkeypatch.setattr(reddit, "_record_rows", None)  # the record-by-record path is not taken
    rows = reddit.block_rows(data, where="x", first=7)
    assert rows.select("post_id", "thread_id", "author", "author_deleted", "raw_text", "score", "_line").rows() == [
        ("t3_a", "t3_a", None, True, "Tea & cake", 3, 7),
        ("t1_b", "t3_a", "bö", False, "> Tea & cake\n\nNo", -2, 8),
    ]
    assert rows["created_at"].dt.epoch("ms").to_list() == [1000, 1_500_000_000_123]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "b", "body": "x"}', "dump.jsonl:3: comment t1_b has no link_id"),
        ('{"name": "t1_b", "link_id": "t3_a", "body": 5}', "dump.jsonl:3: field 'body' is int; expected a string"),
        ('{"body": "x"}', "dump.jsonl:3: expected a Reddit comment or submission"),
        ('{"name": "t1_b", "link_id": "t3_a", "body": "x"', "dump.jsonl:3: not valid JSON"),
        ("[1, 2]", "dump.jsonl:3: expected a JSON object (one Reddit record) per line"),
    ],
)
def test_rejected_records_name_file_and_line(tmp_path, line, message):
    good = '{"name": "t3_a", "title": "T", "selftext": "x"}'
    dump = tmp_path / "dump.jsonl"
    dump.write_text(f"{good}\n\n{line}\n{good}\n")
    with pytest.raises(InputError) as direct:
        reddit.read_reddit(dump)
    with pytest.raises(SnaError) as converted:
        convert([dump], tmp_path / "out")
    assert str(direct.value).replace(str(tmp_path) + "/", "").startswith(message)
    assert str(converted.value) == str(direct.value)


def test_batch_whitespace_is_what_str_strip_removes():
    python = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(reddit.PY_WHITESPACE) == python


# --- A post id seen in two threads of one input: the first record wins, as in a whole read ------------------------


def _dump_lines(records: list[dict]) -> str:
    import json

    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.mark.parametrize("first_in", ["t3_a", "t3_b"])
def test_post_id_in_two_threads_is_kept_once_as_in_a_direct_read(tmp_path, first_in):
    other = {"t3_a": "t3_b", "t3_b": "t3_a"}[first_in]
    records = [
        {"name": "t3_a", "title": "A", "selftext": "Tea is better than coffee in every way.", "author": "ann",
         "created_utc": 1},
        {"name": "t3_b", "title": "B", "selftext": "Cats are better than dogs in every way.", "author": "bob",
         "created_utc": 2},
        {"name": "t1_x", "link_id": first_in, "parent_id": first_in, "body": "first record of x", "author": "cy",
         "created_utc": 3},
        {"name": "t1_y", "link_id": other, "parent_id": other, "body": "> better than dogs in every way\n\nNo.",
         "author": "di", "created_utc": 4},
        {"name": "t1_x", "link_id": other, "parent_id": "t1_y", "body": "second record of x", "author": "ed",
         "created_utc": 5},
        {"name": "t1_z", "link_id": other, "parent_id": other, "body": "a later comment", "author": "fy",
         "created_utc": 6},
    ]  # fmt: skip
    dump = tmp_path / "RC_dup.jsonl"
    dump.write_text(_dump_lines(records))
    assert convert_module._bucket("t3_a", 7) != convert_module._bucket("t3_b", 7)  # the threads go to two parts
    info = convert([dump], tmp_path / "posts", buckets=7)
    assert info["parts"] == 2 and info["posts"] == 5
    posts = read_converted(tmp_path / "posts").posts
    x = posts.filter(pl.col("post_id") == "t1_x")
    assert x.select("thread_id", "text").rows() == [(first_in, "first record of x")]
    assert posts.filter(pl.col("thread_id") == other)["position"].to_list() == [1, 2, 3]
    _same_ingest([dump], tmp_path / "posts")
    run([tmp_path / "posts"], tmp_path / "run", skip=["figures", "html"])  # no duplicate id to stop at


def test_post_id_repeated_in_two_inputs_of_one_folder(tmp_path):
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "RS_a.jsonl").write_text(_dump_lines([{"name": "t3_a", "title": "A", "selftext": "a"},
                                                    {"name": "t3_b", "title": "B", "selftext": "b"}]))  # fmt: skip
    (folder / "RC_b.jsonl").write_text(_dump_lines([
        {"name": "t1_x", "link_id": "t3_b", "parent_id": "t3_b", "body": "in b"},
        {"name": "t1_x", "link_id": "t3_a", "parent_id": "t3_a", "body": "in a"},
    ]))  # fmt: skip
    convert([folder], tmp_path / "posts", buckets=7)
    posts = read_converted(tmp_path / "posts").posts
    assert posts.filter(pl.col("post_id") == "t1_x").select("thread_id", "text").rows() == [("t3_b", "in b")]
    _same_ingest([folder], tmp_path / "posts")


@pytest.mark.parametrize("depth", [790, 5000])
def test_deeply_nested_lines_are_read_as_the_per_record_rules_read_them(depth):
    ordinary = b'{"name": "t1_a", "link_id": "t3_a", "body": "x [y] {z}"}\n'
    deep = b'{"name": "t1_w", "link_id": "t3_w", "x": ' + b"[" * depth + b"]" * depth + b"}\n"
    data = ordinary * 3 + deep + ordinary
    assert (reddit._batch_table(data, 1) is None) == (depth >= reddit._MANY_BRACKETS)  # the batch reader is not asked
    batch = _outcome(lambda d: reddit.block_rows(d, where="dump.jsonl"), data)
    assert batch == _outcome(lambda d: reddit._record_rows(d, "dump.jsonl", 1), data)
    assert (depth < 1000) == isinstance(batch, list)  # Python's JSON parser stops somewhere below 5,000 levels
