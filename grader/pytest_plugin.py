"""``pytest exercises/<topic>``: a topic's public tests, graded as ``grader check`` grades them;
``pytest solutions/<topic>``: the hidden tests, which an instructor runs on the reference.

Installed, the package registers this module as a pytest plugin (entry point ``pytest11``);
``exercises/conftest.py`` takes the hooks from here only when it is not installed. The file
graded (``--submission PATH``; by default, for public tests the file ``grader check`` picks:
./TOPIC.py, ./TOPIC.ipynb, else the stub; for hidden tests the reference) is loaded into the
sandbox once per test module, and each test goes through ``run_test``, like ``grader check``
(public tests, ``check`` profile) and ``grader grade`` (hidden tests, ``grading`` profile): the
same outcomes. A public failure reads as ``grader check`` prints it (what ``student_view`` lets
through); a hidden one shows the instructor everything.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
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

PROFILES = {False: "check", True: "grading"}  # by whether the test file is hidden
# per (topic, hidden): points scored, points possible; in pytest's per-run store, not in this module
POINTS = pytest.StashKey[dict[tuple[str, bool], list[float]]]()


@dataclass
class CheckedFile:
    """The ``student`` fixture: a topic's submission started in the sandbox, or why it is not."""

    topic: Topic
    path: Path
    submission: Submission | None
    unavailable: str | None = None
    hidden: bool = False


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", metavar="PATH",
                     help="the file graded against the public tests (default: what `grader check` "
                          "picks: ./TOPIC.py, ./TOPIC.ipynb, else the stub)")


def _topic_of(test_file: Path) -> tuple[Topic, bool]:
    """The topic of exercises/<topic>/test_<topic>.py or solutions/<topic>/test_<topic>_hidden.py,
    and whether the file holds its hidden tests."""
    folder = test_file.resolve().parent
    topic = get_topic(folder.parent.parent, folder.name)
    return topic, topic.hidden_tests is not None and test_file.resolve() == topic.hidden_tests.resolve()


def _default_file(topic: Topic, hidden: bool) -> Path:
    if hidden:
        return topic.reference
    return default_check_path(topic.stub.parent.parent.parent, topic.name)


@pytest.fixture(scope="module")
def student(request: pytest.FixtureRequest) -> Iterator[CheckedFile]:
    topic, hidden = _topic_of(Path(request.path))
    option = request.config.getoption("--submission")
    path = Path(option) if option else _default_file(topic, hidden)
    if path is None or not path.is_file():
        yield CheckedFile(topic, path, None, f"file not found: {path}", hidden)
        return
    try:
        source = read_source(path)
    except SubmissionFileError as error:
        yield CheckedFile(topic, path, None, str(error), hidden)
        return
    submission = Submission(source, module=topic.name, limits=None, signatures=topic.signatures,
                            filename=SANDBOX_FILENAME.format(topic=topic.name))
    with submission:
        try:
            submission.start()
        except StudentUnavailable as error:
            yield CheckedFile(topic, path, None, f"not run: {error}", hidden)  # in full, as grader check shows it
            return
        yield CheckedFile(topic, path, submission, hidden=hidden)


@pytest.fixture(scope="module")
def reference() -> None:
    """Named by hidden tests; ``run_test`` hands them the memoized reference itself."""
    return None


def _failure(outcome: TestOutcome) -> str:
    # Whoever runs the hidden tests holds the solutions: they see what a public test shows.
    view = student_view(replace(outcome, hidden=False))
    lines = [f"{outcome.description}  [{outcome.points:g}/{outcome.max_points:g}]", *failure_lines(view)]
    return visible("\n".join(lines))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    checked = pyfuncitem.funcargs.get("student")
    if not isinstance(checked, CheckedFile):
        return None  # not a topic's test: pytest runs it as usual
    case = TestCase(pyfuncitem.obj, hidden=checked.hidden)
    scored = pyfuncitem.config.stash.setdefault(POINTS, {}).setdefault(
        (checked.topic.name, checked.hidden), [0.0, 0.0])
    scored[1] += case.max_points
    if checked.submission is None:
        pytest.fail(visible(f"{case.description}  [0/{case.max_points:g}]\n{checked.unavailable}"),
                    pytrace=False)
    with hypothesis_glue.current_profile(PROFILES[checked.hidden]):
        outcome = run_test(case, checked.topic, checked.submission)
    scored[0] += outcome.points
    if not outcome.passed:
        pytest.fail(_failure(outcome), pytrace=False)
    return True


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for (topic, hidden), (points, possible) in config.stash.get(POINTS, {}).items():
        terminalreporter.write_line(
            f"{topic}: {points:g}/{possible:g} points on the hidden tests." if hidden else
            f"{topic}: {points:g}/{possible:g} points on the public tests. "
            "Hidden tests check more when your work is graded.")
