"""A map sends what its argument lists share once, and each call still gets arguments of its own."""
import textwrap

import numpy as np
import pytest

from grader.sandbox.inside import wire
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import Submission, TrustedSubmission, map_request

FAST = Limits(call_seconds=1.5, load_seconds=3.0, cpu_seconds=20)

# Each call changes its arguments in place, then reports what it was given.
MUTATING = textwrap.dedent("""
    import numpy as np

    def f(x, params):
        before = (float(x.sum()), list(params), float(params["w"].sum()), float(params["b"].sum()))
        x += 100.0
        params["w"] += 100.0
        params["b"] += 100.0
        params["extra"] = 1
        return before

    def g(x):
        return (float(x.sum()), x, "unused")
""")


def sandboxed() -> Submission:
    return Submission(MUTATING, module="student", filename="/submission/student.py",
                      signatures={"f": ["x", "params"], "g": ["x"]}, limits=FAST)


def trusted() -> TrustedSubmission:
    module = type("module", (), {})
    namespace: dict = {}
    exec(MUTATING, namespace)
    module.f, module.g = staticmethod(namespace["f"]), staticmethod(namespace["g"])
    return TrustedSubmission(module, {"f": ["x", "params"], "g": ["x"]})


def perturbed_lists():
    x, w, b = np.arange(4.0), np.ones(3), np.zeros(2)
    return [(x, {"w": w + step, "b": b}) for step in (0.0, 1.0, 2.0)]


def test_every_call_of_a_map_gets_its_own_copy_of_the_shared_arguments():
    with sandboxed() as student:
        values = student.map("f", perturbed_lists())
    assert [tuple(v) for v in values] == [(6.0, ["w", "b"], 3.0 + 3 * step, 0.0) for step in (0.0, 1.0, 2.0)]


def test_a_map_leaves_the_tests_own_arguments_unchanged():
    lists = perturbed_lists()
    with sandboxed() as student:
        student.map("f", lists)
    np.testing.assert_array_equal(lists[0][0], np.arange(4.0))
    assert list(lists[0][1]) == ["w", "b"] and np.all(lists[0][1]["b"] == 0.0)


def test_shared_arguments_travel_once():
    x = np.zeros(10_000)
    whole = len(wire.encode(map_request("g", [(x,)])))
    fifty = len(wire.encode(map_request("g", [(x,)] * 50)))
    assert fifty < whole + 2_000


def test_a_dict_entry_shared_by_every_list_travels_once_and_the_rest_in_each_list():
    w, b = np.zeros(1000), np.ones(5)
    request = map_request("f", [(np.full(2, i), {"w": w + i, "b": b}) for i in range(3)])
    assert [(position, key) for position, key, _ in request["shared"]] == [(1, "b")]
    assert all(list(args[1]) == ["w", "b"] and args[1]["b"] is None for args in request["arglists"])


def test_lists_of_different_lengths_share_nothing():
    x = np.zeros(3)
    assert map_request("g", [(x,), (x, 1)])["shared"] == []


@pytest.mark.parametrize("make", [sandboxed, trusted], ids=["sandboxed", "trusted"])
def test_only_keeps_one_element_of_each_returned_tuple(make):
    with make() as student:
        (value,) = student.map("g", [(np.arange(3.0),)], only=0)
    assert value == (3.0, None, None)


def test_only_leaves_values_that_are_not_long_enough_sequences_as_they_are():
    assert wire.only_element(np.arange(3.0), 0).shape == (3,)
    assert wire.only_element((1.0,), 1) == (1.0,)
    assert wire.only_element([1.0, 2.0], 1) == [None, 2.0]
    assert wire.only_element((1.0, 2.0), None) == (1.0, 2.0)
