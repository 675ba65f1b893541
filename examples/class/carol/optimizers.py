# Carol follows the course notes literally: Adam's second moment is updated from m
# (the notes' typo) and epsilon sits inside the square root, in Adam and RMSprop
# (which the notes call Adadelta). The rest is right.
import numpy as np


def sgd(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-2)
    return w - lr * dw, config


def sgd_momentum(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    v = mu * config.setdefault("velocity", np.zeros_like(w)) - lr * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-2)
    rho = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = rho * config.setdefault("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    config["cache"] = cache
    return w - lr * dw / np.sqrt(cache + eps), config


def adagrad(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-2)
    eps = config.setdefault("epsilon", 1e-8)
    cache = config.setdefault("cache", np.zeros_like(w)) + dw ** 2
    config["cache"] = cache
    return w - lr * dw / (np.sqrt(cache) + eps), config


def adam(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-3)
    b1 = config.setdefault("beta1", 0.9)
    b2 = config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m = config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    t = config.setdefault("t", 0) + 1
    v = b2 * m + (1 - b2) * dw ** 2
    m = b1 * m + (1 - b1) * dw
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    config.update(m=m, v=v, t=t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), config


def ema_momentum(w, dw, config=None):
    config = config or {}
    lr = config.setdefault("learning_rate", 1e-2)
    gamma = config.setdefault("gamma", 0.9)
    M = gamma * config.setdefault("M", np.zeros_like(w)) + (1 - gamma) * dw
    config["M"] = M
    return w - lr * M, config
