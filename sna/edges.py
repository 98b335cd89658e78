"""From POSTS to EDGES: who quotes or replies to whom.

Three kinds of edge, from the later post (``source``) to the earlier one
(``target``):

* ``quote`` — quoted words, stated by markup or found pasted in the text
  (:mod:`sna.quotes`);
* ``reply`` — a parent stated by the source (``reply_to``);
* ``implicit`` — a post that quotes nothing and states no parent is *assumed*
  to answer its thread's first post (or the post just above it, or nothing:
  ``implicit_target``).

Quote and reply edges are read from the source; implicit edges are assumed, and
the metrics leave them out unless asked (see :mod:`sna.analysis.report`).

When a thread's first post is not in the input — a saved page from the middle
of a thread, a table whose positions start above 1 — posts are never attached
to the first post *on the page*: a placeholder row (``placeholder`` true,
post id ``[thread ID]``, position 1, no author, no text) stands for the missing
opening post, and implicit edges point at it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sna.errors import SchemaError
from sna.ids import rows_of, sorted_thread_codes, thread_order
from sna.quotes import find_pasted_quotes, locate_quoted_posts
from sna.schema import (
    EDGE_KINDS,
    EDGES_SCHEMA,
    KIND_CODES,
    POSTS_SCHEMA,
    conform,
    empty_marked,
    validate_edges,
    validate_posts,
)

QUOTE_SEPARATOR = "\n[…]\n"
#: Posts of a reply_to cycle named in its error message.
CYCLE_SHOWN = 4

IMPLICIT_TARGETS = ("first", "previous", "none")
"""What a post that quotes nothing and states no parent is linked to: its
thread's first post, the post just above it, or nothing."""

#: Quotes whose source (the quoted post) is not in the input: the quoting post,
#: the id the markup states (null when it names only an author), the quoted
#: name and the quoted words.
UNRESOLVED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "target": pl.String(),
    "target_author": pl.String(),
    "quoted_text": pl.String(),
}


@dataclass(frozen=True)
class Extracted:
    """Posts with their own words, the edges between them, and counts.

    Attributes
    ----------
    posts : pl.DataFrame
        POSTS with ``text`` holding each post's own words, and a
        ``placeholder`` column (true for rows standing for a thread's missing
        opening post).
    edges : pl.DataFrame
        EDGES (stance not yet filled in).
    unresolved : pl.DataFrame
        Marked quotes of posts that are not in the input
        (:data:`UNRESOLVED_SCHEMA`); their words are removed from ``text``
        like those of every other quote.
    counts : dict
        ``quotes_unresolved``, ``replies_missing`` (stated parents not in the
        input), ``threads_without_start`` (placeholders added) and the number
        of edges per kind.
    rows : tuple of np.ndarray, optional
        Each edge's source and target as row numbers of ``posts`` (what
        :func:`sna.graph.index_corpus` would otherwise look up by id).
    """

    posts: pl.DataFrame
    edges: pl.DataFrame
    unresolved: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNRESOLVED_SCHEMA))
    counts: dict[str, int] = field(default_factory=dict)
    rows: tuple[np.ndarray, np.ndarray] | None = None


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _check_reply_tree(posts: pl.DataFrame, thread: np.ndarray) -> np.ndarray:
    """Raise if stated parents cross threads or form a cycle; else each post's parent row (-1: none, or not a post).

    ``thread`` holds each post's thread code (equal codes, same thread).
    """
    ids = posts["post_id"]
    parent_idx = rows_of(posts["reply_to"], ids)
    has = parent_idx >= 0
    cross = has & (thread != thread[np.where(has, parent_idx, 0)])
    if cross.any():
        i = int(np.flatnonzero(cross)[0])
        threads = posts["thread_id"]
        raise SchemaError(
            f"post {ids[i]!r} replies to {posts['reply_to'][i]!r}, which is in another thread "
            f"({threads[int(parent_idx[i])]!r}, not {threads[i]!r}): expected replies within a thread"
        )
    # Parents above their posts (thread order, as most are) cannot form a cycle. Else pointer
    # doubling: after enough rounds every chain has reached a root (-1) unless it runs into a cycle.
    anc = parent_idx.copy()
    rounds = 0 if (parent_idx < np.arange(len(parent_idx))).all() else max(1, len(anc).bit_length()) + 1
    for _ in range(rounds):
        anc = np.where(anc >= 0, anc[np.maximum(anc, 0)], -1)
        if (anc < 0).all():
            break
    cyclic = np.flatnonzero(anc >= 0) if rounds else _NO_ROWS
    if len(cyclic):
        seen: dict[int, int] = {}  # node -> step at which the walk met it (linear, not quadratic)
        node = int(cyclic[0])
        while node not in seen:
            seen[node] = len(seen)
            node = int(parent_idx[node])
        cycle = list(seen)[seen[node] :]
        shown = [repr(ids[i]) for i in cycle[:CYCLE_SHOWN]]
        path = " -> ".join([*shown, "…" if len(cycle) > CYCLE_SHOWN else shown[0]])
        raise SchemaError(
            f"reply_to forms a cycle of {len(cycle):,} post{'s' if len(cycle) != 1 else ''}: {path}; "
            "expected each post to reply to an earlier one"
        )
    return parent_idx


