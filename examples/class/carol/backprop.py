# Carol's layers are right, but her softmax gradient is not divided by N and she
# differentiates reg * sum(W^2) as reg * W (a 1/2 she remembers from the notes).
import numpy as np


def affine_forward(x, w, b):
    out = np.dot(x.reshape(x.shape[0], -1), w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.dot(dout, w.T).reshape(x.shape)
    dw = np.dot(x.reshape(x.shape[0], -1).T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(x, 0), (x,)


def relu_backward(dout, cache):
    (x,) = cache
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx


def sigmoid_forward(x):
    out = 0.5 * (1 + np.tanh(x / 2))
    return out, (out,)


def sigmoid_backward(dout, cache):
    (out,) = cache
    return dout * out * (1 - out)


def softmax_cross_entropy(scores, y):
    N = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    dscores = probs
    dscores[np.arange(N), y] -= 1
    return loss, dscores


def two_layer_net(params, X, y=None, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h, cache1 = affine_forward(X, W1, b1)
    a, cache_relu = relu_forward(h)
    scores, cache2 = affine_forward(a, W2, b2)
    if y is None:
        return scores
    loss, dscores = softmax_cross_entropy(scores, y)
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    da, dW2, db2 = affine_backward(dscores, cache2)
    _, dW1, db1 = affine_backward(relu_backward(da, cache_relu), cache1)
    return loss, {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2 + reg * W2, "b2": db2}
