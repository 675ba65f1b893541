"""An attacker graded just before an honest student changes nothing of the honest result.

Whatever one worker does (to the fork server's memory, its signals, the scratch space,
the pipes), each honest student's results.json is byte for byte what it is in the same
class without attackers: in one grading process (``--jobs 1``, where each attacker is
graded immediately before the honest student that follows it) and with ``--jobs 2``.
"""
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode
from grader.batch.grade import grade_batch
from grader.sandbox.launcher import Limits

HOSTILE = Path(__file__).resolve().parent / "hostile"
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)
CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
HONEST = {
    "correct": CORRECT,
    "wrong": CORRECT.replace("return float(cost + penalty)", "return 0.5 * float(cost + penalty)", 1),
    "sigmoid_only": "import numpy as np\n\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
}
ATTACKS = ["proc_mem_write.py", "kill_fork_server.py", "leave_files_behind.py",
           "stop_reading_callbacks.py", "fork_bomb.py", "patch_builtins_and_modules.py",
           "orphan_child.py", "write_other_results.py", "exits_early.py"]


def write_student(folder: Path, name: str, source: str) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "regularization.py").write_text(source)


def honest_results(out: Path) -> dict[str, bytes]:
    return {p.name: (p / "results.json").read_bytes() for p in sorted(out.iterdir())
            if p.is_dir() and "honest" in p.name}


@pytest.fixture(scope="module", params=ISOLATION_MODES)
def clean_class(request, tmp_path_factory):
    """In each mode, the honest students' results in a class without attackers."""
    with grading_mode(request.param):
        folder = tmp_path_factory.mktemp(f"clean-class-{request.param}")
        for index, (name, source) in enumerate(HONEST.items()):
            write_student(folder / "submissions", f"s{2 * index + 1}_honest_{name}", source)
        grade_batch(folder / "submissions", folder / "out", ROOT, jobs=1, progress=False,
                    limits=LIMITS)
        yield honest_results(folder / "out")


@settings(max_examples=2, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(attackers=st.lists(st.sampled_from(ATTACKS), min_size=len(HONEST), max_size=len(HONEST),
                          unique=True))
def test_honest_students_after_attackers_get_their_clean_results(clean_class, attackers):
    folder = Path(tempfile.mkdtemp(prefix="attacked-class-"))
    try:
        for index, (attack, (name, source)) in enumerate(zip(attackers, HONEST.items())):
            write_student(folder / "submissions", f"s{2 * index}_attacker", (HOSTILE / attack).read_text())
            write_student(folder / "submissions", f"s{2 * index + 1}_honest_{name}", source)
        for jobs in (1, 2):
            out = folder / f"out_jobs{jobs}"
            grade_batch(folder / "submissions", out, ROOT, jobs=jobs, progress=False, limits=LIMITS)
            assert honest_results(out) == clean_class, f"--jobs {jobs} after {attackers}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
