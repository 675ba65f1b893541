"""Hidden tests for the shapes topic.

Expected values come from ``reference`` (solutions/shapes/shapes.py), run in the
grader's process. Every test checks the shape first, then the dtype and the values.
A wrong shape that a known mistake produces (np.squeeze dropping an axis of size 1,
np.dot on a 3-D array, .T reversing every axis, (m,) - (m, 1) broadcasting to
(m, m), ...) is recognised from its values and gets that mistake's hint. Random
shapes come from hypothesis with sizes from 1 to 7 that differ from each other, so a
transposed answer cannot pass; the explicit examples make sure that m = 1, n = 1
and k = 1 are always among them.
"""
import os
import threading
import time

import numpy as np
from hypothesis import example, given, strategies as st

from grader.sandbox.inside import wire
from grader.strategies import arrays, distinct_dims, floats, labels
from grader.testing import (Mistake, expect_array, expect_close, expect_scalar, expect_shape, fail,
                            hint, mistake_model, points, record)


HINT_SQUEEZE = ("np.squeeze removes every axis of size 1, including the ones you meant to keep "
                "when m = 1, n = 1 or k = 1. Do not squeeze; with 1-D w (or 2-D W) X @ w + b already "
                "has the right shape (use reshape(-1) or [:, 0] when you need to drop one known axis).")


# ------------------------------------------------------------------ add_bias_column
@st.composite
def matrices(draw):
    m, n = draw(distinct_dims(2, 1, 7))
    return draw(arrays((m, n)))


@mistake_model
def add_bias_column_mistakes(X):
    ones = np.ones((X.shape[0], 1))
    return [Mistake("bias_column_last",
                    "the column of ones goes first (column 0): np.hstack([np.ones((m, 1)), X]); "
                    "np.append(X, ..., axis=1) and hstack([X, ones]) put it last.",
                    np.hstack([X, ones]))]


@points(2)
@given(X=matrices())
@example(X=np.array([[2.5]]))
@example(X=np.array([[0.5, -1.0, 2.0, 1.5]]))
@example(X=np.array([[1.5], [-2.0], [0.25]]))
def test_add_bias_column_matches_reference(student, reference, X):
    """add_bias_column prepends a column of ones, for any (m, n) including m = 1 and n = 1."""
    expect_array(student.add_bias_column(X), reference.add_bias_column(X), "add_bias_column(X)",
                 mistakes=add_bias_column_mistakes(X))


# ------------------------------------------------------------------ predict
@st.composite
def linear_problems(draw):
    m, n = draw(distinct_dims(2, 1, 7))
    return draw(arrays((m, n))), draw(arrays(n)), draw(floats())


@mistake_model
def predict_mistakes(expected):
    return [
        Mistake("column_output",
                "predict returns shape (m,): with w of shape (n,), X @ w is already (m,); "
                "w.reshape(-1, 1) (a column) makes it (m, 1).", expected[:, None]),
        Mistake("squeezed_away", HINT_SQUEEZE, np.squeeze(expected)),
    ]


@points(2)
@given(problem=linear_problems())
@example(problem=(np.array([[1.0, -2.0, 0.5]]), np.array([0.5, 1.5, -1.0]), 0.75))
@example(problem=(np.array([[1.0], [-2.0], [0.5], [2.0]]), np.array([1.5]), -0.5))
def test_predict_matches_reference(student, reference, problem):
    """predict returns the (m,) predictions Xw + b for any (m, n) including m = 1 and n = 1."""
    expected = reference.predict(*problem)
    expect_array(student.predict(*problem), expected, "predict(X, w, b)",
                 mistakes=predict_mistakes(expected))


@points(1)
@hint(HINT_SQUEEZE)
def test_predict_keeps_shape_1_when_m_is_1(student, reference):
    """predict on a single sample (m = 1, n = 4) returns shape (1,), not a bare number."""
    X, w, b = np.array([[0.5, -1.0, 2.0, 1.5]]), np.array([1.0, 0.5, -0.5, 2.0]), 0.25
    expected = reference.predict(X, w, b)
    expect_array(student.predict(X, w, b), expected, "predict(X, w, b) with m = 1",
                 mistakes=predict_mistakes(expected))


# ------------------------------------------------------------------ predict_multi
@st.composite
def multi_problems(draw):
    m, n, k = draw(distinct_dims(3, 1, 7))
    return draw(arrays((m, n))), draw(arrays((n, k))), draw(arrays(k))


