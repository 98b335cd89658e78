"""Broken, hostile and extreme inputs: every reader ends in posts or one InputError line naming the file.

One case per failure class of issue 12 that concerns readers: library exceptions that escaped (polars panics,
json, lxml, zstandard, tarfile, bz2/lzma, codecs), impossible timestamps, deep nesting, wrongly typed fields,
decompression without bounds and giant lines. The large bombs (GiB once decompressed) are in
``bench/bench_reader_bombs.py``, with their peak memory.
"""

import bz2
import gzip
import io
import json
import lzma
import re
import shutil
import tarfile

import polars as pl
import pytest
import zstandard

from sna.errors import InputError
from sna.io import detect_format, read_input
from sna.io.helpers import streams
from sna.io.helpers.boundary import MESSAGE_LIMIT
from sna.io.reddit import parse_reddit_page
from sna.schema import validate_posts
from tests.helpers import DATA

CHAIN = DATA / "reddit-cmv" / "387_ah_t1_dlqnfwn.json"


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and len(message) <= MESSAGE_LIMIT, message
    return message


def fails(path, pattern, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_input(path, **kwargs)
    message = one_line(info.value)
    assert str(path) in message and re.search(pattern, message), message
    return message


def comment(i, **fields):
    record = {"name": f"t1_c{i}", "link_id": "t3_s", "parent_id": "t3_s", "body": f"comment {i}", "author": f"u{i}",
              "created_utc": 1500000000 + i}  # fmt: skip
    return {**record, **fields}


def write_lines(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# --- library exceptions at the reader boundary -------------------------------------------------------------


def test_a_parquet_file_that_makes_polars_panic_is_one_line_and_no_rust_report(capfd):
    path = DATA / "hostile" / "panic.parquet"  # one byte of a page changed: polars panics (a BaseException)
    fails(path, r"corrupt file")
    assert "panicked" not in capfd.readouterr().err


def test_a_polars_panic_raised_anywhere_in_a_table_read_becomes_an_input_error(tmp_path, monkeypatch):
    from polars.exceptions import PanicException

    path = tmp_path / "posts.csv"
    path.write_text("text\nhi\n")

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(pl, "read_csv", panic)
    fails(path, r"corrupt file \(the table reader gave up: index out of bounds\)")


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("t_1.json", b'{"post_stream": {"posts": [', r":1: not valid JSON"),
        ("12345", b'{"format_version": "xmb-thread", "posts": [{"postid": 1, "body": "\xff"}]}', r":1: not UTF-8"),
        ("page.html", b"<html><body>" + b"<p>\xff</p>" + b"</body></html>", r"not a thread page"),
        ("empty.html", b"   ", r"empty file"),
        ("posts.csv", b'text,author\n"unclosed,x\n', r"posts\.csv"),
    ],
)
def test_syntax_and_encoding_errors_are_one_line(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    fails(path, pattern, format=None if name != "12345" else "forumscraper")


def test_an_xhtml_page_with_an_xml_declaration_is_read_as_html(tmp_path):
    page = (DATA / "html" / "nodebb.html").read_text(encoding="utf-8")
    path = tmp_path / "nodebb.html"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + page, encoding="utf-8")
    assert read_input(path).posts.height == read_input(DATA / "html" / "nodebb.html").posts.height


# --- timestamps that are huge, infinite, in milliseconds or out of range -----------------------------------


@pytest.mark.parametrize(
    ("stamp", "year"),
    [(1500000000, 2017), (1500000000123, 2017), (1.5e15, 2017), ("1500000000", 2017), (1e30, None),
     (-9e10, None), (-1e13, 1653), (float("inf"), None), (float("nan"), None), ("soon", None), (True, None)],
)  # fmt: skip
def test_reddit_times_are_read_by_unit_or_left_out(tmp_path, stamp, year):
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(comment(1, created_utc=stamp)) + "\n")  # json writes inf/nan as Infinity/NaN
    created = read_input(path).posts["created_at"][0]
    assert (created.year if created else None) == year


