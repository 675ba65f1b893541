"""Student ids as data: how an id is shown, and where its files go under OUT.

A student id is a submission folder's name, which an LMS zip or a student chose: it
may be markup, a URL (``javascript:...``), a spreadsheet formula, terminal escapes,
bytes that are not UTF-8 (old zips; Python hands them over as lone surrogates), or the
name of a class output. Ids stay as they are inside the grader (the submissions are
read with them); everything that shows one uses ``display_id``, everything that writes
or links ``OUT/<student>/`` uses ``output_name``.
"""
from __future__ import annotations

import hashlib
import re

from grader.outputs.visibility import visible

# Files and folders the batch writes at the top of OUT: no student folder may take one.
CLASS_OUTPUTS = frozenset({"grades.csv", "index.html", "summary.json", "canvas_grades.csv",
                           "similarity.html", "grading.log"})
# An id kept as its own folder name: plain ASCII a link, a shell and any file system take
# as it is; never starts with "." (hidden, "..", the batch's temporary files).
_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Joins a slug to its hash; never in a plain id, so a hashed name cannot equal a kept one.
HASH_SEPARATOR = "~"
# Beyond control characters: tab, newline, line and paragraph separators and bidi or other
# invisible format characters, which would let a name rearrange or hide the text around it.
_INVISIBLE = re.compile("[\t\n\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def raw_id(student: str) -> bytes:
    """The folder name's bytes as the file system has them."""
    try:
        return student.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # not from a file system; still give a stable value
        return student.encode("utf-8", "backslashreplace")


def display_id(student: str) -> str:
    """The id as text to show anywhere: itself when it is printable UTF-8, otherwise with
    undecodable bytes and invisible or control characters as backslash escapes."""
    text = visible(raw_id(student).decode("utf-8", "backslashreplace"))
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def output_name(student: str) -> str:
    """The student's folder under OUT: the id itself when it is a plain name that no class
    output has, otherwise a readable slug and a hash of the raw name (never collides)."""
    if _PLAIN.fullmatch(student) and student.casefold() not in CLASS_OUTPUTS:
        return student
    slug = _UNSAFE_RUN.sub("_", display_id(student)).strip("._-")[:40] or "student"
    return f"{slug}{HASH_SEPARATOR}{hashlib.sha256(raw_id(student)).hexdigest()[:12]}"


def report_link(student: str, report_file: str = "report.html") -> str:
    """The relative link from a page at the top of OUT to a student's report."""
    return f"{output_name(student)}/{report_file}"
