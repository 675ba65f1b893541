"""Grading a whole class into OUT, which always holds the right grade of every (student, topic).

OUT is a store (``grader.batch.store``): each student's record holds each topic's result and
what it depends on. A run grades the (student, topic) pairs it selects (``topics``,
``students``), or with ``resume`` only those whose inputs differ from the record's, merges
them into the records and keeps every other grade. Each student's record, ``results.json``
and ``report.html`` are written by the process that graded them, atomically; then every
student's files are checked against their record (a run killed between two of a student's
files is repaired here) and the class outputs are rebuilt from every record OUT holds, one
student at a time, so memory does not grow with the class beyond one small row per student.
"""
from __future__ import annotations

import concurrent.futures as futures
import functools
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from grader.batch.cluster import run_on_cluster
from grader.batch.log import CHANGED, LOG_FILE, NEW, REQUESTED, PairLog, RunLog, StudentLog
from grader.batch.store import StudentRecord, TopicRecord, grade_inputs, load_record, save_record, stored_records
from grader.collect.layout import canvas_user_ids, identity_names, submission_times
from grader.course.policy import COURSE_FILE, Penalty, Policy, PolicyError, SubmissionTime, read_policy
from grader.course.sources import SUBMISSION_SUFFIXES, SubmittedFile, read_submissions, submitted_names
from grader.course.topics import Topic, discover_topics
from grader.course.variation import student_seed
from grader.grading import plan
from grader.grading.outcomes import TopicResult
from grader.grading.phases import TopicSource, grade_in_phases
from grader.grading.runner import StudentDeadline, grade_source
from grader.outputs.class_report import CanvasIdentities, write_class_outputs
from grader.outputs.gradebook import write_gradebook
from grader.outputs.report import render_report
from grader.outputs.results import (TEMPORARY_SUFFIX, StudentResult, results_json_text, write_atomically,
                                   write_if_changed)
from grader.outputs.student_ids import output_name
from grader.sandbox.cpu import keep_to_one_cpu
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
    resume: bool = False  # keep a grade whose inputs are unchanged
    # The late rule and when each (student, topic) was handed in (SUBMISSIONS/collect.csv):
    # applied when a student's files are rendered, so a changed rule needs no regrade.
    policy: Policy = Policy()
    handed_in: dict[tuple[str, str], SubmissionTime] = field(default_factory=dict)
    plans: Path | None = None  # test plans' folder (grader.grading.plan)
    speculate: bool = True  # send planned calls ahead (only with a core to spare: grade_source)

    def late(self, result: StudentResult) -> dict[str, Penalty]:
        """The penalty of each of the student's topics handed in late (under a rule that takes points)."""
        penalties = {t.topic: self.policy.penalty(t.topic, result.student, t.score, self.handed_in.get(
            (result.student, t.topic), SubmissionTime())) for t in result.topics if t.topic not in result.missing}
        return {topic: p for topic, p in penalties.items() if p.days_late > 0 and p.percent > 0}

    def student_seed(self, student: str) -> int | None:
        return None if self.seed is None else student_seed(self.seed, student)


@dataclass
class StudentTask:
    """What one student's grading must do: the pairs to grade (with their files, inputs,
    why, and the score before) and the topics kept. Plain data, sent to a Dask worker."""
    student: str
    submitted: dict[str, SubmittedFile] = field(default_factory=dict)
    inputs: dict[str, dict] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    before: dict[str, float | None] = field(default_factory=dict)
    was_missing: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


@dataclass
class GradedTopics:
    results: dict[str, TopicResult]
    errors: dict[str, str]  # topic -> what went wrong in the grader (never the student's doing)
    started: float
    seconds: float


@dataclass
class BatchOutcome:
    rows: list[dict]  # one per student of this run
    log: RunLog


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


def prepare(job: BatchJob, student_dir: Path) -> StudentTask:
    """Read the student's files and decide, against their record, which pairs to grade."""
    student = student_dir.name
    topics = discover_topics(job.course)
    submitted = read_submissions(student_dir, job.topics, topics)
    record = load_record(job.out, student)
    task = StudentTask(student)
    for name in job.topics:
        inputs = grade_inputs(topics[name], submitted[name], job.student_seed(student), job.limits)
        previous = record.topics.get(name) if record else None
        if previous is not None and job.resume and previous.inputs == inputs:
            task.kept.append(name)
            continue
        task.submitted[name], task.inputs[name] = submitted[name], inputs
        task.before[name] = None if previous is None else previous.result.score
        if previous is not None and previous.missing:
            task.was_missing.append(name)
        task.reasons[name] = (NEW if previous is None else CHANGED if previous.inputs != inputs
                              else REQUESTED)
    return task


