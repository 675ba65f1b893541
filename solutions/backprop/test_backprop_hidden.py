"""Hidden tests for the backprop topic.

Expected values come from ``reference`` (solutions/backprop/backprop.py), run in the
grader's process. The student's backward passes always receive the cache their own
forward pass returned. Backward passes are checked against centered differences of
sum(dout * correct forward) (a vector-Jacobian product, grader.gradcheck.vjp_cost),
for every input and parameter; when a check fails, the student's gradient is
compared with known mistakes to pick the hint. Shapes are non-square throughout
(N, D, M all different) so that a missing transpose cannot pass; ReLU inputs keep
|x| >= 0.05, far from the kink for steps of 1e-5. Default gradient-check tolerances:
the correct layers' worst relative error over 300 random draws is 1.3e-7 (affine)
and 2e-8 (sigmoid), against rtol 1e-5; every targeted mistake is off by > 1e-2.
"""
import numpy as np
from hypothesis import assume, given, strategies as st

from grader.gradcheck import expect_gradient_diagnosed, local_cost, vjp_cost
from grader.strategies import distinct_dims, seeded_generator
from grader.testing import (Mistake, diagnose, expect_close, expect_scalar, expect_shape,
                            expect_stable, expect_tuple, expect_unchanged, fail, hint, is_close,
                            mistake_model, points)


# ------------------------------------------------------------------ helpers
def _forward_then_backward(student, layer, inputs, dout, count):
    """Run the student's forward, then their backward on their own cache."""
    _, cache = expect_tuple(getattr(student, f"{layer}_forward")(*inputs), 2, f"{layer}_forward")
    result = getattr(student, f"{layer}_backward")(dout, cache)
    return expect_tuple(result, count, f"{layer}_backward") if count > 1 else (result,)


def _expect_vjp(gradients, reference_forward, params, bind, dout, *, what, correct, mistakes, hint=None):
    """Check a backward pass against the numerical VJP of the correct forward pass."""
    forward = what.replace("backward", "forward")
    cost = vjp_cost(local_cost(reference_forward, bind), dout, select=lambda v: v[0],
                    label=f"the correct {forward}")
    expect_gradient_diagnosed(gradients, cost, params, what=what, against=f"sum(dout * the correct {forward})",
                               correct=correct, mistakes=mistakes, hint=hint)


# Hypothesis derives a derandomized test's seed from the test's source text, so the property
# tests written with these names keep them: renaming a call would give every student other inputs.
_parts, _expect_gradient_diagnosed = expect_tuple, expect_gradient_diagnosed


NOT_LINEAR_HINT = ("a backward pass multiplies dout by local derivatives that depend only on the cache "
                   "(x, w, the layer's output), never on dout itself: no max, sign or mask of dout.")


def _expect_linear_in_dout(student, layer, cases, count):
    """backward(2 d1 - 0.5 d2) == 2 backward(d1) - 0.5 backward(d2), for each (inputs, d1, d2) case.

    All forward passes go in one round trip, all backward passes in another.
    """
    forwards = student.map(f"{layer}_forward", [inputs for inputs, _, _ in cases])
    caches = [expect_tuple(value, 2, f"{layer}_forward")[1] for value in forwards]
    calls = [(dout, cache) for (_, d1, d2), cache in zip(cases, caches) for dout in (2.0 * d1 - 0.5 * d2, d1, d2)]
    results = student.map(f"{layer}_backward", calls)
    if count == 1:
        results = [(r,) for r in results]
    results = [expect_tuple(r, count, f"{layer}_backward") for r in results]
    for mixed, first, second in zip(results[0::3], results[1::3], results[2::3]):
        for name, m, a, b in zip(("dx", "dw", "db"), mixed, first, second):
            try:
                expected = 2.0 * np.asarray(a, float) - 0.5 * np.asarray(b, float)
            except (TypeError, ValueError):
                fail(f"{layer}_backward returned a {name} that is not an array of numbers")
            # Sums of at most 30 products of numbers below 10: round-off ~1e-13, far below the tolerance.
            if not is_close(m, expected, rtol=1e-9, atol=1e-9):
                fail(f"{layer}_backward is not linear in dout: {name} for 2*dout1 - 0.5*dout2 differs from "
                     f"2*{name}1 - 0.5*{name}2", hint=NOT_LINEAR_HINT, mistake="not_linear_in_dout")


def _linearity_cases(shapes, seed, keep_from_zero=False):
    """(inputs, d1, d2) for each (input shapes, dout shape); inputs with |x| >= 0.05 if asked."""
    rng = np.random.default_rng(seed)
    cases = []
    for input_shapes, dout_shape in shapes:
        inputs = tuple(rng.uniform(-3, 3, shape) for shape in input_shapes)
        if keep_from_zero:
            inputs = tuple(np.sign(v) * (np.abs(v) + 0.05) for v in inputs)
        cases.append((inputs, rng.uniform(-3, 3, dout_shape), rng.uniform(-3, 3, dout_shape)))
    return cases


