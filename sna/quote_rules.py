"""Repeated words that are not quotes, and page furniture at the end of lines.

:mod:`sna.quotes` finds lines of a post that reproduce an earlier post. On
forums copied as plain text, some repeated lines are not quotes at all; the
rules here tell them apart, all vectorised over a batch of threads:

* **Tails.** Attachment markers ("View attachment 123", "Zobacz załącznik
  1041937"), expand links ("Click to expand...") and smileys written as words
  ("emoticon_xhoho") end lines they are not part of, and edit notes ("Last
  edited: …") run to the end of one. :func:`line_ends` says where each line's
  own words end, so such a tail does not stop a line from matching whole.
* **Furniture.** Lines that start like an image description ("Could
  contain: …"), a code box header ("Code: Select all") or what a phone app
  adds ("Sent from my iPhone") are never quotes (:func:`furniture_lines`).
* **Boilerplate.** A short line (fewer than two shingles of words) found whole
  in many posts of a thread — a quarter of them, and at least 4, or at least
  ``boilerplate_posts`` — is a heading, a name or stock text ("Sent from my
  iPhone", "[IMG]"), not a quote (:func:`boilerplate_lines`).
* **Signatures.** A block that ends its post and repeats the last line of the
  quoted post is a signature when both posts have the same author, when it is
  short (under four shingles), or when three or more posts of the thread end
  with that line; a whole post quoted at the end of another is still a quote.
* **Self-repetition.** Fewer than two shingles of words that an author
  repeats from their own earlier post (a contact line, a link) are not a quote.
* **Links.** A line that is a web address counts as a quote only when it
  opens its post.
* **Short lines.** A block of fewer words than a shingle counts only with
  strong evidence: it opens its post, reproduces the whole quoted post, or
  quotes the post right before. A block of fewer than ``min_words`` (down to
  two) counts only when it opens a post at most two posts after the quoted
  one. A short line opening a post may also be the start or the end of a line
  of one of the two posts before it (a sentence quoted on its own line), not
  only a whole line of an earlier post (:func:`opening_line_pairs`).

:func:`rejected_blocks` applies the last three to assembled blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from sna.ids import sorted_values
from sna.shingles import Tokens, in_sorted, phrase_hashes, ramp, sequence_keys, strip_tails

#: Page furniture that ends a line without being part of it: the phrase and how
#: many words follow it (an attachment's number, a smiley's name).
TAIL_MARKERS: tuple[tuple[str, int], ...] = (
    ("view attachment", 1), ("zobacz załącznik", 1), ("anhang anzeigen", 1), ("voir la pièce jointe", 1),
    ("посмотреть вложение", 1), ("click to expand", 0), ("kliknij by rozszerzyć", 0),
    ("zum vergrößern anklicken", 0), ("cliquez pour agrandir", 0), ("нажмите для раскрытия", 0),
    ("emoticon", 1),
)  # fmt: skip
#: Edit notes: from these words to the end of the line.
EDIT_NOTES: tuple[str, ...] = ("last edited", "last edit", "ostatnio edytowane", "ostatnia zmiana")
#: Lines starting with these words are page furniture, never quotes: image descriptions,
#: code box headers, what mobile apps add to a post.
FURNITURE_LINES: tuple[str, ...] = (
    "could contain", "code select all", "sent from my", "sent using tapatalk", "sent with tapatalk",
    "wysłane z mojego", "gesendet von meinem", "envoyé de mon", "отправлено с моего",
)  # fmt: skip
#: Most words an edit note has.
NOTE_WORDS = 12
#: Fewest words of a quote opening a post, of a post at most ``OPENING_REACH`` before it.
OPENING_WORDS = 2
#: How many posts after the quoted one a short quote opening a post may come.
OPENING_REACH = 2
#: Share of a thread's posts a boilerplate line is found in (at least 4 posts).
BOILERPLATE_SHARE = 0.25


@cache
def _tails() -> tuple[list[tuple[np.ndarray, int]], list[np.ndarray], np.ndarray]:
    """Marker and note hashes, and the words that flag a line as worth stripping."""
    hashes = phrase_hashes([phrase for phrase, _ in TAIL_MARKERS])
    markers = [(h, extra) for h, (_, extra) in zip(hashes, TAIL_MARKERS, strict=True)]
    notes = phrase_hashes(list(EDIT_NOTES))
    # A marker's last word, a note's second ("edited"): rarer than its first ("last").
    flags = np.unique(np.concatenate([[h[-1] for h, _ in markers], [h[1] for h in notes]]).astype(np.uint64))
    return markers, notes, flags


def line_ends(tokens: Tokens, lines: np.ndarray) -> np.ndarray:
    """The word after each line's own words: its end, before any tail (markers, edit note).

    Parameters
    ----------
    tokens : Tokens
    lines : np.ndarray of int
        Line numbers.

    Returns
    -------
    np.ndarray of int64
        Offsets into ``tokens.hashes`` (``tokens.line_words[lines + 1]`` where
        a line has no tail).

    Examples
    --------
    >>> import polars as pl
    >>> from sna.shingles import tokenize
    >>> tokens = tokenize(pl.Series(["my thinking too View attachment 123\\nok Click to expand..."]))
    >>> line_ends(tokens, np.array([0, 1])).tolist()
    [3, 7]
    """
    markers, notes, flags = _tails()
    start, end = tokens.line_words[lines], tokens.line_words[lines + 1]
    # Only lines with a tail word among their last words can have a tail.
    look = np.minimum(end - start, NOTE_WORDS)
    word = np.repeat(end, look) - 1 - ramp(look)
    line = np.repeat(np.arange(len(lines)), look)
    hit = np.zeros(len(lines), dtype=bool)
    hit[line[in_sorted(tokens.hashes[word], flags)]] = True
    flagged = np.flatnonzero(hit)
    out = end.copy()
    if len(flagged):
        out[flagged] = strip_tails(
            tokens.hashes, start[flagged], end[flagged], markers=markers, notes=notes, note_words=NOTE_WORDS
        )
    return out


@cache
def _furniture() -> list[np.ndarray]:
    return phrase_hashes(list(FURNITURE_LINES))


def furniture_lines(tokens: Tokens, lines: np.ndarray | None = None) -> np.ndarray:
    """Those of ``lines`` (all by default) that start with page furniture (:data:`FURNITURE_LINES`).

    Examples
    --------
    >>> import polars as pl
    >>> from sna.shingles import tokenize
    >>> furniture_lines(tokenize(pl.Series(["Nice.\\nSent from my iPhone using Tapatalk\\nCode: Select all"]))).tolist()
    [1, 2]
    """
    phrases = _furniture()
    start, end = tokens.line_words[:-1], tokens.line_words[1:]
    firsts = np.unique(np.array([p[0] for p in phrases], dtype=np.uint64))  # sorted
    lines = np.arange(len(start)) if lines is None else np.asarray(lines)
    lines = lines[end[lines] - start[lines] >= 2]
    lines = lines[in_sorted(tokens.hashes[start[lines]], firsts)]
    found = np.zeros(len(lines), dtype=bool)
    for phrase in phrases:
        hit = (end[lines] - start[lines] >= len(phrase)) & ~found
        for j, word in enumerate(phrase):
            at = np.flatnonzero(hit)
            hit[at] = tokens.hashes[start[lines[at]] + j] == word
        found |= hit
    return lines[found]


def line_keys(tokens: Tokens, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each line's own words (tails cut off) as a count and a whole-sequence key."""
    start = tokens.line_words[lines]
    count = line_ends(tokens, lines) - start
    return count, sequence_keys(tokens.hashes, start, count)


