"""Attacks on what the grader does for student code besides calling it: grader functions handed
to it (gradient_descent's cost_fn and gradient_fn), and values or timings that would make the
grader's own, unlimited process work for them.

Each attacker is graded alone through the real batch in this process, one after the other
(as ``--jobs 1`` grades a class), so that the grader process's CPU time and its memo cache can
be measured around it; honest students are graded before and after. Both isolation modes.
"""
import json
import resource
import shutil
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode
from grader.batch.grade import grade_batch
from grader.callbacks import bound_callback
from grader.course.topics import get_topic
from grader.grading import memo
from grader.grading.session import current_session
from grader.sandbox.inside import wire
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import Submission, TrustedSubmission

HOSTILE = Path(__file__).resolve().parent / "hostile"
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)
# The sleeper gets a small per-student time budget, so that running out of it is quick to see.
SLEEPER_LIMITS = Limits(call_seconds=1.0, load_seconds=4.0, cpu_seconds=30, student_seconds=6.0)
CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
SIGMOID = '''import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''
DESCENT = '''

def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w, b, history = np.array(w0, dtype=float), float(b0), []
    for _ in range(num_iters):
        dw, db = gradient_fn(X, y, w, b, lam)
        w, b = w - alpha * dw, b - alpha * db
        history.append(float(cost_fn(X, y, w, b, lam)))
    return w, b, history
'''
PLAIN_ANSWERS = '''

def linear_cost(X, y, w, b, lam):
    return 0.0


def linear_gradient(X, y, w, b, lam):
    return np.zeros_like(w), 0.0


def logistic_cost(X, y, w, b, lam):
    return 0.0


