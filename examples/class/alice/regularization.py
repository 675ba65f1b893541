# Alice: a complete, correct solution.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = len(y)
    residuals = X @ w + b - y
    return float(np.dot(residuals, residuals) / (2 * m) + lam * np.dot(w, w) / (2 * m))


def linear_gradient(X, y, w, b, lam):
    m = len(y)
    residuals = X @ w + b - y
    return X.T @ residuals / m + lam * w / m, float(np.mean(residuals))


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + small), small / (1 + small))


def logistic_cost(X, y, w, b, lam):
    m = len(y)
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z) + lam * np.dot(w, w) / (2 * m))


def logistic_gradient(X, y, w, b, lam):
    m = len(y)
    errors = sigmoid(X @ w + b) - y
    return X.T @ errors / m + lam * w / m, float(np.mean(errors))


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w, b = np.array(w0, dtype=float), float(b0)
    history = []
    for _ in range(num_iters):
        dw, db = gradient_fn(X, y, w, b, lam)
        w, b = w - alpha * dw, b - alpha * db
        history.append(cost_fn(X, y, w, b, lam))
    return w, b, history