def test_convokit_iac_and_discourse_times_out_of_range_are_null(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_lines(corpus / "utterances.jsonl", [
        {"id": "a", "conversation_id": "a", "text": "x", "timestamp": 1e300},
        {"id": "b", "conversation_id": "a", "text": "y", "timestamp": -1e21, "reply_to": "a"},
        {"id": "c", "conversation_id": "a", "text": "z", "timestamp": 1500000000000, "reply_to": "a"},
    ])  # fmt: skip
    times = dict(read_input(corpus).posts.select("post_id", "created_at").iter_rows())
    assert {k: v and v.year for k, v in times.items()} == {"a": None, "b": None, "c": 2017}

    iac = tmp_path / "iac" / "discussions"
    iac.mkdir(parents=True)
    (iac / "7.json").write_text(json.dumps([[[1, None, "ann", "hi", {}, None, None, 1e40]], {}, {}]))
    assert read_input(iac.parent).posts["created_at"].to_list() == [None]

    posts = [{"topic_id": 1, "post_number": n, "username": "ann", "cooked": "<p>hi</p>", "created_at": when}
             for n, when in enumerate(["0001-01-01T00:10:00+01:00", "99999-01-01T00:00:00Z", 1e100], 1)]  # fmt: skip
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"post_stream": {"posts": posts}}))
    assert read_input(path).posts["created_at"].to_list() == [None, None, None]


def test_stack_exchange_dates_and_scores_of_the_wrong_type_name_the_row(tmp_path):
    dump = tmp_path / "site"
    shutil.copytree(DATA / "stackexchange", dump)
    posts = (dump / "Posts.xml").read_text(encoding="utf-8-sig")
    bad_date = posts.replace('CreationDate="2011-10-11T19:42:20.713"', 'CreationDate="99999-10-11T19:42:20"', 1)
    (dump / "Posts.xml").write_text(bad_date, encoding="utf-8")
    fails(dump, r"Posts\.xml:\d+: row Id=1: CreationDate '99999-10-11T19:42:20' is not a date")
    bad_score = re.sub(r'(<row Id="1" [^>]*?)Score="\d+"', r'\1Score="lots"', posts, count=1)
    (dump / "Posts.xml").write_text(bad_score, encoding="utf-8")
    fails(dump, r"Posts\.xml:\d+: row Id=1: Score 'lots' is not a whole number")


def test_table_times_out_of_range_are_null_and_text_that_is_no_date_names_the_row(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("text,created_at\na,1e30\nb,inf\nc,1500000000123\n")
    assert [d and d.year for d in read_input(path).posts["created_at"]] == [None, None, 2017]
    path.write_text("text,created_at\na,2020-01-01\nb," + "x" * 500 + "\n")
    assert "row 2" in fails(path, r"created_at 'x+… is not a date")


# --- deep nesting -------------------------------------------------------------------------------------------


def nested(depth: int, leaf: object = 1) -> str:
    return "[" * depth + json.dumps(leaf) + "]" * depth


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("page.json", "[" + nested(5000) + "]", "reddit"),
        ("t_1.json", '{"post_stream": {"posts": ' + nested(5000) + "}}", "discourse"),
        ("123", '{"format_version": "xmb-thread", "posts": ' + nested(5000) + "}", "forumscraper"),
    ],
)
def test_json_nested_deeper_than_the_parser_goes_is_one_line(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content)
    fails(path, r"JSON nested too deeply", format=fmt)


def test_a_deeply_nested_json_line_names_its_line(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "utterances.jsonl").write_text(
        json.dumps({"id": "a", "conversation_id": "a", "text": "x"}) + "\n"
        + '{"id": "b", "conversation_id": "a", "text": "y", "meta": {"deep": ' + nested(5000) + "}}\n"
    )  # fmt: skip
    fails(corpus, r"utterances\.jsonl:2: JSON nested too deeply")


