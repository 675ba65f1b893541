"""The kernel, not the audit hook, keeps workers from the grader and from each other.

Every test runs under bubblewrap (where it works) and in the fallback; ``scripts/test``
runs this module again under ``capsh --drop=cap_sys_admin``, where bubblewrap runs in a
user namespace and the fallback cannot mount, as in a default Docker container.
"""
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode
from grader.batch.grade import grade_batch
from grader.course.topics import get_topic
from grader.grading.runner import grade_file
from grader.sandbox.launcher import Limits
from grader.sandbox.submission import StudentUnavailable, Submission

HOSTILE = Path(__file__).resolve().parent / "hostile"
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)
CORRECT = FIXTURES / "regularization" / "correct_vectorized.py"
# Each attack defines sigmoid correctly, and nothing else of its own.
TWIN = """import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
"""


@pytest.fixture(params=ISOLATION_MODES)
def isolation_mode(request):
    with grading_mode(request.param) as isolation:
        yield isolation


def probe_results(monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("GRADER_TEST_NO_AUDIT_HOOK", "1")  # only the kernel stands in the way
    from grader.sandbox import launcher as sandbox
    sandbox.stop_servers()
    source = (HOSTILE / "kernel_probe.py").read_text()
    with Submission(source, module="probe", filename="/submission/probe.py",
                    signatures={"probe": ["course"]}, limits=LIMITS) as student:
        lines = student.probe(str(ROOT))
    sandbox.stop_servers()  # no server without the audit hook outlives this test
    return dict(line.split(": ", 1) for line in lines)


ATTEMPTS = ["open parent's mem through dir_fd", "open parent's mem", "read parent's environ",
            "ptrace attach parent", "process_vm_readv parent", "kcmp", "perf_event_open",
            "pidfd_open parent", "signal parent", "signal every process", "unshare user namespace",
            "unshare mount namespace", "mount", "bpf", "exec", "fork", "internet socket",
            "unix socket", "socket pair",
            "drop a library's pages from the page cache", "ask whether a library's page is cached", "read the reference", "read the reference through dir_fd",
            "write into the course", "see other processes", "read a command line naming the course",
            "SysV shared memory", "SysV message queue", "SysV semaphore", "memory file past the memory limit",
            "read a device beyond null, zero, full and random"]


@pytest.fixture
def probed(isolation_mode, monkeypatch):
    assert "seccomp filter" in isolation_mode.summary().split("Not available")[0], \
        "libseccomp's Python bindings are missing: run scripts/install (Debian python3-seccomp)"
    return probe_results(monkeypatch)


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_kernel_refuses_a_worker_without_its_audit_hook(probed, attempt):
    assert probed[attempt].startswith("refused"), f"{attempt}: {probed[attempt]}"


def test_nothing_was_planted_in_the_course():
    assert not (ROOT / "planted.txt").exists()


def graded(folder: Path, jobs: int = 1) -> dict[str, dict]:
    out = folder.parent / (folder.name + "_out")
    grade_batch(folder, out, ROOT, jobs=jobs, progress=False, limits=LIMITS)
    return {p.name: json.loads((p / "results.json").read_text())
            for p in sorted(out.iterdir()) if (p / "results.json").is_file()}


def make_class(folder: Path, students: dict[str, Path | str]) -> Path:
    for name, source in students.items():
        (folder / name).mkdir(parents=True)
        text = source.read_text() if isinstance(source, Path) else source
        (folder / name / "regularization.py").write_text(text)
    return folder


def output_of(results: dict) -> str:
    return results["output"] + "\n".join(t["output"] for t in results["tests"])


def test_writing_into_the_fork_servers_memory_changes_nothing_for_the_next_student(
        isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a_attacker": HOSTILE / "proc_mem_write.py",
                                                     "b_honest": CORRECT}))
    assert results["b_honest"]["score"] == results["b_honest"]["max_score"] == 40


def test_killing_the_fork_server_from_inside_changes_nothing_for_the_next_student(
        isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a_attacker": HOSTILE / "kill_fork_server.py",
                                                     "b_honest": CORRECT, "c_twin": TWIN}))
    assert results["b_honest"]["score"] == 40
    assert results["a_attacker"]["score"] <= results["c_twin"]["score"]


def test_files_left_in_a_read_only_folder_are_gone_for_the_next_student(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {
        "a_writer": HOSTILE / "leave_files_behind.py",
        "b_reader": HOSTILE / "look_for_files_left_behind.py"}))
    text = output_of(results["b_reader"])
    assert "found [" in text
    assert "left_by_previous_student" not in text


