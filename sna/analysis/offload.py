"""Betweenness and harmonic closeness of a large graph in a second process, while this one goes on.

The breadth-first searches behind betweenness and harmonic closeness are the
largest single cost of the metrics of a large forum (the author graph of 1M
posts: about 11 CPU-s of a 27 CPU-s stage), and python-igraph holds the GIL
while it searches, so a thread cannot overlap them with anything else.
:func:`path_measures` starts a fresh interpreter, ``python -m
sna.analysis.offload``, that runs the same functions
(:func:`sna.analysis.centrality.betweenness` and
:func:`~sna.analysis.centrality.harmonic`) on the same arrays, so its results
are the same bits, while the caller computes everything else; the caller
takes the results when it needs them.

* The graph goes to the child through a pipe (a one-line JSON header, then the
  edge arrays), and the results come back the same way: no temporary files.
* Only where it pays: at least two usable cores (``os.sched_getaffinity``)
  and searches estimated at ``MIN_STEPS`` or more (see :func:`search_steps`).
  Below that, or with ``SNA_PROCESSES=1`` in the environment, the measures
  are computed in this process when asked for.
* A fresh interpreter, not ``multiprocessing``: a fork copies whatever locks
  other threads hold (sna writes POSTS and EDGES in a thread meanwhile), and
  spawn or forkserver run the caller's ``__main__`` again.
* A child that fails or dies is one-line :class:`sna.errors.SnaError`; an
  interruption of the caller (Ctrl-C) kills the child, which ignores SIGINT
  itself and dies with the caller (Linux).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import numpy as np

from sna.analysis.centrality import betweenness, exact_cost, harmonic, path_sources
from sna.errors import SnaError
from sna.graph import LinkArrays

#: Environment variable: how many processes sna may use (default: the usable cores); 1 keeps it to one.
PROCESSES_VARIABLE = "SNA_PROCESSES"
#: Searches (nodes and edges visited, estimated by :func:`search_steps`) from which a second process pays.
#: Starting one costs 1.3-1.9 CPU-s (a busy machine: interpreter, imports, the graph rebuilt). The estimate
#: is an upper bound whose rate varies: 1.75·10⁷ steps per CPU-s on the author graph of 1M synthetic
#: posts (1.9·10⁸ steps, 11.1 CPU-s: it pays), 1.2·10⁸ on that of IAC bulk, 110k real posts (6.2·10⁷
#: steps, 0.5 CPU-s: a child took 1.7-1.9 CPU-s, so it does not).
MIN_STEPS = 1e8

_CHILD = "the second process computing betweenness and harmonic closeness"
_ONE_PROCESS = f"set {PROCESSES_VARIABLE}=1 to compute them in one process"

PathResult = tuple[np.ndarray, int, np.ndarray, int]


def usable_processes() -> int:
    """Processes sna may run at once: the usable cores, at most ``SNA_PROCESSES`` if set.

    Examples
    --------
    >>> import os
    >>> os.environ["SNA_PROCESSES"] = "1"
    >>> usable_processes()
    1
    >>> del os.environ["SNA_PROCESSES"]
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    value = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if not value:
        return cores
    try:
        wanted = int(value)
    except ValueError:
        wanted = 0
    if wanted < 1:
        raise SnaError(f"{PROCESSES_VARIABLE} must be a whole number of processes, 1 or more, not {value!r}")
    return min(wanted, cores)


def search_steps(links: LinkArrays, between_k: int, harmonic_k: int, *, cost: float | None = None) -> float:
    """Estimated nodes and edges that betweenness and harmonic closeness from these sources visit.

    :func:`~sna.analysis.centrality.exact_cost` (``cost``, computed if not
    given) bounds the visits of searches from every node; ``k`` of the ``n``
    sources visit about ``k / n`` of that.

    Examples
    --------
    >>> import polars as pl
    >>> chain = LinkArrays(pl.Series(["a", "b", "c"]), np.array([1, 2]), np.array([0, 1]), np.ones(2))
    >>> search_steps(chain, 3, 3)
    18.0
    """
    if links.n == 0:
        return 0.0
    cost = exact_cost(links) if cost is None else cost
    return cost * (min(between_k, links.n) + min(harmonic_k, links.n)) / links.n


