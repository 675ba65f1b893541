"""Numerical gradient checks: centered differences in float64, relative error with a floor.

Why these numbers. With step h, a centered difference has truncation error
h^2 |f'''| / 6 and round-off error about K * eps * |f| / h, where eps = 2.2e-16 and
K ~ 10 covers the round-off of evaluating f itself. With h = 1e-5 that is
~2e-11 |f'''| + ~2e-10 |f|. An element passes when

    |analytic - numerical| / max(|analytic| + |numerical|, floor) <= rtol

with rtol = 1e-5 and floor = 1e-3 * max(1, |f(x)|). The floor keeps round-off on
near-zero components from looking like an error (2e-10 |f| / floor <= 2e-7, 50x
below rtol); rtol is 100x above the worst round-off and truncation on our inputs,
yet every targeted mistake (a wrong factor, a missing term, a transpose) produces
errors of 1e-2 or more. Small parameters are checked element by element; large
ones along random unit directions, two evaluations each. Inputs near a kink (ReLU
at 0, a hinge at margin 0) make centered differences meaningless, so tests keep
inputs at least ``KINK_MARGIN`` away (see ``away_from_kinks``).

For topic authors: a cost is a batched function of parameter dicts (``local_cost`` for
reference code, ``sandboxed_cost`` for the student's, ``vjp_cost`` for a backward pass);
``expect_gradient`` fails the test unless the analytic gradients match it, and
``expect_gradient_diagnosed`` also names the known mistake a wrong gradient reproduces::

    cost = local_cost(reference.linear_cost, lambda p: (X, y, p["w"], p["b"], lam))
    dw, db = student.linear_gradient(X, y, w, b, lam)
    expect_gradient({"w": dw, "b": db}, cost, {"w": w, "b": b}, what="linear_gradient",
                    against="the correct cost")
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from grader.sandbox.inside.wire import only_element

from grader.testing import (CheckFailed, Mistake, diagnose, is_close, note, record, student_shape,
                            take_census)

__all__ = [
    "centered_difference", "forward_difference", "relative_error",
    "local_cost", "sandboxed_cost", "vjp_cost",
    "numerical_gradient", "directional_derivatives", "check_gradient",
    "ParameterCheck", "GradientCheck",
    "expect_gradient", "expect_gradient_diagnosed", "expect_gradient_blamed",
    "distance_to_kinks", "away_from_kinks",
]

DEFAULT_STEP = 1e-5
DEFAULT_RTOL = 1e-5
FLOOR_SCALE = 1e-3
ELEMENTWISE_LIMIT = 64
DIRECTIONS = 12
KINK_MARGIN = 1e-3  # 100 steps: a centered difference never straddles the kink

# Spot checks of a student's cost (``_SandboxedCost.confirm``): of all the batches a cost is
# evaluated on for a numerical gradient, one point, chosen uniformly by a generator the student's
# code can neither predict nor reseed (the operating system's), is asked again alone, of a
# worker that saw nothing else. Code that answers a batch otherwise than a single call (it can
# tell them apart from its stack or its history) to fake a gradient must lie at nearly every
# point of its batches, so the point chosen is one it lied at. An honest cost answers both
# alike, so which point is chosen never changes its grade. A batch of one point (the cost at
# the parameters, for the floor) is not a gradient's evidence and is not chosen.
_spots = random.SystemRandom()

Params = dict[str, np.ndarray]
BatchedCost = Callable[[list[Params]], list[Any]]


# ----------------------------------------------------------- plain derivatives
def centered_difference(f: Callable[[float], float], x: float, step: float = DEFAULT_STEP) -> float:
    """(f(x + step) - f(x - step)) / (2 step): error O(step^2)."""
    return (f(x + step) - f(x - step)) / (2 * step)


def forward_difference(f: Callable[[float], float], x: float, step: float = DEFAULT_STEP) -> float:
    """(f(x + step) - f(x)) / step: error O(step)."""
    return (f(x + step) - f(x)) / step


def relative_error(analytic: np.ndarray, numerical: np.ndarray, floor: float) -> np.ndarray:
    """|a - n| / max(|a| + |n|, floor), element by element."""
    analytic, numerical = np.asarray(analytic, float), np.asarray(numerical, float)
    return np.abs(analytic - numerical) / np.maximum(np.abs(analytic) + np.abs(numerical), floor)


# ------------------------------------------------------------------ adapters
def local_cost(function: Callable[..., Any], bind: Callable[[Params], tuple]) -> BatchedCost:
    """A cost computed in this process (reference code) from a parameter dict."""
    return lambda batch: [function(*bind(params)) for params in batch]


def sandboxed_cost(student: Any, function: str, bind: Callable[[Params], tuple],
                   only: int | None = None, select: Callable[[Any], Any] | None = None) -> BatchedCost:
    """A student's cost: every perturbation evaluated in one round trip to the sandbox.

    With ``only=i``, a tuple the function returns keeps just its element i, the rest None
    (for a cost that reads the loss of ``(loss, grads)``, or the output of ``(out, cache)``);
    ``select`` then picks the cost from each returned value (``lambda v: v[0]``).

    When ``bind`` puts the moved parameter itself among the arguments and everything else it
    passes stays the same whatever that parameter is, a gradient check sends the parameter's
    moved values as one array (``Submission.map_rows``), not one argument list per value."""
    return _SandboxedCost(student, function, bind, only, select)


class _SandboxedCost:
    """``sandboxed_cost``: a batch of parameter dicts, or (``moved``) one parameter's moved
    values as rows, which travel as one array (``Submission.map_rows``)."""

    def __init__(self, student: Any, function: str, bind: Callable[[Params], tuple], only: int | None,
                 select: Callable[[Any], Any] | None):
        self.student, self.function, self.bind, self.only = student, function, bind, only
        self.select = select
        self.spot: tuple[tuple, Any] | None = None  # (arguments, the value the batch gave) to ask again
        self._points = 0  # batch points seen, for choosing the spot uniformly among them

    def __call__(self, batch: list[Params]) -> list[Any]:
        values = self._selected(self.student.map(self.function, [self.bind(params) for params in batch],
                                                 self.only))
        self._note_spot(lambda i: tuple(self.bind(batch[i])), values)
        return values

    def _note_spot(self, arguments: Callable[[int], tuple], values: list[Any]) -> None:
        if len(values) < 2 or not hasattr(self.student, "verifier"):
            return
        self._points += len(values)
        if _spots.randrange(self._points) < len(values):  # this batch holds the chosen point
            index = _spots.randrange(len(values))
            self.spot = (arguments(index), values[index])

    def confirm(self, label: str) -> None:
        """Fail unless the spot-checked point gives, called alone in a worker of its own, the
        value the batch gave (see ``_spots``). The same float64 computation on the same
        inputs gives the same bits; the tolerance only forgives a summation order."""
        spots, self.spot, self._points = [self.spot] if self.spot else [], None, 0
        for arguments, batched in spots:
            try:
                alone = self.student.verifier().call(self.function, *arguments).value
                alone = self._selected([only_element(alone, self.only)])[0]
                same = is_close(np.asarray(alone, dtype=np.float64), np.asarray(batched, dtype=np.float64),
                                rtol=1e-9, atol=1e-12)
            except Exception:  # noqa: BLE001 - a failure to answer alike is the same evidence
                same = False
            if not same:
                raise CheckFailed(
                    f"{label} gives other values when the grader evaluates it at many points at once "
                    f"(for the numerical gradient) than when it calls it at one of them alone, so its "
                    f"numerical gradient proves nothing", mistake="cost_depends_on_how_it_is_called",
                    hint=f"{self.function} must depend on its arguments only, not on how or how "
                         "often it is called.")

    def _selected(self, values: list[Any]) -> list[Any]:
        return values if self.select is None else [self.select(value) for value in values]

    def moved(self, params: Params, name: str, rows: np.ndarray) -> list[Any] | None:
        """The cost at ``params`` with ``params[name]`` as each of ``rows``, or None where that
        cannot be sent as rows (the batch of dicts then goes as it is)."""
        if (not hasattr(self.student, "map_rows") or rows.dtype != np.float64 or rows.ndim < 1
                or len(rows) == 0):
            return None
        arglist = tuple(self.bind(params))
        slot = _slot_of(arglist, params[name])
        # Every other argument must be what bind gives whatever params[name] is: bound again with
        # the parameter at a row's value, each is the very same object (nothing computed from it,
        # which would be a new object).
        if slot is None:
            return None
        probe = rows[0]
        again = tuple(self.bind({**params, name: probe}))
        if len(again) != len(arglist) or _slot_of(again, probe) != slot or not _same_besides(
                arglist, again, slot):
            return None
        values = self._selected(self.student.map_rows(self.function, arglist, slot, rows, self.only))
        self._note_spot(lambda i: tuple(self.bind({**params, name: rows[i]})), values)
        return values


def _slot_of(arglist: tuple, value: Any) -> tuple[int, str | None] | None:
    """Where ``value`` (that very object) is among the arguments, a position or an entry of a dict
    there; None unless exactly once."""
    found = [(i, None) for i, arg in enumerate(arglist) if arg is value]
    found += [(i, key) for i, arg in enumerate(arglist) if type(arg) is dict
              for key, entry in arg.items() if entry is value and type(key) is str]
    return found[0] if len(found) == 1 else None


def _same_besides(first: tuple, second: tuple, slot: tuple[int, str | None]) -> bool:
    """Every argument but the slot is the very same object, or a dict (made again) of the very
    same objects: what a batch's argument lists would share. Not merely equal: an argument bind
    makes again (``float(p["b"])``) reached each call of a batch as an object of its own, and
    code that keeps what it was given could tell one shared object from those."""
    position, key = slot
    for index, (a, b) in enumerate(zip(first, second)):
        skip = key if index == position else None
        if index == position and key is None or a is b:
            continue
        if type(a) is not dict or type(b) is not dict or list(a) != list(b) or any(
                a[k] is not b[k] for k in a if k != skip):
            return False
    return True


def _as_float(value: Any, label: str) -> float:
    if type(value) is float or type(value) is np.float64:  # what costs return, nearly always
        if value - value == 0.0:  # finite (inf - inf and nan - nan are nan)
            return float(value)
    array = np.asarray(value) if isinstance(value, (np.ndarray, np.generic, float, int)) else None
    if array is None or array.size != 1 or array.dtype.kind not in "biuf":
        raise CheckFailed(f"{label} returned {type(value).__name__}"
                          + (f" of {student_shape(array.shape)}" if array is not None else "")
                          + ", so its gradient cannot be checked numerically",
                          hint="the cost must be a single number", mistake="returns_array")
    result = float(array.reshape(()))
    if not np.isfinite(result):
        raise CheckFailed(f"{label} returned {result} at the check point", mistake="not_finite")
    return result


# ------------------------------------------------------------ the check proper
@dataclass
class ParameterCheck:
    """One parameter's gradient check: how it was compared and its worst relative error."""

    name: str
    shape: tuple
    method: str
    max_rel_error: float
    worst: str
    analytic: list[float] = field(default_factory=list)
    numerical: list[float] = field(default_factory=list)

    def passed(self, rtol: float) -> bool:
        return self.max_rel_error <= rtol


