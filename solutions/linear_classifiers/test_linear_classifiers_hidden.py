"""Hidden tests for the linear_classifiers topic.

Expected values come from ``reference`` (solutions/linear_classifiers/linear_classifiers.py),
run in the grader's process. The course example is realised as X = [I | c] (N=3, D=4,
C=3) with X @ W + b equal to the slide's scores, transposed to one sample per row. The
fixed problem has N=6, D=4, C=5 and reg=0.8, large enough that 2*reg*W is comparable to
the data gradient; every hinge margin there is at least 0.05 away from its kink (checked
in tests/test_linear_classifiers_variants.py), far beyond the 1e-5 step of the
numerical gradient. Random problems draw N, D, C all different, so a transposed W or
dW cannot pass, and are filtered to stay away from hinge kinks.
"""
import numpy as np
from hypothesis import assume, given, strategies as st

from grader.gradcheck import away_from_kinks, expect_gradient
from grader.strategies import arrays, distinct_dims, floats, labels
from grader.testing import (Mistake, expect_close, expect_finite, expect_no_warnings, expect_scalar,
                            expect_shape, expect_tuple, fail, hint, mistake_model, points, shape_of)

# ------------------------------------------------------------------ problems
S_EXAMPLE = np.array([[5.6, 6.4, -4.6],
                      [-1.8, 10.2, 3.5],
                      [2.0, 5.4, -8.6]])
Y_EXAMPLE = np.array([0, 1, 2])


def realising(S, b, column, row):
    """X = [I | column] (N, N+1) and W (N+1, C) such that X @ W + b equals S."""
    X = np.hstack([np.eye(len(S)), column[:, None]])
    return X, np.vstack([S - b - np.outer(column, row), row])


B_EXAMPLE = np.array([0.2, -0.4, 0.3])
X_EXAMPLE, W_EXAMPLE = realising(S_EXAMPLE, B_EXAMPLE, np.array([1.0, -1.0, 2.0]),
                                  np.array([0.5, -1.0, 1.5]))
EXAMPLE = (W_EXAMPLE, B_EXAMPLE, X_EXAMPLE, Y_EXAMPLE)

N, D, C, REG = 6, 4, 5, 0.8


def fixed_problem(seed=20260307):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, (N, D))
    W = rng.choice([-1.0, 1.0], (D, C)) * rng.uniform(0.3, 1.2, (D, C))
    b = rng.uniform(-1.0, 1.0, C)
    y = np.array([0, 3, 1, 4, 2, 3])
    return W, b, X, y


FIXED = fixed_problem()


def hinge_margins(W, b, X, y, delta):
    """S_ij - S_iy_i + delta for j != y_i: the hinge has a kink where one of these is 0."""
    S = X @ W + b
    margins = S - S[np.arange(len(y)), y][:, None] + delta
    return margins[np.arange(S.shape[1])[None, :] != y[:, None]]


@st.composite
def problems(draw, hinge=False):
    N_, D_, C_ = draw(distinct_dims(3, 2, 7))
    X, W = draw(arrays((N_, D_))), draw(arrays((D_, C_), -2, 2))
    b, y = draw(arrays(C_, -2, 2)), draw(labels(N_, C_))
    reg = draw(floats(0.1, 2.0))
    if not hinge:
        return W, b, X, y, reg
    delta = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    assume(away_from_kinks(hinge_margins(W, b, X, y, delta), margin=1e-2))
    return W, b, X, y, reg, delta


