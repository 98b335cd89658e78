"""Cleaning and tokenising texts for the stance features: each distinct text once, as flat arrays.

A reply thread repeats its texts: a parent answered by twenty replies is one
text, and a post is the reply of one pair and the parent of the next. So the
features start from the *distinct* texts of a batch (:func:`distinct`),
clean them (:func:`clean_texts`: polars string expressions over the whole
column for ASCII texts, :func:`clean_text` in Python for the few others), and
tokenise them all at once (:func:`tokenise`): the token regular expression runs
in polars, and negation scopes, word hashes and counts are numpy arrays over
the tokens of the whole batch. The result is the same, token for token, as
:func:`tokens` applied to each text. :func:`clean_and_tokenise` does both steps
on large batches in two parts side by side (threads: the work is polars and
numpy, which let go of the interpreter lock) and joins the parts into the very
arrays one batch gives.
"""

from __future__ import annotations

import itertools
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

MAX_CHARS = 3000
"""Texts are cut to this many characters before hashing (long posts cost time, add little)."""

_URL = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[?!.,;:]")
_SCOPE_END = frozenset(".,;:!?")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DROP = frozenset(".,;:")
_NEGATIONS = _words(
    "not no never nothing nobody none neither nor cannot cant dont doesnt isnt wasnt arent wont "
    "didnt shouldnt wouldnt couldnt aint"
)
AGREE_WORDS = _words(
    "agree agreed exactly yes yep yeah true correct absolutely indeed precisely thanks thank same "
    "definitely totally right"
)
DISAGREE_WORDS = _words(
    "no nope wrong but however actually lie lies lying bullshit bs nonsense ridiculous stupid idiot "
    "false disagree incorrect source citation prove lol lmao sure really delusional moron fake "
    "propaganda"
)
SECOND_PERSON = frozenset(("you", "your", "you're", "youre", "yourself", "you've", "you'd", "u"))
_AGREE_PHRASES = ("well said", "good point", "great point", "so true")
_OTHER_PHRASES = ("good luck", "if you think", "you think", "nice try")
_PHRASES = re.compile(r"\b(?:" + "|".join((*_AGREE_PHRASES, *_OTHER_PHRASES)) + r")\b")
_MAY_HOLD_PHRASE = "|".join("[^a-z0-9]+".join(phrase.split()) for phrase in (*_AGREE_PHRASES, *_OTHER_PHRASES))
"""A cleaned text holds a cue phrase among its tokens only if it holds the phrase's words with only
characters that are in no word token between them (word tokens are runs of [a-z0-9'] that touch nothing
else of [a-z0-9], and the dropped ``.,;:`` are such characters)."""
_NOT = zlib.crc32(b"NOT_")


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
    text = text[: MAX_CHARS * 2]
    if "http" in text or "www." in text:
        text = _URL.sub(" httpurl ", text)
    # split/join: the same as collapsing r"\s+" runs and stripping (both use str.isspace), faster
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).lower()[:MAX_CHARS]


_PLAIN = (
    r"^[\x00-\x1b\x20-\x7f\u00a1-\u00a9\u00ab-\u00b4\u00b6-\u00b9\u00bb-\u00bf\u00d7\u00f7\u2010-\u2027\u2030-\u205e]*$"
)
"""Texts of these characters only are cleaned in polars: ASCII, where polars' regular expressions,
whitespace and lower case agree with Python's (the separators \\x1c-\\x1f are space to Python only),
and the Latin-1 signs and general punctuation (… ’ “ — •) that are no letter and no space to either."""
_QUOTE_LINE = r"(?m)^[ \t\r\x0b\x0c]*>[^\n]*\n?"
_SPACE_RUN = r"[\t\n\x0b\x0c\r ]{2,}|[\t\n\x0b\x0c\r]"
"""What cleaning turns into one space: two or more whitespace characters in a row, or one that is not a space
(ASCII whitespace, where Python's ``str.split`` and polars' ``\\s`` agree). Matching every single space instead
costs five times as much."""


