"""Linear classifiers: multiclass hinge (SVM) and softmax losses.

Conventions used by every function in this file:

- X has shape (N, D): one sample per row, N samples, D features.
- W has shape (D, C) and b has shape (C,): C classes. The scores are
  S = X @ W + b, shape (N, C): row i holds sample i's score for each class.
  (Some course slides write z = Wx + b with one sample per column; here every
  sample is a row, so W is (D, C) and the product is X @ W.)
- y has shape (N,): integer labels in [0, C). y[i] is the correct class of sample i.
  In the formulas, S_ij is S[i, j] and y_i is y[i].
- reg >= 0 is the regularization strength. Each loss is the MEAN of the
  per-sample losses over the N samples plus reg * sum(W**2) (no 1/2, and the
  bias b is not regularized).
- Gradients have the shapes of what they differentiate: dW is (D, C), db is (C,).
- Functions return new values and never modify their arguments.
- Use numpy; everything is float64.
"""
import numpy as np


def svm_loss(W, b, X, y, reg, delta=1.0):
    r"""Multiclass hinge (SVM) loss and its gradient.

    .. math::

        S = XW + b

        L_i = \sum_{j \ne y_i} \max(0,\ S_{ij} - S_{i y_i} + \delta)

        \text{loss} = \frac{1}{N} \sum_{i=1}^{N} L_i + \text{reg} \sum_{k,l} W_{kl}^2

    The correct class's own term is left out of the sum. delta is the margin:
    delta = 1 is the usual hinge, delta = 0 the perceptron-style loss.

    Gradient: let dS = dloss/dS, shape (N, C). For j != y[i], dS[i, j] = 1/N when
    the margin S[i, j] - S[i, y[i]] + delta is > 0 and 0 otherwise (at exactly 0,
    use 0). The correct class's score appears in every term of L_i, so
    dS[i, y[i]] = -(number of positive margins in row i) / N. Then

    .. math::

        dW = X^\top dS + 2\, \text{reg}\, W

        db_j = \sum_{i=1}^{N} dS_{ij}

    Args:
        W: (D, C) weights.
        b: (C,) biases (not regularized).
        X: (N, D) samples, one per row.
        y: (N,) integer labels in [0, C).
        reg: float >= 0, regularization strength.
        delta: float >= 0, the margin.

    Returns:
        (loss, dW, db): loss a single float, dW of shape (D, C), db of shape (C,).
    """
    raise NotImplementedError("svm_loss")


def softmax(S):
    r"""Row-wise softmax of a score matrix.

    .. math::

        P_{ij} = \frac{e^{S_{ij}}}{\sum_{k=1}^{C} e^{S_{ik}}}

    Each row of P is one sample's probability distribution over the C classes,
    so every row sums to 1. Must stay finite (no nan, no overflow warning) for
    scores of magnitude up to 1e4: np.exp overflows above about 709. Adding the
    same constant to every score in a row does not change that row's softmax.

    Args:
        S: (N, C) scores.

    Returns:
        P: (N, C) probabilities.
    """
    raise NotImplementedError("softmax")


def softmax_loss(W, b, X, y, reg):
    r"""Softmax (cross-entropy) loss and its gradient.

    .. math::

        S = XW + b, \qquad P = \operatorname{softmax}(S)

        L_i = -\log P_{i y_i}

        \text{loss} = \frac{1}{N} \sum_{i=1}^{N} L_i + \text{reg} \sum_{k,l} W_{kl}^2

    Compute log P stably (log-sum-exp): for large scores P[i, y[i]] can round
    to 0, and log(0) = -inf. Must stay finite for scores of magnitude up to 1e4.

    Gradient: with Y the (N, C) one-hot matrix of y,

    .. math::

        dS = \frac{1}{N} (P - Y)

        dW = X^\top dS + 2\, \text{reg}\, W

        db_j = \sum_{i=1}^{N} dS_{ij}

    Args:
        W: (D, C) weights.
        b: (C,) biases (not regularized).
        X: (N, D) samples, one per row.
        y: (N,) integer labels in [0, C).
        reg: float >= 0, regularization strength.

    Returns:
        (loss, dW, db): loss a single float, dW of shape (D, C), db of shape (C,).
    """
    raise NotImplementedError("softmax_loss")