def boilerplate_lines(
    keys: np.ndarray, line_post: np.ndarray, thread: np.ndarray, *, most_posts: int
) -> np.ndarray:  # fmt: skip
    """Which lines are boilerplate: found whole in many posts of their thread.

    Parameters
    ----------
    keys : np.ndarray of uint64
        Whole-line keys of the lines considered (short ones).
    line_post : np.ndarray of int
        Post of each of those lines (numbered in the batch).
    thread : np.ndarray of int
        Thread of every post of the batch, ascending.
    most_posts : int
        A line in this many posts is boilerplate in any thread; in a smaller
        thread, a quarter of its posts (at least 4) is enough.

    Examples
    --------
    >>> keys = np.array([7, 7, 7, 7, 9, 9], dtype=np.uint64)
    >>> boilerplate_lines(keys, np.array([0, 1, 2, 3, 0, 1]), np.zeros(10, dtype=np.int64), most_posts=8).tolist()
    [True, True, True, True, False, False]
    """
    out = np.zeros(len(keys), dtype=bool)
    # Only keys found at least 4 times in the batch can be boilerplate.
    ordered = sorted_values(keys)
    often = np.unique(ordered[:-3][ordered[3:] == ordered[:-3]])
    if len(often) == 0:
        return out
    asked = np.flatnonzero(in_sorted(keys, often))
    keys, line_post = keys[asked], line_post[asked]
    local = thread - thread[0]
    size = np.bincount(local)
    need = np.clip(np.ceil(size * BOILERPLATE_SHARE), 4, max(4, most_posts)).astype(np.int64)
    line_thread = local[line_post]
    order = np.lexsort((line_post, keys, line_thread))
    k, p, t = keys[order], line_post[order], line_thread[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (k[1:] != k[:-1]) | (t[1:] != t[:-1])
    new_post = new_group.copy()
    new_post[1:] |= p[1:] != p[:-1]
    group = np.cumsum(new_group) - 1
    posts_with = np.bincount(group, weights=new_post).astype(np.int64)
    out[asked[order]] = posts_with[group] >= need[t]
    return out


def worded_lines(tokens: Tokens) -> np.ndarray:
    """Line numbers of the lines that have words."""
    return np.flatnonzero(np.diff(tokens.line_words) > 0)


def last_lines(worded: np.ndarray, tokens: Tokens, post: np.ndarray) -> np.ndarray:
    """The last line with words of each post (-1 for a post without words)."""
    i = np.searchsorted(worded, tokens.text_lines[post + 1]) - 1
    line = worded[np.maximum(i, 0)] if len(worded) else np.full(len(post), -1)
    return np.where((i >= 0) & (line >= tokens.text_lines[post]), line, -1)


def first_lines(worded: np.ndarray, tokens: Tokens, post: np.ndarray) -> np.ndarray:
    """The first line with words of each post (-1 for a post without words)."""
    i = np.searchsorted(worded, tokens.text_lines[post])
    line = worded[np.minimum(i, len(worded) - 1)] if len(worded) else np.full(len(post), -1)
    return np.where((i < len(worded)) & (line < tokens.text_lines[post + 1]), line, -1)


def _last_line_keys(tokens: Tokens, lines: np.ndarray) -> np.ndarray:
    keys = np.zeros(len(lines), dtype=np.uint64)
    ok = np.flatnonzero(lines >= 0)
    keys[ok] = line_keys(tokens, lines[ok])[1]
    return keys


def _ending_counts(
    tokens: Tokens, worded: np.ndarray, thread: np.ndarray, posts: np.ndarray, keys: np.ndarray
) -> np.ndarray:  # fmt: skip
    """For each (post, key), how many posts of the post's thread end with a line of that key."""
    threads = np.unique(thread[posts])
    members = np.flatnonzero(np.isin(thread, threads))
    ends = last_lines(worded, tokens, members)
    member_keys = _last_line_keys(tokens, ends)
    has = ends >= 0
    pair = np.stack([thread[members][has], member_keys[has].view(np.int64)], axis=1)
    uniq, counts = np.unique(pair, axis=0, return_counts=True)
    asked = np.stack([thread[posts], keys.view(np.int64)], axis=1)
    where = {tuple(row): c for row, c in zip(uniq.tolist(), counts.tolist(), strict=True)}
    return np.array([where.get(tuple(row), 0) for row in asked.tolist()], dtype=np.int64)


@cache
def _link_words() -> np.ndarray:
    return np.unique(np.concatenate(phrase_hashes(["http https www"])))


def _link_line(tokens: Tokens, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether each block is one line that starts with a web address."""
    one = np.flatnonzero(first == last)
    out = np.zeros(len(first), dtype=bool)
    start = tokens.line_words[first[one]]
    has = tokens.line_words[first[one] + 1] > start
    out[one[has]] = in_sorted(tokens.hashes[start[has]], _link_words())
    return out


@dataclass(frozen=True)
class BlockFacts:
    """What the block rules look at, per (block, candidate) pair.

    Attributes
    ----------
    tokens : Tokens
        The batch's texts.
    thread : np.ndarray
        Thread of each post of the batch.
    post, target, first, last, words : np.ndarray of int
        Quoting post, candidate quoted post, first and last line, words.
    same_author : np.ndarray of bool
        Both posts have the same known author.
    whole : np.ndarray of bool
        The block has as many words as the candidate (reproduces it whole).
    opens : np.ndarray of bool
        The block starts at the quoting post's first line with words.
    ends : np.ndarray of bool
        No line with words follows the block in its post.
    shingle, min_words, signature_words : int
        As in :func:`sna.quotes.find_pasted_quotes`.
    """

    tokens: Tokens
    thread: np.ndarray
    post: np.ndarray
    target: np.ndarray
    first: np.ndarray
    last: np.ndarray
    words: np.ndarray
    same_author: np.ndarray
    whole: np.ndarray
    opens: np.ndarray
    ends: np.ndarray
    shingle: int
    min_words: int
    signature_words: int


def self_repetition(facts: BlockFacts) -> np.ndarray:
    """Fewer than two shingles of words an author repeats from their own earlier post."""
    return facts.same_author & (facts.words < 2 * facts.shingle)


def signatures(facts: BlockFacts) -> np.ndarray:
    """Blocks that end their post and repeat the candidate's last line, not the whole candidate.

    A signature when the authors are the same, when shorter than
    ``signature_words``, or when three or more posts of the thread end with
    that line.
    """
    drop = np.zeros(len(facts.post), dtype=bool)
    tokens = facts.tokens
    tail = np.flatnonzero(facts.ends & ~facts.whole)
    if len(tail) == 0:
        return drop
    worded = worded_lines(tokens)
    src_key = _last_line_keys(tokens, last_lines(worded, tokens, facts.post[tail]))
    tgt_key = _last_line_keys(tokens, last_lines(worded, tokens, facts.target[tail]))
    signature = src_key == tgt_key
    strong = facts.same_author[tail] | (facts.words[tail] < facts.signature_words)
    open_ = np.flatnonzero(signature & ~strong)
    if len(open_):
        counts = _ending_counts(tokens, worded, facts.thread, facts.post[tail[open_]], src_key[open_])
        strong[open_] = counts >= 3
    drop[tail[signature & strong]] = True
    return drop


def links(facts: BlockFacts) -> np.ndarray:
    """A line that is a web address, unless it opens its post."""
    return _link_line(facts.tokens, facts.first, facts.last) & ~facts.opens


def short_lines(facts: BlockFacts) -> np.ndarray:
    """Blocks of fewer words than a shingle without strong evidence.

    Strong evidence: the block opens its post, reproduces the whole candidate
    or quotes the post right before; below ``min_words``, only a block opening
    a post at most ``OPENING_REACH`` posts after the candidate.
    """
    distance = facts.post - facts.target
    short = facts.words < facts.shingle
    drop = short & ~(facts.opens | facts.whole | (distance == 1))
    return drop | ((facts.words < facts.min_words) & ~(facts.opens & (distance <= OPENING_REACH)))


#: The rules that reject (block, candidate) pairs, in no particular order.
BLOCK_RULES: tuple[Callable[[BlockFacts], np.ndarray], ...] = (self_repetition, signatures, links, short_lines)


def rejected_blocks(
    tokens: Tokens, thread: np.ndarray, authors: np.ndarray,
    post: np.ndarray, target: np.ndarray, first: np.ndarray, last: np.ndarray, words: np.ndarray, *,
    shingle: int, min_words: int, signature_words: int,
) -> np.ndarray:  # fmt: skip
    """Which (block, candidate) pairs a rule of :data:`BLOCK_RULES` rejects.

    Parameters
    ----------
    tokens : Tokens
        The batch's texts.
    thread, authors : np.ndarray
        Per post of the batch: thread number, and a hash of the author (0 for
        an unknown author).
    post, target, first, last, words : np.ndarray of int
        The pairs: quoting post, candidate quoted post, the block's first and
        last line and its words.
    shingle, min_words : int
        As in :func:`sna.quotes.find_pasted_quotes`.
    signature_words : int
        Blocks ending their post that repeat the candidate's last line are
        signatures below this many words.

    Returns
    -------
    np.ndarray of bool
    """
    worded = worded_lines(tokens)
    facts = BlockFacts(
        tokens=tokens, thread=thread, post=post, target=target, first=first, last=last, words=words,
        same_author=(authors[post] != 0) & (authors[post] == authors[target]),
        whole=words >= np.diff(tokens.text_words)[target],
        opens=first <= first_lines(worded, tokens, post),
        ends=last >= last_lines(worded, tokens, post),
        shingle=shingle, min_words=min_words, signature_words=signature_words,
    )  # fmt: skip
    drop = np.zeros(len(post), dtype=bool)
    for rule in BLOCK_RULES:
        drop |= rule(facts)
    return drop


def opening_line_pairs(
    tokens: Tokens, thread: np.ndarray, query: np.ndarray, lines: np.ndarray, counts: np.ndarray, keys: np.ndarray,
    *, shingle: int,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(line, candidate): a short line opening a post that starts or ends a line of one of the posts just before.

    Parameters
    ----------
    tokens : Tokens
    thread, query : np.ndarray
        Per post of the batch: thread, and whether to search it.
    lines, counts, keys : np.ndarray
        Short lines: numbers, words (tails cut off) and whole-line keys.
    shingle : int
        Lines of fewer words than this are short.

    Returns
    -------
    lid, cand : np.ndarray of int64

    Examples
    --------
    >>> import polars as pl
    >>> from sna.shingles import tokenize
    >>> tokens = tokenize(pl.Series(["Umm, yeah I did. Here it is.", "Umm yeah I did.\\n\\nWhich one?"]))
    >>> count, key = line_keys(tokens, np.array([1]))
    >>> lid, cand = opening_line_pairs(tokens, np.zeros(2, dtype=np.int64), np.ones(2, dtype=bool),
    ...                                np.array([1]), count, key, shingle=5)
    >>> lid.tolist(), cand.tolist()
    ([1], [0])
    """
    none = np.zeros(0, dtype=np.int64)
    if len(lines) == 0:
        return none, none
    n_posts = len(tokens.text_words) - 1
    opening = first_lines(worded_lines(tokens), tokens, np.arange(n_posts))
    at = np.searchsorted(lines, opening)
    found = (opening >= 0) & (at < len(lines)) & (lines[np.minimum(at, len(lines) - 1)] == opening)
    found &= query
    post = np.flatnonzero(found)
    if len(post) == 0:
        return none, none
    at = at[post]
    n, key, lid = counts[at], keys[at], lines[at]
    ok = (n >= OPENING_WORDS) & (n < shingle)
    post, n, key, lid = post[ok], n[ok], key[ok], lid[ok]
    out_lid, out_cand = [], []
    for back in range(1, OPENING_REACH + 1):
        cand = post - back
        same = np.flatnonzero((cand >= 0) & (thread[np.maximum(cand, 0)] == thread[post]))
        if len(same) == 0:
            continue
        c = cand[same]
        # Every line of the candidate with at least as many words, as (pair, line).
        first, stop = tokens.text_lines[c], tokens.text_lines[c + 1]
        reps = stop - first
        pair = np.repeat(np.arange(len(same)), reps)
        line = np.repeat(first, reps) + (np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps))
        start, end = tokens.line_words[line], tokens.line_words[line + 1]
        want = n[same][pair]
        fits = np.flatnonzero(end - start >= want)
        pair, start, end, want = pair[fits], start[fits], end[fits], want[fits]
        prefix = sequence_keys(tokens.hashes, start, want)
        suffix = sequence_keys(tokens.hashes, end - want, want)
        goal = key[same][pair]
        hit = np.unique(pair[(prefix == goal) | (suffix == goal)])
        out_lid.append(lid[same][hit])
        out_cand.append(c[hit])
    if not out_lid:
        return none, none
    return np.concatenate(out_lid), np.concatenate(out_cand)
