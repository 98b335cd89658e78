"""Post ids and thread ids as dense integers: looked up once, then worked on as numbers.

Hashing, joining and sorting strings is what the pipeline's table steps spend
most of their time on; the same work on integer codes costs a fraction. The
functions here map ids to row numbers (or thread codes) once, so that edge
extraction, the reply-tree checks and the graph index join and sort integers;
the strings come back (gathered by row number) only in the tables written.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def rows_of(values: pl.Series, ids: pl.Series) -> np.ndarray:
    """Row number in ``ids`` of each value (int64), -1 where it is not an id (or is null).

    ``ids`` must be unique (checked before by the callers).

    Examples
    --------
    >>> rows_of(pl.Series(["b", None, "x", "a"]), pl.Series(["a", "b"])).tolist()
    [1, -1, -1, 0]
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    lookup = pl.DataFrame({"_id": ids.cast(pl.String), "_row": pl.int_range(len(ids), dtype=pl.Int64, eager=True)})
    found = values.cast(pl.String).alias("_id").to_frame().join(lookup, on="_id", how="left", maintain_order="left")
    return found["_row"].fill_null(-1).to_numpy()


def thread_order(thread_id: pl.Series, position: pl.Series) -> pl.Series | None:
    """Row order that sorts posts by thread and position, or None when they are sorted already.

    Most inputs arrive in thread order; checking neighbours is much cheaper
    than sorting strings. The order is that of ``sort("thread_id",
    "position", maintain_order=True)`` (nulls last).

    Examples
    --------
    >>> thread_order(pl.Series(["t", "t", "u"]), pl.Series([1, 2, 1])) is None
    True
    >>> thread_order(pl.Series(["u", "t", "t"]), pl.Series([1, 2, 1])).to_list()
    [2, 1, 0]
    """
    if _in_order(thread_id, position, strict=False):
        return None
    n = len(thread_id)
    if position.dtype.is_integer() and not thread_id.null_count() and not position.null_count() and n < 2**31:
        low, high = position.min(), position.max()
        if low >= -(2**31) and high < 2**31:
            # The sorted distinct thread ids number the threads; then one stable sort of integers.
            names = thread_id.cast(pl.String).alias("t")
            threads = names.unique().sort()
            numbered = pl.DataFrame({"t": threads, "code": pl.int_range(len(threads), dtype=pl.Int64, eager=True)})
            code = names.to_frame().join(numbered, on="t", how="left", maintain_order="left")["code"]
            key = (code.to_numpy() << 32) | (position.cast(pl.Int64).to_numpy() - low)
            return pl.Series(np.argsort(key, kind="stable"), dtype=pl.UInt32 if n < 2**32 else pl.UInt64)
    frame = pl.DataFrame({"t": thread_id, "p": position})
    return frame.select(pl.arg_sort_by("t", "p", maintain_order=True)).to_series()


def sorted_thread_codes(thread_id: pl.Series) -> np.ndarray:
    """Dense codes 1, 2, … of thread ids that are sorted (equal ids adjacent, in order).

    The same numbers as ``thread_id.rank("dense")`` for a sorted column.

    Examples
    --------
    >>> sorted_thread_codes(pl.Series(["a", "a", "b", "c", "c"])).tolist()
    [1, 1, 2, 3, 3]
    """
    n = len(thread_id)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.ones(n, dtype=np.int64)
    change[1:] = (thread_id.slice(1) != thread_id.slice(0, n - 1)).fill_null(True).to_numpy()
    return np.cumsum(change)


def sorted_values(values: np.ndarray) -> np.ndarray:
    """``np.sort`` of a 1-D integer array, by polars (one thread); the result may be read-only.

    numpy 2.4's sort here is a plain introsort (about 40–60 ns a value on
    arrays of 10^5–10^6 64-bit integers); polars sorts them three to four times
    faster. One thread: callers already sort several batches at once.

    Examples
    --------
    >>> sorted_values(np.array([3, 1, 2], dtype=np.uint64)).tolist()
    [1, 2, 3]
    """
    values = np.asarray(values).ravel()
    if len(values) < 2:
        return values.copy()
    return pl.Series(values).sort(multithreaded=False).to_numpy()


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted: ``np.unique(values)``, by sorting.

    numpy 2's ``np.unique`` without counts or indices goes through a hash
    table that is many times slower than a sort on millions of distinct
    integers; this gives the same array.

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = sorted_values(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def all_unique(ids: pl.Series) -> bool:
    """Whether no value occurs twice (a null counts as a value).

    Distinct 64-bit hashes prove it at a fraction of the cost of counting
    distinct strings; only when two hashes are equal are the values counted.

    Examples
    --------
    >>> all_unique(pl.Series(["a", "b", None])), all_unique(pl.Series(["a", "b", "a"]))
    (True, False)
    """
    n = len(ids)
    return n < 2 or ids.hash().n_unique() == n or ids.n_unique() == n


def strictly_in_thread_order(thread_id: pl.Series, position: pl.Series) -> bool:
    """Whether posts are sorted by thread and position with no position repeated in a thread.

    Then no (thread, position) pair repeats, which is otherwise found by
    hashing every pair: a cheap first check for the inputs that arrive in
    thread order (most do). False for nulls.

    Examples
    --------
    >>> strictly_in_thread_order(pl.Series(["t", "t", "u"]), pl.Series([1, 2, 1]))
    True
    >>> strictly_in_thread_order(pl.Series(["t", "t"]), pl.Series([2, 2]))
    False
    """
    return _in_order(thread_id, position, strict=True)


def _in_order(thread_id: pl.Series, position: pl.Series, *, strict: bool) -> bool:
    """Whether each post comes after its neighbour above by thread, then position (``strict``: never equal)."""
    n = len(thread_id)
    if n < 2:
        return True
    if thread_id.null_count() or position.null_count():
        return False
    head, tail = thread_id.slice(0, n - 1), thread_id.slice(1)
    above, below = position.slice(0, n - 1), position.slice(1)
    later = above < below if strict else above <= below
    return bool(((head < tail) | ((head == tail) & later)).all())
