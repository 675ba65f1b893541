"""Submission times written into file names (a regex download's ``timestamp`` group).

Which attempt a student handed in last is decided by these times, so the forms in real use
must read as times, not only ISO 8601: nbgrader's own example is ``2016-01-30-20-30-10``
(its ``zip_collect`` reads timestamps leniently), and exports write ``2016-01-30 20:30:10``.
A text that reads as none of them is None, and collect says which attempt it kept instead.
"""
from __future__ import annotations

import datetime as dt
import re

from grader.course.policy import parse_time

# Date, then hours and minutes (seconds, a fraction optional) separated by "T", " ", "_" or
# "-", the clock by ":" or "-"; an offset "Z", "UTC", "+01:00", "+0100", "-08" optional.
_STAMP = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[T _-]"
    r"(?P<hour>\d{2})[:-](?P<minute>\d{2})(?:[:-](?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"\s*(?P<offset>Z|UTC|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)


def _zone(offset: str | None) -> dt.tzinfo | None:
    if not offset:
        return None
    if offset.upper() in ("Z", "UTC"):
        return dt.timezone.utc
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return dt.timezone(dt.timedelta(minutes=minutes if offset[0] == "+" else -minutes))


def parse_stamp(text: str) -> dt.datetime | None:
    """``text`` as a time: ISO 8601, ``YYYY-MM-DD-HH-MM-SS`` or ``YYYY-MM-DD HH:MM:SS``, with an
    optional fraction and offset; naive without an offset (the course's zone applies later).
    None when it is none of them or not a real date (``2016-02-30``)."""
    text = text.strip()
    match = _STAMP.fullmatch(text)
    if match is None:
        return parse_time(text)
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    try:
        return dt.datetime(int(match["year"]), int(match["month"]), int(match["day"]),
                           int(match["hour"]), int(match["minute"]), int(match["second"] or 0),
                           int(fraction), tzinfo=_zone(match["offset"]))
    except ValueError:
        return None
