"""Public tests for the backprop topic: run them with `grader check backprop`.

Backward passes are checked against centered differences of your OWN forward
pass: the numerical vector-Jacobian product of out = f(x) with an upstream
gradient dout is the gradient of the scalar sum(f(x) * dout).
"""
import numpy as np
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from grader.gradcheck import expect_gradient, sandboxed_cost, vjp_cost
from grader.strategies import arrays, distinct_dims
from grader.testing import expect_close, expect_scalar, expect_shape, expect_tuple, fail, hint, points


def _parts(value, count, what):
    """The pieces of a returned tuple, or a clear failure (without a mistake name) when it is not one."""
    return expect_tuple(value, count, what, mistake=None)


def _layer_cases(seed, keep_from_zero=False):
    """(x, dout) pairs of ranks 1 to 3; with keep_from_zero, |x| >= 0.05 (far from ReLU's kink)."""
    rng = np.random.default_rng(seed)
    cases = []
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        x = rng.uniform(-3, 3, shape)
        if keep_from_zero:
            x = np.sign(x) * (np.abs(x) + 0.05)
        cases.append((x, rng.uniform(-3, 3, shape)))
    return cases


def _check_layer_against_your_forward(student, layer, cases):
    for x, dout in cases:
        _, cache = _parts(getattr(student, f"{layer}_forward")(x), 2, f"{layer}_forward")
        dx = getattr(student, f"{layer}_backward")(dout, cache)
        forward = sandboxed_cost(student, f"{layer}_forward", lambda p: (p["x"],), only=0)
        expect_gradient({"x": dx}, vjp_cost(forward, dout, select=lambda v: v[0], label=f"your {layer}_forward"),
                        {"x": x}, what=f"{layer}_backward", against=f"sum(dout * your {layer}_forward)")


# ------------------------------------------------------------------ affine
@points(1)
@hint("out = x.reshape(N, -1) @ w + b; b is added to every row.")
def test_affine_forward_on_course_matrix_product(student):
    """[[1,2],[3,4],[5,6]] @ [[1,3,5,4],[2,4,6,8]] plus b = [1, -1, 0.5, 0] (the course's matrix product)."""
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = np.array([[1.0, 3.0, 5.0, 4.0], [2.0, 4.0, 6.0, 8.0]])
    b = np.array([1.0, -1.0, 0.5, 0.0])
    out, _ = _parts(student.affine_forward(x, w, b), 2, "affine_forward")
    expect_close(out, [[6.0, 10.0, 17.5, 20.0], [12.0, 24.0, 39.5, 44.0], [18.0, 38.0, 61.5, 68.0]],
                 "out")


@points(1)
@hint("Flatten each sample in C order: x.reshape(x.shape[0], -1). order='F' mixes up the features.")
def test_affine_forward_flattens_each_sample_in_c_order(student):
    """A (2, 2, 3) input is flattened to (2, 6) row-major before multiplying by w (6, 1)."""
    x = np.arange(12.0).reshape(2, 2, 3)
    w = np.array([[1.0], [0.0], [0.0], [0.0], [0.0], [10.0]])  # picks x[i, 0, 0] and x[i, 1, 2]
    out, _ = _parts(student.affine_forward(x, w, np.zeros(1)), 2, "affine_forward")
    expect_close(out, [[50.0], [116.0]], "out")


def _check_affine_against_your_forward(student, x, w, b, dout):
    _, cache = _parts(student.affine_forward(x, w, b), 2, "affine_forward")
    dx, dw, db = _parts(student.affine_backward(dout, cache), 3, "affine_backward")
    forward = sandboxed_cost(student, "affine_forward", lambda p: (p["x"], p["w"], p["b"]), only=0)
    expect_gradient({"x": dx, "w": dw, "b": db},
                    vjp_cost(forward, dout, select=lambda v: v[0], label="your affine_forward"),
                    {"x": x, "w": w, "b": b}, what="affine_backward",
                    against="sum(dout * your affine_forward)")


