"""Joining student ids to roster rows as Canvas's gradebook import matches them.

Canvas matches column by column over the whole roster: every row's ``ID`` first, then every
row's ``SIS User ID``, then ``SIS Login ID`` (ECOSYSTEM_FACTS.md). Matching a row on any of
its columns at once would let a numeric SIS id equal to another student's Canvas id take that
student's row. One place for the rule, since both collect (naming the students it collected)
and the Canvas export (placing grades) join a roster.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence


def join_by_column(rows: Sequence[Mapping[str, str]], columns: Sequence[str], students: Iterable[str],
                   ) -> tuple[dict[int, str], list[str], list[str]]:
    """(row index -> the student joined to it, students no row has, ambiguous students).
    ``rows``: each row's value per column (blank means none); ``columns``: the join columns in
    matching order. A student is joined in the first column holding their id; if several rows
    hold it there, or several students join one row, none of them is joined (ambiguous)."""
    index: dict[str, dict[str, list[int]]] = {column: {} for column in columns}
    for number, row in enumerate(rows):
        for column in columns:
            value = (row.get(column) or "").strip()
            if value:
                index[column].setdefault(value, []).append(number)
    claims: dict[int, list[str]] = {}
    unmatched, ambiguous = [], []
    for student in sorted(students):
        found = next((index[column][student] for column in columns if student in index[column]), None)
        if found is None:
            unmatched.append(student)
        elif len(found) > 1:
            ambiguous.append(student)
        else:
            claims.setdefault(found[0], []).append(student)
    joined = {}
    for number, claimants in claims.items():
        if len(claimants) == 1:
            joined[number] = claimants[0]
        else:
            ambiguous += claimants
    return joined, unmatched, sorted(ambiguous)
