"""The stance model: a linear classifier over hashed features, stored as one ``.npz``.

A model is, per feature block, the hash buckets it knows with their IDF weight
and one weight per class, plus the scaling of the dense features and the
intercepts. Applying it needs numpy only: no scikit-learn, no download.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sna.errors import SnaError
from sna.stance.features import BLOCK_BITS, DENSE_NAMES, RawFeatures, TextFeatures, featurize, weigh
from sna.stance.tokens import workers

LABELS = ("disagree", "neutral", "agree")
"""Class order of the model's probabilities (negative to positive)."""

FORMAT = "sna-stance-linear/1"
DEFAULT_MODEL = "stance-default.npz"
CHUNK = 10_000
"""Pairs featurized at a time. Small batches keep the feature arrays a few MB: in the CPU caches, and off
the fresh (huge) pages the kernel zeroes for every large array. On the 197k pairs of IAC bulk, batches of
200,000 took 13.6 CPU-s, 6 of them in the kernel; batches of 10,000 took 7.2 (0.5), with the same bits."""
SPLIT = 8_000
"""From this many pairs up, there are at least as many batches as threads (:func:`~sna.stance.tokens.workers`),
of equal size, so that both cores work also on mid-sized inputs."""


@dataclass(frozen=True)
class Block:
    """What the model knows of one hashed text block."""

    buckets: np.ndarray  # sorted int64 bucket ids
    idf: np.ndarray  # float, one per bucket
    weights: np.ndarray  # (len(buckets), 3)
    scale: float
    lookup: np.ndarray = field(repr=False)  # bucket -> row in weights, -1 if unknown


