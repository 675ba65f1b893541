"""Starting untrusted code: bubblewrap where it works, a limited process elsewhere.

Each grading process starts a fork server (``forkserver.py``) once, sandboxed, and
asks it for a fresh child per student and topic. The sandbox sees only the Python
installation, numpy and the worker program (never the course's solutions, the
batch or the output folder), has no network, and as root runs as a throw-away
uid so the process limit and file permissions apply; each child gets the
submission's resource limits.
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy

WORKER_DIR = Path(__file__).resolve().parent
WORKER_FILES = ("forkserver.py", "worker.py", "wire.py")
SANDBOX_WORKER_DIR = "/grader"
SANDBOX_WORKDIR = "/tmp"
SANDBOX_UID_BASE = 61000


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed worker (one student, one topic)."""

    cpu_seconds: int = 60
    memory_bytes: int = 2 * 2**30
    processes: int = 16
    file_bytes: int = 16 * 2**20
    open_files: int = 64
    tmp_bytes: int = 64 * 2**20
    load_seconds: float = 10.0
    call_seconds: float = 5.0
    # Wall time for all of one student's topics together (grader.batch); a student whose
    # calls each stay just under call_seconds would otherwise cost minutes per topic.
    student_seconds: float = 300.0


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


def _bubblewrap_works(as_root: bool) -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid"]
    if not as_root:
        probe.append("--unshare-user")
    try:
        result = subprocess.run(probe + ["true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@functools.lru_cache(maxsize=None)
def detect_isolation() -> Isolation:
    as_root = os.geteuid() == 0
    limits = "limits on CPU time, memory, file size and open files; wall-clock timeouts"
    if os.environ.get("GRADER_NO_BWRAP") != "1" and _bubblewrap_works(as_root):
        if as_root and shutil.which("setpriv"):
            return Isolation("bubblewrap", (
                "private file system (Python and numpy only, read-only)",
                "no network", "private process tree", limits,
                "process limit under a throw-away uid",
                "in-process audit hook against fork, sockets and ctypes"))
        return Isolation("bubblewrap (user namespace)", (
            "private file system (Python and numpy only, read-only)",
            "no network", "private process tree", limits,
            "in-process audit hook against fork, sockets and ctypes"),
            ("a process limit of its own (shared with your user)",))
    return Isolation("limited process (bubblewrap not available)", (
        limits, "in-process audit hook against fork, sockets, ctypes and reading outside Python"),
        ("file-system isolation enforced by the kernel", "network isolation enforced by the kernel",
         "a private process tree", "process limit" if as_root else "a process limit of its own"))


def _python_roots() -> list[str]:
    """Directories the worker needs: the interpreter and the site-packages holding numpy."""
    candidates = {Path(p).resolve() for p in
                  (sys.base_prefix, sys.prefix, Path(numpy.__file__).parent.parent)}
    # A root inside another root is already visible.
    roots = [r for r in candidates if not any(o != r and o in r.parents for o in candidates)]
    return sorted(str(r) for r in roots)


def _system_binds() -> list[str]:
    args = []
    for name in ("usr", "bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / name
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


def sandbox_uid() -> int:
    return SANDBOX_UID_BASE + os.getpid() % 4000


def _bubblewrap_command(limits: Limits, as_root: bool) -> list[str]:
    # No --unshare-all: as root it would add a user namespace in which setpriv's uid is unmapped.
    args = [shutil.which("bwrap") or "bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", SANDBOX_WORKDIR]
    args += _system_binds()
    created: set[str] = set()
    for root in _python_roots():
        args += _bind_with_open_parents(root, created)
    args += ["--perms", "0755", "--dir", SANDBOX_WORKER_DIR]
    for name in WORKER_FILES:
        args += ["--ro-bind", str(WORKER_DIR / name), f"{SANDBOX_WORKER_DIR}/{name}"]
    args += ["--chdir", SANDBOX_WORKDIR]
    if as_root:
        uid = str(sandbox_uid())
        # bwrap as root keeps only the capabilities named here; setpriv drops them for good.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                 "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all"]
    else:
        args += ["--unshare-user", "--disable-userns", "--"]
    return args


def _worker_environment() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": SANDBOX_WORKDIR, "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _server_command(limits: Limits) -> tuple[list[str], tempfile.TemporaryDirectory | None]:
    """The fork server's command line (its configuration included) and the scratch folder it owns."""
    isolation = detect_isolation()
    as_root = os.geteuid() == 0
    if isolation.mode.startswith("bubblewrap"):
        command = _bubblewrap_command(limits, as_root) + [sys.executable, "-s", "-B",
                                                          f"{SANDBOX_WORKER_DIR}/forkserver.py"]
        scratch = None
        worker = {"workdir": SANDBOX_WORKDIR, "readable": ["/"], "writable": [SANDBOX_WORKDIR]}
        config = {"worker": worker, "enforce_processes": as_root, "private_pids": True}
    else:
        scratch = tempfile.TemporaryDirectory(prefix="grader-sandbox-")
        command = [sys.executable, "-s", "-B", str(WORKER_DIR / "forkserver.py")]
        readable = _python_roots() + ["/usr", "/lib", "/lib64", "/etc", "/dev", "/proc/self",
                                      str(WORKER_DIR)]
        worker = {"workdir": scratch.name, "readable": readable, "writable": [scratch.name]}
        config = {"worker": worker, "enforce_processes": not as_root, "private_pids": False}
    return command + [json.dumps(config)], scratch


class ServerFailed(Exception):
    """The fork server did not answer; it has been stopped and will be replaced."""


class ForkServer:
    """One sandboxed fork server; serves one child at a time."""

    def __init__(self, limits: Limits):
        self.tmp_bytes = limits.tmp_bytes
        command, self.scratch = _server_command(limits)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(command, stdin=theirs, stdout=self.log, stderr=self.log,
                                            env=_worker_environment(), close_fds=True,
                                            start_new_session=True)
        finally:
            theirs.close()
        self.control = ours
        self.request({}, timeout=30.0, expect_ready=True)

    def request(self, message: dict, fds: tuple[int, ...] = (), timeout: float = 10.0,
                expect_ready: bool = False) -> dict:
        try:
            self.control.settimeout(timeout)
            if not expect_ready:
                socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            reply = self.control.recv(1 << 16)
            if not reply:
                raise ConnectionError("closed")
            return json.loads(reply)
        except (OSError, ValueError) as error:
            self.stop()
            raise ServerFailed(f"the sandbox's fork server failed ({error}): {self.log_tail()}") from None

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:].decode("utf-8", errors="replace")

    def stop(self) -> None:
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


def _take_server(limits: Limits) -> ForkServer:
    while _idle_servers:
        server = _idle_servers.pop()
        if server.alive and server.tmp_bytes == limits.tmp_bytes:
            return server
        server.stop()
    return ForkServer(limits)


@atexit.register
def stop_servers() -> None:
    while _idle_servers:
        _idle_servers.pop().stop()


@dataclass
class SandboxedProcess:
    """One student's child process: the grader's ends of its pipes and its captured output."""

    server: ForkServer
    pid: int
    request_fd: int  # the grader writes requests here
    reply_fd: int  # and reads replies here
    capture: object  # the file receiving the student's stdout and stderr
    closed: bool = False

    def exit_status(self, timeout: float) -> int | None:
        """The exit status (-signal when killed), or None if it is still running after ``timeout``."""
        try:
            return self.server.request({"op": "status", "pid": self.pid, "timeout": timeout},
                                       timeout=timeout + 10)["status"]
        except ServerFailed:
            return None

    def kill(self) -> None:
        """Kill the child and whatever it started; the server then serves the next student."""
        if self.closed:
            return
        self.closed = True
        for fd in (self.request_fd, self.reply_fd):
            os.close(fd)
        self.capture.close()
        try:
            self.server.request({"op": "kill", "pid": self.pid})
            _idle_servers.append(self.server)
        except ServerFailed:
            pass


def start_worker(limits: Limits) -> SandboxedProcess:
    """A fresh sandboxed child, forked by this process's fork server, ready to load a file."""
    for attempt in range(2):
        server = _take_server(limits)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
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
