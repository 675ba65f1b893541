# Carol follows the slides literally: exp of the raw scores, the log of a probability,
# and sums over the samples instead of averaging in the SVM.
import numpy as np


def svm_loss(W, b, X, y, reg, delta=1.0):
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    db = np.zeros(C)
    for i in range(N):
        s = X[i] @ W + b
        for j in range(C):
            if j != y[i] and s[j] - s[y[i]] + delta > 0:
                loss += s[j] - s[y[i]] + delta
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
                db[j] += 1
                db[y[i]] -= 1
    return loss + reg * np.sum(W ** 2), dW + 2 * reg * W, db


def softmax(S):
    e = np.exp(S)
    return e / e.sum(axis=1, keepdims=True)


def softmax_loss(W, b, X, y, reg):
    N = X.shape[0]
    P = softmax(X @ W + b)
    loss = float(-np.mean(np.log(P[np.arange(N), y])) + reg * np.sum(W ** 2))
    dS = P.copy()
    dS[np.arange(N), y] -= 1
    dS /= N
    return loss, X.T @ dS + 2 * reg * W, dS.sum(axis=0)