@mistake_model
def predict_multi_mistakes(expected):
    return [
        Mistake("squeezed_away", HINT_SQUEEZE, np.squeeze(expected)),
        Mistake("transposed_scores",
                "rows are samples: the scores have shape (m, k), X @ W + b. With the "
                "columns-as-samples form W.T @ X.T, transpose the result back.", expected.T),
    ]


@points(2)
@given(problem=multi_problems())
@example(problem=(np.array([[1.0, -2.0, 0.5], [0.5, 0.5, 2.0]]), np.array([[1.0], [0.5], [-1.5]]),
                  np.array([0.25])))
@example(problem=(np.array([[1.0, -2.0, 0.5]]), np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0]]),
                  np.array([0.25, -0.5])))
@example(problem=(np.array([[1.5], [-2.0], [0.5], [1.0]]), np.array([[2.0, -1.0]]),
                  np.array([0.5, 1.0])))
def test_predict_multi_matches_reference(student, reference, problem):
    """predict_multi returns the (m, k) scores XW + b for any sizes including m, n or k = 1."""
    expected = reference.predict_multi(*problem)
    expect_array(student.predict_multi(*problem), expected, "predict_multi(X, W, b)",
                 mistakes=predict_multi_mistakes(expected))


@points(1)
@hint(HINT_SQUEEZE)
def test_predict_multi_keeps_axes_of_size_1(student, reference):
    """predict_multi returns (4, 1) for k = 1 and (1, 2) for m = 1."""
    X = np.array([[1.0, -2.0, 0.5], [0.5, 0.5, 2.0], [-1.0, 1.5, 0.0], [2.0, 0.0, -0.5]])
    single_output = (X, np.array([[1.0], [0.5], [-1.5]]), np.array([0.25]))
    single_sample = (X[:1], np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0]]), np.array([0.25, -0.5]))
    for problem, what in [(single_output, "with k = 1"), (single_sample, "with m = 1")]:
        expected = reference.predict_multi(*problem)
        expect_array(student.predict_multi(*problem), expected, f"predict_multi(X, W, b) {what}",
                     mistakes=predict_multi_mistakes(expected))


# A square, non-symmetric W (n = k = 3, m = 4): X @ W.T + b has the right shape and wrong values.
SQUARE_X = np.array([[1.0, -2.0, 0.5], [0.5, 0.5, 2.0], [-1.0, 1.5, 0.0], [2.0, 0.0, -0.5]])
SQUARE_W = np.array([[1.0, 2.0, -1.0], [0.0, -0.5, 3.0], [1.5, 1.0, 0.5]])
SQUARE_B = np.array([0.25, -0.5, 1.0])


@points(1)
def test_predict_multi_with_a_square_W(student, reference):
    """predict_multi is right when W is square (n = k = 3), where a transposed W keeps the shape."""
    expected = reference.predict_multi(SQUARE_X, SQUARE_W, SQUARE_B)
    expect_array(student.predict_multi(SQUARE_X, SQUARE_W, SQUARE_B), expected, "predict_multi(X, W, b)",
                 mistakes=[Mistake("W_transposed", "W has shape (n, k) and the scores are X @ W + b: with a "
                                   "square W, X @ W.T has the right shape and the wrong values.",
                                   SQUARE_X @ SQUARE_W.T + SQUARE_B)] + predict_multi_mistakes(expected))


# ------------------------------------------------------------------ mse_cost
def _cost_problem(seed=20260611):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, (5, 3))
    w = rng.choice([-1.0, 1.0], 3) * rng.uniform(0.5, 1.5, 3)
    return X, rng.uniform(-1.0, 3.0, 5), w, 0.8


X_COST, Y_COST, W_COST, B_COST = _cost_problem()


@mistake_model
def mse_cost_mistakes(X, y, w, b):
    """Costs summed or averaged over the (m, m) matrix that (m,) - (m, 1) broadcasts to."""
    m = X.shape[0]
    grid = (X @ w + b)[None, :] - np.reshape(y, -1)[:, None]  # (m, m): every prediction minus every y
    advice = (f"your cost has shape ({m}, {m}) before the sum: y is (m, 1) while predictions are (m,) "
              "(or the other way round), and (m,) - (m, 1) broadcasts to (m, m). Make both 1-D first: "
              "y = np.reshape(y, -1), and predictions X @ w + b with w of shape (n,).")
    return [Mistake("broadcast_m_by_m", advice, np.sum(grid ** 2) / (2 * m)),
            Mistake("broadcast_m_by_m", advice, np.mean(grid ** 2) / 2)]


