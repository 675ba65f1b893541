"""A one-topic course written into a folder, for the tests of plans and speculation, and the
same grading with or without speculative batched calls."""
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import ROOT
from grader.course.topics import get_topic
from grader.grading.runner import grade_source
from grader.grading.session import current_session, start_session
from grader.sandbox.submission import Submission

# The "steps" topic of the speculation tests: its stub and its reference.
STEPS_STUB = '''"""Steps."""


def scale(x, a):
    """Return a * x."""
    raise NotImplementedError("scale")


def accumulate(x):
    """Return the running sums of the 1-d array x."""
    raise NotImplementedError("accumulate")
'''
STEPS_REFERENCE = "import numpy as np\n\ndef scale(x, a):\n    return a * x\n\ndef accumulate(x):\n    return np.cumsum(x)\n"


def write_course(root: Path, topic: str, *, exercises: dict[str, str], solutions: dict[str, str]) -> Path:
    """``root`` with exercises/<topic>/ and solutions/<topic>/ holding these files, and the
    course's templates."""
    for folder, files in {f"exercises/{topic}": exercises, f"solutions/{topic}": solutions}.items():
        (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / folder / name).write_text(text)
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def graded_outcomes(course: Path, topic: str, plans: Path, source: str, *, speculate: bool,
                    monkeypatch, limits=None) -> list[dict]:
    """Every field of every outcome, graded in a fresh session with or without speculation."""
    with monkeypatch.context() as patch:
        if not speculate:
            patch.setattr(Submission, "expect_calls", lambda self, planned: None)
        start_session()
        result = grade_source(get_topic(course, topic), source, file=f"{topic}.py", plans=plans,
                              limits=limits)
    return [asdict(outcome) for outcome in result.outcomes]


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts as a new grading process would (nothing recorded or loaded); a module
    imports this to use it."""
    old = current_session()
    start_session()
    yield
    start_session(old)


def steps_plans(course: Path, folder: Path) -> Path:
    """``folder`` with the steps topic's plan, made by grading its reference."""
    grade_source(get_topic(course, "steps"), STEPS_REFERENCE, file="steps.py", plans=folder)
    return folder
