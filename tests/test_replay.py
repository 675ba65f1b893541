"""Replay: a property test's examples are drawn once per grading process and replayed per student,
with exactly the outcome hypothesis would have given."""
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from grader.course.topics import get_topic
from grader.grading import replay, runner
from grader.grading.runner import grade_source
from grader.grading.session import current_session

STUB = '''"""Means."""


def mean(x):
    """Return the mean of the 1-d array x as a float."""
    raise NotImplementedError("mean")


def draws_wanted(x):
    """How many extra values the test should draw (an int)."""
    raise NotImplementedError("draws_wanted")
'''
PUBLIC = '''from hypothesis import given
from grader.strategies import arrays
from grader.testing import expect_close, points


@points(1)
@given(x=arrays(4))
def test_mean_of_four_values(student, x):
    """mean is the average of four values."""
    expect_close(student.mean(x), (x[0] + x[1] + x[2] + x[3]) / 4, "mean")
'''
HIDDEN = '''from hypothesis import given, strategies as st
from grader.strategies import arrays, floats
from grader.testing import expect_close, points, record


@points(1)
@given(x=arrays(3))
def test_mean_matches_reference(student, reference, x):
    """mean is right on length-3 vectors."""
    record("input", x.tolist())
    expect_close(student.mean(x), reference.mean(x), "mean")


@points(1)
@given(data=st.data())
def test_draws_follow_the_answer(student, reference, data):
    """the test draws as many values as the student asks for."""
    wanted = int(student.draws_wanted(data.draw(arrays(2), label="x")))
    record("drawn", [data.draw(floats(), label=f"extra {i}") for i in range(min(wanted, 5))])
'''
REFERENCE = '''def mean(x):
    return float(x.mean())


def draws_wanted(x):
    return 1
'''
CORRECT = "def mean(x):\n    return float(sum(x) / len(x))\n\n\ndef draws_wanted(x):\n    return 1\n"
WRONG_ON_LARGE_FIRST = ("def mean(x):\n    return float(x.mean()) + (1.0 if x[0] > 1 else 0.0)\n\n\n"
                        "def draws_wanted(x):\n    return 1\n")
WANTS_MORE_DRAWS = CORRECT.replace("return 1", "return 3")


@pytest.fixture(scope="module")
def topic(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for folder, files in {"exercises/means": {"means.py": STUB, "test_means.py": PUBLIC},
                          "solutions/means": {"means.py": REFERENCE,
                                              "test_means_hidden.py": HIDDEN}}.items():
        (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / folder / name).write_text(text)
    shutil.copytree(ROOT / "templates", root / "templates")
    return get_topic(root, "means")


def outcome(result, name):
    return next(o for o in result.outcomes if o.name == name)


def grade(topic, source, *, replayed=True, monkeypatch=None):
    if not replayed:
        monkeypatch.setattr(runner, "_replayable", lambda case, topic: False)
    return grade_source(topic, source, file="means.py")


def test_replay_gives_a_correct_student_the_examples_hypothesis_draws(topic, monkeypatch):
    replayed = outcome(grade(topic, CORRECT), "test_mean_matches_reference")
    drawn = outcome(grade(topic, CORRECT, replayed=False, monkeypatch=monkeypatch),
                    "test_mean_matches_reference")
    assert replayed.passed and drawn.passed
    assert replayed.data["input"] == drawn.data["input"]
    assert len(replayed.data["input"]) >= 10


def test_a_wrong_student_fails_on_the_example_hypothesis_would_have_failed_first(topic, monkeypatch):
    replayed = outcome(grade(topic, WRONG_ON_LARGE_FIRST), "test_mean_matches_reference")
    drawn = outcome(grade(topic, WRONG_ON_LARGE_FIRST, replayed=False, monkeypatch=monkeypatch),
                    "test_mean_matches_reference")
    assert not replayed.passed and not drawn.passed
    assert replayed.data["input"][-1][0] > 1
    # Hypothesis runs the failing example once more to report it; the inputs before that agree.
    assert replayed.data["input"] == drawn.data["input"][:len(replayed.data["input"])]


def test_examples_are_recorded_once_per_process(topic, monkeypatch):
    grade(topic, CORRECT)

    def no_second_recording(*args):
        raise AssertionError("recorded again")
    monkeypatch.setattr(runner, "TrustedSubmission", no_second_recording)
    assert all(o.passed for o in grade(topic, CORRECT).outcomes
               if o.name != "test_draws_follow_the_answer")


def test_draws_that_depend_on_the_students_answers_fall_back_to_hypothesis(topic):
    result = outcome(grade(topic, WANTS_MORE_DRAWS), "test_draws_follow_the_answer")
    assert result.passed
    assert all(len(drawn) == 3 for drawn in result.data["drawn"])


def test_a_failing_public_property_test_shows_a_shrunk_counterexample(topic):
    result = outcome(grade(topic, WRONG_ON_LARGE_FIRST), "test_mean_of_four_values")
    assert not result.passed
    assert result.counterexample
    # Hypothesis shrinks floats towards small integers; the details belong to that example.
    shown = re.search(r"x=array\(\[([^\]]*)\]\)", result.counterexample).group(1)
    x = [float(v) for v in shown.split(",")]
    assert all(v == int(v) for v in x) and x[0] > 1
    assert f"expected {np.mean(x):g}" in result.detail.replace(".,", ",").replace(". ", " ")


def test_a_test_the_reference_fails_is_not_replayed(topic):
    test = runner.collect_tests(topic, public=True, hidden=False)[0].function
    recordings = current_session().recordings
    recordings.pop(test, None)
    assert replay.record(test, lambda: {"student": BrokenStudent()}, recordings) is None
    recordings.pop(test)


class BrokenStudent:
    def mean(self, x):
        raise ValueError("broken")


def test_drawn_examples_do_not_depend_on_the_modules_the_process_has_loaded(topic, tmp_path):
    test = next(c.function for c in runner.collect_tests(topic, public=False, hidden=True)
                if c.name == "test_mean_matches_reference")
    session = current_session()
    reference = {"student": runner.TrustedSubmission(session.reference_module(topic), topic.signatures),
                 "reference": session.reference_module(topic)}
    session.recordings.pop(test, None)
    before = replay.record(test, lambda: reference, session.recordings)
    # Hypothesis would otherwise draw literals found in any newly loaded local module.
    constants = tmp_path / "many_constants.py"
    constants.write_text("VALUES = [" + ", ".join(f"{v / 7:.6f}" for v in range(-20, 21)) + "]\n")
    session.load_module(constants, "_many_constants")
    session.recordings.pop(test)
    after = replay.record(test, lambda: reference, session.recordings)
    assert [e.arguments["x"].tolist() for e in before] == [e.arguments["x"].tolist() for e in after]
