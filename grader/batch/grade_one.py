"""Grading one submission as one student: what Gradescope's ``run_autograder`` runs.

Gradescope hands over whatever the student uploaded (``Regularization (1).py``, a zip's
folder, notes) in ``/autograder/submission`` and who they are in
``submission_metadata.json``. Each uploaded file whose name maps to a topic is copied,
under the topic's own name, into a fresh folder, which is then read the one way grading
reads student files (``grader.course.sources.read_submissions``): links, pipes and devices
are never followed or opened, sizes are bounded.

Whatever happens, ``results.json`` is written: a grader failure gives a results file
saying so (score 0, details for the instructor only), and a watchdog writes one when the
total deadline passes, before Gradescope's own timeout would show the student nothing.
What protected the grader from the student's code is written where only instructors see
it: stdout (``stdout_visibility: hidden``) and a test entry with ``visibility: hidden``.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.batch.gradescope_container import DEADLINE_SECONDS, GRADESCOPE_MEMORY_MB
from grader.collect.layout import match_topic
from grader.course.sources import MAX_SOURCE_BYTES, SUBMISSION_SUFFIXES, read_submissions
from grader.course.topics import Topic, discover_topics
from grader.course.variation import student_seed
from grader.grading.phases import TopicSource, grade_in_phases
from grader.grading.runner import StudentDeadline
from grader.outputs.results import StudentResult, gradescope_results, write_atomically
from grader.outputs.student_ids import display_id
from grader.outputs.visibility import visible
from grader.sandbox.launcher import Limits

# What the grader's own process, Python, numpy, hypothesis and the fork server take, besides
# the student's worker: a worker limited to the rest cannot push the container over its limit
# (the container would be killed and no results shown).
GRADER_RESERVE_MB = 256
# Time kept back from the deadline to write results before Gradescope's timeout.
WRITE_MARGIN_SECONDS = 20.0
MAX_FILES_LOOKED_AT = 1000
INSTRUCTOR_TEST_NAME = "Autograder (instructors only): isolation, files, identity"


@dataclass(frozen=True)
class OneOptions:
    """What ``grade-one`` is told: topics, limits and the total deadline, the course seed."""
    topics: tuple[str, ...] = ()
    memory_mb: int = GRADESCOPE_MEMORY_MB
    deadline_seconds: float = DEADLINE_SECONDS
    seed: int | None = None
    plans: Path | None = None  # test plans built with the autograder (grader.grading.plan)
    call_seconds: float = Limits.call_seconds  # course.toml's [limits], as a local batch has it

    def limits(self) -> Limits:
        worker_mb = max(self.memory_mb - GRADER_RESERVE_MB, 128)
        return Limits(memory_bytes=worker_mb * 2**20, call_seconds=self.call_seconds,
                      student_seconds=max(self.deadline_seconds - WRITE_MARGIN_SECONDS, 1.0))


@dataclass(frozen=True)
class Identity:
    """Who submitted, from Gradescope's metadata: the grader's student id and every member."""
    student: str
    users: tuple[dict, ...] = ()
    created_at: str | None = None


@dataclass
class Mapped:
    """The submission's files as the topics' files: what was used, what was not."""
    folder: Path
    used: dict[str, str] = field(default_factory=dict)  # topic -> the file's name as uploaded
    unused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_identity(path: Path | None) -> Identity:
    """The first submitter's sid, else email, else Gradescope user id; every member kept.
    A missing or malformed file gives the student ``unknown`` (graded all the same)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
        users = tuple(user for user in data.get("users") or [] if isinstance(user, dict))
    except (OSError, ValueError, AttributeError):
        return Identity("unknown")
    for key in ("sid", "email", "id"):
        value = next((user.get(key) for user in users if user.get(key) not in (None, "")), None)
        if value is not None:
            return Identity(str(value), users, data.get("created_at"))
    return Identity("unknown", users, data.get("created_at"))


def topic_for(name: str, topics: list[str]) -> tuple[str, str] | None:
    """(topic, suffix) for an uploaded file's name, by the rule ``grader collect`` uses
    (``grader.collect.layout.match_topic``); None when it names no topic."""
    found = match_topic(name, topics)
    return None if found is None else found[:2]


