"""Finding quotes pasted without markup, and locating marked quotes by their words.

How it works
------------
Forum quotes, once copied or exported as plain text, are passages of an earlier
post reproduced on lines of their own, followed by the replier's words. We
find them in four steps, all near-linear in the total text:

1. Every post is split into lines and words (lower-cased runs of letters and
   digits, so whitespace, punctuation and case do not matter; see
   :mod:`sna.shingles`). Each run of ``shingle`` consecutive words is hashed.
2. A line of a post is *quoted* from an earlier post of the same thread when
   that post contains shingles covering at least ``coverage`` of the line's
   words. Short lines (2–4 words) must equal a whole line of an earlier post,
   or, opening a post, the start or end of a line of one of the two posts
   before it. Page furniture at the end of a line (an attachment marker,
   "Click to expand...", an edit note) does not keep it from matching.
3. Lines that are not quotes however often they repeat are set aside: stock
   phrases ("I agree.", "lol"), page furniture ("Sent from my iPhone",
   "Code: Select all") and boilerplate found whole in many posts of a thread.
4. Consecutive quoted lines form a block, whose candidates are the posts that
   cover every line of it. A candidate drops out when the block is a
   signature (it ends both posts), an author repeating a short line of their
   own, a link not opening its post, or a short line without strong evidence
   (:mod:`sna.quote_rules`). Of the candidates left the earliest wins: forums
   strip nested quotes, so a reproduced passage comes from the post whose own
   words it is. The exception is a post that also quotes the later post's own
   words elsewhere: then it copied that post, nested quote included, and every
   block goes to it.

Shingles shared by more than ``max_sources`` posts of a thread are ignored.

Scaling
-------
Threads are searched in batches of about ``BATCH_BYTES`` of text (2 MiB), a
few batches at once on a pool of threads, so memory stays bounded and the
working arrays stay in cache: no list of word strings is ever built (words are
hashed from the text's bytes, see :mod:`sna.shingles`), a batch's shingle hashes
are sorted once with a plain sort, and only shingles that occur twice in a
thread go on to be paired with earlier posts. The texts of blocks and the
posts' own words are cut out of the bytes by line offsets. On a 2-core VM a
synthetic forum of 1M posts (62M words) takes about 4 s and 0.5 GB beyond its
input, 100k posts under 0.5 s; ``bench/bench_quotes.py`` measures it.

Measured by ``bench/eval_quotes.py`` on ``iac-fourforums`` (170 threads, 8,776
posts, quotes pasted without markers: precision 0.98, recall 0.99 against the
corpus' own quote ranges) and on threads of eight other forum engines copied as
plain text, whose quote markup tells the truth (precision 0.94–0.95, recall
0.97).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

import numpy as np
import polars as pl

from sna.ids import sorted_thread_codes, sorted_unique, sorted_values, thread_order
from sna.quote_rules import (
    OPENING_WORDS,
    boilerplate_lines,
    furniture_lines,
    line_ends,
    opening_line_pairs,
    rejected_blocks,
)
from sna.shingles import (
    TOKEN_PATTERN,
    RunIndex,
    Tokens,
    cut_texts,
    in_sorted,
    line_starts,
    normalize,
    normalized,
    ramp,
    repeated_runs,
    run_keys,
    sequence_keys,
    text_bytes,
    tokenize,
)
from sna.text import BLANK_LINES, EDGE_SPACE

__all__ = ["STOCK_PHRASES", "TOKEN_PATTERN", "QuoteBlocks", "find_pasted_quotes", "locate_quoted_posts", "normalize"]

#: Bytes of text per batch of whole threads searched together.
BATCH_BYTES = 2 << 20
#: Batches searched at once by a pool of threads, at most (and never more than
#: ``pl.thread_pool_size()``, so ``POLARS_MAX_THREADS=1`` means one at a time).
MAX_WORKERS = 4

#: Short replies that are not quotes even when an earlier post says the same.
STOCK_PHRASES = frozenset(
    {
        "i agree", "i agree completely", "i agree with you", "i totally agree", "i disagree",
        "i don't agree", "i dont agree", "i do not agree", "i don t agree", "thank you",
        "thank you very much", "thanks a lot", "well said", "good point", "great point",
        "good post", "great post", "nice post", "me too", "so do i", "so what", "not really",
        "of course", "of course not", "fair enough", "i see", "i know", "i don t know",
        "i dont know", "i do not know", "says who", "like what", "how so", "prove it",
        "you are wrong", "you re wrong", "youre wrong", "that s right", "thats right",
        "that is right", "that s true", "thats true", "that is true", "very true", "so true",
        "not true", "that s not true", "absolutely not", "no way", "oh really", "yes it is",
        "no it isn t", "no it is not", "yes it does", "no it doesn t", "what do you mean",
        "i m sorry", "im sorry", "i am sorry", "good luck", "good question", "exactly right",
        "source please", "citation needed", "link please", "i don t think so", "i dont think so",
        "i do not think so", "i think so", "me neither", "same here", "lol", "lmao", "rofl",
    }
)  # fmt: skip


@dataclass(frozen=True)
class QuoteBlocks:
    """Quote blocks found in posts and the posts' own words.

    Attributes
    ----------
    blocks : pl.DataFrame
        One row per block: ``source`` and ``target`` (post_id), ``first_line``
        and ``last_line`` (0-based line numbers in the source's text),
        ``n_words`` and ``quoted_text``.
    text : pl.Series
        Each input post's text with its quote blocks removed, in input order.
    source_row, target_row : np.ndarray
        Each block's source and target as row numbers of the input posts.
    """

    blocks: pl.DataFrame
    text: pl.Series
    source_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    target_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


_BLOCKS_SCHEMA = {
    "source": pl.String,
    "target": pl.String,
    "first_line": pl.Int64,
    "last_line": pl.Int64,
    "n_words": pl.Int64,
    "quoted_text": pl.String,
}
_EMPTY = np.zeros(0, dtype=np.int64)
#: Most tail words (an attachment marker, an expand link) a short line may carry.
_TAIL_ROOM = 4


def _tidy_expr(texts: pl.Series) -> pl.Series:
    """Vectorised :func:`sna.text.tidy`."""
    return texts.str.replace_all(BLANK_LINES, "\n\n").str.strip_chars(EDGE_SPACE).alias("text")


@cache
def _stock_keys() -> tuple[np.ndarray, int]:
    """Sequence keys of the stock phrases, and the most words one has."""
    tokens = tokenize(pl.Series(sorted(STOCK_PHRASES)))
    count = np.diff(tokens.text_words)
    return sorted_unique(sequence_keys(tokens.hashes, tokens.text_words[:-1], count)), int(count.max())


def _shingle_pairs(
    tokens: Tokens, thread: np.ndarray, query: np.ndarray, *, k: int, coverage: float, max_sources: int
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(line, candidate): a query line covered by shingles of an earlier post of its thread."""
    start, post, new_group = repeated_runs(tokens, thread, k)
    if len(start) == 0:
        return _EMPTY, _EMPTY
    # Distinct posts per shingle; each window pairs with the earlier ones.
    new_post = new_group.copy()
    new_post[1:] |= post[1:] != post[:-1]
    group = np.cumsum(new_group) - 1
    distinct = np.cumsum(new_post) - 1
    first_distinct = distinct[new_group]
    n_distinct = np.diff(np.append(first_distinct, distinct[-1] + 1))
    shared = (n_distinct >= 2) & (n_distinct <= max_sources)
    rank = distinct - first_distinct[group]
    chosen = np.flatnonzero(shared[group] & (rank > 0) & query[post])
    if len(chosen) == 0:
        return _EMPTY, _EMPTY
    n_earlier = rank[chosen]
    window = np.repeat(chosen, n_earlier)
    cand = post[new_post][np.repeat(first_distinct[group[chosen]], n_earlier) + ramp(n_earlier)]
    pair_post, pair_cand, pair_start = _sort_pairs(tokens, post[window], cand, start[window])
    # Runs: consecutive windows of one (post, candidate) at most a shingle apart
    # cover one unbroken stretch of words.
    brk = np.ones(len(pair_post), dtype=bool)
    brk[1:] = (
        (pair_post[1:] != pair_post[:-1]) | (pair_cand[1:] != pair_cand[:-1]) | ((pair_start[1:] - pair_start[:-1]) > k)
    )
    run_start = np.flatnonzero(brk)
    run_end = np.append(run_start[1:], len(pair_post)) - 1
    a = pair_start[run_start]
    b = pair_start[run_end] + (k - 1)
    line_words = tokens.line_words
    first_line = np.searchsorted(line_words, a, side="right") - 1
    reps = np.searchsorted(line_words, b, side="right") - first_line
    lid = np.repeat(first_line, reps) + ramp(reps)
    run_of = np.repeat(np.arange(len(a)), reps)
    overlap = np.minimum(b[run_of], line_words[lid + 1] - 1) - np.maximum(a[run_of], line_words[lid])
    overlap += 1
    keep = overlap > 0
    lid, run_of, overlap = lid[keep], run_of[keep], overlap[keep]
    cand = pair_cand[run_start][run_of]
    # Runs of one (post, candidate) are in word order, so a line's pieces are adjacent.
    first = np.ones(len(lid), dtype=bool)
    first[1:] = (lid[1:] != lid[:-1]) | (cand[1:] != cand[:-1])
    at = np.flatnonzero(first)
    covered = np.add.reduceat(overlap, at) if len(at) else _EMPTY
    pieces = (run_of, at)
    lid, cand = lid[at], cand[at]
    good = covered >= coverage * (line_words[lid + 1] - line_words[lid])
    _retry_with_tails(tokens, lid, pieces, a, b, good, coverage=coverage)
    return lid[good], cand[good]


def _retry_with_tails(
    tokens: Tokens, lid: np.ndarray, pieces: tuple[np.ndarray, np.ndarray], a: np.ndarray, b: np.ndarray,
    good: np.ndarray, *, coverage: float,
) -> None:  # fmt: skip
    """Mark as covered (in ``good``) lines that are once their tail is cut off (an attachment marker, an edit note).

    ``pieces`` is (run of each piece, first piece of each line-candidate pair);
    runs cover words ``a`` to ``b``.
    """
    retry = np.flatnonzero(~good)
    if len(retry) == 0:
        return
    line_words = tokens.line_words
    ends = line_ends(tokens, lid[retry])
    shorter = np.flatnonzero(ends < line_words[lid[retry] + 1])
    retry, ends = retry[shorter], ends[shorter]
    if len(retry) == 0:
        return
    run_of, at = pieces
    stop = np.append(at[1:], len(run_of))
    count = stop[retry] - at[retry]
    piece = np.repeat(at[retry], count) + ramp(count)
    pair = np.repeat(np.arange(len(retry)), count)
    run = run_of[piece]
    start = line_words[lid[retry]]
    within = np.minimum(b[run], ends[pair] - 1) - np.maximum(a[run], start[pair]) + 1
    own = np.bincount(pair, weights=np.maximum(within, 0), minlength=len(retry))
    size = ends - start
    good[retry] = (size > 0) & (own >= coverage * size)


def _sort_pairs(
    tokens: Tokens, post: np.ndarray, cand: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Sort (post, candidate, window start) triples, packed into one integer where they fit."""
    first_word = tokens.text_words[post]
    rel = start - first_word
    distance = post - cand
    r_bits = int(rel.max()).bit_length()
    d_bits = int(distance.max()).bit_length()
    p_bits = int(post.max()).bit_length()
    if p_bits + d_bits + r_bits <= 63:
        packed = (post << (d_bits + r_bits)) | (distance << r_bits) | rel
        packed = sorted_values(packed)
        post = packed >> (d_bits + r_bits)
        distance = (packed >> r_bits) & ((1 << d_bits) - 1)
        rel = packed & ((1 << r_bits) - 1)
        return post, post - distance, rel + tokens.text_words[post]
    order = np.lexsort((start, -cand, post))
    return post[order], cand[order], start[order]


def _short_line_pairs(
    lid: np.ndarray, key: np.ndarray, line_post: np.ndarray, thread: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(line, candidate): a short query line equal to a whole line of an earlier post of its thread.

    ``lid`` are the short lines and ``key`` their whole-line keys.
    """
    if len(lid) == 0:
        return _EMPTY, _EMPTY
    post = line_post[lid]
    line_thread = thread[post]
    order = np.lexsort((lid, line_thread, key))
    lid, post, key, line_thread = lid[order], post[order], key[order], line_thread[order]
    new = np.ones(len(lid), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (line_thread[1:] != line_thread[:-1])
    cand = post[np.flatnonzero(new)][np.cumsum(new) - 1]  # the group's earliest post
    keep = (cand < post) & query[post]
    return lid[keep], cand[keep]


def _block_candidates(
    tokens: Tokens, line_post: np.ndarray, lid: np.ndarray, cand: np.ndarray, min_words: int
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Group quoted lines into blocks, with the candidates of each.

    Returns (post, first line, last line, words) per block, ordered, and
    (block, candidate) pairs sorted by block then candidate.

    ``lid, cand`` are unique pairs sorted by line then candidate. A block
    starting at a line takes the following lines of its segment (a run of
    quoted lines of one post with no unquoted line between them) as long as one
    of its candidates quotes them all, so it ends where the longest such run
    ends, and its candidates are those whose run is that long.
    """
    if len(lid) == 0:
        return (_EMPTY,) * 6
    n_words = np.diff(tokens.line_words)
    pair_line_start = np.ones(len(lid), dtype=bool)
    pair_line_start[1:] = lid[1:] != lid[:-1]
    line_at = np.flatnonzero(pair_line_start)  # first pair of each line
    line_of_pair = np.cumsum(pair_line_start) - 1
    lines = lid[line_at]
    post = line_post[lines]
    rank = np.cumsum(n_words > 0)[lines]  # lines with words, counted
    seg_start = np.ones(len(lines), dtype=bool)
    seg_start[1:] = (post[1:] != post[:-1]) | (rank[1:] != rank[:-1] + 1)
    seg = np.cumsum(seg_start)
    # For each pair, how many lines from its line on the candidate keeps quoting.
    order = np.lexsort((line_of_pair, cand))
    line_o, cand_o = line_of_pair[order], cand[order]
    cont = np.zeros(len(order), dtype=bool)
    cont[1:] = (cand_o[1:] == cand_o[:-1]) & (line_o[1:] == line_o[:-1] + 1) & (seg[line_o[1:]] == seg[line_o[:-1]])
    run = np.cumsum(~cont) - 1
    run_last = line_o[np.append(np.flatnonzero(~cont)[1:], len(order)) - 1]
    reach = np.empty(len(order), dtype=np.int64)
    reach[order] = run_last[run] - line_o + 1
    span = np.maximum.reduceat(reach, line_at)
    # Blocks start at each segment's first line and then wherever the previous block ended.
    is_start = np.zeros(len(lines), dtype=bool)
    frontier = np.flatnonzero(seg_start)
    while len(frontier):
        is_start[frontier] = True
        after = frontier + span[frontier]
        after = after[after < len(lines)]
        frontier = after[~seg_start[after]]
    first = np.flatnonzero(is_start)
    last = first + span[first] - 1
    words_before = np.concatenate(([0], np.cumsum(n_words[lines])))
    words = words_before[last + 1] - words_before[first]
    # Candidates of a block: those of its first line whose run covers the whole block.
    block_of_line = np.cumsum(is_start) - 1
    pick = np.flatnonzero(is_start[line_of_pair] & (reach == span[line_of_pair]))
    block, target = block_of_line[line_of_pair[pick]], cand[pick]
    kept = words >= min_words
    pick = kept[block]
    block, target = block[pick], target[pick]
    renumber = np.cumsum(kept) - 1
    block = renumber[block]
    first, last, words, post = first[kept], last[kept], words[kept], post[first[kept]]
    return post, lines[first], lines[last], words, block, target


def _choose_targets(post: np.ndarray, block: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The quoted post of each block that has candidates left: (blocks, targets).

    The earliest candidate, except that a candidate that is the only source of
    another block of the post is preferred (the post copied it, nested quote
    included).
    """
    if len(block) == 0:
        return _EMPTY, _EMPTY
    n_cands = np.bincount(block)
    sole = n_cands[block] == 1
    key = (post[block] << 32) | cand
    preferred = in_sorted(key, sorted_unique(key[sole]))
    block_at = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    best = np.minimum.reduceat(np.where(preferred, cand, np.iinfo(np.int64).max), block_at)
    return block[block_at], np.where(best < np.iinfo(np.int64).max, best, cand[block_at])


def _assemble_blocks(
    tokens: Tokens, line_post: np.ndarray, lid: np.ndarray, cand: np.ndarray, min_words: int
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Group quoted lines into blocks: (post, target, first line, last line, words), ordered."""
    post, first, last, words, block, cand = _block_candidates(tokens, line_post, lid, cand, min_words)
    _, target = _choose_targets(post, block, cand)
    return post, target, first, last, words


@dataclass
class _Found:
    """Blocks found in a batch of threads (post numbers local to it).

    ``quoted`` holds each block's text and ``text`` the batch's posts with
    their blocks cut out.
    """

    post: np.ndarray
    target: np.ndarray
    first_line: np.ndarray
    last_line: np.ndarray
    words: np.ndarray
    quoted: pl.Series
    text: pl.Series


def _short_lines(tokens: Tokens, longest: int) -> tuple[np.ndarray, ...]:
    """Lines of 1 to ``longest`` own words (tails cut off): line numbers, word counts and whole-line keys.

    Then the same for the lines whose tail was cut off, taken as they are
    (tail included), so that they match an earlier line either way.
    """
    size = np.diff(tokens.line_words)
    lines = np.flatnonzero((size >= 1) & (size <= longest + _TAIL_ROOM))
    count = line_ends(tokens, lines) - tokens.line_words[lines]
    tailed = lines[(count < size[lines]) & (size[lines] <= longest)]
    keep = (count >= 1) & (count <= longest)
    lines, count = lines[keep], count[keep]
    keys = sequence_keys(tokens.hashes, tokens.line_words[lines], count)
    tailed_keys = sequence_keys(tokens.hashes, tokens.line_words[tailed], size[tailed])
    return lines, count, keys, tailed, size[tailed], tailed_keys


def _batch_blocks(
    texts: pl.Series, thread: np.ndarray, query: np.ndarray, authors: np.ndarray, *,
    shingle: int, coverage: float, max_sources: int, min_words: int, signature_words: int, boilerplate_posts: int,
) -> _Found:  # fmt: skip
    """Blocks of a batch of whole threads."""
    raw = text_bytes(texts)
    # In ASCII the words are read from these bytes, so their lines serve both tokenising and cutting.
    lines = line_starts(*raw) if raw[0].max() < 0x80 else None
    tokens = tokenize(texts, raw=raw, lines=lines)
    line_post = np.repeat(np.arange(len(texts)), np.diff(tokens.text_lines))
    lid_a, cand_a = _shingle_pairs(tokens, thread, query, k=shingle, coverage=coverage, max_sources=max_sources)
    short_lid, short_count, short_key, *tailed = _short_lines(tokens, 2 * shingle - 1)
    any_lid, any_count, any_key = (
        np.concatenate(pair) for pair in zip((short_lid, short_count, short_key), tailed, strict=True)
    )
    matchable = (any_count >= min(min_words, OPENING_WORDS)) & (any_count < shingle)
    lid_b, cand_b = _short_line_pairs(any_lid[matchable], any_key[matchable], line_post, thread, query)
    lid_c, cand_c = opening_line_pairs(tokens, thread, query, short_lid, short_count, short_key, shingle=shingle)
    pairs = sorted_unique(np.concatenate((lid_a, lid_b, lid_c)) << 32 | np.concatenate((cand_a, cand_b, cand_c)))
    lid, cand = pairs >> 32, pairs & 0xFFFFFFFF
    # Stock phrases and boilerplate lines are never quotes.
    stock, most = _stock_keys()
    not_quotes = np.concatenate((
        short_lid[in_sorted(short_key, stock) & (short_count <= most)],
        any_lid[boilerplate_lines(any_key, line_post[any_lid], thread, most_posts=boilerplate_posts)],
        furniture_lines(tokens, lid[np.flatnonzero(np.diff(lid, prepend=-1))]),
    ))  # fmt: skip
    if len(not_quotes):
        barred = np.zeros(len(tokens.line_words) - 1, dtype=bool)
        barred[not_quotes] = True
        keep = ~barred[lid]
        lid, cand = lid[keep], cand[keep]
    post, first, last, words, block, cand = _block_candidates(
        tokens, line_post, lid, cand, min(min_words, OPENING_WORDS)
    )
    # Candidates for which the block is a signature, self-repetition or a short line without evidence drop out.
    keep = ~rejected_blocks(
        tokens, thread, authors, post[block], cand, first[block], last[block], words[block],
        shingle=shingle, min_words=min_words, signature_words=signature_words,
    )  # fmt: skip
    kept, target = _choose_targets(post, block[keep], cand[keep])
    post, first, last, words = post[kept], first[kept], last[kept], words[kept]
    if len(post) == 0:
        return _Found(post, target, first, last, words, pl.Series("text", [], dtype=pl.String), texts)
    quoted, own, affected = _cut_blocks(*raw, post, first, last, lines=lines)
    first_line = tokens.text_lines[post]
    return _Found(
        post, target, first - first_line, last - first_line, words, quoted, texts.clone().scatter(affected, own)
    )


def _keep_freed_arrays() -> None:
    """Let glibc reuse the loop's freed arrays instead of handing them back to the system.

    Until it frees a big block, glibc's malloc serves requests above 128 KiB
    with fresh memory maps and trims its heap eagerly, so each batch's
    temporary arrays would be page-faulted in anew (on a 2-core VM, 1.4 s of
    system time at 1M posts). Freeing a block raises both thresholds to its size
    (at most 32 MiB, and trimming to twice that), which is what one untouched
    31 MiB array does here. Elsewhere it costs an allocation and nothing else.
    """
    np.empty(31 << 20, dtype=np.uint8)


def _thread_batches(thread: np.ndarray, texts: pl.Series, target: int) -> list[tuple[int, int]]:
    """Consecutive posts cut at thread boundaries into batches of about ``target`` bytes of text."""
    n = len(thread)
    if n == 0:
        return []
    starts = np.flatnonzero(np.concatenate(([True], thread[1:] != thread[:-1])))
    size = texts.str.len_bytes().fill_null(0).cast(pl.Int64).to_numpy()
    before = np.concatenate(([0], np.cumsum(size)))[starts]
    cuts = starts[np.flatnonzero(np.diff(before // target, prepend=-1) > 0)]
    bounds = [*cuts.tolist(), n]
    return list(pairwise(bounds))


def _cut_blocks(
    buf: np.ndarray, offsets: np.ndarray, post: np.ndarray, first: np.ndarray, last: np.ndarray,
    *, lines: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pl.Series, pl.Series, np.ndarray]:  # fmt: skip
    """Each block's lines, and the other lines of each post with blocks (and which posts those are).

    Both as the lines joined by ``"\\n"``, cut out of the texts' bytes
    (:func:`sna.shingles.text_bytes`); ``first`` and ``last`` are line numbers
    in the texts' concatenated lines; ``lines`` is :func:`sna.shingles.line_starts`
    of the bytes, when the caller has it.
    """
    text_lines, line_start = lines if lines is not None else line_starts(buf, offsets)
    line_end = np.append(line_start[1:] - 1, 0)
    line_end[text_lines[1:] - 1] = offsets[1:]
    quoted = cut_texts(buf, line_start[first], line_end[last], np.ones(len(first), dtype=np.int64))
    # Runs of adjacent blocks are removed with the line breaks after them (before them at the end).
    joined = np.zeros(len(first), dtype=bool)
    joined[1:] = (post[1:] == post[:-1]) & (first[1:] == last[:-1] + 1)
    run_first, run_last = first[~joined], last[np.append(~joined[1:], True)]
    run_post = post[~joined]
    at_end = run_last == text_lines[run_post + 1] - 1
    cut_from = np.where(at_end & (run_first > text_lines[run_post]), line_start[run_first] - 1, line_start[run_first])
    cut_to = np.where(at_end, offsets[run_post + 1], line_start[np.minimum(run_last + 1, len(line_start) - 1)])
    affected, n_runs = np.unique(run_post, return_counts=True)
    # Kept pieces: before each run (from the post's start or the previous run's end), and after the last run.
    new_post = np.ones(len(run_post), dtype=bool)
    new_post[1:] = run_post[1:] != run_post[:-1]
    piece_from = np.where(new_post, offsets[run_post], np.roll(cut_to, 1))
    slot = np.arange(len(run_post)) + np.cumsum(new_post) - 1
    last_run = np.cumsum(n_runs) - 1
    start = np.empty(len(run_post) + len(affected), dtype=np.int64)
    end = np.empty_like(start)
    start[slot], end[slot] = piece_from, cut_from
    tail = last_run + np.arange(1, len(affected) + 1)
    start[tail], end[tail] = cut_to[last_run], offsets[affected + 1]
    return _tidy_expr(quoted), _tidy_expr(cut_texts(buf, start, end, n_runs + 1)), affected


def find_pasted_quotes(
    posts: pl.DataFrame,
    *,
    recover: pl.Series | None = None,
    shingle: int = 5,
    coverage: float = 0.9,
    min_words: int = 3,
    max_sources: int = 64,
    signature_words: int = 20,
    boilerplate_posts: int = 8,
) -> QuoteBlocks:
    """Find passages of earlier posts pasted into later posts of the same thread.

    Repeated lines that are not quotes are left alone (see
    :mod:`sna.quote_rules`): signatures, lines an author repeats from their own
    posts, boilerplate found in many posts of a thread, and short lines
    without strong evidence. Attachment markers, "Click to expand..." and
    edit notes at the end of a line do not keep it from matching whole.

    Parameters
    ----------
    posts : pl.DataFrame
        With columns ``thread_id``, ``post_id``, ``position`` and ``text``;
        ``author``, when present, tells signatures and an author's repeated
        lines apart (null: unknown, never the same as another post's).
    recover : pl.Series of bool, optional
        Which posts to search for quotes (all by default). Every post can be
        quoted.
    shingle : int
        Words per hashed shingle.
    coverage : float
        Share of a line's words an earlier post must contain for the line to
        count as quoted from it.
    min_words : int
        Fewest words in a quote block, except a whole post of two words quoted
        at the start of a post at most two posts later.
    max_sources : int
        Shingles found in more posts of a thread than this are ignored.
    signature_words : int
        A block that ends its post and repeats the last line of the quoted
        post (which it does not reproduce whole) is a signature when it has
        fewer words than this, when both posts have the same author, or when
        three or more posts of the thread end with that line.
    boilerplate_posts : int
        A line of fewer than two shingles of words found whole in this many
        posts of a thread (or in a quarter of its posts, at least 4) is
        boilerplate, never a quote.

    Returns
    -------
    QuoteBlocks

    Examples
    --------
    >>> posts = pl.DataFrame({
    ...     "thread_id": ["t", "t", "t"],
    ...     "post_id": ["a", "b", "c"],
    ...     "position": [1, 2, 3],
    ...     "text": ["Cats are the best pets, and everyone knows it.",
    ...              "I agree.",
    ...              "cats are the best pets -- and everyone knows it\\n\\nNo, dogs are."],
    ... })
    >>> found = find_pasted_quotes(posts)
    >>> found.blocks.select("source", "target", "n_words").rows()
    [('c', 'a', 9)]
    >>> found.text.to_list()[2]
    'No, dogs are.'
    """
    author = pl.col("author") if "author" in posts.columns else pl.lit(None, pl.String)
    order = posts.select("thread_id", "position", "post_id", "text", author.cast(pl.String).alias("_author"))
    order = order.with_row_index("_row")
    sorting = thread_order(order["thread_id"], order["position"])  # None: in thread order already
    if sorting is not None:
        order = order[sorting]
    n = order.height
    thread = sorted_thread_codes(order["thread_id"]) if n else _EMPTY
    # Authors as hashes (0: unknown); only equality matters.
    authors = (
        order.select(pl.when(pl.col("_author").is_not_null()).then(pl.col("_author").hash()).otherwise(0))
        .to_series()
        .to_numpy()
        if n
        else np.zeros(0, dtype=np.uint64)
    )
    query = (
        np.ones(n, dtype=bool)
        if recover is None
        else pl.Series(recover).fill_null(False).gather(order["_row"]).to_numpy().astype(bool)
    )
    texts = order["text"]
    _keep_freed_arrays()

    def search(bounds: tuple[int, int]) -> _Found:
        lo, hi = bounds
        found = _batch_blocks(
            texts.slice(lo, hi - lo), thread[lo:hi], query[lo:hi], authors[lo:hi],
            shingle=shingle, coverage=coverage, max_sources=max_sources, min_words=min_words,
            signature_words=signature_words, boilerplate_posts=boilerplate_posts,
        )  # fmt: skip
        found.post += lo
        found.target += lo
        return found

    batches = _thread_batches(thread, texts, BATCH_BYTES)
    workers = min(MAX_WORKERS, pl.thread_pool_size(), len(batches))
    if workers > 1:  # numpy and polars release the GIL for most of the work
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(search, batches))
    else:
        parts = [search(bounds) for bounds in batches]

    def joined(name: str, dtype: type[pl.DataType]) -> pl.Series:
        if not parts:
            return pl.Series(name, [], dtype=dtype)
        columns = [getattr(part, name) for part in parts]
        # One chunk of views into the parts' buffers; gathering from many chunks would copy every string.
        return pl.concat(columns, rechunk=True) if dtype == pl.String else pl.Series(name, np.concatenate(columns))

    ids = order["post_id"]
    source, target = joined("post", pl.Int64), joined("target", pl.Int64)
    blocks = pl.DataFrame(
        {
            "source": ids.gather(source),
            "target": ids.gather(target),
            "first_line": joined("first_line", pl.Int64),
            "last_line": joined("last_line", pl.Int64),
            "n_words": joined("words", pl.Int64),
            "quoted_text": joined("quoted", pl.String),
        },
        schema=_BLOCKS_SCHEMA,
    )
    text = (joined("text", pl.String) if parts else texts).alias("text")
    if sorting is None:  # rows are input rows (extract_edges passes posts in thread order)
        return QuoteBlocks(blocks, text, source.to_numpy(), target.to_numpy())
    inverse = np.empty(n, dtype=np.int64)
    inverse[order["_row"].to_numpy()] = np.arange(n)
    input_row = order["_row"].cast(pl.Int64)
    rows = input_row.gather(source).to_numpy(), input_row.gather(target).to_numpy()
    return QuoteBlocks(blocks, text.gather(inverse), *rows)


def _quote_runs(
    chosen: np.ndarray, source: np.ndarray, local: np.ndarray, asked: Tokens, runs: np.ndarray, *, k: int
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Every run of ``k`` words of the chosen quotes: its key, the group it is looked up in, its quote and place."""
    a, b = asked.text_words[chosen], asked.text_words[chosen + 1]
    per_quote = b - a - k + 1
    owner = np.repeat(np.arange(len(chosen)), per_quote)
    j = np.arange(len(owner)) - np.repeat(np.cumsum(per_quote) - per_quote, per_quote)
    return runs[a[owner] + j], local[source[chosen[owner]]], owner, j


def _covering_posts(
    index: RunIndex,
    chosen: np.ndarray,
    source: np.ndarray,
    asked: Tokens,
    lookups: tuple[np.ndarray, ...],
    *,
    k: int,
    coverage: float,
    authors: list[str | None],
    quoted_authors: list[tuple[str | None, str | None]],
    lo: int,
) -> list[tuple[int, int]]:
    """(quote, post): the first earlier post of each chosen quote's thread that holds the quote.

    Holding means runs of ``k`` words shared with the quote cover ``coverage``
    of its words; when the quote names an author, the post must be theirs.
    """
    keys, group, owner, j = lookups
    query, cand = index.matches(keys, group)
    a, b = asked.text_words[chosen], asked.text_words[chosen + 1]
    per_quote = b - a - k + 1
    q, j, cand = owner[query], j[query], cand
    earlier = cand < source[chosen[q]]
    q, j, cand = q[earlier], j[earlier], cand[earlier]
    if len(q) == 0:
        return []
    # Distinct (quote, candidate, run start), sorted; the runs' union is what they cover.
    width = int(max(per_quote.max(), 1))
    n_cand = int(cand.max()) + 1
    key = sorted_unique((q.astype(np.int64) * n_cand + cand) * width + j)
    pair, j = key // width, key % width
    new_pair = np.r_[True, pair[1:] != pair[:-1]]
    step = np.minimum(np.diff(np.r_[j, 0]), k)
    step[np.r_[new_pair[1:], True]] = k  # the last run of each pair covers all of its k words
    starts = np.flatnonzero(new_pair)
    covered = np.add.reduceat(step, starts)
    pair = pair[starts]
    q, cand = pair // n_cand, pair % n_cand
    good = covered >= coverage * (b - a)[q]
    found: list[tuple[int, int]] = []
    done = set()
    for qi, c in zip(chosen[q[good]].tolist(), cand[good].tolist(), strict=True):
        if qi in done:
            continue
        author = quoted_authors[qi][0]
        if author is None or authors[lo + c] == author:
            found.append((qi, c))
            done.add(qi)
    return found


def locate_quoted_posts(
    posts: pl.DataFrame,
    quotes: pl.DataFrame,
    *,
    shingle: int = 5,
    coverage: float = 0.9,
) -> pl.Series:
    """Find the post each marked quote reproduces, by its words and quoted name.

    For use when markup names the quoted author but not the post (phpBB
    "NAME wrote:", vBulletin "Originally Posted by NAME") or names a post id
    that the input does not hold.

    Parameters
    ----------
    posts : pl.DataFrame
        ``thread_id``, ``post_id``, ``position``, ``author``, ``text`` (own
        words, markup quotes removed).
    quotes : pl.DataFrame
        ``source`` (the quoting post), ``target_author`` (may be null) and
        ``quoted_text``.
    shingle, coverage : int, float
        As in :func:`find_pasted_quotes`: a candidate must contain shingles
        covering ``coverage`` of the quote's words (quotes shorter than a
        shingle must appear word for word).

    Returns
    -------
    pl.Series
        The quoted post's id per quote, in order; null where no earlier post
        of the thread (by the named author, when one is named) matches.

    Examples
    --------
    >>> posts = pl.DataFrame({
    ...     "thread_id": ["t"] * 3, "post_id": ["a", "b", "c"], "position": [1, 2, 3],
    ...     "author": ["ann", "bo", "cy"],
    ...     "text": ["Cats are the best pets in the world.", "Cats are the best pets in the world.",
    ...              "No."]})
    >>> quotes = pl.DataFrame({"source": ["c", "c"], "target_author": ["bo", None],
    ...                        "quoted_text": ["cats are the best pets in the world", "Cats are the best"]})
    >>> locate_quoted_posts(posts, quotes).to_list()
    ['b', 'a']
    """
    threads = posts.filter(pl.col("post_id").is_in(quotes["source"].implode()))["thread_id"].unique()
    posts = posts.filter(pl.col("thread_id").is_in(threads.implode()))  # only threads that need it
    order = posts.sort("thread_id", "position")
    result: list[str | None] = [None] * quotes.height
    if order.height == 0 or quotes.height == 0:
        return pl.Series("target", result, dtype=pl.String)
    thread = order["thread_id"].rank("dense").cast(pl.Int64).to_numpy()
    texts, ids, authors = order["text"], order["post_id"].to_list(), order["author"].to_list()
    index_of = {pid: i for i, pid in enumerate(ids)}
    source = np.array([index_of.get(pid, -1) for pid in quotes["source"].to_list()], dtype=np.int64)
    asked = tokenize(quotes["quoted_text"])
    n_words = np.diff(asked.text_words)
    rows = quotes.select("target_author", "quoted_text").rows()
    batches = _thread_batches(thread, texts, BATCH_BYTES)
    # Quotes by the batch of threads their source is in.
    batch = np.searchsorted([lo for lo, _ in batches], source, side="right") - 1
    todo = np.flatnonzero(source >= 0)
    todo = todo[np.argsort(batch[todo], kind="stable")]
    per_batch = np.split(todo, np.searchsorted(batch[todo], np.arange(1, len(batches))))
    k = shingle
    runs = run_keys(asked.hashes, k)
    short = (n_words > 0) & (n_words < k)
    norm_quotes = dict(zip(np.flatnonzero(short).tolist(), normalized(quotes["quoted_text"].filter(short)).to_list(),
                           strict=True))  # fmt: skip
    for (lo, hi), batch_quotes in zip(batches, per_batch, strict=True):
        if len(batch_quotes) == 0:
            continue
        local = thread[lo:hi] - thread[lo]
        long_quotes, short_quotes = [], []
        for qi in batch_quotes.tolist():
            if rows[qi][1] and n_words[qi] >= k:
                long_quotes.append(qi)
            elif rows[qi][1] and n_words[qi] > 0:
                short_quotes.append(qi)
        if short_quotes:  # shorter than a shingle: word for word, in the earlier posts of the thread
            spans = [(int(np.searchsorted(thread[lo:hi], thread[source[qi]])), int(source[qi]) - lo)
                     for qi in short_quotes]  # fmt: skip
            needed = sorted_unique(np.concatenate([np.arange(a, b) for a, b in spans]))
            padded = [f" {t} " for t in normalized(texts.gather(needed + lo)).to_list()]
            norm_texts = dict(zip(needed.tolist(), padded, strict=True))
            for qi, (first, src) in zip(short_quotes, spans, strict=True):
                author, needle = rows[qi][0], f" {norm_quotes[qi]} "
                for cand in range(first, src):
                    if (author is None or authors[lo + cand] == author) and needle in norm_texts[cand]:
                        result[qi] = ids[lo + cand]
                        break
        if long_quotes:
            chosen = np.array(long_quotes)
            lookups = _quote_runs(chosen, source - lo, local, asked, runs, k=k)
            index = RunIndex(tokenize(texts.slice(lo, hi - lo)), local, k, wanted=lookups[:2])
            found = _covering_posts(index, chosen, source - lo, asked, lookups, k=k,
                                    coverage=coverage, authors=authors, quoted_authors=rows, lo=lo)  # fmt: skip
            for qi, cand in found:
                result[qi] = ids[lo + cand]
    return pl.Series("target", result, dtype=pl.String)
