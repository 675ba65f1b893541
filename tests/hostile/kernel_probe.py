"""Tries what the kernel must refuse a worker whatever Python lets it do (the framework's
tests run it with the audit hook off). Each attempt answers "refused ..." or "ALLOWED"."""
import ctypes
import errno
import os
import signal
import socket

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYSCALLS = {"ptrace": 101, "process_vm_readv": 310, "kcmp": 312, "perf_event_open": 298,
            "unshare": 272, "setns": 308, "mount": 165, "pidfd_open": 434, "bpf": 321,
            "shmget": 29, "msgget": 68, "semget": 64}
ALLOWED_DEVICES = {"null", "zero", "full", "random", "urandom"}


def _syscall(name, *args):
    if libc.syscall(SYSCALLS[name], *args) < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def probe(course):
    parent = os.getppid()
    attempts = {
        "open parent's mem through dir_fd": lambda: os.open(
            "mem", os.O_RDWR, dir_fd=os.open(f"/proc/{parent}", os.O_RDONLY)),
        "open parent's mem": lambda: os.open(f"/proc/{parent}/mem", os.O_RDONLY),
        "read parent's environ": lambda: open(f"/proc/{parent}/environ", "rb").read(),
        "ptrace attach parent": lambda: _syscall("ptrace", 16, parent, 0, 0),
        "process_vm_readv parent": lambda: _syscall("process_vm_readv", parent, 0, 0, 0, 0, 0),
        "kcmp": lambda: _syscall("kcmp", os.getpid(), parent, 0, 0, 0),
        "perf_event_open": lambda: _syscall("perf_event_open", 0, parent, -1, -1, 0),
        "pidfd_open parent": lambda: _syscall("pidfd_open", parent, 0),
        "signal parent": lambda: os.kill(parent, 0),
        "signal every process": lambda: os.kill(-1, 0),
        "unshare user namespace": lambda: _syscall("unshare", 0x10000000),
        "unshare mount namespace": lambda: _syscall("unshare", 0x00020000),
        "mount": lambda: _syscall("mount", b"none", b"/tmp", b"tmpfs", 0, None),
        "bpf": lambda: _syscall("bpf", 0, 0, 0),
        "exec": lambda: os.execv("/bin/true", ["true"]),
        "fork": _fork,
        "internet socket": lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),
        "unix socket": lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM),
        "socket pair": lambda: socket.socketpair(),
        "drop a library's pages from the page cache": lambda: os.posix_fadvise(
            os.open(os.__file__, os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED),
        "ask whether a library's page is cached": lambda: os.preadv(
            os.open(os.__file__, os.O_RDONLY), [bytearray(4096)], 0, os.RWF_NOWAIT),
        "read the reference": lambda: open(os.path.join(
            course, "solutions", "regularization", "regularization.py")).read(),
        "read the reference through dir_fd": lambda: os.read(os.open(
            "solutions/regularization/regularization.py", os.O_RDONLY,
            dir_fd=os.open(course, os.O_RDONLY)), 100),
        "write into the course": lambda: open(os.path.join(course, "planted.txt"), "w"),
        "see other processes": lambda: _others_visible(),
        "SysV shared memory": lambda: _syscall("shmget", 0, 4096, 0o1666),
        "SysV message queue": lambda: _syscall("msgget", 0, 0o1666),
        "SysV semaphore": lambda: _syscall("semget", 0, 1, 0o1666),
        "memory file past the memory limit": lambda: os.memfd_create("beyond RLIMIT_AS"),
        "read a device beyond null, zero, full and random": _read_other_devices,
        "read a command line naming the course": lambda: _command_lines_naming(course),
    }
    results = []
    for name, attempt in attempts.items():
        try:
            attempt()
            results.append(f"{name}: ALLOWED")
        except OSError as error:
            results.append(f"{name}: refused ({errno.errorcode.get(error.errno, error.errno)})")
        except Exception as error:  # noqa: BLE001
            results.append(f"{name}: refused ({type(error).__name__})")
    return results


def _read_other_devices():
    opened = []
    for name in sorted(set(os.listdir("/dev")) - ALLOWED_DEVICES):
        try:
            os.close(os.open(os.path.join("/dev", name), os.O_RDONLY | os.O_NONBLOCK))
            opened.append(name)
        except OSError:
            pass
    if opened:
        return opened
    raise PermissionError(errno.EPERM, "no other device opened")


def _others_visible():
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    if others:
        return others
    raise PermissionError(errno.EPERM, "no other process visible")


def _command_lines_naming(course):
    for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["1"]:
        try:
            if course.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                return pid
        except OSError:
            pass
    raise PermissionError(errno.EPERM, "no command line names the course")


signal.signal(signal.SIGUSR1, signal.SIG_DFL)
