"""JSON documents and JSON Lines, with errors that say where and what was expected.

``json.loads`` raises ``JSONDecodeError`` for bad syntax, ``RecursionError``
for nesting deeper than about 1,000 levels and ``ValueError`` for integers of
more than 4,300 digits; each becomes an :class:`~sna.errors.InputError`
naming the file and line.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sna.errors import InputError


def _why(exc: BaseException) -> tuple[str, int | None]:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})", exc.lineno
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply (over about 1,000 levels)", None
    return f"not valid JSON ({' '.join(str(exc).split())[:80]})", None


def load_json(data: str | bytes, *, where: str | Path | None, what: str) -> Any:
    """Parse one JSON document.

    Raises
    ------
    InputError
        Naming ``where`` and the line, and saying that ``what`` was expected.

    Examples
    --------
    >>> load_json('{"a": [1, 2]}', where="x.json", what="an object")
    {'a': [1, 2]}
    >>> load_json('{"a": [1, 2}', where="x.json", what="an object")
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.json:1: not valid JSON (Expecting ',' delimiter at column 12); expected an object
    >>> load_json("[" * 5000, where="x.json", what="an object")
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.json: JSON nested too deeply (over about 1,000 levels); expected an object
    """
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        why, line = _why(exc)
        raise InputError(f"{why}; expected {what}", path=where, line=line) from None


def json_lines(lines: Iterable[str], *, where: str | Path, what: str = "record") -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank JSON Lines line.

    ``lines`` may be plain strings (numbered from 1) or ``(number, text)``
    pairs as :func:`sna.io.helpers.streams.numbered_lines` gives them.

    Raises
    ------
    InputError
        Naming ``where`` and the line, for invalid JSON or a non-object line.

    Examples
    --------
    >>> list(json_lines(['{"a": 1}', "", '{"b": 2}'], where="x.jsonl"))
    [(1, {'a': 1}), (3, {'b': 2})]
    >>> list(json_lines(['{"a": '], where="x.jsonl"))
    Traceback (most recent call last):
    ...
    sna.errors.InputError: x.jsonl:1: not valid JSON (Expecting value at column 7); expected one record per line
    """
    for number, line in _numbered(lines):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            why, _ = _why(exc)
            raise InputError(f"{why}; expected one {what} per line", path=where, line=number) from None
        if not isinstance(value, dict):
            raise InputError(f"expected a JSON object (one {what}) per line", path=where, line=number)
        yield number, value


def _numbered(lines: Iterable[str] | Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for index, item in enumerate(lines, 1):
        if isinstance(item, tuple):
            yield item
        else:
            yield index, item


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many JSON documents are parsed and their values kept.

    Parsed JSON makes millions of lists and dicts, none of them cyclic; the
    collector's passes over them (full ones as the kept values grow) cost
    ~0.2 s of the 3.5 CPU-s of reading the 110k-post IAC bulk archives. It is
    switched back on afterwards if it was on.

    Examples
    --------
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