def test_a_worker_that_stops_reading_the_graders_answers_fails_that_call_only(
        isolation_mode, tmp_path):
    started = time.monotonic()
    results = graded(make_class(tmp_path / "class", {
        "a_attacker": HOSTILE / "stop_reading_callbacks.py", "b_honest": CORRECT}))
    assert time.monotonic() - started < 120  # the grader never blocks on a full pipe
    assert "gradient_descent stopped reading the grader's answers" in output_of(results["a_attacker"])
    assert results["b_honest"]["score"] == 40


def test_the_reference_cannot_be_read_through_a_dir_fd(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {
        "attacker": HOSTILE / "read_reference_through_dir_fd.py", "twin": TWIN}))
    assert results["attacker"]["score"] <= results["twin"]["score"]


def _fork_servers_below(pid: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"forkserver.py" in command:
            found.append(int(entry))
    return found


def test_an_honest_student_whose_fork_server_dies_is_graded_again_on_a_fresh_one(
        isolation_mode, tmp_path):
    """A real failure of the sandbox (here: its server killed from outside mid-topic)."""
    slow = tmp_path / "regularization.py"
    slow.write_text("import time\ntime.sleep(1.5)\n" + CORRECT.read_text())
    topic = get_topic(ROOT, "regularization")
    from grader.sandbox import launcher as sandbox
    sandbox.stop_servers()
    killed = []

    def kill_the_server_once():
        deadline = time.monotonic() + 20
        while not killed and time.monotonic() < deadline:
            servers = _fork_servers_below(os.getpid())
            if servers:
                time.sleep(1.0)  # the server is up and its worker is loading (sleeping 1.5 s)
                for pid in servers:
                    os.killpg(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_server_once)
    killer.start()
    try:
        result = grade_file(topic, slow, limits=LIMITS)
    finally:
        killer.join()
    assert killed
    assert result.score == result.max_score == 40
    assert len(result.sandbox_failures) == 1


def test_no_command_line_in_the_sandbox_names_the_course(isolation_mode):
    from grader.sandbox import launcher as sandbox
    server = sandbox._take_server()
    try:
        command = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    finally:
        sandbox._idle_servers.append(server)
    if isolation_mode.mode.startswith("bubblewrap"):
        assert str(ROOT).encode() not in command



def test_ipc_objects_of_one_worker_are_gone_for_the_next(isolation_mode, tmp_path, monkeypatch):
    from grader.sandbox import launcher as sandbox
    monkeypatch.setenv("GRADER_TEST_NO_AUDIT_HOOK", "1")  # ctypes allowed: only the kernel refuses
    sandbox.stop_servers()
    results = graded(make_class(tmp_path / "class", {"a_writer": HOSTILE / "ipc_leave_behind.py",
                                                     "b_reader": HOSTILE / "ipc_read_previous.py"}))
    sandbox.stop_servers()
    text = output_of(results["b_reader"])
    assert "SHM: nothing found" in text
    assert "left by the previous student" not in text


def test_a_worker_cannot_fill_the_disk(isolation_mode, tmp_path):
    text = output_of(graded(make_class(tmp_path / "class", {"a": HOSTILE / "fill_the_disk.py"}))["a"])
    written = int(text.split("DISK: ", 1)[1].split(" MiB", 1)[0])
    assert written <= 64 and "no limit met" not in text


def test_a_hidden_test_shows_no_text_the_students_code_made(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "hidden_values_in_exception.py"}))
    hidden = [t for t in results["a"]["tests"] if t["visibility"] != "visible"]
    assert hidden and not any("LEAK" in t["output"] for t in hidden)
    report = (tmp_path / "class_out" / "a" / "report.html").read_text()
    leaked = "LEAK X=["  # the message with values; the source line reads "LEAK X={X.tolist()}"
    shown_publicly = sum(t["output"].count(leaked) for t in results["a"]["tests"] if t not in hidden)
    assert report.count(leaked) <= shown_publicly


def test_a_hidden_test_names_no_exception_class_or_traceback_the_students_code_made(
        isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "hidden_inputs_in_exception_class.py"}))
    hidden = [t for t in results["a"]["tests"] if t["visibility"] != "visible"]
    assert hidden and not any("INPUTS" in t["output"] for t in hidden)
    assert any("raised an exception of a class of its own" in t["output"] for t in hidden)
    assert any("INPUTS" in t["output"] for t in results["a"]["tests"] if t not in hidden)  # public: in full


def test_a_hidden_test_shows_no_warning_text_the_students_code_wrote(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "hidden_inputs_in_a_warning.py"}))
    hidden = [t for t in results["a"]["tests"] if t["visibility"] != "visible"]
    assert any("sigmoid raised a warning" in t["output"] for t in hidden)
    assert not any("INPUTS" in t["output"] for t in hidden)


