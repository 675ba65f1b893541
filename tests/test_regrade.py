"""Regrading: OUT always holds the right grade of every (student, topic), never loses one and
never keeps a stale one. Each scenario ends by comparing OUT byte for byte (all but
grading.log, which holds times) with one clean grading of the final submissions."""
import csv
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from grader.batch.grade import BatchError, grade_batch, run_batch
from grader.batch.log import LOG_FILE

TOPICS = {
    "dot": {
        "stub": '"""Dot products."""\n\n\ndef dot(a, b):\n    """sum_i a_i * b_i as a float."""\n'
                '    raise NotImplementedError("dot")\n',
        "public": 'import numpy as np\nfrom grader.testing import expect_close, points\n\n\n@points(1)\n'
                  'def test_dot_of_small_vectors(student):\n    """dot([1, 2], [3, 4]) is 11."""\n'
                  '    expect_close(student.dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])), 11.0, "dot")\n',
        "hidden": 'import numpy as np\nfrom grader.testing import expect_close, points\n\n\n@points(3)\n'
                  'def test_dot_matches_reference(student, reference):\n    """dot is right on a length-5 vector."""\n'
                  '    a, b = np.arange(5.0), np.linspace(-1, 1, 5)\n'
                  '    expect_close(student.dot(a, b), reference.dot(a, b), "dot")\n',
        "reference": "import numpy as np\n\n\ndef dot(a, b):\n    return float(a @ b)\n",
    },
    "norm": {
        "stub": '"""Norms."""\n\n\ndef norm(a):\n    """The Euclidean norm of a vector, as a float."""\n'
                '    raise NotImplementedError("norm")\n',
        "public": 'import numpy as np\nfrom grader.testing import expect_close, points\n\n\n@points(1)\n'
                  'def test_norm_of_3_4(student):\n    """norm([3, 4]) is 5."""\n'
                  '    expect_close(student.norm(np.array([3.0, 4.0])), 5.0, "norm")\n',
        "hidden": 'import numpy as np\nfrom grader.testing import expect_close, points\n\n\n@points(2)\n'
                  'def test_norm_matches_reference(student, reference):\n    """norm is right on a length-5 vector."""\n'
                  '    a = np.linspace(-2, 2, 5)\n    expect_close(student.norm(a), reference.norm(a), "norm")\n',
        "reference": "import numpy as np\n\n\ndef norm(a):\n    return float(np.sqrt(a @ a))\n",
    },
}
DOT_RIGHT = "def dot(a, b):\n    return float((a * b).sum())\n"
DOT_WRONG = "def dot(a, b):\n    return float((a * b).sum() + 1)\n"
NORM_RIGHT = "import numpy as np\n\n\ndef norm(a):\n    return float(np.linalg.norm(a))\n"
NORM_WRONG = "def norm(a):\n    return float(abs(a).max() + abs(a).min() - 2)\n"  # right on [3, 4] only
# ann is right everywhere, bob gets dot wrong, cy has not handed in norm.
CLASS = {"ann": {"dot": DOT_RIGHT, "norm": NORM_RIGHT}, "bob": {"dot": DOT_WRONG, "norm": NORM_RIGHT},
         "cy": {"dot": DOT_RIGHT}}


def make_course(folder: Path, topics=("dot", "norm")) -> Path:
    for name in topics:
        add_topic(folder, name)
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder


def add_topic(course: Path, name: str) -> None:
    files = TOPICS[name]
    (course / "exercises" / name).mkdir(parents=True)
    (course / "solutions" / name).mkdir(parents=True)
    (course / "exercises" / name / f"{name}.py").write_text(files["stub"])
    (course / "exercises" / name / f"test_{name}.py").write_text(files["public"])
    (course / "solutions" / name / f"{name}.py").write_text(files["reference"])
    (course / "solutions" / name / f"test_{name}_hidden.py").write_text(files["hidden"])


