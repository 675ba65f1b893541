"""Backpropagation: layers with forward and backward passes, and a two-layer network.

Conventions used by every function in this file:

- Data is row-major: one sample per row. N is the number of samples.
- Everything is float64 numpy. Functions return new arrays and never modify
  their arguments (not x, not dout, not a cache, not params).
- A layer is a pair of functions:
      out, cache = layer_forward(inputs...)
      gradients  = layer_backward(dout, cache)
  dout is the upstream gradient dL/dout, with the shape of out. A backward pass
  returns dL/d(input) for every input, each with the shape of that input.
- A cache is a tuple of numpy arrays (and plain numbers): whatever your backward
  pass needs, built by your own forward pass. The grader hands the cache your
  forward returned straight to your backward, so keep it plain data: no
  functions, objects or classes in it.
- Backward passes compute vector-Jacobian products: dx = dout^T (d out / d x).
  They are checked against centered differences of sum(forward(x) * dout).
"""
import numpy as np


def affine_forward(x, w, b):
    r"""Forward pass of a fully connected (affine) layer.

    Each sample x[i] may have any shape (d_1, ..., d_k); it is flattened to a row
    of D = d_1 * ... * d_k numbers in C order (row-major, numpy's default:
    x.reshape(N, -1), not order="F"). Then, with b added to every row,

    .. math::

        \text{out} = x_{\text{flat}}\, w + b

    Args:
        x: (N, d_1, ..., d_k) inputs, k >= 1.
        w: (D, M) weights.
        b: (M,) biases.

    Returns:
        (out, cache): out has shape (N, M); cache is a tuple of arrays for
        affine_backward (for example (x, w, b)).
    """
    raise NotImplementedError("affine_forward")


def affine_backward(dout, cache):
    r"""Backward pass of the affine layer.

    .. math::

        dx_{\text{flat}} = \text{dout}\, w^\top

        dw = x_{\text{flat}}^\top\, \text{dout}

        db_j = \sum_{i=1}^{N} \text{dout}_{ij}

    dx_flat is (N, D), reshaped to x's shape; dw is (D, M); db, the sum of dout
    over the samples (axis 0), is (M,).

    Args:
        dout: (N, M) upstream gradient.
        cache: the cache returned by your affine_forward.

    Returns:
        (dx, dw, db): dx has the shape of x, (N, d_1, ..., d_k); dw (D, M); db (M,).
    """
    raise NotImplementedError("affine_backward")


def relu_forward(x):
    """Forward pass of a layer of rectified linear units: out = max(0, x), element-wise.

    Args:
        x: an array of any shape.

    Returns:
        (out, cache): out has the shape of x; cache is a tuple of arrays for relu_backward.
    """
    raise NotImplementedError("relu_forward")


def relu_backward(dout, cache):
    r"""Backward pass of the ReLU layer, element-wise.

    .. math::

        dx = \begin{cases} \text{dout} & \text{where } x > 0 \\
                            0 & \text{where } x \le 0 \end{cases}

    This project takes ReLU's derivative at exactly 0 to be 0.

    Args:
        dout: upstream gradient, with the shape of x.
        cache: the cache returned by your relu_forward.

    Returns:
        dx, with the shape of x.
    """
    raise NotImplementedError("relu_backward")


def sigmoid_forward(x):
    """Forward pass of a sigmoid layer: out = 1 / (1 + exp(-x)), element-wise.

    Args:
        x: an array of any shape.

    Returns:
        (out, cache): out has the shape of x; cache is a tuple of arrays for
        sigmoid_backward.
    """
    raise NotImplementedError("sigmoid_forward")


def sigmoid_backward(dout, cache):
    r"""Backward pass of the sigmoid layer, element-wise.

    .. math::

        dx = \text{dout} \cdot s \, (1 - s), \qquad s = \sigma(x) = \frac{1}{1 + e^{-x}}

    s is the layer's output.

    Args:
        dout: upstream gradient, with the shape of x.
        cache: the cache returned by your sigmoid_forward.

    Returns:
        dx, with the shape of x.
    """
    raise NotImplementedError("sigmoid_backward")


def softmax_cross_entropy(scores, y):
    r"""Softmax cross-entropy loss, averaged over the samples, and its gradient.

    .. math::

        P_{ij} = \frac{e^{\text{scores}_{ij}}}{\sum_{k=1}^{C} e^{\text{scores}_{ik}}}

        \text{loss} = -\frac{1}{N} \sum_{i=1}^{N} \log P_{i y_i}

        \text{dscores} = \frac{1}{N} (P - Y)

    Y is the (N, C) one-hot matrix of y, and y_i is y[i].

    Must stay finite, and raise no numpy warning, for scores of magnitude up to 1e4
    (a correct class up to 2e4 below its row's best): subtract each row's maximum
    before exponentiating and take log-probabilities by log-sum-exp, never the log of a
    probability (it rounds to 0); neither changes anything mathematically.

    Args:
        scores: (N, C) class scores, one row per sample.
        y: (N,) integer labels in [0, C).

    Returns:
        (loss, dscores): loss is a single float; dscores has shape (N, C).
    """
    raise NotImplementedError("softmax_cross_entropy")


def two_layer_net(params, X, y=None, reg=0.0):
    r"""A two-layer network: affine - ReLU - affine - softmax cross-entropy.

    .. math::

        \text{hidden} = \max(0,\ X W_1 + b_1)

        \text{scores} = \text{hidden}\, W_2 + b_2

        \text{loss} = L_{\text{data}}
                      + \text{reg} \left( \sum_{k,l} (W_1)_{kl}^2 + \sum_{k,l} (W_2)_{kl}^2 \right)

    W_1, b_1, W_2, b_2 are params["W1"], params["b1"], params["W2"], params["b2"];
    hidden is (N, H) and scores (N, C); L_data is softmax_cross_entropy(scores, y);
    the max is element-wise and the biases are added to every row.
    The biases are not regularized. Note there is no 1/2 in the penalty, so its
    gradient is 2 * reg * W.

    Args:
        params: dict with "W1" (D, H), "b1" (H,), "W2" (H, C), "b2" (C,).
            Must not be modified.
        X: (N, D) inputs, one sample per row.
        y: (N,) integer labels in [0, C), or None.
        reg: float >= 0, the L2 regularization strength.

    Returns:
        If y is None: scores, an (N, C) array (no softmax applied).
        Otherwise (loss, grads): loss is a float, grads a dict with the same keys
        as params, grads[k] the gradient of loss with respect to params[k], with
        the shape of params[k].
    """
    raise NotImplementedError("two_layer_net")
