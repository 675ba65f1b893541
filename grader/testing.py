"""What topic tests are written with: points, checks that explain themselves, hints.

A topic test is a plain function ``test_*`` taking the fixtures it names
(``student``, and in hidden tests ``reference``), decorated with ``@points(n)``.
Checks raise ``CheckFailed`` with a message safe for the student; ``detail`` may
hold expected values and ``measure`` how far the answer is from them, both shown for public
tests only (``grader.outputs.visibility``). When a wrong answer
matches a known mistake, the failure carries that mistake's hint and name.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, NoReturn, Sequence

import numpy as np

__all__ = [
    "points", "hint", "live_calls", "CheckFailed", "fail", "Mistake", "mistake_model", "record",
    "shape_of", "type_of", "is_close", "diagnose", "same_data",
    "expect_scalar", "expect_shape", "expect_finite", "expect_close", "expect_tuple",
    "expect_unchanged", "expect_no_warnings", "note",
    "where_different", "common_factor", "mistake_from_warnings", "expect_stable", "shape_hint",
    "expect_array", "expect_float64", "expect_labels", "expect_same_labels", "expect_update",
]

# --------------------------------------------------------------------- points
POINTS_ATTRIBUTE = "__grader_points__"
HINT_ATTRIBUTE = "__grader_hint__"
LIVE_CALLS_ATTRIBUTE = "__grader_live_calls__"


def points(value: float) -> Callable:
    """Mark a test as worth ``value`` points (its ``max_score``)::

        @points(2)
        def test_sigmoid_of_zero_is_a_half(student): ...
    """
    def mark(test: Callable) -> Callable:
        setattr(test, POINTS_ATTRIBUTE, float(value))
        return test
    return mark


def hint(text: str) -> Callable:
    """The hint shown when this test fails without a more specific diagnosis.

    A check's own ``hint=`` or a matched ``Mistake``'s hint wins over this one::

        @points(1)
        @hint("sigmoid(z) = 1 / (1 + np.exp(-z)).")
        def test_sigmoid_of_zero_is_a_half(student): ...
    """
    def mark(test: Callable) -> Callable:
        setattr(test, HINT_ATTRIBUTE, text)
        return test
    return mark


def live_calls(test: Callable) -> Callable:
    """Never send this test's calls ahead (``grader.sandbox.speculation``): mark a test whose
    outcome depends on more than the student's answers, such as how long a call takes. Tests
    whose code names a clock (``time.perf_counter`` ...) are treated so without the mark::

        @points(1)
        @live_calls
        def test_predict_is_vectorized(student): ...
    """
    setattr(test, LIVE_CALLS_ATTRIBUTE, True)
    return test


# ------------------------------------------------------------------- failures
class CheckFailed(AssertionError):
    """``message`` says what is wrong without values; ``measure`` (how far off, computed from
    the expected value) is shown after it in parentheses, and ``detail`` below it, for public
    tests only."""

    def __init__(self, message: str, *, hint: str | None = None, mistake: str | None = None,
                 detail: str | None = None, measure: str | None = None):
        super().__init__(f"{message} ({measure})" if measure else message)
        self.message = message
        self.hint = hint
        self.mistake = mistake
        self.detail = detail
        self.measure = measure


def fail(message: str, *, hint: str | None = None, mistake: str | None = None,
         detail: str | None = None, measure: str | None = None) -> NoReturn:
    """Fail the running test: ``fail("w should not change", mistake="modifies_w")``.

    ``message`` is shown to the student (never put expected values in it); ``hint`` says what
    to do; ``mistake`` names the known mistake for class reports; ``detail`` and ``measure``
    are shown for public tests only.
    """
    raise CheckFailed(message, hint=hint, mistake=mistake, detail=detail, measure=measure)


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: its name (counted in class reports), the hint, and its value.

    A mistake model computes ``value`` from the test's inputs the way the mistaken formula
    would; checks given ``mistakes=[...]`` report the first one the answer reproduces::

        Mistake("mean_not_sum", "J is a sum over the samples, not a mean.", total / n)
    """

    name: str
    hint: str
    value: Any


