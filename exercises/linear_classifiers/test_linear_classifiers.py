"""Public tests for the linear_classifiers topic: run them with `grader check linear_classifiers`."""
import numpy as np
from hypothesis import assume, given, strategies as st

from grader.gradcheck import away_from_kinks, expect_gradient_blamed, sandboxed_cost
from grader.strategies import arrays, distinct_dims, floats, labels
from grader.testing import (Mistake, expect_close, expect_finite, expect_no_warnings, expect_scalar,
                            expect_shape, expect_tuple, hint, points, shape_of)

# The course's worked example: 3 images (Lion, Tiger, Leopard pictures) x 3 classes
# (Lion, Tiger, Leopard). The slides print one sample per COLUMN; here each sample is
# a ROW, so S_EXAMPLE is the slide's matrix transposed. The correct classes are 0, 1, 2.
S_EXAMPLE = np.array([[5.6, 6.4, -4.6],
                      [-1.8, 10.2, 3.5],
                      [2.0, 5.4, -8.6]])
Y_EXAMPLE = np.array([0, 1, 2])
# X = [I | c] (N=3, D=4) and W chosen so that X @ W + b equals S_EXAMPLE exactly:
# rows 0-2 of W are S - b - c r, row 3 is r.
B_EXAMPLE = np.array([0.2, -0.4, 0.3])
_C, _R = np.array([1.0, -1.0, 2.0]), np.array([0.5, -1.0, 1.5])
X_EXAMPLE = np.hstack([np.eye(3), _C[:, None]])
W_EXAMPLE = np.vstack([S_EXAMPLE - B_EXAMPLE - np.outer(_C, _R), _R])
EXAMPLE = (W_EXAMPLE, B_EXAMPLE, X_EXAMPLE, Y_EXAMPLE)


def call3(student, name, *args):
    """Call the student's loss function and check that it returned (loss, dW, db)."""
    return expect_tuple(student.call(name, *args).value, 3, name, returns="a tuple (loss, dW, db)",
                        describe=shape_of, hint="end with: return loss, dW, db")


def _first_of_each(student, function, bind):
    """The loss (first returned value) of your function at each parameter set, in one round trip."""
    return sandboxed_cost(student, function, bind, only=0,
                          select=lambda v: v[0] if isinstance(v, (tuple, list)) and len(v) == 3 else v)


def _hinge_margins(W, b, X, y, delta):
    """S_ij - S_iy_i + delta for every j != y_i: the places where the hinge has a kink at 0."""
    S = X @ W + b
    margins = S - S[np.arange(len(y)), y][:, None] + delta
    return margins[np.arange(S.shape[1])[None, :] != y[:, None]]


@st.composite
def problems(draw):
    """A random problem with N, D, C all different, so a transposed W or dW cannot pass."""
    N, D, C = draw(distinct_dims(3, 2, 6))
    X, W = draw(arrays((N, D))), draw(arrays((D, C), -2, 2))
    b, y = draw(arrays(C, -2, 2)), draw(labels(N, C))
    return W, b, X, y, draw(floats(0.1, 2.0))


# ---------------------------------------------------------------- svm_loss
@points(1)
@hint("L_i sums max(0, S_ij - S_iy_i + delta) over the classes j != y_i, and the loss is the mean "
      "over the N samples. Scores are X @ W + b with one sample per row.")
def test_svm_loss_course_example_margin_1(student):
    """svm_loss on the course example with delta = 1: per-sample losses 1.8, 0, 26.6, mean 9.466667."""
    loss, dW, db = call3(student, "svm_loss", *EXAMPLE, 0.0, 1.0)
    expect_close(loss, (1.8 + 0.0 + 26.6) / 3, "loss")


@points(1)
@hint("delta is the margin inside max(0, S_ij - S_iy_i + delta): with delta = 0 the terms are "
      "max(0, S_ij - S_iy_i). Use the delta argument.")
def test_svm_loss_course_example_margin_0(student):
    """svm_loss on the course example with delta = 0: per-sample losses 0.8, 0, 24.6, mean 8.466667."""
    loss, dW, db = call3(student, "svm_loss", *EXAMPLE, 0.0, 0.0)
    expect_close(loss, (0.8 + 0.0 + 24.6) / 3, "loss")


