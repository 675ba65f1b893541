# Grace keeps the caches in local variables and never stores them back in config,
# and increments Adam's t only after computing the bias corrections.
import numpy as np


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    return w - lr * dw, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    mu = config.get("momentum", 0.9)
    v = mu * config.get("velocity", np.zeros_like(w)) - lr * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    rho = config.get("decay_rate", 0.99)
    eps = config.get("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    cache = rho * cache + (1 - rho) * dw ** 2
    return w - lr * dw / (np.sqrt(cache) + eps), config


def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    eps = config.get("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    return w - lr * dw / (np.sqrt(cache) + eps), config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-3)
    b1, b2 = config.get("beta1", 0.9), config.get("beta2", 0.999)
    eps = config.get("epsilon", 1e-8)
    t = config.get("t", 0)
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    next_w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    config["m"], config["v"], config["t"] = m, v, t + 1
    return next_w, config


def ema_momentum(w, dw, config=None):
    if config is None:
        config = {}
    lr = config.get("learning_rate", 1e-2)
    gamma = config.get("gamma", 0.9)
    M = gamma * config.get("M", np.zeros_like(w)) + (1 - gamma) * dw
    config["M"] = M
    return w - lr * M, config
