"""The ``grader`` command: check (students); collect, grade, grade-one, gradescope build, export,
notebooks build, release, new-topic, validate, audit (instructors); topics.

This module only parses: each command names its function in grader/commands/, and ``main``
imports that module when the command runs (``grader check`` never loads what ``audit`` needs).
The defaults shown here come from light modules, not from the commands' own."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from grader.audit_defaults import DEFAULT_MAX_MUTANTS, DEFAULT_SEED
from grader.batch.gradescope_container import DEADLINE_SECONDS, GRADESCOPE_MEMORY_MB
from grader.collect import PLATFORMS
from grader.commands.arguments import EXIT_USAGE, UsageError
from grader.course.fingerprint import grader_version
from grader.course.policy import COURSE_FILE
from grader.sandbox.limits import Limits


def _variation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", nargs="+", metavar="NAME", help="topics (default: all)")
    parser.add_argument("--seed", type=int, help="course seed for the examples' data (with --roster, "
                                                 "each student's seed comes from it and their id)")
    parser.add_argument("--roster", help="CSV with a student_id column: one notebook per student")


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", nargs="+", metavar="NAME", help="topics (default: all)")
    parser.add_argument("--memory-mb", type=int, default=GRADESCOPE_MEMORY_MB,
                        help="the container's memory (Gradescope's default: 768)")
    parser.add_argument("--deadline", type=float, default=DEADLINE_SECONDS, metavar="SECONDS",
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
    check.set_defaults(run=("grader.commands.check", "command_check"))

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
    grade.set_defaults(run=("grader.commands.grade", "command_grade"))

    one = commands.add_parser("grade-one", help="grade one submission folder as one student "
                                                "(what Gradescope's run_autograder runs)")
    one.add_argument("submission", help="the student's files (any names; one folder level)")
    one.add_argument("--results", required=True, help="where results.json is written (always)")
    one.add_argument("--metadata", help="Gradescope's submission_metadata.json (the student's identity)")
    one.add_argument("--plans", metavar="FOLDER", help="the test plans built with the autograder")
    _limit_options(one)
    one.set_defaults(run=("grader.commands.grade", "command_grade_one"))

    gradescope = commands.add_parser("gradescope", help="Gradescope's autograder")
    gradescope_commands = gradescope.add_subparsers(dest="gradescope_command", required=True)
    gs_build = gradescope_commands.add_parser("build", help="the autograder zip: setup.sh, run_autograder, "
                                                            "the course with its solutions")
    gs_build.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    gs_build.add_argument("--plans", metavar="FOLDER", help="test plans to ship in the zip's plans/ "
                                                            "(default: built now, for every topic)")
    _limit_options(gs_build)
    gs_build.set_defaults(run=("grader.commands.authoring", "command_gradescope_build"))

    notebooks = commands.add_parser("notebooks", help="assignment notebooks built from the topics")
    notebook_commands = notebooks.add_subparsers(dest="notebooks_command", required=True)
    build = notebook_commands.add_parser(
        "build", help="student notebooks (OUT/student) and otter-grader master notebooks (OUT/master)")
    build.add_argument("--out", required=True, help="folder the notebooks are written to")
    _variation_options(build)
    build.set_defaults(run=("grader.commands.authoring", "command_notebooks_build"))

    bundle = commands.add_parser("release", help="the student bundle: stubs, public tests, notebooks, "
                                                 "the grader; no references or hidden tests")
    bundle.add_argument("--out", required=True, help="a new folder for the bundle")
    _variation_options(bundle)
    bundle.set_defaults(run=("grader.commands.authoring", "command_release"))

    scaffold = commands.add_parser("new-topic", help="write the four files of a new topic, "
                                                     "with a worked example to edit")
    scaffold.add_argument("name", help="the topic's name: the module students write (lowercase)")
    scaffold.add_argument("--title", help="the topic's title (the stub's first docstring line)")
    scaffold.set_defaults(run=("grader.commands.authoring", "command_new_topic"))

    validate = commands.add_parser("validate", help="check a topic through the sandbox: the reference "
                                                    "scores full marks, the stub nothing, and more")
    validate.add_argument("topic", nargs="?", help="one topic (default: every topic)")
    validate.set_defaults(run=("grader.commands.authoring", "command_validate"))

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
    gather.set_defaults(run=("grader.commands.lms", "command_collect"))

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
    canvas.set_defaults(run=("grader.commands.lms", "command_export_canvas"))

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
    audit.set_defaults(run=("grader.commands.authoring", "command_audit"))

    topics = commands.add_parser("topics", help="list the course's topics")
    topics.set_defaults(run=("grader.commands.check", "command_topics"))
    return parser


EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process SIGPIPE ended


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, function = args.run  # the command's module is imported only now, when it runs
    try:
        return getattr(importlib.import_module(module), function)(args)
    except UsageError as error:
        print(f"grader: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``grader topics | head``): stop as a SIGPIPE would, quietly, and
        # keep the interpreter's last flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
