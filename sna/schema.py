"""The canonical POSTS and EDGES tables and their validators.

POSTS has one row per post, EDGES one row per interaction (the later post
``source`` quotes or replies to the earlier post ``target``). Extra columns are
allowed after the canonical ones. See ``DESIGN.md`` for what each column means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from sna.errors import SchemaError
from sna.ids import all_unique, strictly_in_thread_order

UTC_DATETIME = pl.Datetime("us", "UTC")

POSTS_SCHEMA: dict[str, pl.DataType] = {
    "thread_id": pl.String(),
    "post_id": pl.String(),
    "position": pl.Int64(),
    "author": pl.String(),
    "created_at": UTC_DATETIME,
    "title": pl.String(),
    "text": pl.String(),
    "raw_text": pl.String(),
    "reply_to": pl.String(),
}

EDGES_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "target": pl.String(),
    "source_author": pl.String(),
    "target_author": pl.String(),
    "kind": pl.String(),
    "quoted_text": pl.String(),
    "stance": pl.String(),
    "stance_score": pl.Float64(),
    "created_at": UTC_DATETIME,
}

EDGE_KINDS = ("quote", "reply", "implicit")
"""Edge kinds, in the order EDGES lists a post's rows (see DESIGN.md)."""
STANCES = ("agree", "neutral", "disagree")
"""Stance labels."""
KIND_CODES: dict[str, int] = {kind: code for code, kind in enumerate(EDGE_KINDS)}
"""Integer code of each edge kind (its index in :data:`EDGE_KINDS`)."""
STANCE_CODES: dict[str, int] = {stance: code for code, stance in enumerate(STANCES)}
"""Integer code of each stance label (its index in :data:`STANCES`); -1 stands for none."""

#: Quotes stated by markup. ``target`` is the quoted post's id when the markup
#: gives one (as the source spells it), ``target_author`` the quoted name,
#: ``quoted_text`` the quoted post's own words as the quote reproduces them, and
#: ``start``/``end`` the block's character span in the source's ``raw_text``
#: (null when the reader cannot tell), so that a quote of a post that is not in
#: the input can be put back into the post's text.
MARKED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "target": pl.String(),
    "target_author": pl.String(),
    "quoted_text": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
}


def empty_marked() -> pl.DataFrame:
    """Return an empty table of marked quotes.

    Examples
    --------
    >>> empty_marked().columns
    ['source', 'target', 'target_author', 'quoted_text', 'start', 'end']
    """
    return pl.DataFrame(schema=MARKED_SCHEMA)


def empty_posts() -> pl.DataFrame:
    """Return an empty POSTS table.

    Examples
    --------
    >>> empty_posts().columns[:3]
    ['thread_id', 'post_id', 'position']
    """
    return pl.DataFrame(schema=POSTS_SCHEMA)


def empty_edges() -> pl.DataFrame:
    """Return an empty EDGES table.

    Examples
    --------
    >>> empty_edges().height
    0
    """
    return pl.DataFrame(schema=EDGES_SCHEMA)


