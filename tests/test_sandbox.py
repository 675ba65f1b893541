"""Student code runs in a limited, isolated process; misbehaviour costs only that call."""
import os
import textwrap
import time

import numpy as np
import pytest

from conftest import student_processes
from grader.sandbox.launcher import Limits, detect_isolation
from grader.sandbox.submission import StudentError, StudentUnavailable, Submission

FAST = Limits(call_seconds=1.5, load_seconds=3.0, cpu_seconds=20)


def submission(source: str, limits: Limits = FAST) -> Submission:
    return Submission(textwrap.dedent(source), module="student", filename="/submission/student.py",
                      signatures={"f": ["x"], "g": ["x"]}, limits=limits)


def test_a_normal_call_returns_plain_values():
    with submission("def f(x):\n    return x * 2\n") as student:
        np.testing.assert_array_equal(student.f(np.arange(3.0)), [0.0, 2.0, 4.0])


def test_an_infinite_loop_in_a_function_times_out_and_is_not_called_again():
    with submission("def f(x):\n    while True: pass\ndef g(x):\n    return 1\n") as student:
        started = time.monotonic()
        with pytest.raises(StudentUnavailable, match="did not return within"):
            student.f(1)
        assert time.monotonic() - started < 5
        with pytest.raises(StudentUnavailable, match="earlier test"):
            student.f(1)
        assert student.g(1) == 1  # a fresh worker serves the other functions


def test_an_infinite_loop_at_import_is_reported_as_a_load_failure():
    with submission("while True: pass\ndef f(x):\n    return x\n") as student:
        with pytest.raises(StudentUnavailable, match="could not be loaded"):
            student.start()


def test_sleeping_while_ignoring_sigterm_is_killed():
    source = """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        def f(x):
            time.sleep(3600)
    """
    with submission(source) as student:
        with pytest.raises(StudentUnavailable, match="did not return"):
            student.f(1)


def test_a_memory_blow_up_raises_memory_error_in_the_student_process():
    with submission("import numpy as np\ndef f(x):\n    return np.ones(40 * 2**30 // 8)\n") as student:
        with pytest.raises(StudentError, match="MemoryError"):
            student.f(1)


def test_os_exit_in_a_function_is_a_crash_not_a_result():
    with submission("import os\ndef f(x):\n    os._exit(0)\ndef g(x):\n    return 2\n") as student:
        with pytest.raises(StudentUnavailable, match="ended the process"):
            student.f(1)
        assert student.g(1) == 2


def test_sys_exit_in_a_function_is_reported_as_an_error():
    with submission("import sys\ndef f(x):\n    sys.exit(3)\n") as student:
        with pytest.raises(StudentError, match="sys.exit"):
            student.f(1)


def test_printing_fake_protocol_frames_does_not_reach_the_grader():
    source = """
        import sys
        def f(x):
            sys.stdout.write('\\x10\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"ok": true, "value": 100}')
            print('{"score": 100, "max_score": 100}')
            return 1
    """
    with submission(source) as student:
        position = student.output_position()
        assert student.f(0) == 1
        assert '"score": 100' in student.output_since(position)


def test_returning_an_object_with_a_permissive_eq_is_refused():
    source = """
        class Anything:
            def __eq__(self, other):
                return True
        def f(x):
            return Anything()
    """
    with submission(source) as student:
        with pytest.raises(StudentError, match="returned an object of type Anything"):
            student.f(1)


def test_missing_function_is_reported_by_name():
    with submission("def g(x):\n    return 1\n") as student:
        with pytest.raises(StudentUnavailable, match="does not define a function named f"):
            student.f(1)


def test_syntax_error_names_the_line():
    with submission("def f(x):\n    return (x\n") as student:
        with pytest.raises(StudentUnavailable, match="syntax error at line 2"):
            student.start()


@pytest.mark.parametrize("action", [
    "import socket; socket.create_connection(('127.0.0.1', 9))",
    "import os; os.fork()",
    "import subprocess; subprocess.run(['true'])",
    "import ctypes; ctypes.CDLL(None).getpid()",
])
def test_network_processes_and_ctypes_are_blocked(action):
    with submission(f"def f(x):\n    {action}\n    return 'escaped'\n") as student:
        with pytest.raises(StudentError, match="PermissionError|OSError|not allow"):
            student.f(1)