@dataclass
class GradientCheck:
    """The result of ``check_gradient``: one ``ParameterCheck`` per parameter."""

    against: str
    rtol: float
    parameters: list[ParameterCheck]

    @property
    def passed(self) -> bool:
        return all(p.passed(self.rtol) for p in self.parameters)

    def failures(self) -> list[ParameterCheck]:
        return [p for p in self.parameters if not p.passed(self.rtol)]


def _moved(params: Params, name: str, value: np.ndarray) -> Params:
    moved = dict(params)
    moved[name] = value
    return moved


def _evaluate(cost: BatchedCost, batch: list[Params], label: str) -> np.ndarray:
    return _floats(cost(batch), len(batch), label)


def _floats(values: list[Any], count: int, label: str) -> np.ndarray:
    if len(values) != count:
        raise CheckFailed(f"{label} returned the wrong number of values")
    return np.array([_as_float(v, label) for v in values])


def _evaluate_moved(cost: BatchedCost, params: Params, name: str, rows: np.ndarray,
                    label: str) -> np.ndarray:
    """``cost`` at ``params`` with ``params[name]`` as each of ``rows`` (``rows[i]``, a numpy
    scalar where the parameter is 0-d): as rows where the cost can take them (``moved``), the
    same values as the batch of dicts."""
    moved = getattr(cost, "moved", None)
    values = moved(params, name, rows) if moved is not None else None
    if values is None:
        return _evaluate(cost, [_moved(params, name, rows[i]) for i in range(len(rows))], label)
    return _floats(values, len(rows), label)


