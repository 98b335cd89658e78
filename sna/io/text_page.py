"""Plain-text copies of forum pages (select all, copy, paste into a file).

Posts are separated by lines that hold only a no-break space (U+00A0, maybe
with spaces). The first post carries the page header: navigation ("What's
new"), the thread title, the author's name, rank and counters ("Joined",
"Messages", "Runs", "Post of the Week", …), which become columns. Page chrome
at the end ("Back", "Top") is dropped. A "Last edited by …:" line belongs to
the post above it. Quote markup that survives copying (BBCode, "X said: …
Click to expand...") is read; everything else is left to quote recovery.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from sna.errors import InputError
from sna.io.base import MARKED_SCHEMA, Parsed, finish_posts, thread_id_from_path
from sna.io.helpers.boundary import reading
from sna.io.helpers.encodings import encoding_or_default, option_hint
from sna.io.helpers.markup import split_marked_quotes
from sna.io.helpers.streams import decode_text, open_input, read_document
from sna.text import tidy

_SEPARATOR = re.compile(r"^[ \t]*\u00a0[\u00a0 \t]*$")
_EDITED = re.compile(
    r"^[ \t]*Last edited(?: by (?P<by>[^:;\n]+?))?[ \t]*(?:[:;][ \t]*(?P<when>[^\n]*?))?\.?[ \t]*$",
    re.IGNORECASE,
)
_NAVIGATION = {
    "what's new", "whats new", "what’s new", "home", "forums", "forum", "new posts",
    "search forums", "search", "log in", "login", "register", "menu", "latest activity",
    "members", "navigation", "install the app", "install",
}  # fmt: skip
_CHROME = {
    "back", "top", "reply", "share", "report", "quote", "like", "next", "prev", "previous",
    "first", "last", "go", "go to page", "bookmark", "you must log in or register to reply here.",
    "reply to thread", "post reply", "share this page", "share:", "up",
}  # fmt: skip
_NUMBER = re.compile(r"^[+-]?\d[\d,.\u202f ]*\s*[kKmM]?$")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
_LABEL = re.compile(r"^[A-Za-z][A-Za-z '’&/-]{0,38}$")


def _parse_date(value: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _parse_number(value: str) -> int | None:
    """Read a forum counter such as ``26,111`` or ``1.2k``.

    Examples
    --------
    >>> _parse_number("26,111"), _parse_number("1.2k"), _parse_number("3")
    (26111, 1200, 3)
    """
    value = value.strip().replace("\u202f", "").replace(" ", "")
    scale = 1
    if value[-1:] in "kK":
        scale, value = 1000, value[:-1]
    elif value[-1:] in "mM":
        scale, value = 1_000_000, value[:-1]
    if scale == 1:
        value = value.replace(",", "").replace(".", "")
        return int(value) if value.lstrip("+-").isdigit() else None
    try:
        return round(float(value.replace(",", ".")) * scale)
    except ValueError:
        return None


def _is_value(line: str) -> bool:
    return bool(_NUMBER.match(line.strip())) or _parse_date(line) is not None


def _is_label(line: str) -> bool:
    text = line.strip()
    return bool(_LABEL.match(text)) and len(text.split()) <= 5 and not _is_value(text)


def _snake(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _split_chunks(text: str) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if _SEPARATOR.match(line):
            chunks.append([])
        else:
            chunks[-1].append(line)
    return chunks


def _parse_header(lines: list[str]) -> tuple[dict[str, object], list[str]]:
    """Split the first chunk into header fields and body lines.

    Examples
    --------
    >>> fields, body = _parse_header(["What's new", "", "A title", "", "Ann", "",
    ...     "Member", "Joined", "Dec 25, 2012", "Messages", "1,024", "Hello all."])
    >>> fields["title"], fields["author"], fields["author_rank"], fields["author_messages"]
    ('A title', 'Ann', 'Member', 1024)
    >>> body
    ['Hello all.']
    """
    filled = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    k = 0
    navigation = False
    while k < len(filled) and filled[k][1].lower() in _NAVIGATION:
        navigation = True
        k += 1
    fields: dict[str, object] = {}
    # The first "label / value" pair within the next few lines starts the counters.
    first_counter = None
    for m in range(k, min(k + 8, len(filled) - 1)):
        if _is_label(filled[m][1]) and _is_value(filled[m + 1][1]):
            first_counter = m
            break
    if first_counter is None:
        if not navigation or k >= len(filled):
            return {}, lines
        fields["title"] = filled[k][1]
        return fields, lines[filled[k][0] + 1 :]
    before = [text for _, text in filled[k:first_counter]]
    if len(before) >= 3:
        fields["title"], fields["author"], fields["author_rank"] = before[-3], before[-2], before[-1]
    elif len(before) == 2 and navigation:
        fields["title"], fields["author"] = before
    elif len(before) == 2:
        fields["author"], fields["author_rank"] = before
    elif len(before) == 1:
        fields["author"] = before[0]
    m = first_counter
    while m + 1 < len(filled) and _is_label(filled[m][1]) and _is_value(filled[m + 1][1]):
        label, value = filled[m][1], filled[m + 1][1]
        parsed: object = _parse_date(value) if _parse_date(value) else _parse_number(value)
        fields["author_" + _snake(label)] = value if parsed is None else parsed
        m += 2
    body_start = filled[m - 1][0] + 1
    return fields, lines[body_start:]


def _strip_chrome(chunks: list[list[str]]) -> list[list[str]]:
    def is_chrome(line: str) -> bool:
        text = line.strip().lower()
        return not text or text in _CHROME or bool(re.fullmatch(r"\d+(?: of \d+)?", text))

    while chunks and all(is_chrome(line) for line in chunks[-1]):
        chunks.pop()
    if chunks:
        last = chunks[-1]
        while last and is_chrome(last[-1]):
            last.pop()
    return chunks


def parse_text_page(text: str, *, source: str = "thread") -> Parsed:
    """Parse a plain-text copy of a forum thread page.

    Parameters
    ----------
    text : str
        The copied page.
    source : str
        Where it came from (the file): named in errors, and the thread id is
        its name without extension.

    Returns
    -------
    Parsed
        One row per post, ``edited`` / ``edited_by`` columns, and header
        fields (``author_rank``, ``author_joined``, …) on the first post.

    Raises
    ------
    InputError
        When no post is found.

    Examples
    --------
    >>> page = ("What's new\\n\\nCats\\n\\nAnn\\n\\nMember\\nMessages\\n12\\nCats are best.\\n"
    ...         "\\u00a0\\nLast edited by a moderator:\\nNo they are not.\\n\\u00a0\\nBack\\nTop\\n")
    >>> posts = parse_text_page(page, source="cats.txt").posts
    >>> posts.select("post_id", "author", "title", "text", "edited").rows()
    [('cats#1', 'Ann', 'Cats', 'Cats are best.', True), ('cats#2', None, 'Cats', 'No they are not.', False)]
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chunks = _strip_chrome(_split_chunks(text))
    header: dict[str, object] = {}
    if chunks:
        header, chunks[0] = _parse_header(chunks[0])
    bodies: list[list[str]] = []
    edits: list[tuple[str | None, str | None] | None] = []
    for chunk in chunks:
        body: list[str] = []
        own_edit = None
        for line in chunk:
            edited = _EDITED.match(line)
            if not edited:
                body.append(line)
                continue
            info = (edited.group("by"), edited.group("when") or None)
            # The line belongs to the post above it: this one if it has text so far.
            if any(x.strip() for x in body) or not bodies:
                own_edit = info
            else:
                edits[-1] = info
        if any(x.strip() for x in body):
            bodies.append(body)
            edits.append(own_edit)
        elif own_edit and bodies:
            edits[-1] = own_edit
    if not bodies:
        raise InputError("no posts found: expected forum posts separated by no-break-space lines", path=source)
    return _build(bodies, edits, header, thread_id_from_path(source))


