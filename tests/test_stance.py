"""Stance per pair and per edge: the shipped model, its API and its file format."""

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import sna
from sna.errors import SchemaError, SnaError
from sna.schema import EDGES_SCHEMA, conform, validate_edges
from sna.stance import (
    IMPLICIT_THRESHOLD,
    LABELS,
    label_edges,
    load_model,
    predict_stance,
    read_model,
    write_model,
)
from sna.stance.features import clean_text, extract, tokens
from tests.helpers import DATA

AGREE = [
    ("We need to invest much more in renewable energy.", "Exactly this. Couldn't agree more."),
    ("Masks reduce transmission in indoor spaces.", "Well said, I totally agree with you."),
    ("The vaccine is safe for most people.", "Yes, absolutely true. Thanks for sharing."),
]
DISAGREE = [
    (
        "Russia is selling Pakistan its best fighter jets now.",
        "Good luck if you think Russians are selling you topshelf armaments",
    ),
    ("The election was stolen.", "No, it wasn't. That is a lie and you know it."),
]
NEUTRAL = [("Does anyone know when the second dose is due?", "Mine was three weeks after the first one.")]


def _predict(pairs):
    return predict_stance([p for p, _ in pairs], [r for _, r in pairs])


@pytest.mark.parametrize(("pairs", "label"), [(AGREE, "agree"), (DISAGREE, "disagree"), (NEUTRAL, "neutral")])
def test_obvious_pairs_get_their_label(pairs, label):
    assert _predict(pairs)["stance"].to_list() == [label] * len(pairs)


def test_sarcastic_good_luck_is_disagreement_not_positive_sentiment():
    out = predict_stance(
        ["Russia is selling Pakistan its best fighter jets now."],
        ["Good luck if you think Russians are selling you topshelf armaments"],
    )
    assert out["stance"][0] == "disagree"
    assert out["stance_score"][0] < -0.3


def test_scores_lie_in_range_and_agree_with_the_label():
    out = _predict(AGREE + DISAGREE + NEUTRAL + [("", ""), ("a", "?"), ("Tea.", "Coffee!" * 500)])
    score = out["stance_score"].to_numpy()
    assert ((score >= -1) & (score <= 1)).all()
    probs = out.select("p_disagree", "p_neutral", "p_agree").to_numpy()
    assert np.allclose(probs.sum(axis=1), 1)
    assert np.allclose(score, probs[:, 2] - probs[:, 0])
    labels = out["stance"].to_numpy()
    assert (score[labels == "agree"] > 0).all()
    assert (score[labels == "disagree"] < 0).all()
    assert (np.array(LABELS)[probs.argmax(axis=1)] == labels).all()


def test_prediction_is_deterministic_and_independent_of_batching():
    pairs = AGREE + DISAGREE + NEUTRAL
    whole = _predict(pairs)
    alone = pl.concat([_predict([pair]) for pair in pairs])
    assert whole.equals(_predict(pairs))
    assert np.allclose(whole["stance_score"].to_numpy(), alone["stance_score"].to_numpy(), atol=1e-12)


def test_empty_and_mismatched_input():
    assert predict_stance([], []).columns == ["stance", "stance_score", "p_disagree", "p_neutral", "p_agree"]
    assert predict_stance([], []).height == 0
    with pytest.raises(ValueError, match="2 parents but 1 replies"):
        predict_stance(["a", "b"], ["c"])


def test_shipped_model_beats_the_majority_class_on_dev_sample():
    # 48 pairs of DEBAGREEMENT dev.csv (16 per class): in the model's training data, so this checks that the
    # shipped weights are wired to the features, not how well the model generalises (bench/eval_stance.py does).
    sample = pl.read_csv(DATA / "debagreement-dev-sample.csv", infer_schema=False)
    truth = sample["label"].replace_strict({"0": "disagree", "1": "neutral", "2": "agree"})
    pred = predict_stance(sample["body_parent"].to_list(), sample["body_child"].to_list())["stance"]
    majority = truth.value_counts().sort("count")["count"][-1] / sample.height
    assert (pred == truth).mean() > majority + 0.2


