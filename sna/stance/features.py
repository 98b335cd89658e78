"""Features of a (parent, reply) pair for the stance model: pure numpy, no fitting.

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
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: Bits of the hash space of each text block.
BLOCK_BITS: dict[str, int] = {"reply_words": 20, "reply_chars": 20, "parent_words": 20, "reply_opening": 16}
_SALTS = {"reply_words": 0x51ED27, "reply_chars": 0xC4A75, "parent_words": 0x9A7E17, "reply_opening": 0x0BE1}
MAX_CHARS = 3000
"""Texts are cut to this many characters before hashing (long posts cost time, add little)."""

_URL = re.compile(r"https?://\S+|www\.\S+")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[?!.,;:]")
_SCOPE_END = frozenset(".,;:!?")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DROP = frozenset(".,;:")
_NEGATIONS = _words(
    "not no never nothing nobody none neither nor cannot cant dont doesnt isnt wasnt arent wont "
    "didnt shouldnt wouldnt couldnt aint"
)
_AGREE = _words(
    "agree agreed exactly yes yep yeah true correct absolutely indeed precisely thanks thank same "
    "definitely totally right"
)
_DISAGREE = _words(
    "no nope wrong but however actually lie lies lying bullshit bs nonsense ridiculous stupid idiot "
    "false disagree incorrect source citation prove lol lmao sure really delusional moron fake "
    "propaganda"
)
_SECOND_PERSON = frozenset(("you", "your", "you're", "youre", "yourself", "you've", "you'd", "u"))
_PHRASES = re.compile(r"\b(?:well said|good point|great point|so true|good luck|if you think|you think|nice try)\b")
_AGREE_PHRASES = frozenset(("well said", "good point", "great point", "so true"))
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


def clean_text(text: str | None) -> str:
    """Lower-case a post's own words: markdown quote lines, links and extra space removed.

    Lines starting with ``>`` quote the parent, so they are not the replier's
    own words and are dropped.

    Examples
    --------
    >>> clean_text("> You said X.\\nNo, I didn\u2019t. See https://x.org/a")
    "no, i didn't. see httpurl"
    """
    if not text:
        return ""
    text = text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").replace("&#x200B;", " ")
    if ">" in text:
        text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    text = _URL.sub(" httpurl ", text[: MAX_CHARS * 2]).replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip().lower()[:MAX_CHARS]


def tokens(clean: str) -> list[str]:
    """Words of cleaned text, with ``?``/``!`` kept and negated words marked.

    Examples
    --------
    >>> tokens("i don't think so, really?")
    ['i', "don't", 'NOT_think', 'NOT_so', 'really', '?']
    """
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
    blocks: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    dense: np.ndarray


def _bucket(keys: np.ndarray, block: str) -> np.ndarray:
    mixed = (keys ^ np.uint64(_SALTS[block])) * _MIX
    return (mixed >> np.uint64(64 - BLOCK_BITS[block])).astype(np.int64)


def _cells(rows: np.ndarray, buckets: np.ndarray, block: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (row, bucket) cells and their counts."""
    bits = BLOCK_BITS[block]
    keys = np.sort((rows.astype(np.int64) << bits) | buckets)
    if len(keys) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[start, len(keys)])
    unique = keys[start]
    return unique >> bits, unique & ((1 << bits) - 1), counts


class _WordHasher:
    """CRC-32 of words, remembered (a corpus repeats few distinct words)."""

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


def _word_block(token_lists: list[list[str]], hasher: _WordHasher, block: str) -> tuple[np.ndarray, ...]:
    """Words and adjacent word pairs."""
    lengths = np.fromiter((len(t) for t in token_lists), np.int64, len(token_lists))
    flat = [h for toks in token_lists for h in hasher(toks)]
    ids = np.array(flat, dtype=np.uint64)
    rows = np.repeat(np.arange(len(token_lists)), lengths)
    same = rows[1:] == rows[:-1] if len(rows) else np.zeros(0, bool)
    pairs = ((ids[:-1] << np.uint64(32)) | ids[1:] | np.uint64(1 << 63))[same]
    keys = np.concatenate([ids, pairs])
    all_rows = np.concatenate([rows, rows[:-1][same]])
    return _cells(all_rows, _bucket(keys, block), block)


def _char_block(texts: list[str], block: str, lo: int = 2, hi: int = 5) -> tuple[np.ndarray, ...]:
    """Byte n-grams of `` text ``, lo ≤ n ≤ hi, not crossing texts."""
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


def _opening_block(token_lists: list[list[str]], hasher: _WordHasher) -> tuple[np.ndarray, ...]:
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
        agree = sum(t in _AGREE for t in plain) + sum(p in _AGREE_PHRASES for p in phrases)
        disagree = sum(t in _DISAGREE for t in plain) + sum(p not in _AGREE_PHRASES for p in phrases)
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
            sum(t in _SECOND_PERSON for t in plain) * per,
            float(n_r <= 3),
        )
    return out


def extract(
    parents: Sequence[str | None], replies: Sequence[str | None], *, blocks: Iterable[str] | None = None
) -> RawFeatures:
    """Hash the features of each (parent, reply) pair.

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
    if len(parents) != len(replies):
        raise ValueError(f"{len(parents)} parents but {len(replies)} replies")
    parent_clean = [clean_text(t) for t in parents]
    reply_clean = [clean_text(t) for t in replies]
    parent_tokens = [tokens(t) for t in parent_clean]
    reply_tokens = [tokens(t) for t in reply_clean]
    hasher = _WordHasher()
    wanted = set(BLOCK_BITS if blocks is None else blocks)
    unknown = wanted - set(BLOCK_BITS)
    if unknown:
        raise ValueError(f"unknown feature block(s) {', '.join(sorted(unknown))}")
    makers = {
        "reply_words": lambda: _word_block(reply_tokens, hasher, "reply_words"),
        "reply_chars": lambda: _char_block(reply_clean, "reply_chars"),
        "parent_words": lambda: _word_block(parent_tokens, hasher, "parent_words"),
        "reply_opening": lambda: _opening_block(reply_tokens, hasher),
    }
    computed = {name: make() for name, make in makers.items() if name in wanted}
    return RawFeatures(len(replies), computed, _dense(parent_tokens, reply_tokens))


def weigh(cells: tuple[np.ndarray, np.ndarray, np.ndarray], idf: np.ndarray, n: int) -> np.ndarray:
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
