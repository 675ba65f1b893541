"""``grader validate [TOPIC]``: a topic is checked through the real sandboxed grading path.

A topic is valid when it has tests, every test has points and a description, the reference
gets full marks and the stub gets nothing (public and hidden tests), and every known mistake
a test lists can be diagnosed: on some input the tests draw, its model differs from the right
answer and from the models listed before it, so its hint can reach a student.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from grader import testing
from grader.course.sources import read_source
from grader.course.topics import Topic
from grader.grading.outcomes import TopicResult
from grader.grading.runner import collect_tests, grade_source
from grader.grading.session import current_session, start_session


@dataclass
class Validation:
    topic: str
    problems: list[str] = field(default_factory=list)
    tests: int = 0
    mistakes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _failed(result: TopicResult) -> list[str]:
    return [f"{o.name}: {o.message.splitlines()[0] if o.message else 'failed'}"
            for o in result.outcomes if not o.passed]


def validate_topic(topic: Topic) -> Validation:
    """Every problem found with ``topic``, each a sentence for its author.

    It runs in a session of its own, so files the author edited since are read afresh."""
    previous = current_session()
    start_session()
    try:
        return _validate(topic)
    finally:
        start_session(previous)


def _validate(topic: Topic) -> Validation:
    report = Validation(topic.name)
    if topic.reference is None or topic.hidden_tests is None:
        missing = "reference" if topic.reference is None else "hidden tests"
        report.problems.append(f"no {missing} in solutions/{topic.name}/")
        return report
    cases = collect_tests(topic, public=True, hidden=True)
    report.tests = len(cases)
    if not cases:
        report.problems.append("the topic has no tests (functions named test_* in its test files)")
        return report
    for case in cases:
        if getattr(case.function, testing.POINTS_ATTRIBUTE, None) is None:
            report.problems.append(f"{case.name} has no @points(n)")
        elif case.max_points <= 0:
            report.problems.append(f"{case.name} is worth {case.max_points:g} points")
        if not (case.function.__doc__ or "").strip():
            report.problems.append(f"{case.name} has no docstring (its first line is what students read)")
    with testing.mistake_census() as census:
        reference = grade_source(topic, read_source(topic.reference), file=topic.reference.name)
    if reference.error:
        report.problems.append(f"the reference does not load: {reference.error}")
    report.problems += [f"the reference fails {line}" for line in _failed(reference)]
    stub = grade_source(topic, read_source(topic.stub), file=topic.stub.name)
    report.problems += [f"the stub passes {o.name}: a test that an empty stub passes gives free points"
                        for o in stub.outcomes if o.passed]
    report.mistakes = len(census)
    report.problems += [f"the known mistake {name!r} never differs from the right answer (or from a "
                        "mistake listed before it) on the inputs the tests use, so its hint can never "
                        "be shown" for name, telling in sorted(census.items()) if not telling]
    return report
