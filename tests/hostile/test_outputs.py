"""Output safety: one switch of the whole result set, a manifest, a lock, refusals, clean failures.

Issue 12, "Output safety": files moved one at a time (a mix on failure), two runs
interleaving, stale camps.* read by `sna html`, --out inside the input, ingest
overwriting its input, SIGTERM leaving staging behind, an empty --out on failure.
Every case checks the exit code, the one line, and that each output folder holds
the previous complete result or the new one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import sna.outputs
from sna.outputs import atomic_outputs, open_results, output_folders, read_manifest
from tests.helpers import DATA, SEED
from tests.hostile.common import MANIFEST, cli, ingested, leftovers, ok, one_error_line, results, snapshot

IAC = DATA / "iac-8052-posts.csv"  # a second, different input


@pytest.fixture
def quick_pictures(monkeypatch):
    """Figures and pages drawn as one small file each (these tests are about where files go)."""
    import sna.render

    def figures(pictures, stage, **options):
        stage("network.png").write_text(f"{pictures.posts.height} posts")
        return ["network.png"]

    def pages(pictures, stage, **options):
        stage("authors.html").write_text(f"<p>{pictures.posts.height} posts</p>")
        return ["authors.html"]

    monkeypatch.setattr(sna.render, "write_figures", figures)
    monkeypatch.setattr(sna.render, "write_html", pages)
    return monkeypatch


def test_a_failure_while_writing_leaves_the_previous_result(tmp_path, quick_pictures):
    out, pictures = tmp_path / "out", tmp_path / "pictures"
    ok("run", SEED, "--out", out, "--figures", pictures, "-q", "--skip", "stance")
    before = snapshot(out), snapshot(pictures)
    import sna.render

    def broken_html(*args, **kwargs):  # the last stage fails, after tables and figures were staged
        raise sna.errors.SnaError("the page writer broke")

    quick_pictures.setattr(sna.render, "write_html", broken_html)
    one_error_line(cli("run", IAC, "--out", out, "--figures", pictures, "-q", "--skip", "stance"), "page writer broke")
    assert (snapshot(out), snapshot(pictures)) == before
    assert leftovers(tmp_path) == []


def test_a_failed_switch_of_the_second_folder_switches_the_first_back(tmp_path, monkeypatch, quick_pictures):
    out, pictures = tmp_path / "out", tmp_path / "pictures"
    ok("run", SEED, "--out", out, "--figures", pictures, "-q", "--skip", "stance,html")
    before = snapshot(out), snapshot(pictures)
    switch = sna.outputs._Folder.switch

    def failing(self):
        if self.path.name == "pictures":
            raise OSError(28, "No space left on device")
        switch(self)

    monkeypatch.setattr(sna.outputs._Folder, "switch", failing)
    one_error_line(cli("run", IAC, "--out", out, "--figures", pictures, "-q", "--skip", "stance,html"),
                   "pictures: cannot replace it", "No space left on device", "nothing was changed")  # fmt: skip
    assert (snapshot(out), snapshot(pictures)) == before
    assert leftovers(tmp_path) == []


def test_both_folders_of_a_run_name_each_other_in_their_manifests(tmp_path, quick_pictures):
    out, pictures = tmp_path / "out", tmp_path / "pictures"
    ok("run", SEED, "--out", out, "--figures", pictures, "-q", "--skip", "stance,html")
    tables, figures = read_manifest(out), read_manifest(pictures)
    assert figures.parts["figures"]["switched_with"] == {"../out": tables.id}
    assert tables.parts["ingest"]["switched_with"] == {"../pictures": figures.id}
    for name, entry in tables.files.items():  # the manifest lists exactly what is there, with sizes
        assert (out / name).stat().st_size == entry["bytes"]
    assert sorted(tables.files) == sorted(p for p in snapshot(out) if p != MANIFEST)


def test_a_second_writer_fails_at_once_with_one_line(tmp_path):
    out = tmp_path / "out"
    before = ingested(out)
    with atomic_outputs(out, part="notes", replaces=["notes"]) as stage:  # another command holds --out
        stage("x.txt").write_text("unfinished")
        for args in (("ingest", IAC, "--out", out, "-q"), ("metrics", out, "-q"), ("run", IAC, "--out", out, "-q")):
            one_error_line(cli(*args), f"{out}: another sna command (pid {os.getpid()}) is writing this folder")
        assert snapshot(out) == before
    assert leftovers(tmp_path) == []  # the lock file goes with the holder
    assert cli("metrics", out, "-q").exit_code == 0


def test_the_lock_is_taken_before_the_work(tmp_path, monkeypatch):
    """A second `sna run` fails before it reads anything (it would otherwise compute for minutes)."""
    import sna.pipeline

    out = tmp_path / "out"
    read = []
    monkeypatch.setattr(sna.pipeline, "ingest", lambda *a, **k: read.append(1))
    with atomic_outputs(out):
        one_error_line(cli("run", IAC, "--out", out, "-q"), "another sna command")
    assert read == []


def test_a_rerun_replaces_the_whole_set_and_stale_parts_go(tmp_path):
    out = tmp_path / "out"
    results(out)  # with stance: camps.* written
    assert (out / "camps.parquet").exists() and (out / "post_metrics.parquet").exists()
    ok("ingest", IAC, "--out", out, "-q")  # new posts: the old metrics are stale and go
    assert not (out / "post_metrics.parquet").exists() and not (out / "camps.csv").exists()
    ingested = ["edges.csv", "edges.parquet", "ingest.json", "posts.csv", "posts.parquet", "unresolved_quotes.csv",
                "unresolved_quotes.parquet"]  # fmt: skip
    assert read_manifest(out).names() == ingested
    ok("metrics", out, "-q")  # metrics keep the posts and edges
    assert sorted(read_manifest(out).names("ingest")) == ingested
    assert "post_metrics.parquet" in read_manifest(out).names("metrics")


def test_figures_and_html_keep_each_others_files_and_files_sna_did_not_write(tmp_path, quick_pictures):
    out, pictures = tmp_path / "out", tmp_path / "pictures"
    results(out)
    (pictures / "readme").mkdir(parents=True)
    (pictures / "readme" / "keep.png").write_bytes(b"mine")
    (pictures / ".gitkeep").write_text("")
    inode = (pictures / "readme" / "keep.png").stat().st_ino
    ok("figures", out, "--to", pictures, "--dpi", "40")
    ok("html", out, "--to", pictures)
    manifest = read_manifest(pictures)
    assert "network.png" in manifest.names("figures") and "authors.html" in manifest.names("html")
    assert manifest.parts["html"]["results_id"] == read_manifest(out).id
    assert (pictures / "readme" / "keep.png").read_bytes() == b"mine"
    assert (pictures / "readme" / "keep.png").stat().st_ino == inode  # carried over as a hard link
    assert (pictures / ".gitkeep").exists() and "readme/keep.png" not in manifest.files
    ok("figures", out, "--to", pictures, "--dpi", "40")
    assert (pictures / "authors.html").exists()


def test_out_inside_an_input_folder_is_refused(tmp_path):
    inputs = tmp_path / "threads"
    inputs.mkdir()
    (inputs / "t.txt").write_bytes(SEED.read_bytes())
    for command in ("ingest", "run"):
        one_error_line(cli(command, inputs, "--out", inputs / "processed", "-q"),
                       "is inside the input folder", "would read its own outputs")  # fmt: skip
        one_error_line(cli(command, inputs, "--out", inputs, "-q"), "is inside the input folder")
    one_error_line(cli("run", inputs, "--out", tmp_path / "out", "--figures", inputs / "f", "-q"), "input folder")
    assert sorted(p.name for p in inputs.iterdir()) == ["t.txt"]
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == [] and leftovers(inputs) == []


def test_outputs_that_would_replace_an_input_are_refused(tmp_path):
    folder = tmp_path / "results"
    before = ingested(folder)
    one_error_line(cli("ingest", folder / "posts.csv", "--out", folder, "-q"),
                   f"{folder / 'posts.csv'}: is an input, and writing {folder} would replace it")  # fmt: skip
    assert snapshot(folder) == before
    plain = tmp_path / "plain"  # a folder sna did not write: caught when the name is written
    plain.mkdir()
    (plain / "posts.csv").write_bytes((folder / "posts.csv").read_bytes())
    one_error_line(cli("ingest", plain / "posts.csv", "--out", plain, "-q"), "is an input")
    assert sorted(p.name for p in plain.iterdir()) == ["posts.csv"]
    pairs = tmp_path / "pairs.csv"
    pl.DataFrame({"parent": ["I think so."], "reply": ["No, you are wrong."]}).write_csv(pairs)
    before_pairs = pairs.read_bytes()
    one_error_line(cli("stance", pairs, "--parent-col", "parent", "--reply-col", "reply", "--out", pairs),
                   "pairs.csv: is an input")  # fmt: skip
    assert pairs.read_bytes() == before_pairs
    assert leftovers(tmp_path) == [] and leftovers(plain) == []


def test_a_failed_command_leaves_no_folder_behind(tmp_path):
    deep = tmp_path / "a" / "b" / "out"
    bad = tmp_path / "bad.csv"
    bad.write_text("body\nx\n")
    one_error_line(cli("ingest", bad, "--out", deep, "-q"), "expected a 'text' column")
    one_error_line(cli("run", bad, "--out", deep, "--figures", tmp_path / "c" / "pics", "-q"), "'text' column")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_out_that_is_a_file_or_holds_many_foreign_files_is_refused(tmp_path, monkeypatch):
    afile = tmp_path / "file"
    afile.write_text("x")
    one_error_line(cli("ingest", SEED, "--out", afile, "-q"), "is a file; expected a folder")
    crowded = tmp_path / "crowded"
    crowded.mkdir()
    for i in range(6):
        (crowded / f"note{i}.txt").write_text("mine")
    monkeypatch.setattr(sna.outputs, "FOREIGN_LIMIT", 5)
    one_error_line(cli("ingest", SEED, "--out", crowded, "-q"), "holds more than 5 files sna did not write")
    assert sorted(p.name for p in crowded.iterdir()) == [f"note{i}.txt" for i in range(6)]
    assert leftovers(tmp_path) == []


def test_a_symlinked_out_is_written_through(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    ingested(link)
    assert link.is_symlink() and (real / "posts.parquet").exists()


def test_a_reader_sees_one_version_while_a_writer_replaces_the_folder(tmp_path, monkeypatch):
    from sna.pipeline import read_ingested

    out = tmp_path / "out"
    ingested(out)
    monkeypatch.setattr(sna.outputs, "READER_WAIT_S", 0.1)
    with open_results(out) as reader:
        old_id = reader.manifest.id
        ok("ingest", IAC, "--out", out, "-q")  # replaces the folder while we read
        with reader.open("posts.parquet") as handle:
            assert pl.read_parquet(handle).height == 32  # the seed thread, not the new posts
    assert read_manifest(out).id != old_id
    assert read_ingested(out).posts.height == 27
    assert [n for n in leftovers(tmp_path) if ".sna-stage-" in n]  # kept for the reader; the next writer removes it
    ok("metrics", out, "-q")
    assert leftovers(tmp_path) == []


def test_staging_left_by_a_killed_run_is_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / ".out.sna-stage-dead1234"
    stale.mkdir()
    (stale / "posts.csv").write_text("half")
    ingested(out)
    assert leftovers(tmp_path) == []


def test_the_manifest_is_deterministic(tmp_path):
    for name in ("a", "b"):
        results(tmp_path / name)
    assert (tmp_path / "a" / MANIFEST).read_bytes() == (tmp_path / "b" / MANIFEST).read_bytes()
    data = json.loads((tmp_path / "a" / MANIFEST).read_text())
    assert data["format"] == "sna-manifest 1" and data["id"].startswith("sha256:")


def test_output_folders_api_for_new_commands(tmp_path):
    """The API the lead calls from new commands: several folders, parts, one switch."""
    with output_folders(inputs=[SEED]) as outputs:
        tables = outputs.folder(tmp_path / "r", part="ingest")
        labels = outputs.folder(tmp_path / "r", part="stance")
        tables("posts.csv").write_text("a\n")
        labels("labels/edges.csv").write_text("b\n")
        assert not (tmp_path / "r").exists()  # nothing visible before the switch
    assert read_manifest(tmp_path / "r").names("stance") == ["labels/edges.csv"]


# Signals: in a real process, through the `sna` entry point -----------------------------------


def _start(args: list[str], tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.Popen([sys.executable, "-m", "sna", *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _handler_installed(process: subprocess.Popen) -> bool:
    """True once the entry point catches SIGTERM (its handler is the first thing it sets up)."""
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _wait_for(condition, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to see the handler")
@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_ctrl_c_during_start_up_is_one_line(tmp_path, delay):
    """Ctrl-C while the modules are still being imported ends as 'sna: interrupted', exit 130."""
    process = _start(["ingest", str(SEED), "--out", "out", "-q"], tmp_path)
    _wait_for(lambda: _handler_installed(process), process)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if (tmp_path / "out" / "posts.parquet").exists():  # finished before the signal arrived: a complete result
        # (a signal that lands while the interpreter exits ends it as killed by SIGINT, which shells show as 130)
        assert process.returncode in (0, -signal.SIGINT), stderr
        return
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "sna: interrupted" and "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to see the handler")
def test_sigterm_mid_run_removes_staging_and_keeps_the_previous_result(tmp_path):
    ok("run", SEED, "--out", tmp_path / "out", "-q", "--skip", "stance,figures,html")
    before = snapshot(tmp_path / "out")
    process = _start(["run", str(IAC), "--out", "out", "-q", "--skip", "stance,figures,html"], tmp_path)
    _wait_for(lambda: any(".sna-stage-" in p.name for p in tmp_path.iterdir()), process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    assert leftovers(tmp_path) == []
    if process.returncode == 0:  # the signal came after the switch: the new complete result
        assert read_manifest(tmp_path / "out").id != read_manifest_from(before)
        return
    assert process.returncode == 143 and stderr.strip().splitlines()[-1] == "sna: interrupted", stderr
    after = snapshot(tmp_path / "out")
    assert after == before or json.loads(after[MANIFEST])["files"].keys() >= {"posts.parquet", "post_metrics.parquet"}


def read_manifest_from(files: dict[str, bytes]) -> str:
    return json.loads(files[MANIFEST])["id"]


def test_debug_flag_and_library_panics(tmp_path, monkeypatch):
    from polars.exceptions import PanicException

    import sna.pipeline

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds: the len is 3 but the index is 7")

    monkeypatch.setattr(sna.pipeline, "ingest", panic)
    result = cli("ingest", SEED, "--out", tmp_path / "o", "-q")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("sna: internal error: PanicException: index out of bounds")
    assert "--debug" in result.output and len(result.output.strip()) <= 300
    with pytest.raises(PanicException):  # the traceback is kept for bugs
        cli("--debug", "ingest", SEED, "--out", tmp_path / "o", "-q")
    monkeypatch.undo()
    bad = tmp_path / "bad.csv"
    bad.write_text("body\nx\n")
    assert isinstance(cli("--debug", "ingest", bad, "--out", tmp_path / "o").exception, sna.errors.SnaError)
    monkeypatch.setenv("SNA_DEBUG", "1")
    assert isinstance(cli("ingest", bad, "--out", tmp_path / "o").exception, sna.errors.SnaError)
    assert not (tmp_path / "o").exists()


def test_stance_of_a_folder_relabels_in_one_switch_and_keeps_the_manifest_valid(tmp_path, monkeypatch):
    """``sna stance DIR`` rewrites edges.* in place: part ``stance``; everything else stays, listed and checked."""
    import hashlib

    from sna.pipeline import load_results

    out = tmp_path / "out"
    results(out, SEED, "--skip", "stance,figures,html")
    before = read_manifest(out)
    assert before is not None
    result = ok("stance", out)
    assert "also holds metrics computed before these labels" in result.output  # stale, said so, not removed
    after = read_manifest(out)
    assert after is not None and after.names() == before.names()
    assert after.names("stance") == ["edges.csv", "edges.parquet"]
    for name, entry in after.files.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], name
        if name not in ("edges.csv", "edges.parquet"):
            assert entry == before.files[name], name
    assert load_results(out).edges["stance"].drop_nulls().len() > 0
    assert leftovers(tmp_path) == []
    ok("metrics", out, "-q")  # new metrics replace the stale ones and keep the labelled edges
    assert read_manifest(out).names("stance") == ["edges.csv", "edges.parquet"]

    import sna.stance
    from sna.errors import SnaError

    def fail(*args, **kwargs):
        raise SnaError("the stance model broke")

    monkeypatch.setattr(sna.stance, "label_edges", fail)
    kept = snapshot(out)
    one_error_line(cli("stance", out), "the stance model broke")
    assert snapshot(out) == kept and leftovers(tmp_path) == []


_IMPORT_SIGNAL = """
import signal, sys, time
sys.path.insert(0, {folder!r})
from sna.__main__ import _deferred, _interrupt, _unraisable
from sna.errors import Interrupted
signal.signal(signal.SIGINT, _interrupt)
signal.signal(signal.SIGALRM, _deferred)
sys.unraisablehook = _unraisable(sys.unraisablehook)
try:
    import halfway  # raises SIGINT at its own top level, then keeps going
    time.sleep(5)  # the put-off signal arrives here
    print("not interrupted")
