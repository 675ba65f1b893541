"""Batch grading: every student gets results.json and report.html, the class gets grades.csv,
and no student's failure touches another's grade."""
import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from grader.batch.grade import BatchError, grade_batch

CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
PATCHING = '''
import numpy as np
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda *a, **k: np.True_
np.array_equal = lambda *a, **k: True
import builtins
builtins.abs = lambda x: 0.0
''' + CORRECT.replace("return float(cost + penalty)", "return 123.0")
HONEST_WRONG = CORRECT.replace("return float(cost + penalty)", "return 123.0")


def make_class(folder: Path, files: dict[str, str | None]) -> Path:
    for student, source in files.items():
        (folder / student).mkdir(parents=True)
        if source is not None:
            (folder / student / "regularization.py").write_text(source)
    return folder


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    submissions = make_class(root / "submissions", {
        "ada": CORRECT, "bo": "def linear_cost(:\n", "cy": None, "di": PATCHING, "ed": HONEST_WRONG,
        "fay": "import os\nos._exit(0)\n", "gus": CORRECT.replace("return w, b, history", "while True: pass"),
    })
    out = root / "out"
    rows = grade_batch(submissions, out, ROOT, jobs=2, progress=False)
    return out, {row["student"]: row for row in rows}


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def test_every_student_gets_results_and_a_report(graded_class):
    out, rows = graded_class
    assert sorted(rows) == ["ada", "bo", "cy", "di", "ed", "fay", "gus"]
    for student in rows:
        assert (out / student / "results.json").is_file()
        assert "<html" in (out / student / "report.html").read_text()


def test_a_correct_submission_gets_full_marks_in_the_batch(graded_class):
    out, rows = graded_class
    assert rows["ada"]["total"] == rows["ada"]["max_total"] > 0


def test_broken_submissions_score_zero_with_a_clear_message(graded_class):
    out, rows = graded_class
    assert rows["bo"]["total"] == rows["cy"]["total"] == rows["fay"]["total"] == 0
    assert "syntax error at line 1" in results(out, "bo")["output"]
    assert "no file regularization.py" in results(out, "cy")["output"]
    assert "ended the process" in results(out, "fay")["output"]


def test_a_function_that_never_returns_costs_only_its_own_tests(graded_class):
    out, rows = graded_class
    failed = [t for t in results(out, "gus")["tests"] if t["status"] == "failed"]
    assert failed and all("gradient_descent" in t["extra_data"]["test"] for t in failed)
    assert any("did not return within" in t["output"] for t in failed)


def test_patching_numpy_and_builtins_does_not_raise_a_score(graded_class):
    out, rows = graded_class
    assert rows["di"]["total"] == rows["ed"]["total"] < rows["ada"]["total"]


def test_results_json_follows_the_gradescope_schema(graded_class):
    out, _ = graded_class
    data = results(out, "ed")
    assert set(data) >= {"score", "max_score", "output", "tests", "visibility"}
    assert data["score"] == sum(t["score"] for t in data["tests"])
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility", "extra_data"}
        assert test["status"] in ("passed", "failed")
        assert test["extra_data"]["topic"] == "regularization"
        assert test["visibility"] in ("visible", "after_published")


def test_each_test_entry_carries_its_description_for_the_class_report(graded_class):
    out, _ = graded_class
    for test in results(out, "ed")["tests"]:
        assert test["name"] == f"regularization: {test['extra_data']['description']}"


def test_hidden_tests_never_show_expected_values(graded_class):
    out, _ = graded_class
    hidden_failures = [t for t in results(out, "ed")["tests"]
                       if t["extra_data"]["hidden"] and t["status"] == "failed"]
    assert hidden_failures
    for test in hidden_failures:
        assert "expected" not in test["output"] and "Details" not in test["output"]


def test_gradebook_has_one_row_per_student_and_the_spec_columns(graded_class):
    out, rows = graded_class
    with open(out / "grades.csv", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == ["student_id", "regularization", "total", "max_total"]
    assert [r[0] for r in table[1:]] == sorted(rows)
    ada = dict(zip(table[0], next(r for r in table[1:] if r[0] == "ada")))
    assert float(ada["total"]) == float(ada["max_total"]) == rows["ada"]["max_total"]


def test_grading_twice_gives_identical_results_json(graded_class, tmp_path):
    out, _ = graded_class
    submissions = make_class(tmp_path / "again", {"ed": HONEST_WRONG, "ada": CORRECT})
    grade_batch(submissions, tmp_path / "out", ROOT, progress=False)
    for student in ("ed", "ada"):
        assert (tmp_path / "out" / student / "results.json").read_text() == \
            (out / student / "results.json").read_text()


def test_resume_keeps_finished_students_and_grades_the_rest(tmp_path):
    submissions = make_class(tmp_path / "s", {"ann": CORRECT, "ben": HONEST_WRONG})
    out = tmp_path / "out"
    grade_batch(submissions, out, ROOT, progress=False)
    marker = (out / "ann" / "results.json").stat().st_mtime_ns
    shutil.rmtree(out / "ben")
    rows = grade_batch(submissions, out, ROOT, progress=False, resume=True)
    assert (out / "ann" / "results.json").stat().st_mtime_ns == marker
    assert (out / "ben" / "results.json").is_file()
    assert {r["student"] for r in rows} == {"ann", "ben"}


def test_missing_submissions_folder_is_a_batch_error(tmp_path):
    with pytest.raises(BatchError, match="not found"):
        grade_batch(tmp_path / "nowhere", tmp_path / "out", ROOT, progress=False)


def test_unknown_topic_is_a_batch_error(tmp_path):
    submissions = make_class(tmp_path / "s", {"ann": CORRECT})
    with pytest.raises(BatchError, match="unknown topic nope"):
        grade_batch(submissions, tmp_path / "out", ROOT, topics=["nope"], progress=False)


def test_output_inside_the_submissions_folder_is_refused(tmp_path):
    submissions = make_class(tmp_path / "s", {"ann": CORRECT})
    with pytest.raises(BatchError, match="must not be inside"):
        grade_batch(submissions, submissions / "out", ROOT, progress=False)


def test_an_interrupted_batch_leaves_only_whole_files_and_resumes(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    slow = CORRECT.replace("return w, b, history", "while True: pass")
    submissions = make_class(tmp_path / "s", {f"s{i:02d}": (slow if i % 2 else CORRECT) for i in range(8)})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(out),
               "--no-progress", "--call-timeout", "1"]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*/results.json"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = sorted(out.glob("*/results.json"))
    assert 2 <= len(finished) < 8
    for path in finished:
        json.loads(path.read_text())  # never half a file
    before = {p.parent.name: p.stat().st_mtime_ns for p in finished if (p.parent / "report.html").exists()}
    resumed = subprocess.run(command + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert len(list(out.glob("*/results.json"))) == 8
    assert not list(out.glob("*/.*.tmp"))
    for student, mtime in before.items():
        assert (out / student / "results.json").stat().st_mtime_ns == mtime


def test_output_inside_the_course_solutions_is_refused(tmp_path):
    submissions = make_class(tmp_path / "s", {"ann": CORRECT})
    with pytest.raises(BatchError, match="must not be the course folder or inside"):
        grade_batch(submissions, ROOT / "solutions" / "out", ROOT, progress=False)
