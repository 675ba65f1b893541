"""What commands read from their arguments: the course folder, topics by name, limits from
course.toml, a roster, TOPIC=VALUE pairs; ``UsageError`` (a bad invocation, exit 2) and the
exit codes. Light to import: grader.cli imports it to build the parser and to report errors."""
from __future__ import annotations

from pathlib import Path

from grader.course.policy import COURSE_FILE, PolicyError, read_policy
from grader.course.topics import (CourseNotFound, Topic, UnknownTopic, discover_topics, find_course_root,
                                  get_topic)
from grader.sandbox.limits import Limits

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def course_root(args) -> Path:
    try:
        return Path(args.course).resolve() if args.course else find_course_root()
    except CourseNotFound as error:
        raise UsageError(str(error)) from None


def named_topic(course: Path, name: str) -> Topic:
    try:
        return get_topic(course, name)
    except UnknownTopic as error:
        raise UsageError(str(error)) from None


def grading_limits(course: Path, args) -> Limits:
    """The command line's limits (a command may have none), else course.toml's [limits], else
    the defaults."""
    try:
        policy = read_policy(course / COURSE_FILE)
    except PolicyError as error:
        raise UsageError(str(error)) from None
    return Limits(call_seconds=next(v for v in (getattr(args, "call_timeout", None), policy.call_seconds, Limits.call_seconds)
                                    if v is not None),
                  student_seconds=next(v for v in (getattr(args, "student_timeout", None), policy.student_seconds,
                                                   Limits.student_seconds) if v is not None))


def selected_topics(course: Path, names: list[str] | None) -> list:
    if not names:
        return list(discover_topics(course).values())
    return [named_topic(course, name) for name in names]


def roster(args) -> list[str] | None:
    if not args.roster:
        return None
    # Here, not at the top: reading a roster is grader.authoring's (notebooks per student),
    # which this module, imported by every command, must not load.
    from grader.authoring.notebooks import RosterError, read_roster
    try:
        return read_roster(Path(args.roster))
    except RosterError as error:
        raise UsageError(str(error)) from None


def topic_pairs(pairs: list[str], option: str, value=str) -> dict:
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