def clean_texts(texts: pl.Series) -> pl.Series:
    """:func:`clean_text` of each text (null as empty), the ASCII ones all at once in polars.

    Examples
    --------
    >>> clean_texts(pl.Series(["> quoted\\nNo,   see www.x.org", None, "Caf\u00e9 \u2019s"])).to_list()
    ['no, see httpurl', '', "caf\u00e9 's"]
    """
    texts = texts.cast(pl.String).fill_null("")
    plain = texts.str.contains(_PLAIN).to_numpy()
    cut = (
        texts.filter(plain)
        .str.replace_all("&gt;", ">", literal=True)
        .str.replace_all("&lt;", "<", literal=True)
        .str.replace_all("&amp;", "&", literal=True)
        .str.replace_all("&#x200B;", " ", literal=True)
        .str.replace_all(_QUOTE_LINE, "")
        .str.slice(0, MAX_CHARS * 2)
        .str.replace_all(_URL.pattern, " httpurl ")
        .str.replace_many(["\u2019", "\u2018"], ["'", "'"])
        .str.replace_all(_SPACE_RUN, " ")
        .str.strip_chars()
        .str.to_lowercase()
        .str.slice(0, MAX_CHARS)
    )
    if plain.all():
        return cut
    others = pl.Series([clean_text(t) for t in texts.filter(~plain).to_list()], dtype=pl.String)
    # back in input order: the k-th text of (cut, others) came from position np.r_[plain rows, other rows][k]
    where = np.empty(len(texts), np.int64)
    where[np.r_[np.flatnonzero(plain), np.flatnonzero(~plain)]] = np.arange(len(texts))
    return pl.concat([cut, others]).gather(where).alias(texts.name)


def is_negation(word: str) -> bool:
    """Whether a word opens a negation scope (``not``, ``never``, ``don't`` …)."""
    return word in _NEGATIONS or word.endswith("n't")


def tokens(clean: str) -> list[str]:
    """Words of cleaned text, with ``?``/``!`` kept and negated words marked (one text, in Python).

    :func:`tokenise` gives the same tokens for many texts at once; this is the
    definition it is tested against.

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
        if is_negation(tok):
            negated = True
    return out


def distinct(texts: Sequence[str | None] | pl.Series) -> tuple[pl.Series, np.ndarray]:
    """The distinct texts (null as ``""``) in order of first appearance, and each input's index among them.

    Examples
    --------
    >>> texts, index = distinct(["a", "b", "a", None])
    >>> texts.to_list(), index.tolist()
    (['a', 'b', ''], [0, 1, 0, 2])
    """
    series = texts if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)
    frame = pl.DataFrame({"t": series.cast(pl.String).fill_null("")})
    first = frame.with_row_index("i").group_by("t", maintain_order=True).agg(pl.col("i").first())
    unique = first["t"]
    index = frame.join(first.with_row_index("k"), on="t", how="left", maintain_order="left")["k"]
    return unique, index.to_numpy().astype(np.int64)


@dataclass(frozen=True)
class Tokenised:
    """The tokens of n texts, flattened; text ``i`` owns tokens ``offsets[i]:offsets[i + 1]``.

    Only the tokens :func:`tokens` keeps are here (``.,;:`` dropped).

    Attributes
    ----------
    clean : pl.Series
        The cleaned texts (:func:`clean_text`).
    offsets : np.ndarray
        ``n + 1`` token offsets.
    words : np.ndarray
        Each token's word (an index into ``vocab``), without its negation mark.
    negated : np.ndarray
        Whether each token is in a negation scope (marked ``NOT_``).
    vocab : pl.Series
        The distinct words.
    agree_phrases, other_phrases : np.ndarray
        Per text: how many agreeing phrases ("well said", "good point" …) and
        other cue phrases ("good luck", "if you think" …) it contains.
    """

    clean: pl.Series
    offsets: np.ndarray
    words: np.ndarray
    negated: np.ndarray
    vocab: pl.Series
    agree_phrases: np.ndarray
    other_phrases: np.ndarray

    @property
    def n(self) -> int:
        """Number of texts."""
        return len(self.clean)

    @property
    def lengths(self) -> np.ndarray:
        """Tokens per text."""
        return np.diff(self.offsets)

    @property
    def owner(self) -> np.ndarray:
        """The text of each token."""
        return np.repeat(np.arange(self.n), self.lengths)

    def word_flags(self, words: frozenset[str] | set[str]) -> np.ndarray:
        """Per vocabulary word: whether it is one of ``words``."""
        return _flags(self.vocab, frozenset(words))

    def word_hashes(self) -> np.ndarray:
        """CRC-32 of each vocabulary word, then of it marked ``NOT_``: ``(2 * len(vocab),)`` uint64, interleaved.

        Entry ``2 w + negated`` is the hash of word ``w`` as :func:`tokens` writes it.
        """
        plain, marked = crc32s(self.vocab, (0, _NOT))
        out = np.empty(2 * len(plain), np.uint64)
        out[0::2], out[1::2] = plain, marked
        return out

    def word_ids(self) -> np.ndarray:
        """Each token's index into :meth:`word_hashes`: ``2 * word + negated``."""
        ids = self.words * 2
        ids += self.negated
        return ids

    def hashes(self) -> np.ndarray:
        """CRC-32 of each token as :func:`tokens` writes it (``NOT_`` prefix included), as uint64."""
        return self.word_hashes()[self.word_ids()]

    def token(self, i: int) -> str:
        """Token ``i`` as :func:`tokens` writes it."""
        word = self.vocab[int(self.words[i])]
        return "NOT_" + word if self.negated[i] else word


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table.astype(np.uint32)


