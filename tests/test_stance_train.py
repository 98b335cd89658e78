"""Training the default stance model: deterministic bytes (across processes and thread counts), the right minimiser."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.helpers import DATA

pytestmark = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                reason="training needs scikit-learn: pip install -e '.[train]'")  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
from pathlib import Path
import numpy as np
import polars as pl
sys.path.insert(0, {root!r})
from bench.train_stance import CHOSEN, DISTILLED, train_model
from sna.stance.model import write_model

sample = pl.read_csv({sample!r}, infer_schema=False)
hard = sample.select(parent="body_parent", reply="body_child", label=pl.col("label").cast(pl.Int64),
                     group="msg_id_child", source=pl.lit("dev"))
posts = pl.read_csv({posts!r}, infer_schema=False)
soft = pl.DataFrame({{"parent": posts["text"][:-1], "reply": posts["text"][1:]}}).head(30).select(
    "parent", "reply", label=pl.lit(-1, pl.Int64), group=pl.lit("iac"), source=pl.lit("soft"))
proba = np.tile([0.2, 0.3, 0.5], (soft.height, 1))
proba[::3] = [0.6, 0.3, 0.1]
arrays = train_model(pl.concat([hard, soft]), config={{**CHOSEN, **DISTILLED}}, soft=proba)
write_model(arrays, {{"scales": CHOSEN["scales"], "name": "test"}}, Path(sys.argv[1]))
"""


def _train(path: Path, threads: str) -> bytes:
    code = SCRIPT.format(root=str(ROOT), sample=str(DATA / "debagreement-dev-sample.csv"),
                         posts=str(DATA / "iac-8052-posts.csv"))  # fmt: skip
    env = {**os.environ, **{name: threads for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, env=env)
    return path.read_bytes()


def test_training_with_soft_labels_gives_the_same_file_in_two_processes_with_other_thread_counts(tmp_path):
    first, second = _train(tmp_path / "a.npz", "1"), _train(tmp_path / "b.npz", "2")
    assert first == second
    from sna.stance.model import read_model

    model = read_model(tmp_path / "a.npz")
    assert model.predict_proba(["Tea is best."], ["Exactly, well said."]).shape == (1, 3)


def test_soft_labels_count_once_per_class_by_their_probability():
    from bench.train_stance import CHOSEN, DISTILLED, train_model

    sample = pl.read_csv(DATA / "debagreement-dev-sample.csv", infer_schema=False)
    hard = sample.select(parent="body_parent", reply="body_child", label=pl.col("label").cast(pl.Int64),
                         group="msg_id_child", source=pl.lit("dev"))  # fmt: skip
    agreeing = pl.DataFrame({"parent": ["We should build more trains."] * 20,
                             "reply": [f"Absolutely right, trains {i} rock." for i in range(20)]})  # fmt: skip
    soft = agreeing.select("parent", "reply", label=pl.lit(-1, pl.Int64), group=pl.lit("x"), source=pl.lit("soft"))
    pairs = pl.concat([hard, soft])
    from sna.stance.model import build_model

    def p_agree(proba):
        model = build_model(train_model(pairs, config={**CHOSEN, **DISTILLED}, soft=np.tile(proba, (20, 1))),
                            {"scales": CHOSEN["scales"]})  # fmt: skip
        return model.predict_proba(["We should build more trains."], ["Absolutely right, trains rock."])[0, 2]

    assert p_agree([0.05, 0.05, 0.9]) > p_agree([0.9, 0.05, 0.05])


def _tiny_problem():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    x = sp.random(60, 8, density=0.4, random_state=1, format="csr")
    y = rng.integers(0, 3, 60)
    return x, y


def test_fit_softmax_finds_the_same_model_as_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    from bench.train_stance import fit_softmax

    x, y = _tiny_problem()
    targets = np.zeros((60, 3))
    targets[np.arange(60), y] = 1.0
    coef, intercept = fit_softmax(x, targets, c=0.5)
    reference = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(x, y)
    assert np.allclose(coef, reference.coef_, atol=1e-4)
    assert np.allclose(intercept, reference.intercept_ - reference.intercept_.mean(), atol=1e-4)


def test_a_soft_label_of_probability_one_counts_as_a_hard_label():
    from bench.train_stance import CHOSEN, DISTILLED, target_weights

    config = {**CHOSEN, **DISTILLED}
    y = np.array([0, 2, 1, 2])
    one_hot = np.eye(3)[y]
    soft = target_weights(y[:2], np.ones(2), one_hot[2:] / config["soft_weight"], config)
    hard = target_weights(y, np.ones(4), None, config)
    assert np.allclose(soft, hard)
    assert np.allclose(hard.sum(axis=0), hard.sum() / 3)  # balanced: every class carries the same weight