def test_reply_chains_of_any_depth_on_a_reddit_page_are_walked_without_recursion():
    depth = 5000  # far deeper than Python's recursion limit
    page = [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"name": "t3_s", "title": "T",
                                                                               "selftext": "root"}}]}}]  # fmt: skip
    replies: object = ""
    for i in reversed(range(depth)):
        parent = "t3_s" if i == 0 else f"t1_c{i - 1}"
        replies = {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
            **comment(i, parent_id=parent), "replies": replies}}]}}  # fmt: skip
    page.append(replies)
    posts = parse_reddit_page(page, source="deep.json").posts
    assert posts.height == depth + 1 and posts["reply_to"][-1] == f"t1_c{depth - 2}"


def test_html_nested_past_the_parsers_depth_limit_is_one_line_not_a_page_cut_short(tmp_path):
    # libxml2 stops at 256 levels and drops everything after: the posts below would silently vanish
    page = (DATA / "html" / "nodebb.html").read_text(encoding="utf-8")
    deep = "<div>" * 300 + "deep words" + "</div>" * 300
    path = tmp_path / "deep.html"
    body = re.search(r'component="post/content"[^>]*>', page).end()
    path.write_text(page[:body] + deep + page[body:], encoding="utf-8")
    fails(path, r"HTML nested more than 256 elements deep")
    posts = [{"topic_id": 1, "post_number": 1, "cooked": deep}, {"topic_id": 1, "post_number": 2, "cooked": "<p>x</p>"}]
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"post_stream": {"posts": posts}}))
    fails(path, r"t\.json: HTML nested more than 256 elements deep")
    nested_ok = "<div>" * 200 + "deep words" + "</div>" * 200
    path.write_text(json.dumps({"post_stream": {"posts": [{"topic_id": 1, "post_number": 1, "cooked": nested_ok}]}}))
    assert read_input(path).posts["text"].to_list() == ["deep words"]


# --- fields of the wrong type -------------------------------------------------------------------------------


def test_convokit_meta_speakers_and_conversations_that_are_not_objects_are_ignored(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write_lines(corpus / "utterances.jsonl", [
        {"id": "a", "conversation_id": "a", "speaker": "ann", "text": "x", "meta": ["not", "an", "object"]},
        {"id": "b", "conversation_id": "a", "speaker": "bo", "text": "y", "reply_to": "a", "meta": {"n": 10**30}},
    ])  # fmt: skip
    (corpus / "speakers.json").write_text(json.dumps({"ann": ["x"], "bo": {"meta": [1, 2]}}))
    (corpus / "conversations.json").write_text(json.dumps({"a": {"meta": "title?"}}))
    posts = read_input(corpus).posts
    assert posts.select("post_id", "author", "title").rows() == [("a", "ann", None), ("b", "bo", None)]
    assert posts["n"].to_list() == [None, str(10**30)]  # an integer too big for a column is kept as JSON text


@pytest.mark.parametrize(
    ("utterance", "pattern"),
    [
        ({"id": ["a"], "conversation_id": "a", "text": "x"}, r":1: utterance id is list"),
        ({"id": "a", "conversation_id": {"x": 1}, "text": "x"}, r":1: conversation_id is dict"),
        ({"id": "a", "conversation_id": "a", "text": 5}, r":1: text is int; expected a string"),
    ],
)
def test_convokit_ids_and_text_of_the_wrong_type_name_the_line(tmp_path, utterance, pattern):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write_lines(corpus / "utterances.jsonl", [utterance])
    fails(corpus, pattern)


@pytest.mark.parametrize(
    ("ranges", "pattern"),
    [
        ([[2, [0]]], r"quote range 1 is .*; expected \[post_id, \[start, end"),
        ([[2, "0-4"]], r"quote range 1 is"),
        ([[2, [0.5, 4, {}]]], r"whole-number offsets"),
        ([[2, [0, 400, {}]]], r"quote range 0-400 of post .* lies outside the post"),
        ({"2": [0, 4]}, r"quote range 1 is"),
    ],
)
def test_iac_quote_ranges_of_the_wrong_shape_are_one_line(tmp_path, ranges, pattern):
    root = tmp_path / "iac"
    (root / "discussions").mkdir(parents=True)
    (root / "ranges_quotes").mkdir()
    posts = [[1, None, "ann", "Tea is best.", {}, None, None, 60], [2, None, "bo", "Tea! No.", {}, 1, None, 61]]
    (root / "discussions" / "9.json").write_text(json.dumps([posts, {}, {}]))
    (root / "ranges_quotes" / "9.json").write_text(json.dumps(ranges))
    fails(root, pattern)


def test_iac_posts_of_the_wrong_shape_are_one_line(tmp_path):
    root = tmp_path / "iac" / "discussions"
    root.mkdir(parents=True)
    (root / "9.json").write_text(json.dumps([[[1, None, {"name": "ann"}, "text", {}, None]], {}, {}]))
    fails(root.parent, r"post 1 is not \[post_id, side, author, text")


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [({"body": ["a", "list"]}, r":1: field 'body' is list"), ({"link_id": {"id": 1}}, r":1: field 'link_id' is dict")],
)
def test_reddit_ids_and_bodies_of_the_wrong_type_name_the_line(tmp_path, fields, pattern):
    fails(write_lines(tmp_path / "dump.jsonl", [comment(1, **fields)]), pattern)