# ----------------------------------------------------------- mistake models
HINTS = {
    "missing_margin": "each term is max(0, S_ij - S_iy_i + delta): add the margin delta inside the max.",
    "delta_ignored": "use the delta argument as the margin, not a fixed 1 (delta = 0 gives the "
                     "perceptron-style loss).",
    "correct_class_counted": "the sum runs over j != y_i only: the correct class's own term "
                             "max(0, delta) = delta must be left out (set its margin to 0 first).",
    "missing_correct_class_gradient": "the correct class's score appears in every term of L_i: "
                                      "dL_i/dS_iy_i is minus the number of positive margins in row i.",
    "bias_regularized": "b is not regularized: the penalty is reg * sum(W**2) and db has no reg term.",
    "reg_gradient_not_doubled": "the derivative of reg * sum(W**2) is 2 * reg * W, not reg * W.",
    "reg_halved": "the penalty is reg * sum(W**2) (no 1/2 in this course); its gradient is 2 * reg * W.",
    "reg_missing": "add the penalty reg * sum(W**2) to the loss.",
    "reg_gradient_missing": "add the penalty's gradient 2 * reg * W to dW.",
    "reg_over_N": "only the data term is averaged over N: add reg * sum(W**2) after dividing by N.",
    "sum_not_mean": "average over the N samples: divide the summed loss and the data part of dW "
                    "and db by N.",
    "softmax_wrong_axis": "softmax normalizes each row (one sample's scores over the C classes): "
                          "take max and sum along axis=1 with keepdims=True.",
    "softmax_whole_matrix": "normalize each row separately: sum along axis=1 with keepdims=True, "
                            "not over the whole matrix.",
    "missing_minus_one_hot": "dL/dS = (P - Y) / N: subtract 1 at the correct class of every row.",
}
HINT_DW_TRANSPOSED = "dW has the shape of W, (D, C): dW = X.T @ dS, not dS.T @ X."
HINT_OVERFLOW = ("np.exp overflows above about 709: subtract each row's max "
                 "(S - S.max(axis=1, keepdims=True)) before exponentiating; the softmax is unchanged.")
HINT_SVM_GRADIENT = ("dW and db are the derivative of the hinge loss: dS_ij = 1/N for each positive margin "
                     "(j != y_i), dS_iy_i = -(number of positive margins in row i)/N, "
                     "dW = X.T @ dS + 2 * reg * W, db = dS summed over the samples.")
HINT_SOFTMAX_GRADIENT = ("dW and db are the derivative of the softmax loss: dS = (P - Y)/N with Y one-hot, "
                         "dW = X.T @ dS + 2 * reg * W, db = dS summed over the samples.")
HINT_LOG_SOFTMAX = ("for large scores a probability rounds to 0 (log gives -inf) or exp overflows: "
                    "subtract each row's max and use log-sum-exp, log P = (S - max) - "
                    "log(sum(exp(S - max))), instead of the log of a probability.")


def _penalty(W, b, X, reg, *, mean, reg_loss, reg_grad, bias_reg, reg_over_n):
    scale = 1.0 / X.shape[0] if mean else 1.0
    loss = reg_loss * reg * np.sum(W * W) * (scale if reg_over_n else 1.0)
    dW = reg_grad * reg * W * (scale if reg_over_n else 1.0)
    if bias_reg:
        loss, db = loss + reg * np.sum(b * b), 2 * reg * b
    else:
        db = np.zeros_like(b)
    return scale, loss, dW, db


def svm_model(W, b, X, y, reg, delta=1.0, *, margin=None, count_correct=False, correct_gradient=True,
              mean=True, reg_loss=1.0, reg_grad=2.0, bias_reg=False, reg_over_n=False):
    """(loss, dW, db) of svm_loss with the given mistakes switched on (none: the correct values)."""
    rows = np.arange(X.shape[0])
    S = X @ W + b
    margins = S - S[rows, y][:, None] + (delta if margin is None else margin)
    if not count_correct:
        margins[rows, y] = 0.0
    active = (margins > 0).astype(float)
    if correct_gradient:  # as students write it: minus the count of every positive entry
        active[rows, y] = -active.sum(axis=1)
    scale, p_loss, p_dW, p_db = _penalty(W, b, X, reg, mean=mean, reg_loss=reg_loss, reg_grad=reg_grad,
                                         bias_reg=bias_reg, reg_over_n=reg_over_n)
    dS = active * scale
    return np.maximum(margins, 0).sum() * scale + p_loss, X.T @ dS + p_dW, dS.sum(axis=0) + p_db


