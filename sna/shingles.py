"""Words of texts as 64-bit hashes, and hashes of runs of words (shingles, whole lines).

A *word* is a maximal run of letters, marks, digits and connector punctuation
other than ``_`` in the lower-cased text (what polars' ``str.extract_all`` of
:data:`TOKEN_PATTERN` finds after ``str.to_lowercase``), so case, whitespace and
punctuation never matter when passages are compared. :func:`tokenize`,
:func:`normalized` and :func:`normalize` split text with the same code, so what
one of them calls a word, the others do too.

Texts are never split into one string per word, which at a million posts
would mean tens of millions of strings. numpy reads the UTF-8 bytes: in ASCII,
word bytes are letters and digits, and letters are lower-cased as they are
read. Texts with other characters are first lower-cased by polars, and their
characters that cannot be part of a word turned into spaces, so that every
byte of 0x80 or above belongs to a word. Each word is hashed from its bytes read
eight at a time: words of up to eight bytes get distinct hashes, longer ones
fold in the rest eight bytes at a time.

The byte helpers (:func:`text_bytes`, :func:`line_starts`, :func:`cut_texts`)
also serve to cut passages out of texts by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import polars as pl

from sna.ids import sorted_unique, sorted_values

#: What words are, as a regular expression (for reference: the code reads bytes).
TOKEN_PATTERN = r"[^\W_]+"
#: Characters outside ASCII that cannot be part of a word (Rust regex syntax,
#: as polars uses it): they become spaces before the bytes are read.
_NON_ASCII_NON_WORD = r"[^\x00-\x7F\w]"
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MULT = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT = np.uint64(31)
_HIGH = np.uint64(0x8080808080808080)
#: From this many texts up, :func:`text_bytes` and :func:`bytes_to_texts` go through Arrow buffers (one copy,
#: no Python object per text); below it they do without, so that small inputs never load pyarrow (~0.2 s).
ARROW_TEXTS = 1000
#: Whether each byte value belongs to a word: ASCII letters and digits, and every byte of 0x80 or above.
_WORD_BYTE = np.array([(chr(b).isascii() and chr(b).isalnum()) or b >= 0x80 for b in range(256)], dtype=bool)
#: _MASKS[n] keeps the first n bytes of a little-endian 8-byte load.
_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


@dataclass(frozen=True)
class Tokens:
    """Texts split into lines and words, each word as a 64-bit hash.

    Lines are the pieces between ``"\\n"`` characters, so a text with ``j``
    line breaks has ``j + 1`` lines, empty ones included.

    Attributes
    ----------
    hashes : np.ndarray of uint64
        One hash per word, texts and words in order.
    text_words : np.ndarray of int64
        Offsets into ``hashes``: text ``i`` has words ``text_words[i]`` up to
        ``text_words[i + 1]``.
    text_lines : np.ndarray of int64
        Offsets into the lines: text ``i`` has lines ``text_lines[i]`` up to
        ``text_lines[i + 1]``.
    line_words : np.ndarray of int64
        Offsets into ``hashes`` per line, like ``text_words``.
    """

    hashes: np.ndarray
    text_words: np.ndarray
    text_lines: np.ndarray
    line_words: np.ndarray


# Bytes of texts, and texts from bytes ---------------------------------------


def text_bytes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string Series, followed by 8 bytes of padding, and each text's offset.

    Null counts as empty. The bytes are read-only.

    Examples
    --------
    >>> buf, offsets = text_bytes(pl.Series(["ab", None, "é"]))
    >>> bytes(buf[: offsets[-1]]), offsets.tolist()
    (b'ab\\xc3\\xa9', [0, 2, 2, 4])
    """
    if len(texts) < ARROW_TEXTS:
        texts = texts.fill_null("")
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(texts.str.len_bytes().to_numpy(), out=offsets[1:])
        joined = pl.concat([texts, pl.Series([" " * 8])]).str.join("").cast(pl.Binary).item()
        return np.frombuffer(joined, dtype=np.uint8), offsets
    import pyarrow as pa

    # Arrow's large_string buffers are the bytes and offsets already: one copy, to add the padding.
    array = texts.fill_null("").rechunk().to_arrow()
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    n = len(array)
    buf = np.full(8, 0x20, dtype=np.uint8)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n:
        bounds = np.frombuffer(array.buffers()[1], dtype=np.int64, count=n + 1, offset=8 * array.offset)
        first, total = int(bounds[0]), int(bounds[-1] - bounds[0])
        offsets = bounds - first
        buf = np.empty(total + 8, dtype=np.uint8)
        buf[total:] = 0x20
        if total:
            buf[:total] = np.frombuffer(array.buffers()[2], dtype=np.uint8, count=total, offset=first)
    buf.flags.writeable = False
    return buf, offsets


