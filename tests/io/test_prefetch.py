"""Reading compressed inputs ahead in a thread: same bytes, same errors, bounded memory, no thread left behind."""

import bz2
import gc
import gzip
import io
import lzma
import random
import signal
import tarfile
import threading

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.cli import main
from sna.io.helpers.prefetch import ReadAhead, prefetched
from sna.io.helpers.streams import decompressed, open_input
from sna.io.iac import read_iac
from tests.helpers import DATA

COMPRESS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


def read_ahead_threads():
    return [t for t in threading.enumerate() if t.name == "sna-read-ahead" and t.is_alive()]


def wait_for(condition, limit=2000):
    """Poll ``condition`` (a bounded number of times, not a timing assertion)."""
    ready = threading.Event()
    for _ in range(limit):
        if condition():
            return True
        ready.wait(0.005)
    return condition()


class Endless(io.RawIOBase):
    """An endless source of ``b"x"`` that counts the bytes it gave and whether it was closed."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[: len(buffer)] = b"x" * len(buffer)
        self.given += len(buffer)
        return len(buffer)


class FailsAfter(io.RawIOBase):
    """A source that gives ``data`` in pieces of ``step`` bytes, then raises ``error``."""

    def __init__(self, data, step, error):
        self.data, self.step, self.error, self.at = data, step, error, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.at >= len(self.data):
            raise self.error
        piece = self.data[self.at : self.at + min(self.step, len(buffer))]
        buffer[: len(piece)] = piece
        self.at += len(piece)
        return len(piece)


def read_in_pieces(stream, sizes):
    out, k = bytearray(), 0
    while chunk := stream.read(sizes[k % len(sizes)]):
        out += chunk
        k += 1
    return bytes(out)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=5000),
    chunk=st.integers(1, 700),
    depth=st.integers(1, 4),
    sizes=st.lists(st.integers(1, 900), min_size=1, max_size=5),
)
def test_the_bytes_come_out_unchanged_whatever_the_chunks_and_reads(data, chunk, depth, sizes):
    with prefetched(io.BytesIO(data), chunk=chunk, depth=depth) as stream:
        assert read_in_pieces(stream, sizes) == data
        assert stream.read() == b""
    assert not read_ahead_threads() or wait_for(lambda: not read_ahead_threads())


@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_decompressed_ahead_gives_the_same_bytes_and_lines(kind):
    data = b"".join(b"line %d %s\n" % (i, b"y" * (i % 37)) for i in range(20000))
    packed = COMPRESS[kind](data)
    with decompressed(io.BytesIO(packed), where=f"x.{kind}", ahead=True) as stream:
        assert stream.readline() == b"line 0 \n"
        assert stream.read(5) == b"line "
        assert stream.read() == data[len(b"line 0 \n") + 5 :]
    plain = decompressed(io.BytesIO(packed), where=f"x.{kind}")
    assert plain.read() == data


def test_every_byte_before_a_failure_comes_first_then_the_same_exception():
    error = OSError("disk gone")
    data = bytes(range(256)) * 10
    raw = ReadAhead(FailsAfter(data, 100, error), chunk=1000, depth=2)  # unbuffered: each byte as the thread read it
    got, buffer = bytearray(), bytearray(77)
    with pytest.raises(OSError) as caught:
        while count := raw.readinto(buffer):
            got += buffer[:count]
    assert caught.value is error and bytes(got) == data
    with pytest.raises(OSError):  # it stays failed
        raw.readinto(buffer)
    raw.close()
    assert not read_ahead_threads()


def truncated_and_corrupt():
    data = b"".join(b"%d\n" % i for i in range(300000))
    packed = lzma.compress(data, preset=0)
    corrupt = bytearray(packed)
    corrupt[len(packed) // 2] ^= 0xFF
    return data, {"truncated": packed[: len(packed) // 2], "corrupt": bytes(corrupt)}


@pytest.mark.parametrize("case", ["truncated", "corrupt"])
def test_a_cut_or_corrupt_xz_stream_raises_what_it_raises_without_the_thread(case):
    data, broken = truncated_and_corrupt()
    errors = []
    for ahead in (False, True):
        got = bytearray()
        with (
            pytest.raises((EOFError, lzma.LZMAError)) as caught,
            decompressed(io.BytesIO(broken[case]), where="x.xz", ahead=ahead) as stream,
        ):
            while chunk := stream.read(4096):
                got += chunk
        errors.append((type(caught.value), str(caught.value)))
        assert data.startswith(bytes(got))
    assert errors[0] == errors[1]


def cut_archive(tmp_path, suffix, keep):
    """An IAC tar.xz of the test discussions and 3 MiB of other bytes, cut to ``keep`` of its size when given."""
    archive = tmp_path / f"iac{suffix}.tar.xz"
    padding = tmp_path / "padding.bin"
    padding.write_bytes(random.Random(0).randbytes(3 * 2**20))  # several chunks of the thread, past the discussions
    with tarfile.open(archive, "w:xz", preset=0) as tar:
        for folder in ("discussions", "ranges_quotes"):
            for path in sorted((DATA / "iac" / folder).glob("*.json")):
                tar.add(path, arcname=f"{folder}/{path.name}")
        tar.add(padding, arcname="other/padding.bin")
    if keep is not None:
        packed = archive.read_bytes()
        archive.write_bytes(packed[: int(len(packed) * keep)])
    return archive


def test_a_cut_iac_archive_is_the_same_one_line_error(tmp_path):
    archive = cut_archive(tmp_path, "-cut", 0.6)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(archive), "--format", "iac", "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"sna: error: {archive}: truncated compressed data (the file ends early); expected the Internet Argument "
        "Corpus layout (discussions/<id>.json with ranges_quotes/<id>.json), or a tar of it"
    ]
    assert not read_ahead_threads()


def test_a_whole_archive_reads_the_same_as_the_folder(tmp_path):
    a, b = read_iac(cut_archive(tmp_path, "", None)), read_iac(DATA / "iac")
    assert a.posts.equals(b.posts) and a.quotes.equals(b.quotes)


def test_closing_early_stops_the_thread_and_closes_the_source():
    source = Endless()
    stream = prefetched(source, chunk=1000, depth=2)
    assert stream.read(10) == b"x" * 10
    stream.close()
    assert source.closed and not read_ahead_threads()


def test_a_stream_dropped_unclosed_stops_its_thread():
    source = Endless()
    stream = prefetched(source, chunk=1000, depth=2)
    stream.read(1)
    del stream
    gc.collect()
    assert wait_for(lambda: not read_ahead_threads()) and source.closed


def test_the_thread_reads_at_most_a_few_chunks_ahead():
    source = Endless()
    raw = ReadAhead(source, chunk=1000, depth=3)
    try:
        assert wait_for(lambda: raw._items.full())  # the queue is the bound under test
        given = source.given
        assert 3000 <= given <= 4000  # the queued chunks, and at most the one the thread waits to put
    finally:
        raw.close()


def test_an_interrupt_in_the_reader_leaves_no_thread(tmp_path):
    path = tmp_path / "big.xz"
    path.write_bytes(lzma.compress(b"abc\n" * 2**22, preset=0))
    with pytest.raises(KeyboardInterrupt), open_input(path, ahead=True) as stream:
        stream.read(100)
        raise KeyboardInterrupt
    assert not read_ahead_threads()


def test_the_thread_leaves_sigint_and_sigterm_to_the_main_thread():
    masks = []

    class Spy(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))
            return 0

    with prefetched(Spy()) as stream:
        assert stream.read() == b""
    assert {signal.SIGINT, signal.SIGTERM} <= masks[0]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