_CRC_TABLE = _crc_table()
_CRC_BYTES = 64
"""Words up to this many bytes are hashed byte by byte for all words at once; longer ones by zlib."""


def crc32s(texts: pl.Series, starts: Sequence[int] = (0,)) -> list[np.ndarray]:
    """``zlib.crc32(text.encode(), start)`` of each text, for each start value, as uint64 arrays.

    The table-driven CRC runs one byte position at a time over all texts that are
    that long (numpy), so short words cost no Python call each.

    Examples
    --------
    >>> [h.tolist() for h in crc32s(pl.Series(["", "ab", "n't"]), (0, 7))] == [
    ...     [zlib.crc32(w.encode(), s) for w in ("", "ab", "n't")] for s in (0, 7)]
    True
    """
    from sna.shingles import text_bytes

    buf, offsets = text_bytes(texts.cast(pl.String))
    lengths = np.diff(offsets)
    out = []
    for start in starts:
        crc = np.full(len(lengths), np.uint32(start ^ 0xFFFFFFFF), np.uint32)
        active = np.flatnonzero((lengths > 0) & (lengths <= _CRC_BYTES))
        for k in range(int(lengths[active].max()) if len(active) else 0):
            active = active[lengths[active] > k]
            byte = buf[offsets[active] + k].astype(np.uint32)
            now = crc[active]
            crc[active] = _CRC_TABLE[(now ^ byte) & np.uint32(0xFF)] ^ (now >> np.uint32(8))
        crc ^= np.uint32(0xFFFFFFFF)
        hashed = crc.astype(np.uint64)
        for i in np.flatnonzero(lengths > _CRC_BYTES).tolist():
            hashed[i] = zlib.crc32(buf[offsets[i] : offsets[i + 1]].tobytes(), start)
        out.append(hashed)
    return out


def _flags(vocab: pl.Series, words: frozenset[str]) -> np.ndarray:
    return vocab.is_in(list(words)).to_numpy()


def negation_flags(vocab: pl.Series) -> np.ndarray:
    """Per word: whether it opens a negation scope (:func:`is_negation`)."""
    return (vocab.is_in(list(_NEGATIONS)) | vocab.str.ends_with("n't")).to_numpy()


