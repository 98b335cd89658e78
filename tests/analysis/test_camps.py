"""Agreement camps: hand-computed frustration, planted partitions, a hand-made thread, invariants."""

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sna
from sna.analysis import signed
from sna.analysis.camps import agreement_camps
from sna.analysis.signed import (
    SignedPairs,
    agree_components,
    expected_frustration,
    frustration,
    partition_signed,
    random_frustration,
    sampled_frustration,
    signed_pairs,
)
from sna.graph import STANCE_CODES, index_corpus

SLOW_OK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


def random_signed(n, seed, noise=0.0, unlabelled=0.2):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, size=3 * n)
    dst = rng.integers(0, n, size=3 * n)
    stance = np.where(rng.random(3 * n) < 0.5 + noise, STANCE_CODES["agree"], STANCE_CODES["disagree"])
    stance[rng.random(3 * n) < unlabelled] = -1
    return signed_pairs(np.arange(n), n, src, dst, stance)


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
    assert partition_signed(pair).labels.tolist() == [1, 1]
    # The other way round, they are better apart: two camps of one, so no camp at the default minimum size.
    apart = SignedPairs(2, np.array([0]), np.array([1]), np.array([1]), np.array([3]))
    assert partition_signed(apart).labels.tolist() == [0, 0] and partition_signed(apart).frustration == 0.25
    assert SignedPairs(2, np.array([], int), np.array([], int), np.array([], int), np.array([], int)).total == 0


@pytest.mark.parametrize("sizes", [(8, 8), (6, 7, 8)])
def test_planted_partitions_are_recovered_exactly_at_low_noise(sizes):
    for seed in range(10):
        pairs, truth = planted(sizes, noise=0.02, seed=seed)
        result = partition_signed(pairs, seed=seed)
        assert same_partition(result.labels, truth), seed
        assert (result.labels > 0).all()
        assert result.frustration < result.random["mean"] - 3 * result.random["sd"]


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


def test_requested_number_of_camps_merges_unrelated_camps_last():
    # Camps {0,1}, {2,3} (which disagree with each other) and {4,5} (no link to the others).
    i, j = np.array([0, 2, 4, 1]), np.array([1, 3, 5, 2])
    pairs = SignedPairs(6, i, j, np.array([1, 1, 1, 0]), np.array([0, 0, 0, 1]))
    assert partition_signed(pairs).labels.tolist() == [1, 1, 2, 2, 3, 3]
    assert partition_signed(pairs, n_camps=2).labels.tolist() == [1, 1, 1, 1, 2, 2]
    assert partition_signed(pairs, n_camps=1).labels.tolist() == [1] * 6


def test_unassigned_nodes_are_exactly_those_without_signed_links():
    # 0 and 1 agree; 2-3 is neutral (no sign); 4 has no link at all.
    pairs = signed_pairs(np.arange(5), 5, np.array([1, 3]), np.array([0, 2]), np.array([0, 1]))
    result = partition_signed(pairs)
    assert result.labels.tolist() == [1, 1, 0, 0, 0]
    assert result.signed.tolist() == [True, True, False, False, False]


def test_camps_below_the_minimum_size_have_no_camp_and_the_frustration_does_not_change():
    # A planted 4-camp, a 3-camp, a 2-camp and a node that disagrees with everyone.
    pairs, _ = planted((4, 3, 2, 1), p_edge=1.0, seed=0)
    by_size = {m: partition_signed(pairs, min_camp_size=m) for m in (1, 2, 3, 4, 5)}
    assert by_size[1].labels.tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 4]
    assert by_size[2].labels.tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 0]
    assert by_size[3].labels.tolist() == [1, 1, 1, 1, 2, 2, 2, 0, 0, 0]
    assert by_size[4].labels.tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert (by_size[5].labels == 0).all()
    assert {r.frustration for r in by_size.values()} == {0.0}
    assert all(np.array_equal(r.parts, by_size[1].parts) for r in by_size.values())


