"""Frames the grader's reader does not expect: a JSON header nested 100 000 deep (RecursionError
in json.loads) and an empty array of shape (0, 10**30) (an error in numpy's array
constructor). wire.decode turns both into WireErrors, so that neither leaves the framing layer
as a grader error ("the grader could not complete this check")."""
import gc
import struct

import numpy as np


def _reply_fd() -> int:
    return next(o for o in gc.get_objects() if type(o).__name__ == "Channel").reply_fd


def _send_raw(header: bytes) -> None:
    import os
    os.write(_reply_fd(), struct.pack("<QI", 4 + len(header), len(header)) + header)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    _send_raw(b"[" * 100_000 + b"]" * 100_000)
    return 0.0


def logistic_cost(X, y, w, b, lam):
    _send_raw(b'{"__ndarray__": ["<f8", 0, 1000000000000000000000000000000]}')
    return 0.0
