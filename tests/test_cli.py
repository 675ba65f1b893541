"""The grader command: clear errors with non-zero exits, check for students, grade for instructors."""
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from grader.cli import main

CORRECT = FIXTURES / "regularization" / "correct_loops.py"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_check_on_a_correct_file_passes_and_exits_zero():
    result = run("check", "regularization", str(CORRECT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10 of 10 public tests passed" in result.stdout


def test_check_on_the_stub_lists_each_unwritten_function_once_and_exits_one():
    result = run("check", "regularization")
    assert result.returncode == 1
    assert result.stdout.count("TODO") == 6 and "FAIL" not in result.stdout
    assert "not written yet" in result.stdout


def test_check_shows_the_failing_input_shape_and_a_hint(tmp_path):
    wrong = tmp_path / "regularization.py"
    wrong.write_text(CORRECT.read_text().replace("dw[j] = dw[j] / m + lam * w[j] / m",
                                                 "dw[j] = dw[j] / m + lam * w[j] / (2 * m)"))
    result = run("check", "regularization", str(wrong))
    assert result.returncode == 1
    assert "failing call: linear_gradient(X array (" in result.stdout
    # The halved penalty gradient is a known mistake: its own hint, not a generic one.
    assert "hint: the derivative of lam/(2m) * sum(w**2) with respect to w is (lam/m) * w" in result.stdout


def test_unknown_topic_is_a_clear_error(capsys):
    assert main(["check", "nope"]) == 2
    assert "unknown topic 'nope'; the topics are:" in capsys.readouterr().err


def test_missing_file_to_check_is_a_clear_error(capsys, tmp_path):
    assert main(["check", "regularization", str(tmp_path / "absent.py")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_grade_with_a_missing_folder_is_a_clear_error(capsys, tmp_path):
    assert main(["grade", str(tmp_path / "absent"), "--out", str(tmp_path / "out")]) == 2
    assert "submissions folder not found" in capsys.readouterr().err


def test_grade_with_an_unknown_topic_is_a_clear_error(capsys, tmp_path):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    code = main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--topics", "nope"])
    assert code == 2
    assert "unknown topic nope" in capsys.readouterr().err


def test_grade_without_a_required_out_option_is_a_usage_error():
    result = run("grade", "examples/class")
    assert result.returncode == 2
    assert "--out" in result.stderr


def test_grade_writes_the_gradebook_and_exits_zero_even_with_failing_students(tmp_path):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "regularization.py").write_text("syntax error (\n")
    result = run("grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "grades.csv").read_text().splitlines()[1].startswith("ann,0,0,")


def test_topics_lists_the_course_topics():
    result = run("topics")
    assert result.returncode == 0
    assert "regularization" in result.stdout


def test_output_into_a_closed_pipe_ends_quietly_as_sigpipe_would():
    read_end, write_end = os.pipe()
    os.close(read_end)  # ``grader topics | head``: the reader is gone
    done = subprocess.run([sys.executable, "-m", "grader", "--course", str(ROOT), "topics"],
                          stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write_end)
    assert "Traceback" not in done.stderr and done.returncode == 141