except Interrupted as exc:
    print("interrupted", exc.signum, "module complete:", sys.modules["halfway"].COMPLETE)
"""


def _python(script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_during_an_import_waits_for_the_import_to_finish(tmp_path):
    """Ctrl-C in the middle of a module's import: the module is imported whole, then the command is interrupted."""
    (tmp_path / "halfway.py").write_text("import signal\nsignal.raise_signal(signal.SIGINT)\nCOMPLETE = True\n")
    done = _python(_IMPORT_SIGNAL.format(folder=str(tmp_path)))
    assert done.stdout.strip() == "interrupted 2 module complete: True", done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_put_off_again_and_again_is_held_once():
    """A long import puts a Ctrl-C off every 20 ms: one pending signal is kept (the last), not one per retry."""
    script = """
import signal
import sna.errors
from sna.__main__ import _interrupt, _later
from sna.errors import Interrupted, pending_interrupt
signal.setitimer = lambda *args: None  # no timer: only what is held counts here
for _ in range(5000):  # 100 s of an import, in 20 ms retries
    _later(signal.SIGINT)
_later(signal.SIGTERM)
state = {name: value for name, value in vars(sna.errors).items() if not name.startswith("__")}
held = [name for name, value in state.items() if isinstance(value, list | dict | set) and len(value) > 1]
print("held", held, pending_interrupt().exit_code)
try:
    _interrupt(signal.SIGTERM, None)
except Interrupted as exc:
    print("interrupted", exc.exit_code, pending_interrupt())
"""
    done = _python(script)
    assert done.stdout.split("\n")[:2] == ["held [] 143", "interrupted 143 None"], done.stdout + done.stderr


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_an_interruption_lost_in_a_callback_is_delivered_again():
    """An Interrupted raised where Python can only report it (a __del__) is raised again, not printed."""
    script = """
import gc, signal, sys, time
from sna.__main__ import _deferred, _interrupt, _unraisable
from sna.errors import Interrupted, pending_interrupt
signal.signal(signal.SIGALRM, _deferred)
sys.unraisablehook = _unraisable(sys.unraisablehook)
class Swallows:
    def __del__(self):
        raise Interrupted(signal.SIGTERM)
try:
    Swallows()  # the exception from __del__ is unraisable
    gc.collect()
    print("pending", pending_interrupt().exit_code)
    time.sleep(5)
    print("not interrupted")
except Interrupted as exc:
    print("interrupted", exc.exit_code)
"""
    done = _python(script)
    assert done.stdout.split() == ["pending", "143", "interrupted", "143"], done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr


_HELD_WITH_A_THREAD = """
import os, signal, tempfile, threading, time
from pathlib import Path
from sna.__main__ import _interrupt
from sna.errors import Interrupted, held_signals
from sna.outputs import output_folders
signal.signal(signal.SIGTERM, _interrupt)
stop = threading.Event()
helper = threading.Thread(target=stop.wait)  # with the main thread's signals blocked, the kernel hands them to it
helper.start()
steps = []
if {case!r} == "block":
    try:
        with held_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(100):
                time.sleep(0.001)  # Python runs signal handlers between these
            steps.append("block ended")
    except Interrupted as exc:
        steps.append(f"interrupted {{exc.exit_code}}")
else:
    real = tempfile.mkdtemp
    def mkdtemp(*args, **kwargs):  # the signal comes just as the staging folder exists
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        return made
    tempfile.mkdtemp = mkdtemp
    base = Path({folder!r})
    try:
        with output_folders() as outputs:
            outputs.folder(base / "out", part="ingest")("posts.csv").write_text("post_id")
        steps.append("written")
    except Interrupted as exc:
        steps.append(f"interrupted {{exc.exit_code}}")
    steps.append(sorted(p.name for p in base.iterdir()))
stop.set()
helper.join()
print(steps)
"""


@pytest.mark.parametrize(
    ("case", "expected"),
    [("block", "['block ended', 'interrupted 143']"), ("staging", "['interrupted 143', []]")],
)
def test_held_signals_hold_while_another_thread_is_alive(tmp_path, case, expected):
    """A SIGTERM inside a held block waits for its end also when another thread took it (Python runs handlers in
    the main thread whatever its signal mask): so a staging folder made just then is removed, not leaked."""
    done = _python(_HELD_WITH_A_THREAD.format(case=case, folder=str(tmp_path)))
    assert done.stdout.strip() == expected, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
