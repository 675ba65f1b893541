"""`grader new-topic` writes a topic that grades; `grader validate` finds what is wrong with one."""
import pytest

from conftest import ROOT
from grader.authoring.scaffold import ScaffoldError, new_topic
from grader.authoring.validate import validate_topic
from grader.cli import main
from grader.course.topics import discover_topics, load_topic


@pytest.fixture
def course(tmp_path):
    (tmp_path / "exercises").mkdir()
    new_topic(tmp_path, "standardize", "Standardizing features")
    return tmp_path


def _edit(course, relative, old, new):
    path = course / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


HIDDEN = "solutions/standardize/test_standardize_hidden.py"
PUBLIC = "exercises/standardize/test_standardize.py"


def test_new_topic_writes_the_four_files_of_a_topic(course):
    topic = discover_topics(course)["standardize"]
    assert topic.title == "Standardizing features"
    assert topic.functions == ["center"]
    assert all(p is not None and p.is_file() for p in (topic.stub, topic.public_tests,
                                                          topic.reference, topic.hidden_tests))


def test_a_new_topic_is_valid_as_written(course):
    report = validate_topic(load_topic(course, "standardize"))
    assert report.problems == []
    assert report.tests == 4 and report.mistakes == 2


@pytest.mark.parametrize("name", ["Shapes2", "2d", "class", "my-topic", "../x", "ünï"])
def test_new_topic_refuses_a_name_that_is_not_a_module_name(tmp_path, name):
    (tmp_path / "exercises").mkdir()
    with pytest.raises(ScaffoldError, match="not a valid topic name"):
        new_topic(tmp_path, name)


def test_new_topic_never_overwrites_a_topic(course):
    with pytest.raises(ScaffoldError, match="already exists"):
        new_topic(course, "standardize")


def test_validate_refuses_a_topic_without_tests(course):
    for relative in (PUBLIC, HIDDEN):
        (course / relative).write_text('"""No tests yet."""\n')
    report = validate_topic(load_topic(course, "standardize"))
    assert report.problems == ["the topic has no tests (functions named test_* in its test files)"]


def test_validate_names_a_test_without_points(course):
    _edit(course, HIDDEN, "@points(1)\ndef test_center_leaves_x_unchanged", "def test_center_leaves_x_unchanged")
    assert "test_center_leaves_x_unchanged has no @points(n)" in validate_topic(
        load_topic(course, "standardize")).problems


def test_validate_names_a_test_without_a_description(course):
    _edit(course, HIDDEN, '    """center does not modify X."""\n', "")
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert any(p.startswith("test_center_leaves_x_unchanged has no docstring") for p in problems)


def test_validate_names_the_tests_a_wrong_reference_fails(course):
    # Tests that compare with the reference cannot catch it; the hand-worked public test does.
    _edit(course, "solutions/standardize/standardize.py", "X - X.mean(axis=0)", "X - X.mean()")
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert any(p.startswith("the reference fails test_center_of_a_hand_worked_example") for p in problems)


def test_validate_names_a_test_the_stub_passes(course):
    _edit(course, PUBLIC, 'def test_center_gives_columns_of_mean_zero(student):\n',
          'def test_center_gives_columns_of_mean_zero(student):\n    return\n')
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert [p for p in problems if p.startswith("the stub passes")] == [
        "the stub passes test_center_gives_columns_of_mean_zero: a test that an empty stub passes "
        "gives free points"]


def test_validate_names_a_mistake_whose_model_is_the_right_answer(course):
    # On the hand-worked X this model is the right answer itself: the hint can never show.
    _edit(course, PUBLIC, "X - X.mean(axis=1, keepdims=True))", "X - X.mean(axis=0))")
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert any(p.startswith("the known mistake 'row_means' never differs") for p in problems) is False
    # row_means is still told apart in the hidden test; a name used only here is not.
    _edit(course, PUBLIC, 'Mistake("row_means"', 'Mistake("same_as_right"')
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert any(p.startswith("the known mistake 'same_as_right' never differs") for p in problems)


def test_validate_names_a_mistake_shadowed_by_an_earlier_one(course):
    _edit(course, HIDDEN, "X - X.sum(axis=0))", "X - X.mean(axis=1, keepdims=True))")
    problems = validate_topic(load_topic(course, "standardize")).problems
    assert any(p.startswith("the known mistake 'sum_not_mean' never differs") for p in problems)


def test_the_validate_command_exits_1_when_a_topic_has_problems(course, capsys):
    _edit(course, "solutions/standardize/standardize.py", "X - X.mean(axis=0)", "X - X.mean()")
    assert main(["--course", str(course), "validate", "standardize"]) == 1
    assert "problem(s)" in capsys.readouterr().out


def test_the_validate_command_exits_0_for_a_valid_topic(course, capsys):
    assert main(["--course", str(course), "validate"]) == 0
    assert "standardize: 4 tests, 2 known mistakes: valid" in capsys.readouterr().out


def test_every_topic_of_the_course_is_valid():
    problems = {name: validate_topic(topic).problems for name, topic in discover_topics(ROOT).items()}
    assert problems == {name: [] for name in problems}
