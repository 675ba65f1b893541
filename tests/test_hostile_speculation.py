"""Hostile students against speculative batched calls (``grader.sandbox.speculation``): a
worker that patches its own channel, lies in its replies or uses the time it is given gets
exactly the outcome it gets with every call live."""
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from small_course import (  # noqa: F401 (fresh_session is autouse)
    STEPS_REFERENCE, STEPS_STUB, fresh_session, graded_outcomes, steps_plans, write_course)
from grader.sandbox.inside import wire
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import StudentUnavailable, Submission, call_request

HOSTILE = Path(__file__).resolve().parent / "hostile"
STUB = STEPS_STUB
# A test that hands a later call the reference's answer to an earlier one.
HIDDEN = '''import numpy as np
from grader.testing import expect_close, points


@points(1)
def test_accumulate_of_the_scaled_input(student, reference):
    """scale, then accumulate of the right scaled input."""
    x = np.arange(1.0, 4.0)
    expected = reference.scale(x, 3.0)
    expect_close(student.scale(x, 3.0), expected, "scale")
    expect_close(student.accumulate(expected), reference.accumulate(expected), "accumulate")
'''
REFERENCE = STEPS_REFERENCE
SIGNATURES = {"f": ["x"], "g": ["x"]}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("hostile-speculation") / "course", "steps",
                        exercises={"steps.py": STUB},
                        solutions={"steps.py": REFERENCE, "test_steps_hidden.py": HIDDEN})


@pytest.fixture(scope="module")
def plans(course, tmp_path_factory):
    return steps_plans(course, tmp_path_factory.mktemp("plans"))


def outcomes(course, plans, source, *, speculate, monkeypatch):
    return graded_outcomes(course, "steps", plans, source, speculate=speculate, monkeypatch=monkeypatch)


def test_a_worker_reading_planned_requests_ahead_cannot_learn_the_expected_answer(course, plans, monkeypatch):
    source = (HOSTILE / "speculation_peek_ahead.py").read_text()
    live = outcomes(course, plans, source, speculate=False, monkeypatch=monkeypatch)
    assert not live[0]["passed"]
    assert outcomes(course, plans, source, speculate=True, monkeypatch=monkeypatch) == live


def submission(source: str, limits: Limits) -> Submission:
    return Submission(textwrap.dedent(source), module="student", filename="/submission/student.py",
                      signatures=SIGNATURES, limits=limits)


def planned(*calls: tuple[str, tuple]) -> list[bytes]:
    return [wire.encode(call_request(function, SIGNATURES[function], args, {})[0])
            for function, args in calls]


def test_a_speculated_call_has_only_the_budget_left_when_the_test_asks_for_it():
    """Live, a call sent 1 s into a 1.5 s budget has 0.5 s; the worker that computed it ahead,
    while the test worked, must not be given more."""
    source = """
        import time
        def f(x):
            return x
        def g(x):
            time.sleep(0.8)
            return x
    """
    with submission(source, Limits(call_seconds=3.0, load_seconds=5.0, cpu_seconds=20)) as student:
        student.start()
        student.expect_calls(planned(("f", (1,)), ("g", (2,))))
        student.set_budget(1.5)
        assert student.f(1) == 1
        time.sleep(1.0)  # the test's own work between its calls
        with pytest.raises(StudentUnavailable, match="did not return"):
            student.g(2)


def test_a_worker_slow_only_when_its_calls_are_replayed_does_not_hold_the_grader():
    """A rebuilt worker is handed the calls its predecessor answered; code that takes far
    longer for them than it took live costs about the time they took live, not more."""
    source = (HOSTILE / "speculation_slow_replay.py").read_text()
    with submission(source, Limits(call_seconds=0.5, load_seconds=5.0, cpu_seconds=60)) as student:
        for x in range(5):
            assert student.f(x) == x
        student.expect_calls(planned(("f", (1,)), ("f", (2,)), ("f", (3,))))
        started = time.monotonic()
        assert student.f(1) == 1
        assert student.g(7) == 7  # leaves the plan while the worker ran ahead: it is rebuilt
        assert time.monotonic() - started < 5


def test_a_speculated_map_that_times_out_says_what_the_live_one_says():
    source = """
        import time
        def f(x):
            return x
        def g(x):
            time.sleep(3.0)
            return x
    """
    messages = []
    for speculate in (True, False):
        with submission(source, Limits(call_seconds=1.0, load_seconds=5.0, cpu_seconds=20)) as student:
            if speculate:
                student.expect_calls([wire.encode(call_request("f", ["x"], (1,), {})[0]),
                                      wire.encode({"op": "map", "function": "g", "arglists": [[2]]})])
            assert student.f(1) == 1
            with pytest.raises(StudentUnavailable) as error:
                student.map("g", [(2,)])
            messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_the_worker_runs_ahead_no_further_than_the_replies_held_for_the_test_allow(monkeypatch):
    """Replies the test has not taken are held in the grader; past ``MAX_HELD_BYTES`` of them
    the next request waits, so a worker answering fast with large arrays cannot fill the
    grader's memory with a whole plan's replies."""
    from grader.sandbox import speculation
    monkeypatch.setattr(speculation, "MAX_HELD_BYTES", 10_000)
    source = """
        import numpy as np
        def f(x):
            print("called")
            return np.zeros(2_000)
    """
    with submission(source, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20)) as student:
        student.start()
        student.expect_calls(planned(*[("f", (x,)) for x in range(6)]))
        student.f(0)
        time.sleep(1.0)  # the worker answers f(1) (16 kB held), then waits for the test
        assert student._captured(0)[0].count(b"called") == 2
        for x in range(1, 6):
            assert len(student.f(x)) == 2_000


