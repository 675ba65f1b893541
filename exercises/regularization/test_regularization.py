"""Public tests for the regularization topic: run them with `grader check regularization`."""
import numpy as np
from hypothesis import given, strategies as st

from grader.callbacks import bound_callback
from grader.gradcheck import expect_gradient_blamed, sandboxed_cost
from grader.strategies import arrays, distinct_dims, floats
from grader.testing import (Mistake, expect_close, expect_finite, expect_no_warnings, expect_scalar,
                            expect_shape, expect_unchanged, hint, points)

# A 3 x 2 problem small enough to work out by hand:
#   Xw + b = [1.0, 1.5, 2.0], residuals [0, -0.5, -1], squared sum 1.25,
#   data term 1.25 / (2*3) = 0.2083333, penalty 0.3/(2*3) * (0.25 + 0.0625) = 0.015625.
X_HAND = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
Y_HAND = np.array([1.0, 2.0, 3.0])
W_HAND = np.array([0.5, -0.25])
B_HAND, LAM_HAND = 1.0, 0.3
COST_HAND = 1.25 / 6 + 0.3 / 6 * 0.3125


@points(1)
@hint("Average the squared residuals over m, halve, and add lam/(2m) times the sum of w squared "
      "(not b).")
def test_linear_cost_on_hand_worked_example(student):
    """linear_cost gives 0.2239583 on the 3 x 2 example worked out in the test file."""
    expect_close(student.linear_cost(X_HAND, Y_HAND, W_HAND, B_HAND, LAM_HAND), COST_HAND,
                 "linear_cost")


@points(1)
def test_linear_cost_is_a_single_number(student):
    """linear_cost returns a single float, not an array."""
    expect_scalar(student.linear_cost(X_HAND, Y_HAND, W_HAND, B_HAND, LAM_HAND), "linear_cost")


@points(1)
def test_linear_gradient_shapes(student):
    """linear_gradient returns dw with the shape of w and db as a single number."""
    dw, db = student.linear_gradient(X_HAND, Y_HAND, W_HAND, B_HAND, LAM_HAND)
    expect_shape(dw, (2,), "dw", hint="dw = X.T @ residual / m + ...: shape (n,)")
    expect_scalar(db, "db")


HINT_COST_PENALTY = "the cost is the data term plus the penalty lam/(2m) * sum(w**2): add it to the cost."
HINT_GRADIENT_PENALTY = "add the penalty's gradient (lam/m) * w to dw (b has no penalty term)."
HINT_GRADIENT_HALVED = ("the derivative of lam/(2m) * sum(w**2) with respect to w is (lam/m) * w: the 2 "
                        "from the square cancels the 1/2.")


def penalty_omissions(w, lam, m):
    """analytic - numerical when only the cost leaves out the penalty: the gradient is right."""
    return [Mistake("penalty_missing", HINT_COST_PENALTY, {"w": lam / m * w, "b": 0.0})]


def penalty_gradient_mistakes(w, lam, m):
    """analytic - numerical when the gradient's penalty term is missing or halved."""
    return [Mistake("penalty_gradient_missing", HINT_GRADIENT_PENALTY, {"w": -lam / m * w, "b": 0.0}),
            Mistake("penalty_gradient_halved", HINT_GRADIENT_HALVED, {"w": -lam / (2 * m) * w, "b": 0.0})]


@points(2)
@given(shape=distinct_dims(2, 2, 6), data=st.data())
def test_linear_gradient_matches_numerical_gradient_of_your_cost(student, shape, data):
    """dw and db agree with centered differences of your own linear_cost (lam > 0, m != n)."""
    m, n = shape
    X, y = data.draw(arrays((m, n)), label="X"), data.draw(arrays(m), label="y")
    w, b = data.draw(arrays(n), label="w"), data.draw(floats(), label="b")
    lam = data.draw(floats(0.1, 3.0), label="lam")
    dw, db = student.linear_gradient(X, y, w, b, lam)
    cost = sandboxed_cost(student, "linear_cost", lambda p: (X, y, p["w"], float(p["b"]), lam))
    expect_gradient_blamed({"w": dw, "b": db}, cost, {"w": w, "b": b}, what="linear_gradient",
                           cost_name="linear_cost", cost_omissions=penalty_omissions(w, lam, m),
                           gradient_mistakes=penalty_gradient_mistakes(w, lam, m))


@points(1)
def test_sigmoid_basic_values_and_shape(student):
    """sigmoid(0) = 0.5, sigmoid(-z) = 1 - sigmoid(z), and a (2, 3) input gives a (2, 3) output."""
    z = np.array([[-2.0, 0.0, 0.5], [1.0, -0.5, 3.0]])
    g = expect_shape(student.sigmoid(z), (2, 3), "sigmoid(z)")
    expect_close(g[0, 1], 0.5, "sigmoid(0)")
    expect_close(g + student.sigmoid(-z), np.ones((2, 3)), "sigmoid(z) + sigmoid(-z)")


