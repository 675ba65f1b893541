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