def test_a_signed_forest_needs_no_leiden_and_breaks_nothing(monkeypatch):
    def no_leiden(*args, **kwargs):
        raise AssertionError("Leiden ran on a forest")

    monkeypatch.setattr(signed, "_leiden", no_leiden)
    rng = np.random.default_rng(5)
    n = 300
    parent = np.array([rng.integers(0, v) for v in range(1, n)])  # a random tree on 0..n-1
    stance = rng.choice([STANCE_CODES["agree"], STANCE_CODES["disagree"]], size=n - 1)
    pairs = signed_pairs(np.arange(n), n, np.arange(1, n), parent, stance)
    result = partition_signed(pairs, min_camp_size=1)
    assert result.frustration == 0.0
    assert same_partition(result.labels, agree_components(pairs))


def test_leiden_runs_only_inside_components_that_hold_a_disagreement(monkeypatch):
    calls = []
    leiden = signed._leiden

    def counting(pairs, seed, runs=1):
        calls.append(pairs.n)
        return leiden(pairs, seed, runs)

    monkeypatch.setattr(signed, "_leiden", counting)
    # A balanced pair of camps (agree components {0,1,2}, {3,4,5}) and a frustrated triangle 6-7-8 with a tail 9.
    i = np.array([0, 1, 3, 4, 0, 6, 7, 6, 8])
    j = np.array([1, 2, 4, 5, 3, 7, 8, 8, 9])
    agree = np.array([1, 1, 1, 1, 0, 2, 2, 0, 1])
    disagree = np.array([0, 0, 0, 0, 1, 0, 0, 1, 0])
    result = partition_signed(SignedPairs(10, i, j, agree, disagree))
    assert calls == [4]  # only the component 6-7-8-9
    assert result.frustration == pytest.approx(1 / 11)  # only the 6-8 disagreement breaks
    assert result.labels[6] == result.labels[7] == result.labels[8] == result.labels[9]


def test_components_too_large_for_leiden_get_the_local_moves_alone(monkeypatch):
    def no_leiden(*args, **kwargs):
        raise AssertionError("Leiden ran on a component above the limit")

    monkeypatch.setattr(signed, "LEIDEN_MAX_PAIRS", 10)
    monkeypatch.setattr(signed, "_leiden", no_leiden)
    for seed in range(5):
        pairs, truth = planted((8, 8, 8), noise=0.02, seed=seed)
        result = partition_signed(pairs, seed=seed)
        assert same_partition(result.labels, truth), seed


def test_random_baseline_is_exact_worse_than_the_planted_partition_and_deterministic():
    pairs, truth = planted((10, 10), noise=0.1, seed=3)
    a = random_frustration(truth + 1, pairs, rounds=100, seed=4)
    b = random_frustration(truth + 1, pairs, rounds=100, seed=4)
    assert a == b
    assert frustration(truth + 1, pairs) < a["mean"] and a["z"] < -3
    assert a["share_at_or_below"] == 0.0
    assert a["sampled_mean"] == pytest.approx(a["mean"], abs=4 * a["sd"] / np.sqrt(100))


def test_expected_frustration_by_enumerating_every_relabelling():
    from itertools import permutations

    # Camps {0,1}, {2,3}, {4}; node 5 has no signed link and keeps its label.
    pairs = SignedPairs(6, np.array([0, 0, 1, 2, 3]), np.array([1, 2, 3, 4, 4]), np.array([2, 0, 1, 1, 0]),
                        np.array([0, 1, 1, 0, 2]))  # fmt: skip
    labels = np.array([1, 1, 2, 2, 3, 9])
    values = []
    for order in permutations(range(5)):
        shuffled = labels.copy()
        shuffled[:5] = labels[list(order)]
        values.append(frustration(shuffled, pairs))
    mean, sd = expected_frustration(labels, pairs)
    assert mean == pytest.approx(np.mean(values)) and sd == pytest.approx(np.std(values))


@SLOW_OK
@given(st.integers(4, 30), st.integers(0, 10**6), st.booleans())
def test_property_expected_frustration_matches_shuffles(n, seed, grouped):
    pairs = random_signed(n, seed)
    labels = partition_signed(pairs, seed=0, min_camp_size=1).parts
    group = None
    if grouped:  # two groups; keep only the pairs inside one
        group = (np.arange(n) >= n // 2).astype(np.int64)
        pairs = pairs.subset(group[pairs.i] == group[pairs.j])
    mean, sd = expected_frustration(labels, pairs, group=group)
    if mean is None:
        return
    values = sampled_frustration(labels, pairs, rounds=4000, seed=seed, group=group)
    assert values.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(4000) + 1e-9)
    assert values.std() == pytest.approx(sd, rel=0.15, abs=1e-9)


