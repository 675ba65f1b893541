"""Reference solution for the optimizers topic (hidden from students)."""
import numpy as np


def _defaults(config, w, state=(), **defaults):
    """config (a new dict if None) with every missing hyperparameter and state array set."""
    config = {} if config is None else config
    for key, value in defaults.items():
        config.setdefault(key, value)
    for key in state:
        if key not in config:
            config[key] = np.zeros_like(w, dtype=np.float64)
    return config


def sgd(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-2, momentum=0.9, state=("velocity",))
    v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8,
                       state=("cache",))
    decay = config["decay_rate"]
    cache = decay * config["cache"] + (1 - decay) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adagrad(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-2, epsilon=1e-8, state=("cache",))
    cache = config["cache"] + dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, t=0,
                       state=("m", "v"))
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = beta1 * config["m"] + (1 - beta1) * dw
    v = beta2 * config["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    config.update(m=m, v=v, t=t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def ema_momentum(w, dw, config=None):
    config = _defaults(config, w, learning_rate=1e-2, gamma=0.9, state=("M",))
    gamma = config["gamma"]
    M = gamma * config["M"] + (1 - gamma) * dw
    config["M"] = M
    return w - config["learning_rate"] * M, config
