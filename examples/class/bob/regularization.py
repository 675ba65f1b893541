# Bob folds the bias into the penalty and forgets that the penalty's 1/2 cancels.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = X.shape[0]
    err = X.dot(w) + b - y
    reg = lam / (2 * m) * (np.sum(w ** 2) + b ** 2)
    return float(np.sum(err ** 2) / (2 * m) + reg)


def linear_gradient(X, y, w, b, lam):
    m = X.shape[0]
    err = X.dot(w) + b - y
    dw = X.T.dot(err) / m + lam / (2 * m) * w
    db = np.sum(err) / m + lam / m * b
    return dw, float(db)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def logistic_cost(X, y, w, b, lam):
    m = X.shape[0]
    z = X.dot(w) + b
    reg = lam / (2 * m) * (np.sum(w ** 2) + b ** 2)
    return float(np.mean(np.logaddexp(0, z) - y * z) + reg)


def logistic_gradient(X, y, w, b, lam):
    m = X.shape[0]
    err = sigmoid(X.dot(w) + b) - y
    return X.T.dot(err) / m + lam / (2 * m) * w, float(np.sum(err) / m + lam / m * b)


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w, b, history = w0.copy(), b0, []
    for _ in range(num_iters):
        dw, db = gradient_fn(X, y, w, b, lam)
        w = w - alpha * dw
        b = b - alpha * db
        history.append(cost_fn(X, y, w, b, lam))
    return w, b, history
