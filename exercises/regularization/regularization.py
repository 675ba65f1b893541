"""Regularized gradients for linear and logistic regression.

Conventions used by every function in this file:

- X has shape (m, n): one sample per row, m samples, n features. In the formulas,
  x_i is sample i (the row X[i]) and x_i^T w its dot product with w.
- y has shape (m,). For logistic regression its entries are 0 or 1.
- w has shape (n,); b is a float, the bias. The bias is never regularized.
- lam >= 0 is the regularization strength (lambda in the formulas), scaled by
  1/(2m) in the cost.
- Functions return new values and never modify their arguments.
- Use numpy; everything is float64.
"""
import numpy as np


def linear_cost(X, y, w, b, lam):
    r"""Regularized squared-error cost of linear regression.

    .. math::

        J(w, b) = \frac{1}{2m} \sum_{i=1}^{m} (x_i^\top w + b - y_i)^2
                  + \frac{\lambda}{2m} \sum_{j=1}^{n} w_j^2

    Args:
        X: (m, n) samples, one per row.
        y: (m,) targets.
        w: (n,) weights.
        b: float, the bias (not regularized).
        lam: float >= 0, regularization strength.

    Returns:
        The cost as a single float (not an array).
    """
    raise NotImplementedError("linear_cost")


def linear_gradient(X, y, w, b, lam):
    r"""Gradient of linear_cost with respect to w and b.

    .. math::

        \frac{\partial J}{\partial w} = \frac{1}{m} X^\top (Xw + b - y) + \frac{\lambda}{m} w

        \frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} (x_i^\top w + b - y_i)

    Args: as for linear_cost.

    Returns:
        (dw, db): dw has shape (n,), db is a float.
    """
    raise NotImplementedError("linear_gradient")


def sigmoid(z):
    r"""The logistic function sigma(z) = 1 / (1 + exp(-z)), element-wise.

    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}}

    Must not overflow, warn or return nan for any |z| up to 1e4: np.exp(-z)
    overflows for z < -709, so compute it in a form that only ever
    exponentiates non-positive numbers.

    Args:
        z: a float or an array of any shape.

    Returns:
        sigma(z), with the shape of z.
    """
    raise NotImplementedError("sigmoid")


def logistic_cost(X, y, w, b, lam):
    r"""Regularized cross-entropy cost of logistic regression.

    .. math::

        f_i = \sigma(x_i^\top w + b)

        J(w, b) = -\frac{1}{m} \sum_{i=1}^{m} \left[ y_i \log f_i + (1 - y_i) \log(1 - f_i) \right]
                  + \frac{\lambda}{2m} \sum_{j=1}^{n} w_j^2

    Must stay finite, and raise no numpy warning, when the data are separable and
    the weights large, for any |x_i . w + b| up to 1e4 (f_i rounds to exactly 0 or
    1 there, log(0) is -inf, and np.exp(z) overflows above 709).

    Args: as for linear_cost, with y in {0, 1}.

    Returns:
        The cost as a single float.
    """
    raise NotImplementedError("logistic_cost")


def logistic_gradient(X, y, w, b, lam):
    r"""Gradient of logistic_cost with respect to w and b.

    .. math::

        \frac{\partial J}{\partial w} = \frac{1}{m} X^\top (f - y) + \frac{\lambda}{m} w,
        \qquad f = \sigma(Xw + b)

        \frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} (f_i - y_i)

    Returns:
        (dw, db): dw has shape (n,), db is a float.
    """
    raise NotImplementedError("logistic_gradient")


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    """Batch gradient descent.

    Repeat num_iters times:
        dw, db = gradient_fn(X, y, w, b, lam)
        w = w - alpha * dw
        b = b - alpha * db
        record cost_fn(X, y, w, b, lam)

    Args:
        X, y, lam: as for linear_cost.
        w0: (n,) initial weights; must not be modified.
        b0: float, initial bias.
        alpha: float, the learning rate.
        num_iters: int, number of updates.
        cost_fn, gradient_fn: functions with the signatures of linear_cost and
            linear_gradient (or their logistic versions).

    Returns:
        (w, b, history): the final w (n,) and b (float), and history, a list of
        num_iters floats where history[i] is the cost after update i.
    """
    raise NotImplementedError("gradient_descent")
