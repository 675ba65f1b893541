"""``pytest exercises/<topic>``: a topic's public tests, graded as ``grader check`` grades them.

``exercises/conftest.py`` takes its hooks and the ``student`` fixture from here. The
student's file (``--submission PATH``; by default the file ``grader check`` picks: ./TOPIC.py,
./TOPIC.ipynb, else the stub) is loaded into the sandbox once per test module, and each test
goes through ``run_test`` under the ``check`` profile, like ``grader check``: the same outcomes,
and a failure reads as ``grader check`` prints it (what ``student_view`` lets through).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from grader.course.sources import SubmissionFileError, default_check_path, read_source
from grader.course.topics import Topic, get_topic
from grader.grading import hypothesis_glue
from grader.grading.outcomes import TestOutcome
from grader.grading.runner import SANDBOX_FILENAME, TestCase, run_test
from grader.outputs.visibility import failure_lines, student_view, visible
from grader.sandbox.submission import StudentUnavailable, Submission

PROFILE = "check"
_points: dict[str, list[float]] = {}  # per topic: points scored, points possible


@dataclass
class CheckedFile:
    """The ``student`` fixture: a topic's submission started in the sandbox, or why it is not."""

    topic: Topic
    path: Path
    submission: Submission | None
    unavailable: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", metavar="PATH",
                     help="the file graded against the public tests (default: what `grader check` "
                          "picks: ./TOPIC.py, ./TOPIC.ipynb, else the stub)")


def _topic_of(test_file: Path) -> Topic:
    folder = test_file.resolve().parent  # exercises/<topic>/test_<topic>.py
    return get_topic(folder.parent.parent, folder.name)


@pytest.fixture(scope="module")
def student(request: pytest.FixtureRequest) -> Iterator[CheckedFile]:
    topic = _topic_of(Path(request.path))
    option = request.config.getoption("--submission")
    path = Path(option) if option else default_check_path(topic.stub.parent.parent.parent, topic.name)
    if not path.is_file():
        yield CheckedFile(topic, path, None, f"file not found: {path}")
        return
    try:
        source = read_source(path)
    except SubmissionFileError as error:
        yield CheckedFile(topic, path, None, str(error))
        return
    submission = Submission(source, module=topic.name, limits=None, signatures=topic.signatures,
                            filename=SANDBOX_FILENAME.format(topic=topic.name))
    with submission:
        try:
            submission.start()
        except StudentUnavailable as error:
            yield CheckedFile(topic, path, None, f"not run: {error}")  # in full, as grader check shows it
            return
        yield CheckedFile(topic, path, submission)


def _profile(name: str):
    return hypothesis_glue.current_profile(name)


def _failure(outcome: TestOutcome) -> str:
    lines = [f"{outcome.description}  [{outcome.points:g}/{outcome.max_points:g}]",
             *failure_lines(student_view(outcome))]
    return visible("\n".join(lines))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    checked = pyfuncitem.funcargs.get("student")
    if not isinstance(checked, CheckedFile):
        return None  # not a topic's test: pytest runs it as usual
    case = TestCase(pyfuncitem.obj, hidden=False)
    scored = _points.setdefault(checked.topic.name, [0.0, 0.0])
    scored[1] += case.max_points
    if checked.submission is None:
        pytest.fail(visible(f"{case.description}  [0/{case.max_points:g}]\n{checked.unavailable}"),
                    pytrace=False)
    with _profile(PROFILE):
        outcome = run_test(case, checked.topic, checked.submission)
    scored[0] += outcome.points
    if not outcome.passed:
        pytest.fail(_failure(outcome), pytrace=False)
    return True


def pytest_terminal_summary(terminalreporter) -> None:
    for topic, (points, possible) in _points.items():
        terminalreporter.write_line(f"{topic}: {points:g}/{possible:g} points on the public tests. "
                                    "Hidden tests check more when your work is graded.")
