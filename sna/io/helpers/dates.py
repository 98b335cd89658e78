"""Dates as forums print them: ISO stamps, Unix times and localised text.

Forum pages and scrapers give dates in the forum's language and layout
("Jun 30, 2024 at 5:15 AM", "czwartek, 28 lutego 2008, 21:42",
"16.06.17 в 14:51", "9-17-2017 at 02:07 AM"). :func:`parse_dates` reads a
thread's dates together so that an ambiguous numeric layout (is 05-06 the
5th of June or May 6th?) is settled by the thread: a day above 12 anywhere,
else the order under which the posts run forward in time. Times without a
zone are taken in ``offset`` minutes east of UTC (0 unless the page says);
relative dates ("Today, 10:15") are left null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from itertools import pairwise

from sna.io.helpers.timestamps import unix_time

UTC = dt.UTC

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_UNIX = re.compile(r"^\s*(\d{9,10}|\d{12,13})\s*$")
_TIME = re.compile(r"(?<![\d.])(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\b\.?)?", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{2,4})(?!\d)")
_ZONE = re.compile(r"\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.IGNORECASE)
_RELATIVE = re.compile(
    r"\b(today|yesterday|ago|dzisiaj|dziś|wczoraj|temu|сегодня|вчера|назад|aujourd|hier|heute|gestern|hoy|ayer|"
    r"oggi|ieri|dnes|včera|vandaag|gisteren)",
    re.IGNORECASE,
)

# Month name stems in the languages forums in the sample data use (and a few more);
# the longest stem that a word starts with wins ("czerwiec" June, "czerwca" June, "lipca" July).
_MONTH_STEMS: dict[str, int] = {
    # English, German, Dutch, French, Spanish, Italian, Portuguese (shared stems once)
    "jan": 1, "ene": 1, "gen": 1, "janv": 1, "jän": 1,
    "feb": 2, "fév": 2, "fev": 2, "févr": 2,
    "mar": 3, "mär": 3, "maa": 3, "mrt": 3,
    "apr": 4, "avr": 4, "abr": 4,
    "may": 5, "mai": 5, "mag": 5, "mei": 5,
    "jun": 6, "juin": 6, "giu": 6,
    "jul": 7, "juil": 7, "lug": 7,
    "aug": 8, "août": 8, "aou": 8, "ago": 8,
    "sep": 9, "set": 9,
    "oct": 10, "okt": 10, "ott": 10, "out": 10,
    "nov": 11,
    "dec": 12, "dez": 12, "déc": 12, "dic": 12,
    # Polish
    "sty": 1, "lut": 2, "marz": 3, "kwi": 4, "maj": 5, "czerw": 6, "lip": 7, "sierp": 8, "wrz": 9,
    "paź": 10, "paz": 10, "lis": 11, "gru": 12,
    # Czech
    "led": 1, "úno": 2, "uno": 2, "břez": 3, "brez": 3, "dub": 4, "květ": 5, "kvet": 5, "červen": 6,
    "červenec": 7, "července": 7, "cerven": 6, "cervenec": 7, "srp": 8, "září": 9, "zari": 9, "říj": 10,
    "rij": 10, "listopad": 11, "pros": 12,
    # Russian and Ukrainian
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "ма": 5, "июн": 6, "июл": 7, "авг": 8, "сен": 9, "окт": 10,
    "ноя": 11, "дек": 12, "січ": 1, "лют": 2, "бер": 3, "квіт": 4, "трав": 5, "черв": 6, "лип": 7,
    "серп": 8, "вер": 9, "жовт": 10, "лист": 11, "груд": 12,
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LONGEST = 200


def _month(word: str) -> int | None:
    """Month number of a month name in one of the known languages.

    Examples
    --------
    >>> _month("lutego"), _month("Kwiecień"), _month("Sierpnia"), _month("Avr"), _month("июня")
    (2, 4, 8, 4, 6)
    >>> _month("at") is None
    True
    """
    word = word.lower().rstrip(".")
    best, best_len = None, 0
    for stem, number in _MONTH_STEMS.items():
        if len(stem) > best_len and word.startswith(stem) and (len(word) <= 12):
            best, best_len = number, len(stem)
    if best_len < 2 or (best_len == 2 and not word.startswith("ма")):
        return None
    return best


def _year(value: int) -> int:
    return value + (2000 if value < 70 else 1900) if value < 100 else value


def _clock(text: str) -> tuple[tuple[int, int, int] | None, str]:
    match = _TIME.search(text)
    if not match:
        return None, text
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    half = (match.group(4) or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    rest = text[: match.start()] + " " + text[match.end() :]
    return (hour, minute, second), rest


def _numeric_parts(text: str) -> tuple[int, int, int, str] | None:
    """The three numbers of a numeric date and its separator, or None."""
    match = _NUMERIC.search(text)
    if not match:
        return None
    return int(match.group(1)), int(match.group(3)), int(match.group(4)), match.group(2)


def _date_from_numbers(a: int, b: int, c: int, order: str) -> dt.date | None:
    if a > 31:  # year first: 2016-02-01
        year, month, day = a, b, c
    elif order == "MDY":
        month, day, year = a, b, _year(c)
    else:
        day, month, year = a, b, _year(c)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_from_words(text: str) -> dt.date | None:
    month = None
    for word in _WORD.findall(text):
        month = _month(word)
        if month:
            break
    if month is None:
        return None
    numbers = [int(n) for n in re.findall(r"(?<!\d)\d{1,4}(?!\d)", text)]
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if 1 <= n <= 31]
    if not years and len(days) >= 2:  # "Jun 5, 24": a two-digit year comes last
        years, days = [_year(days[-1])], days[:-1]
    if not years or not days:
        return None
    try:
        return dt.date(years[0], month, days[0])
    except ValueError:
        return None


def _iso(text: str) -> dt.datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    offset = 0
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = (int(digits[:2]) * 60 + int(digits[2:])) * (1 if zone[0] == "+" else -1)
    return _shift(value, offset)


def _shift(local: dt.datetime, offset: int) -> dt.datetime | None:
    """``local`` (``offset`` minutes east of UTC) in UTC; None when that falls outside the years 1–9999."""
    try:
        return (local - dt.timedelta(minutes=offset)).replace(tzinfo=UTC)
    except OverflowError:
        return None


def parse_datetime(text: str | None, *, order: str = "DMY", offset: int = 0) -> dt.datetime | None:
    """Read one forum date as a UTC datetime; None when it cannot be read.

    Parameters
    ----------
    text : str
        The date as shown or stored.
    order : {"DMY", "MDY"}
        How to read an ambiguous numeric date such as 05-06-2019.
    offset : int
        Minutes east of UTC in which a time without a zone is given.

    Examples
    --------
    >>> parse_datetime("2024-02-19T06:00:20+0100").isoformat()
    '2024-02-19T05:00:20+00:00'
    >>> parse_datetime("Jun 30, 2024 at 5:15 PM").isoformat()
    '2024-06-30T17:15:00+00:00'
    >>> parse_datetime("czwartek, 28 lutego 2008, 21:42", offset=60).isoformat()
    '2008-02-28T20:42:00+00:00'
    >>> parse_datetime("9-17-2017 at 02:07 AM", order="MDY").isoformat()
    '2017-09-17T02:07:00+00:00'
    >>> parse_datetime("Today, 10:15") is None
    True
    """
    if text is None:
        return None
    text = " ".join(str(text).split())
    if not text or len(text) > _LONGEST:  # no date as forums print it is this long
        return None
    if _ISO.match(text):  # an ISO stamp is read as one, or not at all (a year 0001 is no 2001)
        return _iso(text)
    unix = _UNIX.match(text)
    if unix:
        stamp = unix_time(unix.group(1))
        return None if stamp is None else stamp.replace(microsecond=0)
    if _RELATIVE.search(text):
        return None
    zone = _ZONE.search(text)
    if zone:
        offset = (int(zone.group(2)) * 60 + int(zone.group(3) or 0)) * (1 if zone.group(1) == "+" else -1)
        text = text[: zone.start()] + text[zone.end() :]
    clock, rest = _clock(text)
    parts = _numeric_parts(rest)
    day = _date_from_numbers(*parts[:3], order) if parts else _date_from_words(rest)
    if day is None:
        return None
    hour, minute, second = clock or (0, 0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return _shift(dt.datetime(day.year, day.month, day.day, hour, minute, second), offset)


def day_order(texts: Sequence[str | None]) -> str:
    """Tell whether a thread's numeric dates put the day or the month first.

    A first number above 12 means day first, a second number above 12 month
    first; otherwise the order under which more consecutive dates run forward
    wins, and on a tie a dot separator means day first, anything else month
    first.

    Examples
    --------
    >>> day_order(["9-17-2017 at 02:07 AM"]), day_order(["18-6-2018 at 05:39 PM"])
    ('MDY', 'DMY')
    >>> day_order(["01.02.2019", "03.02.2019"]), day_order(["01-02-2019", "01-03-2019"])
    ('DMY', 'MDY')
    """
    numeric = [parts for parts in (_numeric_parts(t) for t in texts if t) if parts and parts[0] <= 31]
    if not numeric:
        return "DMY"
    if any(a > 12 for a, _, _, _ in numeric):
        return "DMY"
    if any(b > 12 for _, b, _, _ in numeric):
        return "MDY"

    def forward(order: str) -> int:
        days = [_date_from_numbers(a, b, c, order) for a, b, c, _ in numeric]
        return sum(1 for x, y in pairwise(days) if x and y and x <= y)

    dmy, mdy = forward("DMY"), forward("MDY")
    if dmy != mdy:
        return "DMY" if dmy > mdy else "MDY"
    return "DMY" if numeric[0][3] == "." else "MDY"


def parse_dates(texts: Sequence[str | None], *, offset: int = 0) -> list[dt.datetime | None]:
    """Read a thread's dates together (see :func:`day_order`).

    Examples
    --------
    >>> [d.day for d in parse_dates(["05-06-2019, 10:00", "05-13-2019, 11:00"])]
    [6, 13]
    """
    order = day_order(texts)
    return [parse_datetime(text, order=order, offset=offset) for text in texts]