@points(1)
@hint("dL_i/dS for the three samples is [-1, 1, 0], [0, 0, 0], [1, 1, -2]; divide by N = 3, then "
      "dW = X.T @ dS and db = dS summed over the samples.")
def test_svm_loss_course_example_gradient(student):
    """On the course example (delta = 1, reg = 0): db = [0, 2, -2]/3 and dW = X.T @ dS."""
    loss, dW, db = call3(student, "svm_loss", *EXAMPLE, 0.0, 1.0)
    dS = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3
    expect_close(db, [0.0, 2 / 3, -2 / 3], "db")
    expect_close(dW, X_EXAMPLE.T @ dS, "dW")


@points(1)
@hint("dW has the shape of W, (D, C): dW = X.T @ dS. db has the shape of b, (C,).")
def test_svm_loss_return_shapes(student):
    """svm_loss with N = 5, D = 3, C = 4 returns a single number, dW of shape (3, 4), db of shape (4,)."""
    rng = np.random.default_rng(0)
    W, b, X = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3))
    y = np.array([0, 3, 1, 2, 3])
    loss, dW, db = call3(student, "svm_loss", W, b, X, y, 0.1)
    expect_scalar(loss, "loss")
    expect_shape(dW, (3, 4), "dW")
    expect_shape(db, (4,), "db")


@points(1)
@hint("At W = 0, b = 0 every score is 0, so each of the C - 1 terms j != y_i is max(0, delta) = delta; "
      "the correct class's own term is left out, and the penalty is 0.")
def test_svm_loss_at_zero_weights_is_C_minus_1_times_delta(student):
    """With W = 0 and b = 0 every margin equals delta, so the loss is (C - 1) * delta (here 4 * 0.5)."""
    X = np.arange(12.0).reshape(3, 4)
    loss, dW, db = call3(student, "svm_loss", np.zeros((4, 5)), np.zeros(5), X, np.array([4, 0, 2]), 0.3, 0.5)
    expect_close(loss, 2.0, "loss")


HINT_LOSS_REG = "the loss is the mean data loss plus the penalty reg * sum(W**2): add it to the loss."
HINT_DW_REG = "add the penalty's gradient 2 * reg * W to dW (b has no penalty term)."
HINT_DW_REG_HALVED = "the derivative of reg * sum(W**2) is 2 * reg * W, not reg * W."


def reg_omissions(W, b, reg):
    """analytic - numerical when only the loss leaves out the penalty: dW and db are right."""
    return [Mistake("reg_missing", HINT_LOSS_REG, {"W": 2 * reg * W, "b": np.zeros_like(b)})]


def reg_gradient_mistakes(W, b, reg):
    """analytic - numerical when dW's penalty term is missing or not doubled."""
    zero = np.zeros_like(b)
    return [Mistake("reg_gradient_missing", HINT_DW_REG, {"W": -2 * reg * W, "b": zero}),
            Mistake("reg_gradient_not_doubled", HINT_DW_REG_HALVED, {"W": -reg * W, "b": zero})]


@points(2)
@given(problem=problems())
def test_svm_loss_gradient_matches_numerical_gradient_of_your_loss(student, problem):
    """dW and db agree with centered differences of your own svm_loss (reg > 0, N, D, C all different)."""
    W, b, X, y, reg = problem
    assume(away_from_kinks(_hinge_margins(W, b, X, y, 1.0), margin=1e-2))
    loss, dW, db = call3(student, "svm_loss", W, b, X, y, reg)
    cost = _first_of_each(student, "svm_loss", lambda p: (p["W"], p["b"], X, y, reg))
    expect_gradient_blamed({"W": dW, "b": db}, cost, {"W": W, "b": b}, what="svm_loss",
                           cost_name="svm_loss", cost_omissions=reg_omissions(W, b, reg),
                           gradient_mistakes=reg_gradient_mistakes(W, b, reg))


# ----------------------------------------------------------------- softmax
@points(1)
@hint("Normalize each row: exp(S) divided by the sum of exp(S) along axis=1 (keepdims=True).")
def test_softmax_course_example(student):
    """softmax of the first example image's scores [5.6, 6.4, -4.6] is [0.310022, 0.689967, 0.0000115]."""
    P = expect_shape(student.softmax(S_EXAMPLE), (3, 3), "softmax(S)")
    # The slides' 0.39 for the lion is an erratum: it is 0.31.
    expect_close(P[0], [0.310022, 0.689967, 1.15e-5], "softmax(S)[0]", rtol=0, atol=5e-7)