# x shapes (N, d_1, ..., d_k) and M, with N, D = d_1 * ... * d_k and M all different.
AFFINE_SHAPES = [((3, 5), 2), ((4, 2, 3), 5), ((2, 3, 1, 4), 3)]


@points(2)
@hint("dx = (dout @ w.T).reshape(x.shape), dw = x_flat.T @ dout with shape (D, M), "
      "db = dout.sum(axis=0) with shape (M,).")
def test_affine_backward_matches_numerical_vjp_of_your_forward(student):
    """dx, dw and db agree with centered differences of sum(dout * your affine_forward), for x of rank 2 to 4."""
    rng = np.random.default_rng(3)
    for shape, m in AFFINE_SHAPES:
        d = int(np.prod(shape[1:]))
        x, w, b = rng.uniform(-3, 3, shape), rng.uniform(-3, 3, (d, m)), rng.uniform(-3, 3, m)
        _check_affine_against_your_forward(student, x, w, b, rng.uniform(-3, 3, (shape[0], m)))


# -------------------------------------------------------------------- relu
@points(1)
@hint("out = np.maximum(x, 0); dx = dout where x > 0 and 0 elsewhere, including x == 0.")
def test_relu_forward_and_backward_by_hand(student):
    """ReLU of [[-2, 0, 3], [1.5, -0.5, 0]] and its backward pass, with derivative 0 at x = 0."""
    x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
    dout = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]])
    out, cache = _parts(student.relu_forward(x), 2, "relu_forward")
    expect_close(out, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]], "out")
    expect_close(student.relu_backward(dout, cache), [[0.0, 0.0, 30.0], [40.0, 0.0, 0.0]], "dx")


@points(1)
def test_relu_backward_matches_numerical_vjp_of_your_forward(student):
    """dx agrees with centered differences of sum(dout * your relu_forward), for x of rank 1 to 3 away from 0."""
    _check_layer_against_your_forward(student, "relu", _layer_cases(1, keep_from_zero=True))


# ----------------------------------------------------------------- sigmoid
@points(1)
@hint("sigmoid(0) = 0.5, and its derivative there is 0.5 * (1 - 0.5) = 0.25: dx = dout * s * (1 - s).")
def test_sigmoid_forward_and_backward_at_zero(student):
    """At x = 0 the output is 0.5 and dx = 0.25 * dout, for a (2, 3) input."""
    x, dout = np.zeros((2, 3)), np.array([[1.0, -2.0, 4.0], [0.5, 8.0, -1.0]])
    out, cache = _parts(student.sigmoid_forward(x), 2, "sigmoid_forward")
    expect_close(out, np.full((2, 3), 0.5), "out")
    expect_close(student.sigmoid_backward(dout, cache), 0.25 * dout, "dx")


@points(1)
def test_sigmoid_backward_matches_numerical_vjp_of_your_forward(student):
    """dx agrees with centered differences of sum(dout * your sigmoid_forward), for x of rank 1 to 3."""
    _check_layer_against_your_forward(student, "sigmoid", _layer_cases(2))


# ---------------------------------------------------- softmax cross-entropy
# The course's Lion/Tiger/Leopard scores, one sample per row, correct classes 0, 1, 2.
# Per-sample losses 1.1711, 0.001236 and 14.0328 (COURSE_FACTS); their mean:
COURSE_SCORES = np.array([[5.6, 6.4, -4.6], [-1.8, 10.2, 3.5], [2.0, 5.4, -8.6]])
COURSE_LABELS = np.array([0, 1, 2])
COURSE_LOSS = 5.068392585439641


@points(1)
@hint("loss = -mean(log P[i, y[i]]) with P the row-wise softmax (P[np.arange(N), y], not P[:, y]); "
      "dscores = (P - Y) / N with Y the one-hot labels.")