def log_softmax_model(S, axis=1):
    """Log-softmax normalized along ``axis`` (None: over the whole matrix), computed stably.

    Mistake values must stay finite: an infinite one would match any answer.
    """
    shifted = S - S.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_model(S, axis=1):
    return np.exp(log_softmax_model(S, axis))


def softmax_loss_model(W, b, X, y, reg, *, axis=1, one_hot=True, mean=True, reg_loss=1.0,
                       reg_grad=2.0, bias_reg=False, reg_over_n=False):
    """(loss, dW, db) of softmax_loss with the given mistakes switched on."""
    rows = np.arange(X.shape[0])
    log_P = log_softmax_model(X @ W + b, axis)
    scale, p_loss, p_dW, p_db = _penalty(W, b, X, reg, mean=mean, reg_loss=reg_loss, reg_grad=reg_grad,
                                         bias_reg=bias_reg, reg_over_n=reg_over_n)
    dS = np.exp(log_P)
    if one_hot:
        dS[rows, y] -= 1.0
    dS *= scale
    return -log_P[rows, y].sum() * scale + p_loss, X.T @ dS + p_dW, dS.sum(axis=0) + p_db


# First match wins: a mistake whose value another shares (in the loss or in the gradient) comes
# after the one whose hint fits both.
COMMON = [("bias_regularized", dict(bias_reg=True)),
          ("reg_gradient_not_doubled", dict(reg_grad=1.0)),
          ("reg_halved", dict(reg_loss=0.5, reg_grad=1.0)),
          ("reg_gradient_missing", dict(reg_grad=0.0)),  # before reg_missing: same gradient
          ("reg_missing", dict(reg_loss=0.0, reg_grad=0.0)),
          ("reg_over_N", dict(reg_over_n=True)),
          ("sum_not_mean", dict(mean=False)),
          ("sum_not_mean", dict(mean=False, reg_over_n=True))]
SVM_KNOBS = [("missing_margin", dict(margin=0.0)),
             ("correct_class_counted", dict(count_correct=True)),
             ("missing_correct_class_gradient", dict(correct_gradient=False)),
             ("delta_ignored", dict(margin=1.0))] + COMMON
SOFTMAX_KNOBS = [("softmax_wrong_axis", dict(axis=0)),
                 ("softmax_whole_matrix", dict(axis=None)),
                 ("missing_minus_one_hot", dict(one_hot=False))] + COMMON


def packed(dW, db):
    return np.append(np.asarray(dW, dtype=float).ravel(), np.asarray(db, dtype=float).ravel())


@mistake_model
def mistakes(model, knobs, args, part):
    """Known wrong values of the loss (part 'loss') or of [dW, db] (part 'gradient')."""
    found = []
    for name, switches in knobs:
        loss, dW, db = model(*args, **switches)
        found.append(Mistake(name, HINTS[name], loss if part == "loss" else packed(dW, db)))
    return found


def expect_gradient_shapes(dW, db, D_, C_):
    """dW (D, C) and db (C,), naming the transpose when dW came out (C, D)."""
    if isinstance(dW, np.ndarray) and dW.shape == (C_, D_):
        fail(f"dW should have shape {(D_, C_)}, but it has shape {dW.shape}: the transpose",
             hint=HINT_DW_TRANSPOSED, mistake="dW_transposed")
    expect_shape(dW, (D_, C_), "dW", hint=HINT_DW_TRANSPOSED)
    expect_shape(db, (C_,), "db", hint="db has the shape of b, (C,): dS summed over the samples (axis=0).")


def call3(student, name, *args):
    """Call the student's loss function and check that it returned (loss, dW, db)."""
    return expect_tuple(student.call(name, *args).value, 3, name, returns="a tuple (loss, dW, db)",
                        describe=shape_of, hint="end with: return loss, dW, db")


def _loss_of(function):
    """The loss (first returned value) of a (loss, dW, db) function, for gradient checks."""
    return lambda *args: function(*args)[0]


