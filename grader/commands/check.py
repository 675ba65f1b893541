"""``grader check`` (a student's file against a topic's public tests) and ``grader topics``."""
from __future__ import annotations

import time
from pathlib import Path

from grader.commands.arguments import EXIT_FAILED_CHECKS, EXIT_OK, UsageError, course_root, named_topic
from grader.course.sources import default_check_path
from grader.course.topics import discover_topics
from grader.grading.runner import grade_file, tests_calling
from grader.outputs.terminal import format_check
from grader.sandbox.cpu import on_one_cpu


def command_check(args) -> int:
    course = course_root(args)
    topic = named_topic(course, args.topic)
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
    with on_one_cpu():  # this process and its workers share a CPU (grader.sandbox.cpu)
        result = grade_file(topic, path, hidden=False, profile="check", only=only)
    print(format_check(result, path, time.monotonic() - started))
    return EXIT_OK if result.score == result.max_score else EXIT_FAILED_CHECKS


def command_topics(args) -> int:
    for name, topic in discover_topics(course_root(args)).items():
        print(f"{name:20s} {topic.title}")
    return EXIT_OK