class KnownMistakes(Sequence[Mistake]):
    """A mistake model's list of ``Mistake``, computed the first time something reads it."""

    def __init__(self, compute: Callable[[], Iterable[Mistake]]):
        self._compute: Callable[[], Iterable[Mistake]] | None = compute
        self._items: list[Mistake] = []

    def _resolved(self) -> list[Mistake]:
        if self._compute is not None:
            self._items, self._compute = list(self._compute()), None
        return self._items

    def __iter__(self) -> Iterator[Mistake]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())

    def __getitem__(self, index):  # a slice is a plain list
        return self._resolved()[index]

    def __add__(self, other: Iterable[Mistake]) -> "KnownMistakes":
        return KnownMistakes(lambda: self._resolved() + list(other))

    def __radd__(self, other: Iterable[Mistake]) -> "KnownMistakes":
        return KnownMistakes(lambda: list(other) + self._resolved())


def mistake_model(function: Callable[..., Iterable[Mistake]]) -> Callable[..., KnownMistakes]:
    """Decorate a function that builds a check's known mistakes: its values are then computed
    only when the check needs them (the answer is wrong, or ``grader validate`` takes its
    census), not for every right answer. The function must be pure: it runs later than it is
    called, on the same arguments, so a test must not change them in place before the check::

        @mistake_model
        def cost_mistakes(X, y, w):
            return [Mistake("sum_not_mean", HINT_MEAN, np.sum((X @ w - y) ** 2))]

        expect_close(student.cost(X, y, w), reference.cost(X, y, w), "cost",
                     mistakes=cost_mistakes(X, y, w))
    """
    @functools.wraps(function)
    def later(*args: Any, **kwargs: Any) -> KnownMistakes:
        return KnownMistakes(lambda: function(*args, **kwargs))

    return later


# ------------------------------------------------------- per-test data record
_record: contextvars.ContextVar[dict | None] = contextvars.ContextVar("grader_record", default=None)


_HIDDEN_KEY = "_hidden_test"  # in the record, not in the outcome: messages follow it


def start_record(*, hidden: bool = False) -> contextvars.Token:
    """Start a test's record; ``hidden``: its messages are shown by a hidden test."""
    return _record.set({_HIDDEN_KEY: hidden})


def finish_record(token: contextvars.Token) -> dict:
    data = dict(_record.get() or {})
    data.pop(_HIDDEN_KEY, None)
    _record.reset(token)
    return data


def _in_hidden_test() -> bool:
    return bool((_record.get() or {}).get(_HIDDEN_KEY))


def record(key: str, value: Any) -> None:
    """Attach plain data (for example gradient-check errors) to the running test's outcome.

    Values under one ``key`` accumulate in a list; outside a graded test this does nothing.
    """
    data = _record.get()
    if data is not None:
        data.setdefault(key, []).append(value)


NOTE_KEY = "note"


def note(text: str) -> None:
    """Say something about a test that passes anyway, shown with it in the report and by
    ``grader check``: "your gradient is right; your cost is what is wrong"."""
    record(NOTE_KEY, text)


# --------------------------------------------------------------------- checks
def _int_as_float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _as_array(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value)
    except Exception:
        return None
    if array.dtype == object and array.size and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in array.flat):
        # Python integers beyond int64 make an object array: judge them as the numbers they are.
        array = np.array([_int_as_float(v) for v in array.flat]).reshape(array.shape)
    return array if array.dtype.kind in "biuf" else None


def student_shape(shape: Sequence[int], expected: Sequence[int] = ()) -> str:
    """``"shape (5, 1)"``, the shape of a value the student's code returned, for a message.

    A public test spells it out. A hidden test's message must not carry its inputs out, and
    the student's code chooses its shapes (a zero-size array may have any sizes), so there
    it is spelled out only when made of sizes the test shows anyway (0, 1, those of
    ``expected`` and products of adjacent ones) with at most two axes more than expected:
    that covers the usual mistakes ((m, 1) for (m,), (1, 1) for a number, (m, m) from
    broadcasting, a transpose) and carries out a few bits at most. Any other shape reads
    "a shape of other sizes"."""
    shape = tuple(int(n) for n in shape)
    return f"shape {shape}" if _shown(shape, expected) else "a shape of other sizes"


