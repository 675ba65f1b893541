"""Starting untrusted code: bubblewrap where it works, a limited process elsewhere.

Each grading process starts a fork server (``forkserver.py``) once, sandboxed, and
asks it for a fresh child per student and topic. Under bubblewrap the sandbox sees
only the Python installation, numpy and the worker program (never the course's
solutions, the batch or the output folder) and has no network. Whatever the mode,
each child confines itself before loading student code (``confine.py``): its own
tmpfs and /proc, a throw-away uid, non-dumpable, Landlock, seccomp and limits, as
far as the machine allows; the server tells which, and every report says so.
"""
from __future__ import annotations

import atexit
import functools
import importlib.machinery
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy

from grader.sandbox.limits import Limits
from grader.sandbox.pipes import FrameReader, FrameWriter

WORKER_DIR = Path(__file__).resolve().parent / "inside"  # the files copied into the sandbox
WORKER_FILES = ("forkserver.py", "worker.py", "wire.py", "confine.py")
SANDBOX_WORKER_DIR = "/grader"
SANDBOX_WORKDIR = "/tmp"
SANDBOX_SCRATCH_BESIDE = "/scratch"  # the workers' folder when Python itself lies below /tmp
SANDBOX_PYTHON = "/grader/python"
# Worker uids: above any real account's, a block of UIDS_PER_SERVER per grading process.
SANDBOX_UID_BASE = 1_000_000
UIDS_PER_SERVER = 16
SERVER_TMP_BYTES = 256 * 2**20  # bounds the server's own /tmp; each worker gets a tmpfs of its own
SYSTEM_FOLDERS = ["/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"]
# Devices a worker may read, one by one: never /dev as a whole, where a worker that keeps the
# right to read (see confine.probe) would reach the disks.
DEVICES = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]
SECCOMP_FOLDERS = ("/usr/lib/python3/dist-packages", "/usr/lib64/python3/site-packages")


@dataclass(frozen=True)
class Isolation:
    """What protects the grader from the student's process, in words for reports."""

    mode: str
    protections: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        text = f"{self.mode}: " + "; ".join(self.protections)
        if self.missing:
            text += ". Not available here: " + "; ".join(self.missing)
        return text


BWRAP = "bubblewrap"
BWRAP_USERNS = "bubblewrap (user namespace)"
PLAIN = "limited process (bubblewrap not available)"
# Capabilities the fork server keeps under bubblewrap, to give each child its own mounts and
# uid and to kill it; its children lose every capability before student code runs.
SERVER_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL")