def test_model_file_is_small_and_describes_itself():
    path = Path(sna.__file__).parent / "models" / "stance-default.npz"
    assert path.stat().st_size <= 20 * 1024 * 1024
    model = load_model()
    assert model is load_model()
    assert model.meta["labels"] == list(LABELS)
    assert "debagreement-subset/dev.csv" in model.meta["trained_on"]["files"]
    assert "test.csv" not in " ".join(model.meta["trained_on"]["files"])
    card = (path.parent / "stance-default.json").read_text()
    assert "Lei & Huang" in card and "Pougue-Biyong" in card


def test_model_round_trips_through_a_reproducible_file(tmp_path):
    model = load_model()
    arrays = {"intercept": model.intercept.astype(np.float32),
              "dense.mean": model.dense_mean, "dense.scale": model.dense_scale,
              "dense.weights": model.dense_weights / model.meta["scales"]["dense"]}  # fmt: skip
    for name, block in model.blocks.items():
        arrays |= {f"{name}.buckets": block.buckets, f"{name}.idf": block.idf, f"{name}.weights": block.weights}
    meta = {"scales": model.meta["scales"], "name": "copy"}
    write_model(arrays, meta, tmp_path / "a.npz")
    write_model(arrays, meta, tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    copy = read_model(tmp_path / "a.npz")
    pairs = AGREE + DISAGREE
    assert _predict(pairs).equals(predict_stance([p for p, _ in pairs], [r for _, r in pairs], model=copy))


def test_reading_a_bad_model_file_is_one_clear_error(tmp_path):
    with pytest.raises(SnaError, match="no such model file"):
        read_model(tmp_path / "missing.npz")
    (tmp_path / "bad.npz").write_text("not a zip")
    with pytest.raises(SnaError, match="bad.npz: cannot read as a stance model"):
        read_model(tmp_path / "bad.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(SnaError, match="not a stance model"):
        read_model(tmp_path / "other.npz")


def test_features_clean_quotes_links_and_mark_negation():
    assert clean_text("> quoted parent\nMy reply http://a.b/c") == "my reply httpurl"
    assert clean_text(None) == ""
    assert tokens("not good. fine") == ["not", "NOT_good", "fine"]
    raw = extract(["a b"], ["c d"])
    rows, _, counts = raw.blocks["reply_words"]
    assert rows.tolist() == [0, 0, 0] and counts.tolist() == [1, 1, 1]  # c, d, "c d"
    assert raw.blocks["reply_opening"][0].tolist() == [0, 0]  # ^c, ^c d


# --- label_edges -------------------------------------------------------------


def _corpus():
    posts = pl.DataFrame(
        {
            "post_id": ["a", "b", "c", "d", "e"],
            "text": [
                "Remote work makes teams more productive.",
                "Exactly this, well said. Totally agree.",
                "No, that's just wrong. Source?",
                "Hello everyone",
                "",
            ],
        }
    )
    edges = conform(
        pl.DataFrame(
            {
                "source": ["b", "c", "d", "e", "c"],
                "target": ["a", "a", "a", "a", "b"],
                "source_author": ["bo", "cy", "di", None, "cy"],
                "kind": ["reply", "quote", "implicit", "reply", "quote"],
                "quoted_text": [None, "Remote work makes teams more productive.", None, None, "well said"],
            }
        ),
        EDGES_SCHEMA,
    )
    return posts, edges


class _Recorder:
    """A stand-in model that records what it is asked and answers fixed probabilities."""

    def __init__(self, proba):
        self.proba = np.array(proba, dtype=float)
        self.calls = []

    def predict_proba(self, parents, replies):
        self.calls.append((list(parents), list(replies)))
        return np.tile(self.proba, (len(replies), 1))


def test_label_edges_fills_quote_and_reply_edges_and_keeps_everything_else():
    posts, edges = _corpus()
    out = label_edges(posts, edges)
    assert out["stance"].to_list()[:2] == ["agree", "disagree"]
    assert out["stance"][3] is None and out["stance_score"][3] is None  # reply without words
    assert out.drop("stance", "stance_score").equals(edges.drop("stance", "stance_score"))
    assert out.columns == edges.columns
    assert out.schema == edges.schema
    validate_edges(out)


def test_quote_edges_answer_the_quoted_words_other_edges_the_target_post():
    posts, edges = _corpus()
    model = _Recorder([0.2, 0.3, 0.5])
    label_edges(posts, edges, model=model, implicit_threshold=None)
    parents, replies = model.calls[0]
    assert parents == [posts["text"][0], "Remote work makes teams more productive.", "well said"]
    assert replies == [posts["text"][1], posts["text"][2], posts["text"][2]]


@pytest.mark.parametrize(("threshold", "labelled"), [(0.9, False), (0.8, True), (None, False)])
def test_implicit_edges_stay_null_unless_the_model_is_sure(threshold, labelled):
    posts, edges = _corpus()
    out = label_edges(posts, edges, model=_Recorder([0.1, 0.1, 0.8]), implicit_threshold=threshold)
    implicit = out.filter(pl.col("kind") == "implicit")
    assert (implicit["stance"][0] == "agree") is labelled
    assert implicit["stance_score"].is_null()[0] is not labelled
    assert out.filter(pl.col("kind") != "implicit")["stance"].to_list() == ["agree", "agree", None, "agree"]


def test_default_threshold_applies_to_real_implicit_edges():
    posts, edges = _corpus()
    out = label_edges(posts, edges)
    assert out.filter(pl.col("kind") == "implicit")["stance"][0] is None  # "Hello everyone" is not sure
    assert 0.5 < IMPLICIT_THRESHOLD < 1


def test_label_edges_with_only_some_kinds_and_bad_arguments():
    posts, edges = _corpus()
    out = label_edges(posts, edges, kinds=("quote",), implicit_threshold=None)
    assert out["stance"].is_null().to_list() == [True, False, True, True, False]
    with pytest.raises(SchemaError, match="implicit_threshold must lie in"):
        label_edges(posts, edges, implicit_threshold=1.5)
    with pytest.raises(SchemaError, match="edges: missing column"):
        label_edges(posts, edges.drop("quoted_text"))


def test_label_edges_replaces_old_labels_and_handles_no_edges():
    posts, edges = _corpus()
    stale = edges.with_columns(stance=pl.lit("neutral"), stance_score=pl.lit(0.0))
    assert label_edges(posts, stale).equals(label_edges(posts, edges))
    empty = edges.head(0)
    assert label_edges(posts, empty).equals(empty)


@pytest.mark.parametrize(("confidence", "labelled"), [(0.55, True), (0.6, False), (None, True)])
def test_min_confidence_leaves_unsure_links_unlabelled(confidence, labelled):
    posts, edges = _corpus()
    out = label_edges(posts, edges, model=_Recorder([0.2, 0.25, 0.55]), implicit_threshold=None,
                      min_confidence=confidence)  # fmt: skip
    labels = out.filter(pl.col("kind") != "implicit")["stance"].to_list()
    assert labels == (["agree", "agree", None, "agree"] if labelled else [None] * 4)
    assert out["stance_score"].is_null().sum() == (2 if labelled else 5)


def test_min_confidence_and_model_names_are_checked():
    posts, edges = _corpus()
    with pytest.raises(SchemaError, match="min_confidence must lie in"):
        label_edges(posts, edges, min_confidence=-0.1)
    with pytest.raises(SnaError, match="unknown stance model 'huge' \\(models: default, accurate\\)"):
        label_edges(posts, edges, model="huge")
    assert label_edges(posts, edges, model="default").equals(label_edges(posts, edges))
