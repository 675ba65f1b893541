"""Property tests' inputs drawn once per grading process, replayed for every student.

Under the derandomized grading profile hypothesis draws the same examples, in the
same order, for every student up to the first failure: generation does not
depend on the test's outcome before then (no database, no targeting, no
shrinking). Drawing them costs more than most tests themselves, so the first time
a grading process meets a property test it runs it under hypothesis with the
reference in the student's place, recording each example's arguments and
interactive draws (``st.data()``). Every student after that gets those examples
replayed in order, stopping at the first failure: the failure hypothesis would
have reported. Examples the test itself rejects (``assume``) are skipped, as
hypothesis skips them.

A test is run under hypothesis as before when the reference does not pass it (the
recording would be incomplete), when it is seeded per student (each student has
their own examples, so there is nothing to share), or when a replayed test asks
for a draw that was not recorded (its draws depended on the student's answers).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis.errors import UnsatisfiedAssumption

FIXTURES = ("student", "reference")


@dataclass
class Example:
    arguments: dict[str, Any]
    draws: list[tuple[str | None, Any]] = field(default_factory=list)

    def describe(self, test_name: str) -> str:
        """The failing input, in the words hypothesis uses for a falsifying example."""
        lines = [f"Falsifying example: {test_name}("]
        lines += [f"    {name}={value!r}," for name, value in self.arguments.items()
                  if value is not DATA_SLOT]
        lines.append(")")
        lines += [f"Draw {number} ({label}): {value!r}" if label else f"Draw {number}: {value!r}"
                  for number, (label, value) in enumerate(self.draws, start=1)]
        return "\n".join(lines)


class _DataSlot:
    """Marks the argument where hypothesis passed its interactive ``data`` object."""

    def __repr__(self) -> str:
        return "data(...)"


DATA_SLOT = _DataSlot()


class ReplayDiverged(Exception):
    """The test asked for a draw the recording does not have."""


def _is_data_object(value: Any) -> bool:
    return type(value).__name__ == "DataObject" and hasattr(value, "draw")


class _RecordingData:
    """Stands in for hypothesis's ``data`` argument while recording: draws for real, keeps copies."""

    def __init__(self, real: Any, draws: list):
        self._real, self._draws = real, draws

    def draw(self, strategy: Any, label: Any = None) -> Any:
        value = self._real.draw(strategy, label=label)
        self._draws.append((None if label is None else str(label), copy.deepcopy(value)))
        return value


class _ReplayData:
    """Stands in for ``data`` while replaying: hands out the recorded draws in order."""

    def __init__(self, draws: list):
        self._draws, self._next = draws, 0

    def draw(self, strategy: Any, label: Any = None) -> Any:
        if self._next >= len(self._draws):
            raise ReplayDiverged("more draws than were recorded")
        value = self._draws[self._next][1]
        self._next += 1
        return copy.deepcopy(value)




def record(test: Callable, reference_fixtures: Callable[[], dict[str, Any]],
           recordings: dict[Callable, list[Example] | None]) -> list[Example] | None:
    """Run ``test`` under hypothesis against the reference once, keeping every passing example.

    ``recordings`` (the grading session's) keeps what each test gave, None when it cannot be
    replayed, so the reference runs a test once per process."""
    if test in recordings:
        return recordings[test]
    inner = test.hypothesis.inner_test
    examples: list[Example] = []

    # wraps: hypothesis seeds a derandomized run from the inner test's source and signature.
    @functools.wraps(inner)
    def recorder(*args, **kwargs):
        example = Example({k: DATA_SLOT if _is_data_object(v) else copy.deepcopy(v)
                           for k, v in kwargs.items() if k not in FIXTURES})
        recording = {k: _RecordingData(v, example.draws) if _is_data_object(v) else v
                     for k, v in kwargs.items()}
        inner(*args, **recording)  # an example the test rejects (assume) is not kept
        examples.append(example)

    test.hypothesis.inner_test = recorder
    try:
        test(**reference_fixtures())
        recordings[test] = examples
    except BaseException:  # noqa: BLE001 - the reference failed its own test: do not replay it
        recordings[test] = None
    finally:
        test.hypothesis.inner_test = inner
    return recordings[test]


def replay(test: Callable, examples: list[Example], fixtures: dict[str, Any]) -> None:
    """Run the recorded examples in order; the first failure propagates with its input noted."""
    inner = test.hypothesis.inner_test
    for example in examples:
        arguments = {name: _ReplayData(example.draws) if value is DATA_SLOT else copy.deepcopy(value)
                     for name, value in example.arguments.items()}
        try:
            inner(**fixtures, **arguments)
        except UnsatisfiedAssumption:
            continue
        except ReplayDiverged:
            raise
        except Exception as error:
            error.add_note(example.describe(test.__name__))
            raise


# ------------------------------------------------------------ shrinking a failure
SHRINK_CALLS = 100  # counted, not timed: the shown example must be the same on every run


class ShrinkBudgetSpent(BaseException):
    """Stops hypothesis's shrinker (a BaseException, so hypothesis does not catch it)."""


class BudgetedStudent:
    """The student's handle, allowed a bounded number of calls for shrinking.

    Replay finds the failure; showing a student the *smallest* failing input of a
    public test is worth some more calls, never an unbounded search. The test's own
    time budget still applies to every call.
    """

    def __init__(self, student: Any, calls: int = SHRINK_CALLS):
        self._student = student
        self._calls_left = calls

    def _spend(self, calls: int) -> None:
        self._calls_left -= calls
        if self._calls_left < 0:
            raise ShrinkBudgetSpent

    def call(self, function: str, *args, **kwargs) -> Any:
        self._spend(1)
        return self._student.call(function, *args, **kwargs)

    def map(self, function: str, arglists: list, only: int | None = None) -> list:
        self._spend(max(1, len(arglists) // 10))
        return self._student.map(function, arglists, only)

    def map_rows(self, function: str, arglist: tuple, slot: tuple, rows: Any, only: int | None = None) -> list:
        self._spend(max(1, len(rows) // 10))
        return self._student.map_rows(function, arglist, slot, rows, only)

    def __getattr__(self, name: str) -> Any:
        if name in getattr(self._student, "signatures", {}):
            return lambda *args, **kwargs: self.call(name, *args, **kwargs).value
        return getattr(self._student, name)
