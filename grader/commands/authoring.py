"""What an instructor builds from the course: ``grader gradescope build``, ``notebooks build``,
``release``, ``new-topic``, ``validate`` and ``audit`` (mutation testing of the hidden tests)."""
from __future__ import annotations

from pathlib import Path

from grader.authoring.audit import audit_topic, format_report, format_table
from grader.authoring.gradescope import AutograderOptions, GradescopeError, build_autograder
from grader.authoring.notebooks import RosterError, build_student_notebooks
from grader.authoring.otter_export import ExportError, write_master_notebooks
from grader.authoring.release import ReleaseError, release
from grader.authoring.scaffold import ScaffoldError, new_topic
from grader.authoring.validate import validate_topic
from grader.commands.arguments import (EXIT_FAILED_CHECKS, EXIT_OK, UsageError, course_root, named_topic,
                                       roster, selected_topics)
from grader.course.topics import discover_topics


def command_gradescope_build(args) -> int:
    course = course_root(args)
    options = AutograderOptions(args.memory_mb, args.deadline, args.seed)
    try:
        out = build_autograder(course, selected_topics(course, args.topics), Path(args.out),
                               options=options, plans=Path(args.plans) if args.plans else None)
    except GradescopeError as error:
        raise UsageError(str(error)) from None
    print(f"Gradescope autograder: {out} (upload it as the assignment's autograder; it holds the "
          "references and hidden tests, so keep it private)")
    return EXIT_OK


def command_notebooks_build(args) -> int:
    course = course_root(args)
    topics = selected_topics(course, args.topics)
    out = Path(args.out)
    try:
        students = build_student_notebooks(topics, out / "student", course_seed=args.seed,
                                           roster=roster(args))
        masters = write_master_notebooks(topics, out / "master")
    except (RosterError, ExportError) as error:
        raise UsageError(str(error)) from None
    print(f"{len(students)} student notebooks in {out / 'student'}, {len(masters)} otter master "
          f"notebooks in {out / 'master'} (keep those private: they hold the references)")
    return EXIT_OK


def command_release(args) -> int:
    course = course_root(args)
    topics = selected_topics(course, args.topics)
    try:
        files = release(course, topics, Path(args.out), course_seed=args.seed, roster=roster(args))
    except (RosterError, ReleaseError) as error:
        raise UsageError(str(error)) from None
    print(f"student bundle: {len(files)} files in {args.out} (no references, no hidden tests)")
    return EXIT_OK


def command_new_topic(args) -> int:
    course = course_root(args)
    try:
        files = new_topic(course, args.name, args.title)
    except ScaffoldError as error:
        raise UsageError(str(error)) from None
    for path in files:
        print(path.relative_to(course))
    print(f"topic {args.name}: edit these four files, then run `grader validate {args.name}`")
    return EXIT_OK


def command_validate(args) -> int:
    course = course_root(args)
    topics = [named_topic(course, args.topic)] if args.topic else list(discover_topics(course).values())
    valid = True
    for topic in topics:
        report = validate_topic(topic)
        valid &= report.ok
        verdict = "valid" if report.ok else f"{len(report.problems)} problem(s)"
        print(f"{topic.name}: {report.tests} tests, {report.mistakes} known mistakes: {verdict}")
        for problem in report.problems:
            print(f"  - {problem}")
    return EXIT_OK if valid else EXIT_FAILED_CHECKS


def command_audit(args) -> int:
    course = course_root(args)
    topics = [named_topic(course, name) for name in args.topics]
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