@SLOW_OK
@given(st.integers(2, 25), st.integers(0, 10**6), st.floats(0, 0.5), st.integers(1, 3))
def test_property_partition_covers_every_signed_node_and_is_deterministic(n, seed, noise, min_size):
    pairs = random_signed(n, seed, noise)
    first = partition_signed(pairs, seed=seed % 7, min_camp_size=min_size)
    again = partition_signed(pairs, seed=seed % 7, min_camp_size=min_size)
    assert np.array_equal(first.labels, again.labels) and np.array_equal(first.parts, again.parts)
    assert len(first.labels) == n and len(first.parts) == n
    # unassigned nodes are exactly those without signed links; every camp has at least min_size members
    assert np.array_equal(first.signed, pairs.signed_nodes)
    assert (first.labels[~first.signed] == 0).all()
    part_size = np.bincount(first.parts)[first.parts]
    assert np.array_equal(first.labels > 0, first.signed & (part_size >= min_size))
    sizes = np.bincount(first.labels)[1:]
    assert sorted(set(first.labels[first.labels > 0].tolist())) == list(range(1, len(sizes) + 1))
    assert (sizes >= min_size).all() and (np.diff(sizes) <= 0).all()  # camp 1 is the largest
    # a camp is one part of the partition scored by the frustration index
    for c in range(1, len(sizes) + 1):
        assert len(set(first.parts[first.labels == c].tolist())) == 1
    if first.frustration is not None:
        assert 0 <= first.frustration <= 1
        assert first.frustration == frustration(first.parts, pairs)
        assert first.frustration <= frustration(agree_components(pairs), pairs) + 1e-12


@SLOW_OK
@given(st.integers(3, 25), st.integers(0, 10**6))
def test_property_more_leiden_runs_keep_the_least_frustrated(n, seed):
    pairs = random_signed(n, seed, 0.2, 0.0)
    one = frustration(signed._leiden(pairs, seed % 5, 1), pairs)
    three = frustration(signed._leiden(pairs, seed % 5, 3), pairs)
    assert three is None or three <= one


# A hand-made thread whose camps are known -------------------------------------------------------


