"""Statements from the stubs: formulas written once, as ``.. math::`` blocks of LaTeX in the
docstrings, and shown as Markdown display math in the notebooks."""
import ast
import importlib.util
import inspect
import re
import textwrap

import pytest

from conftest import ROOT
from grader.authoring.notebooks import Audience, student_notebook
from grader.cli import main
from grader.course.statement import docstring_markdown
from grader.course.topics import discover_topics, get_topic

TOPICS = sorted(discover_topics(ROOT))
# A directive line and its body: the following lines that are blank or indented deeper.
DIRECTIVE = re.compile(r"^( *)\.\. math::\n((?:(?:\1 +\S.*)?\n)*)", re.MULTILINE)


def stated_equations(doc: str) -> list[str]:
    """The equations of a docstring's math blocks, read the way reST reads them."""
    equations = []
    for match in DIRECTIVE.finditer(inspect.cleandoc(doc) + "\n"):
        body = textwrap.dedent(match.group(2)).strip("\n")
        equations += [e.rstrip() for e in re.split(r"\n\s*\n", body) if e.strip()]
    return equations


def stub_functions(name: str) -> tuple[str, list[ast.FunctionDef]]:
    source = get_topic(ROOT, name).stub.read_text()
    return source, [node for node in ast.parse(source).body
                    if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]


def function_markdown(name: str) -> dict[str, str]:
    """Each function's Markdown cell in the topic's student notebook, by function name."""
    notebook = student_notebook(get_topic(ROOT, name), Audience(None, 0))
    return {re.match(r"## `(\w+)\(", cell.source).group(1): cell.source
            for cell in notebook.cells if cell.cell_type == "markdown" and cell.source.startswith("## `")}


def test_a_math_block_becomes_display_math_with_its_latex_unchanged():
    doc = r"""Cost.

    .. math::

        J(w, b) = \frac{1}{2m} \sum_{i=1}^{m} (x_i^\top w + b - y_i)^2

    Prose again.
    """
    markdown = docstring_markdown(doc)
    assert "\n$$\nJ(w, b) = \\frac{1}{2m} \\sum_{i=1}^{m} (x_i^\\top w + b - y_i)^2\n$$\n" in markdown
    assert markdown.endswith("Prose again.")


def test_blank_lines_in_a_math_block_separate_equations():
    doc = r"""Adam.

    .. math::

        t \leftarrow t + 1

        m \leftarrow \beta_1 m + (1 - \beta_1)\, dw
    """
    assert docstring_markdown(doc).count("$$") == 4
    assert "$$\nt \\leftarrow t + 1\n$$\n\n$$\nm \\leftarrow" in docstring_markdown(doc)


def test_an_equation_written_over_several_lines_stays_one_display_block():
    doc = r"""Cost.

    .. math::

        J = a
            + b
    """
    assert docstring_markdown(doc) == "Cost.\n\n$$\nJ = a\n    + b\n$$"


def test_latex_is_not_escaped_but_prose_around_it_is():
    doc = r"""Take w_j.

    .. math::

        \sum_j w_j^2
    """
    markdown = docstring_markdown(doc)
    assert "Take w\\_j." in markdown
    assert "$$\n\\sum_j w_j^2\n$$" in markdown


def test_math_in_a_list_item_stays_inside_the_item():
    doc = """Conventions:

    - Distances are squared:

      .. math::

          d = x^2
    """
    assert "- Distances are squared:\n\n  $$\n  d = x^2\n  $$" in docstring_markdown(doc)


def test_other_indented_blocks_stay_preformatted():
    doc = """Loop.

        w = w - alpha * dw

    Repeat.
    """
    assert "```text\nw = w - alpha * dw\n```" in docstring_markdown(doc)


@pytest.mark.parametrize("name", TOPICS)
def test_every_stub_states_its_formulas_in_math_blocks(name):
    _, functions = stub_functions(name)
    assert sum(len(stated_equations(ast.get_docstring(f))) for f in functions) >= 1


@pytest.mark.parametrize("name", TOPICS)
def test_each_formula_appears_verbatim_between_dollars_in_the_notebook(name):
    _, functions = stub_functions(name)
    cells = function_markdown(name)
    for function in functions:
        equations = stated_equations(ast.get_docstring(function))
        shown = re.findall(r"^ *\$\$\n(.*?)\n *\$\$$", cells[function.name], re.MULTILINE | re.DOTALL)
        assert shown == equations, function.name


@pytest.mark.parametrize("name", TOPICS)
def test_docstrings_with_backslashes_are_raw_strings(name):
    """A non-raw docstring would turn \\frac into a form feed and \\beta into a backspace."""
    source, functions = stub_functions(name)
    for function in functions:
        literal = ast.get_source_segment(source, function.body[0])
        if "\\" in literal:
            assert literal.startswith('r"""'), function.name


@pytest.mark.parametrize("name", TOPICS)
def test_every_stub_function_imports_and_raises_not_implemented(name):
    topic = get_topic(ROOT, name)
    spec = importlib.util.spec_from_file_location(f"stub_{name}", topic.stub)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function, parameters in topic.signatures.items():
        with pytest.raises(NotImplementedError):
            getattr(module, function)(*[None] * len(parameters))


@pytest.mark.parametrize("name", TOPICS)
def test_grader_check_on_the_stub_reports_every_test_not_implemented(name, capsys):
    assert main(["check", name, str(get_topic(ROOT, name).stub)]) == 1
    printed = capsys.readouterr().out
    assert "not written yet" in printed and "PASS" not in printed
