"""The kernel's boundaries around one worker, applied by the forked child to itself.

The fork server (``forkserver.py``) forks a child per student and topic; before the
child loads any student code it calls ``confine`` here, which, in this order:

1. gives the child a mount namespace of its own with a fresh tmpfs as its scratch
   folder and a /proc that hides every process of another uid (``hidepid``), when the
   server holds CAP_SYS_ADMIN (always under bubblewrap): the tmpfs dies with the child,
   so nothing a student writes can outlive it, however it sets permissions; the server
   then also forks it into a pid namespace of its own (``fork_in_own_pids``), where it
   is pid 1 and its threads count from 2 whatever the children before it did: the
   kernel's pid counter, which any thread advances, carries nothing from one worker
   (a hidden test) to the next (a public test, which shows what the student prints);
2. applies the resource limits;
3. switches to a throw-away uid that is neither the grader's nor the server's, when
   the server may (as root): the worker then has no capabilities, cannot open another
   process's /proc files and cannot signal it;
4. makes itself non-dumpable and sets no_new_privs: no process of the same uid can
   ptrace it or open its /proc/<pid>/mem, and nothing it runs can gain privileges;
5. restricts its file system access with Landlock where the kernel has it: read-only
   below the readable roots, read-write only in its scratch folder, no TCP, and (ABI 6)
   no signals or abstract sockets to processes outside its own domain;
6. loads a seccomp filter (libseccomp's bindings) denying the system calls that reach
   other processes or the kernel's namespaces: ptrace, process_vm_readv/writev, pidfd_*,
   kcmp, perf_event_open, unshare, setns, mount and friends, bpf, keyrings, io_uring,
   exec, fork (threads stay allowed), sockets, and signals to any other process.

Any step that the server promised (see ``probe``) and that fails ends the child before
student code runs: a worker never runs with less protection than its report states.
Standard library only (and libseccomp's compiled bindings); copied into the sandbox as is.
"""
import ctypes
import errno
import os
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_KEEPCAPS = 8
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_THREAD = 0x00010000
CLONE_NEWPID = 0x20000000
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000, 0x00000080)  # mount, cgroup, uts, ipc, user, pid, net, time
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 0x40000
CAP_SYS_ADMIN, CAP_SETUID, CAP_DAC_READ_SEARCH = 21, 7, 2

# Landlock (linux/landlock.h); x86_64 and aarch64 share these syscall numbers.
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1, 2, 4, 8
FS_TRUNCATE, FS_IOCTL_DEV = 1 << 14, 1 << 15
FILE_ACCESS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_ALL = 0b11  # bind and connect TCP
SCOPE_ALL = 0b11  # abstract unix sockets and signals


def _fs_access_of(abi: int) -> int:
    """Every file-system right the kernel's Landlock ABI knows (all are then denied by default)."""
    bits = (1 << 13) - 1  # ABI 1
    if abi >= 2:
        bits |= 1 << 13  # refer
    if abi >= 3:
        bits |= FS_TRUNCATE
    if abi >= 5:
        bits |= FS_IOCTL_DEV
    return bits


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class ConfinementFailed(Exception):
    """A promised protection could not be applied; the child must not run student code."""


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise ConfinementFailed(f"{what}: {os.strerror(code)}")
    return result


def _capabilities() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def landlock_abi() -> int:
    result = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(0, int(result))