def _resolve_marked(posts: pl.DataFrame, marked: pl.DataFrame) -> pl.DataFrame:
    """Give each marked quote a ``resolved`` target post_id (null if not found)."""
    if marked.height == 0:
        return marked.with_columns(resolved=pl.lit(None, pl.String))
    info = posts.select("post_id", "thread_id", "position")
    stated = (
        marked.with_row_index("_q")
        .join(info.rename({"post_id": "source", "thread_id": "_st", "position": "_sp"}), on="source", how="left")
        .join(info.rename({"post_id": "target", "thread_id": "_tt", "position": "_tp"}), on="target", how="left")
        .sort("_q")
    )
    ok = (stated["_tt"] == stated["_st"]) & (stated["_tp"] < stated["_sp"])
    resolved = pl.when(ok.fill_null(False)).then(stated["target"]).otherwise(None)
    stated = stated.with_columns(resolved=resolved)
    todo = stated.filter(pl.col("resolved").is_null() & pl.col("source").is_in(posts["post_id"].implode()))
    if todo.height:
        found = locate_quoted_posts(posts, todo.select("source", "target_author", "quoted_text"))
        filled = pl.DataFrame({"_q": todo["_q"], "_found": found})
        stated = stated.join(filled, on="_q", how="left").with_columns(resolved=pl.coalesce("resolved", "_found"))
    return stated.sort("_q").select(*marked.columns, "resolved")


def placeholder_id(thread_id: str) -> str:
    """Post id of the placeholder standing for a thread's missing opening post.

    Examples
    --------
    >>> placeholder_id("forum/t/42")
    '[thread forum/t/42]'
    """
    return f"[thread {thread_id}]"


def _flag(posts: pl.DataFrame, name: str) -> pl.Expr:
    """A boolean column that may have been read back from CSV as text ("true"/"false"); false if absent."""
    if name not in posts.columns:
        return pl.lit(False)
    if posts[name].dtype == pl.String:
        return pl.col(name).str.strip_chars().str.to_lowercase().is_in(["true", "1", "yes"])
    return pl.col(name).cast(pl.Boolean).fill_null(False)


def _with_placeholders(posts: pl.DataFrame, threads: pl.Series) -> pl.DataFrame:
    """Add a placeholder opening post (position 1) to each of ``threads``; keep thread order."""
    flagged = posts.with_columns(placeholder=_flag(posts, "placeholder"))
    if threads.len() == 0:
        return flagged
    titles = posts.group_by("thread_id", maintain_order=True).agg(pl.col("title").drop_nulls().first())
    extra = (
        pl.DataFrame({"thread_id": threads})
        .join(titles, on="thread_id", how="left", maintain_order="left")
        .with_columns(
            post_id=pl.format("[thread {}]", "thread_id"),
            position=pl.lit(1, pl.Int64),
            text=pl.lit(""),
            raw_text=pl.lit(""),
            placeholder=pl.lit(True),
        )
    )
    taken = extra.filter(pl.col("post_id").is_in(posts["post_id"].implode()))
    if taken.height:
        raise SchemaError(
            f"post id {taken['post_id'][0]!r} is taken: it is reserved for the placeholder of thread "
            f"{taken['thread_id'][0]!r}, whose first post is not in the input"
        )
    merged = pl.concat([flagged, conform(extra, POSTS_SCHEMA)], how="diagonal_relaxed")
    return merged.sort("thread_id", "position", maintain_order=True).select(flagged.columns)