def test_closing_a_submission_stops_its_reply_reader_before_its_pipes_close(monkeypatch):
    """A reader still running once the fds close could read a later worker's pipe, which the
    kernel may give the same fd number."""
    import os
    source = """
        import time
        def f(x):
            time.sleep(0.3)
            return x
    """
    student = submission(source, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20))
    student.start()
    student.expect_calls(planned(*[("f", (x,)) for x in range(4)]))
    assert student.f(0) == 0  # f(1) is now being answered ahead
    reader, reply_fd = student._speculation.stream._thread, student._worker.reply_fd
    alive_at_close, close = [], os.close

    def noting_close(fd):
        if fd == reply_fd:
            alive_at_close.append(reader.is_alive())
        close(fd)

    monkeypatch.setattr(os, "close", noting_close)
    student.close()
    assert alive_at_close == [False]


def test_replies_of_empty_containers_count_as_what_they_hold_once_decoded(monkeypatch):
    """A frame of empty dicts is small on the pipe and about 24 times larger decoded: it is
    held at what it decodes to, so small frames cannot fill the grader's memory either."""
    from grader.sandbox import speculation
    monkeypatch.setattr(speculation, "MAX_HELD_BYTES", 100_000)
    source = """
        def f(x):
            print("called")
            return [{} for _ in range(5_000)]
    """
    with submission(source, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20)) as student:
        student.start()
        student.expect_calls(planned(*[("f", (x,)) for x in range(6)]))
        student.f(0)
        time.sleep(1.0)  # a 15 kB frame held as 480 kB: the worker answers f(1), then waits
        assert student._captured(0)[0].count(b"called") == 2
        for x in range(1, 6):
            assert len(student.f(x)) == 5_000


@pytest.mark.parametrize("element", ["[]", "{}", '{"a":0}', "0.5", '""', '{"__ndarray__":["<f8",0]}',
                                     '{"__ndarray__":["|b1",0,0]}', "123456789012345678901"])
def test_a_held_reply_is_counted_at_no_less_than_it_decodes_to(element):
    import tracemalloc
    from grader.sandbox.speculation import held_size
    header = ("[" + ",".join([element] * 20_000) + "]").encode()
    body = len(header).to_bytes(4, "little") + header
    tracemalloc.start()
    try:
        value = wire.decode(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(value) == 20_000
    assert held_size(body) >= peak


def test_output_shown_for_a_test_that_stopped_ends_where_the_grader_sent_the_next_request():
    """The worker's ``printed`` is its word; what it printed after the grader sent a request
    the test never took is not the test's output, whatever it claims."""
    source = (HOSTILE / "speculation_print_ahead.py").read_text()
    with submission(source, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20)) as student:
        student.start()
        position = student.output_position()
        student.expect_calls(planned(("f", (1,)), ("f", (2,)), ("f", (3,))))
        assert student.f(1) == 1
        time.sleep(0.5)  # the worker has seen f(2)
        assert student.output_since(position) == "saw [1]\n"


def test_asking_a_worker_for_its_stats_while_a_batch_streams_is_not_a_crash():
    with submission("def f(x):\n    return x\n", Limits(call_seconds=2.0, load_seconds=5.0,
                                                          cpu_seconds=20)) as student:
        student.start()
        student.expect_calls(planned(("f", (1,)), ("f", (2,)), ("f", (3,))))
        assert student.f(1) == 1
        assert student.worker_stats() is None
        assert student.f(2) == 2 and student.crashes == 0


def test_a_reply_the_wire_cannot_decode_fails_the_call_as_it_does_live():
    source = (HOSTILE / "speculation_malformed_reply.py").read_text()
    messages = []
    for speculate in (True, False):
        with submission(source, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20)) as student:
            if speculate:
                student.expect_calls(planned(("f", (1,)), ("f", (2,)), ("f", (3,))))
            assert student.f(1) == 1
            with pytest.raises(StudentUnavailable) as error:
                student.f(2)
            messages.append(str(error.value))
    assert messages[0] == messages[1]


COUNTING = """
    _count = [0]
    def f(x):
        _count[0] += 1
        return _count[0]
    def g(x):
        return _count[0]
"""


def test_a_test_left_without_end_test_while_its_batch_ran_ahead_leaves_no_trace_in_the_next():
    with submission(COUNTING, Limits(call_seconds=2.0, load_seconds=5.0, cpu_seconds=20)) as student:
        student.start()
        student.expect_calls(planned(("f", (1,)), ("f", (2,)), ("f", (3,))))
        assert student.f(1) == 1
        time.sleep(0.5)  # the worker has answered f(2) and f(3) ahead
        student.expect_calls(None)  # the next test, without end_test
        assert student.g(0) == 1  # as live: one call of f was made