def _shown(shape: tuple[int, ...], expected: Sequence[int]) -> bool:
    if not _in_hidden_test():
        return True
    # Products of adjacent sizes too: an (N, D) gradient of an (N, d1, d2) input, not reshaped.
    expected = tuple(int(n) for n in expected)
    allowed = {0, 1} | {math.prod(expected[i:j]) for i in range(len(expected))
                        for j in range(i + 1, len(expected) + 1)}
    return len(shape) <= len(expected) + 2 and all(n in allowed for n in shape)


def shape_of(value: Any, expected: Sequence[int] = ()) -> str:
    """How a value looks, for messages: ``"an array of shape (3, 2)"``, ``"a list of length 3"``,
    ``"a scalar"``, or ``"a <type>"``; sizes as ``student_shape`` shows them."""
    if isinstance(value, np.ndarray):
        return f"an array of {student_shape(value.shape, expected)}"
    if isinstance(value, (list, tuple)):
        if _shown((len(value),), tuple(expected)[:1]):
            return f"a {type(value).__name__} of length {len(value)}"
        return f"a {type(value).__name__} of another length"
    return "a scalar" if np.isscalar(value) else f"a {type(value).__name__}"


def expect_scalar(value: Any, what: str, *, hint: str | None = None) -> float:
    """A real number: a Python or numpy scalar, not an array of any shape."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        fail(f"{what} should be a single number, but it is {shape_of(value)}",
             hint=hint or "return a float, e.g. float(total) or total.item(), not an array",
             mistake="returns_array")
    return _int_as_float(value) if isinstance(value, int) else float(value)


TYPE_HINT = ("return a numpy array (np.array(values), or the array your numpy operations give), "
             "not a Python list or tuple")


def shape_hint(what: str, shape: tuple) -> str:
    """The hint of a shape failure: about shapes, never about the values' formula."""
    return (f"{what} must have shape {tuple(shape)}: check the axis= and keepdims= of your "
            "reductions, and that no reshape, transpose or broadcast changed an axis")


def expect_shape(value: Any, shape: tuple, what: str, *, hint: str | None = None,
                 mistake: str | None = None) -> np.ndarray:
    """``value`` as a numeric numpy array of exactly ``shape``, else the test fails.

    A list, a tuple or a scalar fails with a type hint (mistake ``wrong_type``); a wrong
    shape with ``hint`` or, without one, a shape hint (mistake ``wrong_shape`` unless
    ``mistake`` is given): a shape or type failure never gets the test's hint on values.
    Wrap values you accept as lists in ``np.asarray`` first::

        dW = expect_shape(dW, (D, C), "dW", hint="dW has the shape of W.")
    """
    if isinstance(value, (list, tuple)):
        fail(f"{what} should be a numpy array of shape {tuple(shape)}, but it is {shape_of(value, shape)}",
             hint=TYPE_HINT, mistake="wrong_type")
    array = value if isinstance(value, np.ndarray) else None
    if array is None or array.shape != tuple(shape):
        got = student_shape(array.shape, shape) if array is not None else shape_of(value, shape)
        fail(f"{what} should have shape {tuple(shape)}, but it has {got}",
             hint=hint or shape_hint(what, shape), mistake=mistake or "wrong_shape")
    if array.dtype.kind not in "biuf":
        fail(f"{what} should hold numbers, but its dtype is {array.dtype}",
             hint=f"{what} must be an array of numbers (float64), not of {array.dtype}",
             mistake="wrong_dtype")
    return array


def expect_finite(value: Any, what: str, *, hint: str | None = None, mistake: str | None = None) -> None:
    """Every entry of ``value`` is a finite number (no nan, no inf)."""
    array = _as_array(value)
    if array is None:
        fail(f"{what} should be numeric, but it is {shape_of(value)}", hint=hint)
    if not np.all(np.isfinite(array)):
        bad = "nan" if np.any(np.isnan(array)) else "inf"
        fail(f"{what} contains {bad}", hint=hint, mistake=mistake)


