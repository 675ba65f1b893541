"""The fork server: one per grading process, inside the sandbox, with numpy already imported.

Starting Python and importing numpy costs ~0.2 s; a fork of a process that has
done it costs ~2 ms. So each grading process starts this server once (under
bubblewrap, with the throw-away uid) and asks it for one fresh child per student
and topic. The child applies that submission's resource limits, installs the
audit hook and becomes a ``worker``; student code only ever runs in children.

One child lives at a time. Before the next one starts, everything the previous
one left behind is gone: in a private pid namespace every other process of the
sandbox's uid is killed, and the scratch folder is emptied, so no student can
leave a process or a file for the next one.

Requests arrive on fd 0, a Unix SEQPACKET socket, as one JSON message each; a
spawn request carries the child's pipe ends as SCM_RIGHTS descriptors. Standard
library and numpy only; this file is copied into the sandbox as is.
"""
import json
import os
import resource
import shutil
import signal
import socket
import sys
import time

import numpy  # noqa: F401  imported here once, so that every child starts warm

import worker

MAX_MESSAGE = 1 << 16
CHILD_FDS = 3  # request pipe, reply pipe, capture file


def apply_limits(limits: dict, enforce_processes: bool) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if enforce_processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))


def empty_folder(folder: str) -> None:
    for entry in os.scandir(folder):
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


class Server:
    def __init__(self, control: socket.socket, config: dict):
        self.control = control
        self.config = config
        self.child: int | None = None
        self.statuses: dict[int, int] = {}

    # -- children ---------------------------------------------------------------
    def spawn(self, request: dict, fds: list[int]) -> dict:
        self.clear()
        if len(fds) != CHILD_FDS:
            for fd in fds:
                os.close(fd)
            return {"ok": False, "message": f"expected {CHILD_FDS} descriptors, got {len(fds)}"}
        pid = os.fork()
        if pid == 0:
            self.become_worker(request, fds)  # never returns
        for fd in fds:
            os.close(fd)
        self.child = pid
        return {"ok": True, "pid": pid}

    def become_worker(self, request: dict, fds: list[int]) -> None:
        status = 70
        try:
            os.setsid()
            self.control.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.closerange(CHILD_FDS, 1 << 16)
            apply_limits(request["limits"], self.config["enforce_processes"])
            worker.run(self.config["worker"])
            status = 0
        except BaseException:  # noqa: BLE001 - the grader reads the exit status
            pass
        finally:
            os._exit(status)

    def reap(self, pid: int, timeout: float) -> int | None:
        """The child's exit status in subprocess's convention (-signal), waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        while pid not in self.statuses:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if done:
                self.statuses[pid] = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.005)
        return self.statuses[pid]

    def kill(self, pid: int) -> int | None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.config["private_pids"] and os.getuid() != 0:
            # Whatever the child started, in whatever session: the namespace is ours alone.
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        status = self.reap(pid, 5.0)
        self.collect_orphans()
        return status

    def clear(self) -> None:
        if self.child is not None:
            self.kill(self.child)
            self.child = None
        self.statuses.clear()
        empty_folder(self.config["worker"]["workdir"])

    def collect_orphans(self) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    # -- requests ---------------------------------------------------------------
    def handle(self, request: dict, fds: list[int]) -> dict:
        op = request.get("op")
        if op == "spawn":
            return self.spawn(request, fds)
        for fd in fds:
            os.close(fd)
        if op == "status":
            return {"ok": True, "status": self.reap(request["pid"], float(request.get("timeout", 0)))}
        if op == "kill":
            status = self.kill(request["pid"])
            if request["pid"] == self.child:
                self.child = None
                empty_folder(self.config["worker"]["workdir"])
            return {"ok": True, "status": status}
        return {"ok": False, "message": f"unknown request {op!r}"}

    def serve(self) -> None:
        self.control.send(json.dumps({"ok": True, "ready": True}).encode())
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.control, MAX_MESSAGE, CHILD_FDS + 1)
            except (ConnectionError, OSError):
                break
            if not message:
                break
            reply = self.handle(json.loads(message), fds)
            self.control.send(json.dumps(reply).encode())
        self.clear()


def main() -> None:
    config = json.loads(sys.argv[1])
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.makedirs(config["worker"]["workdir"], exist_ok=True)
    Server(control, config).serve()


if __name__ == "__main__":
    main()