def load_seccomp(path: str | None):
    """libseccomp's Python bindings, loaded from the file the grader found (or None)."""
    if not path:
        return None
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.ExtensionFileLoader("seccomp", path)
    spec = importlib.util.spec_from_file_location("seccomp", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _works_in_child(attempt) -> bool:
    """Whether ``attempt()`` succeeds, tried in a throw-away child so the server is unchanged."""
    pid = os.fork()
    if pid == 0:
        try:
            attempt()
            os._exit(0)
        except BaseException:  # noqa: BLE001
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _unshare_mounts() -> None:
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare(CLONE_NEWNS | CLONE_NEWIPC)")


def fork_in_own_pids(own_pids: int) -> int:
    """``os.fork()`` into a new pid namespace, the child its pid 1; ``own_pids``: an open
    /proc/self/ns/pid of the caller, whose later children are in its own namespace again
    (a second unshare would fail while they are not)."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")
    try:
        pid = os.fork()
    except BaseException:
        _check(_libc.setns(own_pids, CLONE_NEWPID), "setns(CLONE_NEWPID)")
        raise
    if pid != 0:
        _check(_libc.setns(own_pids, CLONE_NEWPID), "setns(CLONE_NEWPID)")
    return pid


def _forks_in_own_pids() -> None:
    own = os.open("/proc/self/ns/pid", os.O_RDONLY)
    for _ in range(2):  # twice: the first restored the namespace of the caller's children
        pid = fork_in_own_pids(own)
        if pid == 0:
            os._exit(0 if os.getpid() == 1 else 1)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise ConfinementFailed("a child forked into a pid namespace of its own is not its pid 1")


def probe(seccomp_module, uid: int, readable: list) -> dict:
    """What this server's children can enforce; the grader's reports state exactly this."""
    capabilities = _capabilities()
    abi = landlock_abi()
    # In a user namespace only the server's own uid is mapped: switching then fails.
    own_uid = (os.getuid() == 0 and bool(capabilities >> CAP_SETUID & 1)
               and _works_in_child(lambda: switch_uid(uid)))
    # Python below a folder only root may enter (/root/.pyenv): a throw-away uid keeps the right
    # to read and search folders, which Landlock then confines to Python's folders. Without
    # Landlock that right would reach everything, so the workers stay root, without capabilities.
    read_search = own_uid and not _works_in_child(lambda: _reads_roots(uid, readable))
    if read_search and not abi:
        own_uid = read_search = False
    private = bool(capabilities >> CAP_SYS_ADMIN & 1) and _works_in_child(_unshare_mounts)
    # Only with a /proc of its own: one mounted in the new namespace shows that namespace.
    return {"private_mounts": private, "own_pids": private and _works_in_child(_forks_in_own_pids),
            "own_uid": own_uid, "read_search": read_search, "landlock": abi,
            "seccomp": seccomp_module is not None, "non_dumpable": True}


def _end_on_signals_as_a_process_does() -> None:
    """The kernel drops a signal whose action is the default at a namespace's pid 1: RLIMIT_CPU's
    SIGXCPU, an alarm, a signal the code sends itself. End with the status a shell gives a
    process killed by it (128 + the signal), as a worker that is not pid 1 ends (a handler the
    student's code puts in place is its own; at the CPU limit the hard limit's SIGKILL follows
    one second later)."""
    import signal

    end = os._exit
    # Those whose default ends a process and that a Python handler can take; not the faults
    # (SIGSEGV, SIGBUS, SIGFPE, SIGILL: the kernel forces a real one; a handler that returns
    # would run the faulting instruction again) nor SIGABRT (abort() goes on past a handler).
    # Python's own choices stay: SIGINT raises KeyboardInterrupt, SIGPIPE is ignored.
    numbers = [signal.SIGXCPU, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGALRM,
               signal.SIGUSR1, signal.SIGUSR2, signal.SIGVTALRM, signal.SIGPROF, signal.SIGPWR,
               signal.SIGSYS, signal.SIGTRAP, signal.SIGIO,
               *range(signal.SIGRTMIN, signal.SIGRTMAX + 1)]
    for number in numbers:
        signal.signal(number, lambda received, frame: end(128 + received))


def _ended(pipe: int) -> bool:
    """Whether the write end of ``pipe``, which only the fork server holds and never writes,
    was closed: the server died (a child in a pid namespace of its own has no parent pid to
    compare with)."""
    import select
    return bool(select.select([pipe], [], [], 0)[0])


def make_undumpable() -> None:
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")


def _mount(source: bytes, target: str, kind: bytes | None, flags: int, options: bytes | None) -> None:
    _check(_libc.mount(source, os.fsencode(target), kind, ctypes.c_ulong(flags), options),
           f"mount {target}")


def private_mounts(scratch: str, tmp_bytes: int, uid: int) -> None:
    """A mount namespace of the child's own: a fresh tmpfs on ``scratch``, a /proc hiding others;
    and an IPC namespace of its own, so no SysV or POSIX IPC object outlives it."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare(CLONE_NEWNS | CLONE_NEWIPC)")
    _mount(b"none", "/", None, MS_REC | MS_PRIVATE, None)
    owner = f",uid={uid},gid={uid}" if uid >= 0 else ""
    _mount(b"tmpfs", scratch, b"tmpfs", MS_NOSUID | MS_NODEV,
           f"size={tmp_bytes},mode=0700{owner}".encode())
    _mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"hidepid=invisible")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def set_capabilities(mask: int) -> None:
    """Make ``mask`` the effective and permitted capabilities (none inheritable)."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)(_CapData(mask & 0xFFFFFFFF, mask & 0xFFFFFFFF, 0),
                          _CapData(mask >> 32, mask >> 32, 0))
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def switch_uid(uid: int, keep: int = 0) -> None:
    """Become ``uid`` with no capability but those in the mask ``keep``."""
    if keep:
        _check(_libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # all uids non-zero: the kernel clears every capability but kept ones
    set_capabilities(keep)
    if _capabilities() & ~keep:
        raise ConfinementFailed("capabilities survived the uid switch")


def _reads_roots(uid: int, roots: list) -> None:
    switch_uid(uid)
    for root in roots:
        try:
            os.stat(root)
        except FileNotFoundError:
            continue  # a root missing here is granted nothing either way


def landlock(readable: list, writable: list, abi: int) -> None:
    fs_all = _fs_access_of(abi)
    attr = _RulesetAttr(fs_all, NET_ALL if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                   ctypes.c_size_t(size), ctypes.c_uint32(0)), "landlock ruleset")
    read_access = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
    try:
        for paths, access in ((readable, read_access), (writable, fs_all)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # a root that does not exist here grants nothing
                try:
                    allowed = access if os.path.isdir(path) else access & FILE_ACCESS
                    rule = _PathBeneathAttr(allowed & fs_all, fd)
                    _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                                         ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock {path}")
                finally:
                    os.close(fd)
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


# System calls a worker never needs and an attacker would: other processes, the kernel's
# namespaces and mounts, kernel objects shared across processes, new programs and processes.
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "kcmp", "perf_event_open", "unshare", "setns", "mount", "umount2",
    "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "bpf", "keyctl", "add_key", "request_key", "userfaultfd", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "init_module", "finit_module", "delete_module",
    "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl",
    "name_to_handle_at", "open_by_handle_at", "iopl", "ioperm", "lookup_dcookie", "execve",
    "execveat", "fork", "vfork", "socket", "socketpair", "tkill", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "process_madvise", "memfd_secret", "move_pages", "migrate_pages",
    # SysV and POSIX IPC outlive the worker and escape its memory limit.
    "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop",
    "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
    "mq_getsetattr",
    # Its files are memory no rlimit counts: 64 of them at the file-size limit are 1 GiB past
    # RLIMIT_AS.
    "memfd_create",
    # Which pages of a file are in the page cache is machine-wide state that outlives a worker:
    # these drop pages or tell without reading whether one is cached (preadv2's RWF_NOWAIT), a
    # channel from one worker to a later one (a hidden test's to a public test's).
    "fadvise64", "mincore", "cachestat", "preadv2", "pwritev2", "readahead",
)


def _seccomp_rules(module, own: int):
    """The worker's filter for a process whose pid is ``own``: deny (EPERM) what a worker
    never needs; everything else is allowed."""
    deny = module.ERRNO(errno.EPERM)
    rules = module.SyscallFilter(defaction=module.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(deny, name)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture
    # clone3 passes its flags in memory, which a filter cannot read: make libc fall back to clone.
    rules.add_rule(module.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(deny, "clone", module.Arg(0, module.MASKED_EQ, CLONE_THREAD, 0))  # a process
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(deny, "clone", module.Arg(0, module.MASKED_EQ, flag, flag))
    rules.add_rule(deny, "kill", module.Arg(0, module.NE, own))
    rules.add_rule(deny, "tgkill", module.Arg(0, module.NE, own))
    return rules


def seccomp_filter(module) -> None:
    """Compile the filter for this process and load it (libseccomp does both)."""
    _seccomp_rules(module, os.getpid()).load()


# Compiling the filter costs libseccomp about 10 ms, in every child. The fork server compiles
# it once instead, for two pids no process can have (pid_max is at most 2**22), and keeps the
# program with the places where the pid went; a child writes its own pid there and loads the
# program itself. ``compile_seccomp`` accepts the program only if the two compilations differ
# in those comparisons' constants alone, so the patched program is, instruction for
# instruction, the one libseccomp would have compiled in the child (a test checks it is byte
# for byte); otherwise each child compiles its own, as before.
PID_PLACEHOLDERS = (0x7FFFFFF1, 0x7FFFFFF2)
_BPF_INSTRUCTION = struct.Struct("=HBBI")  # struct sock_filter: code, jt, jf, k
BPF_JMP_JEQ_K = 0x15
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class SeccompProgram:
    """The worker's seccomp filter as BPF, with the slots that hold the worker's own pid."""

    def __init__(self, code: bytes, pid_slots: list):
        self.code, self.pid_slots = code, pid_slots

    def for_pid(self, pid: int) -> bytes:
        if not 0 < pid < PID_PLACEHOLDERS[0]:
            raise ConfinementFailed(f"pid {pid} cannot be written into the seccomp filter")
        code = bytearray(self.code)
        for offset in self.pid_slots:
            instruction, jt, jf, _ = _BPF_INSTRUCTION.unpack_from(code, offset)
            _BPF_INSTRUCTION.pack_into(code, offset, instruction, jt, jf, pid)
        return bytes(code)


def _export_bpf(rules) -> bytes:
    fd = os.memfd_create("seccomp-filter")
    try:
        with open(os.dup(fd), "w+b", buffering=0) as file:
            rules.export_bpf(file)
        size = os.fstat(fd).st_size
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)


def compile_seccomp(module):
    """The filter compiled once for every child (``SeccompProgram``), or None where the
    program cannot be shown to depend on the pid only through its comparisons."""
    first, second = (_export_bpf(_seccomp_rules(module, pid)) for pid in PID_PLACEHOLDERS)
    size = _BPF_INSTRUCTION.size
    if not first or len(first) != len(second) or len(first) % size:
        return None
    slots = []
    for offset in range(0, len(first), size):
        a = _BPF_INSTRUCTION.unpack_from(first, offset)
        b = _BPF_INSTRUCTION.unpack_from(second, offset)
        if a == b:
            if a[3] in PID_PLACEHOLDERS:
                return None
            continue
        if a[:3] != b[:3] or a[0] != BPF_JMP_JEQ_K or (a[3], b[3]) != PID_PLACEHOLDERS:
            return None
        slots.append(offset)
    return SeccompProgram(first, slots) if slots else None


def load_seccomp_program(program: SeccompProgram) -> None:
    """Load the fork server's compiled filter for this process (no_new_privs is already set)."""
    code = program.for_pid(os.getpid())
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // _BPF_INSTRUCTION.size, ctypes.cast(buffer, ctypes.c_void_p))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0),
           "prctl(PR_SET_SECCOMP)")