def _expect_layer_leaves_arguments(student, layer, inputs, dout, names):
    """Neither the forward pass (its inputs) nor the backward pass (dout, cache) modifies an argument."""
    forward = student.call(f"{layer}_forward", *inputs, return_args=True)
    for name, before, after in zip(names, inputs, forward.args_after):
        expect_unchanged(before, after, f"{name} (an argument of {layer}_forward)",
                         hint=f"{layer}_forward must not change its arguments: build new arrays "
                              "(np.maximum(x, 0), x.reshape(...)) instead of writing into x.",
                         mistake="modifies_input")
    _, cache = expect_tuple(forward.value, 2, f"{layer}_forward")
    backward = student.call(f"{layer}_backward", dout, cache, return_args=True)
    expect_unchanged(dout, backward.args_after[0], f"dout (an argument of {layer}_backward)",
                     hint="dout belongs to the caller: dx = dout * mask makes a new array, while "
                          "dx = dout; dx[...] = 0 (or dx *= ...) writes into dout.", mistake="modifies_dout")
    expect_unchanged(cache, backward.args_after[1], f"the cache (an argument of {layer}_backward)",
                     hint="a cache may be used again (a second backward pass): read from it, never "
                          "write into its arrays.", mistake="modifies_cache")


def away_from_zero(rng, shape):
    """Entries with |x| in [0.05, 3] and random signs."""
    return rng.uniform(0.05, 3.0, shape) * rng.choice([-1.0, 1.0], shape)


@st.composite
def layer_inputs(draw):
    """x of rank 1 to 4 with different sizes along its axes, and a numpy generator for the rest."""
    shape = tuple(draw(distinct_dims(draw(st.integers(1, 4)), 1, 5), label="shape"))
    return shape, seeded_generator(draw)


# ------------------------------------------------------------------- affine
@st.composite
def affine_inputs(draw, max_k=3):
    """x (N, d_1, ..., d_k), w (D, M), b (M,), dout (N, M), with N, D and M all different."""
    k = draw(st.integers(1, max_k))
    n, *ds, m = draw(distinct_dims(k + 2, 2, 6))
    d = int(np.prod(ds))
    assume(d not in (n, m))
    rng = seeded_generator(draw)
    return tuple(rng.uniform(-3.0, 3.0, shape) for shape in [(n, *ds), (d, m), (m,), (n, m)])


F_ORDER_HINT = ("flatten each sample in C order, numpy's default: x.reshape(x.shape[0], -1). "
                "order='F' puts the features in a different order than w expects.")


@mistake_model
def affine_forward_mistakes(x, w, b):
    n = x.shape[0]
    return [
        Mistake("f_order_flatten", F_ORDER_HINT, x.reshape(n, -1, order="F") @ w + b),
        Mistake("bias_missing", "add the bias b to every row: out = x_flat @ w + b.", x.reshape(n, -1) @ w),
    ]


def affine_backward_mistakes(x, w, dout):
    n = x.shape[0]
    x_flat, dx_flat = x.reshape(n, -1), dout @ w.T
    return {
        "x": [
            Mistake("dx_not_reshaped", "dx must have x's shape: reshape it back with "
                    "(dout @ w.T).reshape(x.shape).", dx_flat),
            Mistake("f_order_flatten", F_ORDER_HINT + " Reshape dx back in C order too.",
                    dx_flat.reshape(x.shape, order="F")),
        ],
        "w": [
            Mistake("dw_transposed", "missing transpose in dw: dw = x_flat.T @ dout has w's shape (D, M); "
                    "dout.T @ x_flat is its transpose.", (x_flat.T @ dout).T),
            Mistake("f_order_flatten", F_ORDER_HINT, x.reshape(n, -1, order="F").T @ dout),
        ],
        "b": [
            Mistake("db_wrong_axis", "db sums dout over the samples, axis 0: db = dout.sum(axis=0), "
                    "with b's shape (M,).", dout.sum(axis=1)),
            Mistake("db_wrong_axis", "db sums dout over the samples only, axis 0: db = dout.sum(axis=0), "
                    "with b's shape (M,), not one number.", np.sum(dout)),
            Mistake("db_mean", "db is the sum of dout over the samples, not the mean: any 1/N is already "
                    "inside dout.", dout.mean(axis=0)),
        ],
    }


@points(2)
@given(inputs=affine_inputs())
def test_affine_forward_matches_reference_on_inputs_of_several_ranks(student, reference, inputs):
    """affine_forward is right for x of rank 2, 3 and 4, flattened in C order."""
    x, w, b, _ = inputs
    out, _ = _parts(student.affine_forward(x, w, b), 2, "affine_forward")
    expect_close(out, reference.affine_forward(x, w, b)[0], "out", mistakes=affine_forward_mistakes(x, w, b))


