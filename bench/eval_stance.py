"""Stance (agree / neutral / disagree) against labelled reply pairs: every model and baseline in one run.

Datasets:

* **DEBAGREEMENT test** (``debagreement-subset/test.csv``, 4,292 Reddit pairs), which no
  model here was fit, tuned or selected on. Dev and test share parent comments (their
  count is printed), so accuracy is also given on the test pairs whose parent is not in
  dev.csv.
* **Cross-domain**: the two SubReddit agreement files (r/CovidVaccinated, r/antimaskers).
  They are in the shipped default model's training data, so its scores there are
  in-sample (marked); a default trained on dev.csv only gives the honest cross-domain
  number (and, when the shipped default is distilled, the same recipe without them); the
  accurate model never saw them.
* **The seed thread's 12 quote pairs**, labelled by hand (``tests/data/seed-quote-stance.csv``).

Methods, all fit on dev.csv only unless said: the majority class; a sentiment lexicon
(positive words -> agree, negative -> disagree: sentiment is not agreement); TF-IDF +
logistic regression on the reply text alone; the shipped default model; the default
trained on dev.csv only; the accurate model (``--stance-model accurate``, when its extra
is installed; its probabilities are cached in ``--cache``, named by the model's key and a
hash of the texts, so the first run computes them and reruns are fast); with
``--baseline-model PATH``, another accurate-model file (e.g. the previously shipped one)
on the same pairs, for a before/after in one run.

Each row: pairs, accuracy, macro-F1, expected calibration error (``--bins`` equal bins)
and pairs per second in this process, the model's start-up included. Then the
reliability diagram of both models with the pairs per bin (``<out>/stance-reliability.png``,
path printed at the end), accuracy and coverage when unsure links are left unlabelled
(``min_confidence``), and the speed of the whole ``sna stance`` command (start-up
included) for both models, the accurate one with an empty and a warm model cache.

Needs scikit-learn (``pip install -e '.[train]'``).

Usage: python bench/eval_stance.py [--data ../shared/data] [--out bench/out] [--cache bench/out/cache]
                                   [--bins 10] [--speed-pairs 1000] [--baseline-model PATH]
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
from sna.stance import LABELS, build_model
from sna.stance.calibration import expected_calibration_error, reliability
from sna.stance.model import DEFAULT_MODEL, read_model

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
        "macro_f1": round(float(f1_score(y, pred, average="macro", labels=[0, 1, 2], zero_division=0)), 4),
        "f1_per_class": dict(
            zip(
                LABELS,
                (round(float(v), 4) for v in f1_score(y, pred, average=None, labels=[0, 1, 2], zero_division=0)),
                strict=True,
            )
        ),
        "confusion": confusion_matrix(y, pred, labels=[0, 1, 2]).tolist(),
    }


def tfidf_reply_only(train: pl.DataFrame) -> object:
    """TF-IDF of the reply (1-2 grams) and a class-balanced logistic regression, fit on ``train``.

    Returns a function of the replies giving their class probabilities.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(train["reply"].to_list())
    clf = LogisticRegression(max_iter=5000, class_weight="balanced").fit(x, train["label"].to_numpy())
    return lambda replies: clf.predict_proba(vectorizer.transform(replies))


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


def timed(work):
    """``(result, wall seconds)`` of calling ``work()``."""
    started = time.perf_counter()
    out = work()
    return out, time.perf_counter() - started