class PathMeasures:
    """Betweenness and harmonic closeness of one graph, computed by a child process or on demand.

    Use it as a context manager: leaving the block kills a child whose result
    was not taken (an error or Ctrl-C in between).

    Attributes
    ----------
    in_child : bool
        Whether a second process computes them.

    Examples
    --------
    >>> import polars as pl
    >>> g = LinkArrays(pl.Series(["a", "b", "c"]), np.array([2, 1]), np.array([1, 0]), np.ones(2))
    >>> with path_measures(g) as job:
    ...     between, _, harm, _ = job.result()
    >>> job.in_child, between.tolist(), harm.tolist()
    (False, [0.0, 0.5, 0.0], [1.5, 1.0, 0.0])
    """

    def __init__(self, links: LinkArrays, between_k: int, harmonic_k: int, seed: int, *, in_child: bool) -> None:
        self._links, self._ks, self._seed = links, (between_k, harmonic_k), seed
        self.in_child = in_child
        self._result: PathResult | None = None
        self._process: subprocess.Popen[bytes] | None = None
        if in_child:
            self._start()

    def _start(self) -> None:
        links = self._links
        header = {"n": links.n, "m": links.m, "between_k": self._ks[0], "harmonic_k": self._ks[1],
                  "seed": self._seed, "parent": os.getpid()}  # fmt: skip
        root = str(Path(__file__).resolve().parents[2])  # the child imports this very sna
        env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed in __exit__)
        try:
            self._process = subprocess.Popen(
                child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env
            )
        except OSError:  # no interpreter to start (an embedded Python): computed here instead
            self._stderr.close()
            self.in_child = False
            return
        payload = [json.dumps(header).encode() + b"\n", np.ascontiguousarray(links.src, dtype=np.int64).data,
                   np.ascontiguousarray(links.dst, dtype=np.int64).data]  # fmt: skip
        self._feeder = threading.Thread(target=_feed, args=(self._process.stdin, payload), daemon=True)
        self._feeder.start()  # a pipe holds 64 KiB: the graph is written while this process goes on

    def result(self) -> PathResult:
        """Betweenness, its sources, harmonic closeness, its sources (as the centrality functions return them)."""
        if self._result is None:
            if self._process is None:
                links, (between_k, harmonic_k), seed = self._links, self._ks, self._seed
                self._result = (*betweenness(links, k=between_k, seed=seed), *harmonic(links, k=harmonic_k, seed=seed))
            else:
                self._result = self._collect()
        return self._result

    def _collect(self) -> PathResult:
        process = self._process
        assert process is not None and process.stdout is not None
        data = process.stdout.read()  # until the child closes it: it exits, or is killed
        code = process.wait()
        self._feeder.join()
        self._close()
        if code != 0:
            raise SnaError(f"{_CHILD} {_ended(code)}{self._last_error_line()}; {_ONE_PROCESS}")
        n = self._links.n
        head, _, body = data.partition(b"\n")
        try:
            sources = json.loads(head)
            between_sources, harmonic_sources = int(sources["between_sources"]), int(sources["harmonic_sources"])
        except (ValueError, KeyError, TypeError):
            between_sources = harmonic_sources = -1
        if between_sources < 0 or len(body) != 16 * n:
            raise SnaError(f"{_CHILD} sent {len(data):,} bytes, not the results of {n:,} nodes; {_ONE_PROCESS}")
        values = np.frombuffer(body, dtype=np.float64)
        return values[:n].copy(), between_sources, values[n:].copy(), harmonic_sources

    def _last_error_line(self) -> str:
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().decode(errors="replace").splitlines() if line.strip()]
        return f": {lines[-1][:300]}" if lines else ""

    def _close(self) -> None:
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> PathMeasures:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        process = self._process
        if process is not None and process.returncode is None:  # not collected: an error or Ctrl-C on the way
            process.kill()
            process.wait()
            self._feeder.join()
            self._close()
        if process is not None:
            self._stderr.close()


def _feed(pipe: object, payload: list[bytes | memoryview]) -> None:
    try:
        for part in payload:
            pipe.write(part)  # type: ignore[attr-defined]
        pipe.close()  # type: ignore[attr-defined]
    except (BrokenPipeError, OSError, ValueError):  # the child died or was killed: its exit code says why
        pass


def _ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed ({name}{', perhaps out of memory' if -code == signal.SIGKILL else ''})"
    return f"failed (exit code {code})"


def child_command() -> list[str]:
    """The command that runs a child: this interpreter, ``-m sna.analysis.offload``.

    Examples
    --------
    >>> child_command()[1:]
    ['-m', 'sna.analysis.offload']
    """
    return [sys.executable, "-m", "sna.analysis.offload"]


def path_measures(links: LinkArrays, *, k: int | None = None, seed: int = 0) -> PathMeasures:
    """Start betweenness and harmonic closeness of ``links`` in a second process where that pays.

    Parameters
    ----------
    links : LinkArrays
    k, seed : int
        Sources to sample (by default exact where cheap) and the sample's
        seed, as for :func:`sna.analysis.centrality.centrality`.

    Returns
    -------
    PathMeasures
        In a child when there are two usable processes and the searches are
        estimated at ``MIN_STEPS`` or more (:func:`search_steps`); else
        computed in this process by ``result()``.
    """
    cost = exact_cost(links) if k is None or usable_processes() >= 2 else None
    between_k, harmonic_k = path_sources(links, k, cost=cost)
    in_child = (
        cost is not None
        and links.n > 2
        and usable_processes() >= 2
        and search_steps(links, between_k, harmonic_k, cost=cost) >= MIN_STEPS
    )
    return PathMeasures(links, between_k, harmonic_k, seed, in_child=in_child)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the parent dies (a killed parent leaves no child computing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before that
        os._exit(1)


def main() -> int:
    """Child: read a graph from stdin, write its betweenness and harmonic closeness to stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the parent, which kills this process
    source = sys.stdin.buffer
    header = json.loads(source.readline())
    _die_with_parent(int(header["parent"]))
    n, m = int(header["n"]), int(header["m"])
    body = source.read(16 * m)
    if len(body) != 16 * m:
        sys.stderr.write(f"sna: got {len(body):,} bytes of edges, not {16 * m:,}\n")
        return 2
    edges = np.frombuffer(body, dtype=np.int64)
    import polars as pl

    links = LinkArrays(pl.Series(np.arange(n)), edges[:m].copy(), edges[m:].copy(), np.ones(m))
    between, between_sources = betweenness(links, k=int(header["between_k"]), seed=int(header["seed"]))
    harm, harmonic_sources = harmonic(links, k=int(header["harmonic_k"]), seed=int(header["seed"]))
    out = sys.stdout.buffer
    out.write(json.dumps({"between_sources": between_sources, "harmonic_sources": harmonic_sources}).encode())
    out.write(b"\n" + np.ascontiguousarray(between, dtype=np.float64).tobytes())
    out.write(np.ascontiguousarray(harm, dtype=np.float64).tobytes())
    out.flush()
    return 0


if __name__ == "__main__":
    sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]  # igraph's drawing: never used here, 1-2 s
    sys.exit(main())