def make_class(folder: Path, files: dict[str, dict[str, str]]) -> Path:
    for student, topics in files.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        for topic, source in topics.items():
            (folder / student / f"{topic}.py").write_text(source)
    return folder


def tree(out: Path) -> dict[str, bytes]:
    """Every file OUT holds, but grading.log (it has times) and temporary files."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != LOG_FILE and not p.name.endswith(".tmp")}


def _content_key(*folders: Path) -> str:
    """Every file of ``folders`` (the class with its collect.csv, the course with its
    course.toml), names and bytes."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_CLEAN: dict[str, dict[str, bytes]] = {}


def clean_grading(submissions: Path, course: Path, tmp: Path) -> dict[str, bytes]:
    """OUT of one full grading of these submissions (cached by content: the same final state
    is reached by several scenarios)."""
    key = _content_key(submissions, course)
    if key not in _CLEAN:
        out = tmp / f"clean-{key[:8]}"
        grade_batch(submissions, out, course, progress=False)
        _CLEAN[key] = tree(out)
    return _CLEAN[key]


def assert_same_as_clean(out: Path, submissions: Path, course: Path, tmp: Path) -> None:
    expected, got = clean_grading(submissions, course, tmp), tree(out)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs from a clean grading"


@pytest.fixture
def course(tmp_path) -> Path:
    return make_course(tmp_path / "course")