def _implicit_pairs(thread: np.ndarray, skip: np.ndarray, target: str) -> pl.DataFrame:
    """Rows (``_s``, ``_t``) linking each post not in ``skip`` to its thread's first post, or the one above.

    Posts are in thread order; ``thread`` holds their thread codes.
    """
    n = len(thread)
    row = np.arange(n, dtype=np.int64)
    starts = np.ones(n, dtype=bool)
    starts[1:] = thread[1:] != thread[:-1]
    if target == "first":
        link = np.maximum.accumulate(np.where(starts, row, 0)) if n else row
    else:
        link = np.where(starts, -1, row - 1)
    source = np.flatnonzero(~skip & (link >= 0) & (link != row))
    return pl.DataFrame({"_s": source, "_t": link[source]}, schema=PAIR_SCHEMA)


#: Edges of one kind as row numbers of POSTS: source, target (and the quoted words).
PAIR_SCHEMA: dict[str, pl.DataType] = {"_s": pl.Int64(), "_t": pl.Int64()}


def _merge_quote_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """One row per (``_s``, ``_t``) in order of first occurrence, its non-null ``quoted_text`` joined.

    The same table as ``group_by("_s", "_t", maintain_order=True)`` joining
    ``quoted_text.drop_nulls()`` with :data:`QUOTE_SEPARATOR` (a pair with no
    text gets ``""``), but only pairs that occur more than once are grouped:
    most occur once, and joining strings group by group is the costly part.

    Examples
    --------
    >>> pairs = pl.DataFrame({"_s": [2, 3, 2], "_t": [0, 1, 0], "quoted_text": ["a", None, "b"]})
    >>> _merge_quote_pairs(pairs).rows()
    [(2, 0, 'a\\n[…]\\nb'), (3, 1, '')]
    """
    repeated = pairs.select("_s", "_t").is_duplicated()
    if not repeated.any():
        return pairs.with_columns(pl.col("quoted_text").fill_null(""))
    numbered = pairs.with_row_index("_row")
    grouped = (
        numbered.filter(repeated)
        .group_by("_s", "_t", maintain_order=True)
        .agg(pl.col("_row").first(), pl.col("quoted_text").drop_nulls().str.join(QUOTE_SEPARATOR))
    )
    once = numbered.filter(~repeated).with_columns(pl.col("quoted_text").fill_null(""))
    return pl.concat([once, grouped.select(numbered.columns)]).sort("_row").drop("_row")


def _edge_rows(posts: pl.DataFrame, parts: list[tuple[pl.DataFrame, str]]) -> pl.DataFrame:
    """EDGES from (``_s``, ``_t``[, ``quoted_text``]) row pairs of each kind, ordered by source post, kind, pair.

    Sources and targets are row numbers of POSTS; ids, authors and times are
    gathered by row number. Returns EDGES with ``_s`` and ``_t`` still attached.
    """
    pieces = []
    for pairs, kind in parts:
        quoted = pairs["quoted_text"] if "quoted_text" in pairs.columns else pl.lit(None, pl.String)
        pieces.append(
            pairs.select(pl.col("_s", "_t").cast(pl.Int64), quoted.alias("quoted_text")).with_columns(
                _k=pl.lit(KIND_CODES[kind], pl.Int8)
            )
        )
    rows = pl.concat(pieces)
    # By source, then kind, then pair order: a stable sort on one integer key (pairs of a kind are in order).
    key = rows["_s"].to_numpy() * len(EDGE_KINDS) + rows["_k"].to_numpy()
    rows = rows[np.argsort(key, kind="stable")]
    source, target = rows["_s"], rows["_t"]
    kinds = pl.Series(EDGE_KINDS, dtype=pl.String).gather(rows["_k"].cast(pl.Int64))
    edges = pl.DataFrame({
        "source": posts["post_id"].gather(source),
        "target": posts["post_id"].gather(target),
        "source_author": posts["author"].gather(source),
        "target_author": posts["author"].gather(target),
        "kind": kinds,
        "quoted_text": rows["quoted_text"],
        "created_at": posts["created_at"].gather(source),
    })  # fmt: skip
    return conform(edges, EDGES_SCHEMA).select(list(EDGES_SCHEMA)).with_columns(_s=source, _t=target, _k=rows["_k"])