def numerical_gradient(cost: BatchedCost, params: Params, name: str, *, step: float = DEFAULT_STEP,
                       label: str = "the cost") -> np.ndarray:
    """Element-wise centered differences of ``cost`` with respect to ``params[name]``."""
    base = params[name]
    # Row i of deltas is step at element i and 0 elsewhere; base + row and base + (-row) are
    # the very arrays a loop over the elements would build, made in two numpy calls.
    deltas = np.zeros((base.size,) + base.shape, dtype=base.dtype)
    deltas.reshape(base.size, base.size)[np.diag_indices(base.size)] = step
    rows = np.empty((2 * base.size,) + base.shape, dtype=base.dtype)
    rows[0::2], rows[1::2] = base + deltas, base + -deltas  # plus and minus, element by element
    values = _evaluate_moved(cost, params, name, rows, label)  # a 0-d base gives numpy scalars
    return ((values[0::2] - values[1::2]) / (2 * step)).reshape(base.shape)


def directional_derivatives(cost: BatchedCost, params: Params, name: str, directions: np.ndarray, *,
                            step: float = DEFAULT_STEP, label: str = "the cost") -> np.ndarray:
    """Centered differences of ``cost`` along each unit direction (rows of ``directions``)."""
    base = params[name]
    rows = np.empty((2 * len(directions),) + base.shape, dtype=np.result_type(base, directions))
    for i, direction in enumerate(directions):
        delta = step * direction.reshape(base.shape)
        rows[2 * i], rows[2 * i + 1] = base + delta, base + -delta
    values = _evaluate_moved(cost, params, name, rows, label)
    return (values[0::2] - values[1::2]) / (2 * step)


