"""The fork server: one per grading process, inside the sandbox, with numpy already imported.

Starting Python and importing numpy costs ~0.2 s; a fork of a process that has
done it costs ~2 ms. So each grading process starts this server once (under
bubblewrap where it can) and asks it for one fresh child per student and topic.
The child confines itself (``confine.py``: own mounts and tmpfs, throw-away uid,
non-dumpable, Landlock, seccomp, limits), installs the audit hook and becomes a
``worker``; student code only ever runs in children.

The server itself is non-dumpable and, where it may, runs its children under
uids that are not its own, so no child can read or write its memory, signal it
or reach it through /proc: one student cannot change what the next one gets.
Where it holds CAP_SYS_ADMIN each child is also pid 1 of a pid namespace of its own,
so no child can read what the one before it did from the pids it is given.

One child lives at a time. Before the next one starts, everything the previous
one left behind is gone: its processes are killed, and its scratch folder is a
tmpfs that died with it (or, where the server cannot mount, a folder the server
removes whatever its permissions).

Requests arrive on fd 0, a Unix SEQPACKET socket, as one JSON message each; the
first is the configuration (never on the command line, which other processes
can read). A spawn request carries the child's pipe ends as SCM_RIGHTS
descriptors. Standard library and numpy only; this file is copied into the
sandbox as is.
"""
import gc
import json
import os
import select
import shutil
import signal
import socket
import stat
import time

import numpy  # noqa: F401  imported here once, so that every child starts warm
import numpy.random  # numpy imports it on first use: ~12 ms in each child that used it

import confine
import worker

MAX_MESSAGE = 1 << 16
CHILD_FDS = 3  # request pipe, reply pipe, capture file


