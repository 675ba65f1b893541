"""The hidden tests' reference remembers its answers to the same plain arguments, safely."""
import time
import types

import numpy as np

from grader.grading import memo
from grader.grading.memo import MemoizedReference


def counting_module():
    module = types.ModuleType("ref")
    module.calls = []

    def scale(x, factor=2.0):
        module.calls.append("scale")
        return x * factor

    def fill_defaults(config):
        module.calls.append("fill_defaults")
        config.setdefault("learning_rate", 1e-2)
        return dict(config)

    def apply(function, x):
        module.calls.append("apply")
        return function(x)

    module.scale, module.fill_defaults, module.apply = scale, fill_defaults, apply
    return module


def test_equal_arguments_are_answered_from_memory():
    module = counting_module()
    reference = MemoizedReference(module)
    first = reference.scale(np.arange(3.0), factor=3.0)
    second = reference.scale(np.arange(3.0), factor=3.0)  # a different but equal array
    np.testing.assert_array_equal(first, second)
    assert module.calls == ["scale"]


def test_different_arguments_are_computed():
    module = counting_module()
    reference = MemoizedReference(module)
    reference.scale(np.arange(3.0))
    reference.scale(np.arange(3.0), factor=5.0)
    reference.scale(np.arange(4.0))
    assert module.calls == ["scale"] * 3


def test_a_remembered_answer_cannot_be_changed_by_the_test_that_got_it():
    reference = MemoizedReference(counting_module())
    reference.scale(np.ones(2))[0] = 99.0
    np.testing.assert_array_equal(reference.scale(np.ones(2)), [2.0, 2.0])


def test_a_function_that_changes_its_arguments_is_always_called():
    module = counting_module()
    reference = MemoizedReference(module)
    for _ in range(3):
        config = {}
        assert reference.fill_defaults(config) == {"learning_rate": 1e-2}
        assert config == {"learning_rate": 1e-2}
    assert module.calls == ["fill_defaults"] * 3


def test_calls_with_a_callable_argument_are_always_computed():
    module = counting_module()
    reference = MemoizedReference(module)
    assert reference.apply(abs, -2.0) == reference.apply(abs, -2.0) == 2.0
    assert module.calls == ["apply", "apply"]


def test_constants_pass_through():
    module = counting_module()
    module.DEFAULT = 0.5
    assert MemoizedReference(module).DEFAULT == 0.5


def slow_module(seconds: float):
    module = counting_module()

    def slow(x):
        module.calls.append("slow")
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            pass
        return x + 1.0

    module.slow = slow
    return module


def test_an_adaptive_memo_stops_keying_a_function_cheaper_than_its_keys():
    module = counting_module()
    reference = MemoizedReference(module, adaptive=True)
    big = np.ones((40, 40))
    for factor in range(memo.PROBE_MISSES):  # misses, each timed
        reference.scale(big, factor=float(factor))
    reference.scale(big, factor=0.0)  # computed again: no longer worth a key
    assert module.calls == ["scale"] * (memo.PROBE_MISSES + 1)
    assert reference.hits == 0


def test_an_adaptive_memo_keeps_remembering_a_function_dearer_than_its_keys():
    module = slow_module(0.002)
    reference = MemoizedReference(module, adaptive=True)
    for value in range(memo.PROBE_MISSES):
        reference.slow(float(value))
    assert reference.slow(0.0) == 1.0
    assert module.calls == ["slow"] * memo.PROBE_MISSES
