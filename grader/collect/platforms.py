"""``grader collect``: a download, read by its platform's naming rule, into SUBMISSIONS."""
from __future__ import annotations

import csv
from pathlib import Path

from typing import Callable

from grader.collect import PLATFORMS, canvas, gradescope, moodle, regex
from grader.collect.canvas import read_canvas
from grader.collect.gradescope import GradescopeError, read_gradescope
from grader.collect.layout import ROSTER_ID_COLUMNS, Collection, RosterRow, Summary, write_layout
from grader.collect.moodle import read_moodle
from grader.collect.regex import FOLDERS, PatternError, read_regex
from grader.collect.unpack import Bounds, Download, Entry, UnpackError

# Roster headers, case-insensitive: the ids are layout.ROSTER_ID_COLUMNS, then names.
_ID_HEADERS = ROSTER_ID_COLUMNS
_NAME_HEADERS = ("student", "name", "full name")
_EMAIL_HEADERS = ("email", "e-mail", "email address")


class CollectError(Exception):
    """A bad invocation or an unreadable download; the message is for the instructor."""


def read_roster(path: Path) -> list[RosterRow]:
    """Students from a CSV whose header names any of the id columns (Canvas's gradebook
    export, Gradescope's roster, or a plain ``student_id,name,email``)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.reader(stream))
    except (OSError, UnicodeDecodeError) as error:
        raise CollectError(f"roster {path} cannot be read: {error}") from None
    if not rows:
        raise CollectError(f"roster {path} is empty")
    header = [cell.strip().casefold() for cell in rows[0]]
    id_columns = [header.index(h) for h in _ID_HEADERS if h in header]
    if not id_columns:
        raise CollectError(f"roster {path} has none of the columns {', '.join(_ID_HEADERS)}")
    name = next((header.index(h) for h in _NAME_HEADERS if h in header), None)
    email = next((header.index(h) for h in _EMAIL_HEADERS if h in header), None)

    def cell(row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    roster = []
    for row in rows[1:]:
        if row and "points possible" in row[0].casefold():
            continue  # Canvas's second row
        columns = tuple((header[c], cell(row, c)) for c in id_columns if cell(row, c))
        if columns:
            roster.append(RosterRow(columns, cell(row, name), cell(row, email)))
    return roster


def read_platform(platform: str, entries: list[Entry], pattern: str | None,
                  roster: list[RosterRow] | None = None) -> Collection:
    """``roster``: the ``--roster`` rows, evidence for a Canvas name with several readings."""
    if platform == "canvas":
        return read_canvas(entries, canvas.roster_names(roster))
    if platform == "moodle":
        return read_moodle(entries)
    if platform == "gradescope":
        return read_gradescope(entries)
    if platform == "folders":
        return read_regex(entries, pattern or FOLDERS)
    if platform == "regex":
        if not pattern:
            raise CollectError("--from regex needs --pattern")
        return read_regex(entries, pattern)
    raise CollectError(f"unknown platform {platform}; one of {', '.join(PLATFORMS)}")


def submission_key(platform: str, pattern: str | None, roster: list[RosterRow] | None = None,
                   ) -> Callable[[tuple[str, ...]], str | None] | None:
    """How the platform tells one student's submission from another's in the download, so
    that each has its own budget (see ``unpack.Download``); as ``read_platform`` attributes it."""
    if platform == "canvas":
        return canvas.submission_key(canvas.roster_names(roster))
    keys = {"moodle": moodle.submission_key, "gradescope": gradescope.submission_key}
    if platform in keys:
        return keys[platform]
    if platform == "folders" or (platform == "regex" and pattern):
        return regex.submission_key(pattern or FOLDERS)
    return None


def collect(platform: str, download: Path, out: Path, topics: list[str], *,
            roster: Path | None = None, pattern: str | None = None,
            bounds: Bounds | None = None, assignment: list[str] | None = None) -> Summary:
    """Collect ``download`` (a zip or a folder) into ``out``; the summary says what was not used.
    ``topics``: the course's topics; ``assignment``: those of the assignment the download is of
    (default: all), so a file handed in to the wrong assignment never replaces a topic's file."""
    unknown = sorted(set(assignment or ()) - set(topics))
    if unknown:
        raise CollectError(f"unknown topic {', '.join(unknown)}; the topics are: {', '.join(topics)}")
    if out.resolve() == download.resolve() or download.resolve() in out.resolve().parents:
        raise CollectError("the output folder must not be inside the download")
    people = read_roster(roster) if roster else None
    try:
        with Download(download, bounds, submission_key(platform, pattern, people)) as files:
            collection = read_platform(platform, files.entries, pattern, people)
            return write_layout(collection, topics, out, people, assignment, platform)
    except (UnpackError, GradescopeError, PatternError) as error:
        raise CollectError(str(error)) from None
