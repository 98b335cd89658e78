"""Errors that the command line reports as one line and exit code 1.

Every problem caused by the user's input or request is an :class:`SnaError`.
Anything else that escapes is a bug in sna and keeps its traceback.
"""

from __future__ import annotations

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
#: replaces it.
_PENDING: dict[str, int] = {}


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
