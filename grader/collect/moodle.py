"""Moodle's "Download all submissions": ``<Full Name>_<participant id>_assignsubmission_file/<file>``
folders, or the older flat ``<Full Name>_<participant id>_assignsubmission_file_<file>``.

The identity is the participant id, which Moodle numbers per assignment: collect each Moodle
assignment into its own SUBMISSIONS, or give ``--roster`` so names and emails are filled in.
Other plugins' folders (``assignsubmission_onlinetext``) match no topic and are listed.
"""
from __future__ import annotations

import re

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry

_FOLDER = re.compile(r"(?P<name>.*)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                     r"(?:_(?P<original>.+))?", re.DOTALL)


def read_moodle(entries: list[Entry]) -> Collection:
    collection = Collection()
    seen: dict[str, Person] = {}
    for entry in entries:
        match = _FOLDER.fullmatch(entry.parts[0])
        flat = match is not None and match["original"] is not None and len(entry.parts) == 1
        if match is None or not (flat or len(entry.parts) > 1):
            collection.unattributed.append((entry.path, entry.problem or "its name is not Moodle's "
                                            "<Full Name>_<participant id>_assignsubmission_file"))
            continue
        person = seen.setdefault(match["participant"], Person(match["participant"], match["name"]))
        if match["plugin"] != "file":
            collection.unattributed.append((entry.path, f"a Moodle {match['plugin']} submission, "
                                            "not an uploaded file"))
            continue
        collection.handed.append(Handed(person, entry, match["original"] if flat else entry.name, 0))
    collection.people = list(seen.values())
    return collection
