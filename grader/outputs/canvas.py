"""``grader export canvas``: OUT's grades as a file Canvas's gradebook import takes as updates.

Canvas's import (see ECOSYSTEM_FACTS.md): column 0 ``Student``, column 1 ``ID``, optional SIS
columns, ``Section`` last of the identity columns; a row starting ``Points Possible``;
students matched by ``ID``, then ``SIS User ID``, then ``SIS Login ID``; an assignment column
matched by ``Title (id)``, else by exact title, else a NEW assignment is created. So with the
instructor's own gradebook export as roster, its identity columns are copied verbatim and the
topic columns carry the assignment's ``Title (id)`` (``--map`` or course.toml's ``title``).
Blank means "no score" to Canvas: a topic never handed in is blank unless ``--missing zero``,
and a roster's ``EX`` (excused) is never turned into that zero. Points are ``--points``, else
course.toml's, else the roster's ``Points Possible`` cell of the column, else the grader's
maximum. Without ``--submissions`` the late penalty is the one results.json recorded.
Raw score, late penalty and final score per (student, topic) go to a second CSV beside the
import file: in the import file itself every extra column would become an assignment.

A results folder is joined as Canvas matches: column by column over the whole roster (every
row's ``ID`` first, then every row's ``SIS User ID``, ...), so a numeric SIS id equal to another
student's Canvas id never takes their grade. A folder whose first matching column holds its
value in several rows, or a row two folders join, is ambiguous: left blank and listed.

Without a roster a folder's name goes in ``ID`` only when ``grader collect`` took it from a
Canvas download (collect.csv says so), since ``ID`` is Canvas's own user id: a Gradescope sid
or a Moodle participant number there would give the score to whichever Canvas user has that
number. Every other name goes in ``SIS Login ID``.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from grader.course.policy import Penalty, Policy, SubmissionTime
from grader.course.roster import join_by_column
from grader.outputs.gradebook import spreadsheet_text
from grader.outputs.student_ids import display_id
from grader.outputs.results import write_atomically

RESULTS_FILE = "results.json"
POINTS_POSSIBLE = "Points Possible"
IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# The roster columns a results folder's name is joined on, in Canvas's own matching order.
JOIN_COLUMNS = ("ID", "SIS User ID", "SIS Login ID", "Email", "email", "E-mail")
DETAILS_COLUMNS = ["student_id", "topic", "canvas_column", "raw", "max", "days_late", "penalty_percent",
                   "penalty", "final", "points_possible", "canvas_score"]


class CanvasExportError(Exception):
    """A bad roster or invocation; the message is for the instructor."""


@dataclass(frozen=True)
class TopicGrade:
    score: float
    max_score: float
    missing: bool  # nothing was handed in (distinct from a file that scored 0)
    late: tuple[int, float] | None = None  # (days late, percent off) as results.json recorded


@dataclass(frozen=True)
class StudentGrades:
    student: str
    topics: dict[str, TopicGrade]


@dataclass
class CanvasRoster:
    identity: list[str]  # the roster's identity headers, "Student" to "Section"
    rows: list[list[str]]  # each student's identity cells, verbatim
    join: dict[str, int]  # join column -> its index in a full roster row
    full_rows: list[list[str]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # assignment column -> its index
    points: dict[str, float] = field(default_factory=dict)  # assignment column -> Points Possible


@dataclass
class CanvasExport:
    text: str
    details: str
    not_in_roster: list[str]  # graded students no roster row matched
    without_grades: list[str]  # roster students with no results in OUT
    ambiguous: list[str] = field(default_factory=list)  # graded students joined to no one row
    excused_graded: list[str] = field(default_factory=list)  # "EX" in the roster, a score now


def read_out(out: Path) -> tuple[list[StudentGrades], list[str]]:
    """Every OUT/<folder>/results.json as grades, and the folders whose file is unreadable.
    The one place this export reads OUT; a topic whose ``file`` is null (nothing handed in,
    or ``missing`` when the file says so) is missing."""
    grades, unreadable = [], []
    if not out.is_dir():
        raise CanvasExportError(f"results folder not found: {out}")
    for folder in sorted(out.iterdir()):
        path = folder / RESULTS_FILE
        if folder.is_symlink() or not folder.is_dir() or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            extra = data["extra_data"]
            topics = {name: TopicGrade(float(t["score"]), float(t["max_score"]),
                                       bool(t.get("missing", t.get("file") is None)), _late(t))
                      for name, t in extra["topics"].items()}
            grades.append(StudentGrades(str(extra["student"]), topics))
        except (ValueError, KeyError, TypeError, AttributeError):
            unreadable.append(folder.name)
    return grades, unreadable


def _late(topic: dict) -> tuple[int, float] | None:
    late = topic.get("late")
    if not isinstance(late, dict):
        return None
    return int(late["days_late"]), float(late["penalty_percent"])


def _points_row(header: list[str], rows: list[list[str]], width: int) -> dict[str, float]:
    row = next((r for r in rows[1:] if r and POINTS_POSSIBLE in r[0]), None)
    points = {}
    for index in range(width, min(len(header), len(row or ()))):
        try:
            value = float(row[index])
        except ValueError:
            continue  # "(read only)" under Canvas's computed columns
        if math.isfinite(value):
            points[header[index]] = value
    return points


def read_canvas_roster(path: Path) -> CanvasRoster:
    """Canvas's gradebook export (or any CSV shaped like its import)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.reader(stream))
    except (OSError, UnicodeDecodeError) as error:
        raise CanvasExportError(f"roster {path} cannot be read: {error}") from None
    header = [cell.strip() for cell in rows[0]] if rows else []
    if len(header) < 2 or "Student" not in header[0] or header[1] != "ID" or "Section" not in header:
        raise CanvasExportError(f"roster {path} is not a Canvas gradebook export (it must start "
                                "with columns Student, ID and have a Section column)")
    width = header.index("Section") + 1
    join = {name: header.index(name) for name in JOIN_COLUMNS if name in header}
    students = [row + [""] * (len(header) - len(row)) for row in rows[1:]
                if row and POINTS_POSSIBLE not in row[0] and any(row[i].strip() for i in join.values())]
    columns = {name: index for index, name in enumerate(header) if index >= width}
    return CanvasRoster(rows[0][:width], [row[:width] for row in students], join, students, columns,
                        _points_row(header, rows, width))


