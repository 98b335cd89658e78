"""Reading bytes with bounded memory: decompression, lines, whole documents, text.

Every reader gets its bytes through these functions, so that the same limits
and the same rule for bad bytes hold everywhere:

* :func:`open_input` / :func:`decompressed` open a file or an archive member
  as a byte stream, undoing zstandard, gzip, bzip2 or xz compression told
  from the first bytes (not the name). Decompression is a stream: at most
  :data:`ZSTD_INPUT_CHUNK` compressed bytes are fed to the zstandard decoder
  at a time (its output per step is bounded by the format's largest ratio,
  about 1:32,768, so ~32 MiB), and the standard library's gzip/bz2/lzma files
  bound their output themselves. zstandard frames may declare windows up to
  2 GiB (``--long=31``, as Pushshift's Reddit dumps do); the decoder needs that
  much memory for such a frame and no more. Readers that read a whole stream
  ask for ``ahead=True``: gzip, bzip2 and xz data are then decompressed by a
  thread a few MiB ahead of the parser (:mod:`sna.io.helpers.prefetch`);
  zstandard is not (its decoder is fast, and ours steps in Python, holding the
  GIL: a thread gained nothing on a 157 MB tar).
* :func:`numbered_lines` reads a stream line by line; a line longer than
  :data:`LINE_LIMIT` bytes is an error, so a giant line (or a stream with no
  newline at all) costs at most that much memory.
* :func:`read_document` reads one whole document (a JSON file, a saved page,
  an archive member) of at most :data:`DOCUMENT_LIMIT` bytes.
* :func:`decode_text` is the one rule for bytes: text is UTF-8 (a leading byte
  order mark is dropped) unless a reader is told another encoding (tables and
  text pages take ``--encoding``; saved HTML pages are decoded in the charset
  they declare); bytes that do not decode are an error (:func:`undecodable`)
  naming the file, the line, the column and the byte, never silently
  replaced, and ending with advice that fits the reader (:data:`Hint`).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from sna.errors import InputError
from sna.io.helpers.prefetch import prefetched

#: Longest line (in bytes, newline included) of a line-oriented input.
LINE_LIMIT = 16 * 2**20
#: Largest document (in bytes) read whole: a JSON file, a saved page, an archive member.
DOCUMENT_LIMIT = 256 * 2**20
#: Compressed bytes given to the zstandard decoder per step (bounds its output per step to ~32 MiB).
ZSTD_INPUT_CHUNK = 1024
#: Largest zstandard window accepted (2 GiB, zstandard's maximum).
ZSTD_WINDOW = 2**31

_STEP = 4 * 2**20  # bytes read at a time by read_document
_STEP_OUT = 2**20  # decompressed bytes asked of gzip, bzip2 and xz readers at a time
_STEP_IN = 2**20  # compressed bytes the bzip2 and xz readers get from their file at a time
_MAGIC = (
    (b"\x28\xb5\x2f\xfd", "zstandard"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b", "gzip"),
)


def compression_of(head: bytes) -> str | None:
    """Name the compression a stream's first bytes announce, or None.

    Examples
    --------
    >>> compression_of(b"\\x28\\xb5\\x2f\\xfd\\x00"), compression_of(b"BZh91AY"), compression_of(b'{"id": 1}')
    ('zstandard', 'bzip2', None)
    """
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[3:4] != b"0":
        return "bzip2"
    return None


class _ZstdReader(io.RawIOBase):
    """A raw stream of the decompressed bytes of zstandard frames, one after another.

    Unlike ``zstandard``'s own ``stream_reader`` it reports input that ends
    inside a frame, and it feeds the decoder small steps so that no single
    call can produce more than ~32 MiB.
    """

    def __init__(self, raw: IO[bytes], name: str) -> None:
        import zstandard

        self._raw = raw
        self._name = name
        self._context = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW)
        self._decoder = self._context.decompressobj()
        self._in_frame = False
        self._pending = memoryview(b"")
        self._error = zstandard.ZstdError

    def readable(self) -> bool:
        return True

    def _step(self) -> bool:
        """Decompress the next chunk of input into ``_pending``; False at the end of the input."""
        chunk = self._raw.read(ZSTD_INPUT_CHUNK)
        if not chunk:
            if self._in_frame:
                raise InputError(
                    "truncated zstandard data (the file ends inside a frame); expected a complete .zst file",
                    path=self._name,
                )
            return False
        try:
            out = self._decoder.decompress(chunk)
            self._in_frame = not self._decoder.eof
            while self._decoder.eof and self._decoder.unused_data:  # the next frame starts in this chunk
                rest = self._decoder.unused_data
                self._decoder = self._context.decompressobj()
                out += self._decoder.decompress(rest)
                self._in_frame = not self._decoder.eof
            if self._decoder.eof:
                self._decoder = self._context.decompressobj()
        except self._error as exc:
            raise InputError(f"corrupt zstandard data ({exc}); expected a .zst file", path=self._name) from None
        self._pending = memoryview(out)
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            if not self._step():
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _peekable(raw: IO[bytes]) -> IO[bytes]:
    return raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]


class _LargeReads:
    """A file whose reads ask for at least :data:`_STEP_IN` bytes.

    bz2 and lzma readers ask their file for 8 KiB at a time; each step costs
    Python calls, so bigger steps save CPU (the decoders bound their output
    per step by what they are asked for, not by their input).
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(max(size, _STEP_IN) if size >= 0 else size)

    def __getattr__(self, name: str) -> object:  # seek, tell, seekable, close: the file's own
        return getattr(self._raw, name)


