# Heidi fills in the defaults only when config is None, so a partial config
# raises KeyError, and writes the moving average without its 1 - gamma.
import numpy as np


def sgd(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-2}
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-2, "momentum": 0.9}
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}
    cache = config.get("cache", np.zeros_like(w))
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adagrad(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-2, "epsilon": 1e-8}
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    t = config.get("t", 0) + 1
    m = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    config.update(m=m, v=v, t=t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def ema_momentum(w, dw, config=None):
    if config is None:
        config = {"learning_rate": 1e-2, "gamma": 0.9}
    M = config["gamma"] * config.get("M", np.zeros_like(w)) + dw
    config["M"] = M
    return w - config["learning_rate"] * M, config
