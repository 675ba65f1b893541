# Dave's file does not parse: a missing closing parenthesis.
import numpy as np


def linear_cost(X, y, w, b, lam):
    m = X.shape[0]
    return (np.sum((X @ w + b - y) ** 2) / (2 * m) + lam / (2 * m) * np.sum(w ** 2)


def linear_gradient(X, y, w, b, lam):
    m = X.shape[0]
    r = X @ w + b - y
    return X.T @ r / m + lam / m * w, r.mean()
