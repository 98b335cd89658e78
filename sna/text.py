"""Plain-text helpers shared by readers and extraction: tidying and cutting spans.

Kept apart from :mod:`sna.io` so that quote recovery (:mod:`sna.quotes`) and
edge extraction (:mod:`sna.edges`) depend on no reader.
"""

from __future__ import annotations

import re

#: A run of two or more blank lines, and the characters trimmed from a text's ends (see :func:`tidy`).
BLANK_LINES = r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+\n"
EDGE_SPACE = " \t\n\u00a0"
_BLANK_LINES = re.compile(BLANK_LINES)


def tidy(text: str) -> str:
    """Trim blank lines at both ends and squeeze runs of blank lines to one.

    Examples
    --------
    >>> tidy("\\n\\na\\n\\n\\n\\nb\\n "), tidy(" a\\n\\n \\n")
    ('a\\n\\nb', 'a')
    """
    if text.count("\n") < 3:  # a run of blank lines has three newlines: nothing to squeeze
        return text.strip(EDGE_SPACE)
    return _BLANK_LINES.sub("\n\n", text).strip(EDGE_SPACE)


def remove_spans(text: str, spans: list[tuple[int, int]], replacements: list[str] | None = None) -> str:
    """Cut character spans out of ``text`` (or put ``replacements`` in their place) and tidy.

    Examples
    --------
    >>> remove_spans("ab[q]cd[/q]ef", [(2, 11)])
    'ab\\nef'
    >>> remove_spans("ab[q]cd[/q]ef", [(2, 11)], ["cd"])
    'ab\\ncd\\nef'
    """
    if not spans:  # what the loops below make of no spans: the text itself, tidied
        return tidy(text)
    parts: list[str] = []
    cursor = 0
    for i, (start, end) in enumerate(sorted(spans)):
        parts.append(text[cursor:start])
        if replacements is not None and replacements[i]:
            parts.append(replacements[i])
        cursor = max(cursor, end)
    parts.append(text[cursor:])
    joined = ""
    for part in parts:
        if joined and part and not joined.endswith("\n") and not part.startswith("\n"):
            joined += "\n"
        elif joined.endswith("\n") and part.startswith("\n"):
            part = part[1:]
        joined += part
    return tidy(joined)
