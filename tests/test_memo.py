"""The hidden tests' reference remembers its answers to the same plain arguments, safely."""
import types

import numpy as np

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
