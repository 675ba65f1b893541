# Carol writes the penalty as lam/m and returns costs as 1-element arrays.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = X.shape[0]
    pred = (X @ w + b).reshape(-1, 1)
    diff = pred - y.reshape(-1, 1)
    return (diff.T @ diff).ravel() / (2 * m) + lam / m * np.sum(w * w)


def linear_gradient(X, y, w, b, lam):
    m = X.shape[0]
    diff = X @ w + b - y
    return (X.T @ diff) / m + 2 * lam / m * w, diff.sum() / m


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    out[~pos] = np.exp(z[~pos]) / (1 + np.exp(z[~pos]))
    return out


def logistic_cost(X, y, w, b, lam):
    m = X.shape[0]
    z = X @ w + b
    return np.array([np.mean(np.logaddexp(0, z) - y * z) + lam / m * np.sum(w * w)])


def logistic_gradient(X, y, w, b, lam):
    m = X.shape[0]
    diff = sigmoid(X @ w + b) - y
    return (X.T @ diff) / m + 2 * lam / m * w, diff.sum() / m


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w = np.copy(w0)
    b = b0
    history = []
    for i in range(num_iters):
        dw, db = gradient_fn(X, y, w, b, lam)
        w = w - alpha * dw
        b = b - alpha * db
        history.append(float(np.squeeze(cost_fn(X, y, w, b, lam))))
    return w, b, history
