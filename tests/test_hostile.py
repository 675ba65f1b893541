"""Hostile and broken submissions: none gets more than its honest twin, none touches
another student's grade, the batch always finishes, and no process is left behind.

The whole suite runs twice: under bubblewrap (where installed) and in the fallback
(plainly limited process), where the reports must say which protections are absent.
"""
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode, student_processes
from grader.batch.grade import grade_batch
from grader.sandbox.launcher import Limits

HOSTILE = Path(__file__).resolve().parent / "hostile"
CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
HONEST_WRONG = CORRECT.replace("return float(cost + penalty)", "return 0.5 * float(cost + penalty)", 1)
# Every hostile file that defines a correct function defines only sigmoid correctly;
# its honest twin is a file with just that sigmoid.
HONEST_TWIN = '''import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''
# Where an attack's functions return genuine plain values, its honest twin returns the same.
TWIN_EXTRAS = {
    "always_equal_objects.py": "\n\ndef linear_cost(X, y, w, b, lam):\n    return -1.0\n",
    "patch_numpy.py": "\n\ndef linear_cost(X, y, w, b, lam):\n    return 42.0\n\n\n"
                      "def linear_gradient(X, y, w, b, lam):\n    return np.zeros_like(w), 0.0\n",
}
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)

# attack file -> phrases its report must show
EXPECTED_MESSAGES = {
    "import_infinite_loop.py": ["did not finish loading your file within"],
    "function_infinite_loop.py": ["linear_cost did not return within"],
    "sleep_forever.py": ["linear_gradient did not return within"],
    "ignore_sigterm.py": ["logistic_cost did not return within"],
    "allocate_tens_of_gib.py": ["MemoryError"],
    # Without a tmpfs of its own (no CAP_SYS_ADMIN) a worker's folder is read-only.
    "huge_file.py": [("File too large", "Permission denied")],
    "flood_stdout.py": ["File too large"],
    "fork_bomb.py": ["does not allow os.fork"],
    "orphan_child.py": ["does not allow subprocess.Popen", "does not allow os.posix_spawn"],
    "read_secrets.py": ["linear_cost raised RuntimeError: found"],
    "write_other_results.py": [],
    "patch_numpy.py": ["linear_cost is wrong"],
    "patch_builtins_and_modules.py": [],
    "fake_protocol_output.py": ["linear_cost stopped the grader's worker"],
    "always_equal_objects.py": ["cannot accept"],
    "huge_return.py": ["MiB"],
    "exits_early.py": ["ended the process", "sys.exit", "KeyboardInterrupt", "Sneaky"],
    "exit_at_import.py": ["importing your file raised SystemExit", "sys.exit"],
    "network.py": ["does not allow socket"],
    "missing_module.py": ["ModuleNotFoundError"],
    "ctypes_escape.py": ["does not allow ctypes"],
    "empty_file.py": ["is empty"],
    "binary_file.py": ["is a binary file"],
    "non_utf8.py": ["is not UTF-8"],
    "not_json.ipynb": ["is not a readable notebook"],
    "hundred_megabytes.py": ["submissions are limited to 1 MB"],
}
SECRETS = ("solutions", "_hidden", "results.json", "grades.csv", "regularization/regularization.py")


def student_name(attack: str) -> str:
    return "attacker_" + attack.split(".")[0]


def twin_name(attack: str) -> str:
    return "honest_twin_of_" + attack.split(".")[0] if attack in TWIN_EXTRAS else "honest_twin"


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def build_class(folder: Path) -> Path:
    for attack in EXPECTED_MESSAGES:
        target = folder / student_name(attack)
        target.mkdir(parents=True)
        name = "regularization" + Path(attack).suffix
        if attack == "hundred_megabytes.py":
            (target / name).write_text("# padding\n" * 10_000_000)
        else:
            shutil.copy(HOSTILE / attack, target / name)
    honest = {"honest_correct": CORRECT, "honest_wrong": HONEST_WRONG, "honest_twin": HONEST_TWIN}
    honest |= {twin_name(attack): HONEST_TWIN + extra for attack, extra in TWIN_EXTRAS.items()}
    for student, source in honest.items():
        (folder / student).mkdir()
        (folder / student / "regularization.py").write_text(source)
    return folder


def leftover_processes() -> list[str]:
    return student_processes(below=os.getpid())


@pytest.fixture(scope="module", params=ISOLATION_MODES)
def attacked_batch(request, tmp_path_factory):
    with grading_mode(request.param) as isolation:
        root = tmp_path_factory.mktemp(request.param)
        submissions = build_class(root / "submissions")
        out = root / "out"
        solutions_before = tree_digest(ROOT / "solutions" / "regularization")
        rows = grade_batch(submissions, out, ROOT, jobs=2, progress=False, limits=LIMITS)
        clean = root / "clean"
        for student in ("honest_correct", "honest_wrong", "honest_twin"):
            shutil.copytree(submissions / student, clean / "submissions" / student)
        clean_rows = grade_batch(clean / "submissions", clean / "out", ROOT, progress=False,
                                 limits=LIMITS)
        yield {"mode": request.param, "isolation": isolation, "out": out, "clean": clean / "out",
               "rows": {r["student"]: r for r in rows},
               "clean_rows": {r["student"]: r for r in clean_rows},
               "solutions_before": solutions_before}


def report(batch, student: str) -> dict:
    return json.loads((batch["out"] / student / "results.json").read_text())


def test_the_batch_finishes_with_a_row_for_every_student(attacked_batch):
    assert len(attacked_batch["rows"]) == len(EXPECTED_MESSAGES) + 3 + len(TWIN_EXTRAS)


@pytest.mark.parametrize("attack", sorted(EXPECTED_MESSAGES))
def test_no_attack_scores_more_than_its_honest_twin(attacked_batch, attack):
    twin = attacked_batch["rows"][twin_name(attack)]["total"]
    assert attacked_batch["rows"][student_name(attack)]["total"] <= twin


@pytest.mark.parametrize("attack", sorted(EXPECTED_MESSAGES))
def test_each_attack_gets_a_clear_message(attacked_batch, attack):
    data = report(attacked_batch, student_name(attack))
    text = data["output"] + "\n".join(t["output"] for t in data["tests"])
    for phrase in EXPECTED_MESSAGES[attack]:
        alternatives = phrase if isinstance(phrase, tuple) else (phrase,)
        assert any(p in text for p in alternatives), f"{attack}: {phrase!r} not in report"


def test_honest_students_get_exactly_what_they_get_in_a_clean_batch(attacked_batch):
    for student in ("honest_correct", "honest_wrong", "honest_twin"):
        attacked = (attacked_batch["out"] / student / "results.json").read_text()
        clean = (attacked_batch["clean"] / student / "results.json").read_text()
        assert attacked == clean
    assert attacked_batch["rows"]["honest_correct"]["total"] == \
        attacked_batch["rows"]["honest_correct"]["max_total"]


def test_the_gradebook_is_the_graders_own(attacked_batch):
    lines = (attacked_batch["out"] / "grades.csv").read_text().splitlines()
    assert lines[0] == "student_id,regularization,total,max_total"
    assert not any("1000" in line for line in lines)
    assert len(lines) == len(attacked_batch["rows"]) + 1


def test_solutions_are_unchanged(attacked_batch):
    assert tree_digest(ROOT / "solutions" / "regularization") == attacked_batch["solutions_before"]


def test_nothing_secret_is_found_by_searching_the_file_system(attacked_batch):
    text = json.dumps(report(attacked_batch, "attacker_read_secrets"))
    found = text.split("found [", 1)[1].split("]", 1)[0] if "found [" in text else ""
    assert not any(secret in found for secret in SECRETS), found


def test_no_process_is_left_behind(attacked_batch):
    assert leftover_processes() == []


def test_reports_say_which_protections_are_absent(attacked_batch):
    output = report(attacked_batch, "honest_correct")["output"]
    assert "Isolation: " + attacked_batch["isolation"].mode in output
    if attacked_batch["mode"] == "fallback":
        assert "Not available here:" in output and "file-system isolation" in output