def is_close(actual: Any, expected: Any, *, rtol: float, atol: float) -> bool:
    """Same shape and every entry within ``atol + rtol * |expected|``; never close to a
    non-finite expected value, never close when ``actual`` is not numeric."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None or a.shape != e.shape:
        return False
    a, e = a.astype(np.float64), e.astype(np.float64)
    if not np.all(np.isfinite(e)):
        return False  # inf <= atol + rtol * inf would make any finite answer "close" to inf
    return bool(np.all(np.isfinite(a)) and np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))


_census: contextvars.ContextVar[dict[str, bool] | None] = contextvars.ContextVar("grader_census",
                                                                               default=None)


@contextlib.contextmanager
def mistake_census() -> Iterator[dict[str, bool]]:
    """For ``grader validate``: while active, every check given known mistakes notes, for each
    mistake's name, whether its model ever told itself apart from the right answer (and from the
    models listed before it). A name that never does has a hint no student can be shown."""
    token = _census.set({})
    try:
        yield _census.get()
    finally:
        _census.reset(token)


def take_census(correct: Any, mistakes: Iterable[Mistake], *, rtol: float, atol: float) -> None:
    """Note which of ``mistakes`` this check could diagnose (only under ``mistake_census``)."""
    census = _census.get()
    if census is None:
        return
    earlier: list[Mistake] = []
    for mistake in mistakes:
        telling = not is_close(mistake.value, correct, rtol=rtol, atol=atol) and not any(
            is_close(mistake.value, other.value, rtol=rtol, atol=atol) for other in earlier)
        census[mistake.name] = census.get(mistake.name, False) or telling
        earlier.append(mistake)


def _readable_twice(mistakes: Iterable[Mistake]) -> Sequence[Mistake]:
    """A sequence as it is (a ``KnownMistakes`` not computed yet); any other iterable as a list."""
    return mistakes if isinstance(mistakes, Sequence) else list(mistakes)


def diagnose(actual: Any, mistakes: Iterable[Mistake], *, rtol: float, atol: float) -> Mistake | None:
    """The first known mistake whose value the actual answer reproduces."""
    for mistake in mistakes:
        if is_close(actual, mistake.value, rtol=rtol, atol=atol):
            return mistake
    return None


def expect_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-6, atol: float = 1e-9,
                 mistakes: Iterable[Mistake] = (), hint: str | None = None) -> None:
    """``actual`` equals ``expected`` up to float64 round-off.

    The default tolerance (rtol 1e-6) is far above the round-off of any correct
    float64 formula on these small inputs (~1e-13) and far below the effect of
    every mistake the tests target (>= 1e-3 relative by construction of the inputs).
    """
    expected_array = np.asarray(expected, dtype=np.float64)
    mistakes = _readable_twice(mistakes)
    take_census(expected_array, mistakes, rtol=rtol, atol=atol)
    actual_array = _as_array(actual)
    if actual_array is None:
        fail(f"{what} should be numeric, but it is {shape_of(actual, expected_array.shape)}", hint=TYPE_HINT,
             mistake="wrong_type")
    if actual_array.shape != expected_array.shape:
        if expected_array.ndim == 0 and actual_array.size == 1:
            # Value tests judge the value; whether it is a scalar is expect_scalar's test.
            actual_array = actual_array.reshape(())
        else:
            fail(f"{what} should have shape {expected_array.shape}, but it has "
                 f"{student_shape(actual_array.shape, expected_array.shape)}",
                 hint=shape_hint(what, expected_array.shape), mistake="wrong_shape")
    if is_close(actual_array, expected_array, rtol=rtol, atol=atol):
        return
    found = diagnose(actual_array, mistakes, rtol=rtol, atol=atol)
    detail = f"expected {np.array2string(expected_array, precision=6)}, got {np.array2string(actual_array.astype(float), precision=6)}"
    measure = None
    if not np.all(np.isfinite(actual_array)):
        message = f"{what} contains nan or inf"
    else:
        error = np.max(np.abs(actual_array - expected_array) / (atol + np.abs(expected_array) + 1e-300))
        # With their own answer known, this pins the expected value: public tests only.
        message = f"{what} is wrong" + where_different(actual_array, expected_array, rtol=rtol, atol=atol)
        measure = f"largest relative difference {min(error, 1e300):.2g}"
    if found is not None:
        fail(message, hint=found.hint, mistake=found.name, detail=detail, measure=measure)
    fail(message, hint=hint, detail=detail, measure=measure)


def where_different(actual: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-9) -> str:
    """Which entries of two same-shape arrays differ, for a message that makes no guess:
    ``" in 2 of 6 entries, at (0, 1) and (2, 0)"``; ``""`` for a single number. Positions
    only, never values. A hidden test says only whether some or all of them differ: the
    student's code chooses which entries it gets wrong, so a count or positions could spell
    the test's inputs."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape or a.size <= 1:
        return ""
    with np.errstate(all="ignore"):
        wrong = ~(np.abs(a - e) <= atol + rtol * np.abs(e))
    count = int(np.sum(wrong))
    if count == 0:
        return ""
    if count == a.size:
        return f" in every one of its {a.size} entries"
    if _in_hidden_test():
        return f" in some of its {a.size} entries"
    places = [str(tuple(int(i) for i in index)) if a.ndim > 1 else str(int(index[0]))
              for index in np.argwhere(wrong)[:3]]
    shown = ", ".join(places[:-1]) + " and " + places[-1] if len(places) > 1 else places[0]
    return f" in {count} of {a.size} entries, at {shown}" + (" ..." if count > 3 else "")