def _check_cost(student, reference, X, y, w, b, what):
    expect_close(student.mse_cost(X, y, w, b), reference.mse_cost(X, y, w, b), what,
                 mistakes=mse_cost_mistakes(X, y, w, b))


@points(2)
def test_mse_cost_matches_reference_with_1d_y(student, reference):
    """mse_cost is right on a 5 x 3 problem with y of shape (5,)."""
    _check_cost(student, reference, X_COST, Y_COST, W_COST, B_COST, "mse_cost with y of shape (5,)")


@points(2)
def test_mse_cost_matches_reference_with_column_y(student, reference):
    """mse_cost is right on a 5 x 3 problem with y given as a column of shape (5, 1)."""
    _check_cost(student, reference, X_COST, Y_COST[:, None], W_COST, B_COST,
                "mse_cost with y of shape (5, 1)")


@st.composite
def cost_problems(draw):
    X, w, b = draw(linear_problems())
    y = draw(arrays(X.shape[0]))
    return X, (y[:, None] if draw(st.booleans()) else y), w, b


@points(1)
@given(problem=cost_problems())
@example(problem=(np.array([[1.0, -2.0, 0.5]]), np.array([[0.5]]), np.array([0.5, 1.5, -1.0]), 0.75))
@example(problem=(np.array([[1.0], [-2.0], [0.5], [2.0]]), np.array([1.0, 0.0, -1.0, 2.5]),
                  np.array([1.5]), -0.5))
def test_mse_cost_matches_reference_on_random_problems(student, reference, problem):
    """mse_cost is right on random problems (m or n may be 1; y is (m,) or (m, 1))."""
    X, y, w, b = problem
    _check_cost(student, reference, X, y, w, b, f"mse_cost with y of shape {y.shape}")


@points(1)
def test_mse_cost_returns_a_single_number(student):
    """mse_cost returns a float, not an array of shape (1,) or (1, 1), for y of shape (m,) and (m, 1)."""
    for y in (Y_COST, Y_COST[:, None]):
        value = student.mse_cost(X_COST, y, W_COST, B_COST)
        shape = value.shape if isinstance(value, np.ndarray) else None
        expect_scalar(value, f"mse_cost with y of shape {y.shape}", hint=None if shape is None else (
            f"your cost is an array of shape {shape}"
            + (": e.T @ e with a column e of shape (m, 1) is a 1 x 1 matrix" if shape == (1, 1) else "")
            + ". Return a number: float(...), or keep e 1-D so that e @ e is a number."))


# ------------------------------------------------------------------ one_hot
@st.composite
def label_problems(draw):
    m, classes = draw(st.integers(1, 7)), draw(st.integers(1, 6))
    return draw(labels(m, classes)), classes


@mistake_model
def one_hot_mistakes(reference, y, classes):
    width = int(y.max()) + 1
    if width == classes:
        return []
    return [Mistake("classes_from_labels",
                    "the width is num_classes, not y.max() + 1: a batch may not contain the last class.",
                    reference.one_hot(y, width))]


@points(1)
@given(problem=label_problems())
@example(problem=(np.array([2]), 3))
@example(problem=(np.array([0, 0, 0]), 1))
def test_one_hot_matches_reference(student, reference, problem):
    """one_hot puts a single 1 in column y[i] of row i, for any m and number of classes."""
    y, classes = problem
    expect_array(student.one_hot(y, classes), reference.one_hot(y, classes), "one_hot(y, num_classes)",
                 dtype=None, mistakes=one_hot_mistakes(reference, y, classes))


@points(1)
def test_one_hot_width_is_num_classes_when_a_class_is_missing(student, reference):
    """one_hot has num_classes columns even when no label equals the last class."""
    y, classes = np.array([2, 0, 3, 3, 1, 0]), 5
    expect_array(student.one_hot(y, classes), reference.one_hot(y, classes), "one_hot(y, 5)",
                 dtype=None, mistakes=one_hot_mistakes(reference, y, classes))


