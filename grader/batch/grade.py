"""Grading a whole class: one student per job, results written as each finishes.

Each student's outputs are written by the process that graded them, atomically;
the main process only keeps one gradebook row per student, so memory does not
grow with the size of the class beyond that.
"""
from __future__ import annotations

import concurrent.futures as futures
import functools
import json
import multiprocessing
import traceback
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from grader.batch.cluster import run_on_cluster
from grader.course.sources import SUBMISSION_SUFFIXES, SubmittedFile, read_submissions, submitted_names
from grader.course.topics import Topic, discover_topics
from grader.course.variation import student_seed
from grader.grading import plan
from grader.grading.outcomes import TopicResult
from grader.grading.runner import StudentDeadline, grade_source
from grader.outputs.class_report import write_class_outputs
from grader.outputs.gradebook import write_gradebook
from grader.outputs.report import write_report
from grader.outputs.results import StudentResult, write_results_json
from grader.outputs.student_ids import output_name
from grader.sandbox.launcher import Limits

RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"
GRADEBOOK_FILE = "grades.csv"


class BatchError(Exception):
    """A bad invocation: the message is for the instructor."""


@dataclass(frozen=True)
class BatchJob:
    course: Path
    out: Path
    topics: tuple[str, ...]
    limits: Limits
    seed: int | None = None  # the course seed; each student's own is derived from it
    plans: Path | None = None  # test plans' folder (grader.grading.plan)

    def student_seed(self, student: str) -> int | None:
        return None if self.seed is None else student_seed(self.seed, student)


def find_students(submissions: Path) -> list[Path]:
    """Every folder in ``submissions``, and every link to one: a linked student folder is
    listed (never read) so that its student gets a result saying why nothing was graded."""
    if not submissions.is_dir():
        raise BatchError(f"submissions folder not found: {submissions}")
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise BatchError(f"no student folders in {submissions} (expected one folder per student)")
    return students


def topics_in_batch(students: list[Path], available: dict[str, Topic]) -> list[str]:
    """Every topic for which at least one student handed in a file."""
    present = {Path(name).stem for student in students for name in submitted_names(student)
               if Path(name).suffix in SUBMISSION_SUFFIXES}
    return [name for name in available if name in present]


def _grade_topic(job: BatchJob, topic: Topic, student: str, submitted: SubmittedFile,
                 deadline: StudentDeadline | None = None) -> TopicResult:
    options = {"limits": job.limits, "seed": job.student_seed(student), "deadline": deadline,
               "plans": job.plans}
    if submitted.error is not None:
        return grade_source(topic, None, file=submitted.file, load_error=submitted.error, **options)
    try:
        return grade_source(topic, submitted.source, file=submitted.file, **options)
    except Exception:  # a grader bug must cost neither this topic's other students nor the batch
        return grade_source(topic, None, file=submitted.file, load_error=(
            "the grader failed on this file; your instructor has been told. "
            + traceback.format_exc(limit=2).splitlines()[-1]), **options)


def read_student(job: BatchJob, student_dir: Path) -> dict[str, SubmittedFile]:
    """The student's file for each of the job's topics (on the Dask client, sent with the task)."""
    return read_submissions(student_dir, job.topics)


def grade_submitted(job: BatchJob, student: str, submitted: dict[str, SubmittedFile]) -> StudentResult:
    """Grade every topic for one student from the files ``read_student`` read, within the
    student's time (``Limits.student_seconds``)."""
    topics = discover_topics(job.course)
    deadline = StudentDeadline.starting_now(job.limits.student_seconds)
    return StudentResult(student, [_grade_topic(job, topics[name], student, submitted[name], deadline)
                                   for name in job.topics])


def grade_student_result(job: BatchJob, student_dir: Path) -> StudentResult:
    """Grade every topic for one student."""
    return grade_submitted(job, student_dir.name, read_student(job, student_dir))


def grade_student(job: BatchJob, student_dir: Path) -> dict:
    """Grade one student, write their files, and return their gradebook row."""
    return _write_student(job, grade_student_result(job, student_dir))


def _write_student(job: BatchJob, result: StudentResult) -> dict:
    folder = job.out / output_name(result.student)  # the id is data, never a path
    write_results_json(folder / RESULTS_FILE, result)
    write_report(folder / REPORT_FILE, result, job.course / "templates")
    return gradebook_row(result.student, {t.topic: t.score for t in result.topics},
                         result.score, result.max_score)


def gradebook_row(student: str, scores: dict[str, float], total: float, max_total: float) -> dict:
    return {"student": student, "topics": scores, "total": total, "max_total": max_total}