def test_softmax_cross_entropy_course_example(student):
    """The course's 3 x 3 example: loss 5.0684 (mean of 1.1711, 0.001236, 14.0328); row 0 of dscores is (P - Y)/3."""
    loss, dscores = _parts(student.softmax_cross_entropy(COURSE_SCORES, COURSE_LABELS), 2,
                           "softmax_cross_entropy")
    expect_scalar(loss, "loss")
    expect_close(loss, COURSE_LOSS, "loss")
    dscores = expect_shape(dscores, (3, 3), "dscores")
    # Sample 1's probabilities are 0.310022, 0.689967, 1.16e-5 (COURSE_FACTS); rtol covers that rounding.
    expect_close(dscores[0], np.array([0.310022 - 1.0, 0.689967, 1.1524e-5]) / 3, "dscores[0]",
                 rtol=1e-4, atol=1e-8)


@points(2)
@hint("dscores = (P - Y) / N: softmax probabilities minus the one-hot labels, divided by the number of "
      "samples because the loss is a mean.")
@given(shape=distinct_dims(2, 2, 6), data=st.data())
def test_softmax_cross_entropy_gradient_matches_numerical_gradient_of_your_loss(student, shape, data):
    """dscores agrees with centered differences of your own loss (N != C)."""
    n, c = shape
    scores = data.draw(arrays((n, c)), label="scores")
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)), label="y")
    _, dscores = _parts(student.softmax_cross_entropy(scores, y), 2, "softmax_cross_entropy")
    loss = vjp_cost(sandboxed_cost(student, "softmax_cross_entropy", lambda p: (p["scores"], y)), 1.0,
                    select=lambda v: np.reshape(v[0], ()), label="your softmax_cross_entropy")
    expect_gradient({"scores": dscores}, loss, {"scores": scores}, what="softmax_cross_entropy",
                    against="your loss")


# ----------------------------------------------------------- two_layer_net
def _network(seed=10, n=5, d=4, h=6, c=3):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0, 0.5, (d, h)), "b1": rng.normal(0, 0.1, h),
              "W2": rng.normal(0, 0.5, (h, c)), "b2": rng.normal(0, 0.1, c)}
    return params, rng.normal(0, 1, (n, d)), rng.integers(0, c, n)


# Seed 10 keeps every hidden pre-activation at least 0.1 from ReLU's kink (steps are 1e-5).
PARAMS, X_NET, Y_NET = _network()


@points(1)
@hint("With y None, return the scores hidden @ W2 + b2 of shape (N, C), before any softmax.")
def test_two_layer_net_returns_scores_without_labels(student):
    """two_layer_net(params, X) returns scores of shape (N, C) = (5, 3)."""
    scores = student.two_layer_net(PARAMS, X_NET)
    expect_shape(scores, (5, 3), "scores")


@points(1)
@hint("With tiny weights every score is about 0, every class gets probability 1/C, and the loss is "
      "-log(1/C) = log C. Average the loss over the samples.")
def test_two_layer_net_loss_with_tiny_weights_is_log_c(student):
    """With weights of order 1e-6 and zero biases the loss is log 3 (to 1e-6)."""
    params = {k: (1e-6 * v if k.startswith("W") else 0.0 * v) for k, v in PARAMS.items()}
    loss, _ = _parts(student.two_layer_net(params, X_NET, Y_NET, 0.0), 2, "two_layer_net")
    expect_close(expect_scalar(loss, "loss"), np.log(3.0), "loss", rtol=1e-6)


@points(2)
@hint("Chain the layers' backward passes in reverse order; add 2 * reg * W to dW1 and dW2 (not to the "
      "biases).")
def test_two_layer_net_gradients_match_numerical_gradients_of_your_loss(student):
    """Every gradient in grads agrees with centered differences of your own loss, with reg = 0.1."""
    loss, grads = _parts(student.two_layer_net(PARAMS, X_NET, Y_NET, 0.1), 2, "two_layer_net")
    if not isinstance(grads, dict) or sorted(grads) != sorted(PARAMS):
        fail("grads should be a dict with the keys W1, b1, W2, b2",
             hint="grads = {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}")
    cost = vjp_cost(sandboxed_cost(student, "two_layer_net", lambda p: (p, X_NET, Y_NET, 0.1), only=0), 1.0,
                    select=lambda v: np.reshape(v[0], ()), label="your two_layer_net")
    expect_gradient(grads, cost, PARAMS, what="two_layer_net", against="your loss")
