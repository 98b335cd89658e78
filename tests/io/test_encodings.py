"""Text encodings of tables and text pages: --encoding, and the error when the bytes do not decode."""

import gzip
import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sna import pipeline
from sna.errors import InputError, SnaError
from sna.io import ReadOptions, read_input
from sna.io.helpers import encodings
from sna.io.helpers.encodings import check_decodes, utf8_copy
from sna.io.tables import read_table
from sna.io.text_page import read_text_page
from tests.helpers import DATA

# An export from Excel on Windows: curly quotes (0x93, 0x94), an e-acute (0xe9), an apostrophe (0x92), CRLF.
CP1252_CSV = b"post_id,author,text\r\n1,Ren\xe9,He said \x93hello\x94\r\n2,bob,It\x92s caf\xe9 time\r\n"
MASK = DATA / "subreddit-agreement-cp1252.csv"  # real data, Windows-1252
HINT = "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"


def test_cp1252_csv_is_an_error_naming_line_column_offset_and_the_option(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    with pytest.raises(InputError) as caught:
        read_table(path)
    offset = CP1252_CSV.index(b"\xe9")  # the first byte that is not UTF-8
    assert offset == 26
    assert str(caught.value) == (
        f"{path}:2: not UTF-8 text (byte 0xe9 at column 6, byte offset 26); "
        "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    )
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_cp1252_csv_reads_with_its_encoding(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    posts = read_table(path, encoding="cp1252").posts
    assert posts.select("post_id", "author", "text").rows() == [
        ("1", "René", "He said \u201chello\u201d"),
        ("2", "bob", "It\u2019s café time"),
    ]


def test_latin1_is_taken_at_its_word_not_guessed(tmp_path):
    # Latin-1 has no curly quotes: 0x93/0x94 are C1 control characters there. sna decodes what it is told.
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    assert read_table(path, encoding="latin-1").posts["text"][0] == "He said \x93hello\x94"


def test_byte_undefined_in_the_named_encoding_is_an_error(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"text\nfine\nbad \x81 byte\n")
    with pytest.raises(InputError) as caught:
        read_table(path, encoding="cp1252")
    assert str(caught.value) == (
        f"{path}:3: not cp1252 text (byte 0x81 at column 5, byte offset 14); pass the --encoding it was saved in"
    )


def test_unknown_encoding_is_an_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("text\nhi\n")
    with pytest.raises(SnaError, match=r"^--encoding: unknown encoding 'klingon' \(e.g. utf-8, cp1252, latin-1\)$"):
        read_table(path, encoding="klingon")
    with pytest.raises(SnaError, match="unknown encoding"):
        ReadOptions(encoding="klingon")
    html = tmp_path / "page.html"  # a format that takes no encoding: still refused, before anything is read
    html.write_text("<html></html>")
    with pytest.raises(SnaError, match="unknown encoding"):
        pipeline.ingest([html], encoding="klingon")


@pytest.mark.parametrize("suffix", [".tsv", ".jsonl"])
def test_tsv_and_json_lines_take_the_encoding(tmp_path, suffix):
    path = tmp_path / f"posts{suffix}"
    if suffix == ".tsv":
        path.write_bytes("author\ttext\nRené\t“hi”\n".encode("cp1252"))
    else:
        path.write_bytes((json.dumps({"author": "René", "text": "“hi”"}, ensure_ascii=False) + "\n").encode("cp1252"))
    located = r":[12]: not UTF-8 text \(byte 0x.. at column \d+, byte offset \d+\); .*cp1252"
    with pytest.raises(InputError, match=located):
        read_table(path)
    assert read_table(path, encoding="cp1252").posts.select("author", "text").rows() == [("René", "“hi”")]


def test_utf16_export_reads(tmp_path):
    # Excel's "Unicode text" is UTF-16 with a byte order mark: every newline byte is followed by a 0 byte.
    path = tmp_path / "unicode.tsv"
    path.write_bytes("author\ttext\nRené\t“hi”\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"unicode.tsv:1: .*byte offset 0\); it starts with a UTF-16 .*utf-16$"):
        read_table(path)
    assert read_table(path, encoding="utf-16").posts.select("author", "text").rows() == [("René", "“hi”")]


def test_compressed_table_is_decoded_after_decompression(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(gzip.compress(CP1252_CSV))
    assert read_table(path, encoding="cp1252").posts["author"].to_list() == ["René", "bob"]


def test_utf8_with_byte_order_mark_reads_either_way(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbftext\ncaf\xc3\xa9\n")
    assert read_table(path).posts["text"].to_list() == ["café"]
    assert read_table(path, encoding="utf-8-sig").posts["text"].to_list() == ["café"]


def test_read_options_take_the_encoding(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    assert read_input(path, options=ReadOptions(encoding="cp1252")).posts["author"].to_list() == ["René", "bob"]
    with pytest.raises(InputError, match="pass --encoding cp1252"):
        read_input(path, options=ReadOptions(encoding="utf-8"))
    with pytest.raises(InputError, match="pass --encoding cp1252"):
        read_input(path)


def test_ingest_and_run_take_the_encoding_as_a_parameter(tmp_path):
    # The real Windows-1252 fixture, read as posts (its replies as the text), with no context manager around.
    replies = pl.read_csv(MASK.read_bytes().decode("cp1252").encode("utf-8"))["response_text"].to_list()
    mapping = {"text": "response_text"}
    with pytest.raises(InputError, match=r":3: not UTF-8 text .*pass --encoding cp1252$"):
        pipeline.ingest([MASK], mapping=mapping)
    ingested = pipeline.ingest([MASK], mapping=mapping, encoding="cp1252")
    assert ingested.posts["text"].to_list() == [text.strip() for text in replies]
    assert any("’" in text for text in ingested.posts["text"])  # 0x92 read as a right single quote
    result = pipeline.run(
        [MASK], tmp_path / "out", mapping=mapping, encoding="cp1252", skip=["stance", "figures", "html"]
    )
    assert pl.read_parquet(tmp_path / "out" / "posts.parquet")["text"].equals(ingested.posts["text"])
    assert result.ingested.posts.height == len(replies)


def test_pair_table_hint_names_the_encoding_given_to_the_api():
    with pytest.raises(InputError) as caught:
        pipeline.ingest([MASK], encoding="cp1252")
    assert "--reply-col response_text --encoding cp1252 --out labelled.csv`" in str(caught.value)


def test_text_page_takes_the_encoding(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes("What's new\nA “quoted” thread\nRené\n\u00a0\nSecond post, café\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        read_text_page(path)
    assert str(caught.value) == (
        f"{path}:2: not UTF-8 text (byte 0x93 at column 3, byte offset 13); "
        "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    )
    posts = read_text_page(path, encoding="cp1252").posts
    assert posts["text"].to_list()[-1] == "Second post, café"
    assert read_input(path, options=ReadOptions(encoding="cp1252")).posts.equals(posts)


def test_real_cp1252_pairs_file_names_its_first_bad_byte():
    # SubReddit-MaskMandate.csv is Windows-1252: its first non-UTF-8 byte is the 0x92 (’) of "anyone’s".
    data = MASK.read_bytes()
    offset = data.index(b"\x92")
    with pytest.raises(InputError) as caught:
        check_decodes(MASK, "utf-8")
    assert caught.value.line == data[:offset].count(b"\n") + 1 == 3
    column = offset - data.rfind(b"\n", 0, offset)
    assert column == 75 and offset == 771
    assert str(caught.value).endswith(f":3: not UTF-8 text (byte 0x92 at column 75, byte offset 771); {HINT}")
    check_decodes(MASK, "cp1252")  # decodes cleanly, as its SOURCE.md says


def _located(data: bytes, encoding: str) -> tuple[int, int, int]:
    """(line, column, offset) of the first byte that does not decode, from the whole bytes at once."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        start = exc.start
    else:
        raise AssertionError("decodes")
    line_start = data.rfind(b"\n", 0, start) + 1
    return data.count(b"\n", 0, start) + 1, start - line_start + 1, start


@given(
    before=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    bad=st.sampled_from([b"\xff", b"\x92", b"\xc3(", b"\xe2\x80", b"\xed\xa0\x80"]),
    after=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_bad_byte_is_located_the_same_whatever_the_chunks(tmp_path_factory, before, bad, after, chunk):
    data = before.encode("utf-8") + bad + after.encode("utf-8")
    path = tmp_path_factory.mktemp("enc") / "x.csv"
    path.write_bytes(data)
    line, column, offset = _located(data, "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encodings, "_CHUNK", chunk)
        with pytest.raises(InputError) as caught:
            check_decodes(path, "utf-8")
    assert caught.value.line == line
    assert f"at column {column}, byte offset {offset:,})" in str(caught.value)


@given(
    text=st.text(alphabet=st.characters(codec="cp1252", blacklist_categories=["Cs"]), max_size=60),
    encoding=st.sampled_from(["cp1252", "utf-16", "utf-8"]),
    chunk=st.integers(min_value=1, max_value=7),
)
def test_utf8_copy_is_the_text_whatever_the_chunks(tmp_path_factory, text, encoding, chunk):
    path = tmp_path_factory.mktemp("enc") / "x.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encodings, "_CHUNK", chunk)
        with utf8_copy(path, encoding) as copy:
            assert copy.read_bytes() == text.removeprefix("\ufeff").encode("utf-8")
            folder = copy.parent
    assert not folder.exists()  # the copy is removed afterwards


def test_copy_is_removed_when_reading_fails(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"text\n\x81\n")
    made = []
    real = tempfile.mkdtemp

    def recording(**kwargs):
        made.append(real(**kwargs))
        return made[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "mkdtemp", recording)
        with pytest.raises(InputError):
            read_table(path, encoding="cp1252")
    assert len(made) == 1 and not Path(made[0]).exists()


def test_read_table_reads_the_whole_cp1252_file(tmp_path):
    rows = [{"post_id": str(i), "text": f"“{i}” café"} for i in range(3000)]  # several chunks of the decoder
    path = tmp_path / "big.csv"
    path.write_bytes(pl.DataFrame(rows).write_csv().encode("cp1252"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encodings, "_CHUNK", 4096)
        posts = read_table(path, encoding="cp1252").posts
    assert posts["text"].to_list() == [r["text"] for r in rows]


def test_load_takes_the_encoding(tmp_path):
    import sna

    path = tmp_path / "export.csv"
    path.write_bytes(CP1252_CSV)
    with pytest.raises(InputError, match="pass --encoding cp1252"):
        sna.load(path, stance=False)
    assert sna.load(path, encoding="cp1252", stance=False).posts["author"].to_list() == ["René", "bob"]


# One decoder (sna.io.helpers.streams.decode_text / undecodable) for every reader; the advice fits the reader:
# tables and text pages take --encoding, the JSON, HTML and IAC readers do not (the file has to be converted).
CONVERT = "save or convert it as UTF-8 (e.g. iconv -f cp1252 -t utf-8)"


def test_json_reader_names_the_byte_offset_and_suggests_converting_not_the_option(tmp_path):
    page = tmp_path / "t_1.json"
    data = b'{"post_stream": {"posts": [\n{"topic_id": 1, "post_number": 1, "cooked": "caf\xe9"}]}}'
    page.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_input(page, options=ReadOptions(encoding="cp1252"))  # --encoding does not apply to JSON
    offset = data.index(b"\xe9")
    column = offset - data.rfind(b"\n", 0, offset)
    located = f"byte 0xe9 at column {column}, byte offset {offset}"
    assert str(caught.value) == f"{page}:2: not UTF-8 text ({located}); {CONVERT}"


def test_utf16_json_is_told_to_convert_from_utf16(tmp_path):
    page = tmp_path / "t_1.json"
    page.write_bytes('{"post_stream": {"posts": []}}'.encode("utf-16"))
    with pytest.raises(InputError) as caught:
        read_input(page, format="discourse")
    assert str(caught.value) == (
        f"{page}:1: not UTF-8 text (byte 0xff at column 1, byte offset 0); "
        "it starts with a UTF-16 byte order mark: convert it to UTF-8 (e.g. iconv -f utf-16 -t utf-8)"
    )


def test_html_page_outside_its_declared_charset_is_told_so(tmp_path):
    path = tmp_path / "page.html"
    data = b'<html><head><meta charset="shift_jis"></head>\n<body>\x82\xa0\n\x85\x40</body></html>'
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_input(path)
    offset = data.index(b"\x85")
    assert str(caught.value) == (
        f"{path}:3: not shift_jis text (byte 0x85 at column 1, byte offset {offset}); "
        "the page declares shift_jis but has bytes outside it: save it again, or convert it to UTF-8"
    )


def test_readers_with_and_without_the_option_give_their_own_advice(tmp_path):
    bad = "café".encode("cp1252")
    takes_option = {"posts.csv": b"text\n" + bad + b"\n", "page.txt": b"What's new\n" + bad + b"\n"}
    no_option = {
        "dump.jsonl": b'{"name": "t1_x", "link_id": "t3_s", "parent_id": "t3_s", "body": "' + bad + b'"}\n',
        "thread.json": b'[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "'
        + bad
        + b'"}}]}}]',
    }
    for name, data in {**takes_option, **no_option}.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as caught:
            read_input(path, format="reddit" if name in no_option else None)
        message = str(caught.value)
        assert ("--encoding cp1252" in message) == (name in takes_option), message
        assert ("iconv" in message) == (name in no_option), message