def cached_proba(
    model, name: str, parents: list[str], replies: list[str], cache: Path
) -> tuple[np.ndarray, float, bool]:
    """The accurate model's probabilities, seconds it took and whether they came from ``cache``.

    Kept as ``eval-<model key>-<dataset>-<hash of the texts>.npz``: the model key
    changes with the weights, the graph and onnxruntime, the text hash with the
    data, so a rerun recomputes whatever changed.
    """
    import hashlib

    digest = hashlib.sha256("\x00".join(parents + replies).encode()).hexdigest()[:16]
    path = cache / f"eval-{model.key}-{name.replace(' ', '-').replace(',', '')}-{digest}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return stored["proba"], float(stored["seconds"]), True
    print(f"  accurate model on {name}: {len(replies):,} pairs …", file=sys.stderr, flush=True)
    proba, seconds = timed(lambda: model.predict_proba(parents, replies))
    print(f"  … {seconds:.0f} s ({len(replies) / seconds:.1f} pairs/s)", file=sys.stderr, flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
        np.savez(tmp, proba=proba, seconds=np.float64(seconds))
    os.replace(tmp.name, path)
    return proba, seconds, False


def accurate_model(path: Path | None = None) -> tuple[object | None, float, str | None]:
    """The accurate model (shipped, or the file at ``path``) read afresh with its onnxruntime session,
    the seconds that took, or why it cannot run."""
    try:
        from sna.stance.accurate import ACCURATE_MODEL, read_accurate

        def start():
            model = read_accurate(path or ROOT / "sna" / "models" / ACCURATE_MODEL)
            model.session()
            return model

        model, seconds = timed(start)
        return model, seconds, None
    except (SnaError, ImportError) as exc:
        return None, 0.0, str(exc)


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


def reliability_figure(curves: dict[str, pl.DataFrame], bins: int, path: Path) -> None:
    """Reliability diagram (accuracy against confidence per bin) above the pairs in each bin, written as PNG.

    The same tables give the same bytes (Agg backend, no version or date in the file).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = ("#0072B2", "#D55E00", "#009E73")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 7.2), dpi=120, sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.4]})  # fmt: skip
    edges = np.linspace(0, 1, bins + 1)
    for x in edges:
        top.axvline(x, color="#eeeeee", lw=0.8, zorder=0)
    top.plot([0, 1], [0, 1], color="#777777", lw=1, ls="--", label="perfectly calibrated")
    width = 1 / bins / (len(curves) + 1)
    for k, ((name, table), colour) in enumerate(zip(curves.items(), colours, strict=False)):
        top.plot(table["confidence"], table["accuracy"], marker="o", ms=5, lw=1.6, color=colour, label=name)
        left = table["lower"].to_numpy() + width * (k + 0.5)
        bottom.bar(left, table["pairs"].to_numpy(), width=width, align="edge", color=colour, label=name)
        for x, n in zip(left, table["pairs"].to_list(), strict=True):
            bottom.text(x + width / 2, n, f"{n:,}", ha="center", va="bottom", fontsize=6, color=colour, rotation=90)
    low = float(min(t["lower"].min() for t in curves.values())) if curves else 0.0
    top.set_xlim(low, 1)
    top.set_ylim(low, 1)
    top.set_ylabel("share of pairs where the predicted label is right")
    top.set_title(f"Stance models on DEBAGREEMENT test: reliability ({bins} equal bins)", fontsize=10)
    top.legend(fontsize=8, loc="upper left")
    bottom.set_xlabel("probability of the predicted label (bin)")
    bottom.set_ylabel("pairs in the bin")
    total = int(next(iter(curves.values()))["pairs"].sum()) if curves else 0
    bottom.set_title(f"pairs per bin ({total:,} per model)", fontsize=9)
    bottom.set_xticks(edges[edges >= low - 1e-9])
    bottom.margins(y=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="Folder with debagreement-subset/ and subreddit-agreement/ (default ../shared/data).",
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="Where the JSON and the PNG go.")
    parser.add_argument(
        "--cache",
        type=Path,
        default=HERE / "out" / "cache",
        help="The accurate model's probabilities, by model and texts (reruns are fast).",
    )
    parser.add_argument("--bins", type=int, default=10, help="Equal-width confidence bins for ECE and the diagram.")
    parser.add_argument("--speed-pairs", type=int, default=1000, help="Rows of test.csv for the command timings.")
    parser.add_argument("--baseline-model", type=Path, default=None,
                        help="Another accurate-model file (stance-accurate.npz) scored on the same pairs.")  # fmt: skip
    args = parser.parse_args()  # fmt: skip
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
        f"dev.csv and test.csv share {len(shared)} parent comments ({test.height - unseen.height} of the "
        f"{test.height:,} test pairs answer one of them); 'test, parent not in dev' is the other {unseen.height:,}",
        flush=True,
    )

    shipped, default_start = timed(lambda: read_model(ROOT / "sna" / "models" / DEFAULT_MODEL))
    print("training a dev.csv-only default model for honest cross-domain numbers …", file=sys.stderr, flush=True)
    scales = {"scales": shipped.meta.get("scales", CHOSEN["scales"])}
    defaults = {"default model, dev.csv only": build_model(train_model(dev), scales)}
    distilled = [f for f in shipped.meta["trained_on"]["files"] if "labelled by the accurate model" in f]
    if distilled:  # the shipped recipe without the SubReddit pairs: honest cross-domain numbers for it
        print("training the shipped recipe without the SubReddit agreement pairs …", file=sys.stderr, flush=True)
        pairs, _, soft = training_data(args.data, subreddit=False, soft=HERE / "data" / distilled[0].split(":")[0])
        defaults["default model, dev.csv + soft labels"] = build_model(train_model(pairs, soft=soft), scales)
    majority = int(np.bincount(dev["label"].to_numpy()).argmax())
    tfidf = tfidf_reply_only(dev)
    accurate, accurate_start, why_not = accurate_model()
    if accurate is None:
        print(f"accurate model skipped: {why_not}", flush=True)
    else:
        print(f"accurate model read and its onnxruntime session started in {accurate_start:.2f} s", flush=True)
    baseline, baseline_start = None, 0.0
    if args.baseline_model is not None:
        baseline, baseline_start, why_not = accurate_model(args.baseline_model)
        if baseline is None:
            raise SystemExit(f"--baseline-model: {why_not}")
        print(f"baseline accurate model {args.baseline_model}: session started in {baseline_start:.2f} s "
              f"(graph assembled first if not cached)", flush=True)  # fmt: skip
    print(f"default model read in {default_start:.3f} s", flush=True)

    results: dict = {"shared_parents": len(shared), "test_pairs_parent_not_in_dev": unseen.height,
                     "bins": args.bins, "datasets": {}, "calibration": {}, "abstention": {}}  # fmt: skip
    header = (f"{'dataset':24} {'method':44} {'n':>5} {'accuracy':>8} {'macro-F1':>8} {'ECE':>6} {'pairs/s':>9}"
              "   F1 disagree/neutral/agree")  # fmt: skip
    print(header)
    print("-" * len(header))
    probabilities: dict[str, dict[str, np.ndarray]] = {}
    any_cached = False
    for name, df in tests.items():
        y = df["label"].to_numpy()
        parents, replies = df["parent"].to_list(), df["reply"].to_list()
        in_sample = name in ("CovidVaccine", "MaskMandate") and any(
            "subreddit" in f for f in shipped.meta["trained_on"]["files"]
        )
        # method -> (probabilities or labels, seconds including the model's start-up, from the cache?)
        rows: dict[str, tuple[np.ndarray, float | None, bool]] = {
            "majority class (of dev)": (np.full(len(y), majority), None, False),
            "sentiment lexicon": (*timed(lambda r=replies: lexicon_sentiment(r)), False),
            "TF-IDF + LR, reply only (dev; fit excluded)": (*timed(lambda r=replies: tfidf(r)), False),
        }
        proba, seconds = timed(lambda p=parents, r=replies: shipped.predict_proba(p, r))
        shipped_name = "default model (shipped)" + (" [in-sample]" if in_sample else "")
        rows[shipped_name] = (proba, default_start + seconds, False)
        probabilities[name] = {"default": proba}
        for label, model in defaults.items():
            rows[label] = (*timed(lambda m=model, p=parents, r=replies: m.predict_proba(p, r)), False)
        if accurate is not None:
            if name == "test, parent not in dev":  # rows of the full test set's run, no separate timing
                acc, acc_seconds, cached = probabilities["debagreement test"]["accurate"][unseen_rows], None, True
            else:
                acc, acc_seconds, cached = cached_proba(accurate, name, parents, replies, args.cache)
                acc_seconds += accurate_start
                any_cached |= cached
            rows["accurate model" + (" *" if cached and acc_seconds is not None else "")] = (acc, acc_seconds, cached)
            probabilities[name]["accurate"] = acc
        for label, model, start in (("baseline", baseline, baseline_start),) if baseline is not None else ():
            if name == "test, parent not in dev":
                acc, acc_seconds, cached = probabilities["debagreement test"][label][unseen_rows], None, True
            else:
                acc, acc_seconds, cached = cached_proba(model, name, parents, replies, args.cache)
                acc_seconds += start
                any_cached |= cached
            rows["accurate model, --baseline-model" + (" *" if cached and acc_seconds is not None else "")] = (
                acc, acc_seconds, cached)  # fmt: skip
            probabilities[name][label] = acc
        results["datasets"][name] = {"pairs": len(y), "methods": {}}
        for method, (out, seconds, cached) in rows.items():
            pred = out.argmax(1) if out.ndim == 2 else out
            m = metrics(y, pred)
            if out.ndim == 2:
                m["ece"] = round(expected_calibration_error(out, y, bins=args.bins), 4)
            if seconds is not None:
                m["pairs_per_second"] = round(len(y) / seconds, 1)
                m["seconds"] = round(seconds, 3)
            m["from_cache"] = cached
            results["datasets"][name]["methods"][method] = m
            f1 = "/".join(f"{m['f1_per_class'][k]:.2f}" for k in LABELS)
            ece = f"{m['ece']:6.3f}" if "ece" in m else f"{'-':>6}"
            speed = f"{m['pairs_per_second']:9,.1f}" if "pairs_per_second" in m else f"{'-':>9}"
            print(f"{name:24} {method:44} {len(y):5d} {m['accuracy']:8.3f} {m['macro_f1']:8.3f} {ece} {speed}   {f1}",
                  flush=True)  # fmt: skip
    print(
        "pairs/s: in this process, the model's start-up (reading the file; for the accurate model also starting "
        "its onnxruntime session) included, training excluded; ECE: expected calibration error, "
        f"{args.bins} equal bins of the top probability"
        + ("; * probabilities (and their time) from the cache of an earlier run" if any_cached else "")
    )

    y = test["label"].to_numpy()
    print(f"\ncalibration on debagreement test ({args.bins} bins): expected calibration error, abstention")
    curves = {}
    for model_name, proba in probabilities["debagreement test"].items():
        ece = expected_calibration_error(proba, y, bins=args.bins)
        table = reliability(proba, y, bins=args.bins)
        curves[f"{model_name} model (ECE {ece:.3f})"] = table
        results["calibration"][model_name] = {"ece": round(ece, 4), "reliability": table.to_dicts()}
        print(f"  {model_name:10} ECE {ece:.3f}   bins (pairs, mean confidence, accuracy): " + "  ".join(
              f"[{r['lower']:.1f},{r['upper']:.1f}) {r['pairs']} {r['confidence']:.2f} {r['accuracy']:.2f}"
              for r in table.to_dicts()))  # fmt: skip
        levels = []
        for level in CONFIDENCE_LEVELS:
            sure = proba.max(1) >= level
            acc = float((proba.argmax(1)[sure] == y[sure]).mean()) if sure.any() else float("nan")
            levels.append({"min_confidence": level, "labelled": round(float(sure.mean()), 4),
                           "accuracy": round(acc, 4)})  # fmt: skip
        results["abstention"][model_name] = levels
        said = (f"{r['min_confidence']}: {r['labelled']:.0%} labelled, {r['accuracy']:.3f} right" for r in levels)
        print("    min_confidence " + "  ".join(said))
    figure = args.out / "stance-reliability.png"
    reliability_figure(curves, args.bins, figure)

    speeds = [command_speed(deb / "test.csv", args.speed_pairs, "default", 3)]
    if accurate is not None:
        with tempfile.TemporaryDirectory() as cold:
            speeds.append(
                {
                    **command_speed(deb / "test.csv", args.speed_pairs, "accurate", 1, Path(cold)),
                    "note": "empty model cache: the ONNX model is assembled and quantised first",
                }
            )
        speeds.append({**command_speed(deb / "test.csv", args.speed_pairs, "accurate", 1), "note": "cache warm"})
    results["speed"] = speeds
    print(f"\nwhole `sna stance` command on the first {args.speed_pairs:,} pairs of test.csv (start-up included):")
    for s in speeds:
        print(
            f"  {s['model']:9} {s['seconds_median']:7.2f} s = {s['pairs_per_second']:8,.1f} pairs/s  "
            f"{s.get('note', '')}"
        )
    results["load_average"] = [round(v, 2) for v in os.getloadavg()]
    print(f"load average at the end: {' '.join(str(v) for v in results['load_average'])} ({os.cpu_count()} CPUs)")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval_stance.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out / 'eval_stance.json'}")
    print(f"reliability diagram (both models): {figure}")


if __name__ == "__main__":
    main()