def thread(rows, thread_id="t"):
    """POSTS and EDGES from (author, [(target position, kind, stance), ...]) per post, positions from 1."""
    n = len(rows)
    posts = pl.DataFrame(
        {
            "thread_id": [thread_id] * n,
            "post_id": [f"{thread_id}#{k}" for k in range(1, n + 1)],
            "position": list(range(1, n + 1)),
            "author": [author for author, _ in rows],
            "created_at": [None] * n,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )
    links = [(k, t, kind, stance) for k, (_, out) in enumerate(rows, 1) for t, kind, stance in out]
    edges = pl.DataFrame(
        {
            "source": [f"{thread_id}#{k}" for k, _, _, _ in links],
            "target": [f"{thread_id}#{t}" for _, t, _, _ in links],
            "kind": [kind for _, _, kind, _ in links],
            "stance": [stance for _, _, _, stance in links],
        },
        schema_overrides={"stance": pl.String},
    )
    return posts, edges


#: "Should the city ban cars downtown?" ann (for) and bo side together against cy and dee; eve only asks
#: a question (neutral); fay disagrees with both bo and dee, so she is a camp of one.
BAN_CARS = [
    ("ann", []),  # 1: ban them
    ("bo", [(1, "reply", "agree")]),  # 2: yes, the air would be better
    ("cy", [(1, "reply", "disagree")]),  # 3: shops would die
    ("dee", [(3, "quote", "agree"), (3, "reply", "agree")]),  # 4: quotes cy: exactly
    ("ann", [(3, "reply", "disagree")]),  # 5: no, footfall rises
    ("bo", [(4, "reply", "disagree")]),  # 6: not true
    ("eve", [(1, "reply", "neutral")]),  # 7: when would it start?
    ("fay", [(2, "reply", "disagree"), (4, "quote", "disagree")]),  # 8: you are both wrong
]


def test_hand_made_thread_camps_by_hand():
    posts, edges = thread(BAN_CARS)
    metrics = sna.compute_metrics(posts, edges)
    camp = dict(metrics.author_metrics.select("author", "camp").iter_rows())
    assert camp == {"ann": 1, "bo": 1, "cy": 2, "dee": 2, "eve": None, "fay": None}
    table = metrics.camps.filter(pl.col("graph") == "author")
    assert table.select("camp", "size", "members").rows() == [(1, 2, "ann; bo"), (2, 2, "cy; dee")]
    # inside: ann-bo 1 agreement, cy-dee 2; across camp 1: ann-cy 2, bo-dee 1, fay-bo 1 disagreements
    assert table["agree_inside"].to_list() == [1, 2] and table["disagree_inside"].to_list() == [0, 0]
    assert table["disagree_across"].to_list() == [4, 4]
    summary = metrics.summary["camps"]["author_graph"]
    assert summary["frustration_index"] == 0.0 and summary["camps"] == 2 and summary["largest_camps"] == [2, 2]
    assert (summary["unassigned_nodes"], summary["below_min_size_nodes"], summary["below_min_size_camps"]) == (1, 1, 1)
    assert summary["nodes_in_camps"] == 4 and summary["signed_nodes"] == 5
    # posts: 1-2 and 3-4 agree; 5, 6 and 8 only disagree (camps of one); 7 is neutral
    post_camp = dict(metrics.post_metrics.select("post_id", "camp").iter_rows())
    assert [post_camp[f"t#{k}"] for k in range(1, 9)] == [1, 1, 2, 2, None, None, None, None]
    # with camps of one allowed, fay is a camp of her own; eve still has none
    loose = sna.compute_metrics(posts, edges, min_camp_size=1)
    assert dict(loose.author_metrics.select("author", "camp").iter_rows())["fay"] == 3
    assert loose.author_metrics.filter(pl.col("author") == "eve")["camp"].item() is None
    strict = sna.compute_metrics(posts, edges, min_camp_size=3)
    assert strict.author_metrics["camp"].null_count() == 6 and strict.camps.height == 0


def test_summary_counts_add_up_and_match_the_tables():
    posts, edges = thread(BAN_CARS)
    metrics = sna.compute_metrics(posts, edges)
    for level, table, key in (("author", metrics.author_metrics, "author"), ("post", metrics.post_metrics, "post_id")):
        summary = metrics.summary["camps"][f"{level}_graph"]
        counts = summary["nodes_in_camps"] + summary["unassigned_nodes"] + summary["below_min_size_nodes"]
        assert counts == summary["nodes"] == table.height
        assert summary["nodes_in_camps"] == table["camp"].drop_nulls().len()
        camps = metrics.camps.filter(pl.col("graph") == level)
        assert camps.height == summary["camps"]
        sizes = table.group_by("camp").len().drop_nulls("camp").sort("camp")
        assert sizes["len"].to_list() == camps["size"].to_list(), key


def test_camps_per_thread_never_join_people_who_never_met():
    # t1: ann agrees with cy. t2: bo agrees with cy; dee disagrees with bo. ann and bo never meet.
    one, one_edges = thread([("cy", []), ("ann", [(1, "reply", "agree")])], "t1")
    two, two_edges = thread([("cy", []), ("bo", [(1, "reply", "agree")]), ("dee", [(2, "reply", "disagree")])], "t2")
    posts, edges = pl.concat([one, two]), pl.concat([one_edges, two_edges])
    corpus = sna.compute_metrics(posts, edges)
    assert dict(corpus.author_metrics.select("author", "camp").iter_rows()) == {
        "cy": 1, "ann": 1, "bo": 1, "dee": None
    }  # fmt: skip
    by_thread = sna.compute_metrics(posts, edges, camps_by="thread")
    assert by_thread.author_metrics["camp"].null_count() == 4  # an author has no single camp across threads
    assert by_thread.thread_camps.rows() == [
        ("t1", "cy", 1, 1), ("t1", "ann", 1, 1), ("t2", "cy", 1, 1), ("t2", "bo", 1, 1), ("t2", "dee", 1, None)
    ]  # fmt: skip
    table = by_thread.camps.filter(pl.col("graph") == "author")
    assert table.select("thread_id", "camp", "members").rows() == [("t1", 1, "cy; ann"), ("t2", 1, "cy; bo")]
    assert by_thread.camps.filter(pl.col("graph") == "post").select("thread_id", "camp").rows() == [
        ("t1", 1), ("t2", 1)
    ]  # fmt: skip
    summary = by_thread.summary["camps"]["author_graph"]
    assert summary["camps_by"] == "thread" and summary["threads_with_camps"] == 2 and summary["camps"] == 2
    assert summary["nodes"] == 5 and summary["below_min_size_nodes"] == 1
    assert corpus.thread_camps.height == 0


def test_camps_per_thread_leave_out_links_between_threads():
    one, one_edges = thread([("ann", []), ("bo", [(1, "reply", "agree")])], "t1")
    two, _ = thread([("cy", [])], "t2")
    across = pl.DataFrame({"source": ["t2#1"], "target": ["t1#1"], "kind": ["quote"], "stance": ["agree"]})
    posts, edges = pl.concat([one, two]), pl.concat([one_edges, across])
    assert sna.compute_metrics(posts, edges).author_metrics["camp"].to_list() == [1, 1, 1]
    by_thread = sna.compute_metrics(posts, edges, camps_by="thread")
    assert by_thread.thread_camps.select("thread_id", "author", "camp").rows() == [
        ("t1", "ann", 1), ("t1", "bo", 1), ("t2", "cy", None)
    ]  # fmt: skip
    assert by_thread.summary["camps"]["author_graph"]["unassigned_nodes"] == 1


def test_per_thread_camps_are_the_corpus_camps_when_threads_do_not_share_authors():
    posts, edges = thread(BAN_CARS, "a")
    other, other_edges = thread([(f"{name}2", out) for name, out in BAN_CARS], "b")
    posts, edges = pl.concat([posts, other]), pl.concat([edges, other_edges])
    ix = index_corpus(posts, edges)
    corpus = agreement_camps(ix)
    by_thread = agreement_camps(ix, camps_by="thread", thread_ids=posts["thread_id"])
    assert corpus.result.frustration == by_thread.result.frustration == 0.0
    names = by_thread.nodes.filter(pl.col("camp").is_not_null()).select("author", "camp").rows()
    assert names == [("ann", 1), ("bo", 1), ("cy", 2), ("dee", 2), ("ann2", 1), ("bo2", 1), ("cy2", 2), ("dee2", 2)]
    assert corpus.nodes.drop_nulls()["camp"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4]


def test_bad_options_say_what_was_expected():
    posts, edges = thread(BAN_CARS)
    with pytest.raises(sna.SnaError, match="camps_by must be 'corpus' or 'thread'"):
        sna.compute_metrics(posts, edges, camps_by="forum")
    with pytest.raises(sna.SnaError, match="min_camp_size must be 1 or more"):
        sna.compute_metrics(posts, edges, min_camp_size=0)
    with pytest.raises(ValueError, match="needs thread_ids"):
        agreement_camps(index_corpus(posts, edges), camps_by="thread")


def test_cli_options_reach_the_tables_and_read_back(tmp_path):
    import json

    from click.testing import CliRunner

    from sna.cli import main
    from sna.pipeline import read_results
    from tests.render.fixtures import labelled_forum

    posts, edges = labelled_forum()
    posts.write_parquet(tmp_path / "posts.parquet")
    edges.write_parquet(tmp_path / "edges.parquet")
    result = CliRunner().invoke(main, ["metrics", str(tmp_path), "--camps-by", "thread", "--min-camp-size", "3", "-q"])
    assert result.exit_code == 0, result.output
    assert "camps (per thread):" in result.output and "communities:" in result.output
    summary = json.loads((tmp_path / "summary.json").read_text())["camps"]
    assert summary["camps_by"] == "thread" and summary["min_camp_size"] == 3
    thread_camps = pl.read_parquet(tmp_path / "thread_camps.parquet")
    camps = pl.read_parquet(tmp_path / "camps.parquet")
    assert (camps["size"] >= 3).all() and camps["thread_id"].null_count() == 0
    sizes = thread_camps.drop_nulls("camp").group_by("thread_id", "camp").len().sort("thread_id", "camp")
    author_camps = camps.filter(pl.col("graph") == "author").sort("thread_id", "camp")
    assert sizes["len"].to_list() == author_camps["size"].to_list()
    _, _, metrics = read_results(tmp_path)
    assert metrics.thread_camps.equals(thread_camps)
    bad = CliRunner().invoke(main, ["metrics", str(tmp_path), "--camps-by", "forum"])
    assert bad.exit_code != 0 and "forum" in bad.output
