"""Grader functions handed to student code, bound to the problem the test handed out.

A test that passes a function to student code (``gradient_descent``'s ``cost_fn`` and
``gradient_fn``) lets the student run that function in the grader's own process, on
arguments the student chooses. Unbound, a reference cost is an oracle: called on the
inputs of another hidden test it gives the value that test compares against; called on
huge arrays it makes the unlimited grader process do unbounded work. So test authors
wrap every such function with ``bound_callback``, and ``Submission.call`` refuses any
other callable::

    cost_fn = bound_callback(reference.linear_cost, free=("w", "b"),
                             X=X, y=y, w=w0, b=b0, lam=lam)
    student.gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn)

The keyword arguments are the callback's parameters, in order, at the values of the
problem: the ones not named in ``free`` (here X, y, lam) define the problem and must be
arguments of the student call the callback is handed to; every call from student code
must pass exactly those values. The free ones (w, b) may vary, but keep the kind and shape
of the value given here (an array of the same shape and a real dtype of at most 8 bytes;
a real scalar for a scalar). Whether they are finite is the student's business. A call
that does not fit is refused with a message naming what was wrong; it never reaches the
function. At most ``max_calls`` calls are served per student call, so the work a student
can make the grader do per call is bounded by the size of the problem the test chose.

Give the bound problem to the callback's test only: a reference value on inputs that
another test compares against must not be reachable through a callback.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.grading import memo

__all__ = ["bound_callback", "BoundCallback", "CallbackRefused"]

DEFAULT_MAX_CALLS = 100  # per student call; the tests here make 6 (one per update)
REAL_KINDS = "iuf"


class CallbackRefused(Exception):
    """Student code called a bound callback with arguments outside its problem."""


def plain_size(value: Any, stop_above: float = float("inf")) -> int:
    """Roughly the bytes a decoded plain value holds (arrays, strings, containers); counting
    stops soon after ``stop_above``, so a huge list costs no more than a small one."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 100
    if isinstance(value, (str, bytes)):
        return len(value) + 50
    if isinstance(value, np.random.Generator):
        return 1000
    if not isinstance(value, (list, tuple, dict)):
        return 32
    total = 50
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, item in items:
        total += (0 if key is None else plain_size(key)) + plain_size(item, stop_above - total)
        if total > stop_above:
            break
    return total


def _is_real_scalar(value: Any) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))) or (
        isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in REAL_KINDS)


def _a(name: str) -> str:
    """'a w', 'an X': the article as the name is read aloud."""
    vowel = name[:1] in "aeiouAEIOU" or (len(name) == 1 and name.lower() in "fhlmnrsx")
    return f"{'an' if vowel else 'a'} {name}"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if _is_real_scalar(value):
        return "a number"
    return f"a {type(value).__name__}"


def _same_problem_value(given: Any, expected: Any) -> bool:
    """Whether ``given`` is ``expected`` as student code received it (a copy is fine)."""
    if isinstance(expected, np.ndarray):
        return (isinstance(given, np.ndarray) and given.shape == expected.shape
                and given.dtype == expected.dtype and np.array_equal(given, expected, equal_nan=True))
    if _is_real_scalar(expected):
        return _is_real_scalar(given) and float(given) == float(expected)
    return type(given) is type(expected) and given == expected


@dataclass(frozen=True)
class BoundCallback:
    """A grader function that student code may call on one problem only (see the module)."""

    function: Callable
    parameters: tuple[str, ...]
    problem: tuple[Any, ...]
    free: frozenset[str]
    max_calls: int = DEFAULT_MAX_CALLS

    def fixed_values(self) -> list[tuple[str, Any]]:
        return [(name, value) for name, value in zip(self.parameters, self.problem)
                if name not in self.free]

    def check_handed_with(self, function: str, arguments: list[Any]) -> None:
        """Refuse (as an authoring error) a problem that is not the one the student call gets."""
        for name, value in self.fixed_values():
            if not any(_same_problem_value(argument, value) for argument in arguments):
                raise TypeError(f"a callback handed to {function} is bound to {_a(name)} that is not "
                                f"one of {function}'s arguments; bind it to the test's own problem")

    def arguments(self, args: tuple, kwargs: dict, *, receiver: str) -> tuple:
        """The call's arguments in parameter order, or CallbackRefused saying what is wrong.

        ``receiver`` names the student function that was given the callback, for messages.
        """
        if len(args) > len(self.parameters):
            raise CallbackRefused(f"was called with {len(args)} arguments; it takes "
                                  f"{len(self.parameters)} ({', '.join(self.parameters)})")
        values = dict(zip(self.parameters, args))
        for name, value in kwargs.items():
            if name not in self.parameters:
                raise CallbackRefused(f"has no parameter named {str(name)[:40]!r}; its parameters "
                                      f"are {', '.join(self.parameters)}")
            if name in values:
                raise CallbackRefused(f"got two values for {name}")
            values[name] = value
        missing = [name for name in self.parameters if name not in values]
        if missing:
            raise CallbackRefused(f"was called without {', '.join(missing)}")
        for name, expected in zip(self.parameters, self.problem):
            given = values[name]
            if name not in self.free:
                if not _same_problem_value(given, expected):
                    raise CallbackRefused(f"was called with {_a(name)} that is not the one "
                                          f"{receiver} received")
            elif isinstance(expected, np.ndarray):
                if not (isinstance(given, np.ndarray) and given.shape == expected.shape
                        and given.dtype.kind in REAL_KINDS and given.dtype.itemsize <= 8):
                    raise CallbackRefused(f"was called with {_a(name)} that is {_describe(given)}; "
                                          f"it must be a float array of shape {expected.shape}")
            elif _is_real_scalar(expected) and not _is_real_scalar(given):
                raise CallbackRefused(f"was called with {_a(name)} that is {_describe(given)}; "
                                      "it must be a number")
        return tuple(values[name] for name in self.parameters)

    def run(self, arguments: tuple) -> Any:
        """Call the function on checked arguments; its answers are not remembered by the memo,
        which holds only values the tests themselves asked for."""
        with memo.not_remembered():
            return self.function(*arguments)

    def __call__(self, *args, **kwargs) -> Any:
        """In-process use (trusted code, otter): the same checks as for sandboxed code."""
        try:
            arguments = self.arguments(args, kwargs, receiver="the function it was given to")
        except CallbackRefused as refusal:
            raise RuntimeError(f"the grader's function {refusal}") from None
        return self.run(arguments)


def bound_callback(function: Callable, *, free: tuple[str, ...] | list[str],
                   max_calls: int = DEFAULT_MAX_CALLS, **problem: Any) -> BoundCallback:
    """``function`` as a callback for student code, bound to ``problem`` (see the module)."""
    unknown = [name for name in free if name not in problem]
    if unknown:
        raise TypeError(f"bound_callback: free parameter {', '.join(unknown)} is not among the "
                        "problem's keyword arguments")
    if not callable(function):
        raise TypeError("bound_callback: the function is not callable")
    return BoundCallback(function, tuple(problem), tuple(problem.values()), frozenset(free),
                         max_calls)