@points(1)
def test_one_hot_is_float64(student):
    """one_hot returns a float64 array (not integers or booleans)."""
    value = student.one_hot(np.array([1, 0, 2, 1]), 3)
    array = expect_shape(value, (4, 3), "one_hot(y, 3)")
    if array.dtype == np.float64:
        return
    if array.dtype == np.bool_:
        fail(f"one_hot returned dtype {array.dtype}", mistake="one_hot_bool",
             hint="y[:, None] == np.arange(num_classes) is a boolean array: convert it with "
                  ".astype(np.float64).")
    fail(f"one_hot returned dtype {array.dtype}", mistake="one_hot_not_float",
         hint="start from np.zeros((m, num_classes)) (float64 by default), not dtype=int, or convert "
              "with .astype(np.float64).")


# ------------------------------------------------------------------ pairwise_sq_dists
@st.composite
def point_sets(draw):
    m, k, d = draw(distinct_dims(3, 1, 7))
    return draw(arrays((m, d))), draw(arrays((k, d)))


@mistake_model
def pairwise_mistakes(expected):
    return [
        Mistake("not_squared", "return squared distances: sum the squared differences and do not take "
                               "the square root (np.linalg.norm is the square root).", np.sqrt(expected)),
        Mistake("swapped_axes", "row i is sample A[i]: the result is (m, k). A[:, None, :] - B[None, :, :] "
                                "has shape (m, k, d); you built (k, m).", expected.T),
    ]


@points(2)
@given(problem=point_sets())
@example(problem=(np.array([[1.0, -2.0], [0.5, 0.5], [2.0, 1.0]]), np.array([[0.0, 1.0]])))
@example(problem=(np.array([[1.0, -2.0, 0.5]]), np.array([[0.0, 1.0, 2.0], [1.5, -0.5, 1.0]])))
@example(problem=(np.array([[1.0], [-2.0], [0.5]]), np.array([[0.0], [1.5]])))
def test_pairwise_sq_dists_matches_reference(student, reference, problem):
    """pairwise_sq_dists is right for random A (m, d) and B (k, d), including m, k or d = 1."""
    A, B = problem
    expected = reference.pairwise_sq_dists(A, B)
    # Default tolerance: with |entries| <= 3 and d <= 7, the |a|^2 - 2ab + |b|^2 expansion is off by
    # at most ~1e-13 in absolute terms, far below atol = 1e-9.
    expect_array(student.pairwise_sq_dists(A, B), expected, "pairwise_sq_dists(A, B)",
                 mistakes=pairwise_mistakes(expected))


def _near_duplicates(seed=20260612):
    """80 samples near (1000, 1000, 1000); B is 50 of them moved by 1e-9.

    Far from the origin |a|^2 ~ 3e6, so the expansion |a|^2 - 2ab + |b|^2 cancels about
    1e-9 of round-off (a few ulps of 3e6) while the true squared distances of the
    near-duplicate pairs are ~1e-18: unclipped, several of the 50 come out negative
    (checked for five common ways of writing the expansion).
    """
    rng = np.random.default_rng(seed)
    A = 1e3 + rng.uniform(-1.0, 1.0, (80, 3))
    B = A[rng.choice(80, 50, replace=False)] + rng.uniform(-1e-9, 1e-9, (50, 3))
    return A, B


@points(1)
@hint("the expansion |a|^2 - 2 a.b + |b|^2 cancels catastrophically when a is close to b and can dip "
      "below 0: clip it with np.maximum(D, 0), or compute the differences first.")
def test_pairwise_sq_dists_is_never_negative(student, reference):
    """pairwise_sq_dists has no negative entry for near-identical points far from the origin."""
    A, B = _near_duplicates()
    value = expect_shape(student.pairwise_sq_dists(A, B), (80, 50), "pairwise_sq_dists(A, B)")
    if np.min(value) < 0:
        fail(f"pairwise_sq_dists returned {int(np.sum(value < 0))} negative squared distances "
             f"(the smallest is {np.min(value):.2g})", mistake="negative_distances")
    # atol: the expansion's round-off, 64 ulps of the largest |a|^2 + |b|^2 (~6e6): ~9e-8, while
    # every wrong formula is off by at least 1e-2 on the pairs that are not near-duplicates.
    scale = np.max(np.sum(A ** 2, axis=1)) + np.max(np.sum(B ** 2, axis=1))
    expect_array(value, reference.pairwise_sq_dists(A, B), "pairwise_sq_dists(A, B)",
                 atol=64 * np.finfo(float).eps * scale, mistakes=pairwise_mistakes(
                     reference.pairwise_sq_dists(A, B)))


