"""Train the default stance model shipped in sna/models/ (run by `make train-stance`).

Training data (never debagreement-subset/test.csv, which is kept for bench/eval_stance.py):

* ``debagreement-subset/dev.csv``: 4,288 Reddit comment-reply pairs (DEBAGREEMENT);
* ``subreddit-agreement/SubReddit-CovidVaccine.csv`` and ``SubReddit-MaskMandate.csv``:
  2,934 pairs (Lei & Huang 2022), cp1252-encoded.

Labels everywhere: 0 = disagree, 1 = neutral, 2 = agree.

The features are :mod:`sna.stance.features` (the code that labels pairs at run time);
the classifier is a multinomial logistic regression from scikit-learn, which is needed
here only. Model choices were made by 5-fold cross-validation on dev.csv, grouped by
parent comment so that no parent is on both sides of a split, with the
subreddit-agreement pairs always in the training part; ``--search`` reruns that
comparison and prints it.

The output is deterministic: fixed folds and seeds, weights rounded to float32, and a
zip written with fixed times (:func:`sna.stance.model.write_model`).

Usage:
    python bench/train_stance.py [--data ../shared/data] [--out sna/models] [--search]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.distil_stance import SOFT_LABELS
from sna.stance.features import BLOCK_BITS, RawFeatures, extract, weigh
from sna.stance.model import LABELS, build_model, read_model, write_model

ROOT = Path(__file__).resolve().parents[1]
SEED = 0
MIN_DF = 2

#: The configuration that won the cross-validation (see --search and the report in the README).
CHOSEN = {
    # reply_chars: 0 — byte n-grams tied with no n-grams in cross-validation (see SEARCH) at twice the run time
    "scales": {"reply_words": 1.0, "reply_chars": 0.0, "parent_words": 1.0, "reply_opening": 1.0, "dense": 0.3},
    "C": 0.5,
    "class_weight": "balanced",
    "other_weight": 0.5,
    # soft labels of the accurate model on other forums' reply pairs (bench/distil_stance.py), per class:
    # off in the shipped model, which was not retrained with them (see --soft-labels)
    "soft_weight": 0.0,
}
#: Changes to CHOSEN for a distilled model (--soft-labels FILE); lbfgs at tol 1e-6 took over 25
#: minutes a fit with the soft labels on 2 busy cores.
DISTILLED = {"soft_weight": 0.5, "tol": 1e-4}


@dataclass(frozen=True)
class Pairs:
    """Labelled pairs: parent and reply texts, label, group (parent id) and source name."""

    parent: list[str]
    reply: list[str]
    label: np.ndarray
    group: np.ndarray
    source: np.ndarray


def read_debagreement(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema=False)
    return pl.DataFrame(
        {
            "parent": df["body_parent"].fill_null(""),
            "reply": df["body_child"].fill_null(""),
            "label": df["label"].cast(pl.Int64),
            "group": df["msg_id_parent"],
            "source": pl.Series([path.stem] * df.height),
        }
    )


def read_subreddit_agreement(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema=False, encoding="cp1252")
    return pl.DataFrame(
        {
            "parent": df["quote_text"].fill_null(""),
            "reply": df["response_text"].fill_null(""),
            "label": df["relation"].cast(pl.Int64),
            "group": df["quote_text"].fill_null(""),
            "source": pl.Series([path.stem] * df.height),
        }
    )


def training_data(
    data: Path, *, subreddit: bool = True, soft: Path | None = None
) -> tuple[pl.DataFrame, list[str], np.ndarray | None]:
    """The training pairs, the files they came from (dev.csv first) and the soft labels' probabilities.

    Soft-labelled pairs (``bench/distil_stance.py``) come last, with source ``soft`` and label -1.
    """
    files = [data / "debagreement-subset" / "dev.csv"]
    parts = [read_debagreement(files[0])]
    if subreddit:
        for name in ("SubReddit-CovidVaccine.csv", "SubReddit-MaskMandate.csv"):
            files.append(data / "subreddit-agreement" / name)
            parts.append(read_subreddit_agreement(files[-1]))
    names = [str(f.relative_to(data)) for f in files]
    proba = None
    if soft is not None:
        from bench.distil_stance import read_soft_labels

        labelled = read_soft_labels(data, soft)
        proba = labelled.select("p_disagree", "p_neutral", "p_agree").to_numpy().astype(np.float64)
        parts.append(labelled.select(
            "parent", "reply", label=pl.lit(-1, pl.Int64), group=pl.col("corpus") + ":" + pl.col("target"),
            source=pl.lit("soft")))  # fmt: skip
        names.append(f"{soft.name}: {labelled.height:,} pairs of " + ", ".join(labelled["corpus"].unique(
            maintain_order=True).to_list()) + " labelled by the accurate model")  # fmt: skip
    return pl.concat(parts), names, proba


# --- from hashed features to a design matrix (training only: scipy) ---------------------


def fit_vocabulary(raw: RawFeatures, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Per block: the buckets seen in at least MIN_DF training pairs and their IDF; dense mean/scale."""
    chosen = np.zeros(raw.n, bool)
    chosen[rows] = True
    out: dict[str, np.ndarray] = {}
    n = len(rows)
    for name, (r, buckets, _) in raw.blocks.items():
        df = np.bincount(buckets[chosen[r]], minlength=1 << BLOCK_BITS[name])
        known = np.flatnonzero(df >= MIN_DF)
        out[f"{name}.buckets"] = known
        out[f"{name}.idf"] = (np.log((1 + n) / (1 + df[known])) + 1).astype(np.float32).astype(np.float64)
    dense = raw.dense[rows]
    out["dense.mean"] = dense.mean(axis=0)
    out["dense.scale"] = dense.std(axis=0) + 1e-9
    return out