def test_reddit_names_and_scores_of_the_wrong_type_are_left_out(tmp_path):
    record = comment(1, author={"name": "x"}, subreddit=7, score=10**40, link_title=["t"])
    posts = read_input(write_lines(tmp_path / "dump.jsonl", [record])).posts
    assert posts.select("author", "subreddit", "score", "title").row(0) == (None, None, None, None)


def test_discourse_and_forumscraper_fields_of_the_wrong_type_are_left_out(tmp_path):
    posts = [
        {"topic_id": 3, "post_number": 1, "username": 12, "cooked": {"html": "x"}, "created_at": [1]},
        {"topic_id": 3, "post_number": 2, "username": "bo", "cooked": "<p>hi</p>", "reply_to_post_number": 1e400},
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"post_stream": {"posts": posts}, "title": ["t"]}).replace("1e400", "Infinity"))
    assert read_input(path).posts.select("author", "text", "title", "reply_to").rows() == [
        (None, "", None, None), ("bo", "hi", None, None)]  # fmt: skip
    thread = {
        "format_version": "stackexchange-thread",
        "url": {"u": 1},
        "id": [1],
        "title": 5,
        "posts": [
            {"id": 1, "author": "ann", "content": "<p>q</p>", "comments": "not a list"},
            {"id": 2, "author": ["x"], "content": "<p>a</p>", "comments": [5, {"id": 9, "text": "c"}]},
        ],
    }
    path = tmp_path / "thread"
    path.write_text(json.dumps(thread))
    assert read_input(path, format="forumscraper").posts.select("author", "text").rows() == [
        ("ann", "q"), (None, "a"), (None, "c")]  # fmt: skip


def test_discourse_post_numbers_that_are_not_positions_are_one_line(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"post_stream": {"posts": [{"topic_id": 3, "post_number": -4, "cooked": ""}]}}))
    fails(path, r"post 1 lacks a topic_id or a post_number of 1 or more")


def test_an_integer_of_thousands_of_digits_is_one_line(tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(comment(1))[:-1] + ', "ups": ' + "9" * 5000 + "}\n")
    fails(path, r":1: not valid JSON \(Exceeds the limit")


# --- compressed inputs, read as streams ---------------------------------------------------------------------


