# Alice: a complete, correct solution.
import numpy as np


def affine_forward(x, w, b):
    flat = x.reshape(len(x), -1)
    return flat.dot(w) + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    flat = x.reshape(len(x), -1)
    dx = dout.dot(w.T).reshape(x.shape)
    return dx, flat.T.dot(dout), dout.sum(axis=0)


def relu_forward(x):
    return np.where(x > 0, x, 0.0), (x,)


def relu_backward(dout, cache):
    x = cache[0]
    return np.where(x > 0, dout, 0.0)


def sigmoid_forward(x):
    out = np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x), without overflow
    return out, (out,)


def sigmoid_backward(dout, cache):
    out = cache[0]
    return dout * out * (1.0 - out)


def softmax_cross_entropy(scores, y):
    n = scores.shape[0]
    z = scores - scores.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].sum() / n
    grad = np.exp(log_probs)
    grad[np.arange(n), y] -= 1.0
    return float(loss), grad / n


def two_layer_net(params, X, y=None, reg=0.0):
    z1, c1 = affine_forward(X, params["W1"], params["b1"])
    a1, c_relu = relu_forward(z1)
    scores, c2 = affine_forward(a1, params["W2"], params["b2"])
    if y is None:
        return scores
    loss, dscores = softmax_cross_entropy(scores, y)
    loss += reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    da1, dW2, db2 = affine_backward(dscores, c2)
    _, dW1, db1 = affine_backward(relu_backward(da1, c_relu), c1)
    grads = {"W1": dW1 + 2 * reg * params["W1"], "b1": db1,
             "W2": dW2 + 2 * reg * params["W2"], "b2": db2}
    return loss, grads
