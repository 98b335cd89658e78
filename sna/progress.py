"""Progress lines on stderr: one per stage, with its time."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Print what a long job is doing, stage by stage.

    Parameters
    ----------
    stream : file-like, optional
        Where to write (stderr by default); None or ``quiet=True`` prints nothing.
    quiet : bool
        Print nothing.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = Progress(out)
    >>> with progress.stage("counting"):
    ...     pass
    >>> out.getvalue().startswith("counting")
    True
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = None if quiet else (stream or sys.stderr)
        self.timings: dict[str, float] = {}

    def note(self, message: str) -> None:
        """Print one line."""
        if self.stream is not None:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage and report it when it ends."""
        live = self.stream is not None and getattr(self.stream, "isatty", lambda: False)()
        if live:
            print(f"{name} …", end="", file=self.stream, flush=True)
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            if live:
                print(" failed", file=self.stream, flush=True)
            raise
        seconds = time.perf_counter() - start
        self.timings[name] = seconds
        if self.stream is not None:
            print(f"{chr(13) if live else ''}{name}: {seconds:.2f} s", file=self.stream, flush=True)


SILENT = Progress(quiet=True)
