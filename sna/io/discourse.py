"""Discourse API JSON: topic views, ``/t/ID/posts.json`` pages and ``/posts.json``.

Posts come from ``post_stream.posts[]`` or ``latest_posts[]``. A post is named
by its topic and number, ``SITE/t/TOPIC/POST_NUMBER`` (SITE from the avatar
paths Discourse serves, else ``discourse``), which is what both
``reply_to_post_number`` and quote blocks (``<aside class="quote"
data-username data-post data-topic>``, written ``[quote="name, post:N,
topic:T"]``) refer to; so replies and quotes resolve across files, and pages
of one topic saved separately merge by post id. ``position`` is the post
number, so a page that starts mid-topic starts above 1.

Fields of the wrong type are read leniently: a ``username``, ``title`` or
``cooked`` that is not a string is left out, a date that cannot be read is
null; a post without a whole-number ``topic_id`` and ``post_number`` is an
error. The words of every quote are removed from ``text``, whether or not the
quoted post is in the input; a quote whose aside carries BBCode left over from
a forum migrated to Discourse (``[quote="NAME"]…``) is attributed to NAME.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts
from sna.io.helpers.boundary import reading
from sna.io.helpers.dates import parse_datetime
from sna.io.helpers.forum_quotes import render_post
from sna.io.helpers.html_text import parse_html
from sna.io.helpers.json_data import load_json
from sna.io.helpers.streams import read_text_file
from sna.schema import UTC_DATETIME

_SITE = re.compile(r"/(?:user_avatar|letter_avatar_proxy/v\d+/letter|letter_avatar)/([a-z0-9.-]+\.[a-z]{2,})/")


def _value(post: dict[str, Any], key: str) -> Any:
    """A field, with the strings "None"/"null"/"" (as some dumps write them) read as missing."""
    value = post.get(key)
    return None if value in (None, "", "None", "null") else value


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _posts_of(data: Any, source: str) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("post_stream"), dict):
        posts = data["post_stream"].get("posts")
    elif isinstance(data, dict) and "latest_posts" in data:
        posts = data["latest_posts"]
    else:
        posts = None
    if not isinstance(posts, list) or not all(isinstance(p, dict) for p in posts):
        raise InputError("expected Discourse JSON: an object with 'post_stream.posts' or 'latest_posts'", path=source)
    return posts


def post_key(site: str, topic: int | str, number: int | str) -> str:
    """The ``post_id`` of a Discourse post.

    Examples
    --------
    >>> post_key("discuss.example.com", 2108, 31)
    'discuss.example.com/t/2108/31'
    """
    return f"{site}/t/{topic}/{number}"


def parse_discourse(data: str | bytes | dict[str, Any], *, source: str = "topic") -> Parsed:
    """Read Discourse posts JSON.

    Parameters
    ----------
    data : str, bytes or dict
        The JSON text or object.
    source : str
        Where it came from (the file), for messages.

    Raises
    ------
    InputError
        Not JSON, or no posts list where Discourse puts one.

    Examples
    --------
    >>> doc = {"post_stream": {"posts": [
    ...   {"id": 7, "topic_id": 3, "post_number": 1, "username": "ann", "created_at": "2025-09-25T19:11:22Z",
    ...    "cooked": "<p>Tea is best.</p>", "avatar_template": "/user_avatar/forum.org/ann/{size}/1.png"},
    ...   {"id": 9, "topic_id": 3, "post_number": 2, "username": "bo", "created_at": "2025-09-25T20:00:00Z",
    ...    "reply_to_post_number": 1, "cooked": '<aside class="quote" data-username="ann" data-post="1" '
    ...    'data-topic="3"><div class="title">ann:</div><blockquote><p>Tea is best.</p></blockquote></aside>'
    ...    '<p>Coffee.</p>'}]}}
    >>> parsed = parse_discourse(doc)
    >>> parsed.posts.select("post_id", "reply_to", "text").rows()
    [('forum.org/t/3/1', None, 'Tea is best.'), ('forum.org/t/3/2', 'forum.org/t/3/1', 'Coffee.')]
    >>> parsed.quotes.select("target", "target_author", "quoted_text").row(0)
    ('forum.org/t/3/1', 'ann', 'Tea is best.')
    """
    if isinstance(data, str | bytes):
        data = load_json(data, where=source, what="a complete Discourse posts file")
    posts = _posts_of(data, source)
    site = "discourse"
    for post in posts:
        match = _SITE.search(str(post.get("avatar_template") or ""))
        if match:
            site = match.group(1)
            break
    title = _string(_value(data, "title")) if isinstance(data, dict) else None
    rows: dict[str, list[Any]] = {k: [] for k in ("thread_id", "post_id", "position", "author", "created_at",
                                                  "title", "text", "raw_text", "reply_to")}  # fmt: skip
    quotes: dict[str, list[Any]] = {k: [] for k in MARKED_SCHEMA}
    seen: set[str] = set()
    for index, post in enumerate(posts):
        topic, number = _int(_value(post, "topic_id")), _int(_value(post, "post_number"))
        if topic is None or number is None or not 1 <= number < 2**62:
            raise InputError(
                f"post {index + 1} lacks a topic_id or a post_number of 1 or more; expected Discourse post objects",
                path=source,
            )
        if _int(_value(post, "post_type")) == 3:  # "small action" (closed, pinned…): not a post anyone wrote
            continue
        pid = post_key(site, topic, number)
        if pid in seen:
            continue
        seen.add(pid)
        rendered = render_post(parse_html(_string(_value(post, "cooked")) or ""), "discourse")
        parent = _int(_value(post, "reply_to_post_number"))
        rows["thread_id"].append(f"{site}/t/{topic}")
        rows["post_id"].append(pid)
        rows["position"].append(number)
        rows["author"].append(_string(_value(post, "username")))
        rows["created_at"].append(parse_datetime(_value(post, "created_at")))
        rows["title"].append(_string(_value(post, "topic_title")) or title)
        rows["text"].append(rendered.text)
        rows["raw_text"].append(rendered.raw_text)
        rows["reply_to"].append(post_key(site, topic, parent) if parent and parent != number else None)
        for author, ref, words, start, end in rendered.quotes:
            quoted_topic, _, quoted_number = (ref or "").partition("/")
            target = post_key(site, quoted_topic or topic, quoted_number) if quoted_number.isdigit() else None
            quotes["source"].append(pid)
            quotes["target"].append(target if target != pid else None)
            quotes["target_author"].append(author)
            quotes["quoted_text"].append(words)
            quotes["start"].append(start)
            quotes["end"].append(end)
    df = pl.DataFrame(rows, schema_overrides={"created_at": UTC_DATETIME, "author": pl.String, "title": pl.String,
                                              "reply_to": pl.String})  # fmt: skip
    df = df.sort("thread_id", "position")
    return Parsed(finish_posts(df, default_thread=source), pl.DataFrame(quotes, schema=MARKED_SCHEMA), False, True)


@reading("a Discourse posts JSON file (post_stream.posts or latest_posts)")
def read_discourse(path: str | Path) -> Parsed:
    """Read a Discourse JSON file (see :func:`parse_discourse`)."""
    return parse_discourse(read_text_file(path), source=str(path))


def looks_like_discourse(path: Path, head: str) -> bool:
    """True when a file's first bytes are Discourse posts JSON.

    Examples
    --------
    >>> looks_like_discourse(Path("x"), '{"post_stream": {"posts": [')
    True
    """
    return head.lstrip("\ufeff \t\r\n").startswith("{") and bool(re.search(r'"(post_stream|latest_posts)"\s*:', head))