# Speed. The input has many samples and few centroids (100 000 x 2 against 3 x 2). There a
# Python loop over the samples costs 3-10 us per sample: 0.3-1.1 s in the sandbox (numpy on
# each row; a pure-Python loop over lists is the fastest at ~0.3 s), while broadcasting takes
# ~5 ms in this process, ~100x less. A sandboxed call also pays for moving A and the
# (100 000, 3) result through the pipe, 2-10 ms depending on how busy the machine is. So
#     limit = SPEED_FACTOR * (reference time + transfer time) + latency of a tiny call,
# never below SPEED_FLOOR, all measured now on this machine: the reference in this process, the
# transfer by sending the same frames through a pipe here. That is ~75-150 ms, while a
# vectorized round trip measured 10-30 ms on a loaded 2-core machine (60 ms at worst on a
# cold first call) and loops over samples 330 ms and more: a 2-5x margin on both sides, so a
# busy machine does not fail a correct submission. Each time is the best of a few runs (noise
# only ever adds time); the student's call stops repeating as soon as one run is under the
# limit, or when a run is so far over it (SPEED_HOPELESS) that no noise explains it.
SPEED_SHAPE = (100_000, 3, 2)  # samples, centroids, features
SPEED_FACTOR = 10.0
SPEED_FLOOR = 0.075  # seconds
SPEED_TRIES = 3
SPEED_HOPELESS = 4.0