def confine(settings: dict, seccomp_module, uid: int, seccomp_program=None) -> None:
    """Apply every protection ``settings`` promises, in an order where each still can be."""
    import resource

    limits = settings["limits"]
    scratch = settings["scratch"]
    if settings["private_mounts"]:
        private_mounts(scratch, limits["tmp_bytes"], uid if settings["own_uid"] else -1)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getpid() == 1:
        _end_on_signals_as_a_process_does()
    if settings["enforce_processes"]:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    if settings["own_uid"]:
        switch_uid(uid, 1 << CAP_DAC_READ_SEARCH if settings["read_search"] else 0)
    elif os.getuid() == 0:
        set_capabilities(0)
    # A worker whose server died must not live on (a uid switch clears this, so it comes after).
    _check(_libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if _ended(settings["server_alive"]):
        raise ConfinementFailed("the fork server is gone")
    os.close(settings["server_alive"])
    make_undumpable()  # a uid switch already does this; said again so it holds in every mode
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    if settings["landlock"]:
        # Without a tmpfs of its own the scratch folder is on the host's disk, where nothing
        # bounds what a worker writes: it is then read-only.
        writable = [scratch] if settings["private_mounts"] else []
        landlock(settings["readable"] + [scratch], writable + ["/dev/null"] + settings["writable"],
                 settings["landlock"])
    if seccomp_program is not None:
        load_seccomp_program(seccomp_program)
    elif seccomp_module is not None:
        seccomp_filter(seccomp_module)
    elif settings["seccomp"]:
        raise ConfinementFailed("the seccomp filter was promised but its bindings are not loaded")
