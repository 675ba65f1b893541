# Frank's gradient descent loops until the cost stops changing, which never happens
# with his update, so it never returns. The rest is right.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = X.shape[0]
    r = X @ w + b - y
    return float(r @ r / (2 * m) + lam / (2 * m) * w @ w)


def linear_gradient(X, y, w, b, lam):
    m = X.shape[0]
    r = X @ w + b - y
    return X.T @ r / m + lam / m * w, float(r.mean())


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def logistic_cost(X, y, w, b, lam):
    m = X.shape[0]
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z) + lam / (2 * m) * w @ w)


def logistic_gradient(X, y, w, b, lam):
    m = X.shape[0]
    r = sigmoid(X @ w + b) - y
    return X.T @ r / m + lam / m * w, float(r.mean())


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    w, b = w0.copy(), b0
    history = []
    previous = np.inf
    while True:
        dw, db = gradient_fn(X, y, w, b, lam)
        w = w + alpha * dw
        b = b + alpha * db
        cost = cost_fn(X, y, w, b, lam)
        history.append(cost)
        if abs(previous - cost) < 1e-12:
            return w, b, history[:num_iters]
        previous = cost
