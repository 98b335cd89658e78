"""Finding quotes pasted without markup, and locating marked quotes by their words.

How it works
------------
Forum quotes, once copied or exported as plain text, are passages of an earlier
post reproduced on lines of their own, followed by the replier's words. We
find them in three steps, all near-linear in the total text:

1. Every post is split into lines and words (lower-cased runs of letters and
   digits, so whitespace, punctuation and case do not matter). Each run of
   ``shingle`` consecutive words is hashed together with its thread.
2. A line of a post is *quoted* from an earlier post of the same thread when
   that post contains shingles covering at least ``coverage`` of the line's
   words. Short lines (3–4 words) must equal a whole line of the earlier post
   and must not be a stock phrase ("I agree.", "lol").
3. Consecutive quoted lines form a block, attributed to a post that covers
   every line of it. When several posts do (the passage was quoted on), the
   earliest wins: forums strip nested quotes, so a reproduced passage comes
   from the post whose own words it is. The exception is a post that also
   quotes the later post's own words elsewhere: then it copied that post,
   nested quote included, and every block goes to it.

Shingles shared by more than ``max_sources`` posts of a thread are ignored as
boilerplate (signatures, stock phrases).

Measured on ``iac-fourforums`` (170 threads, 8,776 posts, quotes pasted
without markers): precision 0.98 and recall 0.99 against the corpus' own quote
ranges; see ``bench/eval_quotes.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

TOKEN_PATTERN = r"[^\W_]+"
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MULT = np.uint64(0x100000001B3)

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
    """

    blocks: pl.DataFrame
    text: pl.Series


_BLOCKS_SCHEMA = {
    "source": pl.String,
    "target": pl.String,
    "first_line": pl.Int64,
    "last_line": pl.Int64,
    "n_words": pl.Int64,
    "quoted_text": pl.String,
}