def check_against_correct_loss(student, reference, name, reg, extra=()):
    W, b, X, y = FIXED
    bind = lambda p: (p["W"], p["b"], X, y, reg, *extra)  # noqa: E731
    loss, dW, db = call3(student, name, W, b, X, y, reg, *extra)
    expect_gradient_shapes(dW, db, D, C)
    correct = _loss_of(getattr(reference, name))
    expect_gradient({"W": dW, "b": db}, lambda batch: [correct(*bind(p)) for p in batch],
                    {"W": W, "b": b}, what=name, against=f"the correct {name}", reveal_values=False)


def check_rows_of_score_gradient_sum_to_zero(student, name, model, knobs, extra=()):
    # With reg = 0, dW = X.T @ dS, so dW summed along its rows is X.T @ (dS summed along its rows).
    # X here is (3, 6) with full row rank, so X.T v = 0 only for v = 0: the row sums of dW (and the
    # total of db) are all 0 exactly when every row of dS sums to 0.
    rng = np.random.default_rng(7)
    W, b, X = rng.uniform(-1, 1, (6, 4)), rng.uniform(-1, 1, 4), rng.uniform(-2, 2, (3, 6))
    y = np.array([2, 0, 3])
    args = (W, b, X, y, 0.0, *extra)
    loss, dW, db = call3(student, name, *args)
    expect_gradient_shapes(dW, db, 6, 4)

    def sums(dW_, db_):
        return np.append(np.asarray(dW_).sum(axis=1), np.sum(db_))

    known = [Mistake(n, HINTS[n], sums(*model(*args, **k)[1:])) for n, k in knobs]
    # dS entries are O(1/N); their sums are exact up to ~1e-15.
    expect_close(sums(dW, db), np.zeros(7), "the row sums of dW and the sum of db (reg = 0)",
                 atol=1e-10, mistakes=known,
                 hint="every row of dL/dS must sum to 0: what one class's score gains, the others lose.")


def check_growth_with_reg(student, name, model, extra=()):
    W, b, X, y = FIXED
    regs = (0.0, 0.5, 2.0)
    losses = [expect_scalar(call3(student, name, W, b, X, y, r, *extra)[0], "loss") for r in regs]
    increase = np.array(losses[1:]) - losses[0]

    def model_increase(**switches):
        base = model(W, b, X, y, 0.0, *extra, **switches)[0]
        return np.array([model(W, b, X, y, r, *extra, **switches)[0] - base for r in regs[1:]])

    known = [Mistake(n, HINTS[n], model_increase(**k))
             for n, k in [("reg_missing", dict(reg_loss=0.0)), ("reg_halved", dict(reg_loss=0.5)),
                          ("bias_regularized", dict(bias_reg=True)), ("reg_over_N", dict(reg_over_n=True))]]
    expect_close(increase, np.array(regs[1:]) * np.sum(W * W),
                 "the loss at reg = 0.5 and reg = 2 minus the loss at reg = 0", mistakes=known,
                 hint="the loss is the data term plus reg * sum(W**2).")


# ---------------------------------------------------------------- svm_loss
@points(1)
def test_svm_loss_course_example_margin_1(student, reference):
    """svm_loss is right on the course's 3 x 3 lion/tiger/leopard example with delta = 1."""
    args = (*EXAMPLE, 0.0, 1.0)
    loss, dW, db = call3(student, "svm_loss", *args)
    expect_close(loss, reference.svm_loss(*args)[0], "loss",
                 mistakes=mistakes(svm_model, SVM_KNOBS, args, "loss"))


@points(1)
def test_svm_loss_course_example_margin_0(student, reference):
    """svm_loss is right on the course's 3 x 3 example with delta = 0 (perceptron-style margin)."""
    args = (*EXAMPLE, 0.0, 0.0)
    loss, dW, db = call3(student, "svm_loss", *args)
    expect_close(loss, reference.svm_loss(*args)[0], "loss",
                 mistakes=mistakes(svm_model, SVM_KNOBS, args, "loss"))