def _number(value: float) -> str:
    value = round(value, 2)
    return f"{value:g}" if math.isfinite(value) else ""


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@dataclass(frozen=True)
class ExportOptions:
    topics: list[str]
    titles: dict[str, str] = field(default_factory=dict)  # --map, over course.toml's titles
    points: dict[str, float] = field(default_factory=dict)  # --points, over course.toml's points
    missing: str = "blank"  # or "zero"
    policy: Policy = Policy()
    # collect.csv's submission times, to apply the policy's late rule; None: the penalty
    # results.json recorded when it was written.
    times: dict[tuple[str, str], SubmissionTime] | None = None
    names: dict[str, str] = field(default_factory=dict)  # student id -> name, without a roster
    canvas_ids: frozenset[str] = frozenset()  # folders named by a Canvas user id (collect.csv)


def column_title(topic: str, options: ExportOptions) -> str:
    return options.titles.get(topic) or options.policy.topic(topic).title or topic


def points_possible(topic: str, grades: list[StudentGrades], options: ExportOptions,
                    roster: CanvasRoster | None = None) -> float:
    configured = options.points.get(topic, options.policy.topic(topic).points)
    if configured is not None:
        return configured
    in_roster = roster.points.get(column_title(topic, options)) if roster is not None else None
    if in_roster is not None:
        return in_roster  # the assignment's own points: a score scaled to others would be wrong
    return max((g.topics[topic].max_score for g in grades if topic in g.topics), default=0.0)


