"""Hidden tests for the regularization topic.

Expected values come from ``reference`` (solutions/regularization/regularization.py),
run in the grader's process. Fixed problems use m=7, n=4, lam=0.7 and weights of
order one, so every targeted mistake moves the answer by at least a few percent;
the property tests draw non-square shapes with lam in [0.1, 3].

gradient_descent is handed the reference's cost and gradient, which the student's code can
call: they are bound (grader.callbacks) to a problem of their own that no other test uses,
so what they answer is nothing another test compares against.
"""
import numpy as np
from hypothesis import given, strategies as st

from grader.callbacks import bound_callback
from grader.gradcheck import expect_gradient, expect_gradient_blamed, local_cost, sandboxed_cost
from grader.strategies import arrays, distinct_dims, floats
from grader.testing import (Mistake, expect_close, expect_finite, expect_no_warnings, expect_scalar,
                            expect_shape, expect_stable, expect_unchanged, hint, mistake_model,
                            points)

M, N, LAM, B = 7, 4, 0.7, 0.8


def _fixed_problem(seed=20261121):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, (M, N))
    y = rng.uniform(-1.0, 3.0, M)
    w = rng.choice([-1.0, 1.0], N) * rng.uniform(0.5, 1.5, N)
    labels = (rng.uniform(size=M) < 0.5).astype(float)
    return X, y, w, labels


X_FIXED, Y_FIXED, W_FIXED, LABELS_FIXED = _fixed_problem()
X_GD, Y_GD, W_GD, _ = _fixed_problem(seed=20261122)  # gradient_descent's own problem


# ----------------------------------------------------------- mistake models
HINT_BIAS = "b is not regularized: the penalty is lam/(2m) * sum(w**2) and involves w only."
HINT_HALVED = ("the derivative of lam/(2m) * sum_k w_k^2 with respect to w_j is (lam/m) * w_j: "
               "the 2 from the square cancels the 1/2.")


def _penalty_mistakes(correct, data_term, X, w, b, lam):
    m, ww = X.shape[0], float(w @ w)
    return [
        Mistake("bias_regularized", HINT_BIAS, correct + lam / (2 * m) * b * b),
        Mistake("penalty_lam_over_m", "the penalty is lam/(2m) * sum(w**2); you used lam/m.",
                data_term + lam / m * ww),
        Mistake("penalty_lam_over_2", "the penalty is lam/(2m) * sum(w**2): divide by m as well.",
                data_term + lam / 2 * ww),
        Mistake("penalty_lam", "the penalty is lam/(2m) * sum(w**2), not lam * sum(w**2).",
                data_term + lam * ww),
        Mistake("penalty_missing", "add the penalty lam/(2m) * sum(w**2) to the cost.", data_term),
        Mistake("penalty_subtracted", "the penalty is added to the data term, not subtracted.",
                data_term - lam / (2 * m) * ww),
    ]


@mistake_model
def linear_cost_mistakes(X, y, w, b, lam):
    m, r = X.shape[0], X @ w + b - y
    data_term = float(r @ r) / (2 * m)
    correct = data_term + lam / (2 * m) * float(w @ w)
    penalty = lam / (2 * m) * float(w @ w)
    return _penalty_mistakes(correct, data_term, X, w, b, lam) + [
        Mistake("sum_not_mean", "average over the samples: the data term is 1/(2m) * sum(...).",
                float(r @ r) / 2 + penalty),
        Mistake("missing_half", "the data term is 1/(2m) * sum of squares: you left out the 1/2.",
                float(r @ r) / m + penalty),
    ]


@mistake_model
def logistic_cost_mistakes(X, y, w, b, lam):
    m, z = X.shape[0], X @ w + b
    data_term = float(np.mean(np.logaddexp(0.0, z) - y * z))
    correct = data_term + lam / (2 * m) * float(w @ w)
    penalty = lam / (2 * m) * float(w @ w)
    return _penalty_mistakes(correct, data_term, X, w, b, lam) + [
        Mistake("sum_not_mean", "average the cross-entropy over the m samples (multiply by -1/m).",
                data_term * m + penalty),
        Mistake("missing_negative_class_term",
                "the cross-entropy has two terms: y log f + (1 - y) log(1 - f).",
                float(np.mean(np.logaddexp(0.0, -z) * y)) + penalty),
    ]