def remove_tree(path: str) -> None:
    """Remove ``path`` even where its owner took away the permissions (a read-only folder)."""
    pending = [path]
    while pending:  # iterative: a student may nest folders deeper than Python's recursion
        folder = pending.pop()
        try:
            os.chmod(folder, stat.S_IRWXU)  # the owner (or root) may always change the mode
            pending += [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        raise OSError(f"could not remove {path}")


class Server:
    def __init__(self, control: socket.socket, config: dict, seccomp_module):
        self.control = control
        self.config = config
        self.seccomp = seccomp_module
        # Compiled here once; a child that has no program compiles its own (confine.py).
        try:
            self.seccomp_program = confine.compile_seccomp(seccomp_module) if seccomp_module else None
        except Exception:  # noqa: BLE001 - an older libseccomp: each child compiles, as before
            self.seccomp_program = None
        self.protections = confine.probe(seccomp_module, config["uid_base"],
                                         config["worker"]["readable"])
        # Never written: a child sees it end if the server dies before the child's PDEATHSIG is set.
        self.alive_read, self.alive_write = os.pipe()
        self.own_pids = os.open("/proc/self/ns/pid", os.O_RDONLY) if self.protections["own_pids"] else None
        self.child: int | None = None
        self.child_scratch: str | None = None
        self.spawned = 0
        self.statuses: dict[int, int] = {}

    # -- children ---------------------------------------------------------------
    def _scratch_for_child(self, uid: int) -> str:
        root = self.config["scratch"]
        if self.protections["private_mounts"]:
            return root  # each child mounts a tmpfs of its own over it, seen by it alone
        folder = os.path.join(root, f"w{self.spawned}")
        # On the host's disk nothing would bound what a worker writes: the folder is its
        # working directory, readable and not writable (Landlock enforces that too).
        os.mkdir(folder, 0o755)
        self.child_scratch = folder
        return folder

    def spawn(self, request: dict, fds: list[int]) -> dict:
        self.clear()
        if len(fds) != CHILD_FDS:
            for fd in fds:
                os.close(fd)
            return {"ok": False, "message": f"expected {CHILD_FDS} descriptors, got {len(fds)}"}
        self.spawned += 1
        # Children cycle through the server's uids, so nothing of one is owned by the next.
        uid = self.config["uid_base"] + self.spawned % self.config["uids"]
        scratch = self._scratch_for_child(uid)
        # Objects the server holds (numpy's, the modules') move out of the collector's reach: a
        # child's collections then neither walk them nor copy the pages their headers are on.
        gc.freeze()
        try:
            pid = os.fork() if self.own_pids is None else confine.fork_in_own_pids(self.own_pids)
        except (OSError, confine.ConfinementFailed) as error:
            for fd in fds:
                os.close(fd)
            return {"ok": False, "message": f"the fork server could not start a worker: {error}"}
        if pid == 0:
            self.become_worker(request, fds, uid, scratch)  # never returns
        for fd in fds:
            os.close(fd)
        self.child = pid
        return {"ok": True, "pid": pid}

    def become_worker(self, request: dict, fds: list[int], uid: int, scratch: str) -> None:
        status = 70
        try:
            # The legacy global RandomState was seeded once, in the server: each child draws
            # fresh entropy, as it did when it imported numpy.random itself.
            numpy.random.seed()
            os.setsid()
            self.control.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.dup2(self.alive_read, CHILD_FDS)
            os.closerange(CHILD_FDS + 1, 1 << 16)
            settings = dict(self.protections, limits=request["limits"], scratch=scratch,
                            readable=self.config["worker"]["readable"],
                            writable=self.config["worker"]["writable"],
                            enforce_processes=self.config["enforce_processes"],
                            server_alive=CHILD_FDS)
            try:
                confine.confine(settings, self.seccomp, uid, self.seccomp_program)
            except Exception as error:  # noqa: BLE001 - never run student code less protected
                os.write(2, f"the sandbox could not confine this worker: {error}\n".encode())
                os._exit(71)
            worker.run(dict(self.config["worker"], workdir=scratch))
            status = 0
        except BaseException:  # noqa: BLE001 - the grader reads the exit status
            pass
        finally:
            os._exit(status)

    def reap(self, pid: int, timeout: float) -> int | None:
        """The child's exit status in subprocess's convention (-signal), waiting up to ``timeout``.

        It waits on a pidfd where the kernel has them, woken the moment the child exits
        (a killed worker is gone in well under a millisecond), else polls every 5 ms."""
        deadline = time.monotonic() + timeout
        try:
            exited = os.pidfd_open(pid)
        except (AttributeError, OSError):
            exited = None
        try:
            while pid not in self.statuses:
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    return None
                if done:
                    self.statuses[pid] = os.waitstatus_to_exitcode(status)
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if exited is None:
                    time.sleep(0.005)
                else:
                    select.select([exited], [], [], remaining)
        finally:
            if exited is not None:
                os.close(exited)
        return self.statuses[pid]

    def kill(self, pid: int) -> int | None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if not self.protections["seccomp"]:
            self.kill_strays()
        status = self.reap(pid, 5.0)
        self.collect_orphans()
        return status

    def kill_strays(self) -> None:
        """Without the seccomp filter a child may have forked (up to its process limit): kill
        every process of the children's uids, from a process that has that uid."""
        if not self.protections["own_uid"]:
            return
        for offset in range(self.config["uids"]):
            pid = os.fork()
            if pid == 0:
                try:
                    uid = self.config["uid_base"] + offset
                    os.setresuid(uid, uid, uid)
                    os.kill(-1, signal.SIGKILL)  # every process this uid may signal, but itself
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)

    def clear(self) -> None:
        if self.child is not None:
            self.kill(self.child)
            self.child = None
        self.statuses.clear()
        self.clear_scratch()

    def clear_scratch(self) -> None:
        if self.child_scratch is not None:
            remove_tree(self.child_scratch)
            self.child_scratch = None

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
                self.clear_scratch()
            return {"ok": True, "status": status}
        return {"ok": False, "message": f"unknown request {op!r}"}

    def serve(self) -> None:
        self.control.send(json.dumps({"ok": True, "ready": True,
                                      "protections": self.protections}).encode())
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
    confine.make_undumpable()  # before anything else: no process may open our memory
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    config = json.loads(control.recv(MAX_MESSAGE))
    os.makedirs(config["scratch"], exist_ok=True)
    os.chmod(config["scratch"], 0o711)  # children reach their own folder, cannot list others'
    Server(control, config, confine.load_seccomp(config.get("seccomp_path"))).serve()


if __name__ == "__main__":
    main()
