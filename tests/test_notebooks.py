"""Student notebooks built from the topics' files, executed with nbclient.

Building and validating covers every topic; executing a kernel is slow, so two topics
(a plain one and one with hypothesis-heavy public tests and a Generator argument) run
top to bottom in CI, once with the stubs and once with the references pasted in.
"""
import ast
import copy
import csv
import re

import nbclient
import nbformat
import pytest

from conftest import ROOT
from grader.authoring.notebooks import (Audience, RosterError, audiences, build_student_notebooks,
                                        read_roster, student_notebook)
from grader.authoring.otter_export import _helpers
from grader.cli import main
from grader.course.sources import notebook_source
from grader.course.topics import discover_topics, get_topic
from grader.course.variation import student_seed

TOPICS = list(discover_topics(ROOT))
EXECUTED = ["regularization", "kmeans"]


def _outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def _execute(notebook, folder):
    notebook = copy.deepcopy(notebook)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def _with_reference(notebook, topic):
    """The notebook a student who wrote the reference would have: each stub cell replaced."""
    source = topic.reference.read_text()
    tree = ast.parse(source)
    functions = {node.name: ast.get_source_segment(source, node) for node in tree.body
                 if isinstance(node, ast.FunctionDef)}
    filled = copy.deepcopy(notebook)
    for cell in filled.cells:
        name = re.match(r"def (\w+)\(", cell.source) if cell.cell_type == "code" else None
        if name:
            cell.source = functions[name.group(1)]
        elif cell.cell_type == "code" and cell.source.startswith("import "):
            cell.source = _helpers(source, tree, set(topic.functions))
    return filled


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each executed topic's notebook run with the stubs and with the reference."""
    runs = {}
    for name in EXECUTED:
        topic = get_topic(ROOT, name)
        notebook = student_notebook(topic, Audience("ann", student_seed(7, "ann")))
        folder = tmp_path_factory.mktemp(name)
        runs[name] = (_execute(notebook, folder), _execute(_with_reference(notebook, topic), folder))
    return runs


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_gives_a_valid_student_notebook(topic):
    nbformat.validate(student_notebook(get_topic(ROOT, topic), Audience(None, 0)))


@pytest.mark.parametrize("topic", TOPICS)
def test_the_statement_comes_from_the_stub_docstrings(topic):
    course_topic = get_topic(ROOT, topic)
    notebook = student_notebook(course_topic, Audience(None, 0))
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    shown = markdown.replace("\\", "")  # Markdown escapes of * and _
    stub = ast.parse(course_topic.stub.read_text())
    assert course_topic.title in shown
    for node in stub.body:
        if isinstance(node, ast.FunctionDef):
            assert ast.get_docstring(node).splitlines()[0] in shown


def test_formulas_are_shown_as_display_math_in_markdown():
    notebook = student_notebook(get_topic(ROOT, "regularization"), Audience(None, 0))
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "$$\nJ(w, b) = \\frac{1}{2m} \\sum_{i=1}^{m} (x_i^\\top w + b - y_i)^2" in markdown


def test_a_stub_notebook_extracts_to_the_stub_functions():
    topic = get_topic(ROOT, "shapes")
    source = notebook_source(nbformat.writes(student_notebook(topic, Audience(None, 0))), "x.ipynb")
    defined = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    assert defined == set(topic.functions)


def _example_cells(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.source.startswith("# grader: example")]


def test_each_student_gets_their_own_example_data_reproducibly():
    topic = get_topic(ROOT, "linear_classifiers")
    ann, ben = audiences(7, ["ann", "ben"])
    assert _example_cells(student_notebook(topic, ann)) == _example_cells(student_notebook(topic, ann))
    assert _example_cells(student_notebook(topic, ann)) != _example_cells(student_notebook(topic, ben))


def test_the_students_seed_is_recorded_in_the_notebook():
    notebook = student_notebook(get_topic(ROOT, "kmeans"), audiences(7, ["ann"])[0])
    assert notebook.metadata["grader"] == {"topic": "kmeans", "student": "ann",
                                           "seed": student_seed(7, "ann")}
    assert str(student_seed(7, "ann")) in notebook.cells[0].source


def test_a_roster_gives_one_folder_per_student_and_a_seeds_file(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nann,Ann\nben,Ben\n")
    topics = [get_topic(ROOT, "shapes")]
    build_student_notebooks(topics, tmp_path / "out", course_seed=3, roster=read_roster(roster))
    assert (tmp_path / "out" / "ann" / "shapes.ipynb").is_file()
    assert (tmp_path / "out" / "ben" / "shapes.ipynb").is_file()
    rows = list(csv.DictReader((tmp_path / "out" / "seeds.csv").open()))
    assert rows == [{"student_id": "ann", "seed": str(student_seed(3, "ann"))},
                    {"student_id": "ben", "seed": str(student_seed(3, "ben"))}]


@pytest.mark.parametrize("text, message", [("id,name\nann,A\n", "no 'student_id' column"),
                                           ("student_id\nann\nann\n", "twice"),
                                           ("student_id\n../x\n", "folder name")])
def test_a_bad_roster_is_a_clear_error(tmp_path, text, message):
    (tmp_path / "r.csv").write_text(text)
    with pytest.raises(RosterError, match=message):
        read_roster(tmp_path / "r.csv")


def test_a_roster_without_a_seed_is_refused():
    with pytest.raises(RosterError, match="needs --seed"):
        audiences(None, ["ann"])


def test_notebooks_build_writes_student_and_master_notebooks(tmp_path):
    assert main(["notebooks", "build", "--topics", "shapes", "--out", str(tmp_path)]) == 0
    for kind in ("student", "master"):
        nbformat.validate(nbformat.read(tmp_path / kind / "shapes.ipynb", as_version=4))


@pytest.mark.parametrize("topic", EXECUTED)
def test_with_the_stubs_the_notebook_runs_and_the_checks_report_failures(executed, topic):
    stubs, _ = executed[topic]
    check = _outputs(stubs.cells[-1])
    assert f"{topic}: public tests on {topic}.ipynb" in check
    assert "TODO" in check and "PASS" not in check and "not written yet" in check
    assert all("is not written yet" in _outputs(c) for c in stubs.cells
               if c.source.startswith("# grader: example"))


@pytest.mark.parametrize("topic", EXECUTED)
def test_with_the_reference_the_notebook_runs_and_the_checks_pass(executed, topic):
    _, filled = executed[topic]
    check = _outputs(filled.cells[-1])
    assert "FAIL" not in check and "PASS" in check
    passed = re.search(r"(\d+) of (\d+) public tests passed", check)
    assert passed and passed.group(1) == passed.group(2)
    assert not any("is not written yet" in _outputs(c) for c in filled.cells)