def finished_row(out: Path, student: str) -> dict | None:
    """The row of a student graded by an earlier run (for --resume), if complete."""
    folder = out / output_name(student)
    path = folder / RESULTS_FILE
    if not (path.is_file() and (folder / REPORT_FILE).is_file()):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        scores = {name: t["score"] for name, t in data["extra_data"]["topics"].items()}
        return gradebook_row(student, scores, data["score"], data["max_score"])
    except (ValueError, KeyError, TypeError):
        return None


def _check_layout(submissions: Path, out: Path, course: Path) -> None:
    submissions, out, course = submissions.resolve(), out.resolve(), course.resolve()
    if out == submissions or submissions in out.parents:
        raise BatchError("the output folder must not be inside the submissions folder")
    protected = (course / "solutions", course / "exercises")
    if out == course or any(out == folder or folder in out.parents for folder in protected):
        raise BatchError("the output folder must not be the course folder or inside its exercises "
                         "or solutions")


def grade_batch(submissions: Path, out: Path, course: Path, *, topics: list[str] | None = None,
                jobs: int = 1, resume: bool = False, progress: bool = True,
                limits: Limits | None = None, seed: int | None = None,
                scheduler: str | None = None, plans: Path | None = None) -> list[dict]:
    """Grade every student folder into ``out``; test plans are kept in ``plans``, by default
    beside ``out`` (``grader.grading.plan``)."""
    available = discover_topics(course)
    students = find_students(submissions)
    if topics:
        unknown = [t for t in topics if t not in available]
        if unknown:
            raise BatchError(f"unknown topic {', '.join(unknown)}; the topics are: {', '.join(available)}")
    else:
        topics = topics_in_batch(students, available)
        if not topics:
            linked = sum(student.is_symlink() for student in students)
            raise BatchError(f"no submission files for any topic ({', '.join(available)}) in {submissions}"
                             + (f"; {linked} of the student folders are symbolic links, which "
                                "are never followed" if linked else ""))
    _check_layout(submissions, out, course)
    out.mkdir(parents=True, exist_ok=True)
    job = BatchJob(course, out, tuple(topics), limits or Limits(), seed,
                   plan.default_folder(out) if plans is None else plans)
    rows = []
    pending = []
    for leftover in out.glob("*/.*.tmp"):  # from a run killed mid-write
        leftover.unlink(missing_ok=True)
    for student in students:
        row = finished_row(out, student.name) if resume else None
        if row is not None:
            rows.append(row)
        else:
            pending.append(student)
    with tqdm(total=len(students), initial=len(rows), desc="grading", unit="student",
              disable=not progress) as bar:
        results = _run_on_cluster(job, pending, scheduler) if scheduler else _run(job, pending, jobs)
        for row in results:
            rows.append(row)
            bar.update(1)
    write_gradebook(out / GRADEBOOK_FILE, rows, list(topics))
    write_class_outputs(out, submissions, [row["student"] for row in rows],
                        [available[name] for name in topics], templates=course / "templates")
    return rows


def _run(job: BatchJob, students: list[Path], jobs: int):
    if jobs <= 1:
        for student in students:
            yield grade_student(job, student)
        return
    context = multiprocessing.get_context("spawn")
    remaining, attempts, completed = list(students), {}, 0
    while remaining:
        with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            running = {pool.submit(grade_student, job, s): s for s in remaining}
            remaining = []
            for future in futures.as_completed(running):
                student = running[future]
                try:
                    yield future.result()
                    completed += 1
                except futures.process.BrokenProcessPool as error:
                    if completed == 0:
                        # Not one student graded: the grading processes cannot run here at all.
                        raise BatchError(f"the grading processes could not start ({error}); "
                                         "try --jobs 1") from None
                    attempts[student] = attempts.get(student, 0) + 1
                    if attempts[student] < 2:
                        remaining.append(student)  # regraded in a fresh pool
                    else:
                        yield _failed_student(job, student)


def _run_on_cluster(job: BatchJob, students: list[Path], scheduler: str):
    try:
        for _, result in run_on_cluster(scheduler, students, functools.partial(read_student, job),
                                        functools.partial(grade_submitted, job),
                                        functools.partial(_failed_result, job)):
            yield _write_student(job, result)
    except (OSError, TimeoutError) as error:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler} ({error})") from None


def _failed_result(job: BatchJob, student_dir: Path) -> StudentResult:
    """A student whose grading killed the grading process twice: 0, with a message, for review."""
    topics = discover_topics(job.course)
    message = "the grader's process died twice while grading this submission; ask your instructor"
    return StudentResult(student_dir.name, [
        grade_source(topics[name], None, file=None, load_error=message, seed=job.student_seed(
            student_dir.name)) for name in job.topics])


def _failed_student(job: BatchJob, student_dir: Path) -> dict:
    return _write_student(job, _failed_result(job, student_dir))