@points(3)
@hint("dx = (dout @ w.T).reshape(x.shape), dw = x_flat.T @ dout, db = dout.sum(axis=0).")
@given(inputs=affine_inputs())
def test_affine_backward_matches_numerical_vjp(student, reference, inputs):
    """dx, dw and db agree with numerical vector-Jacobian products, for x of rank 2, 3 and 4."""
    x, w, b, dout = inputs
    dx, dw, db = _forward_then_backward(student, "affine", (x, w, b), dout, 3)
    correct = reference.affine_backward(dout, reference.affine_forward(x, w, b)[1])
    _expect_vjp({"x": dx, "w": dw, "b": db}, reference.affine_forward, {"x": x, "w": w, "b": b},
                lambda p: (p["x"], p["w"], p["b"]), dout, what="affine_backward",
                correct=dict(zip("xwb", correct)), mistakes=affine_backward_mistakes(x, w, dout))


@points(1)
def test_affine_backward_dx_has_the_shape_of_x(student):
    """dx has exactly x's shape, for x of rank 2 to 5."""
    rng = np.random.default_rng(13)
    shapes = [(3, 4), (2, 3, 4), (4, 1, 3, 2), (2, 3, 1, 2, 2)]
    calls = [(rng.normal(size=shape), rng.normal(size=(int(np.prod(shape[1:])), 5)), np.zeros(5))
             for shape in shapes]
    forwards = student.map("affine_forward", calls)
    caches = [expect_tuple(value, 2, "affine_forward")[1] for value in forwards]
    results = student.map("affine_backward", [(np.ones((shape[0], 5)), c) for shape, c in zip(shapes, caches)])
    for shape, result in zip(shapes, results):
        dx = expect_tuple(result, 3, "affine_backward")[0]
        flat = (shape[0], int(np.prod(shape[1:])))
        expect_shape(dx, shape, "dx", mistake="dx_not_reshaped" if np.shape(dx) == flat != shape else None,
                     hint="dx must have x's shape: reshape it back with (dout @ w.T).reshape(x.shape).")


@points(1)
def test_affine_backward_is_linear_in_dout(student):
    """affine_backward of 2*dout1 - 0.5*dout2 is 2*(its result for dout1) - 0.5*(its result for dout2)."""
    shapes = [(((3, 5), (5, 2), (2,)), (3, 2)), (((4, 2, 3), (6, 5), (5,)), (4, 5))]
    _expect_linear_in_dout(student, "affine", _linearity_cases(shapes, seed=21), 3)


@points(1)
def test_affine_layer_leaves_arguments_and_cache_unchanged(student):
    """affine_forward leaves x, w, b unchanged; affine_backward leaves dout and the cache unchanged."""
    rng = np.random.default_rng(11)
    x, w, b, dout = rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5), rng.normal(size=(4, 5))
    _expect_layer_leaves_arguments(student, "affine", (x, w, b), dout, ("x", "w", "b"))


# --------------------------------------------------------------------- relu
RELU_MASK_HINT = ("the ReLU gradient must not pass where x <= 0: dx = dout where x > 0 and 0 where x <= 0, "
                  "e.g. np.where(x > 0, dout, 0) with x from the cache.")


def relu_backward_mistakes(x, dout):
    return {"x": [
        Mistake("relu_gradient_not_masked", RELU_MASK_HINT, dout),
        Mistake("relu_masked_by_dout", "mask by the sign of the layer's input x (kept in the cache), "
                "not by the sign of dout: dx = dout * (x > 0).", np.maximum(dout, 0.0)),
        Mistake("relu_forgot_dout", "chain rule: multiply the local derivative (x > 0) by dout.",
                (x > 0).astype(float)),
    ]}


def _inputs_of_ranks_1_to_4(seed, scale):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-scale, scale, shape) for shape in [(5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)]]


@points(1)
def test_relu_forward_matches_reference(student, reference):
    """relu_forward is max(0, x) for inputs of rank 1 to 4."""
    inputs = _inputs_of_ranks_1_to_4(17, 3.0)
    for x, value in zip(inputs, student.map("relu_forward", [(x,) for x in inputs])):
        out, _ = expect_tuple(value, 2, "relu_forward")
        expect_close(out, reference.relu_forward(x)[0], "out", hint="out = np.maximum(x, 0), element-wise.")


@points(2)
@given(inputs=layer_inputs())
def test_relu_backward_matches_numerical_vjp(student, reference, inputs):
    """dx agrees with numerical vector-Jacobian products, for inputs of rank 1 to 4 away from 0."""
    shape, rng = inputs
    x, dout = away_from_zero(rng, shape), away_from_zero(rng, shape)
    (dx,) = _forward_then_backward(student, "relu", (x,), dout, 1)
    _expect_vjp({"x": dx}, reference.relu_forward, {"x": x}, lambda p: (p["x"],), dout,
                what="relu_backward", correct={"x": reference.relu_backward(dout, (x,))},
                mistakes=relu_backward_mistakes(x, dout))


