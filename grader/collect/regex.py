"""Any other download, by a regular expression (nbgrader's zip_collect, generalised).

The pattern is matched against each file's path inside the download (``/``-separated) and
must have a named group ``student_id`` and ``topic`` or ``file`` (a file name mapped to a
topic as everywhere else). Optional groups: ``name``, ``email``, ``timestamp`` (ISO 8601;
the latest attempt wins), ``attempt`` (a number), ``late`` (any text: marked late).
``folders`` is the pattern ``(?P<student_id>[^/]+)/(?:[^/]+/)?(?P<file>[^/]+)``: one folder per
student, each file directly inside or one folder down.
"""
from __future__ import annotations

import re

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry
from grader.course.policy import parse_time

FOLDERS = r"(?P<student_id>[^/]+)/(?:[^/]+/)?(?P<file>[^/]+)"


class PatternError(Exception):
    pass


def compile_pattern(pattern: str) -> re.Pattern:
    try:
        compiled = re.compile(pattern, re.DOTALL)
    except re.error as error:
        raise PatternError(f"--pattern is not a regular expression: {error}") from None
    groups = set(compiled.groupindex)
    if "student_id" not in groups or not groups & {"topic", "file"}:
        raise PatternError("--pattern needs named groups student_id and topic (or file)")
    return compiled


def _iso(text: str) -> str:
    parsed = parse_time(text)
    return parsed.isoformat() if parsed else text


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
            original = groups["file"]
        attempt = int(groups["attempt"]) if (groups.get("attempt") or "").isdigit() else 0
        collection.handed.append(Handed(person, entry, original, len(entry.parts) - 1,
                                        late=True if groups.get("late") else None,
                                        submitted_at=_iso(groups.get("timestamp") or ""),
                                        attempt=attempt))
    collection.people = list(people.values())
    return collection
