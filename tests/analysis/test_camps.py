"""Agreement camps: hand-computed frustration, planted partitions, invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.analysis.camps import SignedPairs, frustration, partition_signed, random_frustration, signed_pairs
from sna.graph import STANCE_CODES


def planted(sizes, p_edge=0.8, noise=0.0, seed=0):
    """Signed pairs of a planted partition: agree inside, disagree across, signs flipped with ``noise``."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    n = len(truth)
    i, j = np.triu_indices(n, 1)
    keep = rng.random(len(i)) < p_edge
    i, j = i[keep], j[keep]
    positive = truth[i] == truth[j]
    flip = rng.random(len(i)) < noise
    positive ^= flip
    return SignedPairs(n, i, j, positive.astype(np.int64), (~positive).astype(np.int64)), truth


def same_partition(a, b):
    return all((a[x] == a[y]) == (b[x] == b[y]) for x in range(len(a)) for y in range(x + 1, len(a)))


def test_frustration_by_hand():
    # Triangle with one disagreement: + + - is unbalanced; any partition breaks one edge.
    triangle = SignedPairs(3, np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([1, 1, 0]), np.array([0, 0, 1]))
    assert frustration(np.array([1, 1, 1]), triangle) == pytest.approx(1 / 3)
    assert frustration(np.array([1, 1, 2]), triangle) == pytest.approx(1 / 3)
    assert partition_signed(triangle).frustration == pytest.approx(1 / 3)
    # Weighted: 3 agreements and 1 disagreement between the same pair, kept together: 1 of 4 broken.
    pair = SignedPairs(2, np.array([0]), np.array([1]), np.array([3]), np.array([1]))
    assert frustration(np.array([1, 1]), pair) == 0.25
    assert frustration(np.array([1, 2]), pair) == 0.75
    assert SignedPairs(2, np.array([], int), np.array([], int), np.array([], int), np.array([], int)).total == 0


@pytest.mark.parametrize("sizes", [(8, 8), (6, 7, 8)])
def test_planted_partitions_are_recovered_exactly_at_low_noise(sizes):
    for seed in range(10):
        pairs, truth = planted(sizes, noise=0.02, seed=seed)
        result = partition_signed(pairs, seed=seed)
        assert same_partition(result.labels, truth), seed
        assert result.frustration < result.random["mean"]


@pytest.mark.parametrize("sizes", [(8, 8), (6, 7, 8)])
def test_with_more_noise_the_camps_explain_the_signs_at_least_as_well_as_the_planted_ones(sizes):
    for seed in range(10):
        pairs, truth = planted(sizes, noise=0.1, seed=seed)
        assert partition_signed(pairs, seed=seed).frustration <= frustration(truth + 1, pairs) + 1e-12, seed


def test_requested_number_of_camps_merges_the_cheapest():
    pairs, truth = planted((6, 6, 6), noise=0.0, seed=1)
    merged = partition_signed(pairs, n_camps=2).labels
    assert set(merged.tolist()) == {1, 2}
    # Two planted groups end up together, the third stays whole.
    groups = {tuple(sorted(set(merged[truth == g].tolist()))) for g in range(3)}
    assert groups == {(1,), (2,)}


def test_nodes_without_signed_edges_keep_camps_of_their_own():
    pairs = signed_pairs(np.arange(4), 4, np.array([1, 3]), np.array([0, 2]), np.array([0, 1]))
    result = partition_signed(pairs)
    # 0 and 1 agree; 2-3 is neutral (no sign): 2 and 3 are alone.
    assert result.labels[0] == result.labels[1]
    assert len({result.labels[2], result.labels[3], result.labels[0]}) == 3


def test_random_baseline_is_worse_than_the_planted_partition_and_deterministic():
    pairs, truth = planted((10, 10), noise=0.1, seed=3)
    a = random_frustration(truth + 1, pairs, rounds=100, seed=4)
    b = random_frustration(truth + 1, pairs, rounds=100, seed=4)
    assert a == b
    assert frustration(truth + 1, pairs) < a["mean"]
    assert a["share_at_or_below"] == 0.0


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 25), st.integers(0, 10**6), st.floats(0, 0.5))
def test_property_partition_covers_every_node_and_is_deterministic(n, seed, noise):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, size=3 * n)
    dst = rng.integers(0, n, size=3 * n)
    stance = np.where(rng.random(3 * n) < 0.5 + noise, STANCE_CODES["agree"], STANCE_CODES["disagree"])
    stance[rng.random(3 * n) < 0.2] = -1
    pairs = signed_pairs(np.arange(n), n, src, dst, stance)
    first = partition_signed(pairs, seed=seed % 7)
    again = partition_signed(pairs, seed=seed % 7)
    assert len(first.labels) == n and (first.labels >= 1).all()
    assert sorted(set(first.labels.tolist())) == list(range(1, first.labels.max() + 1))
    assert np.array_equal(first.labels, again.labels)
    sizes = np.bincount(first.labels)[1:]
    assert (np.diff(sizes) <= 0).all()  # camp 1 is the largest
    if first.frustration is not None:
        assert 0 <= first.frustration <= 1