@points(1)
def test_relu_backward_is_exactly_zero_where_x_is_not_positive(student):
    """dx is exactly 0 wherever x < 0 or x == 0 (ReLU'(0) = 0 here) and dout where x > 0."""
    x = np.array([[-2.0, 0.0, 1.5, -1e-12], [0.0, 3.0, -0.5, 1e-12], [2.5, -0.0, 0.25, -4.0]])
    dout = np.array([[1.5, -2.0, 3.0, 0.5], [-1.0, 2.0, -3.5, 4.0], [0.75, 1.25, -0.5, 2.0]])
    (dx,) = _forward_then_backward(student, "relu", (x,), dout, 1)
    dx = expect_shape(dx, x.shape, "dx")
    passed = dx[x <= 0] != 0
    if np.any(passed):
        at_zero = int(np.sum(passed & (x[x <= 0] == 0)))
        found = diagnose(dx, [Mistake("relu_gradient_at_zero", "ReLU's derivative at x = 0 is 0 in this course, "
                                      "so the gradient must not pass where x <= 0: use x > 0, not x >= 0.",
                                      np.where(x >= 0, dout, 0.0))] + relu_backward_mistakes(x, dout)["x"],
                         rtol=0.0, atol=0.0)
        fail(f"dx is not 0 at {int(passed.sum())} of the {int(np.sum(x <= 0))} entries where x <= 0 "
             f"({at_zero} of them at x == 0)", hint=found.hint if found else RELU_MASK_HINT,
             mistake=found.name if found else "relu_gradient_passed")
    # Where x > 0, dx is dout times exactly 1: any formulation gives dout to the last bit or nearly.
    expect_close(dx[x > 0], dout[x > 0], "dx where x > 0", rtol=1e-12,
                 hint="where x > 0 the ReLU passes dout through unchanged: dx = dout there.")


LAYER_SHAPES = [(((5,),), (5,)), (((3, 4),), (3, 4)), (((2, 3, 2),), (2, 3, 2))]


@points(1)
def test_relu_backward_is_linear_in_dout(student):
    """relu_backward of 2*dout1 - 0.5*dout2 is 2*(its result for dout1) - 0.5*(its result for dout2)."""
    _expect_linear_in_dout(student, "relu", _linearity_cases(LAYER_SHAPES, seed=22, keep_from_zero=True), 1)


@points(1)
def test_relu_layer_leaves_arguments_and_cache_unchanged(student):
    """relu_forward leaves x unchanged; relu_backward leaves dout and the cache unchanged."""
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -0.5, 0.5]])
    _expect_layer_leaves_arguments(student, "relu", (x,), np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]]),
                                   ("x",))


# ------------------------------------------------------------------ sigmoid
def sigmoid_backward_mistakes(x, dout, reference):
    s = reference.sigmoid_forward(x)[0]
    return {"x": [
        Mistake("sigmoid_derivative_of_input", "the derivative is s * (1 - s) with s = sigmoid(x), the "
                "layer's output; x * (1 - x) uses the input instead.", dout * x * (1 - x)),
        Mistake("sigmoid_forgot_dout", "chain rule: multiply the local derivative s * (1 - s) by dout.",
                s * (1 - s)),
        Mistake("sigmoid_derivative_wrong", "the derivative of sigmoid is s * (1 - s): dx = dout * s * (1 - s).",
                dout * s),
        Mistake("sigmoid_derivative_wrong", "the derivative of sigmoid is s * (1 - s): dx = dout * s * (1 - s).",
                dout * (1 - s)),
    ]}


@points(1)
def test_sigmoid_forward_matches_reference(student, reference):
    """sigmoid_forward is 1 / (1 + exp(-x)) for inputs of rank 1 to 4 in [-30, 30]."""
    inputs = _inputs_of_ranks_1_to_4(19, 30.0)
    for x, value in zip(inputs, student.map("sigmoid_forward", [(x,) for x in inputs])):
        out, _ = expect_tuple(value, 2, "sigmoid_forward")
        # atol 1e-12: tails below that are 0 for every purpose; rtol 1e-9 allows any stable formula.
        expect_close(out, reference.sigmoid_forward(x)[0], "out", rtol=1e-9, atol=1e-12,
                     hint="out = 1 / (1 + np.exp(-x)), element-wise.")


@points(2)
@given(inputs=layer_inputs())
def test_sigmoid_backward_matches_numerical_vjp(student, reference, inputs):
    """dx agrees with numerical vector-Jacobian products, for inputs of rank 1 to 4."""
    shape, rng = inputs
    x, dout = rng.uniform(-3.0, 3.0, shape), rng.uniform(-3.0, 3.0, shape)
    (dx,) = _forward_then_backward(student, "sigmoid", (x,), dout, 1)
    _expect_vjp({"x": dx}, reference.sigmoid_forward, {"x": x}, lambda p: (p["x"],), dout,
                what="sigmoid_backward",
                correct={"x": reference.sigmoid_backward(dout, reference.sigmoid_forward(x)[1])},
                mistakes=sigmoid_backward_mistakes(x, dout, reference),
                hint="dx = dout * s * (1 - s) with s = sigmoid(x), the forward output kept in the cache.")


@points(1)
def test_sigmoid_backward_is_linear_in_dout(student):
    """sigmoid_backward of 2*dout1 - 0.5*dout2 is 2*(its result for dout1) - 0.5*(its result for dout2)."""
    _expect_linear_in_dout(student, "sigmoid", _linearity_cases(LAYER_SHAPES, seed=23), 1)


