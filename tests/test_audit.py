"""``grader audit``: first-order mutants of a reference, equivalent ones dropped, the rest graded."""
import textwrap

import pytest

from grader.authoring.audit import (BatteryCall, audit_topic, build_battery, calls_without_defaults,
                                   disagreement, format_table)
from grader.authoring.mutants import OPERATOR_CLASSES, generate_mutants, sample_mutants, unified_diff
from grader.cli import main
from grader.course.topics import get_topic

TINY = textwrap.dedent('''\
    import numpy as np


    def f(X, W, b, eps=1e-8):
        """A docstring holds no mutation site: 2 + 2."""
        S = X @ W.T + b
        S = S - np.max(S, axis=1, keepdims=True)
        P = np.exp(S) / np.sum(np.exp(S), axis=1, keepdims=True)
        return np.mean(np.log(P + eps)), S[:, :2]
    ''')


def changes(operator):
    return {m.description for m in generate_mutants(TINY) if m.operator == operator}


@pytest.mark.parametrize("operator, change", [
    ("operator", "`X @ W.T + b` -> `X @ W.T - b`"),
    ("constant", "`1e-08` -> `2e-08`"),
    ("axis", "`1` -> `0`"),
    ("transpose", "`W.T` -> `W`"),
    ("min_max", "`np.max(S, axis=1, keepdims=True)` -> `np.min(S, axis=1, keepdims=True)`"),
    ("mean_sum", "`np.mean(np.log(P + eps))` -> `np.sum(np.log(P + eps))`"),
    ("stabiliser", "`S - np.max(S, axis=1, keepdims=True)` -> `S`"),
    ("stabiliser", "`P + eps` -> `P`"),
    ("off_by_one", "`2` -> `3`"),
    ("dropped_term", "`X @ W.T + b` -> `X @ W.T`"),
])
def test_each_operator_class_makes_its_mutant_of_a_tiny_reference(operator, change):
    assert change in changes(operator)


def test_every_operator_class_has_a_mutant_of_the_tiny_reference():
    assert {m.operator for m in generate_mutants(TINY)} == set(OPERATOR_CLASSES)


def test_a_mutant_changes_one_expression_and_leaves_the_rest_of_the_file_as_it_was():
    for mutant in generate_mutants(TINY):
        diff = unified_diff(TINY, mutant).splitlines()
        removed = [line for line in diff if line.startswith("-") and not line.startswith("---")]
        assert len(removed) == 1, mutant.key
        compile(mutant.source, mutant.key, "exec")


def test_docstrings_are_not_mutated():
    assert all("2 + 2." in m.source for m in generate_mutants(TINY))


def test_sampling_is_reproducible_for_a_seed_and_spread_over_the_classes():
    mutants = generate_mutants(TINY)
    first, again = sample_mutants(mutants, 9, seed=4), sample_mutants(mutants, 9, seed=4)
    assert [m.key for m in first] == [m.key for m in again]
    assert {m.operator for m in first} == set(OPERATOR_CLASSES)


STUB = '''\
"""A toy topic."""


def scale(x, factor=2.0):
    """x times factor.

    Args:
        x: (n,) float array.
        factor: float.
    """
    raise NotImplementedError


def relu(x):
    """max(x, 0) entrywise.

    Args:
        x: (n,) float array.
    """
    raise NotImplementedError
'''
REFERENCE = '''\
import numpy as np


def scale(x, factor=2.0):
    return x * factor


def relu(x):
    return np.where(x > 0, x, 0.0)
'''
# The weak test: scale is only ever called with its factor, so a wrong default passes.
HIDDEN = '''\
import numpy as np

from grader.testing import expect_close, points


@points(1)
def test_scale_with_a_factor(student, reference):
    """scale multiplies by the given factor."""
    x = np.array([1.0, -2.0, 3.5])
    expect_close(student.scale(x, 3.0), reference.scale(x, 3.0), "scale(x, 3)")


@points(1)
def test_relu(student, reference):
    """relu keeps the positive entries and zeroes the rest."""
    x = np.array([-1.5, -0.5, 0.0, 0.5, 2.0])
    expect_close(student.relu(x), reference.relu(x), "relu(x)")
'''
PUBLIC = '''\
from grader.testing import points


@points(1)
def test_nothing(student):
    """a public test that checks nothing."""
'''


