"""Reliability tables, expected calibration error, and the evaluation's reliability diagram."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna.stance.calibration import expected_calibration_error, reliability


def test_reliability_bins_pairs_by_their_top_probability():
    proba = np.array([[0.5, 0.3, 0.2], [0.1, 0.25, 0.65], [0.05, 0.9, 0.05], [0.6, 0.2, 0.2], [0.34, 0.33, 0.33]])
    labels = np.array([0, 1, 1, 2, 0])
    table = reliability(proba, labels, bins=5)  # bins of width 0.2
    assert table["lower"].to_list() == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert table["pairs"].to_list() == [1, 1, 2, 1]
    assert table["confidence"].to_list() == pytest.approx([0.34, 0.5, 0.625, 0.9])
    # right: 0.34 -> class 0 (yes); 0.5 -> 0 (yes); 0.65 -> 2 (no, 1), 0.6 -> 0 (no, 2); 0.9 -> 1 (yes)
    assert table["accuracy"].to_list() == pytest.approx([1.0, 1.0, 0.0, 1.0])
    # |0.34-1|*1 + |0.5-1|*1 + |0.625-0|*2 + |0.9-1|*1, over 5 pairs
    assert expected_calibration_error(proba, labels, bins=5) == pytest.approx((0.66 + 0.5 + 1.25 + 0.1) / 5)


def test_a_probability_of_one_falls_in_the_last_bin():
    table = reliability(np.array([[1.0, 0.0]]), np.array([0]), bins=10)
    assert table.select("lower", "pairs").rows() == [(pytest.approx(0.9), 1)]
    assert expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0])) == 0.0


def test_no_pairs_have_no_calibration_error():
    assert np.isnan(expected_calibration_error(np.zeros((0, 3)), np.zeros(0, np.int64)))


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_bins_hold_every_pair_and_the_error_is_a_weighted_gap(n, bins, seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(3), size=n)
    labels = rng.integers(0, 3, n)
    table = reliability(proba, labels, bins=bins)
    assert table["pairs"].sum() == n
    assert ((table["confidence"] >= table["lower"] - 1e-12) & (table["confidence"] <= table["upper"] + 1e-12)).all()
    ece = expected_calibration_error(proba, labels, bins=bins)
    assert 0.0 <= ece <= 1.0
    overall = abs(proba.max(1).mean() - (proba.argmax(1) == labels).mean())
    assert ece >= overall - 1e-12  # binning can only add to the overall gap (triangle inequality)


def test_reliability_diagram_is_the_same_bytes_twice(tmp_path):
    from bench.eval_stance import reliability_figure

    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(3), size=200)
    labels = rng.integers(0, 3, 200)
    curves = {"one (ECE x)": reliability(proba, labels), "two (ECE y)": reliability(proba[::-1], labels)}
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    reliability_figure(curves, 10, first)
    reliability_figure(curves, 10, second)
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob("*.tmp.png"))
