"""Gradescope's "Export Submissions": ``assignment_<id>_export/submission_metadata.yml`` and one
``submission_<id>/`` folder per submission.

The YAML is keyed by submission folder and written from Ruby, so its keys are symbols
(``:submitters:``, ``:created_at:``); each submitter is ``{:name, :sid, :email}``. The
identity is the student's ``sid`` (their institutional id), else their email; a group
submission goes to every member; ``created_at`` is recorded as the submission time.
A sid belongs to the first person the metadata names with it: a later submitter claiming it
with another email is refused and listed (a sid is what a student types in, not proof).
A submission's files have no upload order: ``Regularization (1).py`` beside
``regularization.py`` is a copy, and the exact name (what the autograder grades) is kept.
"""
from __future__ import annotations

import datetime as dt
import re


from grader.collect.layout import Collection, Handed, Person
from grader.collect.unpack import Entry, read_bytes

METADATA = "submission_metadata.yml"
_SUBMISSION = re.compile(r"submission_\d+")


class GradescopeError(Exception):
    pass


def _plain(value: object) -> object:
    """Ruby symbol keys (":name") as plain ones ("name"), all the way down."""
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _time(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_metadata(entries: list[Entry]) -> tuple[tuple[str, ...], dict]:
    """(the export's folder as parts, the metadata keyed by submission folder)."""
    found = sorted((e for e in entries if e.name == METADATA and e.staged is not None),
                   key=lambda e: len(e.parts))
    if not found:
        raise GradescopeError(f"no {METADATA} in this download; is it Gradescope's "
                              "\"Export Submissions\" zip?")
    try:
        import yaml  # the [lms] extra: only this download's metadata is YAML
    except ImportError:
        raise GradescopeError("reading a Gradescope export needs PyYAML: pip install "
                              "'ml-exercise-grader[lms]'") from None
    try:
        data = _plain(yaml.safe_load(read_bytes(found[0]).decode("utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise GradescopeError(f"{METADATA} cannot be read: {str(error)[:200]}") from None
    if not isinstance(data, dict):
        raise GradescopeError(f"{METADATA} is not keyed by submission folder")
    return found[0].parts[:-1], data


def submission_key(parts: tuple[str, ...]) -> str | None:
    """The ``submission_<id>`` folder a path of the download is in (its budget), for ``Download``."""
    for index, part in enumerate(parts):
        if _SUBMISSION.fullmatch(part):
            return "the submission " + "/".join(parts[:index + 1])
    return None


def read_gradescope(entries: list[Entry]) -> Collection:
    base, metadata = read_metadata(entries)
    collection = Collection(suffixes_are_reuploads=False)  # one submission's files have no order
    people: dict[str, Person] = {}
    submitters: dict[str, list[Person]] = {}
    claims: dict[str, list[str]] = {}  # folder -> why a submitter of it was refused
    times: dict[str, str] = {}
    for folder, record in metadata.items():
        record = record if isinstance(record, dict) else {}
        members = []
        for member in record.get("submitters") or []:
            member = member if isinstance(member, dict) else {}
            sid, email = _text(member.get("sid")), _text(member.get("email"))
            if sid or email:
                person = people.setdefault(sid or email, Person(sid or email, _text(member.get("name")), email))
                if person.email.casefold() != email.casefold():
                    claims.setdefault(str(folder), []).append(
                        f"sid {sid} belongs to {person.email or 'a submitter without email'}; "
                        f"{email or 'a submitter without email'} claiming it too is refused")
                    continue
                members.append(person)
        submitters[str(folder)] = members
        times[str(folder)] = _time(record.get("created_at"))
    collection.people = list(people.values())
    root = len(base)
    for entry in entries:
        if entry.parts[:root] != base or len(entry.parts) == root + 1:
            if entry.name != METADATA:
                collection.unattributed.append((entry.path, entry.problem or
                                                "it is outside every submission_<id> folder"))
            continue
        folder = entry.parts[root]
        members = submitters.get(folder)
        refused = claims.get(folder, [])
        collection.unattributed += [(entry.path, entry.problem or why) for why in refused]
        if not members:
            if not refused:
                collection.unattributed.append((entry.path, entry.problem or f"{METADATA} names no "
                                                f"student with a sid or email for {folder}"))
            continue
        for person in members:  # a group submission counts for every member
            collection.handed.append(Handed(person, entry, entry.name, root,
                                            submitted_at=times[folder]))
    return collection