@points(1)
@hint("Each row of softmax(S) is one sample's distribution over the C classes: divide by the sum "
      "along axis=1, with keepdims=True so the shapes broadcast.")
@given(shape=distinct_dims(2, 2, 6), data=st.data())
def test_softmax_rows_sum_to_one(student, shape, data):
    """Every row of softmax(S) sums to 1, and the result has the shape (N, C) of S (N != C)."""
    S = data.draw(arrays(shape, -10, 10), label="S")
    P = expect_shape(student.softmax(S), shape, "softmax(S)")
    expect_close(P.sum(axis=1), np.ones(shape[0]), "the row sums of softmax(S)")


@points(1)
@hint("np.exp overflows above about 709. Subtract each row's max first "
      "(S - S.max(axis=1, keepdims=True)); this leaves the softmax unchanged.")
def test_softmax_is_finite_for_large_scores(student):
    """softmax of scores of magnitude 1e4 is finite, raises no overflow warning, and rows sum to 1."""
    S = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    result = student.call("softmax", S)
    expect_finite(result.value, "softmax(S)", mistake="softmax_overflow")
    expect_no_warnings(result.warnings, "softmax", mistake="softmax_overflow")
    expect_close(result.value, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], "softmax(S)", atol=1e-12)


# ------------------------------------------------------------ softmax_loss
@points(1)
@hint("L_i = -log softmax(S)_iy_i, averaged over the samples; with reg = 0 there is no penalty.")
def test_softmax_loss_course_example(student):
    """softmax_loss on the course example (reg = 0): losses 1.171112, 0.001236, 14.032829, mean 5.068393."""
    loss, dW, db = call3(student, "softmax_loss", *EXAMPLE, 0.0)
    expect_close(loss, (1.1711122 + 0.0012363 + 14.0328293) / 3, "loss", rtol=1e-6)


@points(1)
@hint("With W = 0 and b = 0 every score is 0, every probability 1/C, every L_i = log C, and the "
      "penalty reg * sum(W**2) is 0.")
def test_softmax_loss_at_zero_weights_is_log_C(student):
    """With W = 0 and b = 0 the loss is log C for any data (here C = 5, N = 3, D = 4)."""
    X = np.arange(12.0).reshape(3, 4)
    loss, dW, db = call3(student, "softmax_loss", np.zeros((4, 5)), np.zeros(5), X, np.array([4, 0, 2]), 0.3)
    expect_close(loss, np.log(5.0), "loss")


@points(2)
@given(problem=problems())
def test_softmax_loss_gradient_matches_numerical_gradient_of_your_loss(student, problem):
    """dW and db agree with centered differences of your own softmax_loss (reg > 0, N, D, C all different)."""
    W, b, X, y, reg = problem
    loss, dW, db = call3(student, "softmax_loss", W, b, X, y, reg)
    cost = _first_of_each(student, "softmax_loss", lambda p: (p["W"], p["b"], X, y, reg))
    expect_gradient_blamed({"W": dW, "b": db}, cost, {"W": W, "b": b}, what="softmax_loss",
                           cost_name="softmax_loss", cost_omissions=reg_omissions(W, b, reg),
                           gradient_mistakes=reg_gradient_mistakes(W, b, reg))


@points(1)
@hint("Subtract each row's max from the scores before exponentiating, and compute log-probabilities "
      "with log-sum-exp instead of taking the log of a probability that rounded to 0.")
def test_softmax_loss_is_finite_for_large_scores(student):
    """softmax_loss stays finite when the scores are of magnitude 1e4."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    loss, dW, db = call3(student, "softmax_loss", W, np.zeros(3), X, np.array([1, 1, 2]), 0.0)
    expect_finite(loss, "loss", mistake="unstable_log_softmax")
    # Scores [1e4, -1e4, 0], [-1e4, 1e4, 1e4], [0, 0, 1e4]: the correct class is 2e4 below the
    # best in row 0 (L = 2e4), ties for best in row 1 (L = log 2) and wins by 1e4 in row 2 (L = 0).
    expect_close(loss, (2e4 + np.log(2.0) + 0.0) / 3, "loss", rtol=1e-9)
