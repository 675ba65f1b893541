"""Canvas's "Download Submissions" zip: one flat file per upload,
``<sortable name>_[late_]<user id>_<attachment id>_<original file name>``.

The identity is the Canvas user id (the gradebook's ``ID`` column); ``late`` (any case) is
recorded; ``-1``, ``-2`` before the extension mark re-uploads (the layout keeps the highest).
With anonymous grading the name part is missing. Text and URL entries
(``..._text.html``, ``..._link.html``) match no topic and are listed as such.

The sortable name is the student's own (Canvas keeps its underscores and digits), so a name
such as ``mallory_1001_99999999`` makes the file name readable as another user's: a name that
reads as more than one user id is refused and listed, never given to either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry

_TAIL = re.compile(r"(?:(?P<late>late)_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<original>.+)",
                   re.IGNORECASE | re.DOTALL)
# Anonymous grading: "123_456_file.py" or "late_123_456_file.py" has no name part.
_ANONYMOUS = re.compile(r"\d+_|late_\d+_\d+_", re.IGNORECASE)
AMBIGUOUS = "the files whose names read as more than one Canvas user id"


@dataclass(frozen=True)
class CanvasName:
    name: str
    late: bool
    user: str
    attachment: int
    original: str


def readings(text: str) -> list[CanvasName]:
    """Every way ``text`` reads as a Canvas file name, the leftmost user id first."""
    starts = [0] if _ANONYMOUS.match(text) else \
        [m.end() for m in re.finditer("_", text) if m.start() > 0 and not text.startswith("_")]
    found = []
    for start in starts:
        match = _TAIL.fullmatch(text, start)
        if match:
            found.append(CanvasName(text[:max(start - 1, 0)], match["late"] is not None, match["user"],
                                    int(match["attachment"]), match["original"]))
    return found


def submission_key(parts: tuple[str, ...]) -> str | None:
    """The Canvas user a path of the download belongs to (its budget), for ``Download``."""
    users = {reading.user for reading in readings(parts[0])} if parts else set()
    if len(users) > 1:
        return AMBIGUOUS  # one budget for them all: they are refused anyway
    return f"the submission of Canvas user {users.pop()}" if users else None


def read_canvas(entries: list[Entry]) -> Collection:
    collection = Collection()
    seen: dict[str, Person] = {}
    for entry in entries:
        found = readings(entry.parts[0])
        users = sorted({reading.user for reading in found})
        if len(users) != 1:
            why = entry.problem or (
                f"its name reads as more than one Canvas user id ({', '.join(users)}): refused"
                if users else "its name is not Canvas's <name>_<user id>_<attachment id>_<file>")
            collection.unattributed.append((entry.path, why))
            continue
        reading = found[0]
        person = seen.setdefault(reading.user, Person(reading.user, reading.name))
        inside = len(entry.parts) > 1  # a file inside the student's uploaded zip
        original = entry.name if inside else reading.original
        collection.handed.append(Handed(person, entry, original, 0, late=reading.late,
                                        order=(reading.attachment,)))
    collection.people = list(seen.values())
    return collection
