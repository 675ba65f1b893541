"""Starting untrusted code: bubblewrap where it works, a limited process elsewhere.

The sandboxed process sees only the Python installation, numpy and the worker
program (never the course's solutions, the batch or the output folder), has no
network, runs under resource limits, and as root runs as a throw-away uid so the
process limit and file permissions apply to it.
"""
from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy

WORKER_DIR = Path(__file__).resolve().parent
WORKER_FILES = ("worker.py", "wire.py")
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


def _apply_limits(limits: Limits, enforce_processes: bool) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if enforce_processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


@dataclass
class SandboxedProcess:
    process: subprocess.Popen
    capture: object  # the file receiving the student's stdout and stderr
    workdir: tempfile.TemporaryDirectory | None

    def kill(self) -> None:
        """Kill the whole process group; bubblewrap's pid namespace takes the rest."""
        try:
            os.killpg(self.process.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.kill()
        except ProcessLookupError:
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()
        self.capture.close()
        if self.workdir is not None:
            self.workdir.cleanup()


def start_worker(limits: Limits, readable_extra: tuple[str, ...] = ()) -> SandboxedProcess:
    """Start a worker process under the best isolation available on this machine."""
    isolation = detect_isolation()
    as_root = os.geteuid() == 0
    capture = tempfile.TemporaryFile()
    workdir = None
    if isolation.mode.startswith("bubblewrap"):
        command = _bubblewrap_command(limits, as_root)
        python = sys.executable
        worker = f"{SANDBOX_WORKER_DIR}/worker.py"
        config = {"workdir": SANDBOX_WORKDIR, "readable": ["/"], "writable": [SANDBOX_WORKDIR]}
        enforce_processes = as_root
    else:
        workdir = tempfile.TemporaryDirectory(prefix="grader-sandbox-")
        command = []
        python = sys.executable
        worker = str(WORKER_DIR / "worker.py")
        readable = _python_roots() + ["/usr", "/lib", "/lib64", "/etc", "/dev", "/proc/self",
                                      str(WORKER_DIR), *readable_extra]
        config = {"workdir": workdir.name, "readable": readable, "writable": [workdir.name]}
        enforce_processes = not as_root
    command += [python, "-s", "-B", worker, json.dumps(config)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=capture,
        env=_worker_environment(), close_fds=True,
        preexec_fn=functools.partial(_apply_limits, limits, enforce_processes))
    return SandboxedProcess(process, capture, workdir)
