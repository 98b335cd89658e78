"""From a thread page (saved HTML or scraper JSON) to POSTS and marked quotes.

Ids are made so that pages of one thread, read from different files, name
the same posts the same way, and posts of different forums never clash:
``thread_id = SITE/threads/ID`` and ``post_id = SITE/posts/ID``, where SITE is
the forum's host (``forums.sufficientvelocity.com``) or, when the page does
not say, the engine's name. Quote targets are made the same way from the
quoted post's id, so they resolve whenever that post is in the input.
"""

from __future__ import annotations

import polars as pl

from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers.dates import parse_dates
from sna.io.helpers.forum_pages import Page
from sna.io.helpers.forum_quotes import render_post
from sna.schema import UTC_DATETIME


def thread_key(site: str, thread: str) -> str:
    """The ``thread_id`` of a forum thread.

    Examples
    --------
    >>> thread_key("phpbb.com", "2654665")
    'phpbb.com/threads/2654665'
    """
    return f"{site}/threads/{thread}"


def post_key(site: str, post: str) -> str:
    """The ``post_id`` of a forum post.

    Examples
    --------
    >>> post_key("phpbb.com", "16019761")
    'phpbb.com/posts/16019761'
    """
    return f"{site}/posts/{post}"


def thread_positions(numbers: list[int | None]) -> list[int]:
    """Positions in the thread of a page's posts, from the post numbers the page shows.

    Every post numbered, distinct and 1 or more: those numbers. Some numbered:
    counted on from the first numbered post (so a page that starts mid-thread
    starts above 1). None: the order on the page.

    Examples
    --------
    >>> thread_positions([41, 42, 43]), thread_positions([None, 42, None]), thread_positions([None, None])
    ([41, 42, 43], [41, 42, 43], [1, 2])
    """
    known = [(i, n) for i, n in enumerate(numbers) if n is not None and 0 < n < 2**62]
    if len(known) == len(numbers) and len({n for _, n in known}) == len(numbers):
        return [n for _, n in known]
    if known and known[0][1] - known[0][0] >= 1:
        base = known[0][1] - known[0][0]
        return [base + i for i in range(len(numbers))]
    return list(range(1, len(numbers) + 1))


def page_to_parsed(page: Page, *, default_thread: str) -> Parsed:
    """Turn a :class:`~sna.io.helpers.forum_pages.Page` into POSTS and marked quotes.

    Positions are the posts' numbers in the thread where the page shows them
    (see :func:`thread_positions`), so a page that starts mid-thread has
    positions above 1. Dates are read together (see
    :func:`sna.io.helpers.dates.parse_dates`) in the page's time zone.

    Parameters
    ----------
    page : Page
        Posts with their body elements.
    default_thread : str
        Thread id to use when the page names none (derived from the file).
    """
    site = page.site or page.engine
    thread = thread_key(site, page.thread) if page.thread else default_thread
    seen: set[str] = set()
    posts = []
    for post in page.posts:
        if post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    numbers = thread_positions([p.number for p in posts])
    created = parse_dates([p.date for p in posts], offset=page.offset)
    rows: dict[str, list[object]] = {k: [] for k in ("post_id", "author", "text", "raw_text", "reply_to")}
    quotes: dict[str, list[object]] = {k: [] for k in MARKED_SCHEMA}
    for post in posts:
        pid = post_key(site, post.post_id)
        rendered = render_post(post.body, page.markup)
        rows["post_id"].append(pid)
        rows["author"].append(post.author or None)
        rows["text"].append(rendered.text)
        rows["raw_text"].append(rendered.raw_text)
        parent = post_key(site, post.reply_to) if post.reply_to and post.reply_to != post.post_id else None
        rows["reply_to"].append(parent)
        for author, target, words, start, end in rendered.quotes:
            quotes["source"].append(pid)
            quotes["target"].append(post_key(site, target) if target and target != post.post_id else None)
            quotes["target_author"].append(author)
            quotes["quoted_text"].append(words)
            quotes["start"].append(start)
            quotes["end"].append(end)
    df = pl.DataFrame(
        {
            "thread_id": [thread] * len(posts),
            **{k: rows[k] for k in ("post_id",)},
            "position": numbers,
            "author": rows["author"],
            "created_at": pl.Series(created, dtype=UTC_DATETIME),
            "title": [page.title] * len(posts),
            "text": rows["text"],
            "raw_text": rows["raw_text"],
            "reply_to": rows["reply_to"],
        },
        schema_overrides={"author": pl.String, "reply_to": pl.String, "title": pl.String},
    )
    return Parsed(
        finish_posts(df, default_thread=default_thread),
        pl.DataFrame(quotes, schema=MARKED_SCHEMA),
        recover=False,
        pages=True,
    )