def dump_bytes(n=3):
    return "".join(json.dumps(comment(i)) + "\n" for i in range(n)).encode()


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".zst", zstandard.ZstdCompressor().compress), (".bz2", bz2.compress), (".xz", lzma.compress),
     (".gz", gzip.compress)],
)  # fmt: skip
def test_compressed_dumps_are_told_by_their_bytes_and_read(tmp_path, suffix, compress):
    path = tmp_path / f"RC_2015-01{suffix}"
    path.write_bytes(compress(dump_bytes()))
    assert detect_format(path).name == "reddit"
    assert read_input(path).posts["post_id"].to_list() == ["t1_c0", "t1_c1", "t1_c2"]


@pytest.mark.parametrize(
    ("suffix", "compress", "pattern"),
    [(".zst", zstandard.ZstdCompressor().compress, r"truncated zstandard data"),
     (".bz2", bz2.compress, r"truncated compressed data"), (".xz", lzma.compress, r"truncated compressed data")],
)  # fmt: skip
def test_truncated_compressed_dumps_are_one_line(tmp_path, suffix, compress, pattern):
    path = tmp_path / f"dump.jsonl{suffix}"
    data = compress(dump_bytes(200))
    path.write_bytes(data[: len(data) // 2])
    fails(path, pattern, format="reddit")


def test_corrupt_zstandard_data_is_one_line(tmp_path):
    data = bytearray(zstandard.ZstdCompressor().compress(dump_bytes(200)))
    data[20:40] = b"\xff" * 20
    path = tmp_path / "dump.zst"
    path.write_bytes(bytes(data))
    fails(path, r"corrupt zstandard data", format="reddit")


def test_zstandard_frames_with_a_long_window_are_read(tmp_path):
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=30, enable_ldm=True, write_content_size=False)
    out = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(out, closefd=False) as writer:
        writer.write(dump_bytes())  # streamed, as dumps are: no content size, so the whole window is needed
    data = out.getvalue()
    with pytest.raises(zstandard.ZstdError):  # more than zstandard's default decoder accepts
        zstandard.ZstdDecompressor().decompressobj().decompress(data)
    path = tmp_path / "RC_2024-01.zst"
    path.write_bytes(data)
    assert read_input(path).posts.height == 3


def tar_of(path, members):
    with tarfile.open(path, "w" + (":" + path.suffix[1:] if path.suffix in (".xz", ".gz", ".bz2") else "")) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_tar_of_zstandard_reddit_dumps_is_recognised_without_format(tmp_path):
    compress = zstandard.ZstdCompressor().compress
    path = tar_of(tmp_path / "dumps.tar", [("README.md", b"notes"), ("RC_2015-01.zst", compress(dump_bytes(2))),
                                           ("RS_2015-01.zst", compress(b'{"name": "t3_s", "title": "T", '
                                                                       b'"selftext": "root"}\n'))])  # fmt: skip
    assert detect_format(path).name == "reddit"
    posts = read_input(path).posts
    assert posts.select("post_id", "position").rows() == [("t3_s", 1), ("t1_c0", 2), ("t1_c1", 3)]


def test_a_truncated_tar_xz_is_one_line(tmp_path):
    path = tar_of(tmp_path / "iac.tar.xz", [("discussions/1.json", json.dumps([[[1, None, "a", "t" * 5000, {}, None]],
                                                                               {}, {}]).encode())])  # fmt: skip
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    fails(path, r"truncated compressed data|cannot read the tar archive", format="iac")


def test_a_line_longer_than_the_line_limit_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "LINE_LIMIT", 4096)
    giant = json.dumps(comment(1, body="x" * 10_000)).encode() + b"\n"
    path = tmp_path / "RC.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(dump_bytes(2) + giant))
    fails(path, r"RC\.zst:3: line longer than 4096 bytes")
    plain = tmp_path / "dump.jsonl"
    plain.write_bytes(b"x" * 10_000)  # no newline at all
    fails(plain, r"dump\.jsonl:1: line longer than 4096 bytes", format="reddit")


