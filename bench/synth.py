"""Synthetic forums for benchmarks: reply forests with pasted quotes.

Each post replies to an earlier post of its thread chosen by preferential
attachment within a recency window (about 10% of posts start a new thread);
authors are Zipf-distributed over N/10 names; text is ~69 words of 3–5
sentences drawn from a Zipf–Mandelbrot vocabulary of 5,000 words, in one or two
paragraphs. About 40% of replies begin with a verbatim quote (one sentence or
one paragraph) of their parent's own words on lines of their own, as copied
forum text does. The generator is deterministic for a given seed.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "pa", "gu", "ze", "ho", "bi", "fe"]


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        n = rng.integers(2, 5)
        words.add("".join(rng.choice(_SYLLABLES, n)))
    return sorted(words)


def synthetic_forum(n_posts: int, *, seed: int = 0, quote_share: float = 0.4) -> pl.DataFrame:
    """Generate a forum as a POSTS-like table with a ``parent`` column.

    Parameters
    ----------
    n_posts : int
        Number of posts.
    seed : int
        Random seed.
    quote_share : float
        Share of replies that start with a pasted quote of their parent.

    Returns
    -------
    pl.DataFrame
        Columns thread_id, post_id, position, author, created_at, text,
        reply_to (the parent), quoted (the post the pasted quote comes from,
        or null).

    Examples
    --------
    >>> forum = synthetic_forum(50, seed=1)
    >>> forum.height, forum["post_id"].n_unique()
    (50, 50)
    """
    rng = np.random.default_rng(seed)
    vocab = np.array(_vocabulary(rng, 5000))
    ranks = np.arange(1, len(vocab) + 1)
    weights = 1.0 / (ranks + 2.7) ** 1.1
    weights /= weights.sum()
    n_authors = max(1, n_posts // 10)
    author_weights = 1.0 / np.arange(1, n_authors + 1)
    author_weights /= author_weights.sum()
    authors = rng.choice(n_authors, size=n_posts, p=author_weights)
    word_draws = rng.choice(len(vocab), size=n_posts * 80, p=weights)
    cursor = 0

    thread = np.empty(n_posts, dtype=np.int64)
    position = np.empty(n_posts, dtype=np.int64)
    parent = np.full(n_posts, -1, dtype=np.int64)
    quoted = np.full(n_posts, -1, dtype=np.int64)
    thread_size: list[int] = []
    events: list[int] = []  # attachment events (post indices); the last 2,000 form the window
    u_new, u_pick, u_quote, u_kind, u_part = rng.random((5, n_posts))
    n_sentences = rng.integers(3, 6, size=n_posts)
    lengths = rng.integers(8, 21, size=(n_posts, 5))
    cuts = rng.random(n_posts)
    endings = rng.choice(np.array([".", ".", ".", "?", "!"]), size=(n_posts, 5))
    texts: list[str] = []
    own_paragraphs: list[list[str]] = []
    for i in range(n_posts):
        if i == 0 or u_new[i] < 0.10:
            thread[i] = len(thread_size)
            thread_size.append(1)
            position[i] = 1
            events.append(i)
        else:
            lo = max(0, len(events) - 2000)
            p = events[lo + int(u_pick[i] * (len(events) - lo))]
            parent[i] = p
            thread[i] = thread[p]
            thread_size[thread[p]] += 1
            position[i] = thread_size[thread[p]]
            events.append(p)
            events.append(i)
        sentences = []
        for s in range(n_sentences[i]):
            length = int(lengths[i, s])
            sentence = " ".join(vocab[word_draws[cursor : cursor + length]])
            cursor = (cursor + length) % (len(word_draws) - 25)
            sentences.append(sentence[0].upper() + sentence[1:] + endings[i, s])
        cut = 1 + int(cuts[i] * (len(sentences) - 1))
        paragraphs = [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
        own_paragraphs.append(paragraphs)
        body = "\n\n".join(paragraphs)
        if parent[i] >= 0 and u_quote[i] < quote_share:
            source = own_paragraphs[parent[i]]
            if u_kind[i] < 0.5:
                passage = source[int(u_part[i] * len(source))]
            else:
                pieces = " ".join(source).replace("? ", "?|").replace("! ", "!|").replace(". ", ".|").split("|")
                passage = pieces[int(u_part[i] * len(pieces))]
            body = f"{passage}\n\n{body}"
            quoted[i] = parent[i]
        texts.append(body)
    ids = np.array([f"p{i}" for i in range(n_posts)], dtype=object)
    start = np.datetime64("2024-01-01T00:00:00")
    return pl.DataFrame(
        {
            "thread_id": [f"t{t}" for t in thread],
            "post_id": ids.tolist(),
            "position": position,
            "author": [f"user{a}" for a in authors],
            "created_at": (start + np.arange(n_posts).astype("timedelta64[m]")).astype("datetime64[us]"),
            "text": texts,
            "reply_to": [None if p < 0 else ids[p] for p in parent],
            "quoted": [None if q < 0 else ids[q] for q in quoted],
        },
        schema_overrides={"post_id": pl.String},
    ).with_columns(pl.col("created_at").dt.replace_time_zone("UTC"))


def reddit_records(forum: pl.DataFrame, *, prefix: str = "") -> pl.DataFrame:
    """The posts of :func:`synthetic_forum` as Reddit dump records (one row per record, NDJSON-ready).

    A thread's first post is a submission (``t3_…``, with a title and
    ``selftext``); the others are comments (``t1_…``) with ``link_id`` and
    ``parent_id``; a pasted quote becomes a ``>`` line, as Reddit writes it.
    ``prefix`` keeps ids of several chunks apart.

    Examples
    --------
    >>> records = reddit_records(synthetic_forum(30, seed=2))
    >>> records.columns
    ['name', 'link_id', 'parent_id', 'author', 'created_utc', 'subreddit', 'title', 'selftext', 'body']
    >>> threads = synthetic_forum(30, seed=2)["thread_id"].n_unique()
    >>> records.filter(pl.col("name").str.starts_with("t3_")).height == threads
    True
    """
    first = pl.col("position") == 1
    name = (
        pl.when(first)
        .then(pl.lit(f"t3_{prefix}") + pl.col("thread_id"))
        .otherwise(pl.lit(f"t1_{prefix}") + pl.col("post_id"))
    )
    parent_name = (
        forum.select(pl.col("post_id").alias("reply_to"), pl.col("position").alias("_pp"), pl.col("thread_id"))
        .with_columns(
            _parent=pl.when(pl.col("_pp") == 1)
            .then(pl.lit(f"t3_{prefix}") + pl.col("thread_id"))
            .otherwise(pl.lit(f"t1_{prefix}") + pl.col("reply_to"))
        )
        .select("reply_to", "_parent")
    )
    # the quoted passage (the first paragraph of the text) as a markdown quote
    quoted_body = pl.when(pl.col("quoted").is_not_null()).then(pl.lit("> ") + pl.col("text")).otherwise(pl.col("text"))
    return (
        forum.join(parent_name, on="reply_to", how="left", maintain_order="left")
        .with_columns(_body=quoted_body)
        .select(
            name.alias("name"),
            pl.when(first).then(None).otherwise(pl.lit(f"t3_{prefix}") + pl.col("thread_id")).alias("link_id"),
            pl.when(first).then(None).otherwise(pl.col("_parent")).alias("parent_id"),
            pl.col("author"),
            pl.col("created_at").dt.epoch("s").alias("created_utc"),
            pl.lit("synthetic").alias("subreddit"),
            pl.when(first).then(pl.lit("Thread ") + pl.col("thread_id")).alias("title"),
            pl.when(first).then(pl.col("text")).alias("selftext"),
            pl.when(first).then(None).otherwise(pl.col("_body")).alias("body"),
        )
    )
