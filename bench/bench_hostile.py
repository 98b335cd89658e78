"""Adversarial shapes, timed: this checkout against a baseline (default: the ``main`` branch).

Cases (issue 12, "Hangs and blow-ups" and the tree-layout segfault):

* ``chain-20k``, ``chain-200k``: a reply chain (each post replies to the one before);
  ``sna ingest`` then ``sna metrics``.
* ``paste-50k``: a 50,000-post thread in which each post pastes the previous post's
  words (no stated parents: the chain comes from the quotes); ingest, metrics.
* ``cycle-25k``: a reply_to cycle through 25,000 posts; ingest must fail with one line.
* ``chain-120k-figures``: ``sna figures`` on the results of a 120,000-deep chain
  (igraph's tree layout segfaulted).
* ``forum-100k``: not adversarial — the synthetic forum of ``bench/synth.py`` (100,000
  posts), to show that ordinary inputs did not get slower; ``sna metrics`` only.

Each command runs in a fresh process (``python -m sna``) with the code of the
checkout or of the baseline (``git archive REF``, same virtualenv); wall time and
peak resident memory come from ``wait4``. A command that runs past ``--timeout``
is stopped and shown as ``>T s``. Results go to stdout as a table, and as JSON
lines to ``bench/out/hostile.jsonl``.

Usage: python bench/bench_hostile.py [--baseline main] [--cases chain-20k,...] [--timeout 300]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def write_chain(path: Path, n: int, *, cycle: bool = False) -> None:
    import polars as pl

    ids = [f"p{i}" for i in range(n)]
    parents = [ids[-1] if cycle else None, *ids[:-1]]
    pl.DataFrame({"post_id": ids, "text": [f"post number {i} says something" for i in range(n)],
                  "reply_to": parents}).write_csv(path)  # fmt: skip


def write_paste_chain(path: Path, n: int) -> None:
    """Each post is its predecessor's own words pasted on lines of their own, then new words."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(0)
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"])
    own = [" ".join(rng.choice(words, 12)) + f" number {i}." for i in range(n)]
    texts = [own[0], *(f"{own[i - 1]}\n\n{own[i]}" for i in range(1, n))]
    pl.DataFrame({"post_id": [f"p{i}" for i in range(n)], "text": texts}).write_csv(path)


#: case -> (shape, posts, commands prepared with this checkout, commands timed with each code)
CASES = {
    "chain-20k": ("chain", 20_000, (), ("ingest", "metrics")),
    "chain-200k": ("chain", 200_000, (), ("ingest", "metrics")),
    "paste-50k": ("paste", 50_000, (), ("ingest", "metrics")),
    "cycle-25k": ("cycle", 25_000, (), ("ingest",)),
    "chain-120k-figures": ("chain", 120_000, ("ingest", "metrics"), ("figures",)),
    "forum-100k": ("forum", 100_000, ("ingest",), ("metrics",)),
}


def timed(args: list[str], code: Path, cwd: Path, timeout: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(code), "RUST_BACKTRACE": "0"}
    with tempfile.TemporaryFile() as errors:  # not a pipe: a long error line would fill it and stall the command
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "sna", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors, start_new_session=True)  # fmt: skip
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > started + timeout:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                return {"seconds": None, "timeout": timeout, "peak_mb": usage.ru_maxrss / 1024, "exit": "timeout"}
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1), "exit": process.returncode,
            "stderr_lines": len(stderr.splitlines()), "last_line_chars": len(last),
            "last_line": last[:160]}  # fmt: skip


def _args(command: str, source: Path, out: Path) -> list[str]:
    return {
        "ingest": ["ingest", str(source), "--out", str(out), "-q"],
        "metrics": ["metrics", str(out), "-q"],
        "figures": ["figures", str(out), "--to", f"{out}-figures", "--dpi", "60"],
    }[command]


def run_case(name: str, code: Path, scratch: Path, timeout: float) -> list[dict[str, object]]:
    shape, n, prepared, commands = CASES[name]
    source = scratch / f"{name}.csv"
    if not source.exists():
        if shape == "paste":
            write_paste_chain(source, n)
        elif shape == "forum":
            sys.path.insert(0, str(ROOT))
            from bench.synth import synthetic_forum

            synthetic_forum(n, seed=1).drop("quoted", "created_at").write_csv(source)
        else:
            write_chain(source, n, cycle=shape == "cycle")
    out = scratch / f"{name}-{code.name}"
    for command in prepared:  # results to start from, made by this checkout
        result = timed(_args(command, source, out), scratch / "current", scratch, 3600)
        assert result["exit"] == 0, result
    rows = []
    for command in commands:
        result = timed(_args(command, source, out), code, scratch, timeout)
        rows.append({"case": name, "command": command, "input_mb": round(source.stat().st_size / 1e6, 2), **result})
        if result["exit"] != 0:
            break
    return rows


def baseline_tree(ref: str, scratch: Path) -> Path:
    tree = scratch / f"baseline-{ref.replace('/', '_')}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "sna"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def show(result: dict[str, object]) -> str:
    if result["exit"] == "timeout":
        return f">{result['timeout']:.0f} s (stopped)"
    text = f"{result['seconds']:.1f} s, {result['peak_mb']:.0f} MB"
    if result["exit"] != 0:
        text += f", exit {result['exit']}"
        if result["exit"] == 1:
            text += f", {result['stderr_lines']} line(s), last {result['last_line_chars']:,} chars"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="Git ref to compare with ('' for none).")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds before a command is stopped.")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sna-hostile-"))
    current = scratch / "current"
    current.symlink_to(ROOT)
    trees = [("this checkout", current)] + (
        [(args.baseline, baseline_tree(args.baseline, scratch))] if args.baseline else []
    )
    (HERE / "out").mkdir(exist_ok=True)
    log = HERE / "out" / "hostile.jsonl"
    print(f"| case | command | input MB | {' | '.join(label for label, _ in trees)} |")
    print("|---|---|---|" + "---|" * len(trees))
    with log.open("a") as jsonl:
        for name in [c for c in args.cases.split(",") if c]:
            results = {label: run_case(name, tree, scratch, args.timeout) for label, tree in trees}
            for i, row in enumerate(results[trees[0][0]]):
                cells = []
                for label, _ in trees:
                    rows = results[label]
                    cells.append(show(rows[i]) if i < len(rows) else "(not run)")
                    if i < len(rows):
                        jsonl.write(json.dumps({"code": label, **rows[i]}) + "\n")
                print(f"| {name} | {row['command']} | {row['input_mb']} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
