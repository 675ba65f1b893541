"""Every function sleeps just under the per-call limit of the suite's sleeper limits (1 s), then
answers, so no call times out and every test costs the grader most of a second."""
import time

import numpy as np


def _slow(value):
    time.sleep(0.9)
    return value


def sigmoid(z):
    return _slow(np.zeros_like(z))


def linear_cost(X, y, w, b, lam):
    return _slow(0.0)


def linear_gradient(X, y, w, b, lam):
    return _slow((np.zeros_like(w), 0.0))


def logistic_cost(X, y, w, b, lam):
    return _slow(0.0)


def logistic_gradient(X, y, w, b, lam):
    return _slow((np.zeros_like(w), 0.0))


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    return _slow((w0, b0, [0.0] * num_iters))


def add_bias_column(X):
    return _slow(X)


def predict(X, w, b):
    return _slow(np.zeros(len(X)))


def mse_cost(X, y, w, b):
    return _slow(0.0)
