"""Saved HTML pages of forum threads (XenForo, vBulletin, phpBB, SMF, Invision, XMB, NodeBB).

The engine is told from the page itself (:mod:`sna.io.forum_pages`); quote
blocks are read from its markup (:mod:`sna.io.forum_quotes`) with the quoted
author and post id where given. Several pages of one thread are merged by
post id in :func:`sna.io.merge.merge_pages`.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from sna.errors import InputError
from sna.io.base import Parsed, thread_id_from_path
from sna.io.forum_pages import ENGINES, detect_engine
from sna.io.forum_posts import page_to_parsed

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """Decode a saved page: UTF-8 when it is, else the charset its ``<meta>`` names.

    Pages that say ISO-8859-1 are read as Windows-1252, as browsers do.

    Examples
    --------
    >>> decode_html('<meta charset="ISO-8859-1"><p>\\u201cx\\u201d</p>'.encode("cp1252"))[-10:]
    '<p>“x”</p>'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _CHARSET.search(data[:4096])
    charset = match.group(1).decode("ascii").lower() if match else "cp1252"
    if charset in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
        charset = "cp1252"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def known_engines() -> str:
    """The engines whose pages can be read, for messages.

    Examples
    --------
    >>> known_engines().split(", ")[:2]
    ['XenForo 2', 'XenForo 1']
    """
    return ", ".join(engine.label for engine in ENGINES)


def parse_html_page(html: str | bytes, *, name: str = "page") -> Parsed:
    """Read one saved forum page.

    Parameters
    ----------
    html : str or bytes
        The page as saved by a browser (bytes are decoded as the page says).
    name : str
        Thread id to use when the page names no thread (e.g. the file name).

    Returns
    -------
    Parsed
        POSTS, the quotes the markup states, ``recover=False``, ``pages=True``.

    Raises
    ------
    InputError
        When the page is not from a known engine or shows no posts.

    Examples
    --------
    >>> page = '''<html><body><ul component="topic" data-tid="7">
    ... <li component="post" data-pid="1" data-index="0" data-username="ann" data-timestamp="1553457251505">
    ...  <div component="post/content"><p>Cats are great pets.</p></div></li>
    ... <li component="post" data-pid="2" data-index="1" data-username="bo" data-timestamp="1553465133393">
    ...  <div component="post/content"><p>@ann said in <a href="/post/1">Pets</a>:</p>
    ...  <blockquote><p>Cats are great pets.</p></blockquote><p>Dogs are better.</p></div></li>
    ... </ul></body></html>'''
    >>> parsed = parse_html_page(page)
    >>> parsed.posts.select("post_id", "author", "text").rows()
    [('nodebb/posts/1', 'ann', 'Cats are great pets.'), ('nodebb/posts/2', 'bo', 'Dogs are better.')]
    >>> parsed.quotes.select("source", "target", "target_author", "quoted_text").row(0)
    ('nodebb/posts/2', 'nodebb/posts/1', 'ann', 'Cats are great pets.')
    """
    text = decode_html(html) if isinstance(html, bytes) else html
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"not readable as HTML ({exc})") from None
    engine = detect_engine(root)
    if engine is None:
        raise InputError(f"not a thread page of a known forum engine (expected one of: {known_engines()})")
    page = engine.extract(root)
    if not page.posts:
        raise InputError(f"looks like a {engine.label} page but shows no posts; expected a thread page")
    return page_to_parsed(page, default_thread=name)


def read_html_page(path: str | Path) -> Parsed:
    """Read a saved forum page from a file (see :func:`parse_html_page`).

    Raises
    ------
    InputError
        Naming the file, when it is not a readable thread page.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return parse_html_page(data, name=thread_id_from_path(path))
    except InputError as exc:
        raise InputError(exc.message, path=path) from None


def looks_like_html_page(path: Path, head: str) -> bool:
    """True when a file's first bytes are an HTML document.

    Examples
    --------
    >>> looks_like_html_page(Path("x"), "<!DOCTYPE html><html>"), looks_like_html_page(Path("x"), "<?xml ?><posts>")
    (True, False)
    """
    return bool(re.search(r"<!doctype\s+html|<html[\s>]", head[:4096], re.IGNORECASE))
