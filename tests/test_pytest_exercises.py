"""`pytest exercises/<topic>`, what students and instructors type first, grades like `grader check`."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

TOPIC = "regularization"
REFERENCE = (ROOT / "solutions" / TOPIC / f"{TOPIC}.py").read_text()
# The reference with the penalty forgotten in linear_cost: a realistic partly wrong file.
NO_PENALTY = REFERENCE.replace("return float(residual @ residual / (2 * m) + lam / (2 * m) * (w @ w))",
                               "return float(residual @ residual / (2 * m))")


@pytest.fixture
def course(tmp_path) -> Path:
    """A course folder as a student has it: exercises/ and the project file, no solutions."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _pytest(course: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT)}  # this checkout's grader, not an installed one
    # In CI (CI=true) pytest repeats every failure's message in its summary; these tests count
    # messages as a student's terminal shows them.
    env = {name: value for name, value in env.items() if name not in ("CI", "BUILD_NUMBER")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=cwd or course, env=env,
                          capture_output=True, text=True, timeout=300)


def _counts(output: str) -> dict[str, int]:
    summary = output.strip().splitlines()[-1]
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}


def _check(course: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "--course", str(course), "check", TOPIC, str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_pytest_passes_every_public_test_on_the_reference_put_in_place_of_the_stub(course):
    (course / "exercises" / TOPIC / f"{TOPIC}.py").write_text(REFERENCE)
    result = _pytest(course, f"exercises/{TOPIC}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 10}
    assert f"{TOPIC}: 12/12 points on the public tests" in result.stdout


def test_pytest_on_the_stub_gives_failures_saying_what_is_missing_not_errors(course):
    result = _pytest(course, f"exercises/{TOPIC}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert _counts(result.stdout) == {"failed": 10}
    assert result.stdout.count("is not implemented yet (it raises NotImplementedError)") == 10
    assert "fixture 'student' not found" not in result.stdout


def test_pytest_inside_the_topic_folder_grades_the_file_there(course):
    folder = course / "exercises" / TOPIC
    (folder / f"{TOPIC}.py").write_text(REFERENCE)
    result = _pytest(course, cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 10}


def test_pytest_grades_the_file_given_with_submission(course):
    result = _pytest(course, f"exercises/{TOPIC}", "--submission",
                     str(FIXTURES / TOPIC / "correct_loops.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 10}


def test_pytest_fails_the_tests_grader_check_fails_with_its_points_and_hints(course, tmp_path):
    wrong = tmp_path / f"{TOPIC}.py"
    wrong.write_text(NO_PENALTY)
    checked = _check(course, wrong)
    result = _pytest(course, f"exercises/{TOPIC}", "--submission", str(wrong))
    failed_in_check = re.findall(r"^  FAIL  (.*)  \[", checked.stdout, flags=re.M)
    assert failed_in_check and _counts(result.stdout) == {"failed": len(failed_in_check),
                                                          "passed": 10 - len(failed_in_check)}
    for description in failed_in_check:
        assert description in result.stdout
    points = re.search(r"(\d+)/12 points", checked.stdout).group(1)
    assert f"{TOPIC}: {points}/12 points on the public tests" in result.stdout
    hints = [line.strip() for line in checked.stdout.splitlines() if line.strip().startswith("hint: ")]
    assert hints and all(hint in result.stdout for hint in hints)


def test_pytest_on_a_file_that_does_not_load_gives_failures_not_errors(course, tmp_path):
    broken = tmp_path / f"{TOPIC}.py"
    broken.write_text("def linear_cost(X, y, w, b, lam)\n    return 0\n")
    result = _pytest(course, f"exercises/{TOPIC}", "--submission", str(broken))
    assert result.returncode == 1, result.stdout + result.stderr
    assert _counts(result.stdout) == {"failed": 10}
    assert result.stdout.count("not run: your file has a syntax error at line 1") == 10


@pytest.fixture
def instructor_course(tmp_path) -> Path:
    """A course folder as an instructor has it: exercises/, solutions/ and the project file."""
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _hidden_outcomes(path: Path) -> dict[str, bool]:
    from grader.course.topics import get_topic
    from grader.grading.runner import grade_file

    result = grade_file(get_topic(ROOT, TOPIC), path, public=False)
    return {o.name: o.passed for o in result.outcomes}


def test_the_plugin_is_registered_through_the_packages_entry_points():
    from importlib.metadata import entry_points

    assert "grader.pytest_plugin" in [e.value for e in entry_points(group="pytest11")]


def test_pytest_solutions_passes_every_hidden_test_on_the_reference(instructor_course):
    result = _pytest(instructor_course, f"solutions/{TOPIC}")
    assert result.returncode == 0, result.stdout + result.stderr
    hidden = len(_hidden_outcomes(ROOT / "solutions" / TOPIC / f"{TOPIC}.py"))
    assert _counts(result.stdout) == {"passed": hidden}
    assert re.search(rf"^{TOPIC}: (\d+)/\1 points on the hidden tests\.$", result.stdout, flags=re.M)


def test_pytest_solutions_fails_the_hidden_tests_grading_fails(instructor_course, tmp_path):
    wrong = tmp_path / f"{TOPIC}.py"
    wrong.write_text(NO_PENALTY)
    graded = _hidden_outcomes(wrong)
    result = _pytest(instructor_course, f"solutions/{TOPIC}", "--submission", str(wrong), "-rf")
    failed = set(re.findall(r"^FAILED \S+::(test_\w+)", result.stdout, flags=re.M))
    assert failed and failed == {name for name, passed in graded.items() if not passed}


def test_without_the_installed_plugin_the_course_conftest_stands_in(course):
    (course / "exercises" / TOPIC / f"{TOPIC}.py").write_text(REFERENCE)
    result = _pytest(course, f"exercises/{TOPIC}", "-p", "no:grader")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 10}
    assert f"{TOPIC}: 12/12 points on the public tests" in result.stdout
