# Bob regularizes the bias along with W and differentiates reg * sum(W**2) as reg * W.
import numpy as np


def svm_loss(W, b, X, y, reg, delta=1.0):
    N = X.shape[0]
    s = X.dot(W) + b
    m = np.maximum(0, s - s[np.arange(N), y][:, None] + delta)
    m[np.arange(N), y] = 0
    loss = m.sum() / N + reg * (np.sum(W * W) + np.sum(b * b))
    g = (m > 0).astype(float)
    g[np.arange(N), y] = -g.sum(axis=1)
    g /= N
    return loss, X.T.dot(g) + reg * W, g.sum(axis=0) + reg * b


def softmax(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_loss(W, b, X, y, reg):
    N = X.shape[0]
    p = softmax(X.dot(W) + b)
    loss = -np.log(np.maximum(p[np.arange(N), y], 1e-300)).mean() + reg * (np.sum(W * W) + np.sum(b * b))
    p[np.arange(N), y] -= 1
    p /= N
    return loss, X.T.dot(p) + reg * W, p.sum(axis=0) + reg * b
