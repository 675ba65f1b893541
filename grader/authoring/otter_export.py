"""A topic as an otter-grader master notebook (``otter assign``, v1 notebook format).

One notebook per topic, one otter question per topic (our tests check the topic as a
whole, not one function each). The question holds, per function, the statement and a
code cell whose body is the reference between ``# BEGIN SOLUTION`` markers with the
stub's ``raise NotImplementedError`` as the prompt, so ``otter assign`` gives students
exactly our stub. Each of our tests, public and hidden, becomes one exception-based otter
test case with our points and hidden flag; its body calls ``grader.otter_adapter``
with the test module's source, and only hidden test cases also carry the reference.
Otter therefore needs the ``grader`` package (and numpy and hypothesis) where it grades:
``write_master_notebooks`` puts the grader's wheel beside the notebooks and names it in
each notebook's otter config, as an autograder file (otter ships it in its zip's
``files/``) and as a requirement (``/autograder/source/files/<wheel>``, where Gradescope
unpacks the zip), with hypothesis pinned to the version installed here. Otter installs its
requirements when it builds its Gradescope image, so its tests import both there.
"""
from __future__ import annotations

import ast
import textwrap
from importlib import metadata
from pathlib import Path

import nbformat
from nbformat import v4

from grader.authoring.notebooks import KERNELSPEC, render, write_notebook
from grader.authoring.wheel import build_wheel
from grader.course.statement import docstring_markdown, read_statement
from grader.course.topics import Topic
from grader.grading.runner import collect_tests


class ExportError(Exception):
    pass


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _body(source: str, node: ast.FunctionDef) -> str:
    """A function's statements after its docstring, indented one level."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    lines = source.splitlines()
    start = min([body[0].lineno] + [d.lineno for d in getattr(body[0], "decorator_list", [])]) - 1
    text = textwrap.dedent("\n".join(lines[start:node.end_lineno]))
    return textwrap.indent(text, "    ")


def _stub_parts(source: str, node: ast.FunctionDef) -> tuple[str, str]:
    """The stub up to its final ``raise NotImplementedError`` and that raise statement."""
    last = node.body[-1]
    if not isinstance(last, ast.Raise):
        raise ExportError(f"stub {node.name} does not end with raise NotImplementedError")
    lines = source.splitlines()
    return "\n".join(lines[node.lineno - 1:last.lineno - 1]), "\n".join(lines[last.lineno - 1:last.end_lineno])


def _helpers(source: str, tree: ast.Module, graded: set[str]) -> str:
    """Everything in the reference besides the graded functions: imports, constants, helpers."""
    nodes = [node for node in tree.body
             if not (isinstance(node, ast.FunctionDef) and node.name in graded)
             and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    return "\n\n".join(ast.get_source_segment(source, node, padded=False) for node in nodes)


def solution_cells(topic: Topic) -> list:
    """Per function: the statement, then the stub with the reference as its solution."""
    if topic.reference is None:
        raise ExportError(f"topic {topic.name} has no reference in this course copy")
    stub_source = topic.stub.read_text(encoding="utf-8")
    reference_source = topic.reference.read_text(encoding="utf-8")
    stubs = _functions(ast.parse(stub_source))
    reference_tree = ast.parse(reference_source)
    references = _functions(reference_tree)
    statement = read_statement(topic.name, topic.stub)
    cells = []
    helpers = _helpers(reference_source, reference_tree, set(topic.functions))
    if helpers.strip():
        cells += _solution_block(render("otter_helpers.py.j2", helpers=helpers))
    for function in statement.functions:
        if function.name not in references:
            raise ExportError(f"the reference of {topic.name} has no function {function.name}")
        head, stub_raise = _stub_parts(stub_source, stubs[function.name])
        cells.append(v4.new_markdown_cell(render(
            "function.md.j2", name=function.name, parameters=[p.name for p in function.parameters],
            description=docstring_markdown(function.docstring))))
        cells += _solution_block(render(
            "otter_solution.py.j2", stub_head=head, stub_raise=stub_raise,
            reference_body=_body(reference_source, references[function.name])))
    return cells


def _solution_block(code: str) -> list:
    """Otter strips solution markers only inside a solution block (found by running it)."""
    return [v4.new_raw_cell("# BEGIN SOLUTION"), v4.new_code_cell(code), v4.new_raw_cell("# END SOLUTION")]


def test_cells(topic: Topic) -> list:
    """One otter test case per test; only hidden ones embed the reference."""
    sources = {False: topic.public_tests.read_text(encoding="utf-8"),
               True: topic.hidden_tests.read_text(encoding="utf-8") if topic.hidden_tests else ""}
    reference = topic.reference.read_text(encoding="utf-8")
    return [v4.new_code_cell(render(
        "otter_test.py.j2", name=case.name, topic=topic.name, hidden=case.hidden,
        points=case.max_points, description=case.description, signatures=repr(topic.signatures),
        tests_source=repr(sources[case.hidden]),
        reference_source=repr(reference) if case.hidden else "None"))
        for case in collect_tests(topic, public=True, hidden=True)]


# Where Gradescope unpacks otter's autograder zip; otter puts autograder files under files/.
OTTER_FILES = "/autograder/source/files"


def otter_requirements(wheel: str) -> list[str]:
    """What otter's image must install for our test cases: hypothesis (pinned) and the grader."""
    return [f"hypothesis=={metadata.version('hypothesis')}", f"{OTTER_FILES}/{wheel}"]


def master_notebook(topic: Topic, *, wheel: str | None = None) -> nbformat.NotebookNode:
    """The topic's otter master notebook; with ``wheel`` (a file name beside the notebook), its
    config ships the grader and hypothesis to otter's autograder."""
    statement = read_statement(topic.name, topic.stub)
    cases = collect_tests(topic, public=True, hidden=True)
    raw = v4.new_raw_cell
    config = render("otter_config.yaml.j2", topic=topic.name, wheel=wheel,
                    requirements=otter_requirements(wheel) if wheel else [])
    cells = [raw(config),
             v4.new_markdown_cell(f"# {statement.title}\n\n{docstring_markdown(statement.introduction)}"),
             v4.new_code_cell(statement.imports),
             raw(render("otter_question.yaml.j2", topic=topic.name,
                        points=sum(case.max_points for case in cases))),
             v4.new_markdown_cell(f"Write the functions of the topic `{topic.name}` below."),
             *solution_cells(topic),
             raw("# BEGIN TESTS"), *test_cells(topic), raw("# END TESTS"),
             raw("# END QUESTION")]
    notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC,
                                                      "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook


def write_master_notebooks(topics: list[Topic], folder: Path) -> list[Path]:
    """The master notebooks and, beside them, the grader's wheel their configs name."""
    wheel = build_wheel(folder)
    return [write_notebook(master_notebook(topic, wheel=wheel.name), folder / f"{topic.name}.ipynb")
            for topic in topics]