def conform(df: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Put the canonical columns first, in order and with their types.

    Missing canonical columns are added as nulls; extra columns are kept after
    them in their original order.

    Examples
    --------
    >>> df = pl.DataFrame({"text": ["hi"], "score": [3], "post_id": ["1"]})
    >>> conform(df, POSTS_SCHEMA).columns[-2:]
    ['reply_to', 'score']
    """
    canonical = [
        (pl.col(name).cast(dtype) if name in df.columns else pl.lit(None, dtype)).alias(name)
        for name, dtype in schema.items()
    ]
    extra = [name for name in df.columns if name not in schema]
    return df.select(*canonical, *extra)


def _rows(df: pl.DataFrame, mask: pl.Series, limit: int = 5) -> str:
    ids = df.filter(mask)
    key = "post_id" if "post_id" in df.columns else None
    if key is None:
        where = [str(i) for i in df.with_row_index("_r").filter(mask)["_r"].head(limit)]
        return "rows " + ", ".join(where)
    shown = ", ".join(repr(v) for v in ids[key].head(limit).to_list())
    more = f" and {ids.height - limit} more" if ids.height > limit else ""
    return f"posts {shown}{more}"


def _require_columns(df: pl.DataFrame, names: Iterable[str], table: str) -> None:
    missing = [name for name in names if name not in df.columns]
    if missing:
        raise SchemaError(f"{table}: missing column(s) {', '.join(missing)}")


def validate_posts(posts: pl.DataFrame, *, order: pl.Series | None = None) -> pl.DataFrame:
    """Check a POSTS table and return it unchanged.

    ``order``, when the caller has it, is :func:`sna.ids.thread_order` of the
    posts (not None): then repeated positions are looked for between
    neighbours in that order, without hashing every (thread, position) pair.

    Raises
    ------
    SchemaError
        Naming the offending posts: missing columns, null or duplicate
        ``post_id``, null ``thread_id`` or ``text``, positions that are not
        1-based or repeat within a thread, ``reply_to`` pointing at the post
        itself.

    Examples
    --------
    >>> posts = conform(pl.DataFrame({"thread_id": ["t", "t"], "post_id": ["a", "a"], "position": [1, 2],
    ...                               "text": ["Hi.", "Hi again."], "raw_text": ["Hi.", "Hi again."]}), POSTS_SCHEMA)
    >>> validate_posts(posts)
    Traceback (most recent call last):
    ...
    sna.errors.SchemaError: posts: duplicate post_id 'a' (2 posts)
    """
    _require_columns(posts, POSTS_SCHEMA, "posts")
    for name in ("thread_id", "post_id", "text", "raw_text", "position"):
        nulls = posts[name].is_null()
        if nulls.any():
            raise SchemaError(f"posts: {name} is empty in {_rows(posts, nulls)}")
    dup = None if all_unique(posts["post_id"]) else posts["post_id"].is_duplicated()
    if dup is not None and dup.any():
        first = posts.filter(dup)["post_id"][0]
        count = int((posts["post_id"] == first).sum())
        raise SchemaError(f"posts: duplicate post_id {first!r} ({count} posts)")
    bad_pos = posts["position"] < 1
    if bad_pos.any():
        raise SchemaError(f"posts: position must be 1 or more in {_rows(posts, bad_pos)}")
    in_order = strictly_in_thread_order(posts["thread_id"], posts["position"])  # then no pair repeats
    if not in_order and order is not None:
        in_order = strictly_in_thread_order(posts["thread_id"].gather(order), posts["position"].gather(order))
    dup_pos = None if in_order else posts.select(pl.struct("thread_id", "position").is_duplicated()).to_series()
    if dup_pos is not None and dup_pos.any():
        raise SchemaError(f"posts: position repeats within a thread in {_rows(posts, dup_pos)}")
    self_reply = (posts["reply_to"] == posts["post_id"]).fill_null(False)
    if self_reply.any():
        raise SchemaError(f"posts: reply_to points at the post itself in {_rows(posts, self_reply)}")
    return posts


def validate_edges(edges: pl.DataFrame, posts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Check an EDGES table (against its POSTS when given) and return it.

    Raises
    ------
    SchemaError
        Missing columns, unknown ``kind`` or ``stance``, ``stance_score``
        outside [-1, 1], repeated (source, target, kind) rows, self-loops, or
        endpoints that are not posts.

    Examples
    --------
    >>> edges = pl.DataFrame({"source": ["b"], "target": ["a"], "kind": ["poke"]})
    >>> validate_edges(conform(edges, EDGES_SCHEMA))
    Traceback (most recent call last):
    ...
    sna.errors.SchemaError: edges: unknown kind 'poke' (expected quote, reply, implicit)
    """
    _require_columns(edges, EDGES_SCHEMA, "edges")
    kinds = set(edges["kind"].drop_nulls().unique().to_list()) - set(EDGE_KINDS)
    if kinds or edges["kind"].null_count():
        shown = ", ".join(repr(k) for k in sorted(kinds)) or "null"
        raise SchemaError(f"edges: unknown kind {shown} (expected {', '.join(EDGE_KINDS)})")
    stances = set(edges["stance"].drop_nulls().unique().to_list()) - set(STANCES)
    if stances:
        shown = ", ".join(repr(s) for s in sorted(stances))
        raise SchemaError(f"edges: unknown stance {shown} (expected {', '.join(STANCES)})")
    score = edges["stance_score"]
    if ((score < -1) | (score > 1)).fill_null(False).any():
        raise SchemaError("edges: stance_score must lie in [-1, 1]")
    dup = edges.select(pl.struct("source", "target", "kind").is_duplicated()).to_series()
    if dup.any():
        first = edges.filter(dup).row(0, named=True)
        raise SchemaError(f"edges: repeated {first['kind']} edge {first['source']!r} -> {first['target']!r}")
    loops = edges["source"] == edges["target"]
    if loops.any():
        first = edges.filter(loops)["source"][0]
        raise SchemaError(f"edges: post {first!r} points at itself")
    if posts is not None:
        known = posts["post_id"]
        for end in ("source", "target"):
            unknown = ~edges[end].is_in(known.implode())
            if unknown.any():
                first = edges.filter(unknown)[end][0]
                raise SchemaError(f"edges: {end} {first!r} is not a post")
    return edges