@points(1)
def test_svm_loss_course_example_gradient(student, reference):
    """On the course example, dW and db follow dL_i/dS = [-1,1,0], [0,0,0], [1,1,-2] for both margins."""
    for delta in (1.0, 0.0):
        args = (*EXAMPLE, 0.0, delta)
        loss, dW, db = call3(student, "svm_loss", *args)
        expect_gradient_shapes(dW, db, 4, 3)
        expect_close(packed(dW, db), packed(*reference.svm_loss(*args)[1:]),
                     f"[dW, db] with delta = {delta:g}",
                     mistakes=mistakes(svm_model, SVM_KNOBS, args, "gradient"))


@points(1)
# For these deltas and 2 <= N != C <= 7 the known wrong values (C - 1) * 1, C * delta,
# N (C - 1) delta and 0 never coincide with each other or with (C - 1) * delta (delta = 1 aside).
@given(shape=distinct_dims(3, 2, 7), delta=st.sampled_from([0.3, 1.0, 1.5]), data=st.data())
def test_svm_loss_at_zero_weights_is_C_minus_1_times_delta(student, reference, shape, delta, data):
    """With W = 0 and b = 0 the loss is (C - 1) * delta, for any data and reg."""
    N_, D_, C_ = shape
    X, y = data.draw(arrays((N_, D_)), label="X"), data.draw(labels(N_, C_), label="y")
    args = (np.zeros((D_, C_)), np.zeros(C_), X, y, 0.5, delta)
    loss, dW, db = call3(student, "svm_loss", *args)
    expect_close(loss, (C_ - 1) * delta, "loss", mistakes=mistakes(svm_model, SVM_KNOBS, args, "loss"))


@points(1)
def test_svm_loss_return_shapes(student):
    """svm_loss returns a single number, dW of shape (D, C) and db of shape (C,) (N=6, D=4, C=5)."""
    loss, dW, db = call3(student, "svm_loss", *FIXED, REG)
    expect_scalar(loss, "loss")
    expect_gradient_shapes(dW, db, D, C)


@points(2)
def test_svm_loss_matches_reference_on_fixed_problem(student, reference):
    """The svm_loss value is right on a 6 x 4 problem with 5 classes and reg = 0.8."""
    args = (*FIXED, REG, 1.0)
    loss, dW, db = call3(student, "svm_loss", *args)
    expect_close(loss, reference.svm_loss(*args)[0], "loss",
                 mistakes=mistakes(svm_model, SVM_KNOBS, args, "loss"))


@points(2)
def test_svm_loss_gradient_matches_reference_on_fixed_problem(student, reference):
    """svm_loss's dW and db are right on a 6 x 4 problem with 5 classes and reg = 0.8."""
    args = (*FIXED, REG, 1.0)
    loss, dW, db = call3(student, "svm_loss", *args)
    expect_gradient_shapes(dW, db, D, C)
    expect_close(packed(dW, db), packed(*reference.svm_loss(*args)[1:]), "[dW, db]",
                 mistakes=mistakes(svm_model, SVM_KNOBS, args, "gradient"))


@points(2)
@given(problem=problems(hinge=True))
def test_svm_loss_matches_reference_on_random_problems(student, reference, problem):
    """svm_loss (loss, dW, db) is right on random problems with N, D, C all different."""
    loss, dW, db = call3(student, "svm_loss", *problem)
    expect_gradient_shapes(dW, db, *problem[0].shape)
    expected = reference.svm_loss(*problem)
    expect_close(loss, expected[0], "loss", mistakes=mistakes(svm_model, SVM_KNOBS, problem, "loss"))
    expect_close(packed(dW, db), packed(*expected[1:]), "[dW, db]",
                 mistakes=mistakes(svm_model, SVM_KNOBS, problem, "gradient"))


