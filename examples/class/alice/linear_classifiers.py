# Alice: a complete, correct solution (scores built per class, log-softmax via logaddexp).
import numpy as np


def svm_loss(W, b, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W + b
    idx = np.arange(N)
    diff = scores - scores[idx, y][:, np.newaxis] + delta
    diff[idx, y] = -np.inf  # never counted
    hinge = np.maximum(diff, 0.0)
    positive = (diff > 0).astype(float)
    coeff = positive.copy()
    coeff[idx, y] = -positive.sum(axis=1)
    coeff /= N
    loss = hinge.sum() / N + reg * (W ** 2).sum()
    return float(loss), X.T @ coeff + 2 * reg * W, coeff.sum(axis=0)


def softmax(S):
    S = np.asarray(S, dtype=float)
    log_norm = np.logaddexp.reduce(S, axis=1)[:, np.newaxis]
    return np.exp(S - log_norm)


def softmax_loss(W, b, X, y, reg):
    N = X.shape[0]
    scores = X @ W + b
    log_p = scores - np.logaddexp.reduce(scores, axis=1)[:, np.newaxis]
    grad = np.exp(log_p)
    grad[np.arange(N), y] -= 1
    grad /= N
    loss = -log_p[np.arange(N), y].mean() + reg * (W ** 2).sum()
    return float(loss), X.T @ grad + 2 * reg * W, grad.sum(axis=0)
