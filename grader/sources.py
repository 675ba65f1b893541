"""Reading a submission file into Python source, with messages a student understands."""
from __future__ import annotations

import json
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


def _is_check_cell(source: str) -> bool:
    """Cells that only run checks or shell/IPython magics are not part of the answer."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if not lines:
        return True
    if all(line.startswith(("!", "%", "?")) or line.endswith("?") for line in lines):
        return True
    return any(line.startswith(("grader.check", "run_checks(", "%%")) for line in lines)


def notebook_source(text: str, name: str) -> str:
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
    except (ValueError, json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        raise SubmissionFileError(f"{name} is not a readable notebook: {error}") from None
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if _is_check_cell(source):
            continue
        # Keep line numbers meaningful: drop remaining magics line by line.
        cells.append("\n".join("" if line.lstrip().startswith(("!", "%")) else line
                               for line in source.splitlines()))
    if not cells:
        raise SubmissionFileError(f"{name} has no code cells")
    return "\n\n".join(cells) + "\n"
