"""Stance (agree / neutral / disagree) against labelled reply pairs: every model and baseline in one run.

Datasets:

* **DEBAGREEMENT test** (``debagreement-subset/test.csv``, 4,292 Reddit pairs), which no
  model here was fit, tuned or selected on. Dev and test share parent comments (their
  count is printed), so accuracy is also given on the test pairs whose parent is not in
  dev.csv.
* **Cross-domain**: the two SubReddit agreement files (r/CovidVaccinated, r/antimaskers).
  They are in the shipped default model's training data, so its scores there are
  in-sample; the shipped recipe without them (dev.csv and the soft labels) is the honest
  cross-domain number, as is a default trained on dev.csv only (the accurate model
  never saw them).
* **The seed thread's 12 quote pairs**, labelled by hand (``tests/data/seed-quote-stance.csv``).

Methods, all fit on dev.csv only unless said: the majority class; a sentiment lexicon
(positive words -> agree, negative -> disagree: sentiment is not agreement); TF-IDF +
logistic regression on the reply text alone; the shipped default model (distilled: also
fit on the accurate model's soft labels of other forums' pairs); the same recipe without
the SubReddit pairs; the default trained on dev.csv only; the accurate model
(``--stance-model accurate``, when its extra is installed).

Also: expected calibration error (10 bins) and a reliability diagram of both models
(``bench/out/stance-reliability.png``), accuracy and coverage when unsure links are left
unlabelled (``min_confidence``), and the speed of the whole ``sna stance`` command
(start-up included) for both models.

Needs scikit-learn (``pip install -e '.[train]'``).

Usage: python bench/eval_stance.py [--data ../shared/data] [--speed-pairs 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train_stance import CHOSEN, read_debagreement, read_subreddit_agreement, train_model, training_data
from sna.errors import SnaError
from sna.stance import LABELS, build_model, load_model
from sna.stance.calibration import expected_calibration_error, reliability

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
CONFIDENCE_LEVELS = (0.5, 0.6, 0.7, 0.8)


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
        "macro_f1": round(float(f1_score(y, pred, average="macro", labels=[0, 1, 2])), 4),
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


def seed_pairs() -> pl.DataFrame:
    """The seed thread's quote pairs with the hand labels of tests/data/seed-quote-stance.csv."""
    import sna

    seed = sna.ingest([ROOT / "tests" / "data" / "seed-pakistan-ussr-thread.txt"])
    gold = pl.read_csv(ROOT / "tests" / "data" / "seed-quote-stance.csv").rename({"stance": "gold"})
    text = seed.posts.select("post_id", "text")
    quotes = seed.edges.filter(pl.col("kind") == "quote").join(gold, on=["source", "target"], how="inner")
    quotes = quotes.join(text.rename({"post_id": "source", "text": "reply"}), on="source")
    return quotes.select(
        parent=pl.col("quoted_text"),
        reply="reply",
        label=pl.col("gold").replace_strict({k: i for i, k in enumerate(LABELS)}, return_dtype=pl.Int64),
        group="target",
        source=pl.lit("seed"),
    )


def cached_proba(model, name: str, parents: list[str], replies: list[str]) -> np.ndarray:
    """The accurate model's probabilities, kept in bench/out/cache by model and texts (reruns are slow)."""
    import hashlib

    digest = hashlib.sha1("\x00".join(parents + replies).encode()).hexdigest()[:12]
    path = HERE / "out" / "cache" / f"eval-{model.key}-{name.replace(' ', '-').replace(',', '')}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    started = time.perf_counter()
    proba = model.predict_proba(parents, replies)
    print(f"  (accurate model: {len(replies):,} pairs in {time.perf_counter() - started:.0f} s)", file=sys.stderr,
          flush=True)  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, proba)
    return proba


def accurate_model():
    """The accurate model, or why it cannot be used here."""
    try:
        from sna.stance.accurate import load_accurate

        model = load_accurate()
        model.session()
        return model, None
    except (SnaError, ImportError) as exc:
        return None, str(exc)


