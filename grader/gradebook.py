"""The class gradebook: OUT/grades.csv with one row per student."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.results import write_atomically


def gradebook_csv(rows: list[dict], topics: list[str]) -> str:
    """rows: {"student": id, "topics": {topic: score}, "total": x, "max_total": y}."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *topics, "total", "max_total"])
    for row in sorted(rows, key=lambda r: r["student"]):
        writer.writerow([row["student"], *(f"{row['topics'].get(t, 0.0):g}" for t in topics),
                         f"{row['total']:g}", f"{row['max_total']:g}"])
    return buffer.getvalue()


def write_gradebook(path: Path, rows: list[dict], topics: list[str]) -> None:
    write_atomically(path, gradebook_csv(rows, topics))


# Canvas's gradebook import: identity columns first (Canvas matches a row to a student by
# ID, SIS User ID or SIS Login ID), then one column per assignment; an optional second row
# starting "Points Possible" gives each new assignment's points. Columns Canvas does not know
# become new assignments, so there is deliberately no total column (Canvas computes its own).
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"


def canvas_csv(rows: list[dict], topics: list[str], max_scores: dict[str, float]) -> str:
    """One assignment column per topic; the student id (the submission folder's name) goes in
    "SIS Login ID", the column Canvas matches when "ID" and "SIS User ID" are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, *topics])
    writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", *(f"{max_scores.get(t, 0.0):g}" for t in topics)])
    for row in sorted(rows, key=lambda r: r["student"]):
        writer.writerow([row["student"], "", "", row["student"], "",
                         *(f"{row['topics'].get(t, 0.0):g}" for t in topics)])
    return buffer.getvalue()