@points(1)
def test_sigmoid_layer_leaves_arguments_and_cache_unchanged(student):
    """sigmoid_forward leaves x unchanged; sigmoid_backward leaves dout and the cache unchanged."""
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -0.5, 0.5]])
    _expect_layer_leaves_arguments(student, "sigmoid", (x,), np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]]),
                                   ("x",))


# ---------------------------------------------------- softmax cross-entropy
COURSE_SCORES = np.array([[5.6, 6.4, -4.6], [-1.8, 10.2, 3.5], [2.0, 5.4, -8.6]])
COURSE_LABELS = np.array([0, 1, 2])
SOFTMAX_N_HINT = "softmax gradient not divided by N: the loss is a mean over the N samples, so dscores = (P - Y) / N."


def _softmax(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


@mistake_model
def softmax_loss_mistakes(scores, y):
    n, p = scores.shape[0], _softmax(scores)
    log_correct = np.log(p[np.arange(n), y])
    return [
        Mistake("loss_sum_not_mean", "the loss is the mean over the samples: -(1/N) sum_i log P[i, y_i].",
                -log_correct.sum()),
        Mistake("loss_wrong_indexing", "P[np.arange(N), y] picks each sample's correct class; P[:, y] "
                "takes an N x N block of probabilities.", -np.log(p[:, y]).mean()),
    ]


def softmax_gradient_mistakes(scores, y):
    n, p = scores.shape[0], _softmax(scores)
    one_hot = np.eye(scores.shape[1])[y]
    return {"scores": [
        Mistake("softmax_gradient_not_divided_by_n", SOFTMAX_N_HINT, p - one_hot),
        Mistake("softmax_gradient_missing_one_hot", "subtract 1 at each sample's correct class: "
                "dscores = (P - Y) / N, with Y the one-hot labels.", p / n),
        Mistake("softmax_gradient_sign", "dscores = (P - Y) / N: probabilities minus labels, not labels minus "
                "probabilities.", (one_hot - p) / n),
    ]}


@st.composite
def score_problems(draw):
    n, c = draw(distinct_dims(2, 2, 6), label="N, C")
    rng = seeded_generator(draw)
    return rng.uniform(-3.0, 3.0, (n, c)), rng.integers(0, c, n)


def _softmax_parts(student, scores, y):
    loss, dscores = expect_tuple(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy")
    return expect_scalar(loss, "loss"), dscores


@points(1)
def test_softmax_cross_entropy_course_example(student, reference):
    """The course's Lion/Tiger/Leopard scores (one sample per row): loss and dscores are right."""
    loss, dscores = _softmax_parts(student, COURSE_SCORES, COURSE_LABELS)
    expect_close(loss, reference.softmax_cross_entropy(COURSE_SCORES, COURSE_LABELS)[0], "loss",
                 mistakes=softmax_loss_mistakes(COURSE_SCORES, COURSE_LABELS))
    expect_close(dscores, reference.softmax_cross_entropy(COURSE_SCORES, COURSE_LABELS)[1], "dscores",
                 mistakes=softmax_gradient_mistakes(COURSE_SCORES, COURSE_LABELS)["scores"])


@points(2)
@given(problem=score_problems())
def test_softmax_cross_entropy_loss_matches_reference(student, reference, problem):
    """The loss is right on random non-square score matrices."""
    loss, _ = _softmax_parts(student, *problem)
    expect_close(loss, reference.softmax_cross_entropy(*problem)[0], "loss",
                 mistakes=softmax_loss_mistakes(*problem))


@points(2)
@hint("dscores = (P - Y) / N: softmax probabilities minus the one-hot labels, over N.")
@given(problem=score_problems())
def test_softmax_cross_entropy_gradient_matches_numerical_gradient(student, reference, problem):
    """dscores agrees with centered differences of the correct loss on random non-square scores."""
    scores, y = problem
    _, dscores = _softmax_parts(student, scores, y)
    cost = vjp_cost(local_cost(reference.softmax_cross_entropy, lambda p: (p["scores"], y)), 1.0,
                    select=lambda v: v[0], label="the correct loss")
    _expect_gradient_diagnosed({"scores": dscores}, cost, {"scores": scores}, what="dscores",
                               against="the correct loss",
                               correct={"scores": reference.softmax_cross_entropy(scores, y)[1]},
                               mistakes=softmax_gradient_mistakes(scores, y))


HINT_SOFTMAX_OVERFLOW = ("np.exp overflows above about 709 (exp(1e4) is inf). Subtract each row's "
                         "maximum first: shifted = scores - scores.max(axis=1, keepdims=True); the "
                         "softmax does not change.")
HINT_LOG_OF_PROBABILITY = ("a probability of a class 2e4 below the row's best rounds to 0 and log(0) is "
                           "-inf: compute log P = shifted - log(sum(exp(shifted))) (log-sum-exp), not "
                           "the log of the probability.")


@points(1)
def test_softmax_cross_entropy_is_stable_for_large_scores(student, reference):
    """Scores of magnitude up to 1e4 (a correct class up to 2e4 below its row's best) give a finite,
    correct loss and gradient with no numpy warning."""
    scores = np.array([[1e4, 9998.0, -1e4], [-9999.0, 1e4, 9997.5], [5e3, -1e4, 1e4],
                       [-1e4, -9998.5, -9999.0], [1e4, -1e4, 0.0]])
    y = np.array([1, 2, 0, 1, 1])
    result = student.call("softmax_cross_entropy", scores, y)
    loss, dscores = expect_tuple(result.value, 2, "softmax_cross_entropy")
    expect_stable(result, [(loss, "loss"), (dscores, "dscores")], "softmax_cross_entropy",
                  overflow=Mistake("softmax_overflow", HINT_SOFTMAX_OVERFLOW, None),
                  log_of_zero=Mistake("log_of_probability", HINT_LOG_OF_PROBABILITY, None))
    loss_ref, dscores_ref = reference.softmax_cross_entropy(scores, y)
    # The loss is about 5e3 here; rtol 1e-9 leaves room for any stable formula's round-off.
    expect_close(loss, loss_ref, "loss", rtol=1e-9, mistakes=softmax_loss_mistakes(scores, y))
    expect_close(dscores, dscores_ref, "dscores", atol=1e-12,
                 mistakes=softmax_gradient_mistakes(scores, y)["scores"])


@points(1)
@hint("scores -= scores.max(...) changes the caller's array; write shifted = scores - scores.max(...).")
def test_softmax_cross_entropy_leaves_scores_unchanged(student):
    """softmax_cross_entropy does not modify scores or y."""
    scores, y = COURSE_SCORES.copy(), COURSE_LABELS.copy()
    result = student.call("softmax_cross_entropy", scores, y, return_args=True)
    expect_unchanged(scores, result.args_after[0], "scores")
    expect_unchanged(y, result.args_after[1], "y")


# ------------------------------------------------------------ two_layer_net
def _network(seed=14, n=6, d=5, h=7, c=4):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0, 0.5, (d, h)), "b1": rng.normal(0, 0.1, h),
              "W2": rng.normal(0, 0.5, (h, c)), "b2": rng.normal(0, 0.1, c)}
    return params, rng.normal(0, 1, (n, d)), rng.integers(0, c, n)


