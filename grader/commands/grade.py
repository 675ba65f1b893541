"""``grader grade`` (a folder of submissions, in parallel) and ``grader grade-one`` (one
submission as one student: what Gradescope's run_autograder runs)."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from grader.batch.grade import BatchError, run_batch
from grader.batch.grade_one import OneOptions, grade_one
from grader.batch.log import LOG_FILE
from grader.commands.arguments import EXIT_OK, UsageError, course_root, grading_limits
from grader.sandbox.cpu import on_one_cpu


def command_grade(args) -> int:
    course = course_root(args)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    # A bar is for a person watching: never in a log file, a pipe or CI's output.
    progress = not args.no_progress and sys.stdout.isatty() and sys.stderr.isatty()
    # With --jobs 1 grading runs in this process: it and its workers share a CPU.
    pinned = on_one_cpu() if args.jobs == 1 and not args.scheduler else contextlib.nullcontext()
    try:
        with pinned:
            outcome = run_batch(Path(args.submissions), Path(args.out), course, topics=args.topics,
                                students=args.students, jobs=args.jobs, resume=args.resume,
                                progress=progress, limits=grading_limits(course, args), seed=args.seed,
                                scheduler=args.scheduler,
                                plans=None if args.plans is None else Path(args.plans))
    except BatchError as error:
        raise UsageError(str(error)) from None
    print(outcome.log.summary())
    print(f"gradebook: {Path(args.out) / 'grades.csv'}; log: {Path(args.out) / LOG_FILE}")
    return EXIT_OK


def command_grade_one(args) -> int:
    # course.toml's call limit, as a local batch takes it; the deadline bounds the student's total.
    call_seconds = grading_limits(course_root(args), args).call_seconds
    options = OneOptions(tuple(args.topics or ()), args.memory_mb, args.deadline, args.seed,
                         Path(args.plans) if args.plans else None, call_seconds)
    with on_one_cpu():  # this process and its workers share a CPU (grader.sandbox.cpu)
        data = grade_one(Path(args.submission), Path(args.results), course_root(args),
                         metadata=Path(args.metadata) if args.metadata else None, options=options)
    print(f"grade-one: {data.get('score', 0):g} points; results: {args.results}")
    return EXIT_OK
