"""Agree / neutral / disagree: the stance of a reply towards the words it answers.

A reply's stance is read from its own words *and* the words it answers, not
from its sentiment: "Good luck if you think Russians are selling you topshelf
armaments" is friendly-sounding disagreement. The default model (shipped in
``sna/models/stance-default.npz``, trained by ``make train-stance``) is a
linear classifier over hashed words and word pairs of both texts, the reply's
opening words and a few numbers about the pair
(:mod:`sna.stance.features`); it needs numpy only and labels thousands of pairs
a second.

An opt-in **accurate model** (``model="accurate"``, ``--stance-model accurate``;
``pip install 'sna[accurate]'``) is a fine-tuned MiniLM transformer run with
onnxruntime on the CPU (:mod:`sna.stance.accurate`): more accurate, a few hundred
times slower.

``stance_score`` is P(agree) − P(disagree), in [-1, 1]: positive for agree,
negative for disagree, near 0 for neutral or unsure. With ``min_confidence``
links whose most probable label has a lower probability stay unlabelled.

Two entry points:

* :func:`predict_stance` for any parallel lists of parent and reply texts;
* :func:`label_edges` to fill ``stance`` and ``stance_score`` in EDGES.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from sna.errors import SchemaError, SnaError
from sna.schema import EDGES_SCHEMA
from sna.stance.model import LABELS, StanceModel, build_model, load_model, read_model, write_model

__all__ = [
    "IMPLICIT_THRESHOLD",
    "LABELS",
    "MODELS",
    "STANCE_KINDS",
    "StanceModel",
    "build_model",
    "label_edges",
    "load_model",
    "predict_stance",
    "read_model",
    "resolve_model",
    "write_model",
]

MODELS = ("default", "accurate")
"""Names of the shipped models: the hashed linear default and the fine-tuned transformer."""

STANCE_KINDS = ("quote", "reply")
"""Edge kinds labelled by default: the replier states what it answers."""

IMPLICIT_THRESHOLD = 0.7
"""Least probability of its label for an ``implicit`` edge to be labelled.

