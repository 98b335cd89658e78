"""Saved HTML pages of forum threads (XenForo, vBulletin, phpBB, SMF, Invision, XMB, NodeBB).

The engine is told from the page itself (:mod:`sna.io.helpers.forum_pages`); quote
blocks are read from its markup (:mod:`sna.io.helpers.forum_quotes`) with the quoted
author and post id where given. Several pages of one thread are merged by
post id in :func:`sna.io.merge.merge_pages`.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from sna.errors import InputError
from sna.io.base import Parsed, thread_id_from_path
from sna.io.helpers.boundary import reading
from sna.io.helpers.forum_pages import ENGINES, detect_engine
from sna.io.helpers.forum_posts import page_to_parsed
from sna.io.helpers.html_text import parse_document
from sna.io.helpers.streams import decode_text, open_input, read_document

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Windows-1252 as browsers decode it: the five bytes it leaves undefined stand for the C1 controls.
_CP1252 = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}


def decode_html(data: bytes, *, source: str = "page") -> str:
    """Decode a saved page: UTF-8 when it is, else the charset its ``<meta>`` names.

    Pages that say ISO-8859-1 (or name no charset) are read as Windows-1252,
    as browsers do. Bytes that are not valid in the charset are an error
    naming the line (see :func:`sna.io.helpers.streams.decode_text`).

    Examples
    --------
    >>> decode_html('<meta charset="ISO-8859-1"><p>\\u201cx\\u201d</p>'.encode("cp1252"))[-10:]
    '<p>“x”</p>'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return decode_text(data, where=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _CHARSET.search(data[:4096])
    charset = match.group(1).decode("ascii").lower() if match else "cp1252"
    if charset in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "cp1252", "windows-1252"}:
        return data.decode("latin-1").translate(_CP1252)
    try:
        codecs.lookup(charset)
    except LookupError:
        return data.decode("latin-1").translate(_CP1252)
    return decode_text(data, where=source, encoding=charset)


def known_engines() -> str:
    """The engines whose pages can be read, for messages.

    Examples
    --------
    >>> known_engines().split(", ")[:2]
    ['XenForo 2', 'XenForo 1']
    """
    return ", ".join(engine.label for engine in ENGINES)


def parse_html_page(html: str | bytes, *, source: str = "page") -> Parsed:
    """Read one saved forum page.

    Parameters
    ----------
    html : str or bytes
        The page as saved by a browser (bytes are decoded as the page says).
    source : str
        Where it came from (the file): named in errors, and the thread id
        when the page names no thread.

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
    text = decode_html(html, source=source) if isinstance(html, bytes) else html
    text = _XML_DECLARATION.sub("", text, count=1)  # XHTML pages: lxml refuses a declaration in a str
    if not text.strip():
        raise InputError("empty file; expected a saved forum thread page", path=source)
    root = parse_document(text)
    engine = detect_engine(root)
    if engine is None:
        raise InputError(f"not a thread page of a known forum engine (expected one of: {known_engines()})",
                         path=source)  # fmt: skip
    page = engine.extract(root)
    if not page.posts:
        raise InputError(f"looks like a {engine.label} page but shows no posts; expected a thread page", path=source)
    return page_to_parsed(page, default_thread=thread_id_from_path(source))


@reading("a saved forum thread page (HTML)")
def read_html_page(path: str | Path) -> Parsed:
    """Read a saved forum page from a file (see :func:`parse_html_page`).

    Raises
    ------
    InputError
        Naming the file, when it is not a readable thread page.
    """
    with open_input(path, ahead=True) as stream:
        data = read_document(stream, where=path)
    return parse_html_page(data, source=str(path))


def looks_like_html_page(path: Path, head: str) -> bool:
    """True when a file's first bytes are an HTML document.

    Examples
    --------
    >>> looks_like_html_page(Path("x"), "<!DOCTYPE html><html>"), looks_like_html_page(Path("x"), "<?xml ?><posts>")
    (True, False)
    """
    return bool(re.search(r"<!doctype\s+html|<html[\s>]", head[:4096], re.IGNORECASE))
