# Grace writes the textbook formulas directly: the sigmoid overflows and the
# cross-entropy takes log(0) on separable data.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = X.shape[0]
    f = np.dot(X, w) + b
    return float(np.sum((f - y) ** 2) / (2 * m) + lam / (2 * m) * np.sum(w ** 2))


def linear_gradient(X, y, w, b, lam):
    m = X.shape[0]
    f = np.dot(X, w) + b
    return np.dot(X.T, f - y) / m + lam / m * w, float(np.sum(f - y) / m)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def logistic_cost(X, y, w, b, lam):
    m = X.shape[0]
    f = sigmoid(np.dot(X, w) + b)
    loss = -np.sum(y * np.log(f) + (1 - y) * np.log(1 - f)) / m
    return float(loss + lam / (2 * m) * np.sum(w ** 2))


def logistic_gradient(X, y, w, b, lam):
    m = X.shape[0]
    f = sigmoid(np.dot(X, w) + b)
    return np.dot(X.T, f - y) / m + lam / m * w, float(np.sum(f - y) / m)


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w = np.array(w0, dtype=float)
    b = b0
    history = []
    for i in range(num_iters):
        dw, db = gradient_fn(X, y, w, b, lam)
        w = w - alpha * dw
        b = b - alpha * db
        history.append(cost_fn(X, y, w, b, lam))
    return w, b, history