def logistic_gradient(X, y, w, b, lam):
    return np.zeros_like(w), 0.0


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    raise RuntimeError("not done")
'''
# Each attack's honest twin: the plain values it returns, or its correct functions, without the
# attack; attacks whose only correct function is sigmoid have that sigmoid as their twin.
TWINS = {"callback_huge_arguments.py": SIGMOID + DESCENT, "callback_flood.py": SIGMOID + DESCENT,
         "callback_oracle.py": SIGMOID + PLAIN_ANSWERS}
# attack file -> phrases its report must show
EXPECTED_MESSAGES = {
    "callback_oracle.py": ["cost_fn was called with an X that is not the one gradient_descent received",
                           "is not shown, since it could carry the grader's values out"],
    "callback_huge_arguments.py": ["called gradient_fn with arguments of",
                                   "far larger than the problem it was given, so the call was stopped"],
    "callback_flood.py": ["called cost_fn more than 100 times in one call, so the call was stopped"],
    "huge_string_return.py": ["returned a string of 60000000 characters"],
    "huge_integer.py": ["returned an integer of about 4000 digits, too large to be a number",
                        "returned an integer of about 5000 digits, too large to be a number"],
    "deeply_nested_return.py": ["linear_cost returned a value nested more than 64 levels deep",
                                "logistic_cost returned a value nested more than 64 levels deep"],
    "nul_byte.ipynb": ["notebook cell 1 contains a NUL character (\\u0000) on its line 7"],
}
# Attacks that would make the grader's process compute, decode or remember a lot.
COSTLY = ("callback_huge_arguments.py", "callback_flood.py", "huge_string_return.py")
EXTRA_CPU_SECONDS = 1.0  # what an attacker may cost the grader's process beyond its honest twin
EXTRA_MEMO_BYTES = 256 * 1024


def twin(attack: str) -> str:
    return TWINS.get(attack, SIGMOID)


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def memo_bytes() -> int:
    """What the memo caches of this process hold, measured here (not by the memo's own count)."""
    return sum(len(wire.encode(value)) for reference in current_session().references.values()
               for value in reference._answers.values())


def grade_alone(root: Path, student: str, files: dict[str, str | Path], limits: Limits) -> dict:
    """Grade one student in this process through the real batch; what it cost the grader."""
    folder = root / student / "submissions" / student
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, folder / name)
        else:
            (folder / name).write_text(content)
    out = root / student / "out"
    cpu, cached, started = process_cpu_seconds(), memo_bytes(), time.monotonic()
    (row,) = grade_batch(folder.parent, out, ROOT, jobs=1, progress=False, limits=limits)
    return {"row": row, "cpu": process_cpu_seconds() - cpu, "memo": memo_bytes() - cached,
            "wall": time.monotonic() - started,
            "results_text": (out / student / "results.json").read_text(),
            "results": json.loads((out / student / "results.json").read_text()),
            "report": (out / student / "report.html").read_text()}


@pytest.fixture(scope="module", params=ISOLATION_MODES)
def graded(request, tmp_path_factory):
    with grading_mode(request.param):
        yield _graded_class(tmp_path_factory.mktemp(f"callbacks-{request.param}"))


def _graded_class(root: Path) -> dict:
    results = {"before": grade_alone(root, "honest_before", {"regularization.py": CORRECT}, LIMITS)}
    twins = {}
    for number, source in enumerate(dict.fromkeys([SIGMOID, *TWINS.values()])):
        twins[source] = grade_alone(root, f"honest_twin_{number}", {"regularization.py": source}, LIMITS)
    for attack in EXPECTED_MESSAGES:
        name = "regularization" + Path(attack).suffix
        results["twin of " + attack] = twins[twin(attack)]
        results[attack] = grade_alone(root, f"attacker_{Path(attack).stem}",
                                      {name: HOSTILE / attack}, LIMITS)
    results["after"] = grade_alone(root, "honest_after", {"regularization.py": CORRECT}, LIMITS)
    sleeper = HOSTILE / "sleep_just_under_limit.py"
    results["sleeper"] = grade_alone(root, "attacker_sleeper",
                                     {"regularization.py": sleeper, "shapes.py": sleeper}, SLEEPER_LIMITS)
    return results


def text_of(result: dict) -> str:
    data = result["results"]
    return data["output"] + "\n".join(t["output"] for t in data["tests"])


def outcomes_named(result: dict, name: str) -> list[dict]:
    return [t for t in result["results"]["tests"] if t["extra_data"]["test"] == name]


def compared_reference_values() -> list[float]:
    """Every number the regularization hidden tests compare against on their fixed problems."""
    topic = get_topic(ROOT, "regularization")
    hidden = current_session().load_module(topic.hidden_tests, "_hostile_callbacks_hidden")
    reference = current_session().reference_module(topic)
    X, y, w, labels, b, lam = (hidden.X_FIXED, hidden.Y_FIXED, hidden.W_FIXED, hidden.LABELS_FIXED,
                               hidden.B, hidden.LAM)
    values = [reference.linear_cost(X, y, w, b, lam), reference.linear_gradient(X, y, w, b, lam),
              reference.logistic_cost(X, labels, w, b, lam),
              reference.logistic_gradient(X, labels, w, b, lam),
              hidden._descent(reference.gradient_descent, reference.linear_cost,
                              reference.linear_gradient)]

    def numbers(value):
        if isinstance(value, (tuple, list)):
            return [x for part in value for x in numbers(part)]
        return [float(x) for x in np.ravel(value)]

    return [x for value in values for x in numbers(value) if x not in (0.0, 1.0)]


@pytest.mark.parametrize("attack", sorted(EXPECTED_MESSAGES) + ["sleeper"])
def test_no_attack_scores_more_than_its_honest_twin(graded, attack):
    twin_total = graded["twin of " + (attack if attack != "sleeper" else "nul_byte.ipynb")]["row"]["total"]
    assert graded[attack]["row"]["total"] <= twin_total


@pytest.mark.parametrize("attack", sorted(EXPECTED_MESSAGES))
def test_each_attack_gets_a_clear_message(graded, attack):
    text = text_of(graded[attack])
    for phrase in EXPECTED_MESSAGES[attack]:
        assert phrase in text, f"{attack}: {phrase!r} not in report"
    assert "the grader could not complete this check" not in text
    assert "syntax error at line None" not in text


def test_no_value_the_hidden_tests_compare_against_reaches_the_oracle_attackers_report(graded):
    result = graded["callback_oracle.py"]
    shown = result["results_text"] + result["report"]
    leaked = [value for value in compared_reference_values() if repr(value)[:10] in shown]
    assert leaked == []


def test_in_hidden_tests_that_hand_out_grader_functions_the_students_words_are_withheld(graded):
    result = graded["callback_oracle.py"]
    for name in ("test_gradient_descent_matches_reference_trajectory",
                 "test_gradient_descent_leaves_w0_unchanged"):
        (test,) = [t for t in outcomes_named(result, name) if t["visibility"] == "after_published"]
        assert test["output"].startswith("gradient_descent raised an exception.\n")
        assert "RuntimeError" not in test["output"] and "calls in this worker" not in test["output"]


def test_a_worker_handed_grader_functions_keeps_nothing_for_the_next_test(graded):
    result = graded["callback_oracle.py"]
    public = [t for t in result["results"]["tests"] if t["visibility"] == "visible"
              and "gradient_descent" in t["extra_data"]["test"]]
    assert len(public) == 2
    for test in public:  # each starts in a fresh worker: the first call it has seen, nothing kept
        assert "gradient_descent calls in this worker: 1; stash 0" in test["output"], test["output"]


def test_restarts_after_handing_out_grader_functions_do_not_count_as_crashes(graded):
    result = graded["callback_oracle.py"]
    last = result["results"]["tests"][-1]
    assert last["extra_data"]["test"] == "test_gradient_descent_course_example_one_dimension"
    assert "crashed the grader's worker" not in text_of(result)
    assert last["output"].startswith("gradient_descent raised an exception.")


@pytest.mark.parametrize("attack", COSTLY)
def test_an_attack_costs_the_graders_process_little_more_cpu_than_its_honest_twin(graded, attack):
    extra = graded[attack]["cpu"] - graded["twin of " + attack]["cpu"]
    assert extra < EXTRA_CPU_SECONDS, f"{attack} cost the grader's process {extra:.1f} s more"


def test_the_memo_cache_keeps_nothing_of_what_student_code_asked_for(graded):
    for attack in COSTLY:  # the gradients of the huge arguments would take megabytes
        assert graded[attack]["memo"] < EXTRA_MEMO_BYTES, attack


def test_honest_students_graded_after_the_attackers_get_exactly_what_they_got_before(graded):
    before = graded["before"]["results_text"].replace("honest_before", "STUDENT")
    assert graded["after"]["results_text"].replace("honest_after", "STUDENT") == before
    assert graded["before"]["row"]["total"] == graded["before"]["row"]["max_total"]


def test_a_student_whose_calls_all_stay_just_under_the_limit_stops_at_the_student_time_budget(graded):
    result = graded["sleeper"]
    assert result["wall"] < SLEEPER_LIMITS.student_seconds + 12
    shapes = [t for t in result["results"]["tests"] if t["extra_data"]["topic"] == "shapes"]
    assert shapes and all("your grading time (6 s for all topics together) was used up" in t["output"]
                          for t in shapes)


def test_the_memo_cache_is_bounded_in_bytes(monkeypatch):
    reference = memo.MemoizedReference(type("ref", (), {"double": staticmethod(lambda x: 2 * x)}))
    monkeypatch.setattr(memo, "MAX_BYTES", 100_000)
    for i in range(100):
        reference.double(np.full(1000, float(i)))  # 8 kB answers
    assert reference.bytes <= 100_000 and 0 < len(reference._answers) < 100
    np.testing.assert_array_equal(reference.double(np.full(1000, 99.0)), np.full(1000, 198.0))


def _descent_arguments():
    X, y, w0 = np.ones((3, 2)), np.zeros(3), np.zeros(2)
    return X, y, w0, 0.0, 0.1, 2, 0.5


@pytest.mark.parametrize("kind", ["sandboxed", "trusted"])
def test_a_plain_function_handed_to_student_code_is_refused_as_an_authoring_error(kind):
    signatures = {"gradient_descent": ["X", "y", "w0", "b0", "alpha", "num_iters", "lam", "cost_fn",
                                       "gradient_fn"]}
    student = (Submission(SIGMOID + DESCENT, module="regularization", filename="/submission/r.py",
                          signatures=signatures, limits=LIMITS) if kind == "sandboxed"
               else TrustedSubmission(current_session().load_module(
                   ROOT / "solutions/regularization/regularization.py", "_hostile_callbacks_reference"), signatures))
    with student, pytest.raises(TypeError, match="wrap it with grader.callbacks.bound_callback"):
        student.call("gradient_descent", *_descent_arguments(), lambda *a: 0.0, lambda *a: (a[2], 0.0))


def test_a_callback_bound_to_another_problem_than_the_calls_is_refused_as_an_authoring_error():
    X, y, w0, b0, alpha, num_iters, lam = _descent_arguments()
    other = bound_callback(lambda *a: 0.0, free=("w", "b"), X=X + 1, y=y, w=w0, b=b0, lam=lam)
    student = TrustedSubmission(current_session().load_module(
        ROOT / "solutions/regularization/regularization.py", "_hostile_callbacks_reference"), {"gradient_descent": []})
    with pytest.raises(TypeError, match="bound to an X that is not one of gradient_descent's arguments"):
        student.call("gradient_descent", X, y, w0, b0, alpha, num_iters, lam, other, other)


def _frame_body(header: bytes) -> bytes:
    return struct.pack("<I", len(header)) + header


@pytest.mark.parametrize("header, reason", [
    (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels deep"),
    (b"[" * 400 + b"1" + b"]" * 400, "nested more than 64 levels deep"),
    (b'"' + b"x" * (9 * 2**20) + b'"', "MiB of strings, lists and Python numbers"),
    (b"1" * 4000, "too large to be a number"),
])
def test_the_grader_refuses_frames_it_would_spend_its_stack_or_seconds_on(header, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(_frame_body(header))
