"""Usenet and e-mail quoting in plain text: ``>`` lines and the "X wrote:" line that names them.

Forums bridged from mailing lists and newsgroups, and people who learnt to
quote there, mark quoted lines with ``>`` (``>>`` for a quote inside the
quote) and put an attribution line above them::

    "malik641" <malik641@example.com> wrote in message
    news:malik641.1vqgna@excelforum-nospam.com...
    > I have a defined name that holds the names of each worksheet.

    On Sat, Sep 3, 2005 at 4:05 PM, Bruno Campanini <bruno@example.com> wrote:
    > Do you mean a Collection of worksheets?

    Biff wrote:
    > Try this:

:func:`split_usenet_quotes` finds each run of ``>`` lines, the attribution
above it (one to three lines, maybe a blank line between), and gives one
:class:`~sna.io.helpers.markup.MarkedQuote` per run: the named author (or
none), the run's first-level words (deeper ``>>`` lines are the quoted post's
own quotes, dropped as forums drop nested quotes) and the span of the
attribution and the run. An attribution also names the runs that follow it
in the same post (replies interleaved with the quoted text) until another
attribution. A run holding only deeper lines gives no quote but is removed
too. A ``-- `` line in a run starts the quoted post's signature, which is
not quoted words. Not quotes: lines whose ``>`` starts an arrow or a face (``>_<``,
``>.<``, ``>:(``), Reddit spoilers (``>!``) and runs of ``>>>`` prompts
(a Python session pasted as text).

:func:`quote_runs` is the run finder itself, shared with the Markdown reader
(:mod:`sna.io.helpers.markdown_quotes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sna.io.helpers.markup import MarkedQuote
from sna.text import remove_spans

#: A quote line: up to three spaces, ">", then not an arrow, face or spoiler.
QUOTE_LINE = re.compile(r"^ {0,3}>(?![.<_)(=:;!~^|\-])")
_LEVELS = re.compile(r"^((?: {0,3}>)+)")
_PROMPT = re.compile(r"^ {0,3}>>>(?: |$)")
_WORD = re.compile(r"[^\W_]+")
_SAID_WORDS = (
    r"wrote|writes|said|says|schrieb|a écrit|escribió|scrisse|ha scritto|schreef|napisał\(a\)|napisał|napisała|"
    r"napsal\(a\)|napsal|написал\(а\)|написал|написала|пишет"
)
_ATTRIBUTION = [
    # Outlook Express: "NAME" <addr> wrote in message news:ID...
    re.compile(r"^(?P<who>.+?)\s+wrote\s+in\s+message\s*(?:news:.*)?$", re.IGNORECASE),
    # Mail clients: On DATE, NAME <addr> wrote:
    re.compile(rf"^On\s+(?P<when>.+?)\s+(?:{_SAID_WORDS})\s*:\s*$", re.IGNORECASE),
    # Newsreaders: In article <ID>, NAME <addr> wrote:
    re.compile(
        rf"^In\s+(?:article|message|news:)\s*(?:<[^>]*>)?,?\s+(?P<who>.+?)\s+(?:{_SAID_WORDS})\s*:\s*$", re.IGNORECASE
    ),
    # NAME wrote: / NAME <addr> writes:
    re.compile(rf"^(?P<who>[^:\n<>]{{1,100}}?)\s+(?:{_SAID_WORDS})\s*:\s*$", re.IGNORECASE),
]
_ADDRESS = re.compile(r"<[^<>]*>|\([^()]*@[^()]*\)|\[email\s+protected\]")
_TIME_OR_DATE = re.compile(
    r"^.*(?:\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:[A-Z]{2,5}|[+-]\d{4}))?|\b\d{4}\b|\d+/\d+/\d+)"
)
_NOT_NAMES = {"you", "he", "she", "they", "someone", "somebody", "who", "it", "i", "we", "op", "anonymous"}


@dataclass(frozen=True)
class QuoteRun:
    """A run of consecutive quote lines.

    Attributes
    ----------
    first, last : int
        Indices of its first and last line.
    words : str
        Its first-level lines without the marker, deeper ones dropped.
    levels : tuple of (int, str)
        Each line's quote depth and text without the markers.
    """

    first: int
    last: int
    words: str
    levels: tuple[tuple[int, str], ...] = ()


def quote_runs(
    lines: list[str], *, quote_line: re.Pattern[str] = QUOTE_LINE, strip: Callable[[str], tuple[int, str]] | None = None
) -> list[QuoteRun]:
    """Find runs of quote lines and their first-level words.

    Parameters
    ----------
    lines : list of str
        A text's lines.
    quote_line : compiled pattern
        What starts a quote line.
    strip : callable, optional
        ``strip(line)`` gives the line's quote depth and its text without the
        markers; by default ``>`` markers (spaces allowed between them).

    Examples
    --------
    >>> runs = quote_runs(["Hi", "> a", ">> b", "> c", "", "me"])
    >>> [(r.first, r.last, r.words) for r in runs]
    [(1, 3, 'a\\nc')]
    """
    strip = strip or _strip
    runs: list[QuoteRun] = []
    i = 0
    while i < len(lines):
        if not quote_line.match(lines[i]):
            i += 1
            continue
        first = i
        levels: list[tuple[int, str]] = []
        while i < len(lines) and quote_line.match(lines[i]):
            levels.append(strip(lines[i]))
            i += 1
        words = "\n".join(body for depth, body in levels if depth == 1).strip()
        runs.append(QuoteRun(first, i - 1, words, tuple(levels)))
    return runs


def _strip(line: str) -> tuple[int, str]:
    """Quote depth of a ``>`` line and its text.

    Examples
    --------
    >>> _strip("> > deep"), _strip(">plain"), _strip(">")
    ((2, 'deep'), (1, 'plain'), (1, ''))
    """
    markers = _LEVELS.match(line)
    if not markers:
        return 0, line
    body = line[markers.end() :]
    return markers.group(1).count(">"), body[1:] if body.startswith(" ") else body


def attribution_name(text: str) -> tuple[bool, str | None]:
    """Tell whether ``text`` is an attribution line and whom it names.

    Returns
    -------
    is_attribution : bool
    name : str or None
        The quoted person, None when the line names no one usable ("You
        wrote:").

    Examples
    --------
    >>> attribution_name('"malik641" <[email protected]> wrote in message news:malik641.1vq@excelforum.com...')
    (True, 'malik641')
    >>> attribution_name("On Sat, Sep 3, 2005 at 4:05 PM, Bruno Campanini <bruno@example.com> wrote:")
    (True, 'Bruno Campanini')
    >>> attribution_name("Biff Wrote:"), attribution_name("You wrote:"), attribution_name("I wrote this code:")
    ((True, 'Biff'), (True, None), (False, None))
    """
    text = " ".join(_ADDRESS.sub(" ", text).split())
    for number, pattern in enumerate(_ATTRIBUTION):
        match = pattern.match(text)
        if not match:
            continue
        if number == 1:  # "On DATE, NAME wrote:": the name follows the last date or time part
            who = _ADDRESS.sub(" ", match.group("when"))
            stamp = _TIME_OR_DATE.match(who)
            who = who[stamp.end() :] if stamp else who.rsplit(",", 1)[-1]
        else:
            who = match.group("who")
        name = _clean_name(who)
        if number == len(_ATTRIBUTION) - 1 and name is not None and len(name.split()) > 4:
            return False, None  # "I wrote this code:" and the like: a sentence, not a name
        return True, name
    return False, None


def _clean_name(who: str) -> str | None:
    name = _ADDRESS.sub(" ", who)
    name = " ".join(name.split()).strip(" ,;:-").strip("\"'“”‘’ ").lstrip("@").strip()
    if not name or len(name) > 60 or name.lower() in _NOT_NAMES or not _WORD.search(name):
        return None
    return name


def _attribution_above(lines: list[str], first: int, floor: int) -> tuple[int, str | None] | None:
    """``(first line, name)`` of an attribution ending just above line ``first`` (not above ``floor``)."""
    end = first - 1
    if end >= floor and not lines[end].strip():  # one blank line may separate it from the quote
        end -= 1
    for size in (1, 2, 3):
        start = end - size + 1
        if start < floor or any(not lines[k].strip() or QUOTE_LINE.match(lines[k]) for k in range(start, end + 1)):
            break
        found, name = attribution_name(" ".join(lines[start : end + 1]))
        if found:
            return start, name
    return None


def split_usenet_quotes(text: str) -> tuple[str, list[MarkedQuote]]:
    """Find Usenet-style quotes; return the text without them and the quotes (spans into ``text``).

    Examples
    --------
    >>> post = ('"malik641" <[email protected]> wrote in\\nmessage news:[email protected]...\\n'
    ...         "> I have a defined name.\\n>\\n> How do I sum A1?\\n\\nUse SUMPRODUCT.\\n\\n> Any other way?\\n\\nNo.")
    >>> own, quotes = split_usenet_quotes(post)
    >>> own
    'Use SUMPRODUCT.\\n\\nNo.'
    >>> [(q.author, q.text) for q in quotes]
    [('malik641', 'I have a defined name.\\n\\nHow do I sum A1?'), ('malik641', 'Any other way?')]
    >>> split_usenet_quotes("I think >_< is cute\\n>_> yes")[1]
    []
    """
    if ">" not in text:
        return text, []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    quotes: list[MarkedQuote] = []
    spans: list[tuple[int, int]] = []
    author: str | None = None
    floor = 0
    for run in quote_runs(lines):
        if all(_PROMPT.match(lines[k]) for k in range(run.first, run.last + 1)):
            continue  # an interactive session (">>> 1 + 1"), not a quote
        attribution = _attribution_above(lines, run.first, floor)
        start_line = run.first
        if attribution is not None:
            start_line, author = attribution
        start, end = offsets[start_line], min(offsets[run.last + 1], len(text))
        spans.append((start, end))
        floor = run.last + 1
        words = _first_level_words(run.levels)
        if _WORD.search(words):
            quotes.append(MarkedQuote(author, None, None, words, start, end))
    if not spans:
        return text, []
    return remove_spans(text, spans), quotes


def _first_level_words(levels: tuple[tuple[int, str], ...]) -> str:
    """A run's first-level text, without deeper lines and the attribution lines that introduce them.

    Examples
    --------
    >>> run = ["> Biff wrote:", ">> Try this.", "> It fails.", "> -- ", "> Ann, via the gateway"]
    >>> _first_level_words(tuple(_strip(line) for line in run))
    'It fails.'
    """
    kept = []
    for k, (depth, body) in enumerate(levels):
        if depth == 1 and body.rstrip() == "--":  # "-- " starts the quoted post's signature: not its words
            break
        deeper_next = k + 1 < len(levels) and levels[k + 1][0] > 1
        if depth == 1 and not (deeper_next and attribution_name(body)[0]):
            kept.append(body)
    return "\n".join(kept).strip()
