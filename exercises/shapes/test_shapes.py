"""Public tests for the shapes topic: run them with `grader check shapes`."""
import numpy as np
from hypothesis import given, strategies as st

from grader.strategies import arrays, distinct_dims
from grader.testing import expect_close, expect_float64, expect_scalar, fail, hint, points

# A 3 x 2 problem small enough to work out by hand:
#   X @ w + b = [1.0, 1.5, 2.0], residuals against y: [0, -0.5, -1], squared sum 1.25,
#   cost 1.25 / (2 * 3) = 0.2083333.
X_HAND = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
Y_HAND = np.array([1.0, 2.0, 3.0])
W_HAND = np.array([0.5, -0.25])
B_HAND = 1.0
COST_HAND = 1.25 / 6

HINT_SQUEEZE = ("np.squeeze removes every axis of size 1, including the ones you meant to keep "
                "when m = 1 or k = 1: do not squeeze the result.")


@points(1)
def test_add_bias_column_on_hand_example(student):
    """add_bias_column([[1, 2], [3, 4], [5, 6]]) is [[1, 1, 2], [1, 3, 4], [1, 5, 6]]."""
    result = expect_float64(student.add_bias_column(X_HAND), (3, 3), "add_bias_column(X)")
    expect_close(result, [[1.0, 1.0, 2.0], [1.0, 3.0, 4.0], [1.0, 5.0, 6.0]], "add_bias_column(X)",
                 hint="the ones go in column 0: np.hstack([np.ones((m, 1)), X])")


@points(1)
def test_predict_on_hand_example(student):
    """predict on the 3 x 2 example gives [1.0, 1.5, 2.0], shape (3,)."""
    result = expect_float64(student.predict(X_HAND, W_HAND, B_HAND), (3,), "predict(X, w, b)",
                            hint="with w of shape (n,), X @ w + b has shape (m,); no column vectors")
    expect_close(result, [1.0, 1.5, 2.0], "predict(X, w, b)")


@points(1)
@hint(HINT_SQUEEZE)
def test_predict_with_one_sample_has_shape_1(student):
    """predict on one sample X = [[1, 2, 3]], w = [1, 0, -1], b = 0.5 gives [-1.5], shape (1,)."""
    result = expect_float64(student.predict(np.array([[1.0, 2.0, 3.0]]), np.array([1.0, 0.0, -1.0]), 0.5),
                            (1,), "predict(X, w, b) with m = 1")
    expect_close(result, [-1.5], "predict(X, w, b) with m = 1")


@points(1)
def test_predict_multi_course_matrix_product(student):
    """[[1,2],[3,4],[5,6]] @ [[1,3,5,4],[2,4,6,8]] + [0, 0, 0, 1] is [[5,11,17,21],[11,25,39,45],[17,39,61,69]]."""
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    W = np.array([[1.0, 3.0, 5.0, 4.0], [2.0, 4.0, 6.0, 8.0]])
    result = expect_float64(student.predict_multi(X, W, np.array([0.0, 0.0, 0.0, 1.0])), (3, 4),
                            "predict_multi(X, W, b)", hint="rows are samples: X @ W + b is (m, k)")
    expect_close(result, [[5.0, 11.0, 17.0, 21.0], [11.0, 25.0, 39.0, 45.0], [17.0, 39.0, 61.0, 69.0]],
                 "predict_multi(X, W, b)")


@points(1)
@hint(HINT_SQUEEZE)
def test_predict_multi_with_one_output_keeps_the_column(student):
    """predict_multi with W of shape (2, 1) (k = 1) returns shape (3, 1)."""
    result = expect_float64(student.predict_multi(X_HAND, np.array([[0.5], [-0.25]]), np.array([1.0])),
                            (3, 1), "predict_multi(X, W, b) with k = 1")
    expect_close(result, [[1.0], [1.5], [2.0]], "predict_multi(X, W, b) with k = 1")


@points(1)
@hint("the cost is 1/(2m) * sum of squared residuals. Keep predictions and y 1-D: an (m, 1) column "
      "minus an (m,) vector broadcasts to an (m, m) matrix without an error.")
def test_mse_cost_on_hand_example(student):
    """mse_cost on the 3 x 2 example (y of shape (3,)) is 1.25 / 6 = 0.2083333."""
    expect_close(student.mse_cost(X_HAND, Y_HAND, W_HAND, B_HAND), COST_HAND, "mse_cost")


@points(1)
@hint("(m,) - (m, 1) broadcasts to an (m, m) matrix without an error: make y 1-D first "
      "(y = np.reshape(y, -1)) so that it matches the (m,) predictions.")
