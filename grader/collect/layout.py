"""From the files a platform attributes to students to SUBMISSIONS/<student>/<topic>.py|ipynb.

Platform modules (canvas, gradescope, moodle, regex) only say who handed in which file and
when (``Handed``); this module maps file names to topics, keeps each student's latest file per
topic, writes the layout and ``SUBMISSIONS/collect.csv``, and says what it could not use.
Nothing is dropped silently: every file no topic matched and every student left with nothing
usable is in the ``Summary``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from grader.collect.unpack import Entry, read_bytes
from grader.course.policy import SubmissionTime, parse_time
from grader.course.roster import join_by_column
from grader.course.sources import shown_name
from grader.outputs.gradebook import spreadsheet_text

COLLECT_CSV = "collect.csv"
COLUMNS = ["student_id", "name", "email", "original_file", "topic", "late", "submitted_at", "attempt",
           "platform"]
SUFFIXES = (".py", ".ipynb")
# Roster headers (casefolded) a student may be collected under, in the order they are matched:
# Canvas's ID, SIS User ID, SIS Login ID first, as its import matches them.
ROSTER_ID_COLUMNS = ("id", "student_id", "sid", "sis user id", "sis login id", "email", "e-mail",
                     "email address", "login id")
# Re-uploads: Canvas puts "-1", "-2" before the extension, browsers " (1)"; several may stack.
_REUPLOAD = re.compile(r"(?:-(\d+)|\s*\((\d+)\))$")
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Person:
    student: str  # the identity the platform gives: the SUBMISSIONS folder's name
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterRow:
    """A student the instructor expects: each id column's value, as (header casefolded, value)
    in the order ids are tried, first the preferred; the column is kept because a value means
    something only in its column (Canvas's ``ID`` is the user id a download names)."""
    columns: tuple[tuple[str, str], ...]
    name: str = ""
    email: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id they may appear under, first the preferred."""
        return tuple(dict.fromkeys(value for _, value in self.columns))

    def value(self, column: str) -> str:
        """This row's value in ``column`` (a casefolded header), or ""."""
        return next((value for header, value in self.columns if header == column), "")


@dataclass(frozen=True)
class Handed:
    """One file a platform attributes to a student. ``root`` is the index in ``entry.parts`` of
    the student's own folder (or of the file itself in a flat download); ``original`` is the
    file's name as the student chose it."""
    person: Person
    entry: Entry
    original: str
    root: int
    late: bool | None = None
    submitted_at: str = ""  # ISO 8601, with offset when the platform gives one
    attempt: int = 0
    order: tuple[int, ...] = ()  # platform tie-breakers (Canvas's attachment id)
    unread_time: str = ""  # the platform's time text when it is not a time (submitted_at is "")
    copy: int = 0  # a copy's suffix number (" (1)") where suffixes are no re-uploads


@dataclass
class Collection:
    """What a platform module read: the files it attributed, everyone it knows of, and the
    files it could attribute to nobody ((path, reason))."""
    handed: list[Handed] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    unattributed: list[tuple[str, str]] = field(default_factory=list)
    remarks: list[tuple[str, str]] = field(default_factory=list)  # files used, with a caveat
    # Canvas numbers re-uploads "-1", "-2"; in one Gradescope or Moodle submission the files
    # have no upload order, so "Regularization (1).py" is a copy, not a later upload.
    suffixes_are_reuploads: bool = True


@dataclass(frozen=True)
class Collected:
    """One row of collect.csv: the file that is now SUBMISSIONS/<student>/<topic><suffix>."""
    person: Person
    topic: str
    suffix: str
    original: str
    late: bool | None
    submitted_at: str
    attempt: int
    platform: str = ""  # the download's (``grader collect --from``): what the student id is


@dataclass
class Summary:
    collected: list[Collected] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file path, why)
    superseded: list[tuple[str, str, str]] = field(default_factory=list)  # (student, topic, path)
    nothing_usable: list[tuple[Person, list[str]]] = field(default_factory=list)  # files they had
    remarks: list[tuple[str, str]] = field(default_factory=list)  # (file path, caveat)
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (file path, the file kept)

    def text(self, out: Path) -> str:
        students = {c.person.student for c in self.collected}
        lines = [f"collected {len(self.collected)} files of {len(students)} students into {shown(str(out))}"]
        if self.superseded:
            lines.append(f"{len(self.superseded)} older uploads replaced by a later one "
                         f"(see the attempt column of {COLLECT_CSV})")
        if self.set_aside:
            lines.append(f"{len(self.set_aside)} files set aside for the exact name in the same "
                         "submission (the name the autograder grades):")
            lines += [f"  {shown(path)}: kept {shown(kept)}" for path, kept in self.set_aside]
        if self.unmatched:
            lines.append(f"{len(self.unmatched)} files matched no topic or could not be read:")
            lines += [f"  {shown(path)}: {shown(why)}" for path, why in self.unmatched]
        if self.remarks:
            lines.append(f"{len(self.remarks)} files collected with a remark:")
            lines += [f"  {shown(path)}: {shown(why)}" for path, why in self.remarks]
        if self.nothing_usable:
            lines.append(f"{len(self.nothing_usable)} students have nothing usable:")
            for person, files in self.nothing_usable:
                label = shown(person.student) + (f" ({shown(person.name)})" if person.name else "")
                handed = ", ".join(shown(name) for name in files) if files else "no files"
                lines.append(f"  {label}: {handed}")
        return "\n".join(lines)


