"""The ``sna`` command's entry point (also ``python -m sna``).

It imports almost nothing before it has set up how signals end the command:
Ctrl-C (SIGINT) and SIGTERM become :class:`sna.errors.Interrupted`, which
unwinds through the output staging (removing it) and ends as one line on
stderr with exit code 130 or 143 — also when it arrives while the command's
modules are still being imported.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence


def _interrupt(signum: int, frame: object) -> None:
    from sna.errors import Interrupted

    raise Interrupted(signum)


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
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, _interrupt)
        except ValueError:  # not the main thread: leave signals alone
            break
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
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    main()
