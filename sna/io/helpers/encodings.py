"""Text encodings of tables and plain-text pages (``--encoding``), and the error when bytes do not decode.

CSV, TSV and JSON Lines tables and plain-text pages are UTF-8 unless told
otherwise: ``read_table(path, encoding="cp1252")``, ``read_text_page(path,
encoding=...)``, ``ReadOptions(encoding=...)``, and ``encoding=`` of
:func:`sna.pipeline.ingest`, :func:`sna.pipeline.run`, :func:`sna.convert.convert`
and :func:`sna.load`, which the command line's ``--encoding`` passes. The
encoding is never guessed: bytes that do not decode are an :class:`~sna.errors.InputError`
naming the file, the line, the column and the byte offset, and saying which
``--encoding`` to try.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sna.errors import SnaError
from sna.io.helpers.streams import names_utf8, open_input, undecodable
from sna.outputs import scratch_folder

#: What tables and text pages are decoded as when no encoding is named.
DEFAULT_ENCODING = "utf-8"
_CHUNK = 1 << 20  # bytes decoded at a time


def codec_name(encoding: str) -> str:
    """The codec's standard name, or an :class:`SnaError` for an unknown encoding.

    Examples
    --------
    >>> codec_name("CP1252"), codec_name("latin-1"), codec_name("UTF8")
    ('cp1252', 'iso8859-1', 'utf-8')
    >>> codec_name("klingon")
    Traceback (most recent call last):
    ...
    sna.errors.SnaError: --encoding: unknown encoding 'klingon' (e.g. utf-8, cp1252, latin-1)
    """
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        raise SnaError(f"--encoding: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None


def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` names UTF-8 (with or without a byte order mark); an unknown one is an :class:`SnaError`.

    Examples
    --------
    >>> is_utf8("UTF8"), is_utf8("utf-8-sig"), is_utf8("cp1252")
    (True, True, False)
    """
    codec_name(encoding)
    return names_utf8(encoding)


def option_hint(encoding: str, utf16: bool) -> str:
    """Advice for readers that take ``--encoding`` (tables, text pages): the encoding to pass.

    Examples
    --------
    >>> option_hint("utf-8", False)
    'if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252'
    >>> option_hint("utf-8", True)
    "it starts with a UTF-16 byte order mark (Excel's Unicode text): pass --encoding utf-16"
    >>> option_hint("cp1252", False)
    'pass the --encoding it was saved in'
    """
    if utf16:
        return "it starts with a UTF-16 byte order mark (Excel's Unicode text): pass --encoding utf-16"
    if names_utf8(encoding):
        return "if it was saved as Windows-1252 or Latin-1, pass --encoding cp1252"
    return "pass the --encoding it was saved in"


def encoding_or_default(encoding: str | None = None) -> str:
    """``encoding`` when given (checked: an unknown one is an :class:`SnaError`), else UTF-8.

    Examples
    --------
    >>> encoding_or_default(), encoding_or_default("cp1252")
    ('utf-8', 'cp1252')
    """
    chosen = DEFAULT_ENCODING if encoding is None else encoding
    codec_name(chosen)
    return chosen


def _decoded_chunks(stream: IO[bytes], encoding: str, *, where: str | Path) -> Iterator[str]:
    """The text of a byte stream, a chunk at a time (a leading byte order mark dropped), or the error."""
    codec = "utf-8-sig" if is_utf8(encoding) else encoding
    decoder = codecs.getincrementaldecoder(codec)()
    offset, line, column = 0, 1, 1  # where the decoder's pending bytes start
    while True:
        chunk = stream.read(_CHUNK)
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise undecodable(
                exc.object, exc.start, encoding, where=where, hint=option_hint, offset=offset, line=line, column=column
            ) from None
        data = pending + chunk
        done = len(data) - len(decoder.getstate()[0])
        newlines = data.count(b"\n", 0, done)
        column = done - data.rfind(b"\n", 0, done) if newlines else column + done
        offset, line = offset + done, line + newlines
        if text:
            yield text
        if not chunk:
            return


def check_decodes(path: str | Path, encoding: str) -> None:
    """Raise :func:`~sna.io.helpers.streams.undecodable` for the first byte that is not ``encoding`` text."""
    with open_input(path) as stream:
        for _ in _decoded_chunks(stream, encoding, where=path):
            pass


@contextmanager
def utf8_copy(path: str | Path, encoding: str) -> Iterator[Path]:
    """A temporary UTF-8 copy of a (maybe compressed) file in ``encoding``, decoded a chunk at a time.

    Raises
    ------
    InputError
        Naming the line, column and byte offset of the first byte that is not
        ``encoding`` text.

    Examples
    --------
    >>> import tempfile
    >>> source = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = source.write_bytes(b"text\\n\\x93caf\\xe9\\x94\\n")
    >>> with utf8_copy(source, "cp1252") as copy:
    ...     copy.read_text(encoding="utf-8")
    'text\\n“café”\\n'
    """
    with scratch_folder("sna-decoded-") as folder:
        copy = folder / Path(path).name
        with open_input(path) as stream, copy.open("w", encoding="utf-8", newline="") as out:
            for text in _decoded_chunks(stream, encoding, where=path):
                out.write(text)
        yield copy