def design(raw: RawFeatures, vocab: dict[str, np.ndarray], rows: np.ndarray, scales: dict[str, float]):
    """Sparse matrix of the given pairs, columns = known buckets of each block, then dense features."""
    import scipy.sparse as sp

    position = np.full(raw.n, -1)
    position[rows] = np.arange(len(rows))
    mats = []
    for name, (r, buckets, counts) in raw.blocks.items():
        known = vocab[f"{name}.buckets"]
        lookup = np.full(1 << BLOCK_BITS[name], -1)
        lookup[known] = np.arange(len(known))
        col = lookup[buckets]
        keep = (col >= 0) & (position[r] >= 0)
        rr = position[r[keep]]
        values = weigh((rr, None, counts[keep]), vocab[f"{name}.idf"][col[keep]], len(rows)) * scales[name]
        mats.append(sp.csr_matrix((values, (rr, col[keep])), shape=(len(rows), len(known))))
    dense = (raw.dense[rows] - vocab["dense.mean"]) / vocab["dense.scale"] * scales["dense"]
    mats.append(sp.csr_matrix(dense))
    return sp.hstack(mats).tocsr()


def fit_classifier(x, y: np.ndarray, weights: np.ndarray, config: dict):
    from sklearn.linear_model import LogisticRegression

    if config.get("classifier", "lr") == "svm":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=config["C"], class_weight=config["class_weight"], random_state=SEED)
        return CalibratedClassifierCV(svm, cv=3).fit(x, y, sample_weight=weights)
    clf = LogisticRegression(C=config["C"], class_weight=config["class_weight"], max_iter=5000,
                             tol=config.get("tol", 1e-6))  # fmt: skip
    return clf.fit(x, y, sample_weight=weights)


