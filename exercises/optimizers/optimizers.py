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
- In the formulas, squares, square roots and divisions are element-wise, a left
  arrow updates a state entry of config, and the Greek letters are the
  hyperparameters named under each formula (eta is learning_rate).
"""
import numpy as np


def sgd(w, dw, config=None):
    r"""Vanilla stochastic gradient descent.

    .. math::

        \mathrm{next\_w} = w - \eta\, dw

    eta is learning_rate.

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
    r"""SGD with momentum.

    .. math::

        v \leftarrow \mu v - \eta\, dw

        \mathrm{next\_w} = w + v

    mu is momentum, eta learning_rate, and v is config["velocity"]. The velocity
    v points downhill and is added to w.

    config keys (default):
        learning_rate (1e-2)
        momentum (0.9)
        velocity (zeros with the shape of w): state, store the new v here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("sgd_momentum")


def rmsprop(w, dw, config=None):
    r"""RMSProp: a moving average of squared gradients scales each coordinate's step.

    .. math::

        \text{cache} \leftarrow \rho\, \text{cache} + (1 - \rho)\, dw^2

        \mathrm{next\_w} = w - \eta\, \frac{dw}{\sqrt{\text{cache}} + \epsilon}

    rho is decay_rate and eta learning_rate.

    config keys (default):
        learning_rate (1e-2)
        decay_rate (0.99)
        epsilon (1e-8)
        cache (zeros with the shape of w): state, store the new cache here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("rmsprop")


def adagrad(w, dw, config=None):
    r"""Adagrad: the sum of all squared gradients so far scales each coordinate's step.

    .. math::

        \text{cache} \leftarrow \text{cache} + dw^2

        \mathrm{next\_w} = w - \eta\, \frac{dw}{\sqrt{\text{cache}} + \epsilon}

    eta is learning_rate. The cache only ever grows.

    config keys (default):
        learning_rate (1e-2)
        epsilon (1e-8)
        cache (zeros with the shape of w): state, store the new cache here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("adagrad")


def adam(w, dw, config=None):
    r"""Adam: moving averages of the gradient and its square, with bias correction.

    .. math::

        t \leftarrow t + 1

        m \leftarrow \beta_1 m + (1 - \beta_1)\, dw

        v \leftarrow \beta_2 v + (1 - \beta_2)\, dw^2

        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}

        \mathrm{next\_w} = w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    In this order: t is incremented first, so the first step uses t = 1, and v is
    updated from the previous v, not from m. beta_1 is beta1, beta_2 beta2 and eta
    learning_rate.

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
    r"""Momentum in moving-average form: step along an exponential average of gradients.

    .. math::

        M \leftarrow \gamma M + (1 - \gamma)\, dw

        \mathrm{next\_w} = w - \eta\, M

    eta is learning_rate. No bias correction. For example, with gamma = 0.1 and
    gradients 1, 1, 1 from
    M = 0, M takes the values 0.9, 0.99, 0.999.

    config keys (default):
        learning_rate (1e-2)
        gamma (0.9)
        M (zeros with the shape of w): state, store the new M here.

    Args and Returns: as for sgd.
    """
    raise NotImplementedError("ema_momentum")
