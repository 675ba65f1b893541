"""The requests a test sends to the student's worker when the student answers like the reference.

``RecordingSubmission`` stands in for the student with the reference's module and writes
down each request exactly as ``grader.sandbox.submission.Submission`` would frame it. The
runner records every test twice, the second time with each float answer nudged by one part
in 10^12 (``NUDGE``, far below any test's tolerance yet visible in every float's bits): the
requests the two runs share, from the start, do not depend on the answers' last digits, so
a correct but different implementation meets them too. They become the test's planned calls
(``grader.grading.plan``), which ``grader.sandbox.speculation`` sends ahead.
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any, Callable

import numpy as np

from grader import testing
from grader.sandbox.inside import wire
from grader.sandbox.submission import (CallResult, Slot, TrustedSubmission, call_request, map_request,
                                       row_arglists, rows_request)

NUDGE = 1e-12
MIN_CALLS = 2  # a single planned call saves nothing: it is sent at the test's first call anyway
# Names that mean a test measures time, which a call answered ahead would not take.
CLOCK_NAMES = frozenset({"time", "perf_counter", "monotonic", "process_time", "thread_time",
                         "perf_counter_ns", "monotonic_ns", "time_ns", "datetime"})


def _nudged(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value * (1 + NUDGE)
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return type(value)(value * (1 + NUDGE))
    if isinstance(value, tuple):
        return tuple(_nudged(v) for v in value)
    if isinstance(value, list):
        return [_nudged(v) for v in value]
    if isinstance(value, dict):
        return {k: _nudged(v) for k, v in value.items()}
    return value


class _LeftThePlain(BaseException):
    """The nudged run asked for something the plain run did not: the rest cannot be shared."""


class RecordingSubmission(TrustedSubmission):
    """The reference in the student's place, noting each request's frame (until the first call
    that hands out grader functions: what follows it depends on what they are asked).

    With ``expected`` (the plain run's requests), the run stops at the first request that is
    not the next of them: nothing after it can be planned, so running on costs for nothing."""

    def __init__(self, module: Any, signatures: dict[str, list[str]], *, nudge: bool = False,
                 expected: list[bytes] | None = None):
        super().__init__(module, signatures)
        self.requests: list[bytes] = []
        self.nudge = nudge
        self.expected = expected
        self._open = True

    def _note(self, request: dict) -> None:
        if self._open:
            frame = wire.encode(request)
            if self.expected is not None and (len(self.requests) >= len(self.expected)
                                              or self.expected[len(self.requests)] != frame):
                raise _LeftThePlain
            self.requests.append(frame)

    def call(self, function: str, *args, return_args: bool = False, **kwargs) -> CallResult:
        request, callbacks = call_request(function, self.signatures.get(function, []), args, kwargs,
                                          return_args)
        if callbacks:
            self._open = False
        self._note(request)
        result = super().call(function, *args, return_args=return_args, **kwargs)
        if self.nudge:
            result.value = _nudged(result.value)
        return result

    def map(self, function: str, arglists: list[tuple], only: int | None = None) -> list:
        self._note(map_request(function, arglists, only))
        values = super().map(function, arglists, only)
        return [_nudged(v) for v in values] if self.nudge else values

    def map_rows(self, function: str, arglist: tuple, slot: Slot, rows: np.ndarray,
                 only: int | None = None) -> list:
        self._note(rows_request(function, arglist, slot, rows, only))
        values = TrustedSubmission.map(self, function, row_arglists(arglist, slot, rows), only)
        return [_nudged(v) for v in values] if self.nudge else values


def reads_the_clock(test: Callable, _seen: set | None = None) -> bool:
    """Whether the test's own code names a clock (``time.perf_counter()``, ``monotonic`` ...),
    or a function of its own module that it names does (a ``_best_time(f)`` helper: the test
    would time replies computed ahead, and a slow student would pass), or it sets a
    hypothesis ``deadline``."""
    function, seen = inspect.unwrap(test), set() if _seen is None else _seen
    if function in seen:
        return False
    seen.add(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return True  # cannot tell: do not speculate
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and node.id in CLOCK_NAMES) or (
                isinstance(node, ast.Attribute) and node.attr in CLOCK_NAMES):
            return True
        if isinstance(node, ast.keyword) and node.arg == "deadline" and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True  # hypothesis times each example: @settings(deadline=200)
        helper = getattr(function, "__globals__", {}).get(node.id) if isinstance(node, ast.Name) else None
        if (inspect.isfunction(helper) and helper.__module__ == function.__module__
                and reads_the_clock(helper, seen)):
            return True
    return False


def speculable(test: Callable) -> bool:
    return not getattr(inspect.unwrap(test), testing.LIVE_CALLS_ATTRIBUTE, False) and not reads_the_clock(test)


def record_calls(run: Callable[[RecordingSubmission], None], module: Any,
                 signatures: dict[str, list[str]]) -> list[bytes] | None:
    """The planned calls of one test, ``run`` on the reference twice; None when fewer than
    ``MIN_CALLS`` requests survive the nudge."""
    plain = _recorded(run, RecordingSubmission(module, signatures))
    if len(plain) < MIN_CALLS:
        return None
    nudged = _recorded(run, RecordingSubmission(module, signatures, nudge=True, expected=plain))
    return plain[:len(nudged)] if len(nudged) >= MIN_CALLS else None


def _recorded(run: Callable[[RecordingSubmission], None], recorder: RecordingSubmission) -> list[bytes]:
    try:
        run(recorder)
    except BaseException:  # noqa: BLE001 - what was asked before the test stopped still counts
        pass
    return recorder.requests