def grade_task(job: BatchJob, task: StudentTask) -> GradedTopics:
    """Grade the task's pairs within the student's time (``Limits.student_seconds``), every
    public test before any hidden test (``grader.grading.phases``)."""
    topics = discover_topics(job.course)
    started, clock = time.time(), time.monotonic()
    deadline = StudentDeadline.starting_now(job.limits.student_seconds)
    names = [name for name in job.topics if name in task.submitted]
    sources = [TopicSource(topics[name], task.submitted[name].source if task.submitted[name].error is None
                           else None, task.submitted[name].file, task.submitted[name].error)
               for name in names]
    graded = grade_in_phases(sources, limits=job.limits, seed=job.student_seed(task.student),
                             deadline=deadline, plans=job.plans, speculate=job.speculate)
    results = {name: topic.result for name, topic in zip(names, graded)}
    errors = {name: topic.failure for name, topic in zip(names, graded) if topic.failure}
    return GradedTopics(results, errors, started, time.monotonic() - clock)


def failed_topics(job: BatchJob, task: StudentTask) -> GradedTopics:
    """The task's pairs for a student whose grading killed the grading process twice: 0, with
    a message, for review (and graded again by the next run)."""
    topics = discover_topics(job.course)
    message = "the grader's process died twice while grading this submission; ask your instructor"
    results = {name: grade_source(topics[name], None, file=None, load_error=message,
                                  seed=job.student_seed(task.student)) for name in task.submitted}
    return GradedTopics(results, {name: "the grading process died twice" for name in results},
                        time.time(), 0.0)


def _timeouts(result: TopicResult) -> int:
    return sum(o.timed_out for o in result.outcomes)


def commit(job: BatchJob, task: StudentTask, graded: GradedTopics, restarts: int = 0) -> tuple[dict, StudentLog]:
    """Merge the graded pairs into the student's record, write it and the student's files,
    and return their gradebook row and what was done."""
    record = load_record(job.out, task.student) or StudentRecord(task.student)
    log = StudentLog(task.student, graded.started, graded.seconds, kept=list(task.kept),
                     restarts=restarts)
    for name, result in graded.results.items():
        missing = task.submitted[name].missing
        record.topics[name] = TopicRecord(result, None if name in graded.errors else task.inputs[name],
                                          missing)
        log.graded.append(PairLog(name, task.reasons[name], task.before[name], result.score, missing,
                                  name in task.was_missing))
        log.isolation = log.isolation or (result.isolation if not missing else "")
        log.restarts += len(result.sandbox_failures)
        log.timeouts += _timeouts(result)
    log.grader_errors = [f"{name}: {error}" for name, error in graded.errors.items()]
    saved = save_record(job.out, record) if graded.results else record
    return render_student(job, saved), log


def render_student(job: BatchJob, record: StudentRecord) -> dict:
    """Write the student's results.json and report.html from their record (where they differ)."""
    result = record.student_result(list(discover_topics(job.course)))
    result.late = job.late(result)
    folder = job.out / output_name(result.student)  # the id is data, never a path
    write_if_changed(folder / RESULTS_FILE, results_json_text(result))
    write_if_changed(folder / REPORT_FILE, render_report(result, job.course / "templates"))
    return {"student": result.student, "topics": {t.topic: t.score for t in result.topics},
            "total": result.score, "max_total": result.max_score, "missing": sorted(result.missing)}


def grade_student(job: BatchJob, student_dir: Path, restarts: int = 0) -> tuple[dict, StudentLog]:
    """Grade one student's selected pairs, write their files, return their row and log."""
    task = prepare(job, student_dir)
    return commit(job, task, grade_task(job, task) if task.submitted else
                  GradedTopics({}, {}, time.time(), 0.0), restarts)


def _check_layout(submissions: Path, out: Path, course: Path) -> None:
    submissions, out, course = submissions.resolve(), out.resolve(), course.resolve()
    if out == submissions or submissions in out.parents:
        raise BatchError("the output folder must not be inside the submissions folder")
    protected = (course / "solutions", course / "exercises")
    if out == course or any(out == folder or folder in out.parents for folder in protected):
        raise BatchError("the output folder must not be the course folder or inside its exercises "
                         "or solutions")


def _remove_leftovers(out: Path) -> None:
    """Temporary files of a run killed mid-write: never a whole file, so never read."""
    for pattern in (f".*{TEMPORARY_SUFFIX}", f"*/.*{TEMPORARY_SUFFIX}"):
        for leftover in out.glob(pattern):
            leftover.unlink(missing_ok=True)


def _selected(students: list[Path], names: list[str] | None) -> list[Path]:
    if not names:
        return students
    by_name = {student.name: student for student in students}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise BatchError(f"no submission folder for student {', '.join(unknown)}")
    return [by_name[name] for name in sorted(set(names))]


def grade_batch(submissions: Path, out: Path, course: Path, *, topics: list[str] | None = None,
                students: list[str] | None = None, jobs: int = 1, resume: bool = False,
                progress: bool = True, limits: Limits | None = None, seed: int | None = None,
                scheduler: str | None = None, plans: Path | None = None) -> list[dict]:
    """Grade into OUT (see ``run_batch``); one gradebook row per student of this run."""
    return run_batch(submissions, out, course, topics=topics, students=students, jobs=jobs,
                     resume=resume, progress=progress, limits=limits, seed=seed,
                     scheduler=scheduler, plans=plans).rows


