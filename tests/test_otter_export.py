"""The otter-grader export, run through otter itself: ``otter assign`` then ``otter run``.

Every topic's master notebook is built and validated; otter runs (about 7 s each) are
done for two topics in CI: regularization (hand-worked, gradient-check and hypothesis
tests) and kmeans (hypothesis tests and a numpy Generator argument).
"""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import FIXTURES, ROOT
from grader.authoring.notebooks import write_notebook
from grader.authoring.otter_export import master_notebook
from grader.course.topics import discover_topics, get_topic
from grader.grading.runner import collect_tests
from variants import table, variant_source

TOPICS = list(discover_topics(ROOT))
OTTER_TOPICS = ["regularization", "kmeans"]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _otter(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "otter"), *args], cwd=cwd, env=ENV, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _grade(autograder: Path, notebook, folder: Path, name: str) -> dict:
    folder.mkdir()
    nbformat.write(notebook, str(folder / f"{name}.ipynb"))
    _otter("run", "-a", str(autograder), "-o", str(folder), "--no-logo", f"{name}.ipynb", cwd=folder)
    results = json.loads((folder / "results.json").read_text())
    return next(test for test in results["tests"] if test["name"] == name)


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """``otter assign`` on each master notebook: topic -> its dist folder."""
    dists = {}
    for name in OTTER_TOPICS:
        folder = tmp_path_factory.mktemp(f"otter-{name}")
        write_notebook(master_notebook(get_topic(ROOT, name)), folder / f"{name}.ipynb")
        _otter("assign", f"{name}.ipynb", "dist", cwd=folder)
        dists[name] = folder / "dist"
    return dists


def _autograder_zip(dist: Path) -> Path:
    return next((dist / "autograder").glob("*.zip"))


def _reference_bodies(topic) -> list[str]:
    source = topic.reference.read_text()
    tree = ast.parse(source)
    bodies = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            bodies += [ast.get_source_segment(source, statement) for statement in body
                       if len(ast.get_source_segment(source, statement)) > 25]
    return bodies


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_gives_a_valid_master_notebook(topic):
    nbformat.validate(master_notebook(get_topic(ROOT, topic)))


@pytest.mark.parametrize("topic", TOPICS)
def test_every_test_becomes_one_otter_test_case_with_its_points_and_hidden_flag(topic):
    course_topic = get_topic(ROOT, topic)
    cells = [c.source for c in master_notebook(course_topic).cells if "# BEGIN TEST CONFIG" in c.source]
    cases = collect_tests(course_topic, public=True, hidden=True)
    assert len(cells) == len(cases)
    for cell, case in zip(cells, cases):
        assert f"points: {case.max_points}" in cell
        assert f"hidden: {'true' if case.hidden else 'false'}" in cell


@pytest.mark.parametrize("topic", TOPICS)
def test_only_hidden_test_cases_carry_the_reference(topic):
    course_topic = get_topic(ROOT, topic)
    reference = repr(course_topic.reference.read_text())
    for cell in master_notebook(course_topic).cells:
        if "# BEGIN TEST CONFIG" in cell.source:
            assert (reference in cell.source) == ("hidden: true" in cell.source)


@pytest.mark.parametrize("topic", OTTER_TOPICS)
def test_otters_student_notebook_has_no_reference_and_no_hidden_tests(assigned, topic):
    course_topic = get_topic(ROOT, topic)
    text = (assigned[topic] / "student" / f"{topic}.ipynb").read_text()
    for body in _reference_bodies(course_topic):
        assert json.dumps(body)[1:-1] not in text, body
    for case in collect_tests(course_topic, public=False, hidden=True):
        assert f"hidden_{case.name}" not in text
    assert "hidden=True" not in text
    assert 'raise NotImplementedError(\\"' in text


@pytest.mark.parametrize("topic", OTTER_TOPICS)
def test_otter_gives_the_reference_solution_full_marks(assigned, topic, tmp_path):
    solution = nbformat.read(assigned[topic] / "autograder" / f"{topic}.ipynb", as_version=4)
    result = _grade(_autograder_zip(assigned[topic]), solution, tmp_path / "run", topic)
    expected = sum(c.max_points for c in collect_tests(get_topic(ROOT, topic), public=True, hidden=True))
    assert result["score"] == result["max_score"] == expected


@pytest.mark.parametrize("topic", OTTER_TOPICS)
def test_otter_gives_a_known_wrong_variant_less_and_says_why(assigned, topic, tmp_path):
    variant = table(topic).VARIANTS[0]
    wrong = variant_source(topic, variant)
    notebook = nbformat.read(assigned[topic] / "student" / f"{topic}.ipynb", as_version=4)
    # The student writes in the answer cells: otter grades the question with what is defined
    # when its check cell runs (found by running it: code appended after that cell is not seen).
    answers = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    answers[0].source = wrong
    for cell in answers[1:]:
        cell.source = ""
    result = _grade(_autograder_zip(assigned[topic]), notebook, tmp_path / "run", topic)
    assert 0 < result["score"] < result["max_score"]
    assert "Test case failed" in result["output"] and variant.hint_phrase in result["output"]
