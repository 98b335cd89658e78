"""Errors that the command line reports as one line and exit code 1.

Every problem caused by the user's input or request is an :class:`SnaError`.
Anything else that escapes is a bug in sna and keeps its traceback.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SnaError(Exception):
    """A problem with the input or the request, explained in one line.

    Examples
    --------
    >>> str(SnaError("no input files given"))
    'no input files given'
    """


class InputError(SnaError):
    """Bad input data, located by file and, where known, line, row or post.

    Parameters
    ----------
    message : str
        What was wrong and what was expected.
    path : str or Path, optional
        The file the problem is in.
    line : int, optional
        1-based line number in the file.
    row : int, optional
        1-based data row (for tables, not counting the header).
    post : str, optional
        The post id the problem concerns.

    Examples
    --------
    >>> str(InputError("expected a 'text' column", path="posts.csv"))
    "posts.csv: expected a 'text' column"
    >>> str(InputError("position is not a whole number", path="t.csv", row=3))
    't.csv: row 3: position is not a whole number'
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        row: int | None = None,
        post: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.row = row
        self.post = post
        where = []
        if self.path is not None:
            where.append(self.path + (f":{line}" if line is not None else ""))
        if row is not None:
            where.append(f"row {row}")
        if post is not None:
            where.append(f"post {post!r}")
        super().__init__(": ".join([*where, message]))


class SchemaError(SnaError):
    """A table does not follow the POSTS or EDGES schema."""


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal (SIGINT or SIGTERM); outputs are cleaned up on the way out.

    A ``KeyboardInterrupt``, so ``except Exception`` does not swallow it.

    Examples
    --------
    >>> import signal
    >>> Interrupted(signal.SIGTERM).exit_code
    143
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report it."""
        return 128 + self.signum


#: The signal not yet turned into :class:`Interrupted`, under "signum" (one at
#: most: the last to arrive): one that arrived during an import (delivered again
#: once the import is over), or one whose exception was lost in a callback from
#: compiled code (delivered again, and what the command line reports instead of
#: the failure that losing it caused). ``sna.__main__`` sets it with
#: :func:`hold_signal`; putting it off again (every 20 ms of a long import)
#: replaces it. A signal that arrives while signals are held
#: (:func:`held_signals`) waits here too, until the outermost held block ends.
_PENDING: dict[str, int] = {}
_HELD = {"depth": 0}


def hold_signal(signum: int) -> None:
    """Keep ``signum`` as the pending signal (replacing the one held before)."""
    _PENDING["signum"] = signum


def clear_pending_signal() -> None:
    """Forget the pending signal (it is being delivered)."""
    _PENDING.clear()


def pending_signal() -> int | None:
    """The pending signal's number, or ``None``.

    Examples
    --------
    >>> import signal
    >>> hold_signal(signal.SIGINT); hold_signal(signal.SIGTERM); pending_signal() == signal.SIGTERM
    True
    >>> clear_pending_signal(); pending_signal() is None
    True
    """
    return _PENDING.get("signum")


def pending_interrupt() -> Interrupted | None:
    """The interruption the pending signal stands for, or ``None``.

    Examples
    --------
    >>> pending_interrupt() is None
    True
    """
    signum = pending_signal()
    return None if signum is None else Interrupted(signum)


def signals_held() -> bool:
    """Whether the main thread is inside :func:`held_signals` (the command line's handlers then only note a signal).

    Examples
    --------
    >>> signals_held()
    False
    >>> with held_signals():
    ...     signals_held()
    True
    """
    return _HELD["depth"] > 0


@contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back in the main thread while files are created, recorded or switched.

    Two locks, because either alone leaks:

    * the main thread's signal mask (SIGALRM too: ``sna.__main__`` delivers
      with it an interruption that came during an import), for a process
      that has no other thread;
    * a flag the command line's handlers read (:func:`signals_held`): with
      another thread alive (polars' pool, a writer) the kernel hands the
      signal to that thread, and Python runs the handler in the main thread
      at once, whatever the main thread's mask says. The handler then keeps
      the signal pending (:func:`hold_signal`) instead of raising.

    When the outermost block ends, a signal kept pending meanwhile is raised
    there as :class:`Interrupted`, so whatever the block created must be
    recorded for cleanup inside it, or the cleanup's ``try`` must already
    enclose the ``with``. Other threads pass through unchanged.

    Examples
    --------
    >>> import signal
    >>> try:
    ...     with held_signals():
    ...         hold_signal(signal.SIGTERM)  # what the handler does with a signal that arrives here
    ... except Interrupted as stop:
    ...     stop.exit_code, pending_signal()
    (143, None)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _HELD["depth"] += 1  # first: a signal from here on is only noted
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)  # one blocked meanwhile is noted, or raises below
    finally:
        _HELD["depth"] -= 1
        if _HELD["depth"] == 0 and (signum := pending_signal()) is not None:
            clear_pending_signal()
            raise Interrupted(signum)  # also in place of an error the block raised: the user asked to stop


_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, *((signal.SIGALRM,) if hasattr(signal, "SIGALRM") else ()))
