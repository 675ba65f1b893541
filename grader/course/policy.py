"""The course's rules outside the tests: ``course.toml`` (read with tomllib).

```toml
timezone = "Europe/Berlin"          # for times written without an offset (default UTC): due
                                    # dates here, submission times in collect.csv

[late]
percent_per_day = 10                # of the earned score, per started day late
max_percent = 100
grace_minutes = 15
marked_late_days = 1                # days counted when the LMS only says "late" (Canvas's zip)

[limits]                            # grading limits (seconds)
call_seconds = 10
student_seconds = 600

[topics.regularization]
due = 2026-03-01T23:59:00+01:00
points = 10                         # the LMS assignment's points; scores are scaled to them
title = "Regularization (4711)"     # the LMS's assignment, Canvas's "Title (id)"

[extensions."1234567"]              # a student id (the SUBMISSIONS folder)
days = 3                            # every topic's due date moves by 3 days
regularization = 2026-03-09T23:59:00+01:00   # or one topic's new due date
```
"""
from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

COURSE_FILE = "course.toml"
DAY = dt.timedelta(days=1)


class PolicyError(Exception):
    """course.toml is unreadable or says something impossible; the message says where."""


@dataclass(frozen=True)
class SubmissionTime:
    """When a file was handed in (None if the platform does not say) and whether the platform
    itself marked it late (None if it does not say)."""
    submitted_at: dt.datetime | None = None
    late: bool | None = None


@dataclass(frozen=True)
class LateRule:
    percent_per_day: float = 0.0
    max_percent: float = 100.0
    grace: dt.timedelta = dt.timedelta(0)
    marked_late_days: int = 1


@dataclass(frozen=True)
class TopicPolicy:
    due: dt.datetime | None = None
    points: float | None = None
    title: str | None = None


@dataclass(frozen=True)
class Extension:
    days: float = 0.0
    due: dict[str, dt.datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Penalty:
    """A topic's score after the late rule: ``percent`` of ``raw`` is taken off."""
    raw: float
    days_late: int
    percent: float

    @property
    def points(self) -> float:
        return self.raw * self.percent / 100

    @property
    def final(self) -> float:
        return self.raw - self.points


@dataclass(frozen=True)
class Policy:
    late: LateRule = LateRule()
    topics: dict[str, TopicPolicy] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    call_seconds: float | None = None
    student_seconds: float | None = None
    zone: dt.tzinfo = dt.timezone.utc  # the course's timezone, for times without an offset

    def topic(self, name: str) -> TopicPolicy:
        return self.topics.get(name, TopicPolicy())

    def due(self, topic: str, student: str) -> dt.datetime | None:
        """The student's due date for the topic, extensions included."""
        base = self.topic(topic).due
        extension = self.extensions.get(student)
        if extension is None:
            return base
        if topic in extension.due:
            return extension.due[topic]
        return None if base is None else base + extension.days * DAY

    def days_late(self, topic: str, student: str, when: SubmissionTime) -> int:
        """Started days after the due date (and the grace period); 0 when on time or unknown.
        Without a time, a file the LMS marked late counts ``marked_late_days``, unless the
        student has an extension (the LMS does not know of ours)."""
        due = self.due(topic, student)
        if when.submitted_at is not None and due is not None:
            submitted = when.submitted_at
            if submitted.tzinfo is None:  # a platform's time without offset: the course's zone
                submitted = submitted.replace(tzinfo=self.zone)
            over = submitted - due - self.late.grace
            return max(0, math.ceil(over / DAY))
        if when.late and student not in self.extensions:
            return self.late.marked_late_days
        return 0

    def penalty(self, topic: str, student: str, raw: float, when: SubmissionTime) -> Penalty:
        days = self.days_late(topic, student, when)
        percent = min(self.late.max_percent, days * self.late.percent_per_day)
        return Penalty(raw, days, percent)


def parse_time(text: str, zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """An ISO 8601 time ("2026-03-01T23:59:00+01:00", "2026-03-01 23:59:00 -0800"); a time
    without an offset is in ``zone``, or stays naive without one (the policy gives it the
    course's zone). None for an empty or unreadable text."""
    text = text.strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        # Gradescope writes "2026-03-01 12:00:00.123456789 -0800": nanoseconds and a spaced offset.
        date, _, rest = text.partition(" ")
        clock, _, offset = rest.partition(" ")
        if "." in clock:
            clock = clock.split(".")[0] + "." + clock.split(".")[1][:6]
        try:
            value = dt.datetime.fromisoformat(f"{date}T{clock}{offset}")
        except ValueError:
            return None
    return value if value.tzinfo or zone is None else value.replace(tzinfo=zone)


def _time(value: object, zone: dt.tzinfo, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59), zone)  # a date: the end of it
    if isinstance(value, str) and parse_time(value, zone) is not None:
        return parse_time(value, zone)
    raise PolicyError(f"{where}: {value!r} is not a date and time")


def _number(table: dict, key: str, where: str, default: float | None) -> float | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"{where}.{key}: expected a number >= 0, got {value!r}")
    return float(value)


def read_policy(path: Path) -> Policy:
    """The policy in ``path``; a missing file is the empty policy (no late penalty)."""
    if not path.is_file():
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: {error}") from None
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise PolicyError(f"{path}: unknown timezone {data.get('timezone')!r}") from None
    late = data.get("late", {})
    rule = LateRule(_number(late, "percent_per_day", "late", 0.0), _number(late, "max_percent", "late", 100.0),
                    dt.timedelta(minutes=_number(late, "grace_minutes", "late", 0.0)),
                    int(_number(late, "marked_late_days", "late", 1.0)))
    topics = {}
    for name, table in data.get("topics", {}).items():
        where = f"topics.{name}"
        title = table.get("title")
        if title is not None and not isinstance(title, str):
            raise PolicyError(f"{where}.title: expected text")
        topics[name] = TopicPolicy(_time(table["due"], zone, f"{where}.due") if "due" in table else None,
                                   _number(table, "points", where, None), title)
    extensions = {}
    for student, table in data.get("extensions", {}).items():
        where = f"extensions.{student}"
        extensions[str(student)] = Extension(
            _number(table, "days", where, 0.0),
            {topic: _time(value, zone, f"{where}.{topic}") for topic, value in table.items() if topic != "days"})
    limits = data.get("limits", {})
    return Policy(rule, topics, extensions, _number(limits, "call_seconds", "limits", None),
                  _number(limits, "student_seconds", "limits", None), zone)