def test_an_archive_member_larger_than_the_document_limit_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "DOCUMENT_LIMIT", 10_000)
    member = json.dumps([[[1, None, "a", "t" * 20_000, {}, None]], {}, {}]).encode()
    path = tar_of(tmp_path / "iac.tar.gz", [("discussions/1.json", member)])
    fails(path, r"iac\.tar\.gz:discussions/1\.json: member of \d+ bytes is larger than 10000 bytes")
    reddit = tmp_path / "page.json"  # a document not in an archive: read up to the limit, then refused
    reddit.write_text("[" + " " * 20_000 + "]")
    fails(reddit, r"page\.json: larger than 10000 bytes \(once decompressed\)", format="reddit")


def test_bytes_that_are_not_utf8_name_the_line_in_every_text_format(tmp_path):
    bad = "café".encode("latin-1")
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(dump_bytes(2) + b'{"name": "t1_x", "link_id": "t3_s", "body": "' + bad + b'"}\n')
    fails(dump, r"dump\.jsonl:3: not UTF-8 text \(byte 0xe9")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "utterances.jsonl").write_bytes(b'{"id": "a", "conversation_id": "a", "text": "' + bad + b'"}\n')
    fails(corpus, r"utterances\.jsonl:1: not UTF-8 text")
    page = tmp_path / "t_1.json"
    page.write_bytes(b'{"post_stream": {"posts": [\n{"topic_id": 1, "post_number": 1, "cooked": "' + bad + b'"}]}}')
    fails(page, r"t_1\.json:2: not UTF-8 text")


def test_an_html_page_in_its_declared_charset_with_bytes_outside_it_names_the_line(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b'<html><head><meta charset="shift_jis"></head>\n<body>\x82\xa0\n\x85\x40</body></html>')
    fails(path, r"page\.html:3: not shift_jis text")


def test_an_unreadable_path_is_one_line(tmp_path):
    fails(tmp_path / "missing.csv", r"(?i)no such file")
    fifo = tmp_path / "pipe.jsonl"
    import os

    os.mkfifo(fifo)
    fails(fifo, r"not a regular file")


def test_read_input_output_always_validates():
    for path in [CHAIN, DATA / "html" / "smf2.html", DATA / "discourse-migrated" / "t_2144_posts_28-30.json"]:
        validate_posts(read_input(path).posts)


def test_a_tar_zst_of_the_iac_layout_is_told_from_a_zst_reddit_dump(tmp_path):
    member = json.dumps([[[1, None, "ann", "Tea is best.", {}, None]], {}, {}]).encode()
    tarred = tar_of(tmp_path / "iac.tar", [("discussions/1.json", member)])
    archive = tmp_path / "iac.tar.zst"
    archive.write_bytes(zstandard.ZstdCompressor().compress(tarred.read_bytes()))
    dump = tmp_path / "RC_2015-01.zst"
    dump.write_bytes(zstandard.ZstdCompressor().compress(dump_bytes(1)))
    assert (detect_format(archive).name, detect_format(dump).name) == ("iac", "reddit")
    assert read_input(archive).posts["text"].to_list() == ["Tea is best."]


def test_a_folder_that_cannot_be_listed_is_one_line(tmp_path):
    import os

    from sna.io import expand_inputs

    locked = tmp_path / "forum" / "locked"
    locked.mkdir(parents=True)
    (locked / "t.txt").write_text("x")
    os.chmod(locked, 0)
    try:
        if os.access(locked, os.R_OK):  # running as a user the permission does not stop
            pytest.skip("permissions are not enforced for this user")
        with pytest.raises(InputError) as info:
            expand_inputs([tmp_path / "forum"])
        assert "Permission denied" in one_line(info.value)
    finally:
        os.chmod(locked, 0o755)