@functools.lru_cache(maxsize=None)
def _bubblewrap_works(user_namespace: bool) -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid"]
    if user_namespace:
        probe.append("--unshare-user")
    try:
        result = subprocess.run(probe + ["true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def launch_mode() -> str:
    """How the fork server is started here: privileged bubblewrap as root, bubblewrap in a user
    namespace (not root, or root without CAP_SYS_ADMIN as in a default Docker container),
    or a plain limited process."""
    if os.environ.get("GRADER_NO_BWRAP") == "1":
        return PLAIN
    if os.geteuid() == 0 and _bubblewrap_works(user_namespace=False):
        return BWRAP
    if _bubblewrap_works(user_namespace=True):
        return BWRAP_USERNS
    return PLAIN


def _isolation(mode: str, protections: dict) -> Isolation:
    """What the fork server said its children enforce, in words for reports."""
    have, missing = [], []

    def either(condition: bool, present: str, absent: str) -> None:
        (have if condition else missing).append(present if condition else absent)

    sandboxed = mode != PLAIN
    either(sandboxed, "private file system (Python and numpy only, read-only)",
           "file-system isolation by a private mount namespace")
    either(sandboxed, "no network (own network namespace)", "a network namespace of its own")
    either(sandboxed, "private process tree (pid namespace)", "a private process tree")
    either(protections["private_mounts"], "a fresh tmpfs, /proc hiding other processes and IPC "
           "namespace per worker", "a writable scratch folder (no tmpfs of its own without "
           "CAP_SYS_ADMIN: its working folder is read-only) and an IPC namespace per worker")
    either(protections.get("own_pids", False), "a pid namespace per worker (its pids say nothing of "
           "the workers before it)", "a pid namespace per worker (needs CAP_SYS_ADMIN)")
    either(protections["own_uid"], "each worker under a throw-away uid, without capabilities"
           + (" (but the right to read Python's folders, below one only root may enter)"
              if protections.get("read_search") else ""),
           "a uid of the workers' own (they share the fork server's, without its capabilities)")
    have.append("non-dumpable fork server and workers, no_new_privs")
    either(protections["seccomp"], "seccomp filter (no ptrace, process_vm, pidfd, kcmp, perf events, "
           "namespaces, mounts, exec, fork, sockets, SysV or POSIX IPC or signals to other processes)",
           "a seccomp filter (install libseccomp's Python bindings, Debian python3-seccomp)")
    either(protections["landlock"] > 0, f"Landlock (ABI {protections['landlock']}): reads only below "
           "Python's and the system's library folders, five devices and the worker's own /proc "
           "entry; writes only in its scratch folder",
           "Landlock file-system rules")
    have.append("limits on CPU time, memory, file size, open files and processes; wall-clock timeouts")
    have.append("audit hook (clear messages for fork, exec, sockets and ctypes; not a boundary)")
    return Isolation(mode, tuple(have), tuple(missing))


@functools.lru_cache(maxsize=None)
def detect_isolation() -> Isolation:
    """The protections in force for workers started now (as the fork server reports them)."""
    server = _take_server()
    _idle_servers.append(server)
    return server.isolation


def _python_roots() -> list[str]:
    """Directories the worker needs: the interpreter and the site-packages holding numpy."""
    candidates = {Path(p).resolve() for p in
                  (sys.base_prefix, sys.prefix, Path(numpy.__file__).parent.parent)}
    # A root inside another root is already visible.
    roots = [r for r in candidates if not any(o != r and o in r.parents for o in candidates)]
    return sorted(str(r) for r in roots)


def _system_binds() -> list[str]:
    args = []
    for folder in SYSTEM_FOLDERS:
        path = Path(folder)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def _bind_with_open_parents(path: str, created: set[str]) -> list[str]:
    """bwrap makes missing parent directories 0700; make them 0755 so a non-root uid can pass."""
    args = []
    for parent in reversed(Path(path).parents):
        parent_text = str(parent)
        if parent_text == "/" or parent_text in created or parent_text.startswith("/usr"):
            continue
        created.add(parent_text)
        args += ["--perms", "0755", "--dir", parent_text]
    return args + ["--ro-bind", path, path]


def sandbox_uid_base() -> int:
    """The first of this grading process's block of worker uids (distinct from every other
    grading process alive, since pids are)."""
    return SANDBOX_UID_BASE + (os.getpid() % 2**20) * UIDS_PER_SERVER


def _bubblewrap_command(mode: str) -> list[str]:
    # No --unshare-all: as root it would add a user namespace in which the workers' uids are unmapped.
    args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox", "--proc", "/proc",
            "--dev", "/dev", "--size", str(SERVER_TMP_BYTES), "--perms", "1777",
            "--tmpfs", SANDBOX_WORKDIR]
    args += _system_binds()
    created: set[str] = set()
    for root in _python_roots():
        args += _bind_with_open_parents(root, created)
    args += ["--perms", "0755", "--dir", SANDBOX_WORKER_DIR]
    for name in WORKER_FILES:
        args += ["--ro-bind", str(WORKER_DIR / name), f"{SANDBOX_WORKER_DIR}/{name}"]
    seccomp = seccomp_bindings()
    if seccomp:
        args += ["--ro-bind", seccomp, seccomp]
    if _sandbox_scratch() != SANDBOX_WORKDIR:
        args += ["--perms", "0755", "--dir", _sandbox_scratch()]
    args += ["--chdir", _sandbox_scratch()]
    if mode == BWRAP_USERNS:
        args += ["--unshare-user"]  # not --disable-userns: its nested namespace could not mount /proc
    for capability in SERVER_CAPABILITIES:
        args += ["--cap-add", capability]
    # The interpreter under a neutral name, so that no command line in the sandbox's /proc names
    # the course's folders; PYTHONHOME and PYTHONPATH (in its environment, which a non-dumpable
    # process keeps private) say where its library and numpy are.
    args += ["--ro-bind", os.path.realpath(sys._base_executable), SANDBOX_PYTHON]
    args += ["--setenv", "PYTHONHOME", sys.base_prefix,
             "--setenv", "PYTHONPATH", str(Path(numpy.__file__).resolve().parent.parent)]
    return args


def _sandbox_scratch() -> str:
    """The workers' folder under bubblewrap, where each mounts a tmpfs of its own: /tmp, unless
    Python or numpy lies below /tmp (a course cloned there), which that tmpfs would hide."""
    below_tmp = any(root == SANDBOX_WORKDIR or root.startswith(SANDBOX_WORKDIR + "/")
                    for root in _python_roots())
    return SANDBOX_SCRATCH_BESIDE if below_tmp else SANDBOX_WORKDIR


def _worker_environment() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": SANDBOX_WORKDIR, "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@functools.lru_cache(maxsize=None)
def seccomp_bindings() -> str | None:
    """libseccomp's compiled Python bindings for this Python (Debian's python3-seccomp), if any."""
    spec = importlib.util.find_spec("seccomp")
    if spec is not None and spec.origin and spec.origin.endswith(".so"):
        return spec.origin
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for folder in SECCOMP_FOLDERS:
            candidate = Path(folder) / f"seccomp{suffix}"
            if candidate.is_file():
                return str(candidate)
    return None


def _server_command(mode: str) -> tuple[list[str], dict, tempfile.TemporaryDirectory | None]:
    """The fork server's command line, its configuration and the scratch folder it owns.

    The configuration travels over the control socket and bubblewrap's arguments through
    ``--args``, so no command line readable in /proc names the course's folders."""
    worker = {"audit_hook": os.environ.get("GRADER_TEST_NO_AUDIT_HOOK") != "1"}
    config = {"uid_base": sandbox_uid_base(), "uids": UIDS_PER_SERVER, "enforce_processes": True,
              "seccomp_path": seccomp_bindings()}
    if mode != PLAIN:
        # Everything the sandbox holds but /proc, where only the worker's own entry is readable:
        # in a user namespace the workers share the server's uid and would see it there.
        readable = _python_roots() + SYSTEM_FOLDERS + ["/etc", "/proc/self", SANDBOX_WORKER_DIR] + DEVICES
        config |= {"scratch": _sandbox_scratch(),
                   "worker": worker | {"readable": readable + [config["seccomp_path"] or "/dev/null"],
                                       "writable": []}}
        return [shutil.which("bwrap") or "bwrap", "--args", "{args_fd}", "--", SANDBOX_PYTHON, "-s", "-B",
                f"{SANDBOX_WORKER_DIR}/forkserver.py"], config, None
    scratch = tempfile.TemporaryDirectory(prefix="grader-sandbox-")
    os.chmod(scratch.name, 0o711)
    # Only what Python and numpy read: no /etc beyond the loader's cache and the time zone.
    readable = _python_roots() + SYSTEM_FOLDERS + ["/etc/ld.so.cache", "/etc/localtime", "/proc/self",
                                                   str(WORKER_DIR)] + DEVICES
    if config["seccomp_path"]:
        readable.append(config["seccomp_path"])
    config |= {"scratch": os.path.join(scratch.name, "workers"),
               "worker": worker | {"readable": readable, "writable": []}}
    return [sys.executable, "-s", "-B", str(WORKER_DIR / "forkserver.py")], config, scratch


class ServerFailed(BaseException):
    """The fork server did not answer; it has been stopped and will be replaced.

    A BaseException, like StudentUnavailable, so that it passes through the tests and
    hypothesis to the runner, which grades the topic again on a fresh server: a failure
    of the grader's sandbox is never the student's."""


class ForkServer:
    """One sandboxed fork server; serves one child at a time."""

    def __init__(self, mode: str):
        self.mode = mode
        command, config, self.scratch = _server_command(mode)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        arguments = tempfile.TemporaryFile()
        pass_fds: tuple[int, ...] = ()
        if mode != PLAIN:
            arguments.write(b"\0".join(a.encode() for a in _bubblewrap_command(mode)) + b"\0")
            arguments.seek(0)
            pass_fds = (arguments.fileno(),)
            command = [part.format(args_fd=arguments.fileno()) for part in command]
        try:
            self.process = subprocess.Popen(command, stdin=theirs, stdout=self.log, stderr=self.log,
                                            env=_worker_environment(), close_fds=True,
                                            pass_fds=pass_fds, start_new_session=True)
        finally:
            theirs.close()
            arguments.close()
        self.control = ours
        self.request(config, timeout=30.0, expect_ready=True)

    def request(self, message: dict, fds: tuple[int, ...] = (), timeout: float = 10.0,
                expect_ready: bool = False) -> dict:
        try:
            self.control.settimeout(timeout)
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            reply = self.control.recv(1 << 16)
            if not reply:
                raise ConnectionError("closed")
            answer = json.loads(reply)
            if expect_ready:
                self.isolation = _isolation(self.mode, answer["protections"])
            return answer
        except (OSError, ValueError, KeyError, TypeError) as error:
            log = self.log_tail()  # read before stop() closes it
            self.stop()
            raise ServerFailed(f"the sandbox's fork server failed ({error}): {log}") from None

    def log_tail(self) -> str:
        if self.log.closed:
            return ""
        self.log.seek(0)
        return self.log.read()[-2000:].decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.control.fileno() == -1:
            return
        try:
            os.killpg(self.process.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.control.close()
        self.log.close()
        if self.scratch is not None:
            self.scratch.cleanup()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and self.control.fileno() != -1


_idle_servers: list[ForkServer] = []


def _take_server() -> ForkServer:
    mode = launch_mode()
    while _idle_servers:
        server = _idle_servers.pop()
        if server.alive and server.mode == mode:
            return server
        server.stop()
    return ForkServer(mode)


@atexit.register
def stop_servers() -> None:
    while _idle_servers:
        _idle_servers.pop().stop()


@dataclass
class SandboxedProcess:
    """One student's child process: the grader's ends of its pipes and its captured output."""

    server: ForkServer
    pid: int
    request_fd: int  # the grader writes requests here (non-blocking: every write has a deadline)
    reply_fd: int  # and reads replies here (non-blocking too)
    capture: object  # the file receiving the student's stdout and stderr
    closed: bool = False
    # The only reader and writer of the two fds: the reader's read-ahead is this worker's and
    # goes with it.
    replies: FrameReader = field(init=False)
    requests: FrameWriter = field(init=False)

    def __post_init__(self) -> None:
        self.replies = FrameReader(self.reply_fd)
        self.requests = FrameWriter(self.request_fd)

    def exit_status(self, timeout: float) -> int | None:
        """The exit status (-signal when killed), or None if it is still running after ``timeout``.

        Raises ServerFailed when the fork server itself is gone."""
        return self.server.request({"op": "status", "pid": self.pid, "timeout": timeout},
                                   timeout=timeout + 10)["status"]

    def kill(self, before_closing: Callable[[], None] | None = None) -> None:
        """Kill the child and whatever it started; the server then serves the next student.

        ``before_closing`` runs once the child is dead and before this side's pipes close: a
        thread still reading them is stopped there, so it never reads an fd number that a
        later worker's pipe has been given."""
        if self.closed:
            return
        self.closed = True
        try:
            try:
                self.server.request({"op": "kill", "pid": self.pid})
                _idle_servers.append(self.server)
            except ServerFailed:
                pass
            if before_closing is not None:
                before_closing()
        finally:
            for fd in (self.request_fd, self.reply_fd):
                os.close(fd)
            self.capture.close()


def start_worker(limits: Limits) -> SandboxedProcess:
    """A fresh sandboxed child, forked by this process's fork server, ready to load a file."""
    for attempt in range(2):
        server = _take_server()
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        # The grader's ends only: each end of a pipe is its own open file description, so the
        # worker's blocking reads and writes are unchanged.
        os.set_blocking(request_write, False)
        os.set_blocking(reply_read, False)
        capture = tempfile.TemporaryFile()
        try:
            reply = server.request({"op": "spawn", "limits": asdict(limits)},
                                   (request_read, reply_write, capture.fileno()))
        except ServerFailed:
            for fd in (request_write, reply_read):
                os.close(fd)
            capture.close()
            if attempt:
                raise
            continue
        finally:
            for fd in (request_read, reply_write):
                os.close(fd)
        if not reply.get("ok"):
            server.stop()
            raise ServerFailed(reply.get("message", "the fork server refused to start a child"))
        return SandboxedProcess(server, reply["pid"], request_write, reply_read, capture)
    raise AssertionError("unreachable")
