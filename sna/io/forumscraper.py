"""Thread files written by forumscraper (one JSON object per thread).

Each file has ``format_version`` (``"xenforo-2-thread"``, ``"phpbb-2+-thread"``,
``"smf-1-thread"``, ``"vbulletin-3+-thread"``, ``"invision-4+-thread"``,
``"xmb-thread"``, ``"stackexchange-thread"``), the thread's ``url``, ``id`` and
``title``, and ``posts[]`` whose bodies are the forum's HTML, so quotes are
read from the engine's markup (:mod:`sna.io.helpers.forum_quotes`). Stack Exchange
threads have no quote markup but a structure: answers reply to the question
and each comment (``comments[]``) to its post.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sna.errors import InputError
from sna.io.base import Parsed, thread_id_from_path
from sna.io.helpers.boundary import reading, shorten
from sna.io.helpers.forum_pages import Page, PagePost, site_of
from sna.io.helpers.forum_posts import page_to_parsed
from sna.io.helpers.html_text import parse_html
from sna.io.helpers.json_data import load_json
from sna.io.helpers.streams import read_text_file

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
    return value.strip() or None if isinstance(value, str) else None


def _scalar(value: Any) -> str | None:
    """A string or number as text; None for anything else (or empty)."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _body(post: dict[str, Any]) -> str:
    for key in ("text", "content", "body"):
        if isinstance(post.get(key), str):
            return post[key]
    return ""


def _post_id(post: dict[str, Any]) -> str | None:
    return _scalar(post.get("id", post.get("postid")))


def parse_forumscraper(data: str | bytes | dict[str, Any], *, source: str = "thread") -> Parsed:
    """Read one forumscraper thread.

    Parameters
    ----------
    data : str, bytes or dict
        The file's JSON text, or the object.
    source : str
        Where it came from (the file): named in errors, and the thread id
        when the file gives none.

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
    if isinstance(data, str | bytes):
        data = load_json(data, where=source, what="a complete forumscraper thread object")
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise InputError("expected a forumscraper thread: an object with 'format_version' and 'posts'", path=source)
    version = str(data.get("format_version", ""))
    engine = version.split("-", 1)[0]
    if engine not in ENGINE_MARKUP or not version.endswith("-thread"):
        known = ", ".join(f"{e}-…-thread" for e in ENGINE_MARKUP)
        raise InputError(f"forumscraper format_version {shorten(repr(version), 60)} is not read (known: {known})",
                         path=source)  # fmt: skip
    url = data.get("url") if isinstance(data.get("url"), str) else ""
    title = data.get("title") if isinstance(data.get("title"), str) else None
    page = Page(engine, ENGINE_MARKUP[engine], site_of(url), _scalar(data.get("id")), title or None)
    for index, post in enumerate(data["posts"]):
        if not isinstance(post, dict):
            raise InputError(f"post {index + 1} is not an object; expected forumscraper post objects", path=source)
        pid = _post_id(post)
        if pid is None:
            raise InputError(f"post {index + 1} has no id; expected 'id' or 'postid'", path=source)
        user = post.get("user") if engine != "stackexchange" else post.get("author")
        date = _scalar(post.get("date")) or (_scalar(post.get("edited")) if engine == "stackexchange" else None)
        page.posts.append(PagePost(pid, _user(user), date, None, parse_html(_body(post))))
        if engine == "stackexchange":
            if index > 0:
                page.posts[-1].reply_to = _post_id(data["posts"][0])
            comments = post.get("comments") if isinstance(post.get("comments"), list) else []
            for comment in comments:
                cid = _post_id(comment) if isinstance(comment, dict) else None
                if cid is None:
                    continue
                body = parse_html(_body(comment))
                who, when = _user(comment.get("user")), _scalar(comment.get("date"))
                page.posts.append(PagePost(f"comment-{cid}", who, when, None, body, pid))
    return page_to_parsed(page, default_thread=thread_id_from_path(source))


@reading("a forumscraper thread JSON file (format_version '…-thread')")
def read_forumscraper(path: str | Path) -> Parsed:
    """Read a forumscraper thread file (see :func:`parse_forumscraper`)."""
    return parse_forumscraper(read_text_file(path), source=str(path))


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
