"""The reader boundary: what libraries raise on bad data becomes one :class:`InputError` line.

Parsers (polars, lxml, json, zstandard, tarfile, bz2/lzma/gzip, the codecs)
raise their own exceptions on broken input, some of them not even
``Exception`` subclasses (a polars panic is a ``BaseException``). Every
``read_x`` of :mod:`sna.io` is wrapped in :func:`reading`, which turns those
into an :class:`~sna.errors.InputError` that names the file and what was
expected, in one line of at most :data:`MESSAGE_LIMIT` characters. Other
exceptions (``TypeError``, ``KeyError``, …) are bugs in sna and pass through
with their traceback.
"""

from __future__ import annotations

import functools
import json
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from lxml import etree
from polars.exceptions import PanicException, PolarsError

from sna.errors import InputError

#: Longest error line a reader gives (location included): the command line prints it after "sna: error: "
#: in a line of at most 300 characters (``sna.cli.MESSAGE_LIMIT``).
MESSAGE_LIMIT = 300 - len("sna: error: ")


def _zstd_error() -> type[Exception]:
    import zstandard

    return zstandard.ZstdError


#: What libraries raise on bad input data (and nothing else).
DATA_ERRORS: tuple[type[BaseException], ...] = (
    UnicodeError, ValueError, RecursionError, OverflowError, MemoryError, EOFError, OSError, tarfile.TarError,
    zlib.error, lzma.LZMAError, _zstd_error(), etree.LxmlError, PolarsError, PanicException,
)  # fmt: skip


def shorten(text: object, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, for quoting data or library messages in errors.

    Examples
    --------
    >>> shorten("line one\\nline two"), shorten("x" * 100, 10)
    ('line one line two', 'xxxxxxxxx…')
    """
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe(exc: BaseException) -> str:
    """What a library's exception says about the data, in a few words.

    Examples
    --------
    >>> describe(json.JSONDecodeError("Expecting value", '{"a": }', 6))
    'not valid JSON (Expecting value at line 1, column 7)'
    >>> describe(RecursionError())
    'nested too deeply to read (over about 1,000 levels)'
    """
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save or convert it as UTF-8"
    if isinstance(exc, RecursionError):
        return "nested too deeply to read (over about 1,000 levels)"
    if isinstance(exc, MemoryError):
        return "ran out of memory while reading"
    if isinstance(exc, OverflowError):
        return f"a number is out of range ({shorten(exc)})"
    if isinstance(exc, EOFError):
        return "truncated compressed data (the file ends early)"
    if isinstance(exc, tarfile.TarError):
        return f"cannot read the tar archive ({shorten(exc) or type(exc).__name__})"
    if isinstance(exc, zlib.error | lzma.LZMAError | _zstd_error()):
        return f"corrupt compressed data ({shorten(exc)})"
    if isinstance(exc, etree.LxmlError):
        return f"not readable as XML or HTML ({shorten(exc)})"
    if isinstance(exc, PanicException):
        return f"corrupt file (the table reader gave up: {shorten(exc, 60)})"
    if isinstance(exc, PolarsError):
        return f"cannot read the table ({shorten(exc)})"
    if isinstance(exc, OSError):
        if exc.strerror and exc.errno is not None:
            return f"cannot read: {exc.strerror}"
        return f"corrupt compressed data ({shorten(exc) or type(exc).__name__})"
    return f"unexpected content ({shorten(exc) or type(exc).__name__})"


def fit(error: InputError, path: str | Path | None = None) -> InputError:
    """The same error on one line of at most :data:`MESSAGE_LIMIT` characters, naming ``path`` if it named no file.

    Examples
    --------
    >>> str(fit(InputError("bad " + "x" * 400, line=3), "a.json"))[:16], len(str(fit(InputError("x" * 400))))
    ('a.json:3: bad xx', 288)
    >>> long = "/data/" + "d" * 300 + "/posts.csv"  # a long path is cut in its middle before the message is
    >>> line = str(fit(InputError("no 'text' column; use --map text=COLUMN", path=long)))
    >>> len(line), line[:12], "…" in line, line.endswith("d/posts.csv: no 'text' column; use --map text=COLUMN")
    (288, '/data/dddddd', True, True)
    """
    where = error.path if error.path is not None else (None if path is None else str(path))
    message = " ".join(error.message.split())  # one line, whatever a library put in its message
    shown = where
    excess = len(str(InputError(message, path=where, line=error.line, row=error.row, post=error.post))) - MESSAGE_LIMIT
    if excess > 0 and where is not None:  # cut a long path first: the message says what is wrong and what to do
        shown = middle_cut(where, max(_PATH_KEPT, len(where) - excess))
        excess -= len(where) - len(shown)
    if excess > 0:
        message = shorten(message, max(20, len(message) - excess))
    fitted = InputError(message, path=shown, line=error.line, row=error.row, post=error.post)
    fitted.path = where  # the file itself, for callers; the line shows it cut
    return fitted


_PATH_KEPT = 60  # characters of a long path kept when an error line is too long


def middle_cut(path: str, keep: int) -> str:
    """``path`` in at most ``keep`` characters: its start and its end (the file's name), "…" between.

    Examples
    --------
    >>> middle_cut("/home/me/exports/2024/march/forum/posts.csv", 30)
    '/home/me/e…rch/forum/posts.csv'
    """
    if len(path) <= keep:
        return path
    front = keep // 3
    return path[:front] + "…" + path[len(path) - (keep - front - 1) :]


@contextmanager
def native_stderr_held() -> Iterator[None]:
    """Hold what native code writes to standard error (fd 2) during the block; pass it on unless the block fails.

    Rust libraries print a panic report straight to fd 2 before Python sees
    the ``PanicException``; a reader that turns the panic into one
    :class:`InputError` line holds that report back so the user sees one line.
    Output of a block that succeeds is passed on unchanged.
    """
    import os
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (embedded interpreters): nothing to hold
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if not failed:
                held.seek(0)
                data = held.read()
                if data:
                    os.write(2, data)


P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def input_boundary(path: str | Path | None, what: str) -> Iterator[None]:
    """Turn what the block raises on bad data into one :class:`InputError` naming ``path``.

    Examples
    --------
    >>> with input_boundary("t.parquet", "a Parquet table of posts"):
    ...     raise OverflowError("int too large")
    Traceback (most recent call last):
    ...
    sna.errors.InputError: t.parquet: a number is out of range (int too large); expected a Parquet table of posts
    """
    try:
        yield
    except InputError as exc:
        fitted = fit(exc, path)
        if str(fitted) == str(exc):
            raise
        raise fitted from None
    except DATA_ERRORS as exc:
        raise fit(InputError(f"{describe(exc)}; expected {what}", path=None if path is None else str(path))) from exc


def reading(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a ``read_x(path, …)`` so that bad data always ends in one :class:`InputError`.

    Parameters
    ----------
    what : str
        What the file was expected to be ("a Discourse posts JSON file"),
        appended to messages made from library exceptions.

    Examples
    --------
    >>> @reading("a JSON object")
    ... def read_thing(path):
    ...     return json.loads('{"a": }')
    >>> read_thing("thing.json")
    Traceback (most recent call last):
    ...
    sna.errors.InputError: thing.json: not valid JSON (Expecting value at line 1, column 7); expected a JSON object
    """

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(read)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            with input_boundary(args[0] if args else kwargs.get("path"), what):  # type: ignore[arg-type]
                return read(*args, **kwargs)

        return guarded

    return decorate
