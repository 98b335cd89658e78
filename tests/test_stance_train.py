"""Training the default stance model is deterministic: the same data give the same bytes (also across processes)."""

import importlib.util
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


def _train(path: Path) -> bytes:
    code = SCRIPT.format(root=str(ROOT), sample=str(DATA / "debagreement-dev-sample.csv"),
                         posts=str(DATA / "iac-8052-posts.csv"))  # fmt: skip
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True)
    return path.read_bytes()


def test_training_with_soft_labels_gives_the_same_file_in_two_processes(tmp_path):
    first, second = _train(tmp_path / "a.npz"), _train(tmp_path / "b.npz")
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
