"""Canvas's "Download Submissions" zip: one flat file per upload,
``<sortable name>_[late_]<user id>_<attachment id>_<original file name>``.

The identity is the Canvas user id (the gradebook's ``ID`` column); ``late`` (any case) is
recorded; ``-1``, ``-2`` before the extension mark re-uploads (the layout keeps the highest).
With anonymous grading the name part is missing. Text and URL entries
(``..._text.html``, ``..._link.html``) match no topic and are listed as such.

The sortable name is the student's own (Canvas keeps its underscores and digits), so a name
such as ``mallory_1001_99999999`` makes the file name readable as another user's, and so can
an honest original name (``hw_2024_03_01.zip``). A name that reads as more than one user id is
never given to a reading the download alone supports: only the roster (Canvas's gradebook
export) is evidence, since the student controls the whole file name. With ``--roster`` the one
reading whose user id is a row's ``ID`` and whose name part is that row's sortable name is
kept; a name that also reads as anonymous (no name part, which a name of digits imitates) is
kept only if exactly one reading's user id is in the roster. Otherwise it is refused and
listed, never given to either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from grader.collect.layout import Collection, Handed, Person, RosterRow
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
    """Every way ``text`` reads as a Canvas file name: the anonymous reading (no name part)
    first, then the leftmost user id first. A sortable name of digits (``1001``) reads as
    anonymous too, so the named readings are always tried as well."""
    starts = [0] if _ANONYMOUS.match(text) else []
    if not text.startswith("_"):
        starts += [m.end() for m in re.finditer("_", text) if m.start() > 0]
    found = []
    for start in starts:
        match = _TAIL.fullmatch(text, start)
        if match:
            found.append(CanvasName(text[:max(start - 1, 0)], match["late"] is not None, match["user"],
                                    int(match["attachment"]), match["original"]))
    return found


def sortable_name(student: str) -> str:
    """A gradebook ``Student`` cell ("Liddell, Alice") as Canvas writes it in file names
    ("liddellalice"): lower-cased, non-word characters removed."""
    return re.sub(r"\W", "", student.lower())


def roster_names(roster: list[RosterRow] | None) -> dict[str, str] | None:
    """Canvas user id (the roster's ``ID`` column) -> that student's sortable name; None without
    a roster, the only evidence of which reading of a file name is true."""
    if roster is None:
        return None
    return {row.value("id"): sortable_name(row.name) for row in roster if row.value("id")}


@dataclass(frozen=True)
class Reading:
    """What a file name says about its student: the reading kept, or why there is none."""
    name: CanvasName | None
    refusal: str = ""


def resolve(text: str, known: dict[str, str] | None) -> Reading:
    """The one reading of ``text`` to trust. A single user id is trusted as it reads (every
    reading names the same user); several are told apart only by the roster ``known``."""
    found = readings(text)
    users = sorted({reading.user for reading in found})
    if not users:
        return Reading(None, "its name is not Canvas's <name>_<user id>_<attachment id>_<file>")
    if len(users) == 1:
        return Reading(found[0])
    refused = f"its name reads as more than one Canvas user id ({', '.join(users)}): refused"
    if known is None:
        return Reading(None, f"{refused}; --roster (Canvas's gradebook export) tells which is "
                             "the student's, by its ID and Student columns")
    if _ANONYMOUS.match(text):  # no name to compare: the user id alone, in exactly one reading
        supported = [reading for reading in found if reading.user in known]
        test = "whose user id is in the roster"
    else:
        supported = [reading for reading in found if known.get(reading.user) == reading.name]
        test = "whose user id and sortable name are one roster row's"
    if len({reading.user for reading in supported}) == 1:
        return Reading(supported[0])
    count = "no reading" if not supported else "more than one reading"
    return Reading(None, f"{refused}; {count} {test}")


def submission_key(known: dict[str, str] | None) -> Callable[[tuple[str, ...]], str | None]:
    """How ``Download`` tells the Canvas user a path of the download belongs to (its budget)."""
    def key(parts: tuple[str, ...]) -> str | None:
        if not parts or not readings(parts[0]):
            return None
        reading = resolve(parts[0], known).name
        # One budget for every refused name: they are not collected anyway.
        return f"the submission of Canvas user {reading.user}" if reading else AMBIGUOUS
    return key


def read_canvas(entries: list[Entry], known: dict[str, str] | None = None) -> Collection:
    """``known``: ``roster_names`` of the ``--roster``, if one is given."""
    collection = Collection()
    seen: dict[str, Person] = {}
    for entry in entries:
        resolved = resolve(entry.parts[0], known)
        reading = resolved.name
        if reading is None:
            collection.unattributed.append((entry.path, entry.problem or resolved.refusal))
            continue
        person = seen.setdefault(reading.user, Person(reading.user, reading.name))
        inside = len(entry.parts) > 1  # a file inside the student's uploaded zip
        original = entry.name if inside else reading.original
        collection.handed.append(Handed(person, entry, original, 0, late=reading.late,
                                        order=(reading.attachment,)))
    collection.people = list(seen.values())
    return collection
