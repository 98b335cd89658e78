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


def with_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities sharpened (``temperature < 1``) or softened (``> 1``): ``softmax(log p / t)``.

    The most probable label of each pair stays the same.

    Examples
    --------
    >>> with_temperature(np.array([[0.5, 0.25, 0.25]]), 0.5).round(3).tolist()
    [[0.667, 0.167, 0.167]]
    """
    logits = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-12, None)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(proba: np.ndarray, labels: np.ndarray, *, grid: np.ndarray | None = None) -> float:
    """The temperature (from ``grid``, default 0.25 to 4 in steps of 0.01) that gives the labels the highest likelihood.

    Fit it on pairs the model was not trained on (a validation fold).

    Examples
    --------
    >>> p = np.array([[0.4, 0.3, 0.3], [0.3, 0.4, 0.3], [0.3, 0.3, 0.4], [0.4, 0.3, 0.3]])
    >>> fit_temperature(p, np.array([0, 1, 2, 0])) < 1  # always right: sharpen
    True
    """
    grid = np.round(np.arange(0.25, 4.0001, 0.01), 2) if grid is None else np.asarray(grid, dtype=np.float64)
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    loss = [-np.log(with_temperature(proba, t)[rows, labels]).mean() for t in grid]
    return float(grid[int(np.argmin(loss))])