@points(1)
@hint("For z < -709, np.exp(-z) overflows. Use exp(-|z|), which is at most 1: for z >= 0, "
      "1/(1+exp(-z)); for z < 0, exp(z)/(1+exp(z)).")
def test_sigmoid_large_inputs_are_finite_without_warnings(student):
    """sigmoid of [-1e4, -800, 800, 1e4] is [0, 0, 1, 1] with no overflow warning."""
    result = student.call("sigmoid", np.array([-1e4, -800.0, 800.0, 1e4]))
    expect_no_warnings(result.warnings, "sigmoid", mistake="sigmoid_overflow")
    expect_finite(result.value, "sigmoid", mistake="sigmoid_overflow")
    expect_close(result.value, [0.0, 0.0, 1.0, 1.0], "sigmoid", atol=1e-12)


@points(1)
def test_logistic_cost_at_zero_weights_is_log_2(student):
    """With w = 0 and b = 0 every prediction is 0.5, so the cost is log 2 for any labels."""
    X = np.arange(12.0).reshape(4, 3)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    expect_close(student.logistic_cost(X, y, np.zeros(3), 0.0, 1.0), np.log(2.0), "logistic_cost")


@points(2)
@given(shape=distinct_dims(2, 2, 6), data=st.data())
def test_logistic_gradient_matches_numerical_gradient_of_your_cost(student, shape, data):
    """dw and db agree with centered differences of your own logistic_cost (lam > 0, m != n)."""
    m, n = shape
    X, w = data.draw(arrays((m, n)), label="X"), data.draw(arrays(n), label="w")
    y = data.draw(arrays(m, 0, 1), label="y (rounded to 0/1)").round()
    b, lam = data.draw(floats(), label="b"), data.draw(floats(0.1, 3.0), label="lam")
    dw, db = student.logistic_gradient(X, y, w, b, lam)
    cost = sandboxed_cost(student, "logistic_cost", lambda p: (X, y, p["w"], float(p["b"]), lam))
    expect_gradient_blamed({"w": dw, "b": db}, cost, {"w": w, "b": b}, what="logistic_gradient",
                           cost_name="logistic_cost", cost_omissions=penalty_omissions(w, lam, m),
                           gradient_mistakes=penalty_gradient_mistakes(w, lam, m))


def _bound(function, X, y, w0, b0, lam):
    """The functions handed to gradient_descent may be called on this problem, at any w and b."""
    return bound_callback(function, free=("w", "b"), X=X, y=y, w=w0, b=b0, lam=lam)


def _bowl_cost(X, y, w, b, lam):
    return (w[0] - 2.0) ** 2 + (w[1] + 3.0) ** 2


def _bowl_gradient(X, y, w, b, lam):
    return np.array([2.0 * (w[0] - 2.0), 2.0 * (w[1] + 3.0)]), 0.0


@points(1)
@hint("Update w and b from the gradient at the current point, then record cost_fn at the new point.")
def test_gradient_descent_course_example(student):
    """On L = (w1-2)^2 + (w2+3)^2 from (0, 0) with alpha 0.1, w goes (0.4,-0.6), (0.72,-1.08), (0.976,-1.464)."""
    X, y, w0 = np.zeros((1, 2)), np.zeros(1), np.zeros(2)
    w, b, history = student.gradient_descent(X, y, w0, 0.0, 0.1, 3, 0.0,
                                             _bound(_bowl_cost, X, y, w0, 0.0, 0.0),
                                             _bound(_bowl_gradient, X, y, w0, 0.0, 0.0))
    expect_close(w, [0.976, -1.464], "final w")
    expect_close(np.asarray(history, dtype=float), [8.32, 5.3248, 3.407872],
                 "history (the cost after each update)")


@points(1)
@hint("Start from a copy: w = np.array(w0, dtype=float) or w0.copy(), and write w = w - alpha * dw.")
def test_gradient_descent_leaves_w0_unchanged(student):
    """gradient_descent does not modify the w0 array it is given."""
    X, y, w0 = X_HAND, Y_HAND, np.array([0.1, -0.2])
    result = student.call("gradient_descent", X, y, w0, 0.0, 0.05, 4, 0.1,
                          _bound(lambda *a: float(np.sum(a[2] ** 2)), X, y, w0, 0.0, 0.1),
                          _bound(lambda *a: (2 * a[2], 0.0), X, y, w0, 0.0, 0.1),
                          return_args=True)
    expect_unchanged(w0, result.args_after[2], "w0", mistake="modifies_w0")
