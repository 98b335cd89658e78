"""Thread files written by forumscraper (one JSON object per thread).

Each file has ``format_version`` (``"xenforo-2-thread"``, ``"phpbb-2+-thread"``,
``"smf-1-thread"``, ``"vbulletin-3+-thread"``, ``"invision-4+-thread"``,
``"xmb-thread"``, ``"stackexchange-thread"``), the thread's ``url``, ``id`` and
``title``, and ``posts[]`` whose bodies are the forum's HTML, so quotes are
read from the engine's markup (:mod:`sna.io.forum_quotes`). Stack Exchange
threads have no quote markup but a structure: answers reply to the question
and each comment (``comments[]``) to its post.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sna.errors import InputError
from sna.io.base import Parsed, read_text_with
from sna.io.forum_pages import Page, PagePost, site_of
from sna.io.forum_posts import page_to_parsed
from sna.io.html_text import parse_html

#: format_version prefix -> quote markup of the engine.
ENGINE_MARKUP = {
    "xenforo": "xenforo",
    "phpbb": "phpbb",
    "smf": "smf",
    "vbulletin": "vbulletin",
    "invision": "invision",
    "xmb": "xmb",
    "stackexchange": "none",
}


def _user(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return str(value).strip() or None if value is not None else None


def _body(post: dict[str, Any]) -> str:
    for key in ("text", "content", "body"):
        if isinstance(post.get(key), str):
            return post[key]
    return ""


def _post_id(post: dict[str, Any]) -> str | None:
    value = post.get("id", post.get("postid"))
    return str(value) if value not in (None, "") else None


def parse_forumscraper(data: str | dict[str, Any], *, name: str = "thread") -> Parsed:
    """Read one forumscraper thread.

    Parameters
    ----------
    data : str or dict
        The file's JSON text, or the object.
    name : str
        Thread id to use when the file gives no thread id.

    Raises
    ------
    InputError
        Not JSON, not a thread object, or an engine this reader does not know.

    Examples
    --------
    >>> thread = {"format_version": "phpbb-2+-thread", "url": "https://f.org/viewtopic.php?t=5",
    ...     "id": 5, "title": "Pets", "posts": [
    ...     {"postid": "10", "user": "ann", "date": "Tue Jul 02, 2024 3:19 am", "content": "Cats rule."},
    ...     {"postid": "11", "user": "bo", "date": "Tue Jul 02, 2024 5:49 am",
    ...      "content": '<blockquote cite="./viewtopic.php?p=10#p10"><div><cite>ann wrote:</cite>Cats rule.'
    ...                 '</div></blockquote>Dogs do.'}]}
    >>> parsed = parse_forumscraper(thread)
    >>> parsed.posts.select("post_id", "author", "text").rows()
    [('f.org/posts/10', 'ann', 'Cats rule.'), ('f.org/posts/11', 'bo', 'Dogs do.')]
    >>> parsed.quotes.select("source", "target", "quoted_text").row(0)
    ('f.org/posts/11', 'f.org/posts/10', 'Cats rule.')
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                "expected a complete forumscraper thread object"
            ) from None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise InputError("expected a forumscraper thread: an object with 'format_version' and 'posts'")
    version = str(data.get("format_version", ""))
    engine = version.split("-", 1)[0]
    if engine not in ENGINE_MARKUP or not version.endswith("-thread"):
        known = ", ".join(f"{e}-…-thread" for e in ENGINE_MARKUP)
        raise InputError(f"forumscraper format_version {version!r} is not read (known: {known})")
    url = str(data.get("url") or "")
    thread = str(data["id"]) if data.get("id") not in (None, "") else None
    page = Page(engine, ENGINE_MARKUP[engine], site_of(url), thread, str(data.get("title") or "") or None)
    for index, post in enumerate(data["posts"]):
        if not isinstance(post, dict):
            raise InputError(f"post {index + 1} is not an object; expected forumscraper post objects")
        pid = _post_id(post)
        if pid is None:
            raise InputError(f"post {index + 1} has no id; expected 'id' or 'postid'")
        user = post.get("user") if engine != "stackexchange" else post.get("author")
        date = post.get("date") or (post.get("edited") if engine == "stackexchange" else None)
        page.posts.append(PagePost(pid, _user(user), str(date) if date else None, None, parse_html(_body(post))))
        if engine == "stackexchange":
            if index > 0:
                page.posts[-1].reply_to = _post_id(data["posts"][0])
            for comment in post.get("comments") or []:
                cid = _post_id(comment)
                if cid is None:
                    continue
                body = parse_html(_body(comment))
                page.posts.append(
                    PagePost(f"comment-{cid}", _user(comment.get("user")), comment.get("date") or None, None, body, pid)
                )
    return page_to_parsed(page, default_thread=name)


def read_forumscraper(path: str | Path) -> Parsed:
    """Read a forumscraper thread file (see :func:`parse_forumscraper`)."""
    return read_text_with(path, parse_forumscraper)


def looks_like_forumscraper(path: Path, head: str) -> bool:
    """True when a file's first bytes are a forumscraper thread object.

    Examples
    --------
    >>> looks_like_forumscraper(Path("x"), '{ "format_version": "xmb-thread", "url": ')
    True
    """
    return head.lstrip("\ufeff \t\r\n").startswith("{") and bool(
        re.search(r'"format_version"\s*:\s*"[^"]*-thread"', head[:4096])
    )
