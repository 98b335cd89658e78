"""The README's example session is what `sna run` prints on data/raw (so the first thing a user reads stays true)."""

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from sna.cli import main

ROOT = Path(__file__).parent.parent
PROGRESS = re.compile(r"^[a-z][a-z0-9 ]*: \d+\.\d\d s$")  # one line per stage on stderr, e.g. "reading 1 file: 0.05 s"


def _example_session() -> tuple[str, list[str]]:
    """The command and the printed lines of the README's first console block (progress lines left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Example session\n\n```console\n(.*?)```", text, re.S)
    assert block, "README.md has no console block under '## Example session'"
    command, *lines = block.group(1).splitlines()
    shown = [line for line in lines if not PROGRESS.match(line) and not line.startswith("…")]
    return command.removeprefix("$ "), shown


def test_readme_example_session_is_what_sna_run_prints(tmp_path, monkeypatch):
    command, shown = _example_session()
    assert command == "sna run data/raw --out data/processed --figures figures"
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    monkeypatch.chdir(tmp_path)  # the same relative paths as in the README, without touching the checkout
    result = CliRunner().invoke(main, [*command.split()[1:], "-q"])
    assert result.exit_code == 0, result.output
    printed = result.stderr.splitlines() + result.stdout.splitlines()  # warnings go to stderr, before the summary
    report = (tmp_path / "figures" / "report.html").resolve()
    assert printed[-1] == f"report: {report}" and shown[-1].startswith("report: /")
    assert printed[:-1] == shown[:-1]
