"""A gradient check's map sent as rows: each call gets what the batch of argument lists gave it."""
import textwrap

import numpy as np
import pytest

from grader.gradcheck import check_gradient, numerical_gradient, sandboxed_cost, vjp_cost
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import Submission, TrustedSubmission

FAST = Limits(call_seconds=1.5, load_seconds=3.0, cpu_seconds=20)

# Each call reports exactly what it was given (types, flags, values), then changes it in place.
SOURCE = textwrap.dedent("""
    import numpy as np

    def seen(value):
        if isinstance(value, np.ndarray):
            return ["ndarray", value.dtype.str, list(value.shape), value.flags.owndata,
                    value.flags.writeable, value.tobytes().hex()]
        return [type(value).__name__, repr(value)]

    def f(w, params, x, scale):
        report = [seen(w), list(params), [seen(params[k]) for k in params], seen(x), seen(scale)]
        if isinstance(w, np.ndarray):
            w += 100.0
        params["b"] += 100.0
        x += 100.0
        return report

    def loss(w, params, x, scale):
        return float(np.sum(w * w) * scale + np.sum(params["b"]) + np.sum(x))
""")
SIGNATURES = {"f": ["w", "params", "x", "scale"], "loss": ["w", "params", "x", "scale"]}


def sandboxed() -> Submission:
    return Submission(SOURCE, module="student", filename="/submission/student.py",
                      signatures=SIGNATURES, limits=FAST)


class BatchOnly:
    """A student handle that answers maps through the sandbox as a batch of argument lists."""

    def __init__(self, student):
        self.student, self.kinds = student, []

    def map(self, function, arglists, only=None):
        self.kinds.append("batch")
        return self.student.map(function, arglists, only)


class Recorder(BatchOnly):
    """The same, taking rows too, noting which way each map went."""

    def map_rows(self, *args, **kwargs):
        self.kinds.append("rows")
        return self.student.map_rows(*args, **kwargs)


def _answers(bind, params, name, handle):
    with sandboxed() as student:
        recorder = handle(student)
        rows = _rows(params[name])
        cost = sandboxed_cost(recorder, "f", bind)
        values = cost.moved(params, name, rows) if handle is Recorder else None
        if values is None:
            values = cost([{**params, name: rows[i]} for i in range(len(rows))])
    return values, recorder.kinds


def _rows(base):
    deltas = np.zeros((base.size,) + base.shape)
    deltas.reshape(base.size, base.size)[np.diag_indices(base.size)] = 1e-5
    rows = np.empty((2 * base.size,) + base.shape)
    rows[0::2], rows[1::2] = base + deltas, base + -deltas
    return rows


PARAMS = {"w": np.array([[1.0, -0.0], [2.5, 3.0]]), "b": np.array([0.5, -1.5]), "s": np.array(2.0)}
X = np.arange(3.0)


@pytest.mark.parametrize("name", ["w", "b", "s"])
def test_each_call_of_a_rows_map_gets_what_the_batch_gave_it(name):
    bind = lambda p: (p["w"] if name != "s" else p["s"], {"a": 1.0, "b": p["b"]}, X, 2.0)  # noqa: E731
    as_rows, kinds = _answers(bind, PARAMS, name, Recorder)
    as_batch, _ = _answers(bind, PARAMS, name, BatchOnly)
    assert kinds == ["rows"] and as_rows == as_batch


# How each bind's map travels. Equal is not enough for rows: each call of a batch got an
# object of its own, which code that keeps what it was given could tell from one shared object.
ROUTES = {
    "the parameter and fixed arguments": (lambda p: (p["w"], {"b": p["b"]}, X, 1.0), False, "rows"),
    "through a vjp cost": (lambda p: (p["w"], {"b": p["b"]}, X, 1.0), True, "rows"),
    "a number computed from the parameter": (lambda p: (p["w"], {"b": p["b"]}, X, float(p["w"].sum())),
                                             False, "batch"),
    "a number made again from another parameter": (lambda p: (p["w"], {"b": p["b"]}, X,
                                                              float(p["b"].sum())), False, "batch"),
    "the parameter passed twice": (lambda p: (p["w"], {"b": p["b"]}, p["w"], 1.0), False, "batch"),
}


