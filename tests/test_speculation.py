"""Speculative batched calls: a test's planned calls go to the worker in one message, and no
student, however their answers or state leave the reference's path, gets another outcome."""

import pytest

from conftest import ROOT
from small_course import (  # noqa: F401 (fresh_session is autouse)
    STEPS_REFERENCE, STEPS_STUB, fresh_session, graded_outcomes, steps_plans, write_course)
from grader.course.topics import get_topic
from grader.grading import planned_calls
from grader.grading.runner import grade_source
from grader.grading.session import start_session
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import Submission

STUB = STEPS_STUB
PUBLIC = '''from hypothesis import given
from grader.strategies import arrays
from grader.testing import expect_close, points


@points(1)
@given(x=arrays(3))
def test_scale_by_five_factors(student, x):
    """scale multiplies by each of five factors."""
    for a in (1.0, 2.0, 3.0, 4.0, 5.0):
        expect_close(student.scale(x, a), a * x, "scale")
'''
HIDDEN = '''import numpy as np
from grader.testing import expect_close, points


@points(1)
def test_accumulate_on_ten_inputs(student, reference):
    """accumulate matches the reference on ten fixed inputs."""
    rng = np.random.default_rng(0)
    for _ in range(10):
        x = rng.standard_normal(4)
        expect_close(student.accumulate(x), reference.accumulate(x), "accumulate")


@points(1)
def test_scale_of_its_own_answer(student):
    """scale applied to its own answer three times gives 8 x."""
    y = np.ones(3)
    for _ in range(3):
        y = student.scale(y, 2.0)
    expect_close(y, 8 * np.ones(3), "scale")


@points(1)
def test_accumulate_again_after_scaling(student, reference):
    """accumulate still matches after the other tests."""
    for n in range(1, 6):
        x = np.arange(float(n))
        expect_close(student.accumulate(x), reference.accumulate(x), "accumulate")
'''
REFERENCE = STEPS_REFERENCE
CORRECT = ("import numpy as np\n\ndef scale(x, a):\n    return x * a\n\n"
           "def accumulate(x):\n    out = np.zeros_like(x)\n    total = 0.0\n"
           "    for i, v in enumerate(x):\n        total += v\n        out[i] = total\n    return out\n")
# Right for its first K calls, then wrong by 1.0: its state decides, and it prints its count.
STATEFUL = '''import numpy as np
_count = [0]


def _off():
    _count[0] += 1
    print("call", _count[0])
    return 1.0 if _count[0] > {k} else 0.0


def scale(x, a):
    return a * x + _off()


def accumulate(x):
    return np.cumsum(x) + _off()
'''
SLOW_AT = '''import time
import numpy as np
_count = [0]


def scale(x, a):
    _count[0] += 1
    if _count[0] == {k}:
        time.sleep(3.0)
    return a * x


def accumulate(x):
    return np.cumsum(x)
'''


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("speculation") / "course", "steps",
                        exercises={"steps.py": STUB, "test_steps.py": PUBLIC},
                        solutions={"steps.py": REFERENCE, "test_steps_hidden.py": HIDDEN})


@pytest.fixture(scope="module")
def plans(course, tmp_path_factory):
    return steps_plans(course, tmp_path_factory.mktemp("plans"))


def outcomes(course, plans, source, *, speculate, monkeypatch, limits=None):
    return graded_outcomes(course, "steps", plans, source, speculate=speculate, monkeypatch=monkeypatch,
                           limits=limits)


def taken_from_batches(monkeypatch) -> list:
    taken, take = [], Submission._take

    def counted(self, speculation, *args):
        taken.append(speculation.taken)
        return take(self, speculation, *args)
    monkeypatch.setattr(Submission, "_take", counted)
    return taken


def test_a_correct_student_is_answered_from_batches(course, plans, monkeypatch):
    taken = taken_from_batches(monkeypatch)
    graded = outcomes(course, plans, CORRECT, speculate=True, monkeypatch=monkeypatch)
    assert all(outcome["passed"] for outcome in graded)
    assert len(taken) > 20


def test_a_correct_student_scores_the_same_with_and_without_speculation(course, plans, monkeypatch):
    assert (outcomes(course, plans, CORRECT, speculate=True, monkeypatch=monkeypatch)
            == outcomes(course, plans, CORRECT, speculate=False, monkeypatch=monkeypatch))


@pytest.mark.parametrize("k", [0, 1, 2, 4, 7, 30, 61, 100, 10_000])
def test_a_student_leaving_the_reference_path_at_any_call_gets_the_live_outcome(course, plans, monkeypatch, k):
    source = STATEFUL.format(k=k)
    assert (outcomes(course, plans, source, speculate=True, monkeypatch=monkeypatch)
            == outcomes(course, plans, source, speculate=False, monkeypatch=monkeypatch))


@pytest.mark.parametrize("k", [2, 9])
def test_a_call_that_would_time_out_live_times_out_under_speculation(course, plans, monkeypatch, k):
    limits = Limits(call_seconds=1.0)
    source = SLOW_AT.format(k=k)
    speculated = outcomes(course, plans, source, speculate=True, monkeypatch=monkeypatch, limits=limits)
    assert any(outcome["timed_out"] for outcome in speculated)
    assert speculated == outcomes(course, plans, source, speculate=False, monkeypatch=monkeypatch,
                                  limits=limits)