@points(1)
@hint(HINT_SVM_GRADIENT)
def test_svm_loss_gradient_matches_numerical_gradient_without_reg(student, reference):
    """With reg = 0, dW and db agree with centered differences of the correct hinge loss."""
    check_against_correct_loss(student, reference, "svm_loss", 0.0, (1.0,))


@points(1)
@hint(HINT_SVM_GRADIENT)
def test_svm_loss_gradient_matches_numerical_gradient_with_reg(student, reference):
    """With reg = 0.8, dW and db agree with centered differences of the correct hinge loss."""
    check_against_correct_loss(student, reference, "svm_loss", REG, (1.0,))


@points(1)
def test_svm_loss_score_gradient_rows_sum_to_zero(student):
    """Each row of dL/dS sums to 0, seen through dW's row sums and db's total with reg = 0 and N < D."""
    check_rows_of_score_gradient_sum_to_zero(student, "svm_loss", svm_model, SVM_KNOBS, (1.0,))


@points(1)
def test_svm_loss_grows_with_reg(student):
    """Raising reg from 0 to 0.5 and 2 raises the loss by exactly reg * sum(W**2)."""
    check_growth_with_reg(student, "svm_loss", svm_model, (1.0,))


# ----------------------------------------------------------------- softmax
@mistake_model
def softmax_mistakes(S):
    return [Mistake("softmax_wrong_axis", HINTS["softmax_wrong_axis"], softmax_model(S, 0)),
            Mistake("softmax_whole_matrix", HINTS["softmax_whole_matrix"], softmax_model(S, None))]


@points(1)
def test_softmax_course_example(student, reference):
    """softmax is right on the course example's scores (one sample per row)."""
    P = expect_shape(student.softmax(S_EXAMPLE), (3, 3), "softmax(S)")
    expect_close(P, reference.softmax(S_EXAMPLE), "softmax(S)", mistakes=softmax_mistakes(S_EXAMPLE))


@points(1)
@given(shape=distinct_dims(2, 2, 7), data=st.data())
def test_softmax_matches_reference_on_random_scores(student, reference, shape, data):
    """softmax is right on random (N, C) scores with N != C and keeps their shape."""
    S = data.draw(arrays(shape, -20, 20), label="S")
    P = expect_shape(student.softmax(S), shape, "softmax(S)")
    # atol 1e-12: probabilities below that are 0 for every purpose and formulas differ there.
    expect_close(P, reference.softmax(S), "softmax(S)", rtol=1e-9, atol=1e-12, mistakes=softmax_mistakes(S))


@points(1)
@given(shape=distinct_dims(2, 2, 7), data=st.data())
def test_softmax_rows_sum_to_one(student, shape, data):
    """Every row of softmax(S) sums to 1."""
    S = data.draw(arrays(shape, -20, 20), label="S")
    P = expect_shape(student.softmax(S), shape, "softmax(S)")
    known = [Mistake(m.name, m.hint, m.value.sum(axis=1)) for m in softmax_mistakes(S)]
    expect_close(P.sum(axis=1), np.ones(shape[0]), "the row sums of softmax(S)", mistakes=known,
                 hint=HINTS["softmax_wrong_axis"])


@points(1)
@given(shape=distinct_dims(2, 2, 7), data=st.data())
def test_softmax_unchanged_by_adding_a_constant_to_each_row(student, shape, data):
    """softmax(S + c) equals softmax(S) when c adds one constant to each row (different per row)."""
    S = data.draw(arrays(shape, -20, 20), label="S")
    c = data.draw(arrays(shape[0], -50, 50), label="c") + 10.0 * np.arange(shape[0])
    P, P_shifted = student.map("softmax", [(S,), (S + c[:, None],)])
    P_shifted = expect_shape(P_shifted, shape, "softmax(S + c)")
    known = [Mistake(m.name, m.hint, m.value) for m in softmax_mistakes(S + c[:, None])]
    expect_close(P_shifted, P, "softmax(S + c) compared with softmax(S)", rtol=1e-9, atol=1e-12,
                 mistakes=known, hint="a row's softmax depends only on the differences between its scores.")