def shown(text: str, limit: int = 120) -> str:
    """A name from a download as printable text (see ``shown_name``)."""
    return shown_name(text, limit)


def topic_key(name: str) -> str:
    """A file stem as it is compared with topic names: case, spaces and hyphens folded."""
    return _SEPARATORS.sub("_", name.strip()).casefold()


def match_topic(original: str, topics: Iterable[str]) -> tuple[str, str, int] | None:
    """(topic, suffix, re-upload number) for a file name such as ``Regularization-2.ipynb``,
    or None. Case-insensitive; re-upload suffixes tolerated; the highest number is the latest."""
    stem, dot, extension = original.rpartition(".")
    suffix = "." + extension.lower()
    if not dot or suffix not in SUFFIXES:
        return None
    by_key = {topic_key(topic): topic for topic in topics}
    attempt = 0
    while True:
        if topic_key(stem) in by_key:
            return by_key[topic_key(stem)], suffix, attempt
        found = _REUPLOAD.search(stem)
        if not found or found.start() == 0:
            return None
        attempt = max(attempt, int(found.group(1) or found.group(2)))
        stem = stem[:found.start()]


def usable_folder_name(student: str) -> str | None:
    """Why a student id cannot name a folder of SUBMISSIONS, or None if it can."""
    if not student or student in (".", "..") or "/" in student or "\0" in student:
        return "it cannot be a folder name"
    if student.startswith("."):
        return "it starts with '.', and grading skips hidden folders"
    if student.casefold() == COLLECT_CSV:
        return f"it is the name of SUBMISSIONS/{COLLECT_CSV} itself"
    if len(student.encode("utf-8", "surrogateescape")) > 200:
        return "it is too long for a folder name"
    return None


def _latest_first(handed: Handed) -> tuple:
    when = parse_time(handed.submitted_at)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)  # one download's naive times share a zone
    # The exact name before its copies ("-copy"), within one time and attempt.
    return (when.timestamp() if when else float("-inf"), handed.attempt, -handed.copy, handed.order)


