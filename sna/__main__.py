"""The ``sna`` command's entry point (also ``python -m sna``).

It imports almost nothing (``sna.errors``) before it has set up how signals end the command:
Ctrl-C (SIGINT) and SIGTERM become :class:`sna.errors.Interrupted`, which
unwinds through the output staging (removing it) and ends as one line on
stderr with exit code 130 or 143 — also when it arrives while the command's
modules are still being imported (it is then delivered as soon as that import
is over, so that no module is left half imported).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from sna.errors import Interrupted, clear_pending_signal, hold_signal, pending_signal, signals_held


def _importing(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs inside an import (module code or the import machinery itself)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _later(signum: int) -> None:
    """Deliver ``signum`` again in 20 ms (SIGALRM, see :func:`_deferred`)."""
    hold_signal(signum)
    signal.setitimer(signal.ITIMER_REAL, 0.02)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise :class:`sna.errors.Interrupted`; inside an import, ask again in 20 ms; while signals are held, later.

    An exception raised in the middle of an import can leave a module half
    set up (numpy turns it into an ImportError) or be dropped by the import
    machinery's callbacks; commands import their heavy modules lazily, so a
    Ctrl-C often lands in one.
    """
    if signals_held():  # files are being created or switched: raised when that is over (sna.errors.held_signals)
        hold_signal(signum)
        return
    if _importing(frame) and hasattr(signal, "setitimer"):
        _later(signum)
        return
    clear_pending_signal()
    raise Interrupted(signum)


def _deferred(signum: int, frame: FrameType | None) -> None:
    """SIGALRM: deliver the signal that was put off (or put it off again)."""
    if (signum := pending_signal()) is not None:
        _interrupt(signum, frame)


def _unraisable(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    """A ``sys.unraisablehook`` that delivers again an interruption compiled code dropped, instead of printing it."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, Interrupted) and hasattr(signal, "setitimer"):
            _later(unraisable.exc_value.signum)
        else:
            previous(unraisable)

    return hook


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (``sna --help``).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
    ...     main(["formats"])
    >>> "reddit" in out.getvalue()
    True
    """
    previous = {}
    handlers = [(signal.SIGINT, _interrupt), (signal.SIGTERM, _interrupt)]
    if hasattr(signal, "SIGALRM"):
        handlers.append((signal.SIGALRM, _deferred))
    for sig, handler in handlers:
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread: leave signals alone
            break
    hook = sys.unraisablehook
    if previous:
        sys.unraisablehook = _unraisable(hook)
    try:
        import click

        from sna.cli import main as cli

        try:  # not click's standalone mode, which turns Ctrl-C into "Aborted!" and exit code 1
            code = cli.main(args=list(argv) if argv is not None else None, prog_name="sna", standalone_mode=False)
        except click.ClickException as exc:  # usage errors: click's message and exit code 2
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                raise exc.__cause__ from None
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
    except KeyboardInterrupt as exc:
        sys.stderr.write("sna: interrupted\n")
        sys.exit(getattr(exc, "exit_code", 130))
    finally:
        if signal.SIGALRM in previous:  # no put-off signal may fire once the default handlers are back
            signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.unraisablehook = hook


if __name__ == "__main__":
    main()