@points(1)
@hint(HINT_OVERFLOW)
def test_softmax_is_finite_for_large_scores(student, reference):
    """softmax of scores of magnitude 1e4 is finite, exact, and raises no overflow warning."""
    S = np.array([[1e4, -1e4, 0.0, 9999.0],
                  [-1e4, -9999.5, -1e4, -5e3],
                  [800.0, -800.0, 1e4, 1e4]])
    result = student.call("softmax", S)
    expect_finite(result.value, "softmax(S)", mistake="softmax_overflow", hint=HINT_OVERFLOW)
    expect_no_warnings(result.warnings, "softmax", mistake="softmax_overflow", hint=HINT_OVERFLOW)
    expect_close(result.value, reference.softmax(S), "softmax(S)", rtol=1e-9, atol=1e-12,
                 mistakes=softmax_mistakes(S))


# ------------------------------------------------------------ softmax_loss
@points(1)
def test_softmax_loss_course_example(student, reference):
    """softmax_loss is right on the course's 3 x 3 example (reg = 0)."""
    args = (*EXAMPLE, 0.0)
    loss, dW, db = call3(student, "softmax_loss", *args)
    expect_close(loss, reference.softmax_loss(*args)[0], "loss",
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, args, "loss"))


@points(1)
@given(shape=distinct_dims(3, 2, 7), data=st.data())
def test_softmax_loss_at_zero_weights_is_log_C(student, shape, data):
    """With W = 0 and b = 0 the loss is log C, for any data and reg."""
    N_, D_, C_ = shape
    X, y = data.draw(arrays((N_, D_)), label="X"), data.draw(labels(N_, C_), label="y")
    args = (np.zeros((D_, C_)), np.zeros(C_), X, y, 0.5)
    loss, dW, db = call3(student, "softmax_loss", *args)
    expect_close(loss, np.log(C_), "loss", mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, args, "loss"))


@points(1)
def test_softmax_loss_return_shapes(student):
    """softmax_loss returns a single number, dW of shape (D, C) and db of shape (C,) (N=6, D=4, C=5)."""
    loss, dW, db = call3(student, "softmax_loss", *FIXED, REG)
    expect_scalar(loss, "loss")
    expect_gradient_shapes(dW, db, D, C)


@points(2)
def test_softmax_loss_matches_reference_on_fixed_problem(student, reference):
    """The softmax_loss value is right on a 6 x 4 problem with 5 classes and reg = 0.8."""
    args = (*FIXED, REG)
    loss, dW, db = call3(student, "softmax_loss", *args)
    expect_close(loss, reference.softmax_loss(*args)[0], "loss",
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, args, "loss"))


@points(2)
def test_softmax_loss_gradient_matches_reference_on_fixed_problem(student, reference):
    """softmax_loss's dW and db are right on a 6 x 4 problem with 5 classes and reg = 0.8."""
    args = (*FIXED, REG)
    loss, dW, db = call3(student, "softmax_loss", *args)
    expect_gradient_shapes(dW, db, D, C)
    expect_close(packed(dW, db), packed(*reference.softmax_loss(*args)[1:]), "[dW, db]",
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, args, "gradient"))


@points(2)
@given(problem=problems())
def test_softmax_loss_matches_reference_on_random_problems(student, reference, problem):
    """softmax_loss (loss, dW, db) is right on random problems with N, D, C all different."""
    loss, dW, db = call3(student, "softmax_loss", *problem)
    expect_gradient_shapes(dW, db, *problem[0].shape)
    expected = reference.softmax_loss(*problem)
    expect_close(loss, expected[0], "loss",
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, problem, "loss"))
    expect_close(packed(dW, db), packed(*expected[1:]), "[dW, db]",
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, problem, "gradient"))


@points(1)
@hint(HINT_SOFTMAX_GRADIENT)
def test_softmax_loss_gradient_matches_numerical_gradient_without_reg(student, reference):
    """With reg = 0, dW and db agree with centered differences of the correct softmax loss."""
    check_against_correct_loss(student, reference, "softmax_loss", 0.0)


