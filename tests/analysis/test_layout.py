"""Layouts: groups as discs that never overlap, members inside their disc, trees in linear time, seeded."""

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sna.analysis.layout import (
    deepest_below,
    forest_layout,
    group_layout,
    leaf_intervals,
    separate_discs,
    shelf_pack,
)

SETTINGS = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])


def random_forest(rng, n):
    parent = np.full(n, -1)
    for i in range(1, n):
        parent[i] = -1 if rng.random() < 0.1 else int(rng.integers(0, i))
    return parent


def test_leaf_intervals_by_hand():
    # 0 ─┬─ 1 ─┬─ 3
    #    │     └─ 4
    #    └─ 2
    start, end, depth = leaf_intervals(np.array([-1, 0, 0, 1, 1]))
    assert start.tolist() == [0, 0, 2, 0, 1] and end.tolist() == [3, 2, 3, 1, 2] and depth.tolist() == [0, 1, 1, 2, 2]
    # siblings follow `order`: post 2 written before post 1 comes first
    start, _, _ = leaf_intervals(np.array([-1, 0, 0]), order=np.array([1, 3, 2]))
    assert start.tolist() == [0, 1, 0]


@given(st.integers(1, 300), st.integers(0, 10_000))
@SETTINGS
def test_leaf_spans_nest_and_tile_their_parent(n, seed):
    parent = random_forest(np.random.default_rng(seed), n)
    start, end, depth = leaf_intervals(parent)
    child = parent >= 0
    assert (start[child] >= start[parent[child]]).all() and (end[child] <= end[parent[child]]).all()
    widths = np.zeros(n, dtype=int)
    np.add.at(widths, parent[child], (end - start)[child])
    inner = np.bincount(parent[child], minlength=n) > 0
    assert (widths[inner] == (end - start)[inner]).all()  # children side by side fill the parent
    assert (depth[child] == depth[parent[child]] + 1).all()
    roots = np.flatnonzero(~child)
    spans = sorted(zip(start[roots].tolist(), end[roots].tolist(), strict=True))
    assert spans[0][0] == 0 and all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # roots tile
    assert (deepest_below(parent, depth) >= depth).all()


def test_a_single_tree_is_drawn_radially_from_its_root():
    lay = forest_layout(np.array([-1, 0, 0, 1]), np.zeros(4, dtype=int))
    center, radius = lay.centers[0], lay.radii[0]
    distance = np.hypot(*(lay.xy - center).T) / radius
    assert distance[0] == 0  # the first post in the middle
    assert np.isclose(distance[1], distance[2]) and distance[3] > distance[1] > 0  # rings by depth


@given(st.lists(st.floats(0.1, 5.0), min_size=2, max_size=30), st.integers(0, 1000))
@SETTINGS
def test_discs_end_up_apart(radii, seed):
    radii = np.array(radii)
    start = np.random.default_rng(seed).normal(size=(len(radii), 2))
    out = separate_discs(start, radii)
    gap = np.hypot(*(out[:, None] - out[None, :]).transpose(2, 0, 1)) - (radii[:, None] + radii[None, :])
    np.fill_diagonal(gap, 0)
    assert gap.min() >= -1e-4 * radii.max()
    packed = shelf_pack(radii, pad=0.0)
    gap = np.hypot(*(packed[:, None] - packed[None, :]).transpose(2, 0, 1)) - (radii[:, None] + radii[None, :])
    np.fill_diagonal(gap, 0)
    assert gap.min() >= -1e-9


def two_camps(n=400, seed=0):
    rng = np.random.default_rng(seed)
    group = np.repeat([1, 2, 0], [n // 2, n // 3, n - n // 2 - n // 3])
    src = rng.integers(0, n, 3 * n)
    dst = rng.integers(0, n, 3 * n)
    inside = (group[src] == group[dst]) | (rng.random(3 * n) < 0.1)
    return n, src[inside], dst[inside], group, rng.random(n)


def test_every_member_sits_in_its_group_disc_and_discs_do_not_overlap():
    n, src, dst, group, rank = two_camps()
    lay = group_layout(n, src, dst, group=group, importance=rank, seed=1, force_nodes=150)
    assert lay.region_group.tolist() == [1, 2, 0]  # largest first, the unassigned last
    assert (lay.region_group[lay.region] == group).all()
    offset = np.hypot(*(lay.xy - lay.centers[lay.region]).T)
    assert (offset <= lay.radii[lay.region] + 1e-9).all()
    d = np.hypot(*(lay.centers[:, None] - lay.centers[None, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert (d >= lay.radii[:, None] + lay.radii[None, :] - 1e-6).all()
    assert lay.xy.min() >= 0 and lay.xy.max() <= 1
    # area follows size: same density in every disc
    share = lay.radii**2 / np.bincount(lay.region)
    assert np.allclose(share, share[0])


def test_layouts_are_seeded():
    n, src, dst, group, rank = two_camps()
    a = group_layout(n, src, dst, group=group, importance=rank, seed=3, force_nodes=100)
    b = group_layout(n, src, dst, group=group, importance=rank, seed=3, force_nodes=100)
    assert np.array_equal(a.xy, b.xy)
    c = group_layout(n, src, dst, group=group, importance=rank, seed=4, force_nodes=100)
    assert not np.array_equal(a.xy, c.xy)


def test_small_groups_share_a_disc():
    group = np.array([1, 1, 1, 2, 2, 3, 4, 0])
    lay = group_layout(8, np.array([0, 3]), np.array([1, 4]), group=group, max_groups=2)
    assert lay.region_group.tolist() == [1, 2, -1, 0]
    assert lay.region[5] == lay.region[6]


def test_a_forest_lays_out_one_disc_per_thread_with_roots_in_the_middle():
    rng = np.random.default_rng(5)
    parent = random_forest(rng, 500)
    tree = np.cumsum(parent < 0)
    lay = forest_layout(parent, tree)
    assert lay.centers.shape[0] == tree.max()
    offset = np.hypot(*(lay.xy - lay.centers[lay.region]).T)
    assert (offset <= lay.radii[lay.region] + 1e-9).all()
    single = np.bincount(lay.region[parent < 0]) == 1
    roots = np.flatnonzero(parent < 0)
    lone = roots[single[lay.region[roots]]]
    assert np.allclose(lay.xy[lone], lay.centers[lay.region[lone]])