def _build(
    bodies: list[list[str]],
    edits: list[tuple[str | None, str | None] | None],
    header: dict[str, object],
    thread_id: str,
) -> Parsed:
    rows = []
    marked = []
    for position, (body, edit) in enumerate(zip(bodies, edits, strict=True), 1):
        edited, (by, when) = edit is not None, edit or (None, None)
        raw = tidy("\n".join(body))
        own, quotes = split_marked_quotes(raw)
        post_id = f"{thread_id}#{position}"
        for quote in quotes:
            marked.append(
                {"source": post_id, "target": quote.post, "target_author": quote.author,
                 "quoted_text": quote.text, "start": quote.start, "end": quote.end}
            )  # fmt: skip
        rows.append(
            {"post_id": post_id, "position": position, "text": own, "raw_text": raw,
             "edited": edited, "edited_by": by, "edited_at": when}
        )  # fmt: skip
    posts = pl.DataFrame(
        rows,
        schema={"post_id": pl.String, "position": pl.Int64, "text": pl.String,
                "raw_text": pl.String, "edited": pl.Boolean, "edited_by": pl.String,
                "edited_at": pl.String},
    )  # fmt: skip
    posts = posts.with_columns(thread_id=pl.lit(thread_id), title=pl.lit(header.get("title"), pl.String))
    if "author" in header and posts.height:
        posts = posts.with_columns(
            author=pl.when(pl.col("position") == 1).then(pl.lit(header["author"])).otherwise(None)
        )
    for key, value in header.items():
        if key.startswith("author_") and posts.height:
            posts = posts.with_columns(pl.when(pl.col("position") == 1).then(pl.lit(value)).otherwise(None).alias(key))
    return Parsed(finish_posts(posts, default_thread=thread_id), pl.DataFrame(marked, schema=MARKED_SCHEMA))


@reading("a plain-text copy of a forum page (posts separated by no-break-space lines)")
def read_text_page(path: str | Path, *, encoding: str | None = None) -> Parsed:
    """Read a plain-text copy of a forum page; see :func:`parse_text_page`.

    ``encoding`` is the file's text encoding (e.g. ``cp1252``); UTF-8 unless
    given. Bytes that do not decode are an :class:`InputError` naming the line and byte.
    """
    with open_input(path, ahead=True) as stream:
        data = read_document(stream, where=path)
    text = decode_text(data, where=path, encoding=encoding_or_default(encoding), hint=option_hint)
    return parse_text_page(text, source=str(path))
