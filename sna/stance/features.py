"""Features of (parent, reply) pairs for the stance model: pure numpy, no fitting.

The same code computes features when the model is trained (``bench/train_stance.py``)
and when it labels pairs, so the two cannot drift apart. Every text feature is
hashed into a fixed number of buckets with deterministic hashes (CRC-32 of
words, a polynomial rolling hash of bytes), so there is no vocabulary to ship.

Blocks, each weighed by TF-IDF (sublinear term frequency) and scaled to unit
length when the model applies them:

``reply_words``
    the reply's words and word pairs; words after a negation (``not``,
    ``never``, ``n't`` …) up to the next punctuation are marked ``NOT_``.
``reply_chars``
    byte 2- to 5-grams of the reply: spelling, emphasis, emoticons. Computed
    only for a model that weighs them; the default model does not (they tied
    with no byte n-grams in cross-validation and took half the run time).
``parent_words``
    the words and word pairs of the text answered: what is being replied to
    changes what the reply means.
``reply_opening``
    the reply's first one, two and three words: "This.", "No,", "Exactly",
    "Good luck if…" carry most of the stance.
``dense``
    a few numbers about the pair: lengths, word overlap of parent and reply,
    question and exclamation marks, and the share of agreement cues,
    disagreement cues, negations and second-person words in the reply.

A text block depends on one text only, so it is computed once per distinct
text of a batch (:func:`featurize` gives :class:`TextFeatures`, cells indexed by
text) and a model scores each distinct text once; :func:`extract` expands the
cells to one row per pair for training.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import polars as pl

from sna.stance.tokens import (
    AGREE_WORDS,
    DISAGREE_WORDS,
    MAX_CHARS,
    PART_TEXTS,
    SECOND_PERSON,
    Tokenised,
    clean_and_tokenise,
    clean_text,
    crc32s,
    distinct,
    negation_flags,
    tokens,
    workers,
)

__all__ = [
    "BLOCK_BITS",
    "BLOCK_SIDE",
    "DENSE_NAMES",
    "MAX_CHARS",
    "RawFeatures",
    "TextFeatures",
    "clean_text",
    "extract",
    "featurize",
    "tokens",
    "weigh",
]

#: Bits of the hash space of each text block.
BLOCK_BITS: dict[str, int] = {"reply_words": 20, "reply_chars": 20, "parent_words": 20, "reply_opening": 16}
#: Which text of the pair each block reads.
BLOCK_SIDE: dict[str, str] = {"reply_words": "reply", "reply_chars": "reply", "parent_words": "parent",
                              "reply_opening": "reply"}  # fmt: skip
_SALTS = {"reply_words": 0x51ED27, "reply_chars": 0xC4A75, "parent_words": 0x9A7E17, "reply_opening": 0x0BE1}
DENSE_NAMES = (
    "log_reply_words",
    "log_parent_words",
    "log_length_ratio",
    "word_jaccard",
    "reply_words_in_parent",
    "reply_questions",
    "parent_questions",
    "parent_ends_with_question",
    "reply_exclamations",
    "agree_cues",
    "disagree_cues",
    "negations",
    "second_person",
    "short_reply",
)
_MIX = np.uint64(0x9E3779B97F4A7C15)

Cells = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class RawFeatures:
    """Hashed features of n pairs before weighting.

    Attributes
    ----------
    n : int
        Number of pairs.
    blocks : dict
        Block name to ``(rows, buckets, counts)``: unique (pair, bucket) cells
        with how often the bucket occurs in the pair, sorted by row then bucket.
    dense : np.ndarray
        ``(n, len(DENSE_NAMES))`` numbers.
    """

    n: int
    blocks: dict[str, Cells]
    dense: np.ndarray


@dataclass(frozen=True)
class TextFeatures:
    """Hashed features of n pairs, text blocks stored once per distinct text.

    Attributes
    ----------
    n : int
        Number of pairs.
    texts : int
        Number of distinct texts.
    reply, parent : np.ndarray
        Each pair's reply and parent text (indices below ``texts``).
    blocks : dict
        Block name to ``(text, bucket, count)`` cells, sorted by text then bucket;
        a block covers the texts on its side (:data:`BLOCK_SIDE`) only.
    dense : np.ndarray
        ``(n, len(DENSE_NAMES))`` numbers.
    """

    n: int
    texts: int
    reply: np.ndarray
    parent: np.ndarray
    blocks: dict[str, Cells]
    dense: np.ndarray

    def side(self, block: str) -> np.ndarray:
        """The text of each pair that ``block`` reads."""
        return self.reply if BLOCK_SIDE[block] == "reply" else self.parent


def _bucket(keys: np.ndarray, block: str) -> np.ndarray:
    mixed = keys ^ np.uint64(_SALTS[block])
    mixed *= _MIX
    mixed >>= np.uint64(64 - BLOCK_BITS[block])
    return mixed.view(np.int64)  # below 2**BLOCK_BITS: the same number as int64


def _cells(rows: np.ndarray, buckets: np.ndarray, block: str, texts: int | None = None) -> Cells:
    """Unique (row, bucket) cells and their counts, sorted by row then bucket.

    The cells a sparse matrix of the entries (``texts`` rows by the block's
    buckets) holds once its duplicates are summed, counted by :func:`_counted`
    (one sort of ``(row << bits) | bucket`` keys; ``texts`` is not needed).

    Examples
    --------
    >>> rows, buckets, counts = _cells(np.array([2, 0, 2]), np.array([7, 9, 7]), "reply_opening")
    >>> rows.tolist(), buckets.tolist(), counts.tolist()
    ([0, 2], [9, 7], [1, 2])
    """
    bits = BLOCK_BITS[block]
    return _counted((rows.astype(np.int64) << bits) | buckets, bits)


def _known(rows: np.ndarray, buckets: np.ndarray, known: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The (row, bucket) entries whose bucket ``known`` (a mask over buckets, None: all) marks."""
    if known is None:
        return rows, buckets
    keep = known[buckets]
    return rows[keep], buckets[keep]


