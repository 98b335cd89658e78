"""Stance (agree / neutral / disagree) against labelled Reddit reply pairs.

* In-domain: DEBAGREEMENT ``debagreement-subset/test.csv`` (4,292 pairs), which no
  model here was fit, tuned or selected on.
* Cross-domain: the two SubReddit agreement files (r/CovidVaccinated, r/antimaskers).
  They are in the shipped model's training data, so its scores there are in-sample;
  the honest cross-domain number is that of a model trained the same way on
  dev.csv only, also reported (and on test.csv).

Baselines in the same command, all fit on dev.csv only: the majority class; a
sentiment lexicon (positive words -> agree, negative -> disagree, else neutral:
sentiment is not agreement); TF-IDF + logistic regression on the reply text
alone.

Speed: wall-clock time of the whole ``sna stance test.csv ... --out FILE`` command
in a subprocess (Python start-up, imports, model loading, reading, labelling,
writing), median of 3 runs.

Needs scikit-learn (``pip install -e '.[train]'``) for the baselines and the
dev-only model; the shipped model itself needs numpy only.

Usage: python bench/eval_stance.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train_stance import read_debagreement, read_subreddit_agreement, train_model
from sna.stance import IMPLICIT_THRESHOLD, LABELS, build_model, load_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_POSITIVE_WORDS = (
    "good great agree agreed love like nice thanks thank true right correct best excellent awesome happy glad well "
    "yes exactly amazing wonderful fair support helpful brilliant beautiful perfect"
)
_NEGATIVE_WORDS = (
    "bad wrong hate stupid idiot dumb terrible awful worst lie lies liar no not never nonsense bullshit shit fuck "
    "crap ridiculous disagree false fake sad angry horrible pathetic moron garbage trash disgusting evil"
)
_POSITIVE, _NEGATIVE = set(_POSITIVE_WORDS.split()), set(_NEGATIVE_WORDS.split())


def lexicon_sentiment(replies: list[str]) -> np.ndarray:
    """0 disagree (more negative words), 2 agree (more positive), 1 neutral: a sentiment baseline."""
    out = []
    for text in replies:
        words = "".join(c if c.isalnum() or c == "'" else " " for c in text.lower()).split()
        score = sum(w in _POSITIVE for w in words) - sum(w in _NEGATIVE for w in words)
        out.append(2 if score > 0 else 0 if score < 0 else 1)
    return np.array(out)


def metrics(y: np.ndarray, pred: np.ndarray) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "f1_per_class": dict(
            zip(LABELS, (round(float(v), 4) for v in f1_score(y, pred, average=None, labels=[0, 1, 2])), strict=True)
        ),
        "confusion": confusion_matrix(y, pred, labels=[0, 1, 2]).tolist(),
    }


def tfidf_reply_only(train: pl.DataFrame, tests: dict[str, pl.DataFrame]) -> dict[str, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(train["reply"].to_list())
    clf = LogisticRegression(max_iter=5000, class_weight="balanced").fit(x, train["label"].to_numpy())
    return {name: clf.predict(vectorizer.transform(df["reply"].to_list())) for name, df in tests.items()}


def command_speed(test_csv: Path, runs: int = 3) -> dict:
    exe = shutil.which("sna", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "sna"]
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            out = Path(tmp) / f"pred{i}.csv"
            args = [*command, "stance", str(test_csv), "--parent-col", "body_parent", "--reply-col", "body_child",
                    "--out", str(out)]  # fmt: skip
            started = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            seconds.append(time.perf_counter() - started)
        rows = pl.read_csv(Path(tmp) / "pred0.csv", infer_schema=False).height
    median = float(np.median(seconds))
    shown = " ".join(["sna", *args[len(command) : -1], "PRED.csv"])
    return {"pairs": rows, "seconds_median": round(median, 3), "seconds_all": [round(s, 3) for s in seconds],
            "pairs_per_second": round(rows / median), "command": shown}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    deb = args.data / "debagreement-subset"
    sub = args.data / "subreddit-agreement"
    dev = read_debagreement(deb / "dev.csv")
    tests = {
        "debagreement test": read_debagreement(deb / "test.csv"),
        "CovidVaccine": read_subreddit_agreement(sub / "SubReddit-CovidVaccine.csv"),
        "MaskMandate": read_subreddit_agreement(sub / "SubReddit-MaskMandate.csv"),
    }

    shipped = load_model()
    print("training a dev.csv-only model for honest cross-domain numbers …", file=sys.stderr, flush=True)
    dev_only = build_model(train_model(dev), {"scales": shipped.meta["scales"]})
    majority = int(np.bincount(dev["label"].to_numpy()).argmax())
    tfidf = tfidf_reply_only(dev, tests)

    results: dict = {"notes": {
        "debagreement test": "held out: no model was fit, tuned or selected on it",
        "CovidVaccine": "in the shipped model's training data (in-sample); see 'stance, dev.csv only'",
        "MaskMandate": "in the shipped model's training data (in-sample); see 'stance, dev.csv only'",
    }, "datasets": {}}  # fmt: skip
    header = f"{'dataset':18} {'method':44} {'accuracy':>8} {'macro-F1':>8}   F1 disagree/neutral/agree"
    print(header)
    print("-" * len(header))
    for name, df in tests.items():
        y = df["label"].to_numpy()
        parents, replies = df["parent"].to_list(), df["reply"].to_list()
        proba = shipped.predict_proba(parents, replies)
        methods = {
            "stance (shipped default)" + ("" if name == "debagreement test" else " [in-sample]"): proba.argmax(1),
            "stance, dev.csv only": dev_only.predict_proba(parents, replies).argmax(1),
            "majority class (of dev)": np.full(len(y), majority),
            "sentiment lexicon": lexicon_sentiment(replies),
            "TF-IDF + LR, reply only (dev)": tfidf[name],
        }
        results["datasets"][name] = {"pairs": len(y), "methods": {}}
        for method, pred in methods.items():
            m = metrics(y, pred)
            results["datasets"][name]["methods"][method] = m
            f1 = "/".join(f"{m['f1_per_class'][k]:.2f}" for k in LABELS)
            print(f"{name:18} {method:44} {m['accuracy']:8.3f} {m['macro_f1']:8.3f}   {f1}")
        sure = proba.max(axis=1) >= IMPLICIT_THRESHOLD
        results["datasets"][name]["confident"] = {
            "threshold": IMPLICIT_THRESHOLD,
            "share": round(float(sure.mean()), 4),
            "accuracy": round(float((proba.argmax(1)[sure] == y[sure]).mean()), 4) if sure.any() else None,
        }
    test_result = results["datasets"]["debagreement test"]
    print("\nconfusion matrix of the shipped model on debagreement test (rows: true, columns: predicted)")
    print(f"{'':10}" + "".join(f"{k:>10}" for k in LABELS))
    for label, row in zip(LABELS, test_result["methods"]["stance (shipped default)"]["confusion"], strict=True):
        print(f"{label:10}" + "".join(f"{v:10d}" for v in row))
    conf = test_result["confident"]
    print(f"\npairs with P(label) >= {IMPLICIT_THRESHOLD} (the implicit-edge threshold): {conf['share']:.1%} of test "
          f"pairs, {conf['accuracy']:.3f} accuracy")  # fmt: skip

    speed = command_speed(deb / "test.csv")
    results["speed"] = speed
    print(f"\nwhole command, {speed['pairs']:,} pairs: {speed['seconds_median']:.2f} s median of "
          f"{len(speed['seconds_all'])} = {speed['pairs_per_second']:,} pairs/s  ({speed['command']})")  # fmt: skip
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "eval_stance.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out / 'eval_stance.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