def _word_ids(flat: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Each token's index among the distinct tokens, and those tokens (in order of first appearance)."""
    if len(flat) == 0:
        return np.zeros(0, np.int64), pl.Series(dtype=pl.String)
    codes = flat.cast(pl.Categorical).to_physical().to_numpy().astype(np.int64)
    first = np.full(int(codes.max()) + 1, -1, np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    present = np.flatnonzero(first >= 0)
    order = np.argsort(first[present], kind="stable")
    remap = np.full(len(first), -1, np.int64)
    remap[present[order]] = np.arange(len(present))
    return remap[codes], flat.gather(first[present[order]])


def _negated(is_end: np.ndarray, is_neg: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Whether each token is in a negation scope, given which tokens end and open scopes and the texts' lengths.

    A token is negated when the last scope event before it in its text (a negation word opens
    a scope, punctuation ends it) is a negation word, and it does not end a scope itself. The
    tokens fall into runs that start right after each event and at each text's start; a run's
    tokens all have the state its start gives (the event's, or not negated at a text's start).

    Examples
    --------
    >>> word, end, neg = range(3)
    >>> kinds = np.array([word, neg, word, end, word, neg, word])
    >>> _negated(kinds == end, kinds == neg, np.array([5, 0, 2])).tolist()
    [False, False, True, False, False, False, True]
    """
    n = len(is_end)
    events = np.flatnonzero(is_end | is_neg)
    starts = (np.cumsum(lengths) - lengths)[lengths > 0]
    opens, state = np.zeros(n + 1, bool), np.zeros(n + 1, bool)
    opens[events + 1] = True
    opens[starts] = True
    state[events + 1] = is_neg[events]
    state[starts] = False
    first = np.flatnonzero(opens[:n])
    return np.repeat(state[first], np.diff(first, append=n)) & ~is_end


def tokenise(clean: list[str] | pl.Series) -> Tokenised:
    """Tokenise cleaned texts all at once (the same tokens as :func:`tokens` gives each).

    Examples
    --------
    >>> tok = tokenise(["i don't think so, really?", "", "well said"])
    >>> [tok.token(i) for i in range(tok.offsets[1])]
    ['i', "don't", 'NOT_think', 'NOT_so', 'really', '?']
    >>> tok.lengths.tolist(), tok.agree_phrases.tolist()
    ([6, 0, 2], [0, 0, 1])
    """
    clean = clean if isinstance(clean, pl.Series) else pl.Series("t", clean, dtype=pl.String)
    lists = clean.str.extract_all(_TOKEN.pattern)
    lengths = lists.list.len().to_numpy().astype(np.int64)
    flat = lists.explode()
    if len(flat) != lengths.sum():  # an empty list explodes to one null
        flat = flat.drop_nulls()
    raw, vocab = _word_ids(flat)
    is_end, is_neg, is_drop = (flags[raw] for flags in (_flags(vocab, _SCOPE_END), negation_flags(vocab),
                                                       _flags(vocab, _DROP)))  # fmt: skip
    negated = _negated(is_end, is_neg, lengths)
    starts = np.cumsum(lengths) - lengths
    dropped = np.r_[0, np.cumsum(is_drop)]
    kept_lengths = lengths - (dropped[starts + lengths] - dropped[starts])
    keep = ~is_drop
    # only texts that may hold a phrase are searched
    maybe = clean.str.contains(_MAY_HOLD_PHRASE).fill_null(False).to_numpy()
    agree, other = np.zeros(len(clean), np.int64), np.zeros(len(clean), np.int64)
    if maybe.any():
        # the kept tokens joined by spaces: word tokens never hold ".,;:", so a dropped token is one
        # of these characters and the space after it (or the end of the string)
        drop = sorted(_DROP)
        joined = lists.filter(maybe).list.join(" ")
        kept = joined.str.replace_many([d + " " for d in drop], [""] * len(drop))
        kept = kept.str.strip_chars_end("".join(drop) + " ")
        phrases = kept.str.extract_all(_PHRASES.pattern)
        agreeing = phrases.list.eval(pl.element().is_in(list(_AGREE_PHRASES))).list.sum().fill_null(0)
        agree[maybe] = agreeing.to_numpy()
        other[maybe] = (phrases.list.len() - agreeing).to_numpy()
    return Tokenised(
        clean=clean,
        offsets=np.r_[0, np.cumsum(kept_lengths)].astype(np.int64),
        words=raw[keep],
        negated=negated[keep],
        vocab=vocab,
        agree_phrases=agree,
        other_phrases=other,
    )


PART_TEXTS = 20_000
"""Fewest texts per part when the features are computed in parts on several cores (below, threads cost
more than they save: DEBAGREEMENT test's 8,500 texts took more CPU time in two parts than in one)."""


def workers() -> int:
    """Threads the stance features use: two when the process may run on two cores or more, else one."""
    try:
        return max(1, min(2, len(os.sched_getaffinity(0))))
    except AttributeError:  # not on Linux
        return max(1, min(2, os.cpu_count() or 1))


def clean_and_tokenise(texts: pl.Series, parts: int | None = None) -> Tokenised:
    """``tokenise(clean_texts(texts))``, the texts cut into consecutive parts done in threads.

    The work is polars and numpy, which let go of the interpreter lock, so on a
    machine with two free cores the parts run side by side. The parts' results
    are put back together in order, with one vocabulary (words in order of
    first appearance, as one :func:`tokenise` of all texts gives them): the
    result is the same, array for array.

    Parameters
    ----------
    texts : pl.Series
        The raw texts.
    parts : int, optional
        How many parts (default: two when the process may use two cores and
        there are at least ``2 * PART_TEXTS`` texts, else one).

    Examples
    --------
    >>> texts = pl.Series(["No, I don't agree.", "I agree", "don't you?"])
    >>> one, two = clean_and_tokenise(texts, parts=1), clean_and_tokenise(texts, parts=2)
    >>> [two.token(i) for i in range(len(two.words))]
    ['no', 'i', "don't", 'NOT_agree', 'i', 'agree', "don't", 'NOT_you', '?']
    >>> two.vocab.equals(one.vocab) and bool((two.words == one.words).all())
    True
    """
    if parts is None:
        parts = workers() if len(texts) >= 2 * PART_TEXTS else 1
    parts = max(1, min(parts, len(texts)))
    if parts == 1:
        return tokenise(clean_texts(texts))
    from concurrent.futures import ThreadPoolExecutor

    # parts of about the same number of characters
    sizes = np.cumsum(texts.str.len_bytes().fill_null(0).to_numpy().astype(np.int64))
    cuts = np.searchsorted(sizes, sizes[-1] * np.arange(1, parts) / parts) + 1
    cuts = sorted({0, *np.minimum(cuts, len(texts)).tolist(), len(texts)})
    pieces = [texts.slice(a, b - a) for a, b in itertools.pairwise(cuts)]
    with ThreadPoolExecutor(len(pieces)) as pool:
        done = list(pool.map(lambda piece: tokenise(clean_texts(piece)), pieces))
    return _joined(done)


def _joined(parts: list[Tokenised]) -> Tokenised:
    """The tokens of several batches of texts as one batch (texts, then tokens, in order)."""
    vocab = parts[0].vocab
    words = [parts[0].words]
    for part in parts[1:]:
        # a word already seen keeps its index; the part's new words follow, in their order
        seen = pl.DataFrame({"w": vocab, "i": np.arange(len(vocab), dtype=np.int64)})
        found = pl.DataFrame({"w": part.vocab}).join(seen, on="w", how="left", maintain_order="left")["i"]
        new = found.is_null().to_numpy()
        index = found.fill_null(-1).to_numpy().astype(np.int64)
        index[new] = len(vocab) + np.arange(int(new.sum()))
        vocab = pl.concat([vocab, part.vocab.filter(pl.Series(new))])
        words.append(index[part.words])
    starts = np.cumsum([0, *(part.offsets[-1] for part in parts[:-1])])
    return Tokenised(
        clean=pl.concat([part.clean for part in parts]),
        offsets=np.concatenate([[0], *(part.offsets[1:] + start for part, start in zip(parts, starts, strict=True))]),
        words=np.concatenate(words),
        negated=np.concatenate([part.negated for part in parts]),
        vocab=vocab,
        agree_phrases=np.concatenate([part.agree_phrases for part in parts]),
        other_phrases=np.concatenate([part.other_phrases for part in parts]),
    )
