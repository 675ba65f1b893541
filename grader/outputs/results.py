"""A student's graded topics as Gradescope's results.json, written atomically."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.policy import Penalty
from grader.grading.outcomes import TestOutcome, TopicResult
from grader.outputs.student_ids import display_id
from grader.outputs.visibility import detail_text, student_view, visible


# A topic's state in extra_data.topics: graded from a file, or not handed in (which scores 0
# in results.json, as Gradescope needs a number, but is shown as missing elsewhere).
GRADED, MISSING = "graded", "missing"
# Files the batch writes are read by others (a web server, a TA's account): not mkstemp's 0600.
FILE_MODE = 0o644


@dataclass
class StudentResult:
    student: str
    topics: list[TopicResult]
    # Per topic, what its grade depends on (grader.batch.store) and the topics not handed in;
    # empty for a result that was not graded by the batch (grader check, say).
    inputs: dict[str, dict | None] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()
    # Per topic handed in late under course.toml's rule: the penalty (scores stay raw).
    late: dict[str, Penalty] = field(default_factory=dict)

    @property
    def final_score(self) -> float:
        """The total after late penalties."""
        return self.score - sum(p.points for p in self.late.values())

    @property
    def score(self) -> float:
        return sum(t.score for t in self.topics)

    @property
    def seed(self) -> int | None:
        """The student's own seed when the class was graded with per-student inputs."""
        return next((t.seed for t in self.topics if t.seed is not None), None)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.topics)


def outcome_text(outcome: TestOutcome) -> str:
    """What a student reads for one test: only what ``student_view`` lets through."""
    view = student_view(outcome)
    if outcome.passed:
        return "\n".join(("Passed.", *view.notes))
    parts = [view.message]
    if view.call:
        parts.append(f"Failing call: {view.call}")
    if view.hint:
        parts.append(f"Hint: {view.hint}")
    detail = detail_text(view)
    if detail:
        parts.append(f"Details: {detail}")
    if view.printed:
        parts.append(f"Your code printed:\n{view.printed}")
    return "\n".join(parts)


def test_name(topic: str, description: str) -> str:
    """A test's ``name`` in results.json: its topic, then its description."""
    return f"{topic}: {description}"


def test_description(entry: dict) -> str:
    """A results.json test entry's description, from its own field. Files written before the
    field existed (an OUT kept by --resume) fall back to the name ``test_name`` composed."""
    description = entry["extra_data"].get("description")
    if isinstance(description, str):
        return description
    prefix = test_name(entry["extra_data"]["topic"], "")
    name = entry["name"]
    return name[len(prefix):] if name.startswith(prefix) else name


def _test_entry(topic: TopicResult, index: int, outcome: TestOutcome) -> dict:
    view = student_view(outcome)
    return {
        "name": test_name(topic.topic, outcome.description),
        "number": f"{topic.topic}.{index}",
        "score": outcome.points,
        "max_score": outcome.max_points,
        "status": "passed" if outcome.passed else "failed",
        "output": outcome_text(outcome),
        "visibility": "after_published" if outcome.hidden else "visible",
        "extra_data": {"topic": topic.topic, "test": outcome.name, "description": outcome.description,
                       "hidden": outcome.hidden, "mistake": view.mistake, "hint": view.hint},
    }


def _summary(result: StudentResult) -> str:
    lines = []
    for topic in result.topics:
        line = f"{topic.topic}: {topic.score:g} / {topic.max_score:g}"
        if topic.error:
            line += f" ({visible(topic.error.splitlines()[0])})"
        lines.append(line)
    return "\n".join(lines)


def gradescope_results(result: StudentResult) -> dict:
    """The Gradescope autograder schema; deterministic for a given submission."""
    tests = [_test_entry(topic, index, outcome)
             for topic in result.topics for index, outcome in enumerate(topic.outcomes, start=1)]
    isolation = result.topics[0].isolation if result.topics else ""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": _summary(result) + (f"\n\nIsolation: {isolation}" if isolation else ""),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "student": display_id(result.student),  # the folder name; undecodable bytes as \\xNN
            "isolation": isolation,
            "seed": result.seed,
            "topics": {t.topic: _topic_entry(result, t) for t in result.topics},
        },
    }


def _topic_entry(result: StudentResult, topic: TopicResult) -> dict:
    entry = {"score": topic.score, "max_score": topic.max_score, "file": topic.file,
             "error": visible(topic.error) if topic.error else topic.error}
    if topic.topic in result.inputs:
        entry["state"] = MISSING if topic.topic in result.missing else GRADED
        entry["inputs"] = result.inputs[topic.topic]
    penalty = result.late.get(topic.topic)
    if penalty is not None:
        entry["late"] = {"days_late": penalty.days_late, "penalty_percent": penalty.percent,
                         "penalty": penalty.points, "final": penalty.final}
    return entry


def topic_state(entry: dict) -> str:
    """A results.json topic entry's state; files written before states existed say none, and
    their topics count as graded (as they were)."""
    return MISSING if entry.get("state") == MISSING else GRADED


TEMPORARY_SUFFIX = ".tmp"


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, fsync it and rename it over ``path``, so
    readers (and a run killed at any point) see the old file or the new one, never half.
    The temporary file is ``.<name>.<random>.tmp``: hidden, and removed by the next batch."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=TEMPORARY_SUFFIX)
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut, not only a killed process)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_if_changed(path: Path, text: str) -> bool:
    """``write_atomically`` unless ``path`` already holds exactly ``text``; whether it wrote.
    A file left as it was keeps its time stamp, so a kept grade is visibly untouched."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except OSError:
        pass
    write_atomically(path, text)
    return True


def results_json_text(result: StudentResult) -> str:
    return json.dumps(gradescope_results(result), indent=2, sort_keys=False) + "\n"


def write_results_json(path: Path, result: StudentResult) -> None:
    write_atomically(path, results_json_text(result))
