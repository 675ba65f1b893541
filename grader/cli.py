"""The ``grader`` command: check (students); collect, grade, grade-one, gradescope build, export,
notebooks build, release, new-topic, validate, audit (instructors); topics."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from grader.authoring.audit import DEFAULT_MAX_MUTANTS, DEFAULT_SEED, audit_topic, format_report, format_table
from grader.authoring.gradescope import AutograderOptions, GradescopeError, build_autograder
from grader.authoring.notebooks import RosterError, build_student_notebooks, read_roster, write_notebook
from grader.authoring.otter_export import ExportError, write_master_notebooks
from grader.authoring.release import ReleaseError, release
from grader.authoring.scaffold import ScaffoldError, new_topic
from grader.authoring.validate import validate_topic
from grader.batch.grade import BatchError, run_batch
from grader.batch.grade_one import GRADESCOPE_MEMORY_MB, OneOptions, grade_one
from grader.batch.log import LOG_FILE
from grader.collect.layout import identity_names, submission_times
from grader.collect.platforms import PLATFORMS, CollectError, collect
from grader.course.fingerprint import grader_version
from grader.course.policy import COURSE_FILE, PolicyError, read_policy
from grader.course.sources import default_check_path
from grader.course.topics import CourseNotFound, UnknownTopic, discover_topics, find_course_root, get_topic
from grader.grading.runner import grade_file, tests_calling
from grader.outputs.canvas import (CanvasExportError, ExportOptions, canvas_export, details_path,
                                   read_canvas_roster, read_out, write_canvas_export)
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
    only = None
    if args.function:
        if args.function not in topic.signatures:
            raise UsageError(f"{topic.name} has no function {args.function!r}; its functions are: "
                             f"{', '.join(topic.signatures)}")
        only = tests_calling(args.function)
    started = time.monotonic()
    result = grade_file(topic, path, hidden=False, profile="check", only=only)
    print(format_check(result, path, time.monotonic() - started))
    return EXIT_OK if result.score == result.max_score else EXIT_FAILED_CHECKS


def _limits(course: Path, args) -> Limits:
    """The command line's limits, else course.toml's [limits], else the defaults."""
    try:
        policy = read_policy(course / COURSE_FILE)
    except PolicyError as error:
        raise UsageError(str(error)) from None
    return Limits(call_seconds=next(v for v in (args.call_timeout, policy.call_seconds, Limits.call_seconds)
                                    if v is not None),
                  student_seconds=next(v for v in (args.student_timeout, policy.student_seconds,
                                                   Limits.student_seconds) if v is not None))


def command_grade(args) -> int:
    course = _course(args)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    # A bar is for a person watching: never in a log file, a pipe or CI's output.
    progress = not args.no_progress and sys.stdout.isatty() and sys.stderr.isatty()
    try:
        outcome = run_batch(Path(args.submissions), Path(args.out), course, topics=args.topics,
                            students=args.students, jobs=args.jobs, resume=args.resume,
                            progress=progress, limits=_limits(course, args), seed=args.seed,
                            scheduler=args.scheduler,
                            plans=None if args.plans is None else Path(args.plans))
    except BatchError as error:
        raise UsageError(str(error)) from None
    print(outcome.log.summary())
    print(f"gradebook: {Path(args.out) / 'grades.csv'}; log: {Path(args.out) / LOG_FILE}")
    return EXIT_OK


def command_grade_one(args) -> int:
    options = OneOptions(tuple(args.topics or ()), args.memory_mb, args.deadline, args.seed,
                         Path(args.plans) if args.plans else None)
    data = grade_one(Path(args.submission), Path(args.results), _course(args),
                     metadata=Path(args.metadata) if args.metadata else None, options=options)
    print(f"grade-one: {data.get('score', 0):g} points; results: {args.results}")
    return EXIT_OK


def command_gradescope_build(args) -> int:
    course = _course(args)
    options = AutograderOptions(args.memory_mb, args.deadline, args.seed)
    try:
        out = build_autograder(course, _selected_topics(course, args.topics), Path(args.out),
                               options=options, plans=Path(args.plans) if args.plans else None)
    except GradescopeError as error:
        raise UsageError(str(error)) from None
    print(f"Gradescope autograder: {out} (upload it as the assignment's autograder; it holds the "
          "references and hidden tests, so keep it private)")
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
        masters = write_master_notebooks(topics, out / "master")
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


def command_new_topic(args) -> int:
    course = _course(args)
    try:
        files = new_topic(course, args.name, args.title)
    except ScaffoldError as error:
        raise UsageError(str(error)) from None
    for path in files:
        print(path.relative_to(course))
    print(f"topic {args.name}: edit these four files, then run `grader validate {args.name}`")
    return EXIT_OK


def command_validate(args) -> int:
    course = _course(args)
    topics = [_topic(course, args.topic)] if args.topic else list(discover_topics(course).values())
    valid = True
    for topic in topics:
        report = validate_topic(topic)
        valid &= report.ok
        verdict = "valid" if report.ok else f"{len(report.problems)} problem(s)"
        print(f"{topic.name}: {report.tests} tests, {report.mistakes} known mistakes: {verdict}")
        for problem in report.problems:
            print(f"  - {problem}")
    return EXIT_OK if valid else EXIT_FAILED_CHECKS


def command_collect(args) -> int:
    topics = list(discover_topics(_course(args)))
    try:
        summary = collect(args.platform, Path(args.download), Path(args.out), topics,
                          roster=Path(args.roster) if args.roster else None, pattern=args.pattern,
                          assignment=args.topics)
    except CollectError as error:
        raise UsageError(str(error)) from None
    print(summary.text(Path(args.out)))
    return EXIT_OK


def _assignments(pairs: list[str], option: str, value=str) -> dict:
    """TOPIC=VALUE options as a dict."""
    found = {}
    for pair in pairs or []:
        topic, equals, text = pair.partition("=")
        try:
            found[topic.strip()] = value(text.strip())
        except ValueError:
            equals = ""
        if not equals or not topic.strip():
            raise UsageError(f"{option} {pair!r}: expected TOPIC=VALUE")
    return found


def command_export_canvas(args) -> int:
    course = _course(args)
    policy_file = Path(args.policy) if args.policy else course / COURSE_FILE
    submissions = Path(args.submissions) if args.submissions else None
    try:
        policy = read_policy(policy_file)
        grades, unreadable = read_out(Path(args.results))
        roster = read_canvas_roster(Path(args.roster)) if args.roster else None
    except (PolicyError, CanvasExportError) as error:
        raise UsageError(str(error)) from None
    graded = {t for g in grades for t in g.topics}
    titles, points = _assignments(args.map, "--map"), _assignments(args.points, "--points", float)
    known = discover_topics(course)
    unknown = sorted((set(titles) | set(points)) - set(known))
    if unknown:
        raise UsageError(f"unknown topic {', '.join(unknown)}; the topics are: {', '.join(known)}")
    options = ExportOptions(
        [t for t in known if t in graded], titles, points, args.missing,
        policy, submission_times(submissions) if submissions else {},
        {s: p.name for s, p in identity_names(submissions).items() if p.name} if submissions else {})
    export = canvas_export(grades, options, roster)
    write_canvas_export(Path(args.out), export)
    print(f"{len(grades)} students: {args.out} (import in Canvas), {details_path(Path(args.out))} "
          "(raw score, late penalty, final score)")
    for label, names in (("not in the roster (left out)", export.not_in_roster),
                         ("joined to no one roster row (left out, ambiguous)", export.ambiguous),
                         ("in the roster without results", export.without_grades),
                         ("with an unreadable results.json", unreadable)):
        if names:
            print(f"{len(names)} {label}: {', '.join(names)}")
    return EXIT_OK


def command_audit(args) -> int:
    course = _course(args)
    topics = [_topic(course, name) for name in args.topics]
    if any(topic.reference is None or topic.hidden_tests is None for topic in topics):
        raise UsageError("audit needs the topic's reference and hidden tests (solutions/)")
    if args.max_mutants is not None and args.max_mutants < 1:
        raise UsageError("--max-mutants must be at least 1")
    reports = []
    for topic in topics:
        report = audit_topic(topic, max_mutants=args.max_mutants, seed=args.seed)
        print(format_report(report) + "\n")
        reports.append(report)
    print(format_table(reports))
    below = [r.topic for r in reports if r.kill_rate < args.min_kill_rate]
    return EXIT_FAILED_CHECKS if below else EXIT_OK


def command_topics(args) -> int:
    for name, topic in discover_topics(_course(args)).items():
        print(f"{name:20s} {topic.title}")
    return EXIT_OK


def _variation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", nargs="+", metavar="NAME", help="topics (default: all)")
    parser.add_argument("--seed", type=int, help="course seed for the examples' data (with --roster, "
                                                 "each student's seed comes from it and their id)")
    parser.add_argument("--roster", help="CSV with a student_id column: one notebook per student")


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", nargs="+", metavar="NAME", help="topics (default: all)")
    parser.add_argument("--memory-mb", type=int, default=GRADESCOPE_MEMORY_MB,
                        help="the container's memory (Gradescope's default: 768)")
    parser.add_argument("--deadline", type=float, default=OneOptions.deadline_seconds, metavar="SECONDS",
                        help="total time for one submission, results included (Gradescope's "
                             "timeout is 600 s by default)")
    parser.add_argument("--seed", type=int, help="course seed: each student's graded inputs come "
                                                 "from it and their id")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Auto-graded ML exercises.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {grader_version()}")
    parser.add_argument("--course", help="course folder with exercises/ and solutions/ "
                                         "(default: found from the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run a topic's public tests on your file")
    check.add_argument("topic")
    check.add_argument("path", nargs="?", help="your file (default: ./TOPIC.py, else the stub)")
    check.add_argument("-k", dest="function", metavar="FUNCTION",
                       help="only the tests that call this function")
    check.set_defaults(run=command_check)

    grade = commands.add_parser("grade", help="grade a folder of student submissions")
    grade.add_argument("submissions", help="folder with one subfolder per student")
    grade.add_argument("--out", required=True, help="where reports and grades.csv are written")
    grade.add_argument("--topics", nargs="+", metavar="NAME", help="topics to grade (default: all found); "
                       "other topics' grades in OUT are kept")
    grade.add_argument("--students", nargs="+", metavar="ID",
                       help="grade only these students (folder names); the others' grades in OUT are kept")
    grade.add_argument("--jobs", type=int, default=1, help="students graded in parallel")
    grade.add_argument("--resume", action="store_true",
                       help="keep each grade in OUT whose file, tests, grader, seed and limits "
                            "are unchanged; grade the rest")
    grade.add_argument("--call-timeout", type=float,
                       help=f"seconds one call into student code may take (default: course.toml's "
                            f"[limits] call_seconds, else {Limits.call_seconds:g})")
    grade.add_argument("--student-timeout", type=float,
                       help="seconds of grading one student may take, all topics together; "
                            "later tests are reported as not run (default: course.toml's [limits] "
                            f"student_seconds, else {Limits.student_seconds:g})")
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

    one = commands.add_parser("grade-one", help="grade one submission folder as one student "
                                                "(what Gradescope's run_autograder runs)")
    one.add_argument("submission", help="the student's files (any names; one folder level)")
    one.add_argument("--results", required=True, help="where results.json is written (always)")
    one.add_argument("--metadata", help="Gradescope's submission_metadata.json (the student's identity)")
    one.add_argument("--plans", metavar="FOLDER", help="the test plans built with the autograder")
    _limit_options(one)
    one.set_defaults(run=command_grade_one)

    gradescope = commands.add_parser("gradescope", help="Gradescope's autograder")
    gradescope_commands = gradescope.add_subparsers(dest="gradescope_command", required=True)
    gs_build = gradescope_commands.add_parser("build", help="the autograder zip: setup.sh, run_autograder, "
                                                            "the course with its solutions")
    gs_build.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    gs_build.add_argument("--plans", metavar="FOLDER", help="test plans to ship in the zip's plans/ "
                                                            "(default: built now, for every topic)")
    _limit_options(gs_build)
    gs_build.set_defaults(run=command_gradescope_build)

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

    scaffold = commands.add_parser("new-topic", help="write the four files of a new topic, "
                                                     "with a worked example to edit")
    scaffold.add_argument("name", help="the topic's name: the module students write (lowercase)")
    scaffold.add_argument("--title", help="the topic's title (the stub's first docstring line)")
    scaffold.set_defaults(run=command_new_topic)

    validate = commands.add_parser("validate", help="check a topic through the sandbox: the reference "
                                                    "scores full marks, the stub nothing, and more")
    validate.add_argument("topic", nargs="?", help="one topic (default: every topic)")
    validate.set_defaults(run=command_validate)

    gather = commands.add_parser("collect", help="an LMS download into SUBMISSIONS/<student>/<topic>.py")
    gather.add_argument("download", help="the download: a zip or a folder")
    gather.add_argument("--from", dest="platform", required=True, choices=PLATFORMS,
                        help="whose naming rule the download follows")
    gather.add_argument("--out", required=True, help="the SUBMISSIONS folder (merged into if it exists)")
    gather.add_argument("--roster", help="CSV of the students expected (id, name, email columns)")
    gather.add_argument("--pattern", help="--from regex: a regex with named groups student_id and "
                                          "topic or file, matched against each file's path")
    gather.add_argument("--topics", nargs="+", metavar="TOPIC",
                        help="the topics of the assignment this download is of (default: all); "
                             "files of other topics are listed, not collected")
    gather.set_defaults(run=command_collect)

    export = commands.add_parser("export", help="grades in OUT for an LMS's gradebook import")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    canvas = export_commands.add_parser("canvas", help="Canvas's gradebook import CSV")
    canvas.add_argument("results", help="the OUT folder of grader grade")
    canvas.add_argument("--out", required=True, help="the CSV to write")
    canvas.add_argument("--roster", help="Canvas's own gradebook export: its identity columns are "
                                         "copied and students joined on them")
    canvas.add_argument("--map", nargs="+", metavar='TOPIC="Title (id)"',
                        help="the Canvas assignment each topic updates")
    canvas.add_argument("--points", nargs="+", metavar="TOPIC=N", help="the Canvas assignment's points")
    canvas.add_argument("--missing", choices=("blank", "zero"), default="blank",
                        help="a topic not handed in: blank (no score) or 0")
    canvas.add_argument("--submissions", help="the SUBMISSIONS folder of grader collect: its "
                                              "collect.csv gives names and submission times")
    canvas.add_argument("--policy", help=f"course file with due dates and the late rule "
                                         f"(default: the course's {COURSE_FILE})")
    canvas.set_defaults(run=command_export_canvas)

    audit = commands.add_parser("audit", help="mutation testing: how many wrong variants of the "
                                              "reference the hidden tests catch")
    audit.add_argument("topics", nargs="+", metavar="TOPIC")
    audit.add_argument("--max-mutants", type=int, default=DEFAULT_MAX_MUTANTS,
                       help="mutants audited per topic, spread over the operator classes "
                            f"(default {DEFAULT_MAX_MUTANTS})")
    audit.add_argument("--seed", type=int, default=DEFAULT_SEED,
                       help="which mutants are sampled (the same seed, the same mutants)")
    audit.add_argument("--min-kill-rate", type=float, default=0.0, metavar="RATE",
                       help="exit with status 1 when a topic's kill rate is below RATE (0 to 1)")
    audit.set_defaults(run=command_audit)

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
