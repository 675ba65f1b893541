"""Any other download, by a regular expression (nbgrader's zip_collect, generalised).

The pattern is matched against each file's path inside the download (``/``-separated) and
must have a named group ``student_id`` and ``topic`` or ``file`` (or ``file_id``, nbgrader's
name for it: a file name mapped to a topic as everywhere else). Optional groups: ``name``,
``email``, ``timestamp`` (ISO 8601, ``2016-01-30-20-30-10`` as in nbgrader's example, or
``2016-01-30 20:30:10``, see ``stamps``; the latest attempt wins), ``attempt`` (a number),
``late`` (any text: marked late).
``folders`` is the pattern ``(?P<student_id>[^/]+)/(?:[^/]+/)?(?P<file>[^/]+)``: one folder per
student, each file directly inside or one folder down.
"""
from __future__ import annotations

import re
from typing import Callable

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry
from grader.collect.stamps import parse_stamp

# nbgrader's zip_collect calls the file group file_id; both name the student's file name.
FILE_GROUPS = ("file", "file_id")
FOLDERS = r"(?P<student_id>[^/]+)/(?:[^/]+/)?(?P<file>[^/]+)"


class PatternError(Exception):
    pass


def compile_pattern(pattern: str) -> re.Pattern:
    try:
        compiled = re.compile(pattern, re.DOTALL)
    except re.error as error:
        raise PatternError(f"--pattern is not a regular expression: {error}") from None
    groups = set(compiled.groupindex)
    if "student_id" not in groups or not groups & {"topic", *FILE_GROUPS}:
        raise PatternError("--pattern needs named groups student_id and topic (or file, or "
                           "nbgrader's file_id)")
    return compiled


_ATTEMPT = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²" is a digit to str.isdigit, not to int


def submission_key(pattern: str) -> Callable[[tuple[str, ...]], str | None]:
    """The student a path of the download belongs to (its budget), for ``Download``: the
    pattern's ``student_id`` when the path, as far as it goes, matches."""
    compiled = compile_pattern(pattern)

    def key(parts: tuple[str, ...]) -> str | None:
        match = compiled.fullmatch("/".join(parts))
        return f"the submission of {match['student_id']}" if match and match["student_id"] else None
    return key


def read_regex(entries: list[Entry], pattern: str) -> Collection:
    compiled = compile_pattern(pattern)
    collection = Collection()
    people: dict[str, Person] = {}
    for entry in entries:
        match = compiled.fullmatch(entry.path)
        if match is None or not match["student_id"]:
            collection.unattributed.append((entry.path, entry.problem or "it does not match the pattern"))
            continue
        groups = match.groupdict()
        student = groups["student_id"]
        person = people.setdefault(student, Person(student, groups.get("name") or "",
                                                   groups.get("email") or ""))
        if groups.get("topic"):
            extension = entry.name.rpartition(".")[2] if "." in entry.name else ""
            original = f"{groups['topic']}.{extension}"
        else:
            original = groups.get("file") or groups.get("file_id") or ""
        attempt = int(groups["attempt"]) if _ATTEMPT.fullmatch(groups.get("attempt") or "") else 0
        stamp = (groups.get("timestamp") or "").strip()
        when = parse_stamp(stamp)
        collection.handed.append(Handed(person, entry, original, len(entry.parts) - 1,
                                        late=True if groups.get("late") else None,
                                        submitted_at=when.isoformat() if when else "",
                                        attempt=attempt, unread_time=stamp if when is None else ""))
    collection.people = list(people.values())
    return collection