# N=6, D=5, H=7, C=4; seed 14 keeps every hidden pre-activation >= 0.067 from ReLU's kink and uses
# all four classes. REG is large enough that every regularization mistake moves dW by > 1%.
PARAMS, X_NET, Y_NET = _network()
REG = 0.3
KEYS = ("W1", "b1", "W2", "b2")
REG_MISSING_HINT = ("regularization gradient missing: the loss has reg * (sum W1^2 + sum W2^2), so add "
                    "2 * reg * W1 to dW1 and 2 * reg * W2 to dW2.")
REG_HALVED_HINT = ("regularization gradient halved: the derivative of reg * sum(W^2) is 2 * reg * W "
                   "(this penalty has no 1/2 to cancel the 2).")
BIAS_REG_HINT = "the biases are not regularized: neither the penalty nor db1, db2 involve reg."


def _pack(grads):
    return np.concatenate([np.asarray(grads[k], dtype=float).ravel() for k in KEYS])


@mistake_model
def network_gradient_mistakes(params, X, y, reg):
    """Known wrong gradients, packed in the order W1, b1, W2, b2."""
    W1, b1, W2, b2 = (params[k] for k in KEYS)
    n, a1 = X.shape[0], X @ W1 + b1
    hidden = np.maximum(a1, 0.0)
    p = _softmax(hidden @ W2 + b2)
    dscores = (p - np.eye(W2.shape[1])[y]) / n

    def packed(ds=dscores, mask=a1 > 0, used=hidden, reg_w=2 * reg, reg_b=0.0, transpose=False):
        da = (ds @ W2.T) * mask
        grads = {"W1": X.T @ da + reg_w * W1, "b1": da.sum(0) + reg_b * b1,
                 "W2": used.T @ ds + reg_w * W2, "b2": ds.sum(0) + reg_b * b2}
        if transpose:
            grads["W1"], grads["W2"] = grads["W1"].T, grads["W2"].T
        return _pack(grads)

    mistakes = [
        Mistake("dw_transposed", "missing transpose in dW: dW = A_prev.T @ dZ has W's shape; "
                "dZ.T @ A_prev is its transpose.", packed(transpose=True)),
        Mistake("softmax_gradient_not_divided_by_n", SOFTMAX_N_HINT, packed(ds=dscores * n)),
        Mistake("relu_gradient_not_masked", RELU_MASK_HINT, packed(mask=1.0)),
        Mistake("dw2_from_pre_activation", "dW2 = hidden.T @ dscores uses the ReLU's output (the second "
                "layer's input), not the pre-activation X @ W1 + b1.", packed(used=a1)),
    ]
    if reg > 0:
        mistakes += [
            Mistake("reg_gradient_missing", REG_MISSING_HINT, packed(reg_w=0.0)),
            Mistake("reg_gradient_halved", REG_HALVED_HINT, packed(reg_w=reg)),
            Mistake("bias_regularized", BIAS_REG_HINT, packed(reg_b=2 * reg)),
        ]
    return mistakes


