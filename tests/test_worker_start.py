"""Cheap worker starts: the fork server compiles the seccomp filter once, and the program a
child loads is exactly the one libseccomp would have compiled in that child."""
import os

import numpy as np

import pytest

from grader.sandbox.inside import confine
from grader.sandbox.launcher import seccomp_bindings

SECCOMP = confine.load_seccomp(seccomp_bindings())
needs_seccomp = pytest.mark.skipif(SECCOMP is None, reason="libseccomp's Python bindings are absent")


@needs_seccomp
def test_the_server_compiles_a_program_with_the_pid_left_open():
    program = confine.compile_seccomp(SECCOMP)
    assert program is not None
    assert program.pid_slots  # kill and tgkill compare with it (libseccomp may share one test)


@needs_seccomp
@pytest.mark.parametrize("pid", [1, 2, 12345, 4194303])
def test_the_patched_program_is_what_libseccomp_compiles_for_that_pid(pid):
    program = confine.compile_seccomp(SECCOMP)
    assert program.for_pid(pid) == confine._export_bpf(confine._seccomp_rules(SECCOMP, pid))


@needs_seccomp
@pytest.mark.parametrize("pid", [0, -1, confine.PID_PLACEHOLDERS[0], 2**40])
def test_a_pid_that_cannot_be_written_into_the_program_stops_the_child(pid):
    with pytest.raises(confine.ConfinementFailed):
        confine.compile_seccomp(SECCOMP).for_pid(pid)


@needs_seccomp
def test_a_child_with_the_loaded_program_cannot_fork_or_signal_another_process():
    program = confine.compile_seccomp(SECCOMP)
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            confine._libc.prctl(confine.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            confine.load_seccomp_program(program)
            refused = 0
            try:
                os.kill(os.getppid(), 0)
            except PermissionError:
                refused += 1
            try:
                os._exit(0) if os.fork() == 0 else None
            except PermissionError:
                refused += 1
            os.kill(os.getpid(), 0)  # its own pid stays allowed
            status = 0 if refused == 2 else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _worker(source: str):
    from grader.sandbox.launcher import Limits
    from grader.sandbox.submission import Submission
    return Submission(source, module="m", filename="/submission/m.py", signatures={"f": []},
                      limits=Limits())


def test_a_worker_finds_numpy_random_already_imported():
    source = ("import sys\nimport numpy as np\n"
              "def f():\n    before = set(sys.modules)\n    np.random.default_rng(0).random()\n"
              "    return sorted(set(sys.modules) - before)\n")
    with _worker(source) as student:
        assert student.call("f").value == []


def test_each_worker_seeds_numpys_global_generator_afresh():
    # numpy.random is imported once, in the fork server; its legacy global state must not be
    # handed to every child alike.
    source = "import numpy as np\ndef f():\n    return np.random.rand(4)\n"
    draws = []
    for _ in range(2):
        with _worker(source) as student:
            draws.append(student.call("f").value)
    assert not np.array_equal(draws[0], draws[1])


def test_the_worker_counts_the_cpu_time_of_calls_shorter_than_a_scheduler_tick():
    # The benchmarks' "fraction of CPU in the student's functions" adds these up; the process
    # clock, advanced only at ticks while RLIMIT_CPU is armed, counted about a tenth of it.
    source = ("import time\n"
              "def f():\n    t = time.perf_counter()\n"
              "    while time.perf_counter() - t < 0.001:\n        pass\n")
    with _worker(source) as student:
        for _ in range(30):
            student.call("f")
        stats = student.worker_stats()
    assert 0.015 <= stats["student_cpu"] <= stats["cpu"]