def _candidates(submission: Path) -> list[tuple[int, str, str]]:
    """(depth, relative name, name) of the regular files at the top and one folder down;
    links are never followed (``scandir`` without following)."""
    found = []
    with os.scandir(submission) as top:
        for entry in sorted(top, key=lambda e: e.name)[:MAX_FILES_LOOKED_AT]:
            if entry.name.startswith(".") or entry.name == "__MACOSX":
                continue
            if entry.is_file(follow_symlinks=False):
                found.append((0, entry.name, entry.name))
            elif entry.is_dir(follow_symlinks=False):
                with os.scandir(entry.path) as inner:
                    found += [(1, f"{entry.name}/{item.name}", item.name)
                              for item in sorted(inner, key=lambda e: e.name)[:MAX_FILES_LOOKED_AT]
                              if item.is_file(follow_symlinks=False) and not item.name.startswith(".")]
            else:
                found.append((0, entry.name, entry.name))  # listed as unused, never opened
    return found


def _copy_bounded(source: Path, target: Path) -> None:
    """Copy at most MAX_SOURCE_BYTES + 1 bytes of a regular file, never through a link, so
    that grading still sees (and reports) a file that is too large."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{source.name} is not a regular file")
        data = os.read(fd, MAX_SOURCE_BYTES + 1)
    finally:
        os.close(fd)
    target.write_bytes(data)


def map_submission(submission: Path, topics: list[str], staging: Path) -> Mapped:
    """Copy each topic's file from the submission into ``staging/student/<topic><suffix>``.

    The first match wins: a file at the top before one in a folder, an exact name before a
    variant, ``.py`` before ``.ipynb``; the others are listed for the instructor."""
    mapped = Mapped(staging / "student")
    mapped.folder.mkdir(parents=True)
    if not submission.is_dir() or submission.is_symlink():
        mapped.notes.append(f"no submission folder at {submission}")
        return mapped
    ranked = []
    for depth, relative, name in _candidates(submission):
        match = topic_for(name, topics)
        if match is None:
            mapped.unused.append(relative)
            continue
        exact = name == f"{match[0]}{match[1]}"
        ranked.append(((depth, not exact, SUBMISSION_SUFFIXES.index(match[1]), relative), match, relative))
    for _, (topic, suffix), relative in sorted(ranked):
        if topic in mapped.used:
            mapped.notes.append(f"{relative} also names {topic}; {mapped.used[topic]} was graded")
            mapped.unused.append(relative)
            continue
        try:
            _copy_bounded(submission / relative, mapped.folder / f"{topic}{suffix}")
        except OSError as error:
            mapped.notes.append(f"{relative} could not be read ({error}); not graded")
            mapped.unused.append(relative)
            continue
        mapped.used[topic] = relative
    return mapped


def _missing_message(topic: str, mapped: Mapped) -> str:
    found = ", ".join(mapped.unused[:10]) or "no files"
    return (f"no file for {topic} in your submission (found {found}); expected {topic}.py or "
            f"{topic}.ipynb, so this topic scores 0")


def _instructor_entry(text: str) -> dict:
    return {"name": INSTRUCTOR_TEST_NAME, "score": 0.0, "max_score": 0.0, "status": "passed",
            "output": text, "visibility": "hidden", "extra_data": {"instructor_only": True}}


def _instructor_text(result: StudentResult, identity: Identity, mapped: Mapped,
                     options: OneOptions, seconds: float) -> str:
    isolation = result.topics[0].isolation if result.topics else "none (nothing was graded)"
    lines = [f"Isolation: {isolation}",
             f"Limits: worker memory {options.limits().memory_bytes // 2**20} MB of a "
             f"{options.memory_mb} MB container; deadline {options.deadline_seconds:g} s; "
             f"graded in {seconds:.1f} s",
             f"Student id: {identity.student}; submitters: "
             + (", ".join(str(u.get("email") or u.get("name") or u.get("id")) for u in identity.users)
                or "unknown"),
             "Files graded: " + (", ".join(f"{t} <- {f}" for t, f in mapped.used.items()) or "none"),
             "Files not graded: " + (", ".join(mapped.unused) or "none")]
    lines += mapped.notes
    for topic in result.topics:
        lines += [f"{topic.topic}: sandbox failure: {failure}" for failure in topic.sandbox_failures]
        lines += [f"{topic.topic}/{o.name}: grader error:\n{o.data['grader_error']}"
                  for o in topic.outcomes if o.data.get("grader_error")]
    return visible("\n".join(lines))


def grade_mapped(course_topics: dict[str, Topic], names: list[str], mapped: Mapped,
                 identity: Identity, options: OneOptions) -> StudentResult:
    """Grade the mapped files within the student's time, every topic in ``names``."""
    submitted = read_submissions(mapped.folder, names)
    deadline = StudentDeadline.starting_now(options.limits().student_seconds)
    seed = None if options.seed is None else student_seed(options.seed, identity.student)
    sources = []
    for name in names:
        entry = submitted[name]
        error = entry.error if name in mapped.used else _missing_message(name, mapped)
        sources.append(TopicSource(course_topics[name], entry.source if error is None else None,
                                   mapped.used.get(name), error))
    graded = grade_in_phases(sources, limits=options.limits(), seed=seed, deadline=deadline,
                             plans=options.plans)
    return StudentResult(identity.student, [topic.result for topic in graded])