@dataclass(frozen=True)
class WordSlots:
    """What both word blocks read: per token its ``2 * word + negated`` id and text, and the keys of word pairs.

    Attributes
    ----------
    hashes : np.ndarray
        CRC-32 of each (word, negated) (:meth:`~sna.stance.tokens.Tokenised.word_hashes`).
    ids : np.ndarray
        Each token's index into ``hashes``.
    owner : np.ndarray
        Each token's text.
    pairs : np.ndarray
        Key of each pair of adjacent tokens (token ``i`` and ``i + 1``): the two hashes side by side
        with the top bit set.
    pair_ok : np.ndarray
        Whether the pair is inside one text.
    """

    hashes: np.ndarray
    ids: np.ndarray
    owner: np.ndarray
    pairs: np.ndarray
    pair_ok: np.ndarray


def _word_slots(tok: Tokenised) -> WordSlots:
    """The token ids and word-pair keys of :class:`WordSlots` (both word blocks read them; built once)."""
    table, ids = tok.word_hashes(), tok.word_ids()
    hashes = table[ids]
    pairs = hashes[:-1] << np.uint64(32)
    pairs |= hashes[1:]
    pairs |= np.uint64(1 << 63)
    pair_ok = np.ones(len(pairs), bool)
    last = tok.offsets[1:][tok.lengths > 0] - 1  # a text's last token starts no pair
    pair_ok[last[last < len(pairs)]] = False
    return WordSlots(table, ids, tok.owner, pairs, pair_ok)


def _word_block(tok: Tokenised, slots: WordSlots, texts: np.ndarray, block: str, known: np.ndarray | None) -> Cells:
    """Words and adjacent word pairs of the chosen texts (a boolean mask over texts).

    A word's bucket depends on the word and its negation mark only, so it is
    computed once per vocabulary word (with whether the model knows it) and
    looked up per token; word pairs are hashed per pair. Only the tokens and
    pairs of chosen texts in known buckets are kept, as ``(text << bits) |
    bucket`` keys, counted by :func:`_counted` (which sorts them: the order
    the keys come in does not matter).

    Examples
    --------
    >>> from sna.stance.tokens import tokenise
    >>> tok = tokenise(["no way", "way way", "way"])  # text 1: "way" twice, the pair ("way", "way") once
    >>> rows, buckets, counts = _word_block(tok, _word_slots(tok), np.array([False, True, True]), "reply_words", None)
    >>> rows.tolist(), sorted(counts[:2].tolist()), bool(buckets[2] in buckets[:2])
    ([1, 1, 2], [1, 2], True)
    """
    bits = BLOCK_BITS[block]
    chosen = texts[: tok.n]
    words = _bucket(slots.hashes, block)
    # per token: chosen text, known bucket
    take = chosen[slots.owner]
    pair_take = take[:-1] & slots.pair_ok
    if known is not None:
        take &= known[words][slots.ids]
    pairs = _bucket(slots.pairs, block)
    if known is not None:
        pair_take &= known[pairs]
    at = np.flatnonzero(take)
    keys = slots.owner[at] << bits
    keys |= words[slots.ids[at]]
    at = np.flatnonzero(pair_take)
    pair_keys = slots.owner[at] << bits
    pair_keys |= pairs[at]
    return _counted(np.concatenate([keys, pair_keys]), bits)