def test_the_course_folder_and_its_solutions_are_not_readable(course_root):
    target = course_root / "solutions" / "regularization" / "regularization.py"
    source = f"""
        def f(x):
            return open({str(target)!r}).read()
    """
    with submission(source) as student:
        with pytest.raises(StudentError, match="FileNotFoundError|PermissionError"):
            student.f(1)


def test_writing_a_huge_file_stops_at_the_file_size_limit():
    source = """
        def f(x):
            with open('big.bin', 'wb') as out:
                for _ in range(64):
                    out.write(b'0' * 2**20)
            return 'wrote all'
    """
    with submission(source, Limits(call_seconds=10, file_bytes=4 * 2**20)) as student:
        with pytest.raises(StudentError, match="File too large|No space|OSError"):
            student.f(1)


def test_no_student_process_is_left_behind():
    source = """
        import time
        def f(x):
            time.sleep(3600)
    """
    student = submission(source)
    with pytest.raises(StudentUnavailable):
        student.f(1)
    student.close()
    assert student_processes(below=os.getpid()) == []


def test_isolation_summary_names_what_is_missing_without_bubblewrap(monkeypatch):
    detect_isolation.cache_clear()
    monkeypatch.setenv("GRADER_NO_BWRAP", "1")
    try:
        isolation = detect_isolation()
        assert isolation.mode.startswith("limited process")
        assert any("file-system isolation" in m for m in isolation.missing)
    finally:
        detect_isolation.cache_clear()


def test_the_fallback_process_still_runs_and_blocks_sockets(monkeypatch):
    detect_isolation.cache_clear()
    monkeypatch.setenv("GRADER_NO_BWRAP", "1")
    try:
        source = "import socket\ndef f(x):\n    return x + 1\ndef g(x):\n    socket.socket()\n"
        with submission(source) as student:
            assert student.f(1) == 2
            with pytest.raises(StudentError, match="not allow"):
                student.g(1)
    finally:
        detect_isolation.cache_clear()


def test_an_exhausted_test_budget_is_reported_as_such_not_as_a_crash():
    with submission("def f(x):\n    return x\n") as student:
        student.set_budget(0.0)
        with pytest.raises(StudentUnavailable, match="time budget ran out") as failure:
            student.f(1)
        assert "stopped the grader's worker" not in str(failure.value)
        student.set_budget(None)
        assert student.f(1) == 1


def test_files_one_student_leaves_behind_are_gone_for_the_next():
    writer = """
        import os
        def f(x):
            with open('left_for_the_next_student.txt', 'w') as out:
                out.write('answers')
            return sorted(os.listdir('.'))
    """
    reader = "import os\ndef f(x):\n    return sorted(os.listdir('.'))\n"
    with submission(writer) as first:
        assert "left_for_the_next_student.txt" in first.f(1)
    with submission(reader) as second:
        assert "left_for_the_next_student.txt" not in second.f(1)


def test_the_workers_tmpfs_never_hides_python_when_the_course_lies_below_tmp(monkeypatch):
    from grader.sandbox import launcher
    monkeypatch.setattr(launcher, "_python_roots", lambda: ["/tmp/clone/.venv", "/usr"])
    assert launcher._sandbox_scratch() == launcher.SANDBOX_SCRATCH_BESIDE
    monkeypatch.setattr(launcher, "_python_roots", lambda: ["/opt/venv", "/usr"])
    assert launcher._sandbox_scratch() == launcher.SANDBOX_WORKDIR


def test_a_worker_imports_modules_the_fork_server_never_loaded():
    from grader.sandbox.launcher import Limits
    from grader.sandbox.submission import Submission
    source = "def f():\n    import numpy.polynomial, glob, fractions\n    return 1\n"
    with Submission(source, module="m", filename="/submission/m.py", signatures={"f": []},
                    limits=Limits()) as student:
        assert student.f() == 1