def test_a_test_that_feeds_answers_back_has_no_planned_calls(course, plans):
    from grader.grading import plan
    topic = get_topic(course, "steps")
    _, calls = plan.read(plans, topic, plan.plan_key(topic, "grading"))
    assert calls["hidden/test_scale_of_its_own_answer"] is None
    assert len(calls["hidden/test_accumulate_on_ten_inputs"]) == 10
    assert len(calls["public/test_scale_by_five_factors"]) > 5


def test_a_test_that_reads_the_clock_is_not_speculated():
    def test_fast(student):
        import time
        start = time.perf_counter()
        student.scale(1.0, 2.0)
        assert time.perf_counter() - start < 1

    assert not planned_calls.speculable(test_fast)


def _stopwatch(function) -> float:
    import time
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _timed_twice(function) -> float:
    return _stopwatch(function) + _stopwatch(function)


def test_a_test_that_reads_the_clock_through_a_helper_of_its_module_is_not_speculated():
    def test_fast(student):
        assert _timed_twice(lambda: student.scale(1.0, 2.0)) < 1

    assert not planned_calls.speculable(test_fast)


def test_a_test_with_a_hypothesis_deadline_is_not_speculated():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(deadline=200)
    @given(x=st.floats(0, 1))
    def test_quick(student, x):
        student.scale(x, 2.0)

    assert not planned_calls.speculable(test_quick)


def test_a_test_marked_live_calls_is_not_speculated():
    from grader.testing import live_calls

    @live_calls
    def test_anything(student):
        student.scale(1.0, 2.0)

    assert not planned_calls.speculable(test_anything)


def test_the_course_timing_test_is_not_speculated():
    from grader.grading.runner import collect_tests
    topic = get_topic(ROOT, "shapes")
    case = next(c for c in collect_tests(topic, public=True, hidden=True)
                if c.name == "test_pairwise_sq_dists_has_no_loop_over_samples")
    assert not planned_calls.speculable(case.function)


def test_planned_calls_made_from_another_reference_are_recorded_again(course, tmp_path):
    from grader.grading import plan
    folder = tmp_path / "plans"
    topic = get_topic(course, "steps")
    grade_source(topic, REFERENCE, file="steps.py", plans=folder)
    old_key = plan.plan_key(topic, "grading")
    reference = course / "solutions" / "steps" / "steps.py"
    original = reference.read_text()
    try:
        reference.write_text(original + "\n# edited\n")
        start_session()
        topic = get_topic(course, "steps")
        assert plan.plan_key(topic, "grading") != old_key
        assert plan.read(folder, topic, plan.plan_key(topic, "grading")) == ({}, {})
        grade_source(topic, CORRECT, file="steps.py", plans=folder)
        _, calls = plan.read(folder, topic, plan.plan_key(topic, "grading"))
        assert len(calls["hidden/test_accumulate_on_ten_inputs"]) == 10
    finally:
        reference.write_text(original)


def test_a_rebuild_that_is_slower_than_the_live_calls_gives_up_within_twice_their_time():
    import time
    from grader.sandbox.inside import wire
    from grader.sandbox.submission import REPLAY_SLOWDOWN, call_request
    source = "import time\n\ndef scale(x, a):\n    time.sleep(2.0)\n    return a * x\n"
    limits = Limits(call_seconds=1.0)
    student = Submission(source, module="steps", filename="/submission/steps.py",
                         signatures={"scale": ["x", "a"]}, limits=limits)
    with student:
        student.start()
        request = wire.encode(call_request("scale", ["x", "a"], (1.0, 2.0), {})[0])
        student._replace_worker()
        student._rebuild = [(request, 0.01)] * 3  # live, these calls took 10 ms each
        started = time.monotonic()
        student.start()
        # twice 30 ms and one call's limit, and a fresh worker's start
        assert time.monotonic() - started < REPLAY_SLOWDOWN * 0.03 + limits.call_seconds + 1.0
        assert student._history == []  # given up: a fresh worker, as after a crash
        assert student.crashes == 0


def batches_sent(monkeypatch) -> list:
    sent, send = [], Submission._send_batch

    def counted(self, speculation):
        sent.append(len(speculation.planned))
        return send(self, speculation)
    monkeypatch.setattr(Submission, "_send_batch", counted)
    return sent


@pytest.mark.parametrize("cores, speculates", [(2, True), (1, False)])
def test_a_batch_speculates_only_with_a_core_to_spare(course, tmp_path, monkeypatch, cores, speculates):
    import os
    from grader.batch.grade import run_batch
    submissions = tmp_path / "submissions"
    (submissions / "ada").mkdir(parents=True)
    (submissions / "ada" / "steps.py").write_text(CORRECT)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    sent = batches_sent(monkeypatch)
    run_batch(submissions, tmp_path / "out", course, jobs=1, progress=False)
    assert bool(sent) is speculates