@dataclass(frozen=True)
class StanceModel:
    """A trained linear stance model.

    Use :func:`load_model` to get one; :func:`sna.stance.predict_stance`
    applies it.

    Attributes
    ----------
    blocks : dict of str to Block
        Per text block: known buckets, IDF, weights and scale.
    dense_mean, dense_scale, dense_weights : np.ndarray
        Standardisation and weights of the dense features.
    intercept : np.ndarray
        One per class, in :data:`LABELS` order.
    meta : dict
        What the model was trained on and how well it did (the model card).
    """

    blocks: dict[str, Block]
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    dense_weights: np.ndarray
    intercept: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def used_blocks(self) -> tuple[str, ...]:
        """The text blocks the model gives weight to."""
        return tuple(name for name, block in self.blocks.items() if block.scale != 0)

    def logits(self, raw: RawFeatures) -> np.ndarray:
        """Class scores (before softmax) of featurized pairs, shape ``(n, 3)``."""
        n = raw.n
        out = np.tile(self.intercept, (n, 1))
        if n == 0:
            return out
        out += ((raw.dense - self.dense_mean) / self.dense_scale) @ self.dense_weights
        for name, block in self.blocks.items():
            if block.scale == 0:
                continue
            rows, buckets, counts = raw.blocks[name]
            where = block.lookup[buckets]
            known = where >= 0
            rows, where = rows[known], where[known]
            values = weigh((rows, None, counts[known]), block.idf[where], n) * block.scale
            contributions = block.weights[where] * values[:, None]
            for k in range(out.shape[1]):
                out[:, k] += np.bincount(rows, contributions[:, k], minlength=n)
        return out

    def text_logits(self, feats: TextFeatures) -> np.ndarray:
        """Class scores of pairs featurized by :func:`~sna.stance.features.featurize`, shape ``(n, 3)``.

        Each text block is one sparse matrix product over the distinct texts,
        whose scores are then looked up per pair.
        """
        import scipy.sparse as sp

        n = feats.n
        out = np.tile(self.intercept, (n, 1))
        if n == 0:
            return out
        out += ((feats.dense - self.dense_mean) / self.dense_scale) @ self.dense_weights
        for name, block in self.blocks.items():
            if block.scale == 0:
                continue
            rows, buckets, counts = feats.blocks[name]
            where = block.lookup[buckets]
            known = where >= 0
            if not known.all():
                rows, where, counts = rows[known], where[known], counts[known]
            values = weigh((rows, None, counts), block.idf[where], feats.texts) * block.scale
            # cells come sorted by text then bucket (so by model row too): the CSR arrays as they are
            indptr = np.searchsorted(rows, np.arange(feats.texts + 1))
            matrix = sp.csr_matrix((values, where, indptr), shape=(feats.texts, len(block.buckets)))
            out += (matrix @ block.weights)[feats.side(name)]
        return out

    def predict_proba(
        self, parents: Sequence[str | None] | pl.Series, replies: Sequence[str | None] | pl.Series
    ) -> np.ndarray:
        """Probabilities of ``LABELS`` for each (parent, reply) pair, shape ``(n, 3)``.

        Examples
        --------
        >>> model = load_model()
        >>> p = model.predict_proba(["Brexit will fix this."], ["Exactly, well said."])
        >>> p.shape, bool(abs(p.sum() - 1) < 1e-9)
        ((1, 3), True)
        """
        if len(parents) != len(replies):
            raise ValueError(f"{len(parents)} parents but {len(replies)} replies")
        known = {name: self.blocks[name].lookup >= 0 for name in self.used_blocks}
        n = len(replies)
        threads = workers() if n >= SPLIT else 1
        batches = max(-(-n // CHUNK), threads)
        size = max(1, -(-n // batches))

        def batch(start: int) -> np.ndarray:
            end = start + size
            feats = featurize(parents[start:end], replies[start:end], blocks=self.used_blocks, known=known)
            return softmax(self.text_logits(feats))

        starts = range(0, n, size)
        if len(starts) > 1 and threads > 1:
            # a batch's scores depend on its own pairs only (each text's and pair's numbers are summed in
            # the same order in any batch): batches are scored side by side, numpy, scipy and polars
            # letting go of the interpreter lock
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(batch, starts))
        else:
            parts = [batch(start) for start in starts]
        return np.concatenate([np.zeros((0, len(LABELS))), *parts])


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of class scores."""
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _array(store: Mapping[str, np.ndarray], key: str, path: str) -> np.ndarray:
    if key not in store:
        raise SnaError(f"{path}: not a stance model (no {key!r}); expected a file written by bench/train_stance.py")
    return store[key]


def read_model(path: str | Path) -> StanceModel:
    """Read a model file written by :func:`write_model`.

    Raises
    ------
    SnaError
        When the file is missing or is not a stance model of this format.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            store = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise SnaError(f"{path}: no such model file") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SnaError(f"{path}: cannot read as a stance model ({exc})") from None
    return _from_arrays(store, str(path))


def _from_arrays(store: Mapping[str, np.ndarray], where: str) -> StanceModel:
    meta = json.loads(str(_array(store, "meta", where).reshape(-1)[0]))
    if meta.get("format") != FORMAT:
        raise SnaError(f"{where}: model format {meta.get('format')!r}, expected {FORMAT!r}")
    if tuple(meta.get("dense_names", ())) != DENSE_NAMES or meta.get("block_bits") != BLOCK_BITS:
        raise SnaError(f"{where}: model was trained with other features than this version of sna computes")
    blocks = {}
    for name, bits in BLOCK_BITS.items():
        buckets = _array(store, f"{name}.buckets", where).astype(np.int64)
        lookup = np.full(1 << bits, -1, dtype=np.int32)
        lookup[buckets] = np.arange(len(buckets), dtype=np.int32)
        blocks[name] = Block(
            buckets=buckets,
            idf=_array(store, f"{name}.idf", where).astype(np.float64),
            weights=_array(store, f"{name}.weights", where).astype(np.float64),
            scale=float(meta["scales"][name]),
            lookup=lookup,
        )
    return StanceModel(
        blocks=blocks,
        dense_mean=_array(store, "dense.mean", where).astype(np.float64),
        dense_scale=_array(store, "dense.scale", where).astype(np.float64),
        dense_weights=_array(store, "dense.weights", where).astype(np.float64) * float(meta["scales"]["dense"]),
        intercept=_array(store, "intercept", where).astype(np.float64),
        meta=meta,
    )


def _with_format(meta: Mapping[str, Any]) -> np.ndarray:
    full = {**meta, "format": FORMAT, "labels": list(LABELS), "block_bits": BLOCK_BITS, "dense_names": DENSE_NAMES}
    return np.array(json.dumps(full, sort_keys=True))


def build_model(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> StanceModel:
    """A model from the arrays training produced (see ``bench/train_stance.py``).

    ``meta`` must hold ``scales``: the weight of each block and of ``dense``.
    """
    return _from_arrays({**arrays, "meta": _with_format(meta)}, "model")


def write_model(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], path: str | Path) -> None:
    """Write model arrays and metadata as a byte-for-byte reproducible ``.npz``.

    ``numpy.savez`` stamps the current time into the zip; this writes fixed
    times and sorted names, so the same model gives the same file.
    """
    items = {**arrays, "meta": _with_format(meta)}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(items):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(items[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


@lru_cache(maxsize=1)
def _default_model() -> StanceModel:
    resource = resources.files("sna").joinpath("models", DEFAULT_MODEL)
    if not resource.is_file():
        raise SnaError(
            f"the default stance model {DEFAULT_MODEL} is missing from the sna package; run make train-stance"
        )
    with resources.as_file(resource) as path:
        return read_model(path)


def load_model(path: str | Path | None = None) -> StanceModel:
    """The default model shipped with sna (read once, then cached), or one from a file.

    Examples
    --------
    >>> load_model() is load_model()
    True
    >>> load_model().meta["labels"]
    ['disagree', 'neutral', 'agree']
    """
    return _default_model() if path is None else read_model(path)
