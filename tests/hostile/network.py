"""Opens network connections (to exfiltrate inputs or fetch answers)."""
import socket
import urllib.request

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    with socket.create_connection(("127.0.0.1", 22), timeout=1) as connection:
        connection.sendall(b"hello")
    return 0.0


def linear_gradient(X, y, w, b, lam):
    return urllib.request.urlopen("http://example.com", timeout=1).read()