def test_a_hidden_test_shows_nothing_of_a_reply_the_grader_could_not_read(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "hidden_inputs_in_a_garbled_reply.py"}))
    hidden = [t for t in results["a"]["tests"] if t["visibility"] != "visible"]
    assert any("the grader could not read its reply." in t["output"] for t in hidden)
    assert not any("INPUTS" in t["output"] for t in hidden)
    assert any("INPUTS" in t["output"] for t in results["a"]["tests"] if t not in hidden)  # public: in full


def test_a_hidden_test_names_no_shape_of_sizes_the_test_does_not_use(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "hidden_inputs_in_a_shape.py"}))
    hidden = [t for t in results["a"]["tests"] if t["visibility"] != "visible"]
    assert any("a shape of other sizes" in t["output"] for t in hidden)
    assert not [t["output"] for t in hidden if "424242" in t["output"]]
    assert any("424242" in t["output"] for t in results["a"]["tests"] if t not in hidden)  # public: in full


def test_a_callback_on_a_huge_broadcast_problem_does_not_hold_the_grader(isolation_mode, tmp_path):
    started = time.monotonic()
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "callback_cpu_stall.py",
                                                     "b_honest": CORRECT}))
    assert time.monotonic() - started < 90
    assert results["b_honest"]["score"] == 40


def test_callbacks_with_broadcasting_arguments_leave_nothing_in_the_reference_memo(
        isolation_mode, tmp_path):
    from grader.grading import memo
    from grader.grading.session import current_session
    graded(make_class(tmp_path / "class", {"a": HOSTILE / "callback_memo_growth.py"}))
    assert current_session().cached_bytes() <= memo.MAX_BYTES


def test_a_deeply_nested_frame_is_the_students_unusable_value(isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "malformed_frames.py",
                                                     "b_honest": CORRECT}))
    assert "RecursionError" not in output_of(results["a"])
    assert results["b_honest"]["score"] == 40


# Threads advance the kernel's pid counter, which a later worker reads in the ids it is given:
# from a hidden test's worker to a public test's, which shows what the student prints.
PID_COUNTER = """import os
import threading


def advance(n):
    for _ in range(int(n)):
        thread = threading.Thread(target=os.getpid)
        thread.start()
        thread.join()
    return [os.getpid(), threading.get_native_id()]
"""


def _ids_in_a_fresh_worker(threads: int) -> list:
    with Submission(PID_COUNTER, module="counter", filename="/submission/counter.py",
                    signatures={"advance": ["n"]}, limits=LIMITS) as student:
        return student.advance(threads)


def test_a_worker_reads_nothing_of_the_worker_before_it_in_its_pids(isolation_mode):
    if any(missing.startswith("a pid namespace per worker") for missing in isolation_mode.missing):
        pytest.skip(f"no pid namespace per worker here, as the report says: {isolation_mode.summary()}")
    before = _ids_in_a_fresh_worker(0)
    _ids_in_a_fresh_worker(300)
    assert _ids_in_a_fresh_worker(0) == before


def test_a_worker_past_its_cpu_limit_is_told_so_though_it_is_pid_1(isolation_mode):
    # At a namespace's pid 1 the kernel drops a signal left at its default action: SIGXCPU too.
    source = "def spin():\n    while True:\n        pass\n"
    limits = Limits(call_seconds=8.0, load_seconds=4.0, cpu_seconds=1)
    with Submission(source, module="spin", filename="/submission/spin.py", signatures={"spin": []},
                    limits=limits) as student:
        with pytest.raises(StudentUnavailable) as stopped:
            student.spin()
    assert "it used more than 1 s of CPU time" in str(stopped.value)


def test_a_worker_that_signals_itself_ends_as_a_process_does_though_it_is_pid_1(isolation_mode):
    # At pid 1 an alarm the code sets itself would be dropped and the call go on.
    source = ("import signal\nimport time\n\n\ndef stop():\n"
              "    signal.alarm(1)\n    time.sleep(1.5)\n    return 'went on'\n")
    with Submission(source, module="stop", filename="/submission/stop.py", signatures={"stop": []},
                    limits=LIMITS) as student:
        with pytest.raises(StudentUnavailable) as stopped:
            student.stop()
    assert "ended the process (signal SIGALRM" in str(stopped.value)


def test_a_cost_that_answers_a_gradient_checks_batch_otherwise_earns_no_gradient_points(
        isolation_mode, tmp_path):
    results = graded(make_class(tmp_path / "class", {"a": HOSTILE / "cost_that_knows_it_is_probed.py"}))
    own = [t for t in results["a"]["tests"] if "linear_gradient_matches_numerical_gradient_of_your_cost"
           in t["extra_data"]["test"]]
    assert own and all(t["score"] == 0 for t in own)
    assert any("when it calls it at one of them alone" in t["output"] for t in own)
    cost = [t for t in results["a"]["tests"] if t["extra_data"]["test"].startswith("test_linear_cost")]
    assert cost and all(t["score"] == t["max_score"] for t in cost)  # right wherever it is read