def _counted(keys: np.ndarray, bits: int) -> Cells:
    """Cells of ``(row << bits) | bucket`` keys, in any order: distinct keys and their counts.

    Sorted by row then bucket: the same cells, in the same order, as a sparse
    matrix of the entries with its duplicates summed. Equal keys are the same
    cell, so the sort need not be stable: numpy's default sort of int64 (SIMD
    quicksort) took less than half the time of its stable sort (a merge of the
    rows' runs) on IAC bulk's word blocks, which took half the time of scipy's
    per-row sort and summing.

    Examples
    --------
    >>> rows, buckets, counts = _counted(np.array([(0 << 4) | 5, (0 << 4) | 2, (0 << 4) | 5, (2 << 4) | 1]), 4)
    >>> rows.tolist(), buckets.tolist(), counts.tolist()
    ([0, 0, 2], [2, 5, 1], [1, 2, 1])
    """
    keys = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(keys)]).astype(np.int64)
    first = keys[starts]
    return first >> bits, first & ((1 << bits) - 1), counts


def _char_block(
    tok: Tokenised, texts: np.ndarray, block: str, known: np.ndarray | None, lo: int = 2, hi: int = 5
) -> Cells:
    """Byte n-grams of `` text ``, lo ≤ n ≤ hi, not crossing texts."""
    chosen = np.flatnonzero(texts)
    encoded = [(" " + t + " ").encode() for t in tok.clean.gather(chosen).to_list()]
    lengths = np.fromiter((len(e) for e in encoded), np.int64, len(encoded))
    data = np.frombuffer(b"".join(encoded), np.uint8).astype(np.uint64) + np.uint64(1)
    owner = np.repeat(chosen, lengths)
    rows, keys = [], []
    rolling = data
    for n in range(2, hi + 1):
        rolling = rolling[:-1] * np.uint64(257) + data[n - 1 :]
        if n >= lo:
            inside = owner[: len(rolling)] == owner[n - 1 :]
            rows.append(owner[: len(rolling)][inside])
            keys.append(rolling[inside])
    return _cells(*_known(np.concatenate(rows), _bucket(np.concatenate(keys), block), known), block, tok.n)


def _opening_block(tok: Tokenised, texts: np.ndarray, known: np.ndarray | None) -> Cells:
    """``^`` plus the first one, two and three tokens of the chosen texts (``^`` alone when empty).

    Each opening is hashed by its CRC-32, computed for all openings at once (:func:`~sna.stance.tokens.crc32s`).
    """
    chosen = np.flatnonzero(texts)
    starts, lengths = tok.offsets[chosen], tok.lengths[chosen]
    openings, rows = [], []
    text = pl.Series(dtype=pl.String)
    for k in range(3):
        has = lengths > k
        where = np.where(has, starts + k, 0)
        word = tok.vocab.gather(tok.words[where]) if len(tok.words) else pl.Series([""] * len(chosen))
        marked = pl.select(
            pl.when(pl.Series(tok.negated[where] if len(tok.words) else np.zeros(len(chosen), bool)))
            .then(pl.lit("NOT_") + word)
            .otherwise(word)
        ).to_series()
        text = pl.select(pl.lit("^") + marked).to_series() if k == 0 else text + " " + marked
        openings.append(text.filter(pl.Series(has)))
        rows.append(chosen[has])
    openings.append(pl.Series(["^"] * int((lengths == 0).sum()), dtype=pl.String))
    rows.append(chosen[lengths == 0])
    (keys,) = crc32s(pl.concat(openings))
    rows_and_buckets = _known(np.concatenate(rows).astype(np.int64), _bucket(keys, "reply_opening"), known)
    return _cells(*rows_and_buckets, "reply_opening", tok.n)


