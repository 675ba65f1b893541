"""Notebook submissions: answer cells are extracted and graded exactly like a .py file."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from conftest import FIXTURES, ROOT
from grader.authoring.notebooks import Audience, student_notebook
from grader.batch.grade import grade_batch
from grader.course.sources import (CHECK_CELL_MARKER, EXAMPLE_CELL_MARKER, SubmissionFileError,
                                   is_answer_cell, notebook_source)
from grader.course.topics import get_topic
from grader.grading.runner import grade_file

CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()


def _notebook(*cells) -> str:
    return nbformat.writes(v4.new_notebook(cells=list(cells)))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_builders_check_and_example_cells_are_not_answer_cells():
    notebook = student_notebook(get_topic(ROOT, "regularization"), Audience(None, 1))
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith((CHECK_CELL_MARKER, EXAMPLE_CELL_MARKER)):
            assert not is_answer_cell(cell.source), cell.source


def test_the_builders_stub_and_import_cells_are_answer_cells():
    notebook = student_notebook(get_topic(ROOT, "regularization"), Audience(None, 1))
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    stubs = [s for s in code if s.startswith(("def ", "import "))]
    assert len(stubs) == 7 and all(is_answer_cell(s) for s in stubs)


@pytest.mark.parametrize("source", ["!pip install numpy", "%timeit f()\n%matplotlib inline",
                                    "%%bash\necho hi", "linear_cost?", "grader.check('q1')",
                                    "run_checks('regularization')", "", "# just a comment"])
def test_shell_magic_help_and_check_cells_are_skipped(source):
    assert not is_answer_cell(source)


def test_otters_setup_cell_is_not_an_answer_cell_so_otter_student_notebooks_can_be_graded():
    assert not is_answer_cell('# Initialize Otter\nimport otter\ngrader = otter.Notebook("kmeans.ipynb")')
    assert is_answer_cell("import otter\ndef sigmoid(z):\n    return z")


def test_line_magics_inside_an_answer_cell_become_blank_lines_so_line_numbers_stay():
    text = notebook_source(_notebook(v4.new_code_cell("%matplotlib inline\nx = 1\ny = 2")), "t.ipynb")
    assert text.splitlines() == ["# %% notebook cell 1", "", "x = 1", "y = 2"]


def test_each_answer_cell_is_headed_by_its_number_in_the_notebook():
    text = notebook_source(_notebook(v4.new_markdown_cell("intro"), v4.new_code_cell("a = 1"),
                                     v4.new_code_cell("# grader: check\nrun_checks('t')"),
                                     v4.new_code_cell("b = 2")), "t.ipynb")
    assert "# %% notebook cell 2\na = 1" in text and "# %% notebook cell 4\nb = 2" in text
    assert "run_checks" not in text


def test_a_notebook_is_graded_exactly_like_the_same_code_as_a_py_file(tmp_path):
    topic = get_topic(ROOT, "regularization")
    as_py = grade_file(topic, _write(tmp_path / "py" / "regularization.py", CORRECT))
    notebook = _write(tmp_path / "nb" / "regularization.ipynb", _notebook(
        v4.new_markdown_cell("# my work"), v4.new_code_cell(CORRECT),
        v4.new_code_cell(f"{EXAMPLE_CELL_MARKER}\nprint(linear_cost(1, 2, 3, 4, 5))"),
        v4.new_code_cell(f"{CHECK_CELL_MARKER}\nrun_checks('regularization')")))
    as_notebook = grade_file(topic, notebook)
    assert as_notebook.error is None
    assert [(o.name, o.points) for o in as_notebook.outcomes] == [(o.name, o.points) for o in as_py.outcomes]
    assert as_notebook.score == as_notebook.max_score


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not a readable notebook"),
    ('{"cells": 3, "nbformat": 4}', "is not a readable notebook"),
    (_notebook(v4.new_markdown_cell("only prose")), "has no code cells"),
    (_notebook(v4.new_code_cell("# grader: check\nrun_checks('regularization')")),
     "only check, example or shell cells"),
])
def test_unusable_notebooks_get_a_clear_message(text, message):
    with pytest.raises(SubmissionFileError, match=message):
        notebook_source(text, "regularization.ipynb")


def test_a_corrupt_or_empty_notebook_scores_zero_for_that_topic_only(tmp_path):
    submissions = tmp_path / "submissions"
    _write(submissions / "ann" / "regularization.ipynb", "{\"cells\": [")
    _write(submissions / "ann" / "shapes.py", (FIXTURES / "shapes" / "correct_vectorized.py").read_text())
    _write(submissions / "ben" / "regularization.ipynb", "")
    grade_batch(submissions, tmp_path / "out", ROOT, topics=["regularization", "shapes"], jobs=1,
                progress=False)
    ann = json.loads((tmp_path / "out" / "ann" / "results.json").read_text())
    by_topic = {}
    for test in ann["tests"]:
        by_topic.setdefault(test["extra_data"]["topic"], []).append(test)
    assert sum(t["score"] for t in by_topic["regularization"]) == 0
    assert "is not a readable notebook" in by_topic["regularization"][0]["output"]
    assert all(t["score"] == t["max_score"] for t in by_topic["shapes"])
    ben = json.loads((tmp_path / "out" / "ben" / "results.json").read_text())
    assert ben["score"] == 0 and "is empty" in ben["tests"][0]["output"]
