"""Leaves a child process running after the function (and the worker) exit."""
import subprocess
import sys

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], start_new_session=True)
    return 0.0


def logistic_cost(X, y, w, b, lam):
    import os
    os.posix_spawn(sys.executable, [sys.executable, "-c", "import time; time.sleep(3600)"], {})
    return 0.0
