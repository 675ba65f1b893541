"""Building the students' notebooks from each topic's own files.

Per topic, a student notebook holds the stub's introduction and, per function, its
statement (Markdown rendered from the docstring), the stub to complete, and an example
cell on the student's own data; a last cell runs the public tests in place. Cell texts
come from the Jinja2 templates in ``templates/notebook/``; nbformat builds and validates
the notebook. The master notebooks for otter-grader are built by ``grader.authoring.otter_export``.

Per-student variation: with a course seed and a roster, each student's examples use data
drawn from ``student_seed(course_seed, student_id)``, written into the cell as a literal,
so the notebook can be rebuilt identically and the seed is visible to the student.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
from nbformat import v4

from grader.course.examples import example_call
from grader.course.sources import CHECK_CELL_MARKER, EXAMPLE_CELL_MARKER
from grader.course.statement import TopicStatement, docstring_markdown, read_statement
from grader.course.topics import Topic
from grader.course.variation import derived_seed, student_seed

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notebook"
ROSTER_COLUMN = "student_id"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


class RosterError(Exception):
    pass


@dataclass(frozen=True)
class Audience:
    """Who a notebook is for: one student (with their seed) or the whole class."""

    student: str | None
    seed: int


def templates(folder: Path = TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                              trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values) -> str:
    return templates().get_template(template).render(**values).strip("\n")


def read_roster(path: Path) -> list[str]:
    """Student ids from a CSV file with a ``student_id`` column (the column of grades.csv)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if ROSTER_COLUMN not in (reader.fieldnames or []):
                raise RosterError(f"{path} has no {ROSTER_COLUMN!r} column "
                                  f"(its columns: {', '.join(reader.fieldnames or []) or 'none'})")
            ids = [row[ROSTER_COLUMN].strip() for row in reader if (row[ROSTER_COLUMN] or "").strip()]
    except OSError as error:
        raise RosterError(f"cannot read roster {path}: {error.strerror}") from None
    if len(set(ids)) != len(ids):
        raise RosterError(f"{path} lists a student id twice")
    if any("/" in i or "\\" in i or i in (".", "..") for i in ids):
        raise RosterError(f"{path} has a student id that cannot be a folder name")
    return ids


def audiences(course_seed: int | None, roster: list[str] | None) -> list[Audience]:
    """One audience per roster student, or one for the class (seed = the course seed, else 0)."""
    if roster is None:
        return [Audience(None, course_seed or 0)]
    if course_seed is None:
        raise RosterError("a roster needs --seed: each student's data comes from it")
    return [Audience(student, student_seed(course_seed, student)) for student in roster]


def _function_cells(statement: TopicStatement, audience: Audience) -> list:
    functions = {f.name: f for f in statement.functions}
    cells = []
    for function in statement.functions:
        cells.append(v4.new_markdown_cell(render(
            "function.md.j2", name=function.name, parameters=[p.name for p in function.parameters],
            description=docstring_markdown(function.docstring))))
        cells.append(v4.new_code_cell(function.stub_source))
        seed = derived_seed("example", audience.seed, function.name)
        example = example_call(function, functions, seed)
        if example is not None:
            assignments, arguments = example
            cells.append(v4.new_code_cell(render(
                "example.py.j2", example_marker=EXAMPLE_CELL_MARKER, name=function.name, seed=seed,
                student=audience.student, assignments=assignments, arguments=arguments)))
    return cells


def student_notebook(topic: Topic, audience: Audience) -> nbformat.NotebookNode:
    statement = read_statement(topic.name, topic.stub)
    intro = render("intro.md.j2", title=statement.title, topic=topic.name,
                   intro=docstring_markdown(statement.introduction), student=audience.student,
                   seed=audience.seed)
    cells = [v4.new_markdown_cell(intro),
             v4.new_code_cell(render("setup.py.j2", check_marker=CHECK_CELL_MARKER)),
             v4.new_code_cell(statement.imports),
             *_function_cells(statement, audience),
             v4.new_markdown_cell("## Check your work"),
             v4.new_code_cell(render("check.py.j2", check_marker=CHECK_CELL_MARKER, topic=topic.name))]
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC, "language_info": {"name": "python"},
        "grader": {"topic": topic.name, "student": audience.student, "seed": audience.seed}})
    nbformat.validate(notebook)
    return notebook


def write_notebook(notebook: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def student_notebook_path(out: Path, topic: str, audience: Audience) -> Path:
    folder = out if audience.student is None else out / audience.student
    return folder / f"{topic}.ipynb"


def build_student_notebooks(topics: list[Topic], out: Path, *, course_seed: int | None = None,
                            roster: list[str] | None = None) -> list[Path]:
    """``out/<topic>.ipynb``, or with a roster ``out/<student>/<topic>.ipynb`` and ``out/seeds.csv``."""
    written = []
    for audience in audiences(course_seed, roster):
        for topic in topics:
            written.append(write_notebook(student_notebook(topic, audience),
                                          student_notebook_path(out, topic.name, audience)))
    if roster is not None:
        with (out / "seeds.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([ROSTER_COLUMN, "seed"])
            writer.writerows([a.student, a.seed] for a in audiences(course_seed, roster))
    return written
