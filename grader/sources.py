"""Reading a submission file into Python source, with messages a student understands."""
from __future__ import annotations

import json
import re
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000
SUBMISSION_SUFFIXES = (".py", ".ipynb")


class SubmissionFileError(Exception):
    """The file cannot be graded at all; the message is shown to the student."""


def find_submission_file(student_dir: Path, topic: str) -> Path:
    for suffix in SUBMISSION_SUFFIXES:
        candidate = student_dir / f"{topic}{suffix}"
        if candidate.is_file():
            return candidate
    raise SubmissionFileError(
        f"no file {topic}.py or {topic}.ipynb in your submission, so this topic scores 0")


def read_source(path: Path) -> str:
    """The Python source of a .py file or of a notebook's code cells."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SubmissionFileError(f"{path.name} cannot be read: {error.strerror}") from None
    if size == 0:
        raise SubmissionFileError(f"{path.name} is empty")
    if size > MAX_SOURCE_BYTES:
        raise SubmissionFileError(
            f"{path.name} is {size / 1e6:.1f} MB; submissions are limited to "
            f"{MAX_SOURCE_BYTES / 1e6:.0f} MB")
    raw = path.read_bytes()
    if b"\0" in raw:
        raise SubmissionFileError(f"{path.name} is a binary file, not Python source")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionFileError(
            f"{path.name} is not UTF-8 text (byte {raw[error.start]:#04x} at position "
            f"{error.start}); save it as UTF-8") from None
    if path.suffix == ".ipynb":
        return notebook_source(text, path.name)
    return text


# The one rule, shared by the notebook builder and the reader, for which code cells are the
# student's answer. The builder starts the cells it writes for checks and examples with these
# markers; students who copy a check call into a cell of their own are caught by CHECK_CALLS.
CHECK_CELL_MARKER = "# grader: check"
EXAMPLE_CELL_MARKER = "# grader: example"
CHECK_CALLS = ("run_checks(", "grader.check(", "grader.check_all(")
SHELL_PREFIXES = ("!", "%")
# Otter-grader's student notebooks open with a cell importing otter and making its
# Notebook object; the sandbox has no otter, and the cell is not the student's answer.
OTTER_SETUP = re.compile(r"(import otter|from otter import .*|\w+ *= *otter\.Notebook\(.*\))")
CELL_HEADER = "# %% {label}"


def is_answer_cell(source: str) -> bool:
    """Whether a code cell is graded: not a check or example cell, and not only magics or help."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if not lines or lines[0].startswith((CHECK_CELL_MARKER, EXAMPLE_CELL_MARKER)):
        return False
    if lines[0].startswith("%%"):  # a cell magic makes the whole cell something else than Python
        return False
    code = [line for line in lines if not line.startswith("#")]
    if all(line.startswith(SHELL_PREFIXES) or line.endswith("?") or OTTER_SETUP.fullmatch(line)
           for line in code):
        return False
    return not any(line.startswith(CHECK_CALLS) for line in code)


def _answer_lines(source: str) -> str:
    # Blank out line magics instead of deleting them so line numbers inside the cell still match.
    return "\n".join("" if line.lstrip().startswith(SHELL_PREFIXES) else line
                     for line in source.splitlines())


def cells_script(cells: list[tuple[str, str]]) -> str:
    """Answer cells ``(label, source)`` as one script; each cell starts with a ``# %% label``
    line, so a line number in a message can be traced back to its cell."""
    return "\n\n".join(f"{CELL_HEADER.format(label=label)}\n{_answer_lines(source)}"
                       for label, source in cells if is_answer_cell(source)) + "\n"


def notebook_source_from_cells(sources: list[str]) -> str:
    """The cells a kernel ran, in the order they ran (see grader.notebook_checks)."""
    return cells_script([(f"cell run {number}", source) for number, source in enumerate(sources, 1)])


def notebook_source(text: str, name: str) -> str:
    """The answer cells of a notebook as one script, each cell headed by its number in the notebook."""
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
        cells = list(notebook.get("cells", []))
    except Exception as error:  # nbformat raises many kinds on malformed files
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise SubmissionFileError(
            f"{name} is not a readable notebook ({reason}); open it in Jupyter, save it "
            "and submit it again, or submit a .py file") from None
    code_cells = [(number, cell.get("source", "")) for number, cell in enumerate(cells, 1)
                  if cell.get("cell_type") == "code" and isinstance(cell.get("source", ""), str)]
    if not code_cells:
        raise SubmissionFileError(f"{name} has no code cells, so there is nothing to grade")
    if not any(is_answer_cell(source) for _, source in code_cells):
        raise SubmissionFileError(f"{name} has only check, example or shell cells; write your "
                                  "functions in code cells of their own")
    for number, source in code_cells:
        if "\0" in source and is_answer_cell(source):
            # JSON can hold "\u0000"; Python source cannot, and compile() would not say where.
            line = source[:source.index("\0")].count("\n") + 1
            raise SubmissionFileError(f"{name}: notebook cell {number} contains a NUL character "
                                      f"(\\u0000) on its line {line}, which Python code cannot "
                                      "hold; delete it, save the notebook and submit it again")
    return cells_script([(f"notebook cell {number}", source) for number, source in code_cells])