def _check_edge_rows(edges: pl.DataFrame, n_posts: int) -> None:
    """Self-loops and repeated (source, target, kind) rows, found on row numbers; named by :func:`validate_edges`."""
    s, t, k = (edges[c].to_numpy().astype(np.int64) for c in ("_s", "_t", "_k"))
    key = pl.Series((s * max(n_posts, 1) + t) * len(EDGE_KINDS) + k)
    if (s == t).any() or key.n_unique() < len(key):
        validate_edges(edges.drop("_s", "_t", "_k"))


def _late_starts(thread: np.ndarray, position: np.ndarray, unanswered: np.ndarray, target: str) -> np.ndarray:
    """First rows of the threads that need a placeholder opening post, in thread order.

    A thread needs one when its first post on the page is not position 1 and
    some post of it would be linked to the missing first post.
    """
    n = len(thread)
    first_row = np.flatnonzero(np.concatenate([[True], thread[1:] != thread[:-1]])) if n else np.zeros(0, np.int64)
    late = position[first_row] > 1
    if target == "first":
        waiting = np.bincount(thread[unanswered] - 1, minlength=len(first_row)) > 0  # codes are 1, 2, …
    else:
        waiting = unanswered[first_row]
    return first_row[late & waiting]


def extract_edges(
    posts: pl.DataFrame,
    marked: pl.DataFrame | None = None,
    *,
    recover: pl.Series | bool = True,
    implicit_target: str = "first",
    implicit: bool | None = None,
) -> Extracted:
    """Find every quote, reply and implicit edge between posts.

    Parameters
    ----------
    posts : pl.DataFrame
        Canonical POSTS; ``text`` is the post without its marked quotes.
    marked : pl.DataFrame, optional
        Quotes stated by markup (``sna.schema.MARKED_SCHEMA``).
    recover : bool or pl.Series of bool
        Look for quotes pasted without markup (in all posts, or per post, aligned
        with ``posts``).
    implicit_target : {"first", "previous", "none"}
        What a post that quotes nothing and states no parent is linked to (an
        ``implicit`` edge): its thread's first post, the post just above it,
        or nothing. Where the thread's first post is not in the input (its
        positions start above 1) that is a placeholder row standing for it.
    implicit : bool, optional
        ``False`` is the same as ``implicit_target="none"`` (kept for older
        callers).

    Returns
    -------
    Extracted

    Raises
    ------
    SchemaError
        On invalid posts (duplicate ids, …), a parent in another thread, or a
        cycle of stated parents.

    Examples
    --------
    >>> posts = pl.DataFrame({
    ...     "thread_id": ["t"] * 3, "post_id": ["a", "b", "c"], "position": [1, 2, 3],
    ...     "author": ["ann", "bo", "cy"],
    ...     "text": ["Tea is better than coffee in every way.", "Agreed!",
    ...              "tea is better than coffee in every way\\n\\nNonsense."],
    ...     "reply_to": [None, None, None]})
    >>> from sna.schema import POSTS_SCHEMA
    >>> found = extract_edges(conform(posts.with_columns(raw_text=pl.col("text")), POSTS_SCHEMA))
    >>> found.edges.select("source", "target", "kind").rows()
    [('b', 'a', 'implicit'), ('c', 'a', 'quote')]
    >>> found.posts["text"][2]
    'Nonsense.'
    """
    if implicit is False:
        implicit_target = "none"
    if implicit_target not in IMPLICIT_TARGETS:
        raise SchemaError(f"implicit_target must be one of {', '.join(IMPLICIT_TARGETS)}, got {implicit_target!r}")
    ordered = {"thread_id", "position"} <= set(posts.columns)  # else validate_posts names what is missing
    order = thread_order(posts["thread_id"], posts["position"]) if ordered else None
    validate_posts(posts, order=order)
    if isinstance(recover, bool):
        recover = pl.Series([recover] * posts.height, dtype=pl.Boolean)
    recover_mask = pl.Series(recover, dtype=pl.Boolean).fill_null(False)
    if order is not None:
        # One chunk first: a gather from several chunks copies every string, from one it copies 16-byte views.
        posts, recover_mask = posts.rechunk()[order], recover_mask.gather(order)
    # From here on posts are rows 0..n-1 in thread order; pairs of posts are pairs of row numbers.
    thread = sorted_thread_codes(posts["thread_id"])
    parent = _check_reply_tree(posts, thread)
    marked = empty_marked() if marked is None else marked
    counts: Counter[str] = Counter()

    marked = _resolve_marked(posts, marked)
    unresolved = marked.filter(pl.col("resolved").is_null()).select(list(UNRESOLVED_SCHEMA))
    counts["quotes_unresolved"] = unresolved.height
    resolved = marked.filter(pl.col("resolved").is_not_null())
    ids = posts["post_id"]
    marked_pairs = pl.DataFrame(
        {"_s": rows_of(resolved["source"], ids), "_t": rows_of(resolved["resolved"], ids)}, schema=PAIR_SCHEMA
    ).with_columns(quoted_text=resolved["quoted_text"].cast(pl.String))

    pasted = pl.DataFrame(schema={**PAIR_SCHEMA, "quoted_text": pl.String})
    if recover_mask.any():
        found = find_pasted_quotes(posts, recover=recover_mask)
        posts = posts.with_columns(text=found.text)
        pasted = pl.DataFrame({"_s": found.source_row, "_t": found.target_row}, schema=PAIR_SCHEMA).with_columns(
            quoted_text=found.blocks["quoted_text"]
        )

    quote_pairs = _merge_quote_pairs(pl.concat([marked_pairs, pasted]).filter(pl.col("_s") != pl.col("_t")))
    stated = posts["reply_to"].is_not_null().to_numpy()
    counts["replies_missing"] = int((stated & (parent < 0)).sum())
    replying = np.flatnonzero(parent >= 0)
    reply_pairs = pl.DataFrame({"_s": replying, "_t": parent[replying]}, schema=PAIR_SCHEMA)
    answered = stated.copy()
    answered[quote_pairs["_s"].to_numpy()] = True
    missing_start = pl.Series("thread_id", [], dtype=pl.String)
    if implicit_target != "none":
        position = posts["position"].to_numpy()
        firsts = _late_starts(thread, position, ~answered, implicit_target)
        missing_start = posts["thread_id"].gather(firsts)
    posts = _with_placeholders(posts, missing_start)
    counts["threads_without_start"] = missing_start.len()
    if missing_start.len():  # placeholders open their threads: later rows move down
        added = np.zeros(thread[-1] + 1, dtype=np.int64)
        added[thread[firsts]] = 1
        new_row = np.arange(len(thread), dtype=np.int64) + np.cumsum(added)[thread]
        quote_pairs, reply_pairs = (
            pairs.with_columns(_s=new_row[pairs["_s"].to_numpy()], _t=new_row[pairs["_t"].to_numpy()])
            for pairs in (quote_pairs, reply_pairs)
        )
        answered_now = np.zeros(posts.height, dtype=bool)
        answered_now[new_row] = answered
        answered, thread = answered_now, sorted_thread_codes(posts["thread_id"])
    parts = [(quote_pairs, "quote"), (reply_pairs, "reply")]
    if implicit_target != "none":
        skip = answered | posts["placeholder"].to_numpy().astype(bool)
        parts.append((_implicit_pairs(thread, skip, implicit_target), "implicit"))
    # Rows by source post, then kind; a post's quote rows in the order it quotes them.
    edges = _edge_rows(posts, parts)
    _check_edge_rows(edges, posts.height)  # endpoints are posts by construction
    for kind, count in zip(EDGE_KINDS, np.bincount(edges["_k"].to_numpy(), minlength=len(EDGE_KINDS)), strict=True):
        counts[f"edges_{kind}"] = int(count)
    rows = (edges["_s"].to_numpy(), edges["_t"].to_numpy())
    return Extracted(posts, edges.drop("_s", "_t", "_k"), unresolved, dict(counts), rows)
