"""Mutated real inputs: whatever the bytes, every reader gives valid posts or one InputError line naming the file.

Each case takes a small real fixture of one format (plain, compressed or archived), changes a few bytes —
flips, cuts, truncations, nasty tokens (unbalanced brackets, huge numbers, invalid UTF-8, deep markup) —
and reads it with ``read_input``. Anything else that escapes (a ``TypeError``, ``KeyError``,
``RecursionError``, a polars panic …) fails the test.
"""

import io
import lzma
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

import polars as pl
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.errors import InputError
from sna.io import read_input
from sna.io.helpers.boundary import MESSAGE_LIMIT
from sna.schema import validate_posts
from tests.helpers import DATA

NASTY = [b'"', b"{", b"[", b"]", b"}", b"\x00", b"\xff\xfe", b"\xc3", b"9" * 30, b"-1e400", b"NaN", b"Infinity",
         b"<", b">", b"</div>", b"<div>" * 300, b"\n", b"\r", b",", b":", b"null", b"true", b'[quote="x"]',
         b"&gt; ", b'"x"', b"\n> quoted\n", b"[[[[[[[[", b'{"a": ' * 40]  # fmt: skip


def _table(kind: str) -> bytes:
    df = pl.DataFrame(
        {
            "post_id": ["1", "2", "3"],
            "author": ["ann", "bo", "cy"],
            "position": [1, 2, 3],
            "created_at": ["2020-01-01T00:00:00Z", "1500000000", ""],
            "text": ["Tea is best.", "[quote=ann;1]Tea is best.[/quote]No.", "ann wrote:\n> Tea\n\nYes"],
        }
    )
    buffer = io.BytesIO()
    if kind == "parquet":
        df.write_parquet(buffer)
    elif kind == "jsonl":
        df.write_ndjson(buffer)
    else:
        df.write_csv(buffer)
    return buffer.getvalue()


def _tar(members: list[tuple[str, bytes]], compress: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w" + (f":{compress}" if compress else "")) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


CHAIN = (DATA / "reddit-cmv" / "387_ah_t1_dlqnfwn.json").read_bytes()
IAC = (DATA / "iac" / "discussions" / "5325.json").read_bytes()
IAC_RANGES = (DATA / "iac" / "ranges_quotes" / "5325.json").read_bytes()

#: (name of the file to write, format, its bytes); folder formats write the rest of the fixture beside it.
FILES = {
    "text": ("thread.txt", (DATA / "seed-pakistan-ussr-thread.txt").read_bytes()[:6000]),
    "csv": ("posts.csv", _table("csv")),
    "jsonl": ("posts.jsonl", _table("jsonl")),
    "parquet": ("posts.parquet", _table("parquet")),
    "html": ("page.html", (DATA / "html" / "smf2-page2.html").read_bytes()),
    "forumscraper": ("thread", (DATA / "forumscraper" / "xenforo-2-67736").read_bytes()),
    "discourse": ("t_1.json", (DATA / "discourse" / "t_2144_posts_pn_5.json").read_bytes()),
    "reddit": ("chain.jsonl", CHAIN),
    "reddit-zst": ("RC_2017.zst", zstandard.ZstdCompressor().compress(CHAIN)),
    "reddit-tar": ("dumps.tar", _tar([("a.jsonl", CHAIN), ("b.zst", zstandard.ZstdCompressor().compress(CHAIN))])),
    "iac": ("5325.json", IAC),
    "iac-tar": ("iac.tar.xz", _tar([("discussions/5325.json", IAC), ("ranges_quotes/5325.json", IAC_RANGES)], "xz")),
    "convokit": (
        "utterances.jsonl",
        b"".join((DATA / "convokit-cornell" / "utterances.jsonl").read_bytes().splitlines(keepends=True)[:8]),
    ),
    "stackexchange": ("Posts.xml", (DATA / "stackexchange" / "Posts.xml").read_bytes()),
}
FORMAT = {"reddit-zst": "reddit", "reddit-tar": "reddit", "iac-tar": "iac"}


def _place(case: str, data: bytes, root: Path) -> Path:
    """Write the (mutated) file where its reader expects it; return what to read."""
    name, _ = FILES[case]
    if case == "iac":
        (root / "discussions").mkdir()
        (root / "ranges_quotes").mkdir()
        (root / "ranges_quotes" / name).write_bytes(IAC_RANGES)
        (root / "discussions" / name).write_bytes(data)
        return root
    if case == "convokit":
        for other in ("speakers.json", "conversations.json"):
            shutil.copy(DATA / "convokit-cornell" / other, root / other)
    if case == "stackexchange":
        for other in ("Comments.xml", "Users.xml"):
            shutil.copy(DATA / "stackexchange" / other, root / other)
    (root / name).write_bytes(data)
    return root if case in ("convokit", "stackexchange") else root / name


@st.composite
def mutations(draw):
    kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "recompress"]))
    where = draw(st.floats(0, 1))
    if kind == "flip":
        return kind, where, draw(st.integers(0, 255))
    if kind == "delete":
        return kind, where, draw(st.integers(1, 200))
    if kind == "insert":
        return kind, where, draw(st.sampled_from(NASTY))
    return kind, where, None


def mutate(data: bytes, edits) -> bytes:
    for kind, where, arg in edits:
        at = int(where * len(data))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([arg]) + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + arg :]
        elif kind == "insert":
            data = data[:at] + arg + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "recompress":  # the same bytes, compressed as a dump might be
            data = [zlib.compress, lzma.compress][at % 2](data)
    return data


@pytest.mark.parametrize("case", sorted(FILES))
@settings(max_examples=20)
@given(edits=st.lists(mutations(), min_size=1, max_size=3))
def test_mutated_inputs_end_in_valid_posts_or_one_input_error_line(case, edits):
    data = mutate(FILES[case][1], edits)
    with tempfile.TemporaryDirectory() as tmp:
        path = _place(case, data, Path(tmp))
        try:
            parsed = read_input(path, format=FORMAT.get(case, case))
        except InputError as exc:
            message = str(exc)
            assert "\n" not in message and len(message) <= MESSAGE_LIMIT, message
            assert tmp in message, message
            return
        validate_posts(parsed.posts)
        raw = dict(parsed.posts.select("post_id", "raw_text").iter_rows())
        for source, start, end in parsed.quotes.select("source", "start", "end").iter_rows():
            if start is not None:
                assert source in raw and 0 <= start <= end <= len(raw[source])


def test_unmutated_fixtures_read():
    for case in FILES:
        with tempfile.TemporaryDirectory() as tmp:
            parsed = read_input(_place(case, FILES[case][1], Path(tmp)), format=FORMAT.get(case, case))
            assert parsed.posts.height > 0, case