def failure_results(message: str, detail: str, seconds: float) -> dict:
    """results.json when the grader itself failed: 0, a plain message, the details hidden."""
    return {"score": 0.0, "execution_time": round(seconds, 3),
            "output": f"The autograder could not grade this submission ({message}); your "
                      "instructor has been told. Resubmitting will not help until it is fixed.",
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [_instructor_entry(visible(detail))],
            "extra_data": {"grader_failed": True}}


class _Writer:
    """Writes results.json exactly once: the grader's answer or the watchdog's."""

    def __init__(self, path: Path):
        self.path, self.lock, self.done = path, threading.Lock(), False

    def write(self, data: dict) -> bool:
        with self.lock:
            if self.done:
                return False
            # Outputs carry the student's own text (messages, printed output): shown as plain
            # text, never through Gradescope's default rendering, which keeps some markup.
            for entry in (data, *data.get("tests", ())):
                entry.setdefault("output_format", "text")
            write_atomically(self.path, json.dumps(data, indent=2, allow_nan=False) + "\n")
            self.done = True
            return True


def _watchdog(writer: _Writer, seconds: float, started: float) -> threading.Timer:
    def expire() -> None:
        if writer.write(failure_results(f"it ran past its deadline of {seconds:g} s",
                                        "the watchdog stopped grading at the deadline", seconds)):
            print(f"grade-one: deadline of {seconds:g} s passed; results.json written by the watchdog",
                  flush=True)
            os._exit(0)  # a stuck grader thread must not keep the container to Gradescope's timeout

    timer = threading.Timer(max(seconds - (time.monotonic() - started), 0.0), expire)
    timer.daemon = True
    timer.start()
    return timer


def grade_one(submission: Path, results: Path, course: Path, *, metadata: Path | None = None,
              options: OneOptions = OneOptions()) -> dict:
    """Grade ``submission`` as one student into ``results`` (always written); return its data."""
    started = time.monotonic()
    writer = _Writer(results)
    timer = _watchdog(writer, options.deadline_seconds, started)
    staging = Path(tempfile.mkdtemp(prefix="grade-one-"))
    try:
        course_topics = discover_topics(course)
        names = list(options.topics) or list(course_topics)
        unknown = [name for name in names if name not in course_topics]
        if unknown:
            raise ValueError(f"unknown topic {', '.join(unknown)}")
        identity = read_identity(metadata)
        mapped = map_submission(submission, names, staging)
        result = grade_mapped(course_topics, names, mapped, identity, options)
        seconds = time.monotonic() - started
        data = gradescope_results(result)
        data["execution_time"] = round(seconds, 3)
        data["tests"].append(_instructor_entry(_instructor_text(result, identity, mapped, options, seconds)))
        # File names are the student's: shown as display_id shows ids (no undecodable bytes).
        data["extra_data"]["gradescope"] = {
            "users": list(identity.users), "created_at": identity.created_at,
            "files": {topic: display_id(name) for topic, name in mapped.used.items()},
            "not_graded": [display_id(name) for name in mapped.unused]}
        print(data["tests"][-1]["output"], flush=True)
    except Exception as error:  # the student still gets a results file, and the instructor why
        detail = traceback.format_exc()
        print(f"grade-one: the grader failed:\n{detail}", flush=True)
        data = failure_results(type(error).__name__, detail, time.monotonic() - started)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        written = writer.write(data)
    except (ValueError, TypeError, OSError) as error:  # NaN or a value JSON cannot hold
        data = failure_results(type(error).__name__, traceback.format_exc(), time.monotonic() - started)
        written = writer.write(data)
    if not written:
        os._exit(0)  # the watchdog wrote first and is exiting
    timer.cancel()
    return data


def options_with(options: OneOptions, **changes) -> OneOptions:
    """``options`` with the given fields replaced (for the command line's defaults)."""
    return replace(options, **{key: value for key, value in changes.items() if value is not None})
