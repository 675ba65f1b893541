"""Without CAP_SYS_ADMIN (a Docker-like root) the fallback's scratch folder is on the host's
disk: each file is capped at 16 MiB (RLIMIT_FSIZE) but their number is not, so one call
writes as much as the disk takes in 5 s (and every later call again, until the topic's
120 s). Here a bounded 128 MiB, reported; a worker's tmpfs stops it at 64 MiB."""
import os

import numpy as np

CHUNK = b"\0" * (1 << 20)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    written = 0
    try:
        for i in range(8):  # 8 files x 16 MiB = 128 MiB, beyond the 64 MiB tmpfs
            with open(f"f{i}", "wb") as out:
                for _ in range(16):
                    out.write(CHUNK)
                    written += 1
    except OSError as error:
        raise RuntimeError(f"DISK: {written} MiB written, then {error}") from None
    raise RuntimeError(f"DISK: {written} MiB written in {os.getcwd()}, no limit met")
