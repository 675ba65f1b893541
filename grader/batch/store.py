"""What OUT holds: per student, each graded topic's full result and the inputs it came from.

``OUT/.grading/<student folder>.json`` is the one record of a student's grades. Everything
else a student or an instructor reads (``results.json``, ``report.html``, the class outputs)
is rendered from these records, and always from the record read back from its JSON text, so
a grade kept by ``--resume`` renders byte for byte as it did when it was graded. The
records hold hidden tests' full outcomes: they are for the grader, never for students
(the folder is hidden and holds no student folder, as ``output_name`` never starts with ".").

A topic's ``inputs`` are what its grade depends on (``grader.course.fingerprint`` hashes them):
``--resume`` keeps a grade only when every one of them is what grading would use now. A grade
the grader itself could not give (its process died, its sandbox failed, a grader bug) has no
inputs, so it is never kept.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from grader.course.fingerprint import grader_fingerprint, sha256_hex, topic_fingerprint
from grader.course.sources import SubmittedFile
from grader.course.topics import Topic
from grader.grading.outcomes import GradientCheckRecord, TestOutcome, TopicResult
from grader.outputs.results import StudentResult, write_if_changed
from grader.outputs.student_ids import output_name, raw_id
from grader.sandbox.launcher import Limits

STORE_FOLDER = ".grading"
RECORD_SUFFIX = ".json"
FORMAT = 1


def submission_digest(submitted: SubmittedFile) -> str | None:
    """The sha256 of the submitted file's bytes; for a file that could not be read or decoded
    (refused, too big, not UTF-8) a hash of why, which is all its grade depends on; for a
    topic not handed in, None, or a hash of the other names its message lists."""
    if submitted.missing:
        return sha256_hex("\0".join(("missing", str(submitted.found_more), *submitted.found)).encode(
            "utf-8", "surrogateescape")) if submitted.found else None
    if submitted.sha256 is not None:
        return submitted.sha256
    return sha256_hex(f"{submitted.file}\0{submitted.error}".encode("utf-8", "surrogateescape"))


def grade_inputs(topic: Topic, submitted: SubmittedFile, seed: int | None, limits: Limits) -> dict:
    """Everything a (student, topic) grade depends on, as plain JSON data."""
    return {"submission_sha256": submission_digest(submitted), "file": submitted.file,
            "topic": topic_fingerprint(topic), "grader": grader_fingerprint(), "seed": seed,
            "limits": dataclasses.asdict(limits)}


@dataclass
class TopicRecord:
    """One topic's grade as stored: the result, its inputs (None: never kept) and its state."""
    result: TopicResult
    inputs: dict | None
    missing: bool = False


@dataclass
class StudentRecord:
    student: str
    topics: dict[str, TopicRecord] = field(default_factory=dict)

    def student_result(self, order: list[str]) -> StudentResult:
        """The typed result every output renders, topics in the course's ``order`` (others after)."""
        names = sorted(self.topics, key=lambda name: (name not in order,
                                                      order.index(name) if name in order else 0, name))
        return StudentResult(self.student, [self.topics[n].result for n in names],
                             inputs={n: self.topics[n].inputs for n in names},
                             missing=frozenset(n for n in names if self.topics[n].missing))


def record_path(out: Path, student: str) -> Path:
    return out / STORE_FOLDER / f"{output_name(student)}{RECORD_SUFFIX}"


def _plain(value):
    """What json cannot write as it is (numpy scalars a test recorded, say), as plain data."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def record_text(record: StudentRecord) -> str:
    return json.dumps({
        "format": FORMAT,
        "student_hex": raw_id(record.student).hex(),  # the id exactly, whatever its bytes
        "topics": {name: {"state": "missing" if t.missing else "graded", "inputs": t.inputs,
                          "result": dataclasses.asdict(t.result)}
                   for name, t in sorted(record.topics.items())},
    }, indent=1, sort_keys=True, default=_plain) + "\n"


def _outcome(entry: dict) -> TestOutcome:
    names = {f.name for f in dataclasses.fields(TestOutcome)}
    values = {k: v for k, v in entry.items() if k in names}
    values["gradient_checks"] = [GradientCheckRecord.from_recorded(check)
                                 for check in entry.get("gradient_checks", [])]
    return TestOutcome(**values)


def topic_result_from_dict(entry: dict) -> TopicResult:
    """The one loader from stored data back to the typed result model."""
    names = {f.name for f in dataclasses.fields(TopicResult)}
    values = {k: v for k, v in entry.items() if k in names}
    values["outcomes"] = [_outcome(o) for o in entry["outcomes"]]
    return TopicResult(**values)


def parse_record(text: str) -> StudentRecord:
    data = json.loads(text)
    student = bytes.fromhex(data["student_hex"]).decode("utf-8", "surrogateescape")
    return StudentRecord(student, {
        name: TopicRecord(topic_result_from_dict(t["result"]), t["inputs"], t["state"] == "missing")
        for name, t in data["topics"].items()})


def load_record(out: Path, student: str) -> StudentRecord | None:
    """The student's record, or None when there is none (or it cannot be read: regraded)."""
    try:
        return parse_record(record_path(out, student).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_record(out: Path, record: StudentRecord) -> StudentRecord:
    """Write the record (if it changed) and return it as read back from its text, the form
    every output is rendered from."""
    text = record_text(record)
    write_if_changed(record_path(out, record.student), text)
    return parse_record(text)


def stored_records(out: Path) -> Iterator[StudentRecord]:
    """Every readable record in OUT, one at a time, in file name order."""
    folder = out / STORE_FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob(f"*{RECORD_SUFFIX}")):
        if path.name.startswith("."):
            continue
        try:
            yield parse_record(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