@mistake_model
def network_loss_mistakes(params, X, y, reg):
    W1, b1, W2, b2 = (params[k] for k in KEYS)
    scores = np.maximum(X @ W1 + b1, 0.0) @ W2 + b2
    data_loss = -np.log(_softmax(scores)[np.arange(X.shape[0]), y]).mean()
    penalty = reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    return [
        Mistake("reg_loss_missing", "add the penalty reg * (sum W1^2 + sum W2^2) to the data loss.", data_loss),
        Mistake("reg_loss_halved", "the penalty is reg * (sum W1^2 + sum W2^2), with no 1/2.",
                data_loss + penalty / 2),
        Mistake("bias_regularized", BIAS_REG_HINT, data_loss + penalty + reg * (np.sum(b1 ** 2) + np.sum(b2 ** 2))),
        Mistake("loss_sum_not_mean", "the data loss is the mean over the samples, not the sum.",
                data_loss * X.shape[0] + penalty),
    ]


def _loss_and_grads(student, params, X, y, reg):
    loss, grads = expect_tuple(student.two_layer_net(params, X, y, reg), 2, "two_layer_net")
    if not isinstance(grads, dict) or sorted(grads) != sorted(KEYS):
        fail("grads should be a dict with exactly the keys W1, b1, W2, b2",
             hint="grads = {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}", mistake="grads_keys")
    return loss, grads


def _expect_network_gradient(student, reference, reg):
    _, grads = _loss_and_grads(student, PARAMS, X_NET, Y_NET, reg)
    cost = vjp_cost(local_cost(reference.two_layer_net, lambda p: (p, X_NET, Y_NET, reg)), 1.0,
                    select=lambda v: v[0], label="the correct two_layer_net")
    try:
        packed = _pack(grads)  # all gradients in one vector: one mistake spans several of them
    except (TypeError, ValueError):
        packed = None
    expect_gradient_diagnosed(grads, cost, PARAMS, what="grads", against="the correct loss",
                               correct={"all": _pack(reference.two_layer_net(PARAMS, X_NET, Y_NET, reg)[1])},
                               mistakes={"all": network_gradient_mistakes(PARAMS, X_NET, Y_NET, reg)},
                               diagnosed={"all": packed})


@points(1)
@hint("With y None, return scores = relu(X @ W1 + b1) @ W2 + b2, of shape (N, C), before any softmax.")
def test_two_layer_net_returns_scores_without_labels(student, reference):
    """two_layer_net(params, X) returns the (N, C) scores."""
    scores = student.two_layer_net(PARAMS, X_NET)
    W1, b1, W2, b2 = (PARAMS[k] for k in KEYS)
    expect_close(scores, reference.two_layer_net(PARAMS, X_NET), "scores", mistakes=[
        Mistake("returns_probabilities", "with y None return the raw scores, not softmax probabilities.",
                _softmax(reference.two_layer_net(PARAMS, X_NET))),
        Mistake("relu_missing", "apply the ReLU between the layers: hidden = max(0, X @ W1 + b1).",
                (X_NET @ W1 + b1) @ W2 + b2),
    ])


@points(2)
@hint("loss = softmax cross-entropy (mean over N) + reg * (sum W1^2 + sum W2^2).")
def test_two_layer_net_loss_matches_reference_with_regularization(student, reference):
    """The loss is right with reg = 0.3 (N=6, D=5, H=7, C=4)."""
    loss, _ = _loss_and_grads(student, PARAMS, X_NET, Y_NET, REG)
    expect_close(expect_scalar(loss, "loss"), reference.two_layer_net(PARAMS, X_NET, Y_NET, REG)[0], "loss",
                 mistakes=network_loss_mistakes(PARAMS, X_NET, Y_NET, REG))


@points(1)
def test_two_layer_net_grads_have_the_keys_and_shapes_of_params(student):
    """grads has the keys W1, b1, W2, b2, each with the shape of the parameter."""
    _, grads = _loss_and_grads(student, PARAMS, X_NET, Y_NET, REG)
    for key in KEYS:
        expect_shape(grads[key], PARAMS[key].shape, f"grads['{key}']",
                     hint="a gradient has its parameter's shape: dW = A_prev.T @ dZ, db = dZ.sum(axis=0).")


@points(2)
@hint("Backpropagate through the layers in reverse: affine, ReLU (mask where the pre-activation <= 0), "
      "affine; dscores = (P - Y) / N.")
def test_two_layer_net_gradients_match_numerical_gradients_without_regularization(student, reference):
    """Every gradient agrees with centered differences of the correct loss, with reg = 0."""
    _expect_network_gradient(student, reference, 0.0)


@points(2)
@hint("Add the penalty's gradient 2 * reg * W to dW1 and dW2, and nothing to the biases.")
def test_two_layer_net_gradients_match_numerical_gradients_with_regularization(student, reference):
    """Every gradient agrees with centered differences of the correct loss, with reg = 0.3."""
    _expect_network_gradient(student, reference, REG)


