"""How far a stance model's probabilities can be trusted: reliability table and expected calibration error."""

from __future__ import annotations

import numpy as np
import polars as pl


def reliability(proba: np.ndarray, labels: np.ndarray, *, bins: int = 10) -> pl.DataFrame:
    """Pairs binned by the probability of their predicted label, with how often that label was right.

    Parameters
    ----------
    proba : np.ndarray
        ``(n, classes)`` probabilities.
    labels : np.ndarray
        The true class of each pair (column index of ``proba``).
    bins : int
        Equal-width bins of [0, 1].

    Returns
    -------
    pl.DataFrame
        One row per bin that holds pairs: ``lower``, ``upper``, ``pairs``,
        ``confidence`` (mean probability of the predicted label) and ``accuracy``.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6]])
    >>> [tuple(round(v, 3) for v in row) for row in reliability(p, np.array([0, 1, 1]), bins=2).rows()]
    [(0.5, 1.0, 3, 0.767, 0.667)]
    """
    proba = np.asarray(proba, dtype=np.float64)
    top = proba.max(axis=1)
    right = proba.argmax(axis=1) == np.asarray(labels)
    which = np.minimum((top * bins).astype(np.int64), bins - 1)
    counts = np.bincount(which, minlength=bins)
    used = np.flatnonzero(counts)
    return pl.DataFrame(
        {
            "lower": used / bins,
            "upper": (used + 1) / bins,
            "pairs": counts[used],
            "confidence": np.bincount(which, top, minlength=bins)[used] / counts[used],
            "accuracy": np.bincount(which, right.astype(np.float64), minlength=bins)[used] / counts[used],
        }
    )


def expected_calibration_error(proba: np.ndarray, labels: np.ndarray, *, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over the bins of :func:`reliability`, weighted by pairs.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6]])
    >>> round(expected_calibration_error(p, np.array([0, 1, 1]), bins=2), 3)
    0.1
    """
    table = reliability(proba, labels, bins=bins)
    if table.height == 0:
        return float("nan")
    gap = (table["confidence"] - table["accuracy"]).abs() * table["pairs"]
    return float(gap.sum() / table["pairs"].sum())