def _text_counts(tok: Tokenised) -> dict[str, np.ndarray]:
    """Per text: tokens, ``?`` and ``!``, cue words, negations, second person, ending in ``?``.

    Counted over the few tokens that are one of these words (one flag column per count).
    """
    n, lengths = tok.n, tok.lengths
    question = tok.word_flags({"?"})
    flags = np.column_stack([question, tok.word_flags({"!"}), tok.word_flags(AGREE_WORDS),
                             tok.word_flags(DISAGREE_WORDS), negation_flags(tok.vocab),
                             tok.word_flags(SECOND_PERSON)])  # fmt: skip
    hit = np.flatnonzero(flags.any(axis=1)[tok.words]) if len(tok.words) else np.zeros(0, np.int64)
    owner = np.searchsorted(tok.offsets, hit, side="right") - 1
    per_word = flags[tok.words[hit]]
    # float sums of 0/1 flags (exact): the numbers np.bincount with flag weights gives
    counted = [np.bincount(owner, per_word[:, k], minlength=n).astype(np.float64) for k in range(flags.shape[1])]
    last = tok.words[np.maximum(tok.offsets[1:] - 1, 0)] if len(tok.words) else np.zeros(n, np.int64)
    return {
        "words": lengths,
        "questions": counted[0],
        "exclamations": counted[1],
        "ends_with_question": (lengths > 0) & (question[last] if len(question) else False),
        "agree": counted[2] + tok.agree_phrases,
        "disagree": counted[3] + tok.other_phrases,
        "negations": counted[4],
        "second_person": counted[5],
    }