def _penalty(student: str, topic: str, grade: TopicGrade, options: ExportOptions) -> Penalty:
    if options.times is None:
        return Penalty(grade.score, *grade.late) if grade.late else Penalty(grade.score, 0, 0.0)
    return options.policy.penalty(topic, student, grade.score,
                                  options.times.get((student, topic), SubmissionTime()))


def _cell(student: str, topic: str, grade: TopicGrade | None, absent: bool, points: float,
          options: ExportOptions, details: list[list[str]], column: str, excused: bool = False) -> str:
    """A topic not in a student's results was not graded: blank, never 0. Not handed in (or
    a student with no results at all) is blank, or 0 with ``--missing zero``, but an excused
    student stays excused."""
    if grade is None and not absent:
        return ""
    if grade is None or grade.missing:
        return ("EX" if excused else "0") if options.missing == "zero" else ""
    penalty = _penalty(student, topic, grade, options)
    scaled = penalty.final / grade.max_score * points if grade.max_score else 0.0
    details.append([spreadsheet_text(student), topic, spreadsheet_text(column), _number(grade.score),
                    _number(grade.max_score), str(penalty.days_late), _number(penalty.percent),
                    _number(penalty.points), _number(penalty.final), _number(points), _number(scaled)])
    return _number(scaled)


def join_roster(roster: CanvasRoster, students: Iterable[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """(roster row index -> the results folder joined to it, folders no row has, ambiguous
    folders), column by column in Canvas's matching order (``join_by_column``)."""
    rows = [{column: full[at] for column, at in roster.join.items()} for full in roster.full_rows]
    return join_by_column(rows, list(roster.join), students)


def canvas_export(grades: list[StudentGrades], options: ExportOptions,
                  roster: CanvasRoster | None = None) -> CanvasExport:
    topics = options.topics
    columns = [column_title(t, options) for t in topics]
    points = [points_possible(t, grades, options, roster) for t in topics]
    details: list[list[str]] = [DETAILS_COLUMNS]
    by_id = {g.student: g for g in grades}
    excused_graded: list[str] = []

    def scores(student: str, found: StudentGrades | None, full: list[str] | None = None) -> list[str]:
        cells = []
        for t, p, c in zip(topics, points, columns):
            at = roster.columns.get(c) if roster is not None and full is not None else None
            excused = at is not None and at < len(full) and full[at].strip().upper() == "EX"
            cell = _cell(student, t, found.topics.get(t) if found else None, found is None, p, options,
                         details, c, excused)
            if excused and cell not in ("", "EX"):
                excused_graded.append(f"{full[0]} ({c})")
            cells.append(cell)
        return cells

    if roster is None:
        identity = IDENTITY
        rows = []
        for g in sorted(grades, key=lambda g: g.student):
            shown = display_id(g.student)
            name = options.names.get(g.student) or shown
            canvas = g.student in options.canvas_ids
            rows.append([spreadsheet_text(name), shown if canvas else "", "",
                         "" if canvas else spreadsheet_text(shown), "", *scores(g.student, g)])
        not_in_roster, without, ambiguous = [], [], []
    else:
        identity = roster.identity
        joined, not_in_roster, ambiguous = join_roster(roster, by_id)
        rows, without = [], []
        for number, cells in enumerate(roster.rows):
            student = joined.get(number)
            full = roster.full_rows[number]
            if student is None:
                without.append(cells[0])
                rows.append([*cells, *scores("", None, full)])
                continue
            rows.append([*cells, *scores(student, by_id[student], full)])
    blank = [""] * (len(identity) - 1)
    text = _csv([[*identity, *(spreadsheet_text(c) for c in columns)],
                 [POINTS_POSSIBLE, *blank, *(_number(p) for p in points)], *rows])
    return CanvasExport(text, _csv(details), not_in_roster, without, ambiguous, excused_graded)


def details_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_details.csv")


def write_canvas_export(path: Path, export: CanvasExport) -> None:
    write_atomically(path, export.text)
    write_atomically(details_path(path), export.details)