@pytest.fixture
def submissions(tmp_path) -> Path:
    return make_class(tmp_path / "class", CLASS)


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def table(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as stream:
        rows = list(csv.DictReader(stream))
    return {row.get("student_id") or row["Student"]: row for row in rows}


# ------------------------------------------------------------ definition of done
def test_resume_after_one_file_changed_regrades_exactly_that_pair(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    (submissions / "bob" / "dot.py").write_text(DOT_RIGHT)
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert [(s, p.topic, p.reason) for s, p in outcome.log.pairs()] == [("bob", "dot", "inputs changed")]
    assert [(s, p.before, p.after) for s, p in outcome.log.changed_scores()] == [("bob", 0.0, 4.0)]
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_resume_after_a_topic_is_added_grades_it(tmp_path, submissions):
    course = make_course(tmp_path / "course", topics=("dot",))
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    add_topic(course, "norm")
    grade_batch(submissions, out, course, resume=True, progress=False)
    assert results(out, "ann")["extra_data"]["topics"]["norm"]["score"] == 3
    canvas = list(csv.reader((out / "canvas_grades.csv").open()))
    assert canvas[1][-2:] == ["4", "3"]  # Points Possible for dot and norm
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_grading_topics_one_at_a_time_into_one_out_keeps_them_all(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, topics=["norm"], progress=False)
    grade_batch(submissions, out, course, topics=["dot"], progress=False)
    assert set(results(out, "bob")["extra_data"]["topics"]) == {"dot", "norm"}
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_resume_after_a_note_appears_beside_a_missing_topic_says_what_was_found(course, submissions,
                                                                                tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    (submissions / "cy" / "Norm (1).py").write_text(NORM_RIGHT)
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert [(s, p.topic) for s, p in outcome.log.pairs()] == [("cy", "norm")]
    assert "found Norm (1).py; expected norm.py" in results(out, "cy")["extra_data"]["topics"]["norm"]["error"]
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_grading_students_one_at_a_time_into_one_out_keeps_them_all(course, submissions, tmp_path):
    out = tmp_path / "out"
    for student in ("cy", "ann", "bob"):
        rows = grade_batch(submissions, out, course, students=[student], progress=False)
        assert [row["student"] for row in rows] == [student]
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_resume_after_a_hidden_test_changed_regrades_that_topic(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    hidden = course / "solutions" / "norm" / "test_norm_hidden.py"
    hidden.write_text(hidden.read_text().replace("@points(2)", "@points(5)"))
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert sorted((s, p.topic) for s, p in outcome.log.pairs()) == [("ann", "norm"), ("bob", "norm"),
                                                                     ("cy", "norm")]
    assert results(out, "ann")["extra_data"]["topics"]["norm"]["score"] == 6
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_a_topic_handed_in_late_is_graded_by_resume(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    assert table(out / "grades.csv")["cy"]["norm"] == "missing"
    (submissions / "cy" / "norm.py").write_text(NORM_WRONG)
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert [(s, p.topic) for s, p in outcome.log.pairs()] == [("cy", "norm")]
    assert "cy/norm missing -> 1" in outcome.log.summary()
    assert table(out / "grades.csv")["cy"]["norm"] == "1"
    assert_same_as_clean(out, submissions, course, tmp_path)


def _grade_command(submissions: Path, out: Path, course: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader", "--course", str(course), "grade", str(submissions),
            "--out", str(out), "--no-progress", *extra]


def _environment() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT))


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory):
    """A course, a class and its OUT from one ``grader grade``, and when, in seconds from its
    start, that run wrote its first student and when it ended."""
    root = tmp_path_factory.mktemp("killed")
    course, submissions, out = make_course(root / "course"), make_class(root / "class", CLASS), root / "out"
    started, first_write = time.monotonic(), None
    process = subprocess.Popen(_grade_command(submissions, out, course), env=_environment(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if first_write is None and list(out.glob(".grading/*.json")):
            first_write = time.monotonic() - started
        time.sleep(0.02)
    assert process.returncode == 0
    whole_run = time.monotonic() - started
    return course, submissions, out, (first_write or 0.0, whole_run)


@pytest.mark.parametrize("seed", [1, 5, 9, 2])  # kill points spread over the window
def test_a_run_killed_at_a_random_point_leaves_old_or_new_files_and_resume_finishes_it(
        graded_once, tmp_path, seed):
    course, submissions, out, (first_write, whole_run) = graded_once
    submissions, out = shutil.copytree(submissions, tmp_path / "class"), shutil.copytree(out, tmp_path / "out")
    before = tree(out)
    (submissions / "bob" / "dot.py").write_text(DOT_RIGHT)  # two students' grades change
    (submissions / "cy" / "norm.py").write_text(NORM_RIGHT)
    after = clean_grading(submissions, course, tmp_path)
    process = subprocess.Popen(_grade_command(submissions, out, course), env=_environment(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Anywhere from just before the first student's files are written to the end of the run,
    # class outputs included (a kill during start-up writes nothing, so it tests little).
    time.sleep(random.Random(seed).uniform(0.8 * first_write, whole_run))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for name, content in tree(out).items():  # every file is whole: the old one or the new one
        assert content in (before.get(name), after.get(name)), f"{name} is neither old nor new"
    subprocess.run(_grade_command(submissions, out, course, "--resume"), env=_environment(), check=True,
                   capture_output=True, timeout=300)
    assert not list(out.rglob("*.tmp"))
    assert_same_as_clean(out, submissions, course, tmp_path)


# ------------------------------------------------------------ the rules behind them
def test_resume_with_nothing_changed_grades_nothing_and_rewrites_no_file(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != LOG_FILE}
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert outcome.log.pairs() == []
    assert sum(len(s.kept) for s in outcome.log.students) == 6
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_without_resume_the_selected_pairs_are_graded_again(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    outcome = run_batch(submissions, out, course, topics=["dot"], progress=False)
    assert {(s, p.topic, p.reason) for s, p in outcome.log.pairs()} == {
        (s, "dot", "regraded on request") for s in CLASS}


def test_resume_rebuilds_a_students_files_from_their_record(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    shutil.rmtree(out / "bob")
    (out / "grades.csv").unlink()
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert outcome.log.pairs() == []
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_every_students_files_are_rebuilt_from_their_record_not_only_the_selected(
        course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    shutil.rmtree(out / "bob")
    grade_batch(submissions, out, course, students=["ann"], resume=True, progress=False)
    assert_same_as_clean(out, submissions, course, tmp_path)


def test_a_topic_not_handed_in_is_missing_not_zero(course, tmp_path):
    submissions = make_class(tmp_path / "class", {"ann": {"dot": DOT_RIGHT, "norm": "def norm(a):\n    return 0.0\n"},
                                                  "cy": {"dot": DOT_RIGHT}})
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    assert results(out, "cy")["extra_data"]["topics"]["norm"]["state"] == "missing"
    assert results(out, "ann")["extra_data"]["topics"]["norm"]["state"] == "graded"
    grades, canvas = table(out / "grades.csv"), table(out / "canvas_grades.csv")
    assert (grades["ann"]["norm"], grades["cy"]["norm"]) == ("0", "missing")
    assert (canvas["ann"]["norm"], canvas["cy"]["norm"]) == ("0", "")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"]["cy"]["topics"]["norm"] is None
    assert summary["topics"]["norm"]["missing"] == 1 and summary["topics"]["norm"]["students"] == 1


def test_pass_rates_are_over_the_students_who_handed_the_topic_in(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    tests = {t["test"]: t for t in json.loads((out / "summary.json").read_text())["tests"]}
    assert (tests["test_norm_of_3_4"]["graded"], tests["test_norm_of_3_4"]["pass_rate"]) == (2, 1.0)
    assert tests["test_dot_of_small_vectors"]["graded"] == 3


def test_each_graded_topic_records_what_its_grade_depends_on(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False, seed=7)
    inputs = results(out, "bob")["extra_data"]["topics"]["dot"]["inputs"]
    assert inputs["submission_sha256"] == hashlib.sha256(DOT_WRONG.encode()).hexdigest()
    assert set(inputs) >= {"submission_sha256", "topic", "grader", "seed", "limits"}
    assert inputs["seed"] is not None and inputs["limits"]["call_seconds"] == 5.0


def test_a_changed_seed_or_limit_is_a_changed_input(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False, seed=1)
    outcome = run_batch(submissions, out, course, progress=False, seed=2, resume=True)
    assert len(outcome.log.pairs("inputs changed")) == 6


def test_unknown_students_are_a_batch_error(course, submissions, tmp_path):
    with pytest.raises(BatchError, match="no submission folder for student zed"):
        grade_batch(submissions, tmp_path / "out", course, students=["zed"], progress=False)


def test_output_files_are_readable_by_others(course, submissions, tmp_path):
    out = tmp_path / "out"
    grade_batch(submissions, out, course, students=["ann"], progress=False)
    for path in (out / "ann" / "results.json", out / "ann" / "report.html", out / "grades.csv",
                 out / "index.html", out / LOG_FILE):
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_the_command_ends_with_an_honest_summary_and_writes_grading_log(course, submissions, tmp_path):
    out = tmp_path / "out"
    subprocess.run(_grade_command(submissions, out, course), env=_environment(), check=True,
                   capture_output=True, timeout=300)
    (submissions / "bob" / "dot.py").write_text(DOT_RIGHT)
    # Without --no-progress: the output is a pipe, so no progress bar is drawn.
    command = [c for c in _grade_command(submissions, out, course, "--resume") if c != "--no-progress"]
    done = subprocess.run(command, env=_environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "graded 1 (student, topic) pairs" in done.stdout
    assert "1 regraded because their inputs changed" in done.stdout and "kept 5 unchanged" in done.stdout
    assert "bob/dot 0 -> 4" in done.stdout
    assert "grading:" not in done.stderr and "it/s" not in done.stderr and "student/s" not in done.stderr
    log = (out / LOG_FILE).read_text()
    assert log.startswith(done.stdout.splitlines()[0])
    assert "bob: started" in log and "isolation" in log and "restarts" in log and "timeouts" in log


def test_grader_version_prints_the_version():
    done = subprocess.run([sys.executable, "-m", "grader", "--version"], env=_environment(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("grader ")
