"""Helpers for the hostile-input suite: run a command, check its one line, compare folders."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from sna.cli import main
from tests.helpers import SEED

MANIFEST = ".sna-manifest.json"


def cli(*args: object) -> Result:
    """Run ``sna ARGS`` in process (exceptions are caught as the CLI would print them)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args: object) -> Result:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def one_error_line(result: Result, *fragments: str) -> str:
    """The command failed with exit code 1 and one short ``sna: error:`` line holding ``fragments``."""
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("sna:")]
    assert len(errors) == 1, result.output
    line = errors[0]
    assert line.startswith("sna: error: "), line
    assert len(line) <= 300, len(line)
    assert "Traceback" not in result.output and "internal error" not in result.output
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes); {} when there is no folder."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    """Staging folders, replaced folders and lock files sna left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if ".sna-" in p.name and p.name != MANIFEST)


def ingested(folder: Path, source: Path = SEED) -> dict[str, bytes]:
    ok("ingest", source, "--out", folder, "-q")
    return snapshot(folder)


def results(folder: Path, source: Path = SEED, *extra: object) -> dict[str, bytes]:
    ok("run", source, "--out", folder, "-q", "--skip", "figures,html", *extra)
    return snapshot(folder)