def _tidy_expr(texts: pl.Series) -> pl.Series:
    """Vectorised :func:`sna.io.markup._tidy`."""
    return (
        texts.str.replace_all(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+\n", "\n\n")
        .str.strip_chars(" \t\n\u00a0")
        .alias("text")
    )


def normalize(text: str) -> str:
    """Lower-case words of ``text`` joined by single spaces.

    This is the form in which passages are compared.

    Examples
    --------
    >>> normalize("  Don't  PANIC!\\n(really)")
    'don t panic really'
    """
    frame = pl.DataFrame({"t": [text]})
    words = frame.select(pl.col("t").str.to_lowercase().str.extract_all(TOKEN_PATTERN)).item()
    return " ".join(words.to_list())


class _Corpus:
    """Posts split into lines and words, with shingle hashes; built once."""

    def __init__(self, thread: np.ndarray, texts: pl.Series, shingle: int) -> None:
        self.shingle = shingle
        n_posts = len(texts)
        lines = (
            pl.DataFrame({"post": np.arange(n_posts, dtype=np.int64), "line": texts.fill_null("")})
            .with_columns(pl.col("line").str.split("\n"))
            .explode("line")
            .with_columns(words=pl.col("line").str.to_lowercase().str.extract_all(TOKEN_PATTERN))
            .with_columns(n_words=pl.col("words").list.len().cast(pl.Int64))
            .with_row_index("lid")
        )
        self.lines = lines
        words = lines.select("lid", "post", "words").explode("words").drop_nulls("words")
        self.word_post = words["post"].to_numpy()
        self.word_line = words["lid"].cast(pl.Int64).to_numpy()
        hashes = words["words"].hash(seed=7).to_numpy()
        n_lines = lines.height
        counts = lines["n_words"].to_numpy()
        self.line_first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self.line_words = counts
        self.line_post = lines["post"].to_numpy()
        first_line_of_post = np.searchsorted(self.line_post, np.arange(n_posts))
        self.line_no = np.arange(n_lines, dtype=np.int64) - first_line_of_post[self.line_post]
        self.post_first_word = np.searchsorted(self.word_post, np.arange(n_posts)).astype(np.int64)
        # Rank among lines that have words, to tell when quoted lines are adjacent.
        has_words = counts > 0
        rank = np.cumsum(has_words) - 1
        post_start_rank = np.zeros(n_posts, dtype=np.int64)
        safe = np.minimum(first_line_of_post, max(n_lines - 1, 0))
        if n_lines:
            post_start_rank = rank[safe] - (~has_words[safe]).astype(np.int64) + 1
            post_start_rank = np.where(first_line_of_post < n_lines, post_start_rank, 0)
        self.line_rank = rank - post_start_rank[self.line_post] if n_lines else rank
        salt = (thread.astype(np.uint64) + np.uint64(1)) * _MIX
        self.salt = salt
        n = len(hashes)
        k = shingle
        if n >= k:
            keys = np.zeros(n - k + 1, dtype=np.uint64)
            for j in range(k):
                keys = keys * _MULT + hashes[j : n - k + 1 + j]
            valid = self.word_post[: n - k + 1] == self.word_post[k - 1 :]
            starts = np.nonzero(valid)[0]
            posts = self.word_post[starts]
            keys = keys[starts] ^ salt[posts]
        else:
            starts = np.zeros(0, dtype=np.int64)
            posts = np.zeros(0, dtype=np.int64)
            keys = np.zeros(0, dtype=np.uint64)
        self.win_key, self.win_post, self.win_start = keys, posts, starts
        self.key_bits = np.uint64(max(1, len(hashes).bit_length()))
        self._sorted: tuple[np.ndarray, ...] | None = None

    def sorted_windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Windows sorted by shingle key, then position: (keys, posts, starts, group start flags).

        The window's word index is packed into the low bits of its key, so
        sorting the packed values (no argsort) orders by key and then by
        position, hence by post. The key keeps its high bits only, which at
        worst merges a few unrelated shingles: they still have to cover 90% of
        a line to count.
        """
        if self._sorted is None:
            bits = self.key_bits
            packed = ((self.win_key >> bits) << bits) | self.win_start.astype(np.uint64)
            packed = pl.Series(packed).sort().to_numpy()  # multithreaded, faster than numpy here
            keys = packed >> bits
            starts = (packed & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
            new_group = np.ones(len(keys), dtype=bool)
            np.not_equal(keys[1:], keys[:-1], out=new_group[1:])
            self._sorted = (keys, self.word_post[starts], starts, new_group)
        return self._sorted  # type: ignore[return-value]


def _sort_pairs(
    corpus: _Corpus, post: np.ndarray, cand: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort (post, candidate, window start) triples, packed into one integer where they fit."""
    if len(post) == 0:
        return post, cand, start
    rel = start - corpus.post_first_word[post]
    distance = post - cand
    r_bits = int(rel.max()).bit_length()
    d_bits = int(distance.max()).bit_length()
    p_bits = int(post.max()).bit_length()
    if p_bits + d_bits + r_bits <= 63:
        packed = (post << (d_bits + r_bits)) | (distance << r_bits) | rel
        packed.sort()
        post = packed >> (d_bits + r_bits)
        distance = (packed >> r_bits) & ((1 << d_bits) - 1)
        rel = packed & ((1 << r_bits) - 1)
        return post, post - distance, rel + corpus.post_first_word[post]
    order = np.lexsort((start, cand, post))
    return post[order], cand[order], start[order]


def _line_candidates(
    corpus: _Corpus, query: np.ndarray, *, coverage: float, max_sources: int,
    min_words: int, short_max: int,
) -> pl.DataFrame:  # fmt: skip
    """(lid, cand) pairs: line ``lid`` of a query post is covered by earlier post ``cand``."""
    k = corpus.shingle
    keys, posts, starts, new_group = corpus.sorted_windows()
    pair_post = pair_cand = pair_start = np.zeros(0, dtype=np.int64)
    if len(keys):
        # Distinct posts per shingle; each window pairs with the earlier ones.
        new_post = new_group.copy()
        new_post[1:] |= posts[1:] != posts[:-1]
        group_start = np.flatnonzero(new_group)
        group = np.cumsum(new_group) - 1
        distinct_index = np.cumsum(new_post) - 1
        first_distinct = distinct_index[group_start]
        n_distinct = np.diff(np.append(first_distinct, distinct_index[-1] + 1))
        shared = (n_distinct >= 2) & (n_distinct <= max_sources)
        rank = distinct_index - first_distinct[group]
        chosen = np.flatnonzero(shared[group] & (rank > 0) & query[posts])
        n_earlier = rank[chosen]
        window = np.repeat(chosen, n_earlier)
        offset = np.arange(n_earlier.sum()) - np.repeat(np.cumsum(n_earlier) - n_earlier, n_earlier)
        cand = posts[new_post][np.repeat(first_distinct[group[chosen]], n_earlier) + offset]
        pair_post, pair_cand, pair_start = _sort_pairs(corpus, posts[window], cand, starts[window])
    pieces = []
    if len(pair_post):
        # Runs: consecutive windows of one (post, candidate) at most a shingle apart
        # cover one unbroken stretch of words.
        brk = np.ones(len(pair_post), dtype=bool)
        brk[1:] = (
            (pair_post[1:] != pair_post[:-1])
            | (pair_cand[1:] != pair_cand[:-1])
            | ((pair_start[1:] - pair_start[:-1]) > k)
        )
        run_start = np.flatnonzero(brk)
        run_end = np.append(run_start[1:], len(pair_post)) - 1
        a = pair_start[run_start]
        b = pair_start[run_end] + (k - 1)
        cand = pair_cand[run_start]
        first_line = corpus.word_line[a]
        last_line = corpus.word_line[b]
        reps = last_line - first_line + 1
        lid = np.repeat(first_line, reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
        a_rep, b_rep, cand_rep = np.repeat(a, reps), np.repeat(b, reps), np.repeat(cand, reps)
        line_a = corpus.line_first[lid]
        line_b = line_a + corpus.line_words[lid] - 1
        overlap = np.minimum(b_rep, line_b) - np.maximum(a_rep, line_a) + 1
        keep = overlap > 0
        covered = (
            pl.DataFrame({"lid": lid[keep], "cand": cand_rep[keep], "n": overlap[keep]})
            .group_by("lid", "cand")
            .agg(pl.col("n").sum())
        )
        words = corpus.line_words[covered["lid"].to_numpy()]
        covered = covered.filter(pl.Series(covered["n"].to_numpy() >= coverage * words)).select("lid", "cand")
        pieces.append(covered)
    pieces.append(_short_line_candidates(corpus, query, min_words=min_words, short_max=short_max))
    stock = (
        corpus.lines.filter(pl.col("n_words").is_between(1, 8))
        .filter(pl.col("words").list.join(" ").is_in(list(STOCK_PHRASES)))
        .select(pl.col("lid").cast(pl.Int64))
    )
    return pl.concat(pieces).unique().join(stock, on="lid", how="anti")


def _short_line_candidates(corpus: _Corpus, query: np.ndarray, *, min_words: int, short_max: int) -> pl.DataFrame:
    """Short query lines equal to a whole short line of an earlier post."""
    lines = corpus.lines.select("lid", "post", "line", "words", "n_words")
    salt = pl.Series(corpus.salt)
    short = lines.filter(pl.col("n_words").is_between(min_words, short_max))
    if short.height == 0:
        return pl.DataFrame(schema={"lid": pl.Int64, "cand": pl.Int64})
    short = short.with_columns(norm=pl.col("words").list.join(" "))
    query_lines = short.filter(pl.Series(query[short["post"].to_numpy()]))
    units = short.select("post", "norm")

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(key=pl.col("norm").hash(seed=11) ^ salt.gather(frame["post"]))

    first = keyed(units).group_by("key").agg(pl.col("post").min().alias("cand"))
    return (
        keyed(query_lines)
        .join(first, on="key")
        .filter(pl.col("cand") < pl.col("post"))
        .select(pl.col("lid").cast(pl.Int64), pl.col("cand"))
    )


def _assemble_blocks(corpus: _Corpus, candidates: pl.DataFrame, min_words: int) -> list[tuple[int, int, int, int, int]]:
    """Group quoted lines into blocks: (post, target, first lid, last lid, words)."""
    if candidates.height == 0:
        return []
    grouped = candidates.group_by("lid").agg(pl.col("cand").sort()).sort("lid")
    lids = grouped["lid"].to_numpy().astype(np.int64)
    posts = corpus.line_post[lids]
    ranks = corpus.line_rank[lids]
    words = corpus.line_words[lids]
    cands = grouped["cand"].to_list()
    out: list[tuple[int, int, int, int, int]] = []
    i = 0
    n = len(lids)
    while i < n:
        post = posts[i]
        blocks: list[list] = []  # [first lid, last lid, last rank, cand set, words]
        while i < n and posts[i] == post:
            cs = set(cands[i])
            if blocks and ranks[i] == blocks[-1][2] + 1:
                inter = blocks[-1][3] & cs
                if inter:
                    block = blocks[-1]
                    block[1], block[2], block[3], block[4] = lids[i], ranks[i], inter, block[4] + words[i]
                    i += 1
                    continue
            blocks.append([lids[i], lids[i], ranks[i], cs, int(words[i])])
            i += 1
        blocks = [b for b in blocks if b[4] >= min_words]
        anchored = {min(b[3]) for b in blocks if len(b[3]) == 1}
        for first, last, _, cs, n_words in blocks:
            preferred = cs & anchored
            target = min(preferred) if preferred else min(cs)
            out.append((int(post), int(target), int(first), int(last), n_words))
    return out


def find_pasted_quotes(
    posts: pl.DataFrame,
    *,
    recover: pl.Series | None = None,
    shingle: int = 5,
    coverage: float = 0.9,
    min_words: int = 3,
    max_sources: int = 64,
) -> QuoteBlocks:
    """Find passages of earlier posts pasted into later posts of the same thread.

    Parameters
    ----------
    posts : pl.DataFrame
        With columns ``thread_id``, ``post_id``, ``position`` and ``text``.
    recover : pl.Series of bool, optional
        Which posts to search for quotes (all by default). Every post can be
        quoted.
    shingle : int
        Words per hashed shingle.
    coverage : float
        Share of a line's words an earlier post must contain for the line to
        count as quoted from it.
    min_words : int
        Fewest words in a quote block.
    max_sources : int
        Shingles found in more posts of a thread than this are ignored.

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
    order = posts.with_row_index("_row").sort("thread_id", "position")
    n = order.height
    thread = order["thread_id"].rank("dense").cast(pl.Int64).to_numpy() if n else np.zeros(0, np.int64)
    query = (
        np.ones(n, dtype=bool)
        if recover is None
        else pl.Series(recover).fill_null(False).gather(order["_row"]).to_numpy().astype(bool)
    )
    corpus = _Corpus(thread, order["text"], shingle)
    candidates = _line_candidates(
        corpus, query, coverage=coverage, max_sources=max_sources, min_words=min_words, short_max=shingle - 1
    )
    found = np.array(_assemble_blocks(corpus, candidates, min_words), dtype=np.int64).reshape(-1, 5)
    b_post, b_target, b_first, b_last, b_words = found.T
    ids = order["post_id"]
    reps = b_last - b_first + 1
    lid = np.repeat(b_first, reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
    block_of_line = np.full(corpus.lines.height, -1, dtype=np.int64)
    block_of_line[lid] = np.repeat(np.arange(len(found)), reps)
    lines = corpus.lines.select("post", "line").with_columns(block=pl.Series(block_of_line))
    quoted = (
        lines.filter(pl.col("block") >= 0)
        .group_by("block", maintain_order=True)
        .agg(pl.col("line").str.join("\n"))
        .sort("block")["line"]
    )
    blocks = pl.DataFrame(
        {
            "source": ids.gather(b_post),
            "target": ids.gather(b_target),
            "first_line": corpus.line_no[b_first],
            "last_line": corpus.line_no[b_last],
            "n_words": b_words,
            "quoted_text": _tidy_expr(quoted),
        },
        schema=_BLOCKS_SCHEMA,
    )
    affected = np.zeros(n, dtype=bool)
    affected[b_post] = True
    rest = (
        lines.filter(pl.Series(affected[lines["post"].to_numpy()]) & (pl.col("block") < 0))
        .group_by("post", maintain_order=True)
        .agg(pl.col("line").str.join("\n"))
    )
    own_affected = np.full(n, "", dtype=object)
    own_affected[rest["post"].to_numpy()] = _tidy_expr(rest["line"]).to_list()
    own = pl.Series(
        "text", np.where(affected, own_affected, np.asarray(order["text"].to_list(), dtype=object)), dtype=pl.String
    )
    inverse = np.empty(n, dtype=np.int64)
    inverse[order["_row"].to_numpy()] = np.arange(n)
    return QuoteBlocks(blocks, own.gather(inverse))


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
    order = posts.with_row_index("_row").sort("thread_id", "position").with_row_index("_idx")
    n = order.height
    result: list[str | None] = [None] * quotes.height
    if n == 0 or quotes.height == 0:
        return pl.Series("target", result, dtype=pl.String)
    thread = order["thread_id"].rank("dense").cast(pl.Int64).to_numpy()
    corpus = _Corpus(thread, order["text"], shingle)
    keys, win_posts, win_starts, _ = corpus.sorted_windows()
    index_of = dict(zip(order["post_id"].to_list(), order["_idx"].to_list(), strict=True))
    authors = order["author"].to_list()
    ids = order["post_id"].to_list()
    norm_texts: list[str] | None = None
    k = shingle
    for qi, (source, author, quoted) in enumerate(quotes.select("source", "target_author", "quoted_text").iter_rows()):
        src = index_of.get(source)
        if src is None or not quoted:
            continue
        words = normalize(quoted).split()
        if not words:
            continue
        if len(words) < k:
            if norm_texts is None:
                norm_texts = [" " + normalize(t or "") + " " for t in order["text"].to_list()]
            needle = " " + " ".join(words) + " "
            lo = int(np.searchsorted(thread, thread[src]))
            for cand in range(lo, src):
                if (author is None or authors[cand] == author) and needle in norm_texts[cand]:
                    result[qi] = ids[cand]
                    break
            continue
        hashes = pl.Series(words).hash(seed=7).to_numpy()
        qkeys = np.zeros(len(words) - k + 1, dtype=np.uint64)
        for j in range(k):
            qkeys = qkeys * _MULT + hashes[j : len(words) - k + 1 + j]
        qkeys = qkeys ^ corpus.salt[src]
        qkeys = qkeys >> corpus.key_bits
        covered: dict[int, np.ndarray] = {}
        for j, key in enumerate(qkeys):
            lo, hi = np.searchsorted(keys, [key, key + np.uint64(1)])
            for cand in set(win_posts[lo:hi].tolist()):
                if cand < src:
                    mask = covered.setdefault(cand, np.zeros(len(words), dtype=bool))
                    mask[j : j + k] = True
        good = sorted(c for c, mask in covered.items() if mask.sum() >= coverage * len(words))
        if author is not None:
            good = [c for c in good if authors[c] == author]
        if good:
            result[qi] = ids[good[0]]
    del win_starts
    return pl.Series("target", result, dtype=pl.String)