@pytest.mark.parametrize("case", ROUTES)
def test_a_map_goes_as_rows_only_when_nothing_else_depends_on_the_moved_parameter(case):
    bind, through_vjp, route = ROUTES[case]
    with sandboxed() as student:
        recorder = Recorder(student)
        cost = sandboxed_cost(recorder, "loss", bind)
        numerical_gradient(vjp_cost(cost, 1.0) if through_vjp else cost, PARAMS, "w")
    assert recorder.kinds == [route]


@pytest.mark.parametrize("size", [3, 80])  # element by element, and along random directions
def test_a_gradient_check_through_rows_equals_it_through_the_batch(size):
    rng = np.random.default_rng(size)
    params = {"w": rng.standard_normal(size), "b": rng.standard_normal(2)}
    bind = lambda p: (p["w"], {"b": p["b"]}, X, 0.5)  # noqa: E731
    analytic = {"w": params["w"], "b": np.ones(2)}  # d/dw (0.5 w.w) = w; d/db sum(b) = 1
    with sandboxed() as student:
        rows = check_gradient(sandboxed_cost(Recorder(student), "loss", bind), params, analytic,
                              against="the cost")
        batch = check_gradient(sandboxed_cost(BatchOnly(student), "loss", bind),
                               params, analytic, against="the cost")
    assert rows.passed and [vars(p) for p in rows.parameters] == [vars(p) for p in batch.parameters]


def test_trusted_rows_are_the_batchs_argument_lists():
    module = type("module", (), {})
    namespace: dict = {}
    exec(SOURCE.replace("w += 100.0", "pass").replace('params["b"] += 100.0', "pass")
         .replace("x += 100.0", "pass"), namespace)
    module.loss = staticmethod(namespace["loss"])
    trusted = TrustedSubmission(module, SIGNATURES)
    bind = lambda p: (p["w"], {"b": p["b"]}, X, 0.5)  # noqa: E731
    rows = numerical_gradient(sandboxed_cost(trusted, "loss", bind), PARAMS, "w")
    batch = numerical_gradient(lambda b: trusted.map("loss", [bind(p) for p in b]), PARAMS, "w")
    assert rows.tobytes() == batch.tobytes()


def test_rows_reach_the_students_calls_whatever_its_code_makes_of_float():
    source = SOURCE + textwrap.dedent("""
        import worker  # the sandbox's own module, which student code can reach and rebind names in

        class Doubled(float):
            def __new__(cls, value=0.0):
                return float.__new__(cls, 2 * value)

        worker.float = Doubled
    """)
    answers = []
    for handle in (Recorder, BatchOnly):
        with Submission(source, module="student", filename="/submission/student.py",
                        signatures=SIGNATURES, limits=FAST) as student:
            for name, bind in (("s", lambda p: (p["s"], {"b": p["b"]}, X, 2.0)),
                               ("b", lambda p: (p["w"], {"a": 1.0, "b": p["b"]}, X, 2.0))):
                cost = sandboxed_cost(handle(student), "f", bind)
                rows = _rows(PARAMS[name])
                values = cost.moved(PARAMS, name, rows) if handle is Recorder else None
                answers.append(values if values is not None else
                               cost([{**PARAMS, name: rows[i]} for i in range(len(rows))]))
    assert answers[:2] == answers[2:]


def test_select_picks_each_cost_whichever_way_the_map_went():
    source = SOURCE + "\ndef parts(w, params, x, scale):\n    return (loss(w, params, x, scale), 'grads')\n"
    bind = lambda p: (p["w"], {"b": p["b"]}, X, 0.5)  # noqa: E731
    with Submission(source, module="student", filename="/submission/student.py",
                    signatures={**SIGNATURES, "parts": SIGNATURES["f"]}, limits=FAST) as student:
        gradients = [numerical_gradient(sandboxed_cost(handle(student), "parts", bind, only=0,
                                                       select=lambda v: v[0]), PARAMS, "w")
                     for handle in (Recorder, BatchOnly)]
    assert gradients[0].tobytes() == gradients[1].tobytes()
    np.testing.assert_allclose(gradients[0], PARAMS["w"], rtol=1e-6)