def _decoder(kind: str, raw: IO[bytes]) -> IO[bytes] | None:
    """The standard library's reader of gzip, bzip2 or xz data from ``raw``; None for other kinds."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]  # reads 128 KiB steps itself
    if kind == "bzip2":
        return bz2.BZ2File(_LargeReads(raw))  # type: ignore[arg-type, return-value]
    if kind == "xz":
        return lzma.LZMAFile(_LargeReads(raw))  # type: ignore[arg-type, return-value]
    return None


def decompressed(raw: IO[bytes], *, where: str, ahead: bool = False) -> BinaryIO:
    """The bytes of ``raw``, decompressed as a stream if its first bytes say it is compressed.

    Parameters
    ----------
    raw : binary file
        An open file or archive member.
    where : str
        The file (or ``archive:member``) for error messages.
    ahead : bool
        Decompress gzip, bzip2 and xz data ahead in a thread while the caller
        parses (:func:`sna.io.helpers.prefetch.prefetched`): for readers that
        read the whole stream, not for sniffing its first bytes. Close the
        stream (before ``raw``) to stop the thread.

    Examples
    --------
    >>> import gzip
    >>> decompressed(io.BytesIO(gzip.compress(b"a\\nb\\n")), where="x.gz").read()
    b'a\\nb\\n'
    >>> with decompressed(io.BytesIO(gzip.compress(b"a\\nb\\n")), where="x.gz", ahead=True) as stream:
    ...     stream.read()
    b'a\\nb\\n'
    >>> decompressed(io.BytesIO(b"plain"), where="x").read()
    b'plain'
    """
    raw = _peekable(raw)
    kind = compression_of(raw.peek(8)[:8])  # type: ignore[attr-defined]
    if kind == "zstandard":
        return io.BufferedReader(_ZstdReader(raw, where), buffer_size=1 << 16)
    source = _decoder(kind or "", raw)
    if source is None:
        return raw  # type: ignore[return-value]
    if ahead:
        return prefetched(source)
    # The standard library's readers bound each step's output by the size asked for; asking in 1 MiB steps
    # (not the 8-10 KiB tarfile and readline ask for) keeps the number of decoder calls low.
    return io.BufferedReader(source, buffer_size=_STEP_OUT)  # type: ignore[arg-type]


@contextmanager
def open_input(path: str | Path, *, ahead: bool = False) -> Iterator[BinaryIO]:
    """Open a file as a byte stream, decompressed when it is compressed (``ahead``: see :func:`decompressed`).

    Raises
    ------
    InputError
        When the file cannot be opened.
    """
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the with below, after the error is told apart
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    with handle:
        stream = decompressed(handle, where=str(path), ahead=ahead)
        try:
            yield stream
        finally:
            if stream is not handle:
                stream.close()  # before the file: a read-ahead thread stops reading it first


def names_utf8(encoding: str) -> bool:
    """Whether ``encoding`` (a known codec) is UTF-8, with or without a byte order mark.

    Examples
    --------
    >>> names_utf8("UTF8"), names_utf8("utf-8-sig"), names_utf8("shift_jis")
    (True, True, False)
    """
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


#: Advice at the end of the error for bytes that do not decode: ``hint(encoding, utf16)``, where ``utf16``
#: says the file starts with a UTF-16 byte order mark.
Hint = Callable[[str, bool], str]


def convert_hint(encoding: str, utf16: bool) -> str:
    """Advice for formats that are UTF-8 by definition (JSON, JSON Lines dumps) or a page's own charset.

    These readers take no ``--encoding``: the file itself has to be converted.

    Examples
    --------
    >>> convert_hint("utf-8", False)
    'save or convert it as UTF-8 (e.g. iconv -f cp1252 -t utf-8)'
    >>> convert_hint("utf-8", True)
    'it starts with a UTF-16 byte order mark: convert it to UTF-8 (e.g. iconv -f utf-16 -t utf-8)'
    >>> convert_hint("shift_jis", False)
    'the page declares shift_jis but has bytes outside it: save it again, or convert it to UTF-8'
    """
    if utf16:
        return "it starts with a UTF-16 byte order mark: convert it to UTF-8 (e.g. iconv -f utf-16 -t utf-8)"
    if names_utf8(encoding):
        return "save or convert it as UTF-8 (e.g. iconv -f cp1252 -t utf-8)"
    return f"the page declares {encoding} but has bytes outside it: save it again, or convert it to UTF-8"


def undecodable(
    data: bytes,
    start: int,
    encoding: str,
    *,
    where: str | Path,
    hint: Hint = convert_hint,
    offset: int | None = 0,
    line: int = 1,
    column: int = 1,
) -> InputError:
    """The error for ``data[start]``, a byte that does not decode as ``encoding``.

    ``offset``, ``line``, ``column``: where ``data`` starts in the file
    (``offset=None`` when its byte offset is not known: the byte offset is
    then left out of the message); ``hint`` gives the advice that ends it.

    Examples
    --------
    >>> print(undecodable(b"a,text\\n1,caf\\xe9\\n", 12, "utf-8", where="t.json"))  # doctest: +NORMALIZE_WHITESPACE
    t.json:2: not UTF-8 text (byte 0xe9 at column 6, byte offset 12); save or convert it as UTF-8
    (e.g. iconv -f cp1252 -t utf-8)
    >>> print(undecodable(b"caf\\xe9", 3, "utf-8", where="t.jsonl", offset=None, line=7))
    t.jsonl:7: not UTF-8 text (byte 0xe9 at column 4); save or convert it as UTF-8 (e.g. iconv -f cp1252 -t utf-8)
    """
    before = data[:start]
    newlines = before.count(b"\n")
    at_line = line + newlines
    at_column = (start - before.rfind(b"\n")) if newlines else column + start
    utf16 = names_utf8(encoding) and (offset or 0) + start == 0 and (line, column) == (1, 1)
    utf16 = utf16 and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    name = "UTF-8" if names_utf8(encoding) else encoding
    at = f"column {at_column}" + ("" if offset is None else f", byte offset {offset + start:,}")
    return InputError(
        f"not {name} text (byte 0x{data[start]:02x} at {at}); {hint(encoding, utf16)}", path=where, line=at_line
    )


def decode_text(
    data: bytes, *, where: str | Path, line: int | None = None, encoding: str = "utf-8", hint: Hint = convert_hint
) -> str:
    """Decode bytes (UTF-8 unless told; a leading byte order mark dropped), or :func:`undecodable`.

    ``data`` is a whole file, or (``line`` given) one line of a longer stream,
    whose byte offset in the file is then not told. ``hint`` is the advice
    the error ends with: :func:`convert_hint` unless the reader takes
    ``--encoding`` (:func:`sna.io.helpers.encodings.option_hint`).

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9", where="x.txt")
    'café'
    >>> decode_text(b"ok\\nwr\\x92ong", where="x.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.json:2: not UTF-8 text (byte 0x92 at column 3, byte offset 5); save or convert ...
    """
    try:
        return data.decode("utf-8-sig" if names_utf8(encoding) else encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        known = line is None
        raise undecodable(
            data, exc.start, encoding, where=where, hint=hint, offset=0 if known else None, line=line or 1
        ) from None


def numbered_lines(
    stream: IO[bytes], *, where: str | Path, limit: int | None = None, first: int = 1
) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each line of a byte stream, newline removed.

    Lines are numbered from ``first`` (a stream that is a later piece of a file
    gives the file's line numbers); a byte order mark is dropped from line 1 only.

    Raises
    ------
    InputError
        For a line longer than ``limit`` bytes (:data:`LINE_LIMIT` unless
        given), or one that is not UTF-8.

    Examples
    --------
    >>> list(numbered_lines(io.BytesIO(b"a\\r\\n\\nb"), where="x"))
    [(1, 'a'), (2, ''), (3, 'b')]
    >>> list(numbered_lines(io.BytesIO(b"short\\n" + b"x" * 50), where="x.jsonl", limit=20))
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.jsonl:2: line longer than 20 bytes; expected one record per line
    """
    limit = LINE_LIMIT if limit is None else limit
    number = first - 1
    while True:
        data = stream.readline(limit + 1)
        if not data:
            return
        number += 1
        if len(data) > limit:
            raise InputError(
                f"line longer than {size_text(limit)}; expected one record per line", path=where, line=number
            )
        if data.endswith(b"\n"):
            data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = decode_text(data, where=where, line=number)  # raises, naming the byte
        yield number, text.removeprefix("\ufeff") if number == 1 else text


def read_document(stream: IO[bytes], *, where: str | Path, limit: int | None = None) -> bytes:
    """Read a whole document from a stream, at most ``limit`` bytes (:data:`DOCUMENT_LIMIT` unless given).

    Examples
    --------
    >>> read_document(io.BytesIO(b"{}"), where="x.json")
    b'{}'
    >>> read_document(io.BytesIO(b"x" * 30), where="x.json", limit=10)
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.json: larger than 10 bytes (once decompressed); expected one document of at most that size
    """
    limit = DOCUMENT_LIMIT if limit is None else limit
    chunks, size = [], 0
    while size <= limit:  # in steps: one read of limit + 1 bytes would allocate that much whatever the file holds
        chunk = stream.read(min(_STEP, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(
            f"larger than {size_text(limit)} (once decompressed); expected one document of at most that size",
            path=where,
        )
    return data


def read_text_file(path: str | Path, *, limit: int | None = None) -> str:
    """The text of a (maybe compressed) UTF-8 file of at most ``limit`` bytes; see :func:`decode_text`."""
    with open_input(path, ahead=True) as stream:
        return decode_text(read_document(stream, where=path, limit=limit), where=path)


def head_bytes(path: str | Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes of a file, decompressed when it is compressed (for sniffing formats).

    Corrupt or truncated compressed data gives what could be read before the fault.
    """
    from sna.io.helpers.boundary import DATA_ERRORS

    head = bytearray()
    try:
        with open_input(path) as stream:
            read = getattr(stream, "read1", stream.read)  # one step at a time: keep what came before a fault
            while len(head) < size and (chunk := read(min(4096, size - len(head)))):
                head += chunk
    except (InputError, *DATA_ERRORS):
        pass
    return bytes(head)


def size_text(limit: int) -> str:
    """A size for messages: whole MiB when it is one, else bytes.

    Examples
    --------
    >>> size_text(16 * 2**20), size_text(4096)
    ('16 MiB', '4096 bytes')
    """
    return f"{limit // 2**20} MiB" if limit >= 2**20 and limit % 2**20 == 0 else f"{limit} bytes"
