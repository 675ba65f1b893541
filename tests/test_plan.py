"""Test plans: a topic's recorded examples are kept on disk, reused by later processes, and
never trusted across a change of what they were made from."""
from dataclasses import asdict

import numpy as np
import pytest

from small_course import fresh_session, write_course  # noqa: F401 (fresh_session: autouse)
from grader.course import fingerprint
from grader.course.topics import get_topic
from grader.grading import plan, replay, runner
from grader.grading.runner import grade_source
from grader.grading.session import start_session

STUB = '''"""Means."""


def mean(x):
    """Return the mean of the 1-d array x as a float."""
    raise NotImplementedError("mean")
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
HIDDEN = '''from hypothesis import given
from grader.strategies import arrays
from grader.testing import expect_close, points, record


@points(1)
@given(x=arrays(3))
def test_mean_matches_reference(student, reference, x):
    """mean is right on length-3 vectors."""
    record("input", x.tolist())
    expect_close(student.mean(x), reference.mean(x), "mean")
'''
REFERENCE = "def mean(x):\n    return float(x.mean())\n"
CORRECT = "def mean(x):\n    return float(sum(x) / len(x))\n"
WRONG_ON_LARGE_FIRST = "def mean(x):\n    return float(x.mean()) + (1.0 if x[0] > 1 else 0.0)\n"


@pytest.fixture
def course(tmp_path):
    return write_course(tmp_path / "course", "means", exercises={"means.py": STUB, "test_means.py": PUBLIC},
                        solutions={"means.py": REFERENCE, "test_means_hidden.py": HIDDEN})


def grade(root, source, plans):
    """Grade in a fresh session, as a new process reading ``plans`` would."""
    start_session()
    return grade_source(get_topic(root, "means"), source, file="means.py", plans=plans)


def recordings_made(monkeypatch) -> list:
    """Recording runs the tests on the reference as a TrustedSubmission: count those."""
    made, trusted = [], runner.TrustedSubmission

    def counted(*args, **kwargs):
        made.append(args)
        return trusted(*args, **kwargs)
    monkeypatch.setattr(runner, "TrustedSubmission", counted)
    return made


def stored_key(plans):
    data = (plans / "means.plan").read_bytes()
    return plan.wire.decode(data[8:])["key"]


def test_grading_writes_a_plan_with_every_property_tests_examples(course, tmp_path):
    grade(course, CORRECT, tmp_path / "plans")
    topic = get_topic(course, "means")
    stored = plan.load(tmp_path / "plans", topic, plan.plan_key(topic, "grading"))
    assert set(stored) == {"public/test_mean_of_four_values", "hidden/test_mean_matches_reference"}
    assert all(len(examples) >= 10 for examples in stored.values())


def test_a_later_process_replays_the_plan_without_recording(course, tmp_path, monkeypatch):
    first = grade(course, CORRECT, tmp_path / "plans")
    made = recordings_made(monkeypatch)
    second = grade(course, CORRECT, tmp_path / "plans")
    assert made == []
    assert [o.passed for o in second.outcomes] == [o.passed for o in first.outcomes] == [True, True]
    assert second.outcomes[1].data["input"] == first.outcomes[1].data["input"]


def test_a_student_graded_from_a_plan_gets_the_outcome_graded_without_one(course, tmp_path):
    grade(course, CORRECT, tmp_path / "plans")
    planned = grade(course, WRONG_ON_LARGE_FIRST, tmp_path / "plans")
    unplanned = grade(course, WRONG_ON_LARGE_FIRST, None)
    assert [asdict(o) for o in planned.outcomes] == [asdict(o) for o in unplanned.outcomes]
    assert not planned.outcomes[1].passed


@pytest.mark.parametrize("change", ["tests", "reference", "stub"])
def test_a_plan_is_rebuilt_when_the_topics_files_change(course, tmp_path, change):
    grade(course, CORRECT, tmp_path / "plans")
    before = stored_key(tmp_path / "plans")
    target = {"tests": course / "solutions/means/test_means_hidden.py",
              "reference": course / "solutions/means/means.py",
              "stub": course / "exercises/means/means.py"}[change]
    target.write_text(target.read_text() + "\n# changed\n")
    topic = get_topic(course, "means")
    assert plan.load(tmp_path / "plans", topic, plan.plan_key(topic, "grading")) == {}
    grade(course, CORRECT, tmp_path / "plans")
    assert stored_key(tmp_path / "plans") != before
    assert stored_key(tmp_path / "plans") == plan.plan_key(topic, "grading")


def test_a_plan_is_rebuilt_for_another_grader(course, tmp_path, monkeypatch):
    grade(course, CORRECT, tmp_path / "plans")
    before = stored_key(tmp_path / "plans")
    monkeypatch.setattr(plan, "grader_fingerprint", lambda: "9.9+another")
    grade(course, CORRECT, tmp_path / "plans")
    assert stored_key(tmp_path / "plans") not in (before, None)
    assert stored_key(tmp_path / "plans") == plan.plan_key(get_topic(course, "means"), "grading")


def test_a_plan_made_under_one_seed_or_profile_is_not_read_under_another(course, tmp_path):
    grade(course, CORRECT, tmp_path / "plans")
    topic = get_topic(course, "means")
    folder = tmp_path / "plans"
    assert plan.load(folder, topic, plan.plan_key(topic, "grading"))
    assert plan.load(folder, topic, plan.plan_key(topic, "grading", seed=1)) == {}
    assert plan.load(folder, topic, plan.plan_key(topic, "checking")) == {}
    assert plan.plan_key(topic, "grading", seed=1) != plan.plan_key(topic, "grading", seed=2)


def test_the_key_follows_the_one_fingerprint_of_the_topics_files(course, monkeypatch):
    topic = get_topic(course, "means")
    before = plan.plan_key(topic, "grading")
    monkeypatch.setattr(plan, "topic_fingerprint", lambda topic: fingerprint.sha256_hex(b"other"))
    assert plan.plan_key(topic, "grading") != before


def test_a_damaged_plan_is_ignored_and_rewritten(course, tmp_path):
    grade(course, CORRECT, tmp_path / "plans")
    path = tmp_path / "plans" / "means.plan"
    path.write_bytes(path.read_bytes()[:100])
    topic = get_topic(course, "means")
    assert plan.load(tmp_path / "plans", topic, plan.plan_key(topic, "grading")) == {}
    result = grade(course, CORRECT, tmp_path / "plans")
    assert all(o.passed for o in result.outcomes)
    assert plan.load(tmp_path / "plans", topic, plan.plan_key(topic, "grading"))


def test_examples_the_wire_would_not_give_back_exactly_are_left_out(course, tmp_path):
    topic = get_topic(course, "means")
    faithful = replay.Example({"x": np.arange(3.0)})
    unfaithful = replay.Example({"x": np.arange(6.0)[::2]})  # a strided view comes back contiguous
    key = plan.plan_key(topic, "grading")
    plan.save(tmp_path, topic, key, {"public/a": [faithful], "public/b": [unfaithful],
                                     "public/c": None})
    stored = plan.load(tmp_path, topic, key)
    assert set(stored) == {"public/a", "public/c"} and stored["public/c"] is None
    assert np.array_equal(stored["public/a"][0].arguments["x"], faithful.arguments["x"])


def test_build_plan_records_every_property_test_on_the_reference(course, tmp_path):
    topic = get_topic(course, "means")
    path = runner.build_plan(topic, tmp_path / "shipped")
    assert path == tmp_path / "shipped" / "means.plan"
    assert len(plan.load(tmp_path / "shipped", topic, plan.plan_key(topic, "grading"))) == 2


def test_grading_a_class_keeps_plans_beside_out_by_default(tmp_path):
    assert plan.default_folder(tmp_path / "out") == tmp_path / ".grader-plans"


def wrong_at_call(k: int) -> str:
    """A student right on every call but the k-th (counted over the whole topic)."""
    return ("calls = 0\n\n\ndef mean(x):\n    global calls\n    calls += 1\n"
            f"    return float(x.mean()) + (1.0 if calls == {k} else 0.0)\n")


@pytest.mark.parametrize("k", [1, 2, 5, 11, 17, 40])
def test_a_student_who_leaves_the_references_path_at_any_call_gets_the_same_outcome(course, tmp_path, k):
    grade(course, CORRECT, tmp_path / "plans")
    planned = grade(course, wrong_at_call(k), tmp_path / "plans")
    unplanned = grade(course, wrong_at_call(k), None)
    assert [asdict(o) for o in planned.outcomes] == [asdict(o) for o in unplanned.outcomes]
