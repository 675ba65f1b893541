"""The ``grader`` command: check (students); grade, notebooks build, release (instructors); topics."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from grader.authoring.notebooks import RosterError, build_student_notebooks, read_roster, write_notebook
from grader.authoring.otter_export import ExportError, master_notebook
from grader.authoring.release import ReleaseError, release
from grader.batch.grade import BatchError, grade_batch
from grader.course.sources import default_check_path
from grader.course.topics import CourseNotFound, UnknownTopic, discover_topics, find_course_root, get_topic
from grader.grading.runner import grade_file
from grader.outputs.terminal import format_check
from grader.sandbox.launcher import Limits

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _course(args) -> Path:
    try:
        return Path(args.course).resolve() if args.course else find_course_root()
    except CourseNotFound as error:
        raise UsageError(str(error)) from None


def _topic(course: Path, name: str):
    try:
        return get_topic(course, name)
    except UnknownTopic as error:
        raise UsageError(str(error)) from None


def command_check(args) -> int:
    course = _course(args)
    topic = _topic(course, args.topic)
    path = Path(args.path) if args.path else default_check_path(course, topic.name)
    if not path.exists():
        raise UsageError(f"file not found: {path}")
    started = time.monotonic()
    result = grade_file(topic, path, hidden=False, profile="check")
    print(format_check(result, path, time.monotonic() - started))
    return EXIT_OK if result.score == result.max_score else EXIT_FAILED_CHECKS


def command_grade(args) -> int:
    course = _course(args)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    started = time.monotonic()
    try:
        rows = grade_batch(Path(args.submissions), Path(args.out), course, topics=args.topics,
                           jobs=args.jobs, resume=args.resume, progress=not args.no_progress,
                           limits=Limits(call_seconds=args.call_timeout,
                                         student_seconds=args.student_timeout), seed=args.seed,
                           scheduler=args.scheduler,
                           plans=None if args.plans is None else Path(args.plans))
    except BatchError as error:
        raise UsageError(str(error)) from None
    print(f"graded {len(rows)} students in {time.monotonic() - started:.1f} s; "
          f"gradebook: {Path(args.out) / 'grades.csv'}")
    return EXIT_OK


def _selected_topics(course: Path, names: list[str] | None) -> list:
    if not names:
        return list(discover_topics(course).values())
    return [_topic(course, name) for name in names]


def _roster(args) -> list[str] | None:
    if not args.roster:
        return None
    try:
        return read_roster(Path(args.roster))
    except RosterError as error:
        raise UsageError(str(error)) from None


def command_notebooks_build(args) -> int:
    course = _course(args)
    topics = _selected_topics(course, args.topics)
    out = Path(args.out)
    try:
        students = build_student_notebooks(topics, out / "student", course_seed=args.seed,
                                           roster=_roster(args))
        masters = [write_notebook(master_notebook(topic), out / "master" / f"{topic.name}.ipynb")
                   for topic in topics]
    except (RosterError, ExportError) as error:
        raise UsageError(str(error)) from None
    print(f"{len(students)} student notebooks in {out / 'student'}, {len(masters)} otter master "
          f"notebooks in {out / 'master'} (keep those private: they hold the references)")
    return EXIT_OK


def command_release(args) -> int:
    course = _course(args)
    topics = _selected_topics(course, args.topics)
    try:
        files = release(course, topics, Path(args.out), course_seed=args.seed, roster=_roster(args))
    except (RosterError, ReleaseError) as error:
        raise UsageError(str(error)) from None
    print(f"student bundle: {len(files)} files in {args.out} (no references, no hidden tests)")
    return EXIT_OK


def command_topics(args) -> int:
    for name, topic in discover_topics(_course(args)).items():
        print(f"{name:20s} {topic.title}")
    return EXIT_OK


def _variation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", nargs="+", metavar="NAME", help="topics (default: all)")
    parser.add_argument("--seed", type=int, help="course seed for the examples' data (with --roster, "
                                                 "each student's seed comes from it and their id)")
    parser.add_argument("--roster", help="CSV with a student_id column: one notebook per student")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Auto-graded ML exercises.")
    parser.add_argument("--course", help="course folder with exercises/ and solutions/ "
                                         "(default: found from the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run a topic's public tests on your file")
    check.add_argument("topic")
    check.add_argument("path", nargs="?", help="your file (default: ./TOPIC.py, else the stub)")
    check.set_defaults(run=command_check)

    grade = commands.add_parser("grade", help="grade a folder of student submissions")
    grade.add_argument("submissions", help="folder with one subfolder per student")
    grade.add_argument("--out", required=True, help="where reports and grades.csv are written")
    grade.add_argument("--topics", nargs="+", metavar="NAME", help="topics to grade (default: all found)")
    grade.add_argument("--jobs", type=int, default=1, help="students graded in parallel")
    grade.add_argument("--resume", action="store_true",
                       help="keep students already graded in OUT; grade the rest")
    grade.add_argument("--call-timeout", type=float, default=Limits.call_seconds,
                       help="seconds one call into student code may take")
    grade.add_argument("--student-timeout", type=float, default=Limits.student_seconds,
                       help="seconds of grading one student may take, all topics together; "
                            "later tests are reported as not run")
    grade.add_argument("--plans", metavar="FOLDER",
                       help="where the topics' test plans are kept and reused (default: "
                            "OUT/../.grader-plans); a plan made from other tests, references, "
                            "grader or seed is rebuilt")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786) "
                            "instead of this machine's --jobs processes")
    grade.add_argument("--seed", type=int, help="give each student their own graded inputs, derived "
                                               "from this course seed and their id (reproducible)")
    grade.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    grade.set_defaults(run=command_grade)

    notebooks = commands.add_parser("notebooks", help="assignment notebooks built from the topics")
    notebook_commands = notebooks.add_subparsers(dest="notebooks_command", required=True)
    build = notebook_commands.add_parser(
        "build", help="student notebooks (OUT/student) and otter-grader master notebooks (OUT/master)")
    build.add_argument("--out", required=True, help="folder the notebooks are written to")
    _variation_options(build)
    build.set_defaults(run=command_notebooks_build)

    bundle = commands.add_parser("release", help="the student bundle: stubs, public tests, notebooks, "
                                                 "the grader; no references or hidden tests")
    bundle.add_argument("--out", required=True, help="a new folder for the bundle")
    _variation_options(bundle)
    bundle.set_defaults(run=command_release)

    topics = commands.add_parser("topics", help="list the course's topics")
    topics.set_defaults(run=command_topics)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"grader: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
