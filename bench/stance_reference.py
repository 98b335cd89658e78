"""The stance features as sna computed them before the array code: one pair at a time (the reference).

Kept only to check that :mod:`sna.stance.features` gives the same predictions
(``tests/test_stance_speed.py``) and to time the new path against the old one
(``bench/bench_stance.py``). Not used by sna itself. The per-text definitions
(:func:`~sna.stance.tokens.clean_text`, :func:`~sna.stance.tokens.tokens`) are
shared; everything after them is the old per-pair code.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from sna.stance.features import DENSE_NAMES, RawFeatures, _bucket, _cells, weigh
from sna.stance.model import StanceModel, softmax
from sna.stance.tokens import (
    _AGREE_PHRASES,
    _NEGATIONS,
    _PHRASES,
    _SCOPE_END,
    _TOKEN,
    _URL,
    AGREE_WORDS,
    DISAGREE_WORDS,
    MAX_CHARS,
    SECOND_PERSON,
)

CHUNK = 4096
_SPACE = re.compile(r"\s+")
_DROP = frozenset(".,;:")


def clean_text(text: str | None) -> str:
    """The old ``clean_text``: whitespace collapsed with a regular expression."""
    if not text:
        return ""
    text = text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").replace("&#x200B;", " ")
    if ">" in text:
        text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    text = _URL.sub(" httpurl ", text[: MAX_CHARS * 2]).replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip().lower()[:MAX_CHARS]


def tokens(clean: str) -> list[str]:
    """The old ``tokens``: one text, token by token in Python."""
    out: list[str] = []
    negated = False
    for tok in _TOKEN.findall(clean):
        if tok in _SCOPE_END:
            negated = False
            if tok not in _DROP:
                out.append(tok)
            continue
        out.append("NOT_" + tok if negated else tok)
        if tok in _NEGATIONS or tok.endswith("n't"):
            negated = True
    return out


class _WordHasher:
    def __init__(self) -> None:
        self.cache: dict[str, int] = {}

    def __call__(self, words: list[str]) -> list[int]:
        cache = self.cache
        out = []
        for w in words:
            h = cache.get(w)
            if h is None:
                h = cache[w] = zlib.crc32(w.encode())
            out.append(h)
        return out


def _word_block(token_lists: list[list[str]], hasher: _WordHasher, block: str):
    lengths = np.fromiter((len(t) for t in token_lists), np.int64, len(token_lists))
    ids = np.array([h for toks in token_lists for h in hasher(toks)], dtype=np.uint64)
    rows = np.repeat(np.arange(len(token_lists)), lengths)
    same = rows[1:] == rows[:-1] if len(rows) else np.zeros(0, bool)
    pairs = ((ids[:-1] << np.uint64(32)) | ids[1:] | np.uint64(1 << 63))[same]
    keys = np.concatenate([ids, pairs])
    all_rows = np.concatenate([rows, rows[:-1][same]])
    return _cells(all_rows, _bucket(keys, block), block)


def _char_block(texts: list[str], block: str, lo: int = 2, hi: int = 5):
    encoded = [(" " + t + " ").encode() for t in texts]
    lengths = np.fromiter((len(e) for e in encoded), np.int64, len(encoded))
    data = np.frombuffer(b"".join(encoded), np.uint8).astype(np.uint64) + np.uint64(1)
    owner = np.repeat(np.arange(len(texts)), lengths)
    rows, keys = [], []
    rolling = data
    for n in range(2, hi + 1):
        rolling = rolling[:-1] * np.uint64(257) + data[n - 1 :]
        if n >= lo:
            inside = owner[: len(rolling)] == owner[n - 1 :]
            rows.append(owner[: len(rolling)][inside])
            keys.append(rolling[inside])
    return _cells(np.concatenate(rows), _bucket(np.concatenate(keys), block), block)


def _opening_block(token_lists: list[list[str]], hasher: _WordHasher):
    rows, words = [], []
    for i, toks in enumerate(token_lists):
        if not toks:
            rows.append(i)
            words.append("^")
        for k in range(1, min(3, len(toks)) + 1):
            rows.append(i)
            words.append("^" + " ".join(toks[:k]))
    keys = np.array(hasher(words), dtype=np.uint64)
    return _cells(np.array(rows, np.int64), _bucket(keys, "reply_opening"), "reply_opening")


def _dense(parent_tokens: list[list[str]], reply_tokens: list[list[str]]) -> np.ndarray:
    out = np.zeros((len(reply_tokens), len(DENSE_NAMES)))
    for i, (pt, rt) in enumerate(zip(parent_tokens, reply_tokens, strict=True)):
        rset = {t[4:] if t.startswith("NOT_") else t for t in rt}
        pset = {t[4:] if t.startswith("NOT_") else t for t in pt}
        shared = len(rset & pset)
        n_r, n_p = len(rt), len(pt)
        plain = [t[4:] if t.startswith("NOT_") else t for t in rt]
        phrases = _PHRASES.findall(" ".join(plain))
        agree = sum(t in AGREE_WORDS for t in plain) + sum(p in _AGREE_PHRASES for p in phrases)
        disagree = sum(t in DISAGREE_WORDS for t in plain) + sum(p not in _AGREE_PHRASES for p in phrases)
        per = 10.0 / (1 + n_r)
        out[i] = (
            np.log1p(n_r),
            np.log1p(n_p),
            np.log1p(n_r) - np.log1p(n_p),
            shared / (len(rset | pset) or 1),
            shared / (len(rset) or 1),
            np.log1p(rt.count("?")),
            np.log1p(pt.count("?")),
            float(bool(pt) and pt[-1] == "?"),
            np.log1p(rt.count("!")),
            agree * per,
            disagree * per,
            sum(t in _NEGATIONS or t.endswith("n't") for t in plain) * per,
            sum(t in SECOND_PERSON for t in plain) * per,
            float(n_r <= 3),
        )
    return out


def extract(parents: Sequence[str | None], replies: Sequence[str | None], *, blocks=None) -> RawFeatures:
    """The old ``sna.stance.features.extract``: every pair on its own, the parent tokenised per reply."""
    parent_clean = [clean_text(t) for t in parents]
    reply_clean = [clean_text(t) for t in replies]
    parent_tokens = [tokens(t) for t in parent_clean]
    reply_tokens = [tokens(t) for t in reply_clean]
    hasher = _WordHasher()
    wanted = set(blocks) if blocks is not None else {"reply_words", "reply_chars", "parent_words", "reply_opening"}
    makers = {
        "reply_words": lambda: _word_block(reply_tokens, hasher, "reply_words"),
        "reply_chars": lambda: _char_block(reply_clean, "reply_chars"),
        "parent_words": lambda: _word_block(parent_tokens, hasher, "parent_words"),
        "reply_opening": lambda: _opening_block(reply_tokens, hasher),
    }
    computed = {name: make() for name, make in makers.items() if name in wanted}
    return RawFeatures(len(replies), computed, _dense(parent_tokens, reply_tokens))


def logits(model: StanceModel, raw: RawFeatures) -> np.ndarray:
    """The old ``StanceModel.logits``: per-pair cells summed with ``bincount``."""
    n = raw.n
    out = np.tile(model.intercept, (n, 1))
    if n == 0:
        return out
    out += ((raw.dense - model.dense_mean) / model.dense_scale) @ model.dense_weights
    for name, block in model.blocks.items():
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


def predict_proba(model: StanceModel, parents: Sequence[str | None], replies: Sequence[str | None]) -> np.ndarray:
    """The old ``StanceModel.predict_proba``: 4,096 pairs at a time through the per-pair features."""
    parts = [np.zeros((0, 3))]
    for start in range(0, len(replies), CHUNK):
        raw = extract(parents[start : start + CHUNK], replies[start : start + CHUNK], blocks=model.used_blocks)
        parts.append(softmax(logits(model, raw)))
    return np.concatenate(parts)