def test_mse_cost_with_column_y_gives_the_same_number(student):
    """mse_cost with y as a column (3, 1) gives the same 0.2083333 as with y of shape (3,)."""
    expect_close(student.mse_cost(X_HAND, Y_HAND[:, None], W_HAND, B_HAND), COST_HAND,
                 "mse_cost with y of shape (3, 1)")


@points(1)
def test_mse_cost_is_a_single_number(student):
    """mse_cost returns a float, not an array of shape (1,) or (1, 1), for y (3,) and y (3, 1)."""
    for y in (Y_HAND, Y_HAND[:, None]):
        expect_scalar(student.mse_cost(X_HAND, y, W_HAND, B_HAND), f"mse_cost with y of shape {y.shape}",
                      hint="e.T @ e with a column e is a (1, 1) array: return float(...), or keep e 1-D")


@points(1)
def test_one_hot_on_hand_example(student):
    """one_hot([2, 0, 1], 4) is [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]] as float64."""
    result = expect_float64(student.one_hot(np.array([2, 0, 1]), 4), (3, 4), "one_hot(y, 4)",
                            hint="the width is num_classes (4 here, though no label is 3); start from "
                                 "np.zeros((m, num_classes)), which is float64")
    expect_close(result, [[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]],
                 "one_hot(y, 4)")


@points(1)
def test_pairwise_sq_dists_on_hand_example(student):
    """pairwise_sq_dists of A = [[0,0],[1,1],[2,0]] and B = [[1,0],[0,2]] is [[1,4],[1,2],[1,8]]."""
    A = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    B = np.array([[1.0, 0.0], [0.0, 2.0]])
    result = expect_float64(student.pairwise_sq_dists(A, B), (3, 2), "pairwise_sq_dists(A, B)",
                            hint="row i is sample A[i]: A[:, None, :] - B[None, :, :] is (m, k, d)")
    expect_close(result, [[1.0, 4.0], [1.0, 2.0], [1.0, 8.0]], "pairwise_sq_dists(A, B)",
                 hint="squared distances: sum of squared differences, no square root")


@points(1)
@hint("D[i, j] = sum_l (A[i, l] - B[j, l])^2, never negative: clip the |a|^2 - 2ab + |b|^2 "
      "expansion at 0 if you use it.")
@given(sizes=distinct_dims(3, 1, 6), data=st.data())
def test_pairwise_sq_dists_matches_the_definition(student, sizes, data):
    """pairwise_sq_dists agrees with the definition on random A (m, d), B (k, d) and is never negative."""
    m, k, d = sizes
    A, B = data.draw(arrays((m, d)), label="A"), data.draw(arrays((k, d)), label="B")
    result = expect_float64(student.pairwise_sq_dists(A, B), (m, k), "pairwise_sq_dists(A, B)")
    if np.min(result) < 0:
        fail("pairwise_sq_dists returned a negative squared distance", mistake="negative_distances")
    definition = np.array([[np.sum((A[i] - B[j]) ** 2) for j in range(k)] for i in range(m)])
    expect_close(result, definition, "pairwise_sq_dists(A, B)")


@points(1)
@hint("np.dot(W, X3) on a 3-D X3 gives (1, 1000, 1) here, and .T reverses all three axes. "
      "W @ X3 (np.matmul) treats axis 0 as the stack of samples.")
def test_per_sample_matvec_on_the_forum_shapes(student):
    """per_sample_matvec with W (1, 3) and X3 (1000, 3, 1) has shape (1000, 1, 1) and result[i] = W @ X3[i]."""
    rng = np.random.default_rng(0)
    W, X3 = rng.uniform(-1.0, 1.0, (1, 3)), rng.uniform(-2.0, 2.0, (1000, 3, 1))
    result = expect_float64(student.per_sample_matvec(W, X3), (1000, 1, 1), "per_sample_matvec(W, X3)")
    for i in (0, 1, 500, 999):
        expect_close(result[i], W @ X3[i], f"per_sample_matvec(W, X3)[{i}]")


@points(1)
@hint("images.reshape(m, -1) keeps one image per row and the pixels in C order; order='F', .T on a "
      "4-D array, or reshape(-1, m).T scramble them.")
def test_flatten_images_on_hand_example(student):
    """flatten_images(np.arange(24.0).reshape(2, 2, 3, 2)) has rows 0..11 and 12..23."""
    result = expect_float64(student.flatten_images(np.arange(24.0).reshape(2, 2, 3, 2)), (2, 12),
                            "flatten_images(images)")
    expect_close(result, np.arange(24.0).reshape(2, 12), "flatten_images(images)")
