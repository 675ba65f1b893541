"""Moodle's "Download all submissions": ``<Full Name>_<participant id>_assignsubmission_file/<file>``
folders, or the older flat ``<Full Name>_<participant id>_assignsubmission_file_<file>``.

The identity is the participant id, which Moodle numbers per assignment: collect each Moodle
assignment into its own SUBMISSIONS, or give ``--roster`` so names and emails are filled in.
Other plugins' folders (``assignsubmission_onlinetext``) match no topic and are listed.
A flat name is split where the student's own file name cannot move it: a name that reads as
more than one participant (a file named ``x_1001_assignsubmission_file_...``) is refused.
A participant's files have no upload order: ``regularization-1.py`` beside
``regularization.py`` is a copy, and the exact name is kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry

# A folder's name ends with the plugin: read from the end, it has one reading.
_FOLDER = re.compile(r"(?P<name>.*)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)", re.DOTALL)
_FLAT_TAIL = re.compile(r"(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<original>.+)",
                        re.DOTALL)
AMBIGUOUS = "the files whose names read as more than one Moodle participant"


@dataclass(frozen=True)
class MoodleName:
    name: str
    participant: str
    plugin: str
    original: str | None  # None for a folder


def readings(text: str) -> list[MoodleName]:
    """Every way ``text`` reads as a Moodle folder or flat file name, leftmost first."""
    folder = _FOLDER.fullmatch(text)
    if folder:
        return [MoodleName(folder["name"], folder["participant"], folder["plugin"], None)]
    found = []
    for separator in re.finditer("_", text):
        match = _FLAT_TAIL.fullmatch(text, separator.end())
        if match:
            found.append(MoodleName(text[:separator.start()], match["participant"], match["plugin"],
                                    match["original"]))
    return found


def submission_key(parts: tuple[str, ...]) -> str | None:
    """The participant a path of the download belongs to (its budget), for ``Download``."""
    participants = {reading.participant for reading in readings(parts[0])} if parts else set()
    if len(participants) > 1:
        return AMBIGUOUS
    return f"the submission of participant {participants.pop()}" if participants else None


def read_moodle(entries: list[Entry]) -> Collection:
    collection = Collection(suffixes_are_reuploads=False)  # one submission's files have no order
    seen: dict[str, Person] = {}
    for entry in entries:
        found = readings(entry.parts[0])
        participants = sorted({reading.participant for reading in found})
        if len(participants) > 1:
            collection.unattributed.append((entry.path, entry.problem or "its name reads as more "
                                            f"than one participant ({', '.join(participants)}): refused"))
            continue
        match = found[0] if found else None
        flat = match is not None and match.original is not None and len(entry.parts) == 1
        if match is None or not (flat or len(entry.parts) > 1):
            collection.unattributed.append((entry.path, entry.problem or "its name is not Moodle's "
                                            "<Full Name>_<participant id>_assignsubmission_file"))
            continue
        person = seen.setdefault(match.participant, Person(match.participant, match.name))
        if match.plugin != "file":
            collection.unattributed.append((entry.path, f"a Moodle {match.plugin} submission, "
                                            "not an uploaded file"))
            continue
        collection.handed.append(Handed(person, entry, match.original if flat else entry.name, 0))
    collection.people = list(seen.values())
    return collection