@points(1)
@hint(HINT_SOFTMAX_GRADIENT)
def test_softmax_loss_gradient_matches_numerical_gradient_with_reg(student, reference):
    """With reg = 0.8, dW and db agree with centered differences of the correct softmax loss."""
    check_against_correct_loss(student, reference, "softmax_loss", REG)


@points(1)
def test_softmax_loss_score_gradient_rows_sum_to_zero(student):
    """Each row of dL/dS = (P - Y)/N sums to 0, seen through dW's row sums and db's total (reg = 0, N < D)."""
    check_rows_of_score_gradient_sum_to_zero(student, "softmax_loss", softmax_loss_model, SOFTMAX_KNOBS)


@points(1)
def test_softmax_loss_grows_with_reg(student):
    """Raising reg from 0 to 0.5 and 2 raises the loss by exactly reg * sum(W**2)."""
    check_growth_with_reg(student, "softmax_loss", softmax_loss_model)


@points(1)
@hint(HINT_LOG_SOFTMAX)
def test_softmax_loss_is_finite_for_large_scores(student, reference):
    """softmax_loss and its gradient stay finite, and the loss right, for scores of magnitude 1e4."""
    S = np.array([[1e4, -1e4, 0.0, 9999.0],
                  [-1e4, -9999.5, -1e4, -5e3],
                  [800.0, -800.0, 1e4, 1e4],
                  [-3e3, 2e3, -1e4, 1e4]])
    X, W = realising(S, np.zeros(4), np.array([0.5, -1.0, 1.0, 2.0]), np.array([100.0, -50.0, 20.0, 0.0]))
    args = (W, np.zeros(4), X, np.array([3, 1, 0, 2]), 0.0)
    loss, dW, db = call3(student, "softmax_loss", *args)
    for value, what in ((loss, "loss"), (dW, "dW"), (db, "db")):
        expect_finite(value, what, mistake="unstable_log_softmax", hint=HINT_LOG_SOFTMAX)
    # rtol 1e-9: the scores carry round-off of ~1e-12 (ulp of 1e4), the loss is ~1e4.
    expect_close(loss, reference.softmax_loss(*args)[0], "loss", rtol=1e-9,
                 mistakes=mistakes(softmax_loss_model, SOFTMAX_KNOBS, args, "loss"))


# ---------------------------------------------------------- default arguments
def _same_result(one, other):
    """Two (loss, dW, db) results equal up to round-off (nan where the other has nan)."""
    try:
        return all(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9,
                               atol=1e-12, equal_nan=True) and np.shape(a) == np.shape(b)
                   for a, b in zip(one, other))
    except (TypeError, ValueError):
        return False


@points(1)
def test_svm_loss_default_delta_is_1(student):
    """svm_loss(W, b, X, y, reg) without delta gives what your svm_loss gives with delta = 1.0."""
    W, b, X, y = FIXED
    without, with_one = student.map("svm_loss", [(W, b, X, y, REG), (W, b, X, y, REG, 1.0)])
    expect_tuple(without, 3, "svm_loss", returns="a tuple (loss, dW, db)", describe=shape_of)
    if _same_result(without, with_one):
        return
    # Which default the student wrote, from the student's own function at the usual suspects.
    candidates = (0.0, 0.5, 2.0, 10.0)
    for delta, result in zip(candidates, student.map("svm_loss", [(W, b, X, y, REG, d) for d in candidates])):
        if _same_result(without, result):
            fail("svm_loss without delta differs from svm_loss with delta = 1.0: it uses "
                 f"delta = {delta:g}", mistake="wrong_default",
                 hint="SPEC's signature is svm_loss(W, b, X, y, reg, delta=1.0): the default margin is 1.0.")
    fail("svm_loss without delta differs from svm_loss with delta = 1.0 (and from every other "
         "margin tried)")