def _shared_words(tok: Tokenised, reply: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per pair: distinct words of the reply, of the parent, and words they share.

    The texts' sets of words are the distinct ``(text << bits) | word`` keys
    (one sort), given to scipy as a CSR matrix with sorted indices, whose
    element-wise product of reply and parent rows counts the shared words.

    Examples
    --------
    >>> from sna.stance.tokens import tokenise
    >>> tok = tokenise(["a b a c", "b c d", ""])
    >>> [x.tolist() for x in _shared_words(tok, np.array([0, 2]), np.array([1, 1]))]
    [[3, 0], [3, 3], [2.0, 0.0]]
    """
    import scipy.sparse as sp

    bits = max(len(tok.vocab).bit_length(), 1)
    rows, words, _ = _counted(tok.words.astype(np.int64) | (tok.owner.astype(np.int64) << bits), bits)
    sizes = np.bincount(rows, minlength=tok.n)
    kind = np.int32 if len(words) < 2**31 and len(tok.vocab) < 2**31 else np.int64
    indptr = np.zeros(tok.n + 1, kind)
    np.cumsum(sizes, out=indptr[1:])
    sets = sp.csr_matrix((np.ones(len(words)), words.astype(kind), indptr), shape=(tok.n, max(len(tok.vocab), 1)))
    sets.has_sorted_indices = True
    shared = np.asarray(sets[reply].multiply(sets[parent]).sum(axis=1)).ravel()
    return sizes[reply], sizes[parent], shared


def _dense(tok: Tokenised, reply: np.ndarray, parent: np.ndarray) -> np.ndarray:
    counts = _text_counts(tok)
    r_set, p_set, shared = _shared_words(tok, reply, parent)
    n_r = counts["words"][reply].astype(np.float64)
    n_p = counts["words"][parent].astype(np.float64)
    per = 10.0 / (1 + n_r)
    union = r_set + p_set - shared
    columns = (
        np.log1p(n_r),
        np.log1p(n_p),
        np.log1p(n_r) - np.log1p(n_p),
        shared / np.where(union > 0, union, 1),
        shared / np.where(r_set > 0, r_set, 1),
        np.log1p(counts["questions"][reply]),
        np.log1p(counts["questions"][parent]),
        counts["ends_with_question"][parent].astype(np.float64),
        np.log1p(counts["exclamations"][reply]),
        counts["agree"][reply] * per,
        counts["disagree"][reply] * per,
        counts["negations"][reply] * per,
        counts["second_person"][reply] * per,
        (n_r <= 3).astype(np.float64),
    )
    return np.column_stack(columns) if len(reply) else np.zeros((0, len(DENSE_NAMES)))


def featurize(
    parents: Sequence[str | None] | pl.Series,
    replies: Sequence[str | None] | pl.Series,
    *,
    blocks: Iterable[str] | None = None,
    known: Mapping[str, np.ndarray] | None = None,
) -> TextFeatures:
    """Hash the features of each (parent, reply) pair, each distinct text once.

    Parameters
    ----------
    parents, replies : sequence of str or pl.Series
        The words answered and the reply's own words, pair by pair.
    blocks : iterable of str, optional
        The text blocks to compute (default: all of :data:`BLOCK_BITS`).
    known : mapping of str to np.ndarray, optional
        Per block, a boolean mask over its buckets: only cells of marked
        buckets are kept (a model keeps the buckets it knows, since the others
        weigh nothing). Default: all.

    Returns
    -------
    TextFeatures

    Examples
    --------
    >>> feats = featurize(["Tea is best.", "Tea is best."], ["No, coffee is.", "Tea is best."])
    >>> feats.n, feats.texts, feats.parent.tolist(), feats.reply.tolist()
    (2, 2, [0, 0], [1, 0])
    """
    if len(parents) != len(replies):
        raise ValueError(f"{len(parents)} parents but {len(replies)} replies")
    wanted = set(BLOCK_BITS if blocks is None else blocks)
    unknown = wanted - set(BLOCK_BITS)
    if unknown:
        raise ValueError(f"unknown feature block(s) {', '.join(sorted(unknown))}")
    n = len(replies)
    both = pl.concat([_series(parents), _series(replies)])
    texts, index = distinct(both)
    parent, reply = index[:n], index[n:]
    tok = clean_and_tokenise(texts)
    sides = {}
    for side, which in (("reply", reply), ("parent", parent)):
        mask = np.zeros(tok.n, bool)
        mask[which] = True
        sides[side] = mask
    words = _word_slots(tok) if wanted & {"reply_words", "parent_words"} else None
    known = known or {}
    makers = {
        "reply_words": lambda: _word_block(tok, words, sides["reply"], "reply_words", known.get("reply_words")),
        "reply_chars": lambda: _char_block(tok, sides["reply"], "reply_chars", known.get("reply_chars")),
        "parent_words": lambda: _word_block(tok, words, sides["parent"], "parent_words", known.get("parent_words")),
        "reply_opening": lambda: _opening_block(tok, sides["reply"], known.get("reply_opening")),
    }
    jobs = [make for name, make in makers.items() if name in wanted]
    dense = partial(_dense, tok, reply, parent)
    if tok.n < 2 * PART_TEXTS or workers() < 2:
        done = [make() for make in [*jobs, dense]]
    else:  # numpy and scipy let go of the interpreter lock: the blocks are computed side by side
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda make: make(), [*jobs, dense]))
    computed = dict(zip([name for name in makers if name in wanted], done[:-1], strict=True))
    return TextFeatures(n, tok.n, reply, parent, computed, done[-1])


def _series(texts: Sequence[str | None] | pl.Series) -> pl.Series:
    return texts.cast(pl.String) if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)


def _per_pair(cells: Cells, text_of_pair: np.ndarray, texts: int) -> Cells:
    """Text-indexed cells copied to each pair that reads the text, sorted by pair then bucket."""
    rows, buckets, counts = cells
    starts = np.searchsorted(rows, np.arange(texts + 1))
    first, sizes = starts[text_of_pair], np.diff(starts)[text_of_pair]
    pair = np.repeat(np.arange(len(text_of_pair)), sizes)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    where = np.repeat(first, sizes) + within
    return pair, buckets[where], counts[where]


def extract(
    parents: Sequence[str | None], replies: Sequence[str | None], *, blocks: Iterable[str] | None = None
) -> RawFeatures:
    """Hash the features of each (parent, reply) pair, one row of cells per pair (for training).

    Parameters
    ----------
    parents, replies : sequence of str
        The words answered and the reply's own words, pair by pair.
    blocks : iterable of str, optional
        The text blocks to compute (default: all of :data:`BLOCK_BITS`).

    Returns
    -------
    RawFeatures

    Examples
    --------
    >>> raw = extract(["Tea is best."], ["No, coffee is."])
    >>> raw.n, sorted(raw.blocks), raw.dense.shape
    (1, ['parent_words', 'reply_chars', 'reply_opening', 'reply_words'], (1, 14))
    """
    feats = featurize(parents, replies, blocks=blocks)
    cells = {name: _per_pair(c, feats.side(name), feats.texts) for name, c in feats.blocks.items()}
    return RawFeatures(feats.n, cells, feats.dense)


def weigh(cells: tuple[np.ndarray, np.ndarray | None, np.ndarray], idf: np.ndarray, n: int) -> np.ndarray:
    """TF-IDF values of one block's cells, scaled so each pair's vector has unit length.

    ``idf`` gives each cell's bucket weight (0 for buckets the model does not
    know, which then count for nothing, not even in the length).

    Examples
    --------
    >>> rows, counts = np.array([0, 0, 1]), np.array([1, 3, 2])
    >>> weigh((rows, None, counts), np.array([1.0, 1.0, 0.0]), 2).round(3).tolist()
    [0.43, 0.903, 0.0]
    """
    rows, _, counts = cells
    values = (1.0 + np.log(counts)) * idf
    norm = np.sqrt(np.bincount(rows, values * values, minlength=n))
    return values / np.where(norm > 0, norm, 1.0)[rows]
