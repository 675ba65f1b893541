"""Sends the grader thousands of callback requests and never reads an answer, so the
grader's answers fill the pipe to the worker; a grader whose writes have no deadline
blocks forever. The requests name a function the grader does not have, which the limit
on calls to grader functions does not count."""
import gc

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def gradient_descent(X, y, w0, b0, alpha, num_iters, lam, cost_fn, gradient_fn):
    import wire  # the worker's own module

    channel = next(o for o in gc.get_objects() if type(o).__name__ == "Channel")
    for _ in range(200_000):
        wire.write_frame(channel.reply_fd, {"op": "callback", "callback": 999,
                                            "args": [X, y, w0, b0, lam], "kwargs": {}})
    return w0, b0, []
