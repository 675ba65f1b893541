# Grace keeps the slides' one-sample-per-column habit: her softmax normalizes each
# column, and her SVM gradient comes out as (C, D).
import numpy as np


def svm_loss(W, b, X, y, reg, delta=1.0):
    N = X.shape[0]
    S = X @ W + b
    margins = np.maximum(0, S - S[np.arange(N), y][:, None] + delta)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    G = (margins > 0) * 1.0
    G[np.arange(N), y] = -G.sum(axis=1)
    G /= N
    return loss, G.T @ X + 2 * reg * W.T, G.sum(axis=0)


def softmax(S):
    E = np.exp(S - S.max(axis=0))
    return E / E.sum(axis=0)


def softmax_loss(W, b, X, y, reg):
    N = X.shape[0]
    P = softmax(X @ W + b)
    loss = -np.log(P[np.arange(N), y]).mean() + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    P /= N
    return float(loss), X.T @ P + 2 * reg * W, P.sum(axis=0)
