"""Canvas's "Download Submissions" zip: one flat file per upload,
``<sortable name>_[late_]<user id>_<attachment id>_<original file name>``.

The identity is the Canvas user id (the gradebook's ``ID`` column); ``late`` (any case) is
recorded; ``-1``, ``-2`` before the extension mark re-uploads (the layout keeps the highest).
With anonymous grading the name part is missing. Text and URL entries
(``..._text.html``, ``..._link.html``) match no topic and are listed as such.
"""
from __future__ import annotations

import re

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry

# The sortable name is optional (anonymous grading): an anonymous "123_456_file.py" or
# "late_123_456_file.py" is not read as the name "123" or "late".
_NAME = re.compile(r"(?:(?P<name>(?!\d+_|late_\d+_\d+_)[^_].*?)_)?(?:(?P<late>late)_)?(?P<user>\d+)_(?P<attachment>\d+)_"
                   r"(?P<original>.+)", re.IGNORECASE | re.DOTALL)


def read_canvas(entries: list[Entry]) -> Collection:
    collection = Collection()
    seen: dict[str, Person] = {}
    for entry in entries:
        match = _NAME.fullmatch(entry.parts[0])
        if match is None:
            why = entry.problem or "its name is not Canvas's <name>_<user id>_<attachment id>_<file>"
            collection.unattributed.append((entry.path, why))
            continue
        person = seen.setdefault(match["user"], Person(match["user"], match["name"] or ""))
        inside = len(entry.parts) > 1  # a file inside the student's uploaded zip
        original = entry.name if inside else match["original"]
        collection.handed.append(Handed(person, entry, original, 0, late=match["late"] is not None,
                                        order=(int(match["attachment"]),)))
    collection.people = list(seen.values())
    return collection
