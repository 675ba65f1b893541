"""Optimizers: update rules for gradient-based training.

Conventions used by every function in this file:

- Every update rule has the signature

      next_w, config = update(w, dw, config=None)

  w holds the current parameters and dw the gradient of the loss at w. Both are
  float64 arrays of the same shape, which can be anything: (n,), (n, k), ...
  Every operation is element-wise: each coordinate of w is updated on its own.
- config is a dict holding the hyperparameters and the optimizer's state, or None.
  Start with `if config is None: config = {}`, then give every missing key its
  default with config.setdefault(key, default). A key the caller supplied keeps
  the caller's value.
- State (velocity, cache, m, v, t, M) starts at its default (arrays of zeros with
  the shape of w, t = 0). After computing the update, store the new state back in
  config under exactly the key names below, and return config. The caller hands
  the returned config to the next call: that is the only memory between steps.
- Do not modify w or dw in place: return next_w as a new array (write
  next_w = w - ..., never w -= ...). Updating config is expected.
- Use numpy; everything is float64. eps is added OUTSIDE the square root.
"""
import numpy as np


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent.

        next_w = w - learning_rate * dw

    config keys (default):
        learning_rate (1e-2)

    Args:
        w: array of any shape, the current parameters (not modified).
        dw: array with the shape of w, the gradient at w (not modified).
        config: dict or None.

    Returns:
        (next_w, config): next_w has the shape of w.
    """
    raise NotImplementedError("sgd")


def sgd_momentum(w, dw, config=None):
    """SGD with momentum.

        v = momentum * v - learning_rate * dw
        next_w = w + v

    The velocity v points downhill and is added to w.

    config keys (default):
        learning_rate (1e-2)
        momentum (0.9)
        velocity (zeros with the shape of w): state, store the new v here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("sgd_momentum")


def rmsprop(w, dw, config=None):
    """RMSProp: a moving average of squared gradients scales each coordinate's step.

        cache = decay_rate * cache + (1 - decay_rate) * dw**2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config keys (default):
        learning_rate (1e-2)
        decay_rate (0.99)
        epsilon (1e-8)
        cache (zeros with the shape of w): state, store the new cache here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("rmsprop")


def adagrad(w, dw, config=None):
    """Adagrad: the sum of all squared gradients so far scales each coordinate's step.

        cache = cache + dw**2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    The cache only ever grows.

    config keys (default):
        learning_rate (1e-2)
        epsilon (1e-8)
        cache (zeros with the shape of w): state, store the new cache here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("adagrad")


def adam(w, dw, config=None):
    """Adam: moving averages of the gradient and its square, with bias correction.

        t = t + 1                                  (first: the first step uses t = 1)
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2        (v from the previous v, not from m)
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    config keys (default):
        learning_rate (1e-3)
        beta1 (0.9)
        beta2 (0.999)
        epsilon (1e-8)
        m (zeros with the shape of w), v (zeros with the shape of w), t (0): state,
            store the new m, v and t here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("adam")


def ema_momentum(w, dw, config=None):
    """Momentum in moving-average form: step along an exponential average of gradients.

        M = gamma * M + (1 - gamma) * dw
        next_w = w - learning_rate * M

    No bias correction. For example, with gamma = 0.1 and gradients 1, 1, 1 from
    M = 0, M takes the values 0.9, 0.99, 0.999.

    config keys (default):
        learning_rate (1e-2)
        gamma (0.9)
        M (zeros with the shape of w): state, store the new M here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("ema_momentum")
