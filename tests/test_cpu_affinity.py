"""A grading process and its sandboxed workers keep to one CPU (``grader.sandbox.cpu``): each
round trip to a worker is then a context switch, not a cross-CPU wake-up. Each check runs in
a fresh Python, so that pytest's own process is never pinned."""
import json
import os
import subprocess
import sys

from conftest import ROOT

ALLOWED = sorted(os.sched_getaffinity(0))


def _run(code: str):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_process_kept_to_the_nth_cpu_runs_on_that_cpu_only():
    cpu, affinity = _run("import json, os; from grader.sandbox.cpu import keep_to_one_cpu; "
                         "cpu = keep_to_one_cpu(1); print(json.dumps([cpu, sorted(os.sched_getaffinity(0))]))")
    assert cpu == ALLOWED[1 % len(ALLOWED)]
    assert affinity == [cpu]


def test_without_an_index_a_process_keeps_to_a_cpu_it_may_use():
    cpu, affinity = _run("import json, os; from grader.sandbox.cpu import keep_to_one_cpu; "
                         "cpu = keep_to_one_cpu(); print(json.dumps([cpu, sorted(os.sched_getaffinity(0))]))")
    assert cpu in ALLOWED
    assert affinity == [cpu]


def test_a_sandboxed_worker_started_afterwards_runs_on_the_same_cpu():
    code = """
import json, os
from grader.sandbox.cpu import keep_to_one_cpu
from grader.sandbox.submission import Submission
cpu = keep_to_one_cpu(0)
source = "import os\\ndef cpus():\\n    return sorted(os.sched_getaffinity(0))\\n"
with Submission(source, module="m", filename="/submission/m.py", signatures={"cpus": []}) as student:
    print(json.dumps([cpu, student.cpus()]))
"""
    cpu, worker_cpus = _run(code)
    assert worker_cpus == [cpu]


def test_a_batchs_grading_processes_are_numbered_in_turn_each_to_its_own_cpu():
    code = """
import json, multiprocessing, os
from grader.batch.grade import _grading_process
started = multiprocessing.get_context("spawn").Value("i", 0)
seen = []
for _ in range(2):
    _grading_process(started)
    seen.append(sorted(os.sched_getaffinity(0)))
    os.sched_setaffinity(0, set(range(os.cpu_count())) & set(%r))
print(json.dumps(seen))
""" % ALLOWED
    assert _run(code) == [[ALLOWED[0]], [ALLOWED[1 % len(ALLOWED)]]]


def test_a_command_run_in_the_callers_process_leaves_its_affinity_as_it_found_it():
    code = """
import contextlib, io, json, os
from grader.cli import main
before = sorted(os.sched_getaffinity(0))
with contextlib.redirect_stdout(io.StringIO()):
    main(["check", "regularization", "tests/fixtures/regularization/correct_loops.py"])
print(json.dumps([before, sorted(os.sched_getaffinity(0))]))
"""
    before, after = _run(code)
    assert after == before == ALLOWED


def test_while_a_command_grades_its_process_keeps_to_one_cpu():
    code = """
import json, os
from grader.sandbox.cpu import on_one_cpu
with on_one_cpu() as cpu:
    inside = sorted(os.sched_getaffinity(0))
print(json.dumps([cpu, inside]))
"""
    cpu, inside = _run(code)
    assert inside == [cpu] and cpu in ALLOWED


def test_a_process_kept_to_one_cpu_sends_no_calls_ahead():
    # A call answered ahead would share the one CPU with the test: it could take longer than
    # the same call live. On every CPU the same grading does send planned calls ahead.
    code = """
import json, tempfile
from pathlib import Path
from grader.course.topics import get_topic
from grader.grading import runner
from grader.sandbox import submission
from grader.sandbox.cpu import keep_to_one_cpu
planned, expect = [], submission.Submission.expect_calls
def noting(self, calls):
    planned.append(bool(calls))
    return expect(self, calls)
submission.Submission.expect_calls = noting
topic = get_topic(Path("."), "regularization")
plans = Path(tempfile.mkdtemp())
seen = []
for pin in (False, True):
    if pin:
        keep_to_one_cpu(0)
    planned.clear()
    runner.grade_file(topic, topic.reference, hidden=False, plans=plans)
    seen.append(any(planned))
print(json.dumps(seen))
"""
    assert _run(code) == [len(ALLOWED) > 1, False]
