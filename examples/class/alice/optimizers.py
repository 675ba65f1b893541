# Alice: a complete, correct solution.
import numpy as np

DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0},
    "ema_momentum": {"learning_rate": 1e-2, "gamma": 0.9},
}


def _setup(name, w, config, *state):
    config = config if config is not None else {}
    for key, value in DEFAULTS[name].items():
        config.setdefault(key, value)
    for key in state:
        config.setdefault(key, np.zeros(w.shape))
    return config


def sgd(w, dw, config=None):
    config = _setup("sgd", w, config)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    config = _setup("sgd_momentum", w, config, "velocity")
    config["velocity"] = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    return w + config["velocity"], config


def _scaled_step(config, dw):
    return config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])


def rmsprop(w, dw, config=None):
    config = _setup("rmsprop", w, config, "cache")
    rho = config["decay_rate"]
    config["cache"] = rho * config["cache"] + (1 - rho) * np.square(dw)
    return w - _scaled_step(config, dw), config


def adagrad(w, dw, config=None):
    config = _setup("adagrad", w, config, "cache")
    config["cache"] = config["cache"] + np.square(dw)
    return w - _scaled_step(config, dw), config


def adam(w, dw, config=None):
    config = _setup("adam", w, config, "m", "v")
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] = config["t"] + 1
    m = config["m"] = b1 * config["m"] + (1 - b1) * dw
    v = config["v"] = b2 * config["v"] + (1 - b2) * np.square(dw)
    step = config["learning_rate"] * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + config["epsilon"])
    return w - step, config


def ema_momentum(w, dw, config=None):
    config = _setup("ema_momentum", w, config, "M")
    g = config["gamma"]
    config["M"] = g * config["M"] + (1 - g) * dw
    return w - config["learning_rate"] * config["M"], config