def bytes_to_texts(data: np.ndarray, offsets: np.ndarray) -> pl.Series:
    """Texts from UTF-8 bytes: text ``i`` is ``data[offsets[i] : offsets[i + 1]]``.

    Examples
    --------
    >>> bytes_to_texts(*text_bytes(pl.Series(["ab", None, "é"]))).to_list()
    ['ab', '', 'é']
    """
    n = len(offsets) - 1
    if n < ARROW_TEXTS:
        raw = data.tobytes()
        pieces = [raw[a:b] for a, b in pairwise(offsets.tolist())]
        return pl.Series("text", pieces, dtype=pl.Binary).cast(pl.String)
    import pyarrow as pa

    # Arrow buffers over the bytes and offsets (no copy), cast to strings by polars (one copy, UTF-8 checked).
    data = np.ascontiguousarray(data, dtype=np.uint8)
    bounds = np.ascontiguousarray(offsets, dtype=np.int64)
    array = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(bounds), pa.py_buffer(data)])
    return pl.Series("text", array, dtype=pl.Binary).cast(pl.String)


def line_starts(buf: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines of texts given as bytes (see :func:`text_bytes`): offsets into the lines, and each line's first byte.

    Examples
    --------
    >>> text_lines, line_start = line_starts(*text_bytes(pl.Series(["a\\nb", "", "c\\n"])))
    >>> text_lines.tolist(), line_start.tolist()
    ([0, 2, 3, 5], [0, 2, 3, 3, 5])
    """
    breaks = np.flatnonzero(buf[: len(buf) - 8] == 0x0A)
    n_lines = np.diff(np.searchsorted(breaks, offsets)) + 1
    text_lines = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(n_lines, out=text_lines[1:])
    line_start = np.empty(text_lines[-1], dtype=np.int64)
    first = np.zeros(len(line_start), dtype=bool)
    first[text_lines[:-1]] = True
    line_start[first] = offsets[:-1]
    line_start[~first] = breaks + 1
    return text_lines, line_start


def cut_texts(buf: np.ndarray, start: np.ndarray, end: np.ndarray, per_text: np.ndarray) -> pl.Series:
    """Texts made of byte ranges ``[start, end)`` of ``buf``: text ``i`` joins the next ``per_text[i]`` ranges.

    The ranges must be in order and must not overlap, and must cut ``buf``
    between characters.

    Examples
    --------
    >>> buf, _ = text_bytes(pl.Series(["one two three"]))
    >>> cut_texts(buf, np.array([0, 4, 8]), np.array([3, 7, 13]), np.array([1, 2])).to_list()
    ['one', 'twothree']
    """
    length = end - start
    steps = np.empty(2 * len(start) + 1, dtype=np.int64)  # alternately bytes to skip and to keep
    steps[0:-1:2] = start - np.concatenate(([0], end[:-1]))
    steps[1::2] = length
    steps[-1] = len(buf) - (end[-1] if len(end) else 0)
    keep = np.zeros(len(steps), dtype=bool)
    keep[1::2] = True
    data = buf[np.repeat(keep, steps)]
    offsets = np.zeros(len(per_text) + 1, dtype=np.int64)
    offsets[1:] = np.concatenate(([0], np.cumsum(length)))[np.cumsum(per_text)]
    return bytes_to_texts(data, offsets)


# Words ----------------------------------------------------------------------


def _word_bytes(texts: pl.Series, buf: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bytes in which to look for words: ``buf`` itself when every text is ASCII.

    Texts with other characters are lower-cased by polars and their characters
    outside ASCII that cannot be part of a word become spaces, so every byte of
    0x80 or above belongs to a word. ASCII letters are lower-cased later, as
    words are read.
    """
    n = len(buf) - 8
    if n <= 0 or buf.max() < 0x80:
        return buf, offsets
    rows = sorted_unique(np.searchsorted(offsets, np.flatnonzero(buf[:n] >= 0x80), side="right") - 1)
    wide = texts.gather(rows).str.to_lowercase().str.replace_all(_NON_ASCII_NON_WORD, " ")
    return text_bytes(texts.fill_null("").scatter(rows, wide))


def _word_spans(buf: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte ranges [start, end) of the words; no word runs across the end of a text."""
    n = len(buf) - 8
    # Word bytes: ASCII digits and letters, and every byte >= 0x80 (see _word_bytes); one table lookup a byte.
    is_word = np.zeros(n + 2, dtype=bool)
    np.take(_WORD_BYTE, buf[:n], out=is_word[1:-1])
    edges = np.flatnonzero(np.not_equal(is_word[1:], is_word[:-1]))
    starts, ends = edges[0::2].copy(), edges[1::2].copy()
    inner = offsets[1:-1]
    if len(inner):
        joined = sorted_unique(inner[is_word[inner] & is_word[inner + 1]])  # a text ends, the next begins, mid-word
        if len(joined):
            starts = np.insert(starts, np.searchsorted(starts, joined), joined)
            ends = np.insert(ends, np.searchsorted(ends, joined), joined)
    return starts, ends


def _mix(x: np.ndarray) -> np.ndarray:
    """A bijective scramble of 64-bit values, in place."""
    x ^= x >> _SHIFT
    x *= _MULT
    x ^= x >> _SHIFT
    return x


def _load(load: np.ndarray, at: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The ``length`` (at most 8) bytes at ``at`` as little-endian integers, ASCII letters lower-cased."""
    part = load[at]
    lower = ~part
    lower &= _HIGH
    lower >>= np.uint64(2)  # 0x20 in every byte below 0x80; digits already have it
    part |= lower
    part &= _MASKS[np.minimum(length, 8)]
    return part


def _hash_words(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit hash of each word's bytes, reading them eight at a time."""
    load = np.lib.stride_tricks.as_strided(buf, shape=(len(buf) - 7, 8), strides=(1, 1)).view("<u8")[:, 0]
    length = ends - starts
    hashes = _mix(_load(load, starts, length))
    long = np.flatnonzero(length > 8)
    done = 8
    while len(long):
        part = _load(load, starts[long] + done, length[long] - done)
        part ^= hashes[long] * _MIX
        hashes[long] = _mix(part)
        done += 8
        long = long[length[long] > done]
    return hashes


def tokenize(
    texts: pl.Series,
    *,
    raw: tuple[np.ndarray, np.ndarray] | None = None,
    lines: tuple[np.ndarray, np.ndarray] | None = None,
) -> Tokens:
    """Split texts into lines and hashed words.

    Parameters
    ----------
    texts : pl.Series of str
        Null counts as empty.
    raw : (np.ndarray, np.ndarray), optional
        :func:`text_bytes` of ``texts``, when the caller has them already.
    lines : (np.ndarray, np.ndarray), optional
        :func:`line_starts` of ``raw``, when the caller has them already; used
        when every text is ASCII (words are then read from ``raw`` itself).

    Returns
    -------
    Tokens

    Examples
    --------
    >>> tokens = tokenize(pl.Series(["Don't panic!\\n\\nReally.", None, "DON'T  panic"]))
    >>> tokens.text_words.tolist(), tokens.text_lines.tolist(), tokens.line_words.tolist()
    ([0, 4, 4, 7], [0, 3, 4, 5], [0, 3, 3, 4, 4, 7])
    >>> bool((tokens.hashes[:3] == tokens.hashes[4:]).all())
    True
    """
    raw = raw if raw is not None else text_bytes(texts)
    buf, offsets = _word_bytes(texts, *raw)
    starts, ends = _word_spans(buf, offsets)
    hashes = _hash_words(buf, starts, ends)
    text_lines, line_start = lines if lines is not None and buf is raw[0] else line_starts(buf, offsets)
    line_words = np.append(np.searchsorted(starts, line_start), len(starts))
    return Tokens(hashes, np.searchsorted(starts, offsets), text_lines, line_words)


def normalized(texts: pl.Series) -> pl.Series:
    """Each text as its lower-case words joined by single spaces (null counts as empty).

    Examples
    --------
    >>> normalized(pl.Series(["  Don't  PANIC!\\n(really)", None, "Ünïcode_ok"])).to_list()
    ['don t panic really', '', 'ünïcode ok']
    """
    buf, offsets = _word_bytes(texts, *text_bytes(texts))
    starts, ends = _word_spans(buf, offsets)
    text_words = np.searchsorted(starts, offsets)
    length = ends - starts
    # Words are written one after another, with a space before each word but a text's first.
    space = np.ones(len(starts), dtype=np.int64)
    space[text_words[:-1][np.diff(text_words) > 0]] = 0
    out_end = np.cumsum(length + space)
    out_start = out_end - length
    total = int(out_end[-1]) if len(out_end) else 0
    out = np.full(total, ord(" "), dtype=np.uint8)
    within = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    out[np.repeat(out_start, length) + within] = buf[np.repeat(starts, length) + within]
    out |= ((~out) & 0x80) >> 2  # lower-case ASCII letters (spaces and digits have 0x20 already)
    return bytes_to_texts(out, np.concatenate(([0], out_end))[text_words]).alias(texts.name)


def normalize(text: str) -> str:
    """Lower-case words of ``text`` joined by single spaces.

    This is the form in which passages are compared.

    Examples
    --------
    >>> normalize("  Don't  PANIC!\\n(really)")
    'don t panic really'
    """
    return normalized(pl.Series([text], dtype=pl.String))[0]


# Runs of words --------------------------------------------------------------


def in_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each value is in ``table`` (sorted, unique): ``np.isin`` without sorting ``values``.

    Examples
    --------
    >>> in_sorted(np.array([5, 1, 7, 5]), np.array([1, 5])).tolist()
    [True, True, False, True]
    """
    if len(table) <= 32:  # a few passes beat a binary search per value
        out = np.zeros(len(values), dtype=bool)
        for value in table:
            out |= values == value
        return out
    at = np.searchsorted(table, values)
    return table[np.minimum(at, len(table) - 1)] == values


def ramp(counts: np.ndarray) -> np.ndarray:
    """0, 1, …, c - 1 for each count c, concatenated.

    Examples
    --------
    >>> ramp(np.array([3, 0, 2])).tolist()
    [0, 1, 2, 0, 1]
    """
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def run_keys(hashes: np.ndarray, k: int) -> np.ndarray:
    """Hash of every run of ``k`` consecutive words: ``out[i]`` covers words ``i`` to ``i + k - 1``.

    Examples
    --------
    >>> h = tokenize(pl.Series(["a b c a b c"])).hashes
    >>> keys = run_keys(h, 3)
    >>> len(keys), bool(keys[0] == keys[3]), bool(keys[0] == keys[1])
    (4, True, False)
    """
    m = len(hashes) - k + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    keys = hashes[:m].copy()
    for j in range(1, k):
        keys *= _MIX
        keys += hashes[j : j + m]
    return keys


def sequence_keys(hashes: np.ndarray, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Hash of each whole word sequence ``hashes[first[i] : first[i] + count[i]]``.

    Equal to :func:`run_keys` of the sequence when it has ``count`` words.

    Examples
    --------
    >>> h = tokenize(pl.Series(["so true", "So, TRUE!", "so"])).hashes
    >>> keys = sequence_keys(h, np.array([0, 2, 4]), np.array([2, 2, 1]))
    >>> bool(keys[0] == keys[1]), bool(keys[0] == keys[2])
    (True, False)
    """
    count = np.asarray(count, dtype=np.int64)
    first = np.asarray(first, dtype=np.int64)
    keys = np.zeros(len(first), dtype=np.uint64)
    active = np.flatnonzero(count > 0)
    if len(active) == 0:
        return keys
    # The run_keys recurrence unrolled: the sum of h[j] * MIX ** (n - 1 - j), wrapping at 2**64.
    n = count[active]
    within = ramp(n)
    word = np.repeat(first[active], n) + within
    terms = hashes[word] * _powers(int(n.max()))[np.repeat(n - 1, n) - within]
    keys[active] = np.add.reduceat(terms, np.cumsum(n) - n)
    return keys


def _powers(n: int) -> np.ndarray:
    """MIX ** 0 … MIX ** (n - 1), wrapping at 2**64."""
    out = np.full(max(n, 1), _MIX, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)


def repeated_runs(tokens: Tokens, group: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of ``k`` words that occur more than once in a group of texts, grouped.

    Parameters
    ----------
    tokens : Tokens
    group : np.ndarray of int
        Group of each text (threads, say), in ascending order.
    k : int
        Words per run.

    Returns
    -------
    start, text : np.ndarray of int64
        First word and text of each run that occurs elsewhere in its group too;
        equal runs of a group are adjacent, in word order.
    new : np.ndarray of bool
        Where a run starts a new set of equal runs.

    Notes
    -----
    The run hashes are sorted with the run's position packed into their low
    bits (a plain sort is several times faster than an argsort); only runs
    whose truncated hash repeats are kept, and those are grouped by their full
    hash, so the truncation never merges different runs.

    Examples
    --------
    >>> tokens = tokenize(pl.Series(["a b c d", "x b c d", "b c d"]))
    >>> start, text, new = repeated_runs(tokens, np.array([0, 0, 1]), 3)
    >>> start.tolist(), text.tolist(), new.tolist()
    ([1, 5], [0, 1], [True, False])
    """
    keys = run_keys(tokens.hashes, k)
    m = len(keys)
    none = np.zeros(0, dtype=np.int64)
    if m < 2:
        return none, none, np.zeros(0, dtype=bool)
    low = np.uint64((1 << int(m - 1).bit_length()) - 1)
    packed = keys & ~low
    packed |= np.arange(m, dtype=np.uint64)
    packed = sorted_values(packed)
    same = (packed[1:] ^ packed[:-1]) <= low
    repeated = np.zeros(len(packed), dtype=bool)
    repeated[1:] = same
    repeated[:-1] |= same
    start = (packed[repeated] & low).astype(np.int64)
    del packed, same, repeated
    text = np.repeat(np.arange(len(tokens.text_words) - 1), np.diff(tokens.text_words))[start]
    inside = start + k <= tokens.text_words[text + 1]  # the run does not go past its text's end
    start, text = start[inside], text[inside]
    key = keys[start]
    truncated = key & ~low
    if ((truncated[1:] == truncated[:-1]) & (key[1:] != key[:-1])).any():
        # Different runs share a truncated hash (rare): regroup by the full hash.
        order = np.lexsort((start, key))
        start, text, key = start[order], text[order], key[order]
    new = np.ones(len(start) + 1, dtype=bool)
    text_group = group[text]
    np.not_equal(key[1:], key[:-1], out=new[1:-1])
    new[1:-1] |= text_group[1:] != text_group[:-1]
    kept = ~(new[:-1] & new[1:])  # drop runs alone in their set
    return start[kept], text[kept], new[:-1][kept]


def _salt(group: np.ndarray) -> np.ndarray:
    """A hash of each group number, to tell runs of different groups apart."""
    return (group.astype(np.uint64) + np.uint64(1)) * _MIX


class RunIndex:
    """Which texts hold each run of ``k`` words, to look runs from elsewhere up in.

    Runs match only within a group of texts (a thread, say), and never span
    two texts.

    Parameters
    ----------
    tokens : Tokens
    group : np.ndarray of int
        Group of each text.
    k : int
        Words per run.
    wanted : (np.ndarray, np.ndarray), optional
        The only runs that will be looked up: their :func:`run_keys` and
        groups. Runs of the texts that cannot be one of them are left out of
        the index (which then costs a fraction of its full size to build);
        looking these runs up finds what the full index finds.

    Examples
    --------
    >>> index = RunIndex(tokenize(pl.Series(["a b c d", "b c d e", "b c d"])), np.array([0, 0, 1]), 3)
    >>> index.lookup(run_keys(tokenize(pl.Series(["B, C, D! E"])).hashes, 3), group=0)
    [(0, {0, 1}), (1, {1})]
    """

    def __init__(
        self, tokens: Tokens, group: np.ndarray, k: int, *, wanted: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        keys = run_keys(tokens.hashes, k)
        text = np.repeat(np.arange(len(group)), np.diff(tokens.text_words))[: len(keys)]
        inside = np.flatnonzero(np.arange(len(keys)) + k <= tokens.text_words[text + 1])
        salted = keys[inside] ^ _salt(np.asarray(group)[text[inside]])  # runs match within a group
        if wanted is not None:
            # Keep the runs whose top bits are those of a wanted run (every run equal to one is among them).
            wanted_keys = wanted[0] ^ _salt(np.asarray(wanted[1]))
            shift = np.uint64(64 - min(len(wanted_keys).bit_length() + 3, 32))
            table = np.zeros(1 << (64 - int(shift)), dtype=bool)
            table[(wanted_keys >> shift).astype(np.intp)] = True
            keep = np.flatnonzero(table[(salted >> shift).astype(np.intp)])
            inside, salted = inside[keep], salted[keep]
        self.text = text[inside]
        self.keys = salted
        self.low = np.uint64((1 << max(1, len(self.keys).bit_length())) - 1)
        self.packed = (self.keys & ~self.low) | np.arange(len(self.keys), dtype=np.uint64)
        self.packed = sorted_values(self.packed)

    def lookup(self, keys: np.ndarray, group: int) -> list[tuple[int, set[int]]]:
        """(position, texts) for each of ``keys`` (:func:`run_keys`) found in texts of ``group``."""
        keys = keys ^ _salt(np.array([group]))
        high = keys & ~self.low
        lo, hi = np.searchsorted(self.packed, high), np.searchsorted(self.packed, high | self.low, side="right")
        found = []
        for j in np.flatnonzero(hi > lo).tolist():
            window = (self.packed[lo[j] : hi[j]] & self.low).astype(np.int64)
            window = window[self.keys[window] == keys[j]]
            if len(window):
                found.append((j, set(self.text[window].tolist())))
        return found

    def matches(self, keys: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query, text) where text ``text`` of group ``group[query]`` holds run ``keys[query]``.

        The vectorised :meth:`lookup`: one pair per occurrence of the run (a
        text holding it twice gives two equal pairs).

        Examples
        --------
        >>> index = RunIndex(tokenize(pl.Series(["a b c d", "b c d e", "b c d"])), np.array([0, 0, 1]), 3)
        >>> keys = run_keys(tokenize(pl.Series(["B, C, D! E"])).hashes, 3)
        >>> [q.tolist() for q in index.matches(np.r_[keys, keys[:1]], np.array([0, 0, 1]))]
        [[0, 0, 1, 2], [0, 1, 1, 2]]
        """
        keys = keys ^ _salt(np.asarray(group))
        high = keys & ~self.low
        # Searching keys in sorted order is several times faster than in query order (the search starts
        # from where the last one ended).
        order = pl.Series(high).arg_sort().to_numpy()
        ordered = high[order]
        lo, sizes = np.empty(len(keys), dtype=np.int64), np.empty(len(keys), dtype=np.int64)
        lo[order] = np.searchsorted(self.packed, ordered)
        sizes[order] = np.searchsorted(self.packed, ordered | self.low, side="right")
        sizes -= lo
        query = np.repeat(np.arange(len(keys)), sizes)
        within = np.arange(len(query)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        where = (self.packed[np.repeat(lo, sizes) + within] & self.low).astype(np.int64)
        same = self.keys[where] == keys[query]
        return query[same], self.text[where[same]]


# Tails of lines ---------------------------------------------------------------


def phrase_hashes(phrases: list[str]) -> list[np.ndarray]:
    """The word hashes of each phrase, as :func:`tokenize` makes them.

    Examples
    --------
    >>> [len(h) for h in phrase_hashes(["click to expand", "view attachment"])]
    [3, 2]
    """
    tokens = tokenize(pl.Series(phrases, dtype=pl.String))
    return [tokens.hashes[a:b] for a, b in pairwise(tokens.text_words.tolist())]


def strip_tails(
    hashes: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    *,
    markers: list[tuple[np.ndarray, int]],
    notes: list[np.ndarray],
    note_words: int,
    rounds: int = 8,
) -> np.ndarray:
    """Where runs of words end once trailing page furniture is cut off.

    Parameters
    ----------
    hashes : np.ndarray of uint64
        Word hashes (:attr:`Tokens.hashes`).
    start, end : np.ndarray of int64
        Each run's first word and the word after its last (lines, say).
    markers : list of (np.ndarray, int)
        Phrases (their word hashes) that are cut off where a run ends with
        them followed by that many more words (an attachment number, a
        smiley's name), as often as they repeat.
    notes : list of np.ndarray
        Phrases that start a note running to the end (an edit note), cut off
        when they begin within the last ``note_words`` words.
    note_words : int
        Longest note.
    rounds : int
        Most markers cut off one run.

    Returns
    -------
    np.ndarray of int64
        The new ends (never before ``start``).

    Examples
    --------
    >>> tokens = tokenize(pl.Series(["Nice shot View attachment 12 View attachment 13",
    ...                              "Fine. Last edited by Bo: May 2, 2020", "click here"]))
    >>> view, edited = phrase_hashes(["view attachment", "last edited"])
    >>> start, end = tokens.line_words[:-1], tokens.line_words[1:]
    >>> strip_tails(tokens.hashes, start, end, markers=[(view, 1)], notes=[edited], note_words=9).tolist()
    [2, 9, 18]
    """
    end = np.asarray(end, dtype=np.int64).copy()
    start = np.asarray(start, dtype=np.int64)
    for _ in range(2):  # a note after markers, or markers after a note
        original = end.copy()
        for offset in range(2, note_words + 1):
            at = np.flatnonzero(original - start >= offset)
            if len(at) == 0:
                break
            first = original[at] - offset
            for phrase in notes:
                hit = np.ones(len(at), dtype=bool)
                for j, word in enumerate(phrase):
                    hit &= hashes[first + j] == word
                end[at[hit]] = np.minimum(end[at[hit]], first[hit])
        for _ in range(rounds):
            cut = False
            for phrase, extra in markers:
                size = len(phrase) + extra
                at = np.flatnonzero(end - start >= size)
                if len(at) == 0:
                    continue
                first = end[at] - size
                hit = np.ones(len(at), dtype=bool)
                for j, word in enumerate(phrase):
                    hit &= hashes[first + j] == word
                if hit.any():
                    end[at[hit]] = first[hit]
                    cut = True
            if not cut:
                break
    return end
