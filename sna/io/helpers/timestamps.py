"""Unix times of any unit, and the one rule for times that cannot be a post's date.

Sources store times as Unix seconds (Reddit's ``created_utc``, ConvoKit's
``timestamp``, IAC), some as milliseconds, and broken or hostile files hold
values that are huge, infinite or not numbers at all. :func:`unix_time`
reads them all the same way:

* the unit is told by size: ``|t| < 1e11`` is seconds (up to the year 5138),
  below ``1e14`` milliseconds, below ``1e17`` microseconds, below ``1e20``
  nanoseconds (a millisecond time before March 1973 would be read as seconds,
  far in the future, and so is the one ambiguous case);
* a value that is not a finite number, that is ``1e20`` or more, or that
  falls outside the years 1–9999 (what a date can hold) is read as missing
  (null), never an error: one bad time does not make a whole dump unreadable.

:data:`UNIT_LIMITS` is the same rule for vectorised readers (tables).
"""

from __future__ import annotations

import datetime as dt
import math

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: (upper bound of |t|, divisor to seconds): seconds, milliseconds, microseconds, nanoseconds.
UNIT_LIMITS: tuple[tuple[float, int], ...] = ((1e11, 1), (1e14, 10**3), (1e17, 10**6), (1e20, 10**9))


def unix_time(value: object) -> dt.datetime | None:
    """A Unix time (seconds, milliseconds, microseconds or nanoseconds) as a UTC datetime, or None.

    Numbers and strings holding numbers are read; booleans, other strings,
    non-finite values and times outside the years 1–9999 give None.

    Examples
    --------
    >>> unix_time(1500000000).isoformat(), unix_time("1500000000123").isoformat()
    ('2017-07-14T02:40:00+00:00', '2017-07-14T02:40:00.123000+00:00')
    >>> unix_time(1.5e18).isoformat()
    '2017-07-14T02:40:00+00:00'
    >>> [unix_time(v) for v in (float("inf"), float("nan"), 10**30, -9e10, True, "soon", None)]
    [None, None, None, None, None, None, None]
    """
    kind = type(value)
    number: int | float
    if kind is float or kind is int:
        number = value  # type: ignore[assignment]
    elif kind is str:
        try:
            number = float(value)  # type: ignore[arg-type]
        except ValueError:
            return None
    else:
        return None
    if kind is not int and not math.isfinite(number):
        return None
    size = abs(number)
    if size < UNIT_LIMITS[0][0]:  # seconds, the common case: the C conversion
        try:
            return dt.datetime.fromtimestamp(number, dt.UTC)
        except (OverflowError, OSError, ValueError):  # before year 1 or after 9999
            return None
    for limit, divisor in UNIT_LIMITS:
        if size < limit:
            micros = number * 10**6 // divisor if isinstance(number, int) else round(number * 10**6 / divisor)
            try:
                return EPOCH + dt.timedelta(microseconds=micros)
            except OverflowError:  # before year 1 or after 9999
                return None
    return None