def run_batch(submissions: Path, out: Path, course: Path, *, topics: list[str] | None = None,
              students: list[str] | None = None, jobs: int = 1, resume: bool = False,
              progress: bool = True, limits: Limits | None = None, seed: int | None = None,
              scheduler: str | None = None, plans: Path | None = None) -> BatchOutcome:
    """Grade the selected (student, topic) pairs into OUT, merging with what it holds, then
    rebuild the class outputs from every grade OUT holds and write OUT/grading.log. Test
    plans are kept in ``plans``, by default beside ``out`` (``grader.grading.plan``)."""
    clock = time.monotonic()
    available = discover_topics(course)
    everyone = find_students(submissions)
    if topics:
        unknown = [t for t in topics if t not in available]
        if unknown:
            raise BatchError(f"unknown topic {', '.join(unknown)}; the topics are: {', '.join(available)}")
        topics = [name for name in available if name in set(topics)]
    else:
        topics = topics_in_batch(everyone, available)  # the whole class's, even with --students
        if not topics:
            linked = sum(student.is_symlink() for student in everyone)
            raise BatchError(f"no submission files for any topic ({', '.join(available)}) in {submissions}"
                             + (f"; {linked} of the student folders are symbolic links, which "
                                "are never followed" if linked else ""))
    selected = _selected(everyone, students)
    _check_layout(submissions, out, course)
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    try:
        policy = read_policy(course / COURSE_FILE)
    except PolicyError as error:
        raise BatchError(str(error)) from None
    job = BatchJob(course, out, tuple(topics), limits or Limits(), seed, resume, policy,
                   submission_times(submissions), plan.default_folder(out) if plans is None else plans,
                   speculate=scheduler is None and jobs < (os.cpu_count() or 1))
    rows, run = [], RunLog()
    with tqdm(total=len(selected), desc="grading", unit="student", disable=not progress) as bar:
        results = _run_on_cluster(job, selected, scheduler) if scheduler else _run(job, selected, jobs)
        for row, log in results:
            rows.append(row)
            run.students.append(log)
            bar.update(1)
    run.in_out = _rebuild(job, submissions, available, {row["student"] for row in rows})
    run.seconds = time.monotonic() - clock
    write_atomically(out / LOG_FILE, run.text())
    return BatchOutcome(sorted(rows, key=lambda row: row["student"]), run)


def _rebuild(job: BatchJob, submissions: Path, available: dict[str, Topic], rendered: set[str]) -> int:
    """Check the files of every student not ``rendered`` in this run against their record
    (a run killed between a student's files, a file deleted), then write the class outputs
    from every record; the number of students OUT holds."""
    students, present = [], set()
    for record in stored_records(job.out):
        if record.student not in rendered:
            render_student(job, record)
        students.append(record.student)
        present.update(record.topics)
    topics = [available[name] for name in available if name in present]
    identities = CanvasIdentities({s: p.name for s, p in identity_names(submissions).items() if p.name},
                                  canvas_user_ids(submissions))
    summary = write_class_outputs(job.out, submissions, students, topics,
                                  templates=job.course / "templates", policy=job.policy,
                                  identities=identities)
    write_gradebook(job.out / GRADEBOOK_FILE, summary.rows, [t.name for t in topics])
    return len(students)


def _run(job: BatchJob, students: list[Path], jobs: int):
    if jobs <= 1:
        for student in students:
            yield grade_student(job, student)
        return
    context = multiprocessing.get_context("spawn")
    remaining, attempts, completed = list(students), {}, 0
    while remaining:
        started = context.Value("i", 0)  # numbers the pool's processes, one CPU each
        with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                         initializer=_grading_process, initargs=(started,)) as pool:
            running = {pool.submit(grade_student, job, s, attempts.get(s, 0)): s for s in remaining}
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


def _grading_process(started) -> None:
    """A pool process keeps to a CPU of its own, with its workers (``grader.sandbox.cpu``)."""
    with started.get_lock():
        index, started.value = started.value, started.value + 1
    keep_to_one_cpu(index)


def _failed_student(job: BatchJob, student_dir: Path) -> tuple[dict, StudentLog]:
    task = prepare(job, student_dir)
    return commit(job, task, failed_topics(job, task), restarts=2)


def _run_on_cluster(job: BatchJob, students: list[Path], scheduler: str):
    try:
        for student, (task, graded) in run_on_cluster(
                scheduler, students, functools.partial(prepare, job),
                functools.partial(_grade_on_worker, job), functools.partial(_failed_on_cluster, job)):
            yield commit(job, task, graded)
    except (OSError, TimeoutError) as error:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler} ({error})") from None


def _grade_on_worker(job: BatchJob, student: str, task: StudentTask) -> tuple[StudentTask, GradedTopics]:
    return task, grade_task(job, task)


def _failed_on_cluster(job: BatchJob, student_dir: Path) -> tuple[StudentTask, GradedTopics]:
    task = prepare(job, student_dir)
    return task, failed_topics(job, task)