def train_arrays(raw: RawFeatures, y: np.ndarray, rows: np.ndarray, weights: np.ndarray, config: dict,
                 soft: tuple[np.ndarray, np.ndarray] | None = None) -> dict:  # fmt: skip
    """Fit a model on the given rows and return the arrays :func:`write_model` stores.

    ``soft`` is ``(rows, probabilities)`` of soft-labelled pairs: each counts once per
    class, weighted by ``config["soft_weight"]`` times its probability (cross-entropy
    against the teacher's distribution), and class weights balance hard labels plus
    soft mass.
    """
    if soft is None or len(soft[0]) == 0:
        vocab = fit_vocabulary(raw, rows)
        clf = fit_classifier(design(raw, vocab, rows, config["scales"]), y[rows], weights[rows], config)
    else:
        import scipy.sparse as sp

        soft_rows, proba = soft
        vocab = fit_vocabulary(raw, np.concatenate([rows, soft_rows]))
        hard_x = design(raw, vocab, rows, config["scales"])
        soft_x = design(raw, vocab, soft_rows, config["scales"])
        x = sp.vstack([hard_x, soft_x, soft_x, soft_x]).tocsr()
        labels = np.concatenate([y[rows], *(np.full(len(soft_rows), k) for k in range(3))])
        mass = [config["soft_weight"] * proba[:, k] for k in range(3)]
        sample = np.concatenate([weights[rows], *mass])
        if config["class_weight"] == "balanced":
            totals = np.bincount(y[rows], minlength=3) + np.array([m.sum() for m in mass])
            config = {**config, "class_weight": {k: float(totals.sum() / (3 * totals[k])) for k in range(3)}}
        clf = fit_classifier(x, labels, sample, config)
    coef = clf.coef_.astype(np.float32)  # (3, n_features), classes 0, 1, 2 = LABELS order
    arrays: dict[str, np.ndarray] = {}
    start = 0
    for name in BLOCK_BITS:
        known = vocab[f"{name}.buckets"]
        w = coef[:, start : start + len(known)].T
        start += len(known)
        used = np.arange(len(known)) if config["scales"][name] else np.arange(0)
        arrays[f"{name}.buckets"] = known[used].astype(np.int32)
        arrays[f"{name}.idf"] = vocab[f"{name}.idf"][used].astype(np.float32)
        arrays[f"{name}.weights"] = w[used]
    arrays["dense.mean"] = vocab["dense.mean"].astype(np.float32)
    arrays["dense.scale"] = vocab["dense.scale"].astype(np.float32)
    arrays["dense.weights"] = coef[:, start:].T
    arrays["intercept"] = clf.intercept_.astype(np.float32)
    return arrays


def scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"accuracy": float(accuracy_score(y, pred)), "macro_f1": float(f1_score(y, pred, average="macro"))}