An implicit edge is only a guess that a post answers its thread's first post,
so it keeps a null stance unless the model is sure. On held-out folds of its
training data (5-fold cross-validation on DEBAGREEMENT dev.csv) the default
model reaches 0.7 on 11 % of pairs and is right on 83 % of those, against 56 %
over all pairs (0.6: 23 % of pairs, 76 % right; 0.8: 4 %, 89 %). Its
probabilities are well calibrated there: pairs given 0.7–0.8 are right 79 % of
the time.
"""


def resolve_model(model: Any = None) -> Any:
    """The model to use: ``None`` or ``"default"``, ``"accurate"``, or a model object as it is.

    Raises
    ------
    SnaError
        For another name, or when the accurate model's extra is not installed.

    Examples
    --------
    >>> resolve_model("default") is load_model()
    True
    """
    if model is None or (isinstance(model, str) and model == "default"):
        return load_model()
    if isinstance(model, str):
        if model == "accurate":
            from sna.stance.accurate import load_accurate

            return load_accurate()
        raise SnaError(f"unknown stance model {model!r} (models: {', '.join(MODELS)})")
    return model


def _check_confidence(name: str, value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise SchemaError(f"{name} must lie in [0, 1], got {value}")


def predict_stance(
    parents: Sequence[str | None] | pl.Series,
    replies: Sequence[str | None] | pl.Series,
    *,
    model: Any = None,
) -> pl.DataFrame:
    """Label each reply as agreeing, neutral or disagreeing with its parent.

    Parameters
    ----------
    parents : sequence of str
        The words each reply answers (a parent post, or the passage quoted).
    replies : sequence of str
        The replies' own words, aligned with ``parents``.
    model : StanceModel, AccurateModel or str, optional
        ``"default"`` (the default: :func:`load_model`), ``"accurate"`` or a model.

    Returns
    -------
    pl.DataFrame
        One row per pair, in order: ``stance`` (``agree``, ``neutral`` or
        ``disagree``: the most probable), ``stance_score`` (P(agree) −
        P(disagree), in [-1, 1]) and ``p_disagree``, ``p_neutral``,
        ``p_agree``.

    Raises
    ------
    ValueError
        When the two sequences differ in length.

    Examples
    --------
    >>> out = predict_stance(
    ...     ["We should leave the EU.", "The vaccine is safe for most people."],
    ...     ["Exactly this. Couldn't agree more.", "No, that's just wrong. Source?"])
    >>> out["stance"].to_list()
    ['agree', 'disagree']
    >>> bool(out["stance_score"][0] > 0 > out["stance_score"][1])
    True
    """
    if len(parents) != len(replies):
        raise ValueError(f"{len(parents)} parents but {len(replies)} replies")
    model = resolve_model(model)
    proba = model.predict_proba(*(t if isinstance(t, pl.Series) else list(t) for t in (parents, replies)))
    label = np.array(LABELS, dtype=object)[proba.argmax(axis=1)] if len(proba) else np.array([], dtype=object)
    return pl.DataFrame(
        {
            "stance": pl.Series(label.tolist(), dtype=pl.String),
            "stance_score": np.clip(proba[:, 2] - proba[:, 0], -1.0, 1.0),
            "p_disagree": proba[:, 0],
            "p_neutral": proba[:, 1],
            "p_agree": proba[:, 2],
        }
    )


def label_edges(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    *,
    model: Any = None,
    kinds: Iterable[str] = STANCE_KINDS,
    implicit_threshold: float | None = IMPLICIT_THRESHOLD,
    min_confidence: float | None = None,
) -> pl.DataFrame:
    """Fill ``stance`` and ``stance_score`` of EDGES from the posts' words.

    The reply is the ``source`` post's own words (POSTS ``text``); what it
    answers is the ``quoted_text`` of a quote edge, else the ``target`` post's
    text. Edges of ``kinds`` are labelled; ``implicit`` edges (when not in
    ``kinds``) are labelled only where the model's probability for its label
    reaches ``implicit_threshold`` (``None``: never). With ``min_confidence``,
    any edge whose label has a lower probability stays unlabelled (abstention).
    Every other edge, and every edge whose reply or parent has no words, gets
    null. No other column changes, and rows keep their order.

    Parameters
    ----------
    posts : pl.DataFrame
        POSTS (``post_id`` and ``text`` are used).
    edges : pl.DataFrame
        EDGES.
    model : StanceModel, AccurateModel or str, optional
        ``"default"`` (the default), ``"accurate"`` or a model.
    kinds : iterable of str
        Edge kinds always labelled.
    implicit_threshold : float or None
        Least probability for labelling an implicit edge.
    min_confidence : float or None
        Least probability of its label for any edge to be labelled.

    Returns
    -------
    pl.DataFrame
        ``edges`` with ``stance`` and ``stance_score`` replaced.

    Raises
    ------
    SchemaError
        When a column is missing or a threshold is not in [0, 1].
    SnaError
        For an unknown model name.

    Examples
    --------
    >>> posts = pl.DataFrame({"post_id": ["a", "b", "c"],
    ...     "text": ["Remote work makes teams more productive.", "Exactly this, well said.", "Hello all"]})
    >>> edges = pl.DataFrame({"source": ["b", "c"], "target": ["a", "a"], "kind": ["reply", "implicit"],
    ...     "quoted_text": [None, None], "stance": [None, None], "stance_score": [None, None]},
    ...     schema_overrides={"quoted_text": pl.String, "stance": pl.String, "stance_score": pl.Float64})
    >>> label_edges(posts, edges)["stance"].to_list()
    ['agree', None]
    """
    for table, frame, needed in (("posts", posts, ("post_id", "text")),
                                 ("edges", edges, ("source", "target", "kind", "quoted_text"))):  # fmt: skip
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise SchemaError(f"{table}: missing column(s) {', '.join(missing)}")
    _check_confidence("implicit_threshold", implicit_threshold)
    _check_confidence("min_confidence", min_confidence)
    kinds = tuple(kinds)
    text = posts.select(pl.col("post_id"), pl.col("text").cast(pl.String))
    pairs = (
        edges.select("source", "target", "kind", pl.col("quoted_text").cast(pl.String))
        .with_row_index("_row")
        .join(text.rename({"post_id": "source", "text": "_reply"}), on="source", how="left")
        .join(text.rename({"post_id": "target", "text": "_target"}), on="target", how="left")
        .sort("_row")
        .with_columns(
            _parent=pl.when((pl.col("kind") == "quote") & (pl.col("quoted_text").str.strip_chars() != ""))
            .then(pl.col("quoted_text"))
            .otherwise(pl.col("_target"))
        )
    )
    wanted = pl.col("kind").is_in(kinds)
    if implicit_threshold is not None and "implicit" not in kinds:
        wanted = wanted | (pl.col("kind") == "implicit")
    has_words = (pl.col("_reply").str.strip_chars() != "") & (pl.col("_parent").str.strip_chars() != "")
    todo = pairs.filter(wanted & has_words.fill_null(False))
    stance = pl.Series("stance", [None] * edges.height, dtype=pl.String)
    score = pl.Series("stance_score", [None] * edges.height, dtype=pl.Float64)
    if todo.height:
        pred = predict_stance(todo["_parent"], todo["_reply"], model=model)
        sure = pred.select(pl.max_horizontal("p_disagree", "p_neutral", "p_agree")).to_series()
        keep = todo["kind"].is_in(kinds) | (sure >= (implicit_threshold if implicit_threshold is not None else 2.0))
        if min_confidence is not None:
            keep = keep & (sure >= min_confidence)
        rows = todo["_row"].filter(keep).cast(pl.Int64).to_numpy()
        values = stance.to_numpy().astype(object)
        values[rows] = pred["stance"].filter(keep).to_numpy()
        stance = pl.Series("stance", values.tolist(), dtype=pl.String)
        numbers = np.full(edges.height, np.nan)
        numbers[rows] = pred["stance_score"].filter(keep).to_numpy()
        score = pl.Series("stance_score", numbers).fill_nan(None)
    columns = {"stance": stance, "stance_score": score}
    if "stance" not in edges.columns or "stance_score" not in edges.columns:
        dtypes = {"stance": EDGES_SCHEMA["stance"], "stance_score": EDGES_SCHEMA["stance_score"]}
        return edges.with_columns(pl.Series(name, columns[name], dtype=dtypes[name]) for name in columns)
    return edges.with_columns(columns["stance"], columns["stance_score"])
