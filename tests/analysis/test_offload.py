"""Betweenness and harmonic closeness in a second process: the same bits, clear errors, no orphan."""

import os
import signal
import sys
import threading

import numpy as np
import polars as pl
import pytest

from sna.analysis import offload
from sna.analysis.centrality import betweenness, harmonic
from sna.analysis.report import compute_metrics
from sna.errors import SnaError
from sna.graph import LinkArrays


def forum(posts: int = 1500, threads: int = 30, authors: int = 120, seed: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replies to a random earlier post of the same thread; skewed authors, so the author graph has cycles."""
    rng = np.random.default_rng(seed)
    thread = np.sort(rng.integers(0, threads, posts))
    position = np.zeros(posts, dtype=np.int64)
    source, target = [], []
    first: dict[int, int] = {}
    for i, t in enumerate(thread.tolist()):
        start = first.setdefault(t, i)
        position[i] = i - start + 1
        if i > start:
            source.append(f"p{i}")
            target.append(f"p{int(rng.integers(start, i))}")
    table = pl.DataFrame({
        "thread_id": [f"t{t}" for t in thread.tolist()],
        "post_id": [f"p{i}" for i in range(posts)],
        "position": position,
        "author": [f"a{a}" for a in np.minimum(rng.zipf(1.6, posts), authors).tolist()],
        "created_at": [None] * posts,
    }, schema_overrides={"created_at": pl.Datetime("us", "UTC")})  # fmt: skip
    return table, pl.DataFrame({"source": source, "target": target, "kind": ["reply"] * len(source)})


def same_bits(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    """Equal columns, floats compared bit for bit (NaN and -0.0 included)."""
    if a.schema != b.schema or a.height != b.height:
        return False
    for name, dtype in a.schema.items():
        if dtype.is_float():
            x, y = a[name].to_numpy(), b[name].to_numpy()
            if not np.array_equal(x.view(np.uint64), y.view(np.uint64)):
                return False
        elif not a[name].equals(b[name], null_equal=True):
            return False
    return True


def graph(n: int = 300, m: int = 2000, seed: int = 5) -> LinkArrays:
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, n, (m, 2)), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return LinkArrays(pl.Series([f"n{i}" for i in range(n)]), pairs[:, 0], pairs[:, 1], np.ones(len(pairs)))


@pytest.fixture
def always(monkeypatch):
    """Every graph takes the second process, on a machine with two usable cores."""
    monkeypatch.setattr(offload, "MIN_STEPS", 0.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.delenv("SNA_PROCESSES", raising=False)


@pytest.mark.parametrize("sources", [None, 40])
def test_the_metrics_are_the_same_bits_with_a_second_process(always, monkeypatch, sources):
    posts, edges = forum()
    taken = []
    start = offload.PathMeasures._start
    monkeypatch.setattr(offload.PathMeasures, "_start", lambda self: taken.append(1) or start(self))
    two = compute_metrics(posts, edges, sources=sources)
    assert taken == [1]  # the author graph went to a child
    monkeypatch.setenv("SNA_PROCESSES", "1")
    one = compute_metrics(posts, edges, sources=sources)
    assert taken == [1]
    assert one.summary == two.summary
    assert one.summary["author_graph"]["betweenness_sources"] == (sources or one.author_metrics.height)
    for name in ("post_metrics", "author_metrics", "cascades", "author_edges"):
        assert same_bits(getattr(one, name), getattr(two, name)), name
    assert one.author_metrics["betweenness"].sum() > 0 and one.author_metrics["harmonic"].sum() > 0


@pytest.mark.parametrize("k", [None, 17])
def test_the_child_returns_what_the_functions_return_here(always, k):
    links = graph()
    with offload.path_measures(links, k=k, seed=4) as job:
        assert job.in_child
        between, between_sources, harm, harm_sources = job.result()
    here_b, here_bk = betweenness(links, k=k or links.n, seed=4)
    here_h, here_hk = harmonic(links, k=k or links.n, seed=4)
    assert between_sources == here_bk == harm_sources == here_hk == (k or links.n)
    assert np.array_equal(between.view(np.uint64), here_b.view(np.uint64))
    assert np.array_equal(harm.view(np.uint64), here_h.view(np.uint64))


def test_one_process_when_asked_on_one_core_or_below_the_threshold(always, monkeypatch):
    links = graph()
    monkeypatch.setenv("SNA_PROCESSES", "1")
    assert not offload.path_measures(links).in_child
    monkeypatch.delenv("SNA_PROCESSES")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert not offload.path_measures(links).in_child
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(offload, "MIN_STEPS", offload.search_steps(links, links.n, links.n) + 1)
    assert not offload.path_measures(links).in_child
    monkeypatch.setattr(offload, "MIN_STEPS", offload.search_steps(links, links.n, links.n))
    assert offload.path_measures(links).in_child


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_wrong_process_count_is_a_one_line_error(monkeypatch, value):
    monkeypatch.setenv("SNA_PROCESSES", value)
    with pytest.raises(SnaError, match=r"^SNA_PROCESSES must be a whole number of processes, 1 or more, not '"):
        offload.usable_processes()


def child(monkeypatch, code: str) -> None:
    monkeypatch.setattr(offload, "child_command", lambda: [sys.executable, "-c", code])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import sys; sys.stdin.read(); sys.stderr.write('Traceback\\nMemoryError: out\\n'); sys.exit(3)",
         r"failed \(exit code 3\): MemoryError: out; set SNA_PROCESSES=1 to compute them in one process$"),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", r"was killed \(SIGKILL, perhaps out of memory\);"),
        ("import sys; sys.stdin.read(); print('hello')", r"sent 6 bytes, not the results of 300 nodes;"),
        ("import sys; sys.exit(0)", r"sent 0 bytes"),
    ],
)  # fmt: skip
def test_a_child_that_fails_dies_or_talks_nonsense_is_a_one_line_error(always, monkeypatch, code, message):
    child(monkeypatch, code)
    with offload.path_measures(graph()) as job, pytest.raises(SnaError, match=message) as raised:
        job.result()
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("the second process computing betweenness and harmonic closeness ")


def test_ctrl_c_while_waiting_kills_the_child(always, monkeypatch):
    child(monkeypatch, "import sys, time; sys.stdin.buffer.read(); time.sleep(120)")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    try:
        with pytest.raises(KeyboardInterrupt), offload.path_measures(graph()) as job:
            timer.start()
            job.result()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert job._process is not None and job._process.returncode == -signal.SIGKILL


def test_an_error_before_the_result_is_taken_kills_the_child(always, monkeypatch):
    child(monkeypatch, "import time; time.sleep(120)")  # reads nothing: the graph waits in the pipe
    with pytest.raises(RuntimeError), offload.path_measures(graph(n=5000, m=40000)) as job:
        raise RuntimeError("the caller failed")
    assert job._process is not None and job._process.returncode == -signal.SIGKILL
    assert not job._feeder.is_alive()


def test_no_interpreter_to_start_computes_here(always, monkeypatch, tmp_path):
    monkeypatch.setattr(offload, "child_command", lambda: [str(tmp_path / "no-python")])
    links = graph()
    with offload.path_measures(links) as job:
        between, _, harm, _ = job.result()
    assert not job.in_child
    assert np.array_equal(between, betweenness(links)[0]) and np.array_equal(harm, harmonic(links)[0])