def folds(pairs: pl.DataFrame, k: int = 5, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped, stratified folds over dev.csv rows (validation); other sources always train."""
    from sklearn.model_selection import StratifiedGroupKFold

    is_dev = (pairs["source"] == "dev").to_numpy()
    dev = np.flatnonzero(is_dev)
    other = np.flatnonzero(~is_dev)
    y, groups = pairs["label"].to_numpy(), pairs["group"].to_numpy()
    splitter = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
    return [
        (np.concatenate([dev[a], other]), dev[b]) for a, b in splitter.split(dev, y[dev], groups[dev])
    ]  # fmt: skip


def cross_validate(
    pairs: pl.DataFrame, raw: RawFeatures, config: dict, *, subreddit: bool = True, seed: int = SEED,
    soft: np.ndarray | None = None,
) -> dict:  # fmt: skip
    """Mean accuracy and macro-F1 over the dev folds, for one configuration (``soft``: the soft labels)."""
    from joblib import Parallel, delayed

    y = pairs["label"].to_numpy()
    weights = np.where(pairs["source"] == "dev", 1.0, config["other_weight"])
    is_soft = (pairs["source"] == "soft").to_numpy()
    soft_part = (np.flatnonzero(is_soft), soft) if soft is not None and config.get("soft_weight") else None

    def one(train: np.ndarray, valid: np.ndarray) -> dict[str, float]:
        train = train[~is_soft[train]]
        if not subreddit:
            train = train[(pairs["source"] == "dev").to_numpy()[train]]
        if config.get("classifier") == "svm":  # calibrated SVMs are not one linear model: score them directly
            vocab = fit_vocabulary(raw, train)
            clf = fit_classifier(design(raw, vocab, train, config["scales"]), y[train], weights[train], config)
            return scores(y[valid], clf.predict(design(raw, vocab, valid, config["scales"])))
        model = build_model(train_arrays(raw, y, train, weights, config, soft_part), {"scales": config["scales"]})
        sub = RawFeatures(
            len(valid),
            {name: _subset(cells, valid, raw.n) for name, cells in raw.blocks.items()},
            raw.dense[valid],
        )
        return scores(y[valid], model.logits(sub).argmax(axis=1))

    results = Parallel(n_jobs=2)(delayed(one)(tr, va) for tr, va in folds(pairs, seed=seed))
    return {key: float(np.mean([r[key] for r in results])) for key in ("accuracy", "macro_f1")}


def _subset(cells: tuple[np.ndarray, np.ndarray, np.ndarray], rows: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    r, b, c = cells
    position = np.full(n, -1)
    position[rows] = np.arange(len(rows))
    keep = position[r] >= 0
    return position[r[keep]], b[keep], c[keep]


SEARCH = {
    "reply words only (TF-IDF + LR)": {"scales": {"parent_words": 0, "reply_opening": 0, "dense": 0}},
    "+ parent words": {"scales": {"reply_opening": 0, "dense": 0}},
    "+ reply opening words": {"scales": {"dense": 0}},
    "+ dense pair features": {"soft_weight": 0.0},
    "  + soft labels of the accurate model (chosen)": {},
    "  + reply byte 2-5-grams": {"scales": {"reply_chars": 1.0}},
    "  without parent words": {"scales": {"parent_words": 0}},
    "  reply opening weight x2": {"scales": {"reply_opening": 2.0}},
    "  C = 0.25": {"C": 0.25},
    "  C = 1": {"C": 1.0},
    "  no class weights": {"class_weight": None},
    "  subreddit-agreement pairs weighted 1 (as dev.csv)": {"other_weight": 1.0},
    "  dev.csv only (no subreddit-agreement)": {"subreddit": False},
    "  linear SVM + sigmoid calibration, C = 0.05": {"classifier": "svm", "C": 0.05},
    "  soft labels weighted 0.25": {"soft_weight": 0.25},
    "  soft labels weighted 1": {"soft_weight": 1.0},
}


def search(pairs: pl.DataFrame, raw: RawFeatures, seeds: int = 1, soft: np.ndarray | None = None,
           only: str = "") -> list[dict]:  # fmt: skip
    """Cross-validate each option of SEARCH (whose name contains ``only``), averaged over ``seeds`` fold splits."""
    rows = []
    for name, change in SEARCH.items():
        if only not in name:
            continue
        config = {**CHOSEN, **{k: v for k, v in change.items() if k not in ("scales", "subreddit")}}
        config["scales"] = {**CHOSEN["scales"], **change.get("scales", {})}
        started = time.perf_counter()
        runs = [cross_validate(pairs, raw, config, subreddit=change.get("subreddit", True), seed=SEED + i, soft=soft)
                for i in range(seeds)]  # fmt: skip
        result = {key: float(np.mean([r[key] for r in runs])) for key in ("accuracy", "macro_f1")}
        rows.append({"option": name, **result})
        print(f"{name:52s} accuracy {result['accuracy']:.3f}  macro-F1 {result['macro_f1']:.3f}"
              f"  ({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    return rows


def train_model(pairs: pl.DataFrame, raw: RawFeatures | None = None, config: dict | None = None,
                soft: np.ndarray | None = None) -> dict:  # fmt: skip
    """Arrays of a model fit on all the given pairs (``soft``: probabilities of the ``soft`` rows)."""
    config = config or CHOSEN
    raw = raw or extract(pairs["parent"].to_list(), pairs["reply"].to_list())
    weights = np.where(pairs["source"] == "dev", 1.0, config["other_weight"])
    is_soft = (pairs["source"] == "soft").to_numpy()
    hard = np.flatnonzero(~is_soft)
    part = (np.flatnonzero(is_soft), soft) if soft is not None and config.get("soft_weight") else None
    return train_arrays(raw, pairs["label"].to_numpy(), hard, weights, config, part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "sna" / "models")
    parser.add_argument("--search", action="store_true", help="Rerun the cross-validated comparison of options.")
    parser.add_argument("--seeds", type=int, default=1, help="Fold splits to average over in --search.")
    parser.add_argument("--only", default="", help="With --search: only the options whose name contains this.")
    parser.add_argument("--skip-cv", action="store_true", help="Fit the model without cross-validating it first.")
    parser.add_argument(
        "--soft-labels",
        type=Path,
        default=None,
        help=f"Distil: also train on pairs labelled by the accurate model (e.g. {SOFT_LABELS.relative_to(ROOT)}).",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="Rebuild into a temporary folder and check it is byte-identical to the shipped model.",
    )
    args = parser.parse_args()
    if args.check:
        import tempfile

        shipped = args.out
        args.out = Path(tempfile.mkdtemp(prefix="sna-stance-check-"))

    pairs, files, soft = training_data(args.data, soft=args.soft_labels)
    raw = extract(pairs["parent"].to_list(), pairs["reply"].to_list())
    counts = {LABELS[k]: int((pairs["label"] == k).sum()) for k in range(3)}
    print(f"training pairs: {pairs.height:,} from {', '.join(files)} ({counts})", flush=True)
    if args.search:
        search(pairs, raw, args.seeds, soft, args.only)
    started = time.perf_counter()
    config = {**CHOSEN, **DISTILLED} if soft is not None else CHOSEN
    cv = (
        {"accuracy": float("nan"), "macro_f1": float("nan")}
        if args.skip_cv
        else cross_validate(pairs, raw, config, soft=soft)
    )
    print(f"chosen model, 5-fold CV on dev.csv: accuracy {cv['accuracy']:.3f}, macro-F1 {cv['macro_f1']:.3f}",
          flush=True)  # fmt: skip
    arrays = train_model(pairs, raw, config, soft)
    card = {
        "name": "stance-default",
        "task": "stance of a reply towards the text it answers: disagree / neutral / agree",
        "model": "multinomial logistic regression over hashed TF-IDF features (sna.stance.features)",
        "trained_on": {"files": files, "pairs": pairs.height, "labels": counts},
        "not_trained_on": "debagreement-subset/test.csv (held out for bench/eval_stance.py)",
        "config": {**{k: v for k, v in config.items() if k != "scales" and (k != "soft_weight" or v)},
                   "min_df": MIN_DF, "seed": SEED},
        "scales": CHOSEN["scales"],
        "cross_validation": {**{k: round(v, 4) for k, v in cv.items()},
                             "protocol": "5-fold on dev.csv, grouped by parent comment, stratified; "
                                         "subreddit-agreement" + (" and soft-labelled pairs" if soft is not None
                                                                  else "") + " always in the training part"},
        "features": {name: len(arrays[f"{name}.buckets"]) for name in BLOCK_BITS},
        "data_terms": "DEBAGREEMENT (Pougue-Biyong et al., NeurIPS 2021 Datasets and Benchmarks) and the "
                      "SubReddit agreement data (Lei & Huang, Findings of EMNLP 2022): no licence stated; "
                      "research use, cite the papers",
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "stance-default.npz"
    write_model(arrays, card, path)
    meta = read_model(path).meta  # it reads back
    (args.out / "stance-default.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and stance-default.json "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    if args.check:
        same = all((args.out / n).read_bytes() == (shipped / n).read_bytes()
                   for n in ("stance-default.npz", "stance-default.json"))  # fmt: skip
        print("rebuild is byte-identical to the shipped model" if same else "rebuild DIFFERS from the shipped model")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