def _check_parameter(cost, params, name, analytic, *, step, floor, label, rng, reveal) -> ParameterCheck:
    base = params[name]
    if base.size <= ELEMENTWISE_LIMIT:
        numeric = numerical_gradient(cost, params, name, step=step, label=label)
        errors = relative_error(analytic, numeric, floor)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), base.shape))
        method = "element-wise"
        shown_analytic, shown_numeric = analytic.ravel(), numeric.ravel()
    else:
        directions = rng.standard_normal((DIRECTIONS, base.size))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        numeric = directional_derivatives(cost, params, name, directions, step=step, label=label)
        projected = directions @ analytic.ravel()
        errors = relative_error(projected, numeric, floor)
        worst = (int(np.argmax(errors)),)
        method = f"{DIRECTIONS} random directions"
        shown_analytic, shown_numeric = projected, numeric
    check = ParameterCheck(name, tuple(base.shape), method, float(np.max(errors)),
                           "direction " + str(worst[0]) if "directions" in method else str(worst))
    if reveal:
        check.analytic = [float(v) for v in shown_analytic[:50]]
        check.numerical = [float(v) for v in shown_numeric[:50]]
    return check


def check_gradient(cost: BatchedCost, params: dict[str, Any], analytic: dict[str, Any], *,
                   against: str, step: float = DEFAULT_STEP, rtol: float = DEFAULT_RTOL,
                   seed: int = 0, reveal_values: bool = True) -> GradientCheck:
    """Compare analytic gradients (same keys and shapes as ``params``) with ``cost``'s."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    floor = FLOOR_SCALE * max(1.0, abs(_evaluate(cost, [params], against)[0]))
    rng = np.random.default_rng(seed)
    checks = []
    for name, value in params.items():
        grad = np.asarray(analytic[name], dtype=np.float64)
        if grad.shape != value.shape:
            raise CheckFailed(f"d{name} should have shape {value.shape}, but it has "
                              f"{student_shape(grad.shape, value.shape)}",
                              mistake="gradient_shape")
        checks.append(_check_parameter(cost, params, name, grad, step=step, floor=floor,
                                       label=against, rng=rng, reveal=reveal_values))
    return GradientCheck(against, rtol, checks)


def expect_gradient(analytic: dict[str, Any], cost: BatchedCost, params: dict[str, Any], *,
                    what: str, against: str, hint: str | None = None, mistake: str | None = None,
                    reveal_values: bool = True, **options) -> GradientCheck:
    """Fail the test unless every parameter's gradient matches ``cost``'s numerical gradient."""
    result = check_gradient(cost, params, analytic, against=against, reveal_values=reveal_values, **options)
    _record_check(result)
    if not result.passed:
        worst = max(result.failures(), key=lambda p: p.max_rel_error)
        names = ", ".join(f"d{p.name}" for p in result.failures())
        # The size of the error is a measure, shown for public tests only: with the student's
        # own gradient it would give away the reference's (see grader.outputs.visibility).
        raise CheckFailed(
            f"{what}: {names} disagree{'s' if len(result.failures()) == 1 else ''} with the numerical "
            f"gradient of {against}",
            hint=hint, mistake=mistake,
            measure=f"largest relative error {worst.max_rel_error:.2g} in d{worst.name}, "
                    f"{worst.method}, at {worst.worst}; the tolerance is {result.rtol:g}")
    return result


def expect_gradient_diagnosed(gradients: dict[str, Any], cost: BatchedCost, params: dict[str, Any], *,
                              what: str, against: str, correct: dict[str, Any],
                              mistakes: dict[str, Sequence[Mistake]], hint: str | None = None,
                              diagnosed: dict[str, Any] | None = None) -> None:
    """expect_gradient against a correct cost; a failure carries the known mistake it matches.

    ``mistakes`` maps a name in ``diagnosed`` (by default ``gradients``) to the known wrong
    values of that gradient; those that coincide with the ``correct`` gradient on this
    input (a mistake that makes no difference here) say nothing and are skipped. The
    gradients are never revealed, so this suits hidden tests::

        cost = local_cost(lambda w: reference.half_sq_norm(w)[0], lambda p: (p["w"],))
        expect_gradient_diagnosed({"w": dw}, cost, {"w": w}, what="dw", against="the correct cost",
                                  correct={"w": w},
                                  mistakes={"w": [Mistake("doubled", "d(0.5 w^2)/dw = w.", 2 * w)]})
    """
    diagnosed = gradients if diagnosed is None else diagnosed
    for name, candidates in mistakes.items():
        take_census(correct[name], candidates, rtol=1e-6, atol=1e-9)
    try:
        expect_gradient(gradients, cost, params, what=what, against=against, reveal_values=False, hint=hint)
    except CheckFailed as failure:
        for name, candidates in mistakes.items():
            telling = [m for m in candidates if not is_close(m.value, correct[name], rtol=1e-6, atol=1e-9)]
            found = diagnose(diagnosed[name], telling, rtol=1e-6, atol=1e-9)
            if found is not None:
                raise CheckFailed(failure.message, hint=found.hint, mistake=found.name) from None
        raise


def _record_check(result: GradientCheck) -> None:
    record("gradient_check", {
        "against": result.against, "rtol": result.rtol,
        "parameters": [vars(p) | {"shape": list(p.shape)} for p in result.parameters]})


def _names(checks: Sequence[ParameterCheck]) -> str:
    return ", ".join(f"d{p.name}" for p in checks)


def _matches_offset(offset: Any, difference: dict[str, np.ndarray]) -> bool:
    return all(name in difference and is_close(difference[name], np.asarray(value, dtype=np.float64),
                                                rtol=1e-4, atol=1e-6)
               for name, value in offset.items())


def expect_gradient_blamed(gradients: dict[str, Any], own_cost: BatchedCost, params: dict[str, Any], *,
                           what: str, cost_name: str, correct_cost: BatchedCost | None = None,
                           cost_omissions: Sequence[Mistake] = (), gradient_mistakes: Sequence[Mistake] = (),
                           hint: str | None = None, reveal_values: bool = True, **options) -> None:
    """A gradient against the numerical gradient of the student's own cost, blaming the function
    that is wrong.

    When the two disagree, either may be wrong, and a correct function keeps its points:

    - with ``correct_cost`` (hidden tests: the reference's), a gradient that matches the correct
      cost's numerical gradient is right: the test passes and a ``note`` says the cost is wrong;
    - the difference ``analytic - numerical`` is compared with known offsets, each a
      ``Mistake`` valued ``{name: offset}``. ``cost_omissions`` are the offsets a term the
      contract puts in both, left out of the cost only, leaves (reg left out of the loss but
      not of dW: ``{"W": 2 * reg * W, "b": 0}``): the gradient is right, the test passes with a
      note naming the cost's mistake. ``gradient_mistakes`` are the offsets of the gradient's
      own mistakes (``{"W": -2 * reg * W, ...}``: dW without the penalty): the test fails
      with that hint.

    Otherwise the failure names the parameters that disagree and those that agree, with
    ``hint`` (a gradient that matches neither cost) or none::

        expect_gradient_blamed({"W": dW, "b": db}, own, {"W": W, "b": b}, what="svm_loss",
                               cost_name="svm_loss", correct_cost=reference_loss,
                               cost_omissions=[Mistake("reg_missing", HINT, {"W": 2 * reg * W})])
    """
    against = f"your {cost_name}"
    own_failure: CheckFailed | None = None
    try:
        result = check_gradient(own_cost, params, gradients, against=against,
                                reveal_values=reveal_values, **options)
    except CheckFailed as unusable:  # the cost cannot be differentiated: the gradient may still be right
        result, own_failure = None, unusable
    if result is not None:
        confirm = getattr(own_cost, "confirm", None)
        if confirm is not None:  # the student's cost judges the gradient only if it is one function
            confirm(against)
        _record_check(result)
        if result.passed:
            return
    if correct_cost is not None:
        right = check_gradient(correct_cost, params, gradients, against=f"the correct {cost_name}",
                               reveal_values=False, **options)
        if right.passed:
            note(f"{what} is right: it matches the numerical gradient of the correct {cost_name}. "
                 f"It disagrees with your {cost_name} because your {cost_name} is wrong (see its tests).")
            return
    if result is None:
        raise own_failure
    failures = result.failures()
    agreeing = [p for p in result.parameters if p.passed(result.rtol)]
    message = (f"{what}: {_names(failures)} disagree{'s' if len(failures) == 1 else ''} with the "
               f"numerical gradient of {against}"
               + (f" ({_names(agreeing)} agree{'s' if len(agreeing) == 1 else ''})" if agreeing else ""))
    worst = max(failures, key=lambda p: p.max_rel_error)
    measure = (f"largest relative error {worst.max_rel_error:.2g} in d{worst.name}, {worst.method}, "
               f"at {worst.worst}; the tolerance is {result.rtol:g}")
    small = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    if (cost_omissions or gradient_mistakes) and all(v.size <= ELEMENTWISE_LIMIT for v in small.values()):
        difference = {name: np.asarray(gradients[name], dtype=np.float64)
                      - numerical_gradient(own_cost, small, name, label=against) for name in small}
        for mistake in cost_omissions:
            if _matches_offset(mistake.value, difference):
                note(f"{what} is right: it differs from the numerical gradient of your {cost_name} by "
                     f"exactly a term your {cost_name} leaves out ({mistake.name}: {mistake.hint})")
                return
        for mistake in gradient_mistakes:
            if _matches_offset(mistake.value, difference):
                raise CheckFailed(message, hint=mistake.hint, mistake=mistake.name, measure=measure)
    raise CheckFailed(message, hint=hint, measure=measure)


# --------------------------------------------------------------------- kinks
def distance_to_kinks(values: Any, kinks: Sequence[float] = (0.0,)) -> float:
    """Smallest distance from any entry of ``values`` to any kink location."""
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0:
        return float("inf")
    return float(min(np.min(np.abs(array - k)) for k in kinks))


def away_from_kinks(values: Any, kinks: Sequence[float] = (0.0,), margin: float = KINK_MARGIN) -> bool:
    """True when a centered difference at ``values`` cannot cross a kink (use with ``assume``)."""
    return distance_to_kinks(values, kinks) > margin


# ------------------------------------------------- vector-Jacobian products
def vjp_cost(outputs: BatchedCost, dout: Any, *, select: Callable[[Any], Any] = lambda value: value,
             label: str = "the function") -> BatchedCost:
    """The scalar sum(select(f(params)) * dout) of an array-valued batched function.

    Its gradient is the vector-Jacobian product dout^T J, which is what a layer's
    backward pass returns, so ``expect_gradient(backward_result, vjp_cost(...), ...)``
    checks a backward pass. ``select`` picks the output from what the function
    returns (``lambda v: v[0]`` for a forward pass returning (out, cache)); with a
    scalar ``dout`` of 1.0 it turns a selected scalar (a loss) into the cost.
    Round-off: sum(out * dout) carries about eps * sum|out * dout| of error; for the
    small arrays tests use this stays far below rtol (measured worst relative error
    1.3e-7 over 300 random affine layers with up to 720 inputs, against rtol 1e-5).
    """
    return _VjpCost(outputs, np.asarray(dout, dtype=np.float64), select, label)


class _VjpCost:
    """``vjp_cost``: sum(select(output) * dout) of each of ``outputs``'s values, as a batch or, when
    ``outputs`` takes them so (a sandboxed cost), as one parameter's moved rows."""

    def __init__(self, outputs: BatchedCost, dout: np.ndarray, select: Callable[[Any], Any], label: str):
        self.outputs, self.dout, self.select, self.label = outputs, dout, select, label

    def __call__(self, batch: list[Params]) -> list[float]:
        return self._costs(self.outputs(batch))

    def moved(self, params: Params, name: str, rows: np.ndarray) -> list[float] | None:
        moved = getattr(self.outputs, "moved", None)
        values = moved(params, name, rows) if moved is not None else None
        return None if values is None else self._costs(values)

    def _costs(self, values: list[Any]) -> list[float]:
        costs = []
        for value in values:
            try:
                out = np.asarray(self.select(value), dtype=np.float64)
            except (TypeError, ValueError, IndexError, KeyError):
                raise CheckFailed(f"{self.label} returned {type(value).__name__}, not the output "
                                  "expected", mistake="wrong_type") from None
            if out.shape != self.dout.shape:
                raise CheckFailed(f"{self.label}'s output has {student_shape(out.shape, self.dout.shape)}, but it should have "
                                  f"shape {self.dout.shape}", mistake="wrong_shape")
            costs.append(float(np.sum(out * self.dout)))
        return costs
