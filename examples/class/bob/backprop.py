# Bob writes the weight gradient as dout.T @ x (the transpose of dw) and forgets
# to reshape dx back to x's shape. His network therefore crashes on its update.
import numpy as np


def affine_forward(x, w, b):
    x2 = x.reshape(x.shape[0], -1)
    return x2 @ w + b, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    x2 = x.reshape(x.shape[0], -1)
    dx = dout @ w.T
    dw = dout.T @ x2
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), (x,)


def relu_backward(dout, cache):
    x, = cache
    return dout * (x > 0)


def sigmoid_forward(x):
    s = 1 / (1 + np.exp(-x))
    return s, (s,)


def sigmoid_backward(dout, cache):
    s, = cache
    return dout * s * (1 - s)


def softmax_cross_entropy(scores, y):
    N = len(y)
    scores = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(p[range(N), y]).mean()
    p[range(N), y] -= 1
    return loss, p / N


def two_layer_net(params, X, y=None, reg=0.0):
    h, c1 = affine_forward(X, params["W1"], params["b1"])
    a, cr = relu_forward(h)
    scores, c2 = affine_forward(a, params["W2"], params["b2"])
    if y is None:
        return scores
    loss, ds = softmax_cross_entropy(scores, y)
    loss += reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    da, dW2, db2 = affine_backward(ds, c2)
    _, dW1, db1 = affine_backward(relu_backward(da, cr), c1)
    return loss, {"W1": dW1 + 2 * reg * params["W1"], "b1": db1,
                  "W2": dW2 + 2 * reg * params["W2"], "b2": db2}
