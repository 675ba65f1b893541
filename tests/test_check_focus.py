"""``grader check TOPIC -k FUNCTION`` and one line per function not written yet."""
import re

from conftest import ROOT
from grader.cli import main
from grader.course.topics import get_topic

TOPIC = get_topic(ROOT, "regularization")
REFERENCE = ROOT / "solutions" / "regularization" / "regularization.py"


def _check(capsys, *args: str) -> tuple[int, str]:
    status = main(["--course", str(ROOT), "check", "regularization", *args])
    return status, capsys.readouterr().out


def test_k_runs_only_the_tests_that_call_the_function(capsys):
    status, out = _check(capsys, str(REFERENCE), "-k", "sigmoid")
    assert status == 0
    assert "2 of 2 public tests passed" in out
    assert all("sigmoid" in line for line in out.splitlines() if line.strip().startswith("PASS"))


def test_k_with_a_function_the_topic_does_not_have_is_a_usage_error_naming_its_functions(capsys):
    assert main(["--course", str(ROOT), "check", "regularization", "-k", "sigmoidd"]) == 2
    error = capsys.readouterr().err
    assert "no function 'sigmoidd'" in error and all(name in error for name in TOPIC.functions)


def test_each_function_not_written_yet_takes_one_line(capsys):
    status, out = _check(capsys, str(TOPIC.stub))
    assert status == 1
    todo = [line for line in out.splitlines() if line.strip().startswith("TODO")]
    assert [re.search(r"TODO  (\w+)", line).group(1) for line in todo] == TOPIC.functions
    assert "FAIL" not in out and "failing call" not in out


def test_the_one_line_counts_the_functions_tests_and_points(capsys):
    _, out = _check(capsys, str(TOPIC.stub), "-k", "linear_gradient")
    (line,) = [line for line in out.splitlines() if "TODO" in line]
    assert "linear_gradient is not written yet" in line and "2 tests, 0/3 points" in line


def test_a_written_but_wrong_function_still_shows_each_failing_test(tmp_path, capsys):
    wrong = tmp_path / "regularization.py"
    wrong.write_text(REFERENCE.read_text().replace("lam / (2 * m)", "lam / m"))
    _, out = _check(capsys, str(wrong), "-k", "linear_cost")
    assert "FAIL" in out and "TODO" not in out
