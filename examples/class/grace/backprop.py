# Grace follows the chapter where ReLU'(0) = 1 and shifts the scores in place
# (the caller's array changes).
import numpy as np


def affine_forward(x, w, b):
    N = x.shape[0]
    out = x.reshape(N, -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(N, -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), (x,)


def relu_backward(dout, cache):
    (x,) = cache
    return dout * (x >= 0)


def sigmoid_forward(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s, (s,)


def sigmoid_backward(dout, cache):
    (s,) = cache
    return dout * s * (1.0 - s)


def softmax_cross_entropy(scores, y):
    N = scores.shape[0]
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    return loss, dscores / N


def two_layer_net(params, X, y=None, reg=0.0):
    h, c1 = affine_forward(X, params["W1"], params["b1"])
    a, cr = relu_forward(h)
    scores, c2 = affine_forward(a, params["W2"], params["b2"])
    if y is None:
        return scores
    loss, dscores = softmax_cross_entropy(scores, y)
    loss += reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    da, dW2, db2 = affine_backward(dscores, c2)
    _, dW1, db1 = affine_backward(relu_backward(da, cr), c1)
    return loss, {"W1": dW1 + 2 * reg * params["W1"], "b1": db1,
                  "W2": dW2 + 2 * reg * params["W2"], "b2": db2}