def _gradient_mistakes(X, y, w, b, lam, error):
    """Mistakes in [dw..., db] given the per-sample error (prediction - y)."""
    m = X.shape[0]
    data_dw, db = X.T @ error / m, float(error.mean())

    def pack(dw, db_value=db):
        return np.append(dw, db_value)

    return [
        Mistake("bias_regularized", HINT_BIAS + " So db has no lam term.",
                pack(data_dw + lam / m * w, db + lam / m * b)),
        Mistake("penalty_gradient_halved", HINT_HALVED, pack(data_dw + lam / (2 * m) * w)),
        Mistake("penalty_gradient_lam", "the penalty's gradient is (lam/m) * w, not lam * w.",
                pack(data_dw + lam * w)),
        Mistake("penalty_gradient_doubled", "the penalty's gradient is (lam/m) * w, not (2 lam/m) * w.",
                pack(data_dw + 2 * lam / m * w)),
        Mistake("penalty_gradient_missing", "add the penalty's gradient (lam/m) * w to dw.",
                pack(data_dw)),
        Mistake("missing_1_over_m", "average over the samples: dw = X.T @ (prediction - y) / m + ...,"
                " and db = mean(prediction - y).", pack(X.T @ error + lam / m * w, float(error.sum()))),
        Mistake("missing_1_over_m", "average over the samples: divide the whole gradient by m.",
                pack(X.T @ error + lam * w, float(error.sum()))),
        Mistake("sign_flipped", "the error is prediction - y, not y - prediction.",
                pack(-data_dw + lam / m * w, -db)),
        Mistake("sign_flipped", "the gradient points uphill: dw = X.T @ (prediction - y) / m + (lam/m) w.",
                -pack(data_dw + lam / m * w)),
    ]


@mistake_model
def linear_gradient_mistakes(X, y, w, b, lam):
    return _gradient_mistakes(X, y, w, b, lam, X @ w + b - y)


@mistake_model
def logistic_gradient_mistakes(X, y, w, b, lam, reference):
    error = reference.sigmoid(X @ w + b) - y
    linear_error = X @ w + b - y
    return _gradient_mistakes(X, y, w, b, lam, error) + [
        Mistake("linear_prediction", "logistic regression predicts f = sigmoid(Xw + b), not Xw + b.",
                np.append(X.T @ linear_error / X.shape[0] + lam / X.shape[0] * w, linear_error.mean())),
    ]


def _packed(gradient):
    dw, db = gradient
    return np.append(np.asarray(dw, dtype=float).ravel(), np.asarray(db, dtype=float).ravel())


@st.composite
def problems(draw, logistic=False):
    m, n = draw(distinct_dims(2, 2, 7))
    X, w = draw(arrays((m, n))), draw(arrays(n, -2, 2))
    y = draw(arrays(m, 0, 1)).round() if logistic else draw(arrays(m))
    return X, y, w, draw(floats()), draw(floats(0.1, 3.0))


# ------------------------------------------------------------- linear_cost
@points(2)
def test_linear_cost_matches_reference_on_fixed_problem(student, reference):
    """linear_cost is right on a 7 x 4 problem with lam = 0.7."""
    args = (X_FIXED, Y_FIXED, W_FIXED, B, LAM)
    expect_close(student.linear_cost(*args), reference.linear_cost(*args), "linear_cost",
                 mistakes=linear_cost_mistakes(*args))


@points(2)
@given(problem=problems())
def test_linear_cost_matches_reference_on_random_problems(student, reference, problem):
    """linear_cost is right on random non-square problems with lam > 0."""
    expect_close(student.linear_cost(*problem), reference.linear_cost(*problem), "linear_cost",
                 mistakes=linear_cost_mistakes(*problem))


@points(1)
def test_linear_cost_returns_a_single_number(student):
    """linear_cost returns a float, not an array of shape (1,) or (1, 1)."""
    expect_scalar(student.linear_cost(X_FIXED, Y_FIXED, W_FIXED, B, LAM), "linear_cost")