def common_factor(actual: Any, expected: Any, *, rtol: float = 1e-6) -> float | None:
    """The one number c with actual == c * expected entry by entry (within ``rtol``), if there
    is one and it is not 1: the evidence for a wrong scale, such as a wrong learning rate."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape or not np.all(np.isfinite(a)) or not np.any(np.abs(e) > 0):
        return None
    index = int(np.argmax(np.abs(e)))
    factor = float(a.ravel()[index] / e.ravel()[index])
    if not np.isfinite(factor) or abs(factor - 1.0) <= rtol or abs(factor) < 1e-12:
        return None
    return factor if is_close(a, factor * e, rtol=rtol, atol=1e-12) else None


def same_data(before: Any, after: Any) -> bool:
    """Plain data equal in structure and value (arrays bit for bit, nan equal to nan).

    Dicts (same keys), tuples and lists (either, same length) are compared element by
    element, so a cache ``(x, w, b)`` or a parameter dict is compared in depth.
    """
    if isinstance(before, dict):
        return (isinstance(after, dict) and sorted(before) == sorted(after)
                and all(same_data(before[k], after[k]) for k in before))
    if isinstance(before, (tuple, list)):
        return (isinstance(after, (tuple, list)) and len(before) == len(after)
                and all(same_data(b, a) for b, a in zip(before, after)))
    try:
        return bool(np.shape(before) == np.shape(after) and np.array_equal(before, after, equal_nan=True))
    except TypeError:
        return before == after


def type_of(value: Any, longest: int = 1) -> str:
    """The type's name, with the length of a tuple or list: ``"float"``, ``"tuple of length 2"``.
    The student's code chooses the length, so a hidden test names it only up to ``longest``
    (a few bits at most); a longer one reads "of another length"."""
    if not isinstance(value, (tuple, list)):
        return type(value).__name__
    if not _in_hidden_test() or len(value) <= longest:
        return f"{type(value).__name__} of length {len(value)}"
    return f"{type(value).__name__} of another length"


def expect_tuple(value: Any, count: int, what: str, *, returns: str | None = None,
                 describe: Callable[[Any], str] | None = type_of, hint: str | None = None,
                 mistake: str | None = "wrong_return") -> tuple | list:
    """``value`` as returned, when it is a tuple (or list) of ``count`` values; else the test fails.

    The message reads "{what} should return {returns}, but it returned {describe(value)}";
    ``returns`` defaults to "a tuple of {count} values", ``describe=None`` leaves out
    the part after the comma, and the mistake is ``wrong_return`` unless given::

        loss, dW, db = expect_tuple(student.svm_loss(W, b, X, y, reg), 3, "svm_loss",
                                    returns="a tuple (loss, dW, db)", describe=shape_of,
                                    hint="end with: return loss, dW, db", mistake="wrong_return")
    """
    if not isinstance(value, (tuple, list)) or len(value) != count:
        message = f"{what} should return {returns or f'a tuple of {count} values'}"
        # Up to two values more than asked: the usual slip returns a cache or an extra term too.
        described = type_of(value, count + 2) if describe is type_of else describe and describe(value)
        fail(message + (f", but it returned {described}" if describe is not None else ""),
             hint=hint, mistake=mistake)
    return value


def expect_unchanged(before: Any, after: Any, what: str, *, hint: str | None = None,
                     mistake: str | None = None) -> None:
    """The argument ``after`` (as the student's function left it) still equals ``before``.

    Nested data is compared in depth (``same_data``); use with ``return_args=True``::

        result = student.call("sgd", w, dw, config, return_args=True)
        expect_unchanged(w, result.args_after[0], "the caller's w", mistake="modifies_w")
    """
    if not same_data(before, after):
        fail(f"{what} was modified by your function", hint=hint, mistake=mistake or "modifies_input")


def mistake_from_warnings(warnings: list[str], *, overflow: Mistake | None = None,
                          log_of_zero: Mistake | None = None) -> Mistake | None:
    """The mistake numpy's warnings (``student.call(...).warnings``) are evidence for: an
    "overflow" warning for ``overflow`` (np.exp of a large number), "divide by zero" or
    "invalid value" for ``log_of_zero`` (the log of a probability that rounded to 0); None
    when they show neither, so a non-finite answer then gets no guess::

        found = mistake_from_warnings(result.warnings, overflow=Mistake("softmax_overflow", HINT, None))
        expect_finite(loss, "loss", mistake=found and found.name, hint=found and found.hint)
    """
    text = " ".join(warnings)
    if overflow is not None and "overflow" in text:
        return overflow
    if log_of_zero is not None and ("divide by zero" in text or "invalid value" in text):
        return log_of_zero
    return None


def expect_stable(result: Any, values: Iterable[tuple[Any, str]], what: str, *,
                  overflow: Mistake | None = None, log_of_zero: Mistake | None = None) -> None:
    """Every value finite and the call free of numpy warnings, with the hint the warnings are
    evidence for (``mistake_from_warnings``)::

        result = student.call("softmax_cross_entropy", scores, y)
        loss, dscores = expect_tuple(result.value, 2, "softmax_cross_entropy")
        expect_stable(result, [(loss, "loss"), (dscores, "dscores")], "softmax_cross_entropy",
                      overflow=Mistake("softmax_overflow", HINT_OVERFLOW, None))
    """
    found = mistake_from_warnings(result.warnings, overflow=overflow, log_of_zero=log_of_zero)
    mistake, text = (found.name, found.hint) if found is not None else (None, None)
    for value, name in values:
        expect_finite(value, name, mistake=mistake or "not_finite", hint=text)
    expect_no_warnings(result.warnings, what, mistake=mistake, hint=text)


def expect_no_warnings(warnings: list[str], what: str, *, hint: str | None = None,
                       mistake: str | None = None) -> None:
    """No numpy warning (overflow, divide by zero, invalid value) was raised: pass
    ``student.call(..., return_args=True).warnings``."""
    if warnings:
        text = str(warnings[0])
        # The text comes from the student's process: shown in the message (which hidden tests
        # show) only in numpy's own fixed form, else in the details (public tests only).
        if _NUMPY_WARNING.fullmatch(text):
            fail(f"{what} raised a numpy warning: {text}", hint=hint, mistake=mistake)
        fail(f"{what} raised a warning", hint=hint, mistake=mistake, detail=f"the warning: {text[:500]}")


_NUMPY_WARNING = re.compile(r"(?:RuntimeWarning: )?(?:overflow|underflow|divide by zero|invalid value) "
                            r"encountered in [a-z_0-9]{1,40}")


# ---------------------------------------------------- checks shared by topics
def expect_array(actual: Any, expected: Any, what: str, *, mistakes: Iterable[Mistake] = (),
                 rtol: float = 1e-6, atol: float = 1e-9, dtype: Any = np.float64) -> np.ndarray:
    """``actual`` has the shape of ``expected``, ``dtype`` (None: any numeric dtype) and its values.

    A wrong shape is first compared with the known mistakes, whose values have the shapes
    those mistakes produce (np.squeeze dropping an axis, (m,) - (m, 1) broadcasting to
    (m, m)), so that the failure names the mistake::

        expect_array(student.predict(X, w, b), reference.predict(X, w, b), "predict(X, w, b)",
                     mistakes=[Mistake("squeezed", HINT_SQUEEZE, np.squeeze(expected))])
    """
    mistakes = _readable_twice(mistakes)
    expected = np.asarray(expected, dtype=np.float64)
    if not (isinstance(actual, np.ndarray) and actual.shape == expected.shape):
        found = diagnose(actual, mistakes, rtol=rtol, atol=atol)
        if found is not None:
            fail(f"{what} should have shape {expected.shape}, but it has "
                 + (student_shape(actual.shape, expected.shape) if isinstance(actual, np.ndarray)
                    else shape_of(actual, expected.shape)),
                 hint=found.hint, mistake=found.name)
    array = expect_float64(actual, expected.shape, what) if dtype == np.float64 else \
        expect_shape(actual, expected.shape, what)
    if dtype is not None and dtype != np.float64 and array.dtype != dtype:
        fail(f"{what} should have dtype {np.dtype(dtype)}, but its dtype is {array.dtype}",
             hint=f"{what} must have dtype {np.dtype(dtype)}", mistake="wrong_dtype")
    expect_close(array, expected, what, rtol=rtol, atol=atol, mistakes=mistakes)
    return array


def expect_float64(value: Any, shape: tuple, what: str, *, hint: str | None = None) -> np.ndarray:
    """``value`` as a float64 array of ``shape`` (``expect_shape``, then the dtype)::

        Xb = expect_float64(student.add_bias_column(X), (m, n + 1), "add_bias_column(X)")
    """
    array = expect_shape(value, shape, what, hint=hint)
    if array.dtype != np.float64:
        fail(f"{what} should have dtype float64, but its dtype is {array.dtype}",
             hint=f"{what} must be float64: build it from float arrays (np.ones, np.zeros and "
                  "np.hstack keep float64; an integer array or dtype=int does not)",
             mistake="wrong_dtype")
    return array


def expect_labels(value: Any, n: int, what: str = "labels", *, hint: str | None = None) -> np.ndarray:
    """Cluster or class labels: ``n`` whole numbers, as an int64 array.

    A list or tuple of the right length is accepted (labels are judged as the numbers they
    are); another shape fails with a shape hint, non-integers with mistake
    ``labels_not_integers``::

        labels = expect_labels(student.assign_clusters(X, C), X.shape[0])
    """
    array = expect_shape(np.asarray(value) if isinstance(value, (list, tuple)) else value, (n,), what,
                         hint=hint or "one label per sample: argmin over the centroid axis (axis=1).")
    if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
        fail(f"{what} should hold whole numbers (cluster indices)", mistake="labels_not_integers",
             hint=f"{what} are indices: np.argmin gives integers")
    return array.astype(np.int64)


def expect_same_labels(actual: Any, expected: Any, what: str = "labels", *,
                       mistakes: Iterable[Mistake] = (), hint: str | None = None) -> np.ndarray:
    """``expect_labels``, then every label equal to ``expected``'s; a mistake's hint only when
    the labels are exactly that mistake's. The message says how many samples are wrong and the
    first; a hidden test only whether some or all are (as ``where_different``: the student's
    code chooses which labels it gets wrong)."""
    expected = np.asarray(expected)
    labels = expect_labels(actual, expected.shape[0], what)
    if np.array_equal(labels, expected):
        return labels
    wrong = np.flatnonzero(labels != expected)
    hidden = _in_hidden_test() and wrong.size < expected.shape[0]
    message = (f"{what} is wrong for some of its {expected.shape[0]} samples" if hidden else
               f"{what} is wrong for {wrong.size} of {expected.shape[0]} samples")
    for mistake in mistakes:
        if np.array_equal(labels, mistake.value):
            fail(message, hint=mistake.hint, mistake=mistake.name)
    fail(message + ("" if hidden else f" (first at sample {int(wrong[0])})"), hint=hint)


def expect_update(result: Any, what: str, shape: tuple) -> tuple[np.ndarray, dict]:
    """An optimizer step's ``(next_w, config)``: a pair, config a dict, next_w an array shaped
    like w; else the test fails saying which part is wrong::

        next_w, config = expect_update(student.sgd(w, dw, config), "sgd", w.shape)
    """
    expect_tuple(result, 2, what, returns="a pair (next_w, config)", describe=shape_of,
                 hint="end with `return next_w, config`.")
    if not isinstance(result[1], dict):
        fail(f"the config returned by {what} is {shape_of(result[1])}, not a dict",
             hint="end with `return next_w, config`, where config is the dict holding the state.",
             mistake="wrong_return")
    next_w = expect_shape(result[0], shape, f"next_w from {what}", hint="next_w has the shape of w.")
    return next_w, result[1]