def _best_time(function, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _through_a_pipe(value):
    """Encode ``value``, send the frame through an OS pipe and decode it, as a sandboxed call does."""
    frame = wire.encode(value)
    read_end, write_end = os.pipe()

    def write_all():
        view = memoryview(frame)
        while view:
            view = view[os.write(write_end, view):]

    writer = threading.Thread(target=write_all)
    writer.start()
    chunks, remaining = [], len(frame)
    while remaining:
        chunks.append(os.read(read_end, min(remaining, 1 << 20)))
        remaining -= len(chunks[-1])
    writer.join()
    os.close(read_end)
    os.close(write_end)
    return wire.decode(b"".join(chunks)[8:])


def _transfer_time(A, B, result):
    return _best_time(lambda: (_through_a_pipe((A, B)), _through_a_pipe(result)), 3)


@points(2)
@hint("no Python loop over the samples: broadcast A[:, None, :] - B[None, :, :] (shape (m, k, d)) and "
      "sum over the last axis, or use |a|^2 - 2 A @ B.T + |b|^2 clipped at 0. A loop over the few "
      "centroids or features is fine.")
def test_pairwise_sq_dists_has_no_loop_over_samples(student, reference):
    """pairwise_sq_dists on 100 000 samples and 3 centroids is about as fast as a vectorized version."""
    m, k, d = SPEED_SHAPE
    rng = np.random.default_rng(20260613)
    A, B = rng.uniform(-1.0, 1.0, (m, d)), rng.uniform(-1.0, 1.0, (k, d))
    latency = _best_time(lambda: student.pairwise_sq_dists(A[:2], B[:1]), 3)
    expected = reference.pairwise_sq_dists(A, B)
    reference_time = _best_time(lambda: reference.pairwise_sq_dists(A, B), 5)
    transfer = _transfer_time(A, B, expected)
    limit = max(SPEED_FACTOR * (reference_time + transfer) + latency, SPEED_FLOOR)
    times = []
    for _ in range(SPEED_TRIES):
        start = time.perf_counter()
        value = student.pairwise_sq_dists(A, B)
        times.append(time.perf_counter() - start)
        if times[-1] <= limit or times[-1] > SPEED_HOPELESS * limit:
            break
    record("timing", {"student_s": times, "limit_s": limit, "reference_s": reference_time,
                      "transfer_s": transfer, "latency_s": latency})
    expect_shape(value, (m, k), "pairwise_sq_dists(A, B)")
    if min(times) > limit:
        # No measured figure in the message: results.json must be the same on every regrade.
        fail(f"pairwise_sq_dists on {m} samples and {k} centroids took more than {SPEED_FACTOR:g} "
             "times as long as a vectorized version, on every try", mistake="loop_over_samples")


# ------------------------------------------------------------------ per_sample_matvec
@st.composite
def stacked_columns(draw):
    m, n, k = draw(distinct_dims(3, 1, 7))
    return draw(arrays((k, n))), draw(arrays((m, n, 1)))


@mistake_model
def per_sample_matvec_mistakes(W, X3, expected):
    dotted = np.dot(W, X3)  # (k, m, 1): np.dot contracts W's last axis with X3's second-to-last
    k, m = W.shape[0], X3.shape[0]
    return [
        Mistake("np_dot_3d",
                f"np.dot(W, X3) on a 3-D X3 puts W's axis first: shape ({k}, {m}, 1) instead of "
                f"({m}, {k}, 1). Use W @ X3 (np.matmul treats axis 0 as a stack of samples), or "
                "np.einsum('kn,mnj->mkj', W, X3).", dotted),
        Mistake("transpose_3d",
                f".T on a 3-D array reverses all three axes: ({k}, {m}, 1).T is (1, {m}, {k}), not "
                f"({m}, {k}, 1). Use W @ X3, or np.transpose(a, (1, 0, 2)) to swap only the first two.",
                dotted.T),
        Mistake("dropped_column_axis",
                "each result[i] is a column (k, 1): keep the last axis, the result is (m, k, 1).",
                expected[:, :, 0]),
    ]


@points(2)
@given(problem=stacked_columns())
@example(problem=(np.array([[1.0, -2.0], [0.5, 1.5], [2.0, 0.0]]), np.array([[[1.0], [-0.5]]])))
@example(problem=(np.array([[1.0, -2.0, 0.5]]), np.arange(6.0).reshape(2, 3, 1) - 2.5))
@example(problem=(np.array([[1.5], [-0.5]]), np.array([[[1.0]], [[-2.0]], [[0.5]]])))
def test_per_sample_matvec_matches_reference(student, reference, problem):
    """per_sample_matvec returns the (m, k, 1) stack of W @ X3[i], including m, n or k = 1."""
    W, X3 = problem
    expected = reference.per_sample_matvec(W, X3)
    expect_array(student.per_sample_matvec(W, X3), expected, "per_sample_matvec(W, X3)",
                 mistakes=per_sample_matvec_mistakes(W, X3, expected))


@points(1)
def test_per_sample_matvec_on_the_forum_shapes(student, reference):
    """per_sample_matvec with W (1, 3) and X3 (1000, 3, 1) returns (1000, 1, 1)."""
    rng = np.random.default_rng(20260614)
    W, X3 = rng.uniform(-1.0, 1.0, (1, 3)), rng.uniform(-2.0, 2.0, (1000, 3, 1))
    expected = reference.per_sample_matvec(W, X3)
    expect_array(student.per_sample_matvec(W, X3), expected, "per_sample_matvec(W, X3)",
                 mistakes=per_sample_matvec_mistakes(W, X3, expected))


# ------------------------------------------------------------------ flatten_images
@st.composite
def image_stacks(draw):
    return draw(arrays(draw(distinct_dims(4, 1, 5))))


@mistake_model
def flatten_mistakes(images):
    m = images.shape[0]
    return [
        Mistake("fortran_order",
                "flatten in C order (channel fastest, then column, then row), as images[i].ravel() "
                "does: images.reshape(m, -1). order='F', or .T on the 4-D array (which reverses every "
                "axis, not just two), lists the pixels in a different order.",
                images.reshape(m, -1, order="F")),
        Mistake("samples_mixed",
                "images.reshape(-1, m).T mixes pixels of different images into one row: reshape to "
                "(m, -1) so that each row is one image.", images.reshape(-1, m).T),
    ]


@points(2)
@given(images=image_stacks())
@example(images=np.arange(24.0).reshape(1, 2, 3, 4))
@example(images=np.arange(30.0).reshape(5, 3, 2, 1))
def test_flatten_images_matches_reference(student, reference, images):
    """flatten_images returns (m, H*W*C) rows in C order for random (m, H, W, C), sizes down to 1."""
    expect_array(student.flatten_images(images), reference.flatten_images(images),
                 "flatten_images(images)", mistakes=flatten_mistakes(images))


@points(1)
def test_flatten_images_keeps_c_order_within_each_row(student, reference):
    """flatten_images on 3 images of 2 x 4 pixels with 5 channels gives each image's pixels in C order."""
    images = np.arange(120.0).reshape(3, 2, 4, 5) * 0.5 - 7.25  # no exact 0
    expect_array(student.flatten_images(images), reference.flatten_images(images),
                 "flatten_images(images)", mistakes=flatten_mistakes(images))