# --------------------------------------------------------- linear_gradient
@points(2)
def test_linear_gradient_matches_reference_on_fixed_problem(student, reference):
    """linear_gradient (dw and db) is right on a 7 x 4 problem with lam = 0.7."""
    args = (X_FIXED, Y_FIXED, W_FIXED, B, LAM)
    dw, db = student.linear_gradient(*args)
    expect_shape(np.asarray(dw), (N,), "dw", hint="dw has the shape of w: X.T @ residual / m")
    expect_close(_packed((dw, db)), _packed(reference.linear_gradient(*args)), "[dw, db]",
                 mistakes=linear_gradient_mistakes(*args))


@points(2)
@given(problem=problems())
def test_linear_gradient_matches_reference_on_random_problems(student, reference, problem):
    """linear_gradient is right on random non-square problems with lam > 0."""
    dw, db = student.linear_gradient(*problem)
    expect_shape(np.asarray(dw), problem[2].shape, "dw")
    expect_close(_packed((dw, db)), _packed(reference.linear_gradient(*problem)), "[dw, db]",
                 mistakes=linear_gradient_mistakes(*problem))


def _gradient_check(student, reference, cost_name, gradient_name, labels, against_reference):
    y = LABELS_FIXED if labels else Y_FIXED
    bind = lambda p: (X_FIXED, y, p["w"], float(p["b"]), LAM)  # noqa: E731
    dw, db = getattr(student, gradient_name)(X_FIXED, y, W_FIXED, B, LAM)
    correct = local_cost(getattr(reference, cost_name), bind)
    if against_reference:
        expect_gradient({"w": dw, "b": db}, correct, {"w": W_FIXED, "b": B}, what=gradient_name,
                        against=f"the correct {cost_name}", reveal_values=False)
        return
    # Against the student's own cost, but a gradient the correct cost confirms keeps its points:
    # it is the cost that is wrong, and the cost's own tests charge for it.
    expect_gradient_blamed({"w": dw, "b": db}, sandboxed_cost(student, cost_name, bind),
                           {"w": W_FIXED, "b": B}, what=gradient_name, cost_name=cost_name,
                           correct_cost=correct,
                           hint=f"your {gradient_name} matches neither your {cost_name} nor the "
                                "correct cost: differentiate the cost term by term.")


@points(2)
def test_linear_gradient_matches_numerical_gradient_of_correct_cost(student, reference):
    """dw and db agree with centered differences of the correct cost (every parameter)."""
    _gradient_check(student, reference, "linear_cost", "linear_gradient", False, True)


@points(1)
def test_linear_gradient_matches_numerical_gradient_of_your_cost(student, reference):
    """dw and db agree with centered differences of your own linear_cost."""
    _gradient_check(student, reference, "linear_cost", "linear_gradient", False, False)


# ----------------------------------------------------------------- sigmoid
@points(1)
@given(z=arrays(st.tuples(st.integers(1, 4), st.integers(1, 5)), -40, 40))
def test_sigmoid_matches_reference(student, reference, z):
    """sigmoid is right element-wise on 2-D inputs and keeps their shape."""
    result = expect_shape(student.sigmoid(z), z.shape, "sigmoid(z)")
    # atol 1e-12: tails below that are 0 for every purpose, and a tanh-based formula gives 0 there.
    expect_close(result, reference.sigmoid(z), "sigmoid(z)", rtol=1e-9, atol=1e-12)


@points(1)
@hint("np.exp(-z) overflows for z < -709 (and np.exp(z) for z > 709). Exponentiate only -|z|: "
      "e = np.exp(-np.abs(z)); g = np.where(z >= 0, 1/(1+e), e/(1+e)).")
