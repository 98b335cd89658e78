"""Reading a decompressed stream ahead in a thread, so that decompression overlaps with parsing.

The standard library's gzip, bzip2 and xz decoders release the GIL while they
work, so a thread that pulls decompressed bytes ahead of the reader runs on a
second core while the main thread parses (JSON, tar headers, lines).
:func:`prefetched` gives such a stream; the rules it keeps:

* **Same bytes, same errors.** The thread reads the source in steps of one
  decoder call (``readinto1``) and hands on every byte read before a failure;
  an exception the source raises (a truncated or corrupt file) is raised in
  the reading thread, the same object, where the bytes before it end.
* **Bounded memory.** At most :data:`DEPTH` chunks of :data:`CHUNK` bytes wait
  in the queue (plus the one being filled and the one being read).
* **It never outlives its stream.** Closing the stream (or dropping it) stops
  the thread, waits for its current step to end, then closes the source.
  The thread is a daemon, blocks SIGINT and SIGTERM (so that the kernel hands
  them to the main thread, where the command line's handlers run), and waits
  on its full queue in short steps, checking whether it should stop: a
  reader interrupted by Ctrl-C, or an interpreter that exits, never waits on it.
"""

from __future__ import annotations

import io
import queue
import signal
import threading
from typing import IO, BinaryIO

#: Bytes the thread reads ahead per chunk.
CHUNK = 4 * 2**20
#: Chunks that may wait for the reader.
DEPTH = 3
#: Seconds between checks for a stop while the queue is full or empty.
POLL = 0.05
#: Seconds :meth:`ReadAhead.close` waits for the thread's current step (one decoder call).
JOIN_TIMEOUT = 10.0

_END = b""  # the thread's last item when the source is exhausted
_SIGNALS = {signal.SIGINT, signal.SIGTERM, *((signal.SIGALRM,) if hasattr(signal, "SIGALRM") else ())}


def _offer(items: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put ``item`` in ``items`` unless ``stop`` is set first; whether it was put."""
    while not stop.is_set():
        try:
            items.put(item, timeout=POLL)
        except queue.Full:
            continue
        return True
    return False


def _fill(source: IO[bytes], chunk: int, stop: threading.Event) -> memoryview:
    """Up to ``chunk`` bytes of ``source``, in one-call steps; fewer only at the end of the source or on ``stop``.

    An exception of ``source`` comes out as a :class:`_SourceError` that carries it
    and the bytes read before it.
    """
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    filled = 0
    read = getattr(source, "readinto1", None) or source.readinto  # type: ignore[attr-defined]
    try:
        while filled < chunk and not stop.is_set():
            count = read(view[filled:])
            if not count:
                break
            filled += count
    except BaseException as exc:
        raise _SourceError(view[:filled], exc) from None
    return view[:filled]


class _SourceError(Exception):
    """The source failed: the bytes read before the failure, and its exception."""

    def __init__(self, before: memoryview, error: BaseException) -> None:
        super().__init__(error)
        self.before = before
        self.error = error


def read_ahead(source: IO[bytes], items: queue.Queue[object], stop: threading.Event, chunk: int = CHUNK) -> None:
    """Move ``source``'s bytes into ``items`` as chunks until it ends, fails or ``stop`` is set (the thread's body).

    The last item is ``b""`` at the end of the source, or the exception it
    raised (after a chunk of the bytes read before it, if any).

    Examples
    --------
    >>> items, stop = queue.Queue(), threading.Event()
    >>> read_ahead(io.BytesIO(b"abcdefg"), items, stop, chunk=3)
    >>> [bytes(items.get()) for _ in range(items.qsize())]
    [b'abc', b'def', b'g', b'']
    """
    if threading.current_thread() is not threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    while not stop.is_set():
        try:
            data = _fill(source, chunk, stop)
        except _SourceError as failure:
            if failure.before:
                _offer(items, failure.before, stop)
            _offer(items, failure.error, stop)
            return
        if not _offer(items, data if data else _END, stop) or not data:
            return


class ReadAhead(io.RawIOBase):
    """A raw stream of ``source``'s bytes, read ahead by a daemon thread (see the module's rules).

    Parameters
    ----------
    source : binary file
        A decompressing stream (read by the thread only, closed by :meth:`close`).
    chunk, depth : int
        Bytes per chunk, and chunks that may wait (memory: about ``(depth + 2) * chunk``).
    """

    def __init__(self, source: IO[bytes], *, chunk: int = CHUNK, depth: int = DEPTH) -> None:
        super().__init__()
        self._source = source
        self._items: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._pending = memoryview(b"")
        self._error: BaseException | None = None
        self._ended = False
        # The thread holds the source, the queue and the event, not this object: dropping the stream
        # (without closing it) still runs close(), which stops the thread.
        self._thread = threading.Thread(
            target=read_ahead, args=(source, self._items, self._stop, chunk), name="sna-read-ahead", daemon=True
        )
        self._thread.start()

    def readable(self) -> bool:
        """True: a stream to read."""
        return True

    def _next(self) -> None:
        """Wait for the thread's next item: bytes into ``_pending``, else the end or the source's error."""
        while True:
            try:
                item = self._items.get(timeout=POLL)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._items.empty():  # stopped without a last item: closed
                    raise ValueError("read of a closed stream") from None
        if isinstance(item, BaseException):
            self._error = item
        elif item:
            self._pending = item  # type: ignore[assignment]
        else:
            self._ended = True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Copy the next bytes read ahead into ``buffer`` (waiting for them); 0 at the end; the source's error."""
        if self.closed:
            raise ValueError("read of a closed stream")
        while not self._pending:
            if self._error is not None:
                raise self._error
            if self._ended:
                return 0
            self._next()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        """Stop the thread (it ends its current step), free what it read ahead, close the source."""
        if self.closed:
            return
        self._stop.set()
        while True:  # a thread blocked on a full queue wakes within POLL and sees the stop
            try:
                self._items.get_nowait()
            except queue.Empty:
                break
        self._thread.join(JOIN_TIMEOUT)
        self._pending = memoryview(b"")
        try:
            if not self._thread.is_alive():  # else it is stuck in a read: leave the source to it
                self._source.close()
        finally:
            super().close()


def prefetched(source: IO[bytes], *, chunk: int = CHUNK, depth: int = DEPTH) -> BinaryIO:
    """A buffered stream of ``source``'s bytes, read ahead by a thread; see :class:`ReadAhead`.

    Examples
    --------
    >>> import gzip
    >>> with prefetched(gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(b"a\\nb\\n" * 3))), chunk=4) as stream:
    ...     stream.readline(), stream.read()
    (b'a\\n', b'b\\na\\nb\\na\\nb\\n')
    """
    return io.BufferedReader(ReadAhead(source, chunk=chunk, depth=depth), buffer_size=2**20)  # type: ignore[return-value]