@points(1)
def test_two_layer_net_default_reg_is_0(student):
    """two_layer_net(params, X, y) without reg gives what your two_layer_net gives with reg = 0.0."""
    without, with_zero = student.map("two_layer_net", [(PARAMS, X_NET, Y_NET), (PARAMS, X_NET, Y_NET, 0.0)])
    loss, grads = expect_tuple(without, 2, "two_layer_net")
    loss0, grads0 = expect_tuple(with_zero, 2, "two_layer_net")
    try:
        same = (np.isclose(float(loss), float(loss0), rtol=1e-12, atol=0.0)
                and all(np.array_equal(np.asarray(grads[k]), np.asarray(grads0[k])) for k in KEYS))
    except (TypeError, ValueError, KeyError, IndexError):
        same = False
    if not same:
        fail("two_layer_net without reg differs from two_layer_net with reg = 0.0", mistake="wrong_default",
             hint="SPEC's signature is two_layer_net(params, X, y=None, reg=0.0): the default reg is 0.")


@points(1)
@hint("With tiny weights all scores are about 0, each class has probability 1/C and the loss is "
      "-log(1/C) = log C: average over the samples, use the natural log.")
def test_two_layer_net_loss_with_tiny_weights_is_log_c(student):
    """With random weights of order 1e-5, zero biases and reg = 0 the loss is log 4 (C = 4)."""
    rng = np.random.default_rng(5)
    params = {k: (1e-5 * rng.standard_normal(v.shape) if k.startswith("W") else np.zeros(v.shape))
              for k, v in PARAMS.items()}
    loss, _ = _loss_and_grads(student, params, X_NET, Y_NET, 0.0)
    # Scores are ~1e-9, so the loss differs from log 4 by ~1e-9: rtol 1e-6 is loose and exact enough.
    expect_close(expect_scalar(loss, "loss"), np.log(4.0), "loss", rtol=1e-6, mistakes=[
        Mistake("loss_sum_not_mean", "the data loss is the mean over the samples, not the sum.",
                X_NET.shape[0] * np.log(4.0)),
        Mistake("loss_log10", "cross-entropy uses the natural log, np.log.", np.log10(4.0))])


@points(1)
@hint("params belongs to the caller: compute new arrays (W1 + ..., dW1 = ... + 2 * reg * W1) and build a "
      "new grads dict; never write into params or its arrays.")
def test_two_layer_net_leaves_params_unchanged(student):
    """After two_layer_net(params, X, y, reg) the params dict holds the same arrays as before."""
    params = {k: v.copy() for k, v in PARAMS.items()}
    result = student.call("two_layer_net", params, X_NET, Y_NET, REG, return_args=True)
    expect_unchanged(PARAMS, result.args_after[0], "params", mistake="modifies_params")


def _training_problem(seed=3, n=30, d=4, h=10, c=3):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 1.5, (c, d))
    y = np.arange(n) % c
    X = centers[y] + rng.normal(0, 1.0, (n, d))
    params = {"W1": rng.normal(0, 0.1, (d, h)), "b1": np.zeros(h),
              "W2": rng.normal(0, 0.1, (h, c)), "b2": np.zeros(c)}
    return params, X, y


TRAIN_STEPS, TRAIN_RATE, TRAIN_REG = 25, 0.5, 1e-3
# With correct gradients 25 steps take the loss from 1.06 to about 0.02 (a factor 50); requiring a
# factor 4 leaves a wide margin for any correct implementation, while an ascent direction or a
# gradient of the wrong size stalls or diverges.
TRAIN_FACTOR = 4.0
TRAIN_DIVERGED = 3.0


@points(2)
@hint("Gradient descent with your grads does not reduce the loss: check the sign and scale of every "
      "gradient (the numerical gradient tests above say which one is off).")
def test_two_layer_net_training_run_reduces_the_loss(student, reference):
    """25 steps of gradient descent with your grads on a small 3-class problem cut the loss by a factor 4."""
    params, X, y = _training_problem()
    start = reference.two_layer_net(params, X, y, TRAIN_REG)[0]
    for step in range(TRAIN_STEPS):
        _, grads = _loss_and_grads(student, params, X, y, TRAIN_REG)
        for key in KEYS:
            expect_shape(grads[key], params[key].shape, f"grads['{key}'] at step {step}")
        params = {k: params[k] - TRAIN_RATE * grads[k] for k in KEYS}
        end = reference.two_layer_net(params, X, y, TRAIN_REG)[0]
        if not np.isfinite(end) or end > TRAIN_DIVERGED * start:
            # Stop a diverging run before the loss overflows.
            fail(f"gradient descent with your gradients (learning rate {TRAIN_RATE}) diverged: after "
                 f"{step + 1} steps the loss was more than {TRAIN_DIVERGED:g} times its starting value",
                 mistake="does_not_train")
    if end > start / TRAIN_FACTOR:
        achieved = f"fell only by a factor {start / end:.2g}" if end < start else "did not fall"
        fail(f"after {TRAIN_STEPS} steps of gradient descent (learning rate {TRAIN_RATE}) with your "
             f"gradients the loss {achieved}; it should fall by a factor {TRAIN_FACTOR:g}", mistake="does_not_train")
