"""The class gradebook: OUT/grades.csv with one row per student (Canvas's file: ``canvas``).

Both are written by ``_csv``: text cells (ids, names, headers) are data, never formulas.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from grader.outputs.results import write_if_changed
from grader.outputs.student_ids import display_id

# OWASP's CSV injection guidance: a spreadsheet evaluates a cell starting with one of these
# (= + - @, tab, carriage return; | and % start DDE and macro forms in some of them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def spreadsheet_text(text: str) -> str:
    """A text cell no spreadsheet evaluates: prefixed with a single quote, as OWASP
    recommends, when it (or its first non-blank character) would start a formula. A text
    that already starts with a quote gets one too, so the quoting is exactly undone by
    removing one leading quote whenever there is one (``grader collect`` reads its CSV back)."""
    quoted = text.startswith(("'", *FORMULA_STARTS)) or text.lstrip(" ").startswith(FORMULA_STARTS)
    return "'" + text if quoted else text


def _csv(rows: Iterable[list[str | float]]) -> str:
    """Numbers formatted with %g, every text cell through ``spreadsheet_text``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([spreadsheet_text(cell) if isinstance(cell, str) else f"{cell:g}" for cell in row])
    return buffer.getvalue()


# grades.csv's cell for a topic the student did not hand in (a 0 in their total), and for one
# OUT holds no grade of at all.
MISSING_CELL = "missing"
NOT_GRADED_CELL = ""


def _cell(scores: dict, topic: str, missing: str) -> str | float:
    if topic not in scores:
        return NOT_GRADED_CELL
    return missing if scores[topic] is None else scores[topic]


def gradebook_csv(rows: list[dict], topics: list[str]) -> str:
    """rows: {"student": id, "topics": {topic: score, or None when not handed in}, "total": x,
    "max_total": y}."""
    return _csv([["student_id", *topics, "total", "max_total"]] + [
        [display_id(row["student"]), *(_cell(row["topics"], t, MISSING_CELL) for t in topics),
         row["total"], row["max_total"]] for row in sorted(rows, key=lambda r: r["student"])])


def write_gradebook(path: Path, rows: list[dict], topics: list[str]) -> None:
    write_if_changed(path, gradebook_csv(rows, topics))