def test_sigmoid_has_no_overflow_for_large_inputs(student, reference):
    """sigmoid of inputs up to |z| = 1e4 is finite, exact at the ends, and raises no warning."""
    z = np.array([[-1e4, -710.0, -40.0], [40.0, 710.0, 1e4]])
    result = student.call("sigmoid", z)
    expect_finite(result.value, "sigmoid", mistake="sigmoid_overflow")
    expect_no_warnings(result.warnings, "sigmoid", mistake="sigmoid_overflow")
    expect_close(result.value, reference.sigmoid(z), "sigmoid", rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------- logistic_cost
@points(2)
def test_logistic_cost_matches_reference_on_fixed_problem(student, reference):
    """logistic_cost is right on a 7 x 4 problem with lam = 0.7."""
    args = (X_FIXED, LABELS_FIXED, W_FIXED, B, LAM)
    expect_close(student.logistic_cost(*args), reference.logistic_cost(*args), "logistic_cost",
                 mistakes=logistic_cost_mistakes(*args))


@points(1)
@given(problem=problems(logistic=True))
def test_logistic_cost_matches_reference_on_random_problems(student, reference, problem):
    """logistic_cost is right on random non-square problems with lam > 0."""
    expect_close(student.logistic_cost(*problem), reference.logistic_cost(*problem),
                 "logistic_cost", mistakes=logistic_cost_mistakes(*problem))


@points(1)
def test_logistic_cost_returns_a_single_number(student):
    """logistic_cost returns a float, not an array."""
    expect_scalar(student.logistic_cost(X_FIXED, LABELS_FIXED, W_FIXED, B, LAM), "logistic_cost")


HINT_LOG_OF_ZERO = ("On separable data with large weights f rounds to exactly 0 or 1 and log(0) = -inf "
                    "(0 * -inf is nan). Use the identity -[y log f + (1-y) log(1-f)] = log(1 + e^z) - y z "
                    "with np.logaddexp(0, z).")
HINT_COST_OVERFLOW = ("np.exp(z) overflows for z > 709 (np.log(1 + np.exp(z)) is then inf): compute "
                      "log(1 + e^z) as np.logaddexp(0, z), which never overflows.")


@points(1)
def test_logistic_cost_is_finite_on_separable_data_with_large_weights(student, reference):
    """logistic_cost stays finite, right and free of numpy warnings when every |x . w + b| is
    between 40 and 1e4 (SPEC: inputs of magnitude up to 1e4)."""
    X = np.array([[1.0, 2.0, 0.5], [2.0, -1.0, 1.0], [-1.5, 0.5, 2.0], [3.0, 1.0, -2.0],
                  [-2.0, -2.0, 1.0], [0.5, 3.0, 0.0], [11.0, 9.0, -10.0], [-11.0, -9.0, 10.0],
                  [120.0, 100.0, -28.5], [-120.0, -100.0, 28.5]])
    w, b = np.array([60.0, 25.0, -10.0]), 5.0
    y = (X @ w + b > 0).astype(float)
    result = student.call("logistic_cost", X, y, w, b, 0.1)
    expect_stable(result, [(result.value, "logistic_cost")], "logistic_cost",
                  overflow=Mistake("cost_overflow", HINT_COST_OVERFLOW, None),
                  log_of_zero=Mistake("log_of_zero", HINT_LOG_OF_ZERO, None))
    expect_close(result.value, reference.logistic_cost(X, y, w, b, 0.1), "logistic_cost", rtol=1e-6,
                 atol=1e-9)


# ------------------------------------------------------- logistic_gradient
@points(2)
def test_logistic_gradient_matches_reference_on_fixed_problem(student, reference):
    """logistic_gradient (dw and db) is right on a 7 x 4 problem with lam = 0.7."""
    args = (X_FIXED, LABELS_FIXED, W_FIXED, B, LAM)
    dw, db = student.logistic_gradient(*args)
    expect_shape(np.asarray(dw), (N,), "dw")
    expect_close(_packed((dw, db)), _packed(reference.logistic_gradient(*args)), "[dw, db]",
                 mistakes=logistic_gradient_mistakes(*args, reference))


@points(1)
@given(problem=problems(logistic=True))
def test_logistic_gradient_matches_reference_on_random_problems(student, reference, problem):
    """logistic_gradient is right on random non-square problems with lam > 0."""
    dw, db = student.logistic_gradient(*problem)
    expect_shape(np.asarray(dw), problem[2].shape, "dw")
    expect_close(_packed((dw, db)), _packed(reference.logistic_gradient(*problem)), "[dw, db]",
                 mistakes=logistic_gradient_mistakes(*problem, reference))


@points(1)
def test_logistic_gradient_matches_numerical_gradient_of_correct_cost(student, reference):
    """dw and db agree with centered differences of the correct logistic cost."""
    _gradient_check(student, reference, "logistic_cost", "logistic_gradient", True, True)


@points(1)
def test_logistic_gradient_matches_numerical_gradient_of_your_cost(student, reference):
    """dw and db agree with centered differences of your own logistic_cost."""
    _gradient_check(student, reference, "logistic_cost", "logistic_gradient", True, False)


# -------------------------------------------------------- gradient_descent
GD_ARGS = dict(alpha=0.05, num_iters=6, lam=LAM)


def _bound(function, X, y, w0, b0, lam):
    """``function`` as student code may call it: on this problem, at any w and b."""
    return bound_callback(function, free=("w", "b"), X=X, y=y, w=w0, b=b0, lam=lam)


def _descent(runner, cost_fn, gradient_fn, w0=W_GD):
    return runner(X_GD, Y_GD, w0, B, GD_ARGS["alpha"], GD_ARGS["num_iters"], GD_ARGS["lam"],
                  cost_fn, gradient_fn)


def _history_before_update(reference):
    w, b, history = W_GD.copy(), B, []
    for _ in range(GD_ARGS["num_iters"]):
        history.append(reference.linear_cost(X_GD, Y_GD, w, b, LAM))
        dw, db = reference.linear_gradient(X_GD, Y_GD, w, b, LAM)
        w, b = w - GD_ARGS["alpha"] * dw, b - GD_ARGS["alpha"] * db
    return history


@points(2)
def test_gradient_descent_matches_reference_trajectory(student, reference):
    """With the correct cost and gradient passed in, six updates give the reference w, b and history."""
    w, b, history = _descent(student.gradient_descent,
                             _bound(reference.linear_cost, X_GD, Y_GD, W_GD, B, LAM),
                             _bound(reference.linear_gradient, X_GD, Y_GD, W_GD, B, LAM))
    w_ref, b_ref, history_ref = _descent(reference.gradient_descent, reference.linear_cost,
                                         reference.linear_gradient)
    history = np.asarray(history, dtype=float)
    expect_shape(history, (GD_ARGS["num_iters"],), "history",
                 hint="record one cost per update: history has num_iters entries.")
    expect_close(history, history_ref, "history", mistakes=[Mistake(
        "history_before_update", "history[i] is the cost after update i: record it after updating w and b.",
        _history_before_update(reference))])
    expect_close(w, w_ref, "final w")
    expect_close(b, b_ref, "final b", hint="b is updated too: b = b - alpha * db.")


@points(1)
@hint("Start from a copy: w = np.array(w0, dtype=float), then w = w - alpha * dw "
      "(w -= ... on w0 itself changes the caller's array).")
def test_gradient_descent_leaves_w0_unchanged(student, reference):
    """gradient_descent does not modify the caller's w0."""
    w0 = W_GD.copy()
    result = student.call("gradient_descent", X_GD, Y_GD, w0, B, 0.05, 3, LAM,
                          _bound(reference.linear_cost, X_GD, Y_GD, w0, B, LAM),
                          _bound(reference.linear_gradient, X_GD, Y_GD, w0, B, LAM),
                          return_args=True)
    expect_unchanged(w0, result.args_after[2], "w0", mistake="modifies_w0")


def _square_plus_three(X, y, w, b, lam):
    return float(w[0] ** 2 + 3.0)


def _square_plus_three_gradient(X, y, w, b, lam):
    return np.array([2.0 * w[0]]), 0.0


@points(1)
def test_gradient_descent_course_example_one_dimension(student):
    """L(w) = w^2 + 3 at w = 2 (L = 7, dL/dw = 4): one step with alpha 0.1 gives w = 1.6, L = 5.56."""
    X, y, w0 = np.zeros((1, 1)), np.zeros(1), np.array([2.0])
    w, b, history = student.gradient_descent(X, y, w0, 0.0, 0.1, 1, 0.0,
                                             _bound(_square_plus_three, X, y, w0, 0.0, 0.0),
                                             _bound(_square_plus_three_gradient, X, y, w0, 0.0, 0.0))
    expect_close(w, [1.6], "w after one step")
    expect_close(np.asarray(history, dtype=float), [5.56], "history")
