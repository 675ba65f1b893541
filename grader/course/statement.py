"""A topic's problem statement, read from its stub: the one place the text lives.

The stub's module docstring is the introduction and each public function's docstring its
exercise. Notebooks render them as Markdown: prose stays prose; a ``.. math::`` line followed
by an indented body of LaTeX (as in reST) becomes display math, one ``$$`` block per equation,
equations separated by blank lines, the LaTeX passed through untouched; any other indented
block after a blank line (pseudocode, numpy indexing) is a preformatted block exactly as in
the stub; and indented lines straight after ``Args:``, ``Returns:``, ``Raises:`` or
``... keys (default):`` become a list.
"""
from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Parameter:
    name: str
    has_default: bool


@dataclass(frozen=True)
class FunctionStatement:
    name: str
    parameters: list[Parameter]
    docstring: str
    stub_source: str


@dataclass(frozen=True)
class TopicStatement:
    name: str
    title: str
    introduction: str
    imports: str
    functions: list[FunctionStatement]


def _parameters(node: ast.FunctionDef) -> list[Parameter]:
    positional = node.args.posonlyargs + node.args.args
    first_default = len(positional) - len(node.args.defaults)
    parameters = [Parameter(a.arg, i >= first_default) for i, a in enumerate(positional)]
    return parameters + [Parameter(a.arg, d is not None)
                         for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults)]


def read_statement(name: str, stub: Path) -> TopicStatement:
    source = stub.read_text(encoding="utf-8")
    tree = ast.parse(source)
    doc = (ast.get_docstring(tree) or name).strip()
    title, _, introduction = doc.partition("\n")
    imports = "\n".join(ast.get_source_segment(source, node) for node in tree.body
                        if isinstance(node, (ast.Import, ast.ImportFrom)))
    functions = [FunctionStatement(node.name, _parameters(node), ast.get_docstring(node) or "",
                                   ast.get_source_segment(source, node))
                 for node in tree.body
                 if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    return TopicStatement(name, title.rstrip("."), introduction.strip(), imports, functions)


# ----------------------------------------------------------------- Markdown
LIST_SECTION = re.compile(r"^(Args|Returns|Raises|[\w ]* keys[\w ()]*):$")
MATH_DIRECTIVE = ".. math::"
_CODE_SPAN = re.compile(r"(`[^`]*`)")


def _escape_prose(line: str) -> str:
    """Stop sum_i, w_j and a * b from turning into italics; code spans stay as written."""
    parts = _CODE_SPAN.split(line)
    return "".join(part if part.startswith("`") else re.sub(r"([*_\\])", r"\\\1", part)
                   for part in parts)


def _indented_block(lines: list[str], start: int, deeper_than: int = 0) -> tuple[list[str], int]:
    """The lines from ``start`` indented more than ``deeper_than`` (inner blank lines included)."""
    def inside(line: str) -> bool:
        return len(line) - len(line.lstrip()) > deeper_than
    end = start
    while end < len(lines) and (inside(lines[end]) or (not lines[end].strip() and end + 1 < len(lines)
                                                       and inside(lines[end + 1]))):
        end += 1
    return lines[start:end], end


def _preformatted(block: list[str]) -> str:
    return "```text\n" + inspect.cleandoc("\n".join(block)) + "\n```"


def _display_math(body: list[str]) -> str:
    """A ``.. math::`` body as ``$$`` blocks, one per blank-line-separated equation (as in reST).

    Jupyter's Markdown takes the math out before parsing, so the LaTeX needs no escaping."""
    equations = re.split(r"\n[ \t]*\n", textwrap.dedent("\n".join(body)).strip("\n"))
    return "\n\n".join(f"$$\n{equation.rstrip()}\n$$" for equation in equations if equation.strip())


def _list_item(entry: str) -> str:
    head, colon, rest = entry.partition(": ")
    if colon and re.fullmatch(r"\w+(, \w+)*", head):
        return f"- `{head}`: {_escape_prose(rest)}"
    return "- " + _escape_prose(entry)


def _list(block: list[str]) -> str:
    """Entries start at the block's smallest indentation; deeper lines continue the entry, and so
    does a line after an unfinished one (ending in a word or a comma, as in a wrapped sentence)."""
    indent = min(len(line) - len(line.lstrip()) for line in block if line.strip())
    entries: list[str] = []
    for line in block:
        if not line.strip():
            continue
        unfinished = bool(entries) and re.search(r"[\w,]$", entries[-1]) is not None
        if not entries or (len(line) - len(line.lstrip()) == indent and not unfinished):
            entries.append(line.strip())
        else:
            entries[-1] += " " + line.strip()
    return "\n".join(_list_item(entry) for entry in entries)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def docstring_markdown(doc: str) -> str:
    """A docstring as Markdown (see the module docstring for the rules)."""
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    in_bullet = False  # inside a "- " item: 2-space lines continue it, deeper blocks belong to it
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent == 0:
            in_bullet = line.startswith("- ")
        if line.strip() == MATH_DIRECTIVE:
            body, i = _indented_block(lines, i + 1, indent)
            if out and out[-1]:
                out.append("")  # display math starts a block of its own
            out.append(_indent(_display_math(body), "  " if in_bullet else ""))
        elif in_bullet and indent == 2:
            out.append("  " + _escape_prose(line.strip()))
            i += 1
        elif indent and out and LIST_SECTION.match(out[-1]) and not in_bullet:
            block, i = _indented_block(lines, i)
            out.append(_list(block))
        elif indent:
            block, i = _indented_block(lines, i, 2 if in_bullet else 0)
            out.append(_indent(_preformatted(block), "  " if in_bullet else ""))
        else:
            out.append(_escape_prose(line))
            i += 1
    # A list must not be glued to the paragraph before it.
    return re.sub(r":\n- ", ":\n\n- ", "\n".join(out))