def _unread_times(key: tuple[str, str], kept: Handed, attempts: list[Handed]) -> tuple[str, str]:
    """(the file kept, why) when some attempt's time could not be read: which attempt is the
    latest is then partly a guess, and the instructor must be able to check it."""
    unread = ", ".join(f"{h.unread_time!r}" for h in attempts if h.unread_time)
    if len(attempts) == 1:
        return kept.entry.path, (f"its timestamp {unread} is not a date and time: collected "
                                 "without a submission time")
    student, topic = key
    return kept.entry.path, (
        f"kept as {shown(student)}'s {topic} of {len(attempts)} attempts, though the timestamps "
        f"{unread} are not dates and times: an attempt without a readable time counts as older "
        "than one with it, then the higher attempt number and then the later in the download wins")


def _with_roster(people: dict[str, Person], roster: list[RosterRow]) -> dict[str, Person]:
    """``people`` named by the roster rows they join (column by column, as Canvas matches),
    and every row no one joined as a student with nothing."""
    joined, _, _ = join_by_column([dict(row.columns) for row in roster], ROSTER_ID_COLUMNS, people)
    people = dict(people)
    for number, row in enumerate(roster):
        student = joined.get(number)
        if student is not None:
            person = people[student]
            # The instructor's roster names a student better than a download does ("liddellalice").
            people[student] = Person(student, row.name or person.name, row.email or person.email)
        elif row.ids[0] not in people:
            people[row.ids[0]] = Person(row.ids[0], row.name, row.email)
    return people


def arrange(collection: Collection, topics: list[str], roster: list[RosterRow] | None = None,
            assignment: list[str] | None = None,
            ) -> tuple[dict[tuple[str, str], tuple[Handed, str]], Summary, dict[str, Person]]:
    """Choose each (student, topic)'s latest file; everything else goes in the summary.
    ``assignment``: the topics of the assignment this download is of (default: all); a file of
    another course topic was handed in to the wrong assignment and is listed, not collected."""
    summary = Summary(unmatched=list(collection.unattributed), remarks=list(collection.remarks))
    chosen: dict[tuple[str, str], tuple[Handed, str]] = {}  # the latest file and its suffix
    attempts: dict[tuple[str, str], list[Handed]] = {}
    files_of: dict[str, list[str]] = {}
    for handed in collection.handed:
        student = handed.person.student
        files_of.setdefault(student, []).append(handed.original)
        path = handed.entry.path
        unusable = usable_folder_name(student)
        problem = handed.entry.problem or (unusable and f"student id {shown(student)}: {unusable}")
        if problem is None and len(handed.entry.folders_after(handed.root)) > 1:
            problem = "it is more than one folder deep inside the student's submission"
        match = None if problem else match_topic(handed.original, topics)
        if problem is None and match is None:
            problem = (f"its name matches no topic (expected one of "
                       f"{', '.join(t + '.py' for t in topics)} or .ipynb)")
        if problem is None and assignment is not None and match[0] not in assignment:
            problem = (f"it is topic {match[0]}'s file, handed in to another assignment (this "
                       f"download's topics: {', '.join(assignment)}): not collected")
        if problem:
            summary.unmatched.append((path, problem))
            continue
        topic, suffix, number = match
        counted = replace(handed, attempt=max(handed.attempt, number)) if \
            collection.suffixes_are_reuploads else replace(handed, copy=number)
        candidate = (counted, suffix)
        key = (student, topic)
        attempts.setdefault(key, []).append(handed)
        if key in chosen:
            older, candidate = sorted([chosen[key], candidate], key=lambda c: _latest_first(c[0]))
            if _latest_first(older[0])[:2] == _latest_first(candidate[0])[:2] and \
                    older[0].copy != candidate[0].copy:
                summary.set_aside.append((older[0].entry.path, candidate[0].entry.path))
            else:
                summary.superseded.append((student, topic, older[0].entry.path))
        chosen[key] = candidate
    summary.remarks += [_unread_times(key, chosen[key][0], handed) for key, handed in attempts.items()
                        if any(h.unread_time for h in handed)]
    people = _with_roster({p.student: p for p in collection.people}, roster or [])
    with_files = {student for student, _ in chosen}
    summary.nothing_usable = [(person, files_of.get(student, [])) for student, person in
                              sorted(people.items()) if student not in with_files]
    return chosen, summary, people