@pytest.fixture
def toy(tmp_path):
    for path, text in {"exercises/toy/toy.py": STUB, "exercises/toy/test_toy.py": PUBLIC,
                       "solutions/toy/toy.py": REFERENCE, "solutions/toy/test_toy_hidden.py": HIDDEN}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return get_topic(tmp_path, "toy")


def mutant(description):
    [found] = [m for m in generate_mutants(REFERENCE) if m.description == description]
    return found


def test_a_mutant_that_agrees_with_the_reference_on_every_battery_input_is_likely_equivalent(toy):
    battery = build_battery(toy)
    assert disagreement(mutant("`x > 0` -> `x >= 0`"), battery, "_toy") is None  # relu(0) is 0 either way


def test_a_mutant_that_differs_on_a_battery_input_is_not_equivalent_and_that_input_is_named(toy):
    battery = build_battery(toy)
    call, answer = disagreement(mutant("`0` -> `-1`"), battery, "_toy")
    assert call.function == "relu" and "returns" in answer


def test_the_battery_calls_each_function_again_without_its_optional_arguments(toy):
    calls = build_battery(toy).calls
    assert [len(c.args) for c in calls if c.function == "scale"] == [2, 1]


def test_the_kill_rate_counts_the_mutants_the_hidden_tests_miss_among_the_non_equivalent_ones(toy):
    report = audit_topic(toy, max_mutants=None)
    assert {m.description for m in report.equivalent} == {"`x > 0` -> `x >= 0`"}
    survivors = {s.mutant.description for s in report.survivors}
    assert survivors == {"`2.0` -> `4.0`", "`2.0` -> `0.0`"}  # the default nobody tests
    assert len(report.killed) == report.sampled - 3
    assert report.kill_rate == pytest.approx(len(report.killed) / (len(report.killed) + 2))


def test_each_survivor_comes_with_its_diff_and_an_input_on_which_it_is_wrong(toy):
    report = audit_topic(toy, max_mutants=None)
    survivor = next(s for s in report.survivors if s.mutant.description == "`2.0` -> `4.0`")
    assert "-def scale(x, factor=2.0):" in survivor.diff and "+def scale(x, factor=4.0):" in survivor.diff
    assert survivor.witness == "scale(array([ 1. , -2. ,  3.5]))"


def test_the_table_has_one_row_per_topic_with_the_kill_rate(toy):
    report = audit_topic(toy, max_mutants=None)
    row = format_table([report]).splitlines()[2]
    assert row.startswith("| `toy` |") and row.endswith(f"| {100 * report.kill_rate:.1f}% |")


def test_the_audit_command_prints_the_survivors_and_the_table_and_fails_below_the_minimum_kill_rate(
        toy, capsys):
    course = str(toy.stub.parents[2])
    assert main(["--course", course, "audit", "toy", "--min-kill-rate", "0.95"]) == 1
    printed = capsys.readouterr().out
    assert "survivor constant:scale:4:20:`2.0` -> `4.0`" in printed
    assert printed.rstrip().splitlines()[-1].startswith("| `toy` | 11 | 1 | 8 | 2 |")
    assert main(["--course", course, "audit", "toy", "--min-kill-rate", "0.5"]) == 0


def test_each_optional_argument_is_left_out_on_its_own_so_every_wrong_default_shows():
    def f(x, y=None, reg=0.0):
        return x

    variants = calls_without_defaults(BatteryCall("f", (1, 2, 3.0), {}), f)
    assert [(v.args, v.kwargs) for v in variants] == [((1,), {"reg": 3.0}), ((1, 2), {})]
