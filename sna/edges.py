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
    """

    posts: pl.DataFrame
    edges: pl.DataFrame
    unresolved: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNRESOLVED_SCHEMA))
    counts: dict[str, int] = field(default_factory=dict)


def _check_reply_tree(posts: pl.DataFrame) -> None:
    """Raise if stated parents cross threads or form a cycle."""
    ids = posts["post_id"]
    index = pl.DataFrame({"reply_to": ids, "_parent": pl.int_range(len(ids), eager=True)})
    parent = posts.select("reply_to").join(index, on="reply_to", how="left", maintain_order="left")["_parent"]
    parent_idx = parent.fill_null(-1).to_numpy().astype(np.int64)
    has = parent_idx >= 0
    threads = posts["thread_id"].to_numpy()
    cross = has & (threads != threads[np.where(has, parent_idx, 0)])
    if cross.any():
        i = int(np.flatnonzero(cross)[0])
        raise SchemaError(
            f"post {ids[i]!r} replies to {posts['reply_to'][i]!r}, which is in another thread "
            f"({threads[parent_idx[i]]!r}, not {threads[i]!r}): expected replies within a thread"
        )
    # Pointer doubling: after enough rounds every chain has reached a root (-1)
    # unless it runs into a cycle.
    anc = parent_idx.copy()
    for _ in range(max(1, len(anc).bit_length()) + 1):
        anc = np.where(anc >= 0, anc[np.maximum(anc, 0)], -1)
    cyclic = np.flatnonzero(anc >= 0)
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


def _implicit_pairs(posts: pl.DataFrame, answered: pl.Series, target: str) -> pl.DataFrame:
    """(source, target) for posts not in ``answered``: their thread's first post, or the one above."""
    if target == "first":
        link = pl.col("post_id").first().over("thread_id")
    else:
        link = pl.col("post_id").shift(1).over("thread_id")
    return (
        posts.with_columns(_target=link)
        .filter(~pl.col("post_id").is_in(answered.implode()) & ~pl.col("placeholder"))
        .filter(pl.col("_target").is_not_null() & (pl.col("post_id") != pl.col("_target")))
        .select(pl.col("post_id").alias("source"), pl.col("_target").alias("target"))
    )


def _edge_rows(posts: pl.DataFrame, parts: list[tuple[pl.DataFrame, str]]) -> pl.DataFrame:
    """EDGES from (source, target[, quoted_text]) pairs of each kind, ordered by source post, kind, pair.

    Post ids are looked up once, as row numbers of POSTS (every source and
    target is a post), and the other columns gathered by row number.
    """
    pieces = []
    for pairs, kind in parts:
        quoted = pairs["quoted_text"] if "quoted_text" in pairs.columns else pl.lit(None, pl.String)
        pieces.append(
            pairs.select("source", "target", quoted.alias("quoted_text")).with_columns(
                _k=pl.lit(KIND_CODES[kind], pl.Int8), _seq=pl.int_range(pl.len(), dtype=pl.Int64)
            )
        )
    row = pl.DataFrame({"_id": posts["post_id"], "_row": pl.int_range(posts.height, dtype=pl.Int64, eager=True)})
    rows = (
        pl.concat(pieces)
        .join(row.rename({"_id": "source", "_row": "_s"}), on="source", how="left", maintain_order="left")
        .join(row.rename({"_id": "target", "_row": "_t"}), on="target", how="left", maintain_order="left")
        .sort("_s", "_k", "_seq")
    )
    source, target = rows["_s"], rows["_t"]
    kinds = pl.Series(EDGE_KINDS, dtype=pl.String).gather(rows["_k"].cast(pl.Int64))
    edges = pl.DataFrame({
        "source": rows["source"],
        "target": rows["target"],
        "source_author": posts["author"].gather(source),
        "target_author": posts["author"].gather(target),
        "kind": kinds,
        "quoted_text": rows["quoted_text"],
        "created_at": posts["created_at"].gather(source),
    })  # fmt: skip
    return conform(edges, EDGES_SCHEMA).select(list(EDGES_SCHEMA))


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
    validate_posts(posts)
    _check_reply_tree(posts)
    if isinstance(recover, bool):
        recover = pl.Series([recover] * posts.height, dtype=pl.Boolean)
    posts = posts.with_columns(_recover=pl.Series(recover, dtype=pl.Boolean).fill_null(False))
    order = posts.select(pl.arg_sort_by("thread_id", "position")).to_series()
    if not (order.diff().drop_nulls() == 1).all():  # most inputs arrive in thread order already
        posts = posts[order]
    recover_mask = posts["_recover"]
    posts = posts.drop("_recover")
    marked = empty_marked() if marked is None else marked
    counts: Counter[str] = Counter()

    marked = _resolve_marked(posts, marked)
    unresolved = marked.filter(pl.col("resolved").is_null()).select(list(UNRESOLVED_SCHEMA))
    counts["quotes_unresolved"] = unresolved.height
    marked_pairs = marked.filter(pl.col("resolved").is_not_null()).select(
        pl.col("source"), pl.col("resolved").alias("target"), pl.col("quoted_text")
    )

    pasted = pl.DataFrame(schema={"source": pl.String, "target": pl.String, "quoted_text": pl.String})
    if recover_mask.any():
        found = find_pasted_quotes(posts, recover=recover_mask)
        posts = posts.with_columns(text=found.text)
        pasted = found.blocks.select("source", "target", "quoted_text")

    quote_pairs = (
        pl.concat([marked_pairs, pasted])
        .filter(pl.col("source") != pl.col("target"))
        .group_by("source", "target", maintain_order=True)
        .agg(pl.col("quoted_text").drop_nulls().str.join(QUOTE_SEPARATOR))
    )
    known = posts["post_id"].implode()
    stated = posts.filter(pl.col("reply_to").is_not_null())
    counts["replies_missing"] = int((~stated["reply_to"].is_in(known)).sum())
    reply_pairs = stated.filter(pl.col("reply_to").is_in(known)).select(
        pl.col("post_id").alias("source"), pl.col("reply_to").alias("target")
    )
    answered = pl.concat([quote_pairs["source"], stated["post_id"]])
    missing_start = pl.Series("thread_id", [], dtype=pl.String)
    if implicit_target != "none":
        starts = posts.group_by("thread_id", maintain_order=True).agg(pl.col("position").min())
        late = starts.filter(pl.col("position") > 1)["thread_id"]
        # A placeholder only where some post of the thread would be linked to it.
        unattached = posts.filter(
            ~pl.col("post_id").is_in(answered.implode()) & pl.col("thread_id").is_in(late.implode())
        )
        if implicit_target == "first":
            missing_start = late.filter(late.is_in(unattached["thread_id"].implode()))
        else:
            first_on_page = unattached.join(starts, on=["thread_id", "position"], how="semi")
            missing_start = late.filter(late.is_in(first_on_page["thread_id"].implode()))
    posts = _with_placeholders(posts, missing_start)
    counts["threads_without_start"] = missing_start.len()
    parts = [(quote_pairs, "quote"), (reply_pairs, "reply")]
    if implicit_target != "none":
        parts.append((_implicit_pairs(posts, answered, implicit_target), "implicit"))
    # Rows by source post, then kind; a post's quote rows in the order it quotes them.
    edges = _edge_rows(posts, parts)
    validate_edges(edges)  # endpoints are posts by construction; the check costs seconds at 1M
    for kind in EDGE_KINDS:
        counts[f"edges_{kind}"] = int((edges["kind"] == kind).sum())
    return Extracted(posts, edges, unresolved, dict(counts))