def command_speed(test_csv: Path, pairs: int, model: str, runs: int, cache: Path | None = None) -> dict:
    """Wall time of the whole ``sna stance`` command on the first ``pairs`` rows of test.csv."""
    exe = shutil.which("sna", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "sna"]
    seconds = []
    env = dict(os.environ)
    if cache is not None:
        env["SNA_CACHE_DIR"] = str(cache)
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "pairs.csv"
        pl.read_csv(test_csv, infer_schema=False).head(pairs).write_csv(subset)
        for i in range(runs):
            out = Path(tmp) / f"pred{i}.csv"
            args = [
                *command,
                "stance",
                str(subset),
                "--parent-col",
                "body_parent",
                "--reply-col",
                "body_child",
                "--stance-model",
                model,
                "--out",
                str(out),
            ]
            started = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True, env=env)
            seconds.append(time.perf_counter() - started)
    median = float(np.median(seconds))
    return {
        "model": model,
        "pairs": pairs,
        "seconds_median": round(median, 3),
        "seconds_all": [round(s, 3) for s in seconds],
        "pairs_per_second": round(pairs / median, 1),
    }


def reliability_figure(curves: dict[str, pl.DataFrame], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 4.2), dpi=150)
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", label="perfect calibration")
    for (name, table), colour in zip(curves.items(), ("#0072B2", "#D55E00", "#009E73"), strict=False):
        ax.plot(table["confidence"], table["accuracy"], marker="o", color=colour, label=name)
    ax.set_xlabel("probability of the predicted label")
    ax.set_ylabel("share of pairs where it is right")
    ax.set_xlim(0.3, 1)
    ax.set_ylim(0.3, 1)
    ax.set_title("Stance models on DEBAGREEMENT test", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--speed-pairs", type=int, default=1000, help="Rows of test.csv for the command timings.")
    args = parser.parse_args()
    deb = args.data / "debagreement-subset"
    sub = args.data / "subreddit-agreement"
    dev = read_debagreement(deb / "dev.csv")
    test = read_debagreement(deb / "test.csv")
    shared = set(dev["group"].to_list()) & set(test["group"].to_list())
    unseen_rows = np.flatnonzero(~test["group"].is_in(list(shared)).to_numpy())
    unseen = test[unseen_rows]
    tests = {
        "debagreement test": test,
        "test, parent not in dev": unseen,
        "CovidVaccine": read_subreddit_agreement(sub / "SubReddit-CovidVaccine.csv"),
        "MaskMandate": read_subreddit_agreement(sub / "SubReddit-MaskMandate.csv"),
        "seed quotes": seed_pairs(),
    }
    print(
        f"dev.csv and test.csv share {len(shared)} parent comments ({test.height - unseen.height} test pairs); "
        f"'test, parent not in dev' is the other {unseen.height} test pairs",
        flush=True,
    )

    shipped = load_model()
    print("training a dev.csv-only default model for honest cross-domain numbers …", file=sys.stderr, flush=True)
    scales = {"scales": shipped.meta.get("scales", CHOSEN["scales"])}
    dev_only = build_model(train_model(dev), scales)
    no_subreddit = None
    distilled = [f for f in shipped.meta["trained_on"]["files"] if "labelled by the accurate model" in f]
    if distilled:  # the shipped recipe without the SubReddit pairs: honest cross-domain numbers for it
        print("training the shipped recipe without the SubReddit agreement pairs …", file=sys.stderr, flush=True)
        pairs, _, soft = training_data(args.data, subreddit=False, soft=HERE / "data" / distilled[0].split(":")[0])
        no_subreddit = build_model(train_model(pairs, soft=soft), scales)
    majority = int(np.bincount(dev["label"].to_numpy()).argmax())
    tfidf = tfidf_reply_only(dev, tests)
    accurate, why_not = accurate_model()
    if accurate is None:
        print(f"accurate model skipped: {why_not}", flush=True)

    results: dict = {"shared_parents": len(shared), "datasets": {}, "calibration": {}, "abstention": {}}
    header = f"{'dataset':24} {'method':40} {'pairs':>5} {'accuracy':>8} {'macro-F1':>8}   F1 disagree/neutral/agree"
    print(header)
    print("-" * len(header))
    probabilities: dict[str, dict[str, np.ndarray]] = {}
    for name, df in tests.items():
        y = df["label"].to_numpy()
        parents, replies = df["parent"].to_list(), df["reply"].to_list()
        in_sample = name in ("CovidVaccine", "MaskMandate") and any(
            "subreddit" in f for f in shipped.meta["trained_on"]["files"]
        )
        proba = {"default": shipped.predict_proba(parents, replies)}
        if name == "test, parent not in dev" and "accurate" in probabilities["debagreement test"]:
            proba["accurate"] = probabilities["debagreement test"]["accurate"][unseen_rows]
        elif accurate is not None:
            proba["accurate"] = cached_proba(accurate, name, parents, replies)
        probabilities[name] = proba
        methods = {
            "majority class (of dev)": np.full(len(y), majority),
            "sentiment lexicon": lexicon_sentiment(replies),
            "TF-IDF + LR, reply only (dev)": tfidf[name],
            "default model (shipped)" + (" [in-sample]" if in_sample else ""): proba["default"].argmax(1),
            "default model, dev.csv only": dev_only.predict_proba(parents, replies).argmax(1),
        }
        if no_subreddit is not None:
            methods["default model, dev.csv + soft labels"] = no_subreddit.predict_proba(parents, replies).argmax(1)
        if "accurate" in proba:
            methods["accurate model"] = proba["accurate"].argmax(1)
        results["datasets"][name] = {"pairs": len(y), "methods": {}}
        for method, pred in methods.items():
            m = metrics(y, pred)
            results["datasets"][name]["methods"][method] = m
            f1 = "/".join(f"{m['f1_per_class'][k]:.2f}" for k in LABELS)
            print(f"{name:24} {method:40} {len(y):5d} {m['accuracy']:8.3f} {m['macro_f1']:8.3f}   {f1}")

    y = test["label"].to_numpy()
    print("\ncalibration on debagreement test (10 bins): expected calibration error")
    curves = {}
    for model_name, proba in probabilities["debagreement test"].items():
        ece = expected_calibration_error(proba, y)
        curves[f"{model_name} (ECE {ece:.3f})"] = reliability(proba, y)
        results["calibration"][model_name] = {"ece": round(ece, 4), "reliability": reliability(proba, y).to_dicts()}
        print(f"  {model_name:10} ECE {ece:.3f}")
        rows = []
        for level in CONFIDENCE_LEVELS:
            sure = proba.max(1) >= level
            acc = float((proba.argmax(1)[sure] == y[sure]).mean()) if sure.any() else float("nan")
            rows.append({"min_confidence": level, "labelled": round(float(sure.mean()), 4), "accuracy": round(acc, 4)})
        results["abstention"][model_name] = rows
        print(
            "    min_confidence "
            + "  ".join(f"{r['min_confidence']}: {r['labelled']:.0%} labelled, {r['accuracy']:.3f} right" for r in rows)
        )
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    figure = out / "stance-reliability.png"
    reliability_figure(curves, figure)
    print(f"reliability diagram: {figure}")

    speeds = [command_speed(deb / "test.csv", args.speed_pairs, "default", 3)]
    if accurate is not None:
        with tempfile.TemporaryDirectory() as cold:
            speeds.append(
                {
                    **command_speed(deb / "test.csv", args.speed_pairs, "accurate", 1, Path(cold)),
                    "note": "first run: assembles and quantises the ONNX model into an empty cache",
                }
            )
        speeds.append(command_speed(deb / "test.csv", args.speed_pairs, "accurate", 1))
    results["speed"] = speeds
    print(f"\nwhole `sna stance` command on the first {args.speed_pairs:,} pairs of test.csv (start-up included):")
    for s in speeds:
        print(
            f"  {s['model']:9} {s['seconds_median']:7.2f} s = {s['pairs_per_second']:8,.1f} pairs/s  "
            f"{s.get('note', '')}"
        )
    (out / "eval_stance.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out / 'eval_stance.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
