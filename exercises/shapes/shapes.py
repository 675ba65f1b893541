"""Shape bookkeeping: bias columns, predictions, costs, one-hot labels, distances and reshapes.

Conventions used by every function in this file:

- Data is row-major: X has shape (m, n), one sample per row, m samples, n features.
  In the formulas, x_i is sample i (the row X[i]) and x_i^T w its dot product with w.
- A 1-D array of shape (m,) is not the same as a column of shape (m, 1): numpy
  broadcasts (m,) - (m, 1) to an (m, m) matrix without any error. Keep vectors 1-D
  unless a docstring asks for a column.
- Every function must work when any size is 1 (m = 1, n = 1, k = 1): np.squeeze
  removes every axis of size 1, including the ones you meant to keep.
- A "float" result is a single Python or numpy number, not an array of shape
  (1,) or (1, 1).
- Use numpy and broadcasting; everything is float64. Functions return new values
  and never modify their arguments.
"""
import numpy as np


def add_bias_column(X):
    """Prepend a column of ones to X, so that the bias can live in the weights.

        result[:, 0] = 1,   result[:, 1:] = X

    Args:
        X: (m, n) samples, one per row.

    Returns:
        (m, n + 1) float64 array whose column 0 is all ones.
    """
    raise NotImplementedError("add_bias_column")


def predict(X, w, b):
    r"""Predictions of a linear model, one per sample.

    .. math::

        f_i = x_i^\top w + b

    Args:
        X: (m, n) samples, one per row.
        w: (n,) weights (a 1-D vector, not a column).
        b: float, the bias.

    Returns:
        (m,) predictions: a 1-D array, also when m = 1 (shape (1,)).
    """
    raise NotImplementedError("predict")


def predict_multi(X, W, b):
    r"""Scores of k linear models at once, one row per sample.

    .. math::

        S_{ij} = \sum_{l=1}^{n} X_{il} W_{lj} + b_j

    In numpy, S = X @ W + b: b is added to every row.

    Args:
        X: (m, n) samples, one per row.
        W: (n, k) weights, one column per output.
        b: (k,) biases, one per output.

    Returns:
        (m, k) scores, also when m = 1 or k = 1 (shapes (1, k) and (m, 1)).
    """
    raise NotImplementedError("predict_multi")


def mse_cost(X, y, w, b):
    r"""Squared-error cost of a linear model.

    .. math::

        J(w, b) = \frac{1}{2m} \sum_{i=1}^{m} (x_i^\top w + b - y_i)^2

    y may arrive as (m,) or as a column (m, 1); the cost is the same number either
    way. Careful: predictions of shape (m,) minus y of shape (m, 1) broadcast to an
    (m, m) matrix, and its sum is a wrong number with no error.

    Args:
        X: (m, n) samples, one per row.
        y: (m,) or (m, 1) targets.
        w: (n,) weights.
        b: float, the bias.

    Returns:
        The cost as a single float (not an array of shape (1,) or (1, 1)).
    """
    raise NotImplementedError("mse_cost")


def one_hot(y, num_classes):
    """One-hot encoding of integer labels.

        result[i, c] = 1.0 if y[i] == c else 0.0

    Args:
        y: (m,) integer labels in [0, num_classes).
        num_classes: int, the number of classes. A batch may not contain every
            class, so the width comes from num_classes, not from the labels.

    Returns:
        (m, num_classes) float64 array of zeros and ones, one 1 per row.
    """
    raise NotImplementedError("one_hot")


def pairwise_sq_dists(A, B):
    r"""Squared Euclidean distance between every row of A and every row of B.

    .. math::

        D_{ij} = \lVert A_i - B_j \rVert^2 = \sum_{l=1}^{d} (A_{il} - B_{jl})^2

    No Python loop over the samples (the rows of A): broadcast, for example
    A[:, None, :] - B[None, :, :] has shape (m, k, d). If you use the expansion
    |a|^2 - 2 a.b + |b|^2, round-off can make it slightly negative when a is close
    to b: clip it at 0. The result is never negative.

    Args:
        A: (m, d) samples, one per row.
        B: (k, d) points (for example centroids), one per row.

    Returns:
        (m, k) squared distances; row i is sample A[i].
    """
    raise NotImplementedError("pairwise_sq_dists")


def per_sample_matvec(W, X3):
    """Multiply W by one column vector per sample.

        result[i] = W @ X3[i]      (a (k, n) matrix times an (n, 1) column: (k, 1))

    X3 holds m column vectors stacked along axis 0. Careful: np.dot(W, X3) on a 3-D
    X3 puts W's axis first, and .T on a 3-D array reverses all three axes.

    Args:
        W: (k, n) matrix.
        X3: (m, n, 1) stack of m column vectors.

    Returns:
        (m, k, 1) stack of m column vectors.
    """
    raise NotImplementedError("per_sample_matvec")


def flatten_images(images):
    """Flatten each image into one row, in C order.

        result[i] = images[i].ravel()    (channel fastest, then column, then row)

    Args:
        images: (m, H, W, C) stack of m images, height H, width W, C channels.

    Returns:
        (m, H*W*C) array; row i holds image i's pixels in C order.
    """
    raise NotImplementedError("flatten_images")