def _write_file(folder: Path, name: str, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_layout(collection: Collection, topics: list[str], out: Path,
                 roster: list[RosterRow] | None = None, assignment: list[str] | None = None,
                 platform: str = "") -> Summary:
    """Write each chosen file to OUT/<student>/<topic><suffix> and merge collect.csv: rows of
    the (student, topic) pairs written now replace earlier ones, every other row is kept, so
    several downloads (one per assignment) can be collected into one SUBMISSIONS."""
    chosen, summary, people = arrange(collection, topics, roster, assignment)
    out.mkdir(parents=True, exist_ok=True)
    for (student, topic), (handed, suffix) in sorted(chosen.items()):
        folder = out / student
        if folder.is_symlink():
            summary.unmatched.append((handed.entry.path, f"{shown(str(folder))} is a symbolic link"))
            continue
        folder.mkdir(exist_ok=True)
        for other in SUFFIXES:  # a .py replacing an earlier .ipynb: grading would take either
            if other != suffix:
                (folder / f"{topic}{other}").unlink(missing_ok=True)
        _write_file(folder, f"{topic}{suffix}", read_bytes(handed.entry))
        person = people.get(student, handed.person)
        summary.collected.append(Collected(person, topic, suffix, handed.original, handed.late,
                                           handed.submitted_at, handed.attempt, platform))
    previous = [row for row in read_collect_csv(out) if (row.person.student, row.topic) not in
                {(c.person.student, c.topic) for c in summary.collected}]
    _write_file(out, COLLECT_CSV, collect_csv(previous + summary.collected).encode("utf-8"))
    return summary


def _late_cell(late: bool | None) -> str:
    return "" if late is None else ("true" if late else "false")


def collect_csv(rows: list[Collected]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: (r.person.student, r.topic)):
        writer.writerow([spreadsheet_text(shown(cell, 1000)) for cell in (
            row.person.student, row.person.name, row.person.email, row.original, row.topic,
            _late_cell(row.late), row.submitted_at, str(row.attempt), row.platform)])
    return buffer.getvalue()


def _unneutralised(cell: str) -> str:
    # The exact inverse of spreadsheet_text, which quotes every text starting with a quote.
    return cell[1:] if cell.startswith("'") else cell


def read_collect_csv(out: Path) -> list[Collected]:
    """collect.csv's rows (none if there is no such file)."""
    path = out / COLLECT_CSV
    if not path.is_file():
        return []
    rows = []
    with path.open(newline="", encoding="utf-8") as stream:
        for raw in csv.DictReader(stream):
            row = {key: _unneutralised(value or "") for key, value in raw.items() if key is not None}
            late = {"true": True, "false": False}.get(row.get("late", ""))
            attempt = row.get("attempt", "")
            rows.append(Collected(Person(row.get("student_id", ""), row.get("name", ""),
                                         row.get("email", "")), row.get("topic", ""),
                                  Path(row.get("original_file", "")).suffix.lower(),
                                  row.get("original_file", ""), late, row.get("submitted_at", ""),
                                  int(attempt) if attempt.isascii() and attempt.isdigit() else 0,
                                  row.get("platform", "")))
    return rows


def submission_times(out: Path) -> dict[tuple[str, str], SubmissionTime]:
    """(student, topic) -> when it was handed in and whether the platform marked it late, for
    the late policy."""
    return {(row.person.student, row.topic): SubmissionTime(parse_time(row.submitted_at), row.late)
            for row in read_collect_csv(out)}


def identity_names(out: Path) -> dict[str, Person]:
    """student id -> the person collect.csv names (for exports without a roster)."""
    return {row.person.student: row.person for row in read_collect_csv(out)}


def canvas_user_ids(out: Path) -> frozenset[str]:
    """The students whose id is a Canvas user id: collected from a Canvas download."""
    return frozenset(row.person.student for row in read_collect_csv(out) if row.platform == "canvas")
