"""Reading a submission file into Python source, with messages a student understands.

Grading reads student files only through ``read_submissions``: a regular file directly
inside the student's own folder, opened relative to that folder's descriptor with
O_NOFOLLOW and checked with fstat after opening. A link (to the reference, to /etc/passwd,
to a peer), a folder that is a link, a pipe or a device scores 0 with a message saying so.
Hard links are graded: a hard link is the file itself, with nothing to tell it from a copy.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from grader.course.fingerprint import sha256_hex

MAX_SOURCE_BYTES = 1_000_000
SUBMISSION_SUFFIXES = (".py", ".ipynb")
REFUSAL = "only regular files inside your own folder are graded, so this topic scores 0"
# Opening never follows a link, never waits for a writer (FIFO) and never takes a terminal.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class SubmissionFileError(Exception):
    """The file cannot be graded at all; the message is shown to the student."""


class RefusedFile(SubmissionFileError):
    """The name exists but is not a regular file of the student's own (a link, a pipe, ...)."""


@dataclass(frozen=True)
class SubmittedFile:
    """What grading gets of one topic: the file's name and source, or why it cannot be graded.
    Plain data, so the Dask client can send it to a worker. ``found``: when there is no file
    for the topic, the other names in the student's folder (as ``shown_name`` shows them), at
    most ``FOUND_NAMES`` of them; ``found_more`` counts the rest (a folder may hold millions)."""
    file: str | None
    source: str | None = None
    error: str | None = None
    found: tuple[str, ...] = ()
    sha256: str | None = None  # of the file's bytes, when they were read and decoded
    missing: bool = False  # no file for the topic at all: not handed in, unlike a refused one
    found_more: int = 0


# How many of a folder's other names a "no file" message lists, and how long each may be:
# a student chooses them, so they may be many, huge, or full of escape sequences.
FOUND_NAMES, NAME_CHARS = 10, 80


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xdc80 <= code <= 0xdcff:  # an undecodable byte, as os.listdir hands it over
        return f"\\x{code - 0xdc00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def shown_name(name: str, limit: int = NAME_CHARS) -> str:
    """A name a student or an LMS chose, as printable text: control, format (bidi) and
    undecodable characters as escapes, so it cannot drive a terminal or reorder the text
    around it; cut at ``limit`` characters."""
    text = "".join(c if c.isprintable() else _escaped(c) for c in name)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def missing_message(topic: str, found: tuple[str, ...], more: int = 0) -> str:
    """Why a topic scores 0 when its file is not there, naming what was there instead
    (``more``: how many other names there were beyond ``found``)."""
    expected = f"{topic}.py or {topic}.ipynb"
    if not found:
        return f"no file {expected} in your submission, so this topic scores 0"
    more += len(found) - FOUND_NAMES
    names = ", ".join(found[:FOUND_NAMES]) + (f" and {more} more" if more > 0 else "")
    return f"found {names}; expected {expected}, so this topic scores 0"


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return "not a regular file"


def _same_file(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)


@contextlib.contextmanager
def student_folder(student_dir: Path) -> Iterator[int]:
    """A descriptor of the student's folder, opened by name inside the submissions folder
    without following a link: files are then opened relative to it, so no component of
    their path below the submissions folder can be a link or be swapped for one."""
    try:
        parent = os.open(student_dir.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise SubmissionFileError(f"your submission folder cannot be read: {error.strerror}") from None
    try:
        before = os.stat(student_dir.name, dir_fd=parent, follow_symlinks=False)
        if not stat.S_ISDIR(before.st_mode):
            raise RefusedFile(f"your submission folder is {_kind(before.st_mode)}, not a folder of "
                              f"your own; {REFUSAL}")
        folder = os.open(student_dir.name, _FOLDER_FLAGS, dir_fd=parent)
    except OSError as error:  # ENOTDIR or ELOOP: swapped for a link after the check
        raise SubmissionFileError(f"your submission folder cannot be read: {error.strerror}") from None
    finally:
        os.close(parent)
    try:
        if not _same_file(before, os.fstat(folder)):
            raise RefusedFile(f"your submission folder changed while it was being opened; {REFUSAL}")
        yield folder
    finally:
        os.close(folder)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(limit - size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_regular(open_file: Callable[[], int], name: str, before: os.stat_result | None) -> bytes:
    """Read at most MAX_SOURCE_BYTES + 1 bytes through the descriptor ``open_file()`` returns,
    once fstat says it is a regular file (and the one ``before`` described, if given)."""
    try:
        fd = open_file()
    except FileNotFoundError:  # no such file: the caller tries the next name
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link put there after the check
            raise RefusedFile(f"{name} is a symbolic link; {REFUSAL}") from None
        raise SubmissionFileError(f"{name} cannot be read: {error.strerror}") from None
    try:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode):
            raise RefusedFile(f"{name} is {_kind(after.st_mode)}; {REFUSAL}")
        if before is not None and not _same_file(before, after):
            raise RefusedFile(f"{name} changed while it was being opened; {REFUSAL}")
        # Read through the descriptor, never more than one byte past the limit: a file that
        # grows after fstat cannot make the grader read more.
        raw = _read_at_most(fd, MAX_SOURCE_BYTES + 1)
    except OSError as error:
        raise SubmissionFileError(f"{name} cannot be read: {error.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_SOURCE_BYTES:
        size = max(after.st_size, len(raw))
        raise SubmissionFileError(
            f"{name} is {size / 1e6:.1f} MB; submissions are limited to "
            f"{MAX_SOURCE_BYTES / 1e6:.0f} MB")
    return raw


def _read_in_folder(folder: int, name: str) -> bytes:
    """The bytes of ``name`` in the student's folder descriptor, if it is a regular file there.
    FileNotFoundError when there is no such name; RefusedFile for links, pipes, devices, ..."""
    if os.sep in name or name in (".", ".."):
        raise ValueError(f"not a file name: {name!r}")
    try:
        before = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:  # no such file: the caller tries the next name
        raise
    except OSError as error:
        raise SubmissionFileError(f"{name} cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(before.st_mode):  # refused before opening: opening a device can act
        raise RefusedFile(f"{name} is {_kind(before.st_mode)}; {REFUSAL}")
    return _read_regular(lambda: os.open(name, _FILE_FLAGS, dir_fd=folder), name, before)


def _topic_file(folder: int, topic: str, others: tuple[str, ...], more: int) -> SubmittedFile:
    # The first candidate that is a regular file is the submission; a link or pipe of that
    # name is reported only when there is no regular candidate at all.
    refused = None
    for suffix in SUBMISSION_SUFFIXES:
        name = f"{topic}{suffix}"
        try:
            raw = _read_in_folder(folder, name)
            return SubmittedFile(name, decode_source(raw, name), sha256=sha256_hex(raw))
        except FileNotFoundError:
            continue
        except RefusedFile as error:
            refused = refused or SubmittedFile(name, error=str(error))
        except SubmissionFileError as error:
            return SubmittedFile(name, error=str(error))
    return refused or SubmittedFile(None, error=missing_message(topic, others, more), found=others,
                                    found_more=more, missing=True)


def read_submissions(student_dir: Path, topics: Iterable[str],
                     course_topics: Iterable[str] = ()) -> dict[str, SubmittedFile]:
    """Each topic's file in a student's folder: the one way grading reads student files.

    A missing topic's message lists the folder's other names, leaving out the files of
    ``topics`` and ``course_topics``, so it is the same whichever topics one run grades."""
    topics = list(topics)
    try:
        with student_folder(student_dir) as folder:
            # Names no topic read: listing opens nothing; a topic's own file is not "found".
            taken = {f"{topic}{suffix}" for topic in (*topics, *course_topics)
                     for suffix in SUBMISSION_SUFFIXES}
            names = sorted(n for n in os.listdir(folder) if n not in taken)
            others = tuple(shown_name(n) for n in names[:FOUND_NAMES])
            more = len(names) - len(others)
            return {topic: _topic_file(folder, topic, others, more) for topic in topics}
    except SubmissionFileError as error:
        return {topic: SubmittedFile(None, error=str(error)) for topic in topics}


def read_submission(student_dir: Path, topic: str) -> SubmittedFile:
    return read_submissions(student_dir, [topic])[topic]


def submitted_names(student_dir: Path) -> list[str]:
    """The names in a student's folder (none if the folder itself is refused); nothing is
    followed or opened, so a link named like a topic's file still counts as handed in."""
    try:
        with student_folder(student_dir) as folder:
            return os.listdir(folder)
    except (SubmissionFileError, OSError):
        return []


def read_source(path: Path) -> str:
    """The Python source of a .py file or of a notebook's code cells, for ``grader check``:
    the student's own file on their own machine, so a link they made is followed."""
    try:
        raw = _read_regular(lambda: os.open(path, _FILE_FLAGS & ~os.O_NOFOLLOW), path.name, None)
    except FileNotFoundError as error:
        raise SubmissionFileError(f"{path.name} cannot be read: {error.strerror}") from None
    return decode_source(raw, path.name)


def default_check_path(course: Path, topic: str) -> Path:
    """The file ``grader check TOPIC`` grades when given none: ./TOPIC.py, else ./TOPIC.ipynb,
    else the stub in the course (which students may complete in place)."""
    for candidate in (Path.cwd() / f"{topic}.py", Path.cwd() / f"{topic}.ipynb"):
        if candidate.is_file():
            return candidate
    return course / "exercises" / topic / f"{topic}.py"


def decode_source(raw: bytes, name: str) -> str:
    """The Python source in a submission's bytes, or a message saying why there is none."""
    if not raw:
        raise SubmissionFileError(f"{name} is empty")
    if b"\0" in raw:
        raise SubmissionFileError(f"{name} is a binary file, not Python source")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionFileError(
            f"{name} is not UTF-8 text (byte {raw[error.start]:#04x} at position "
            f"{error.start}); save it as UTF-8") from None
    if name.endswith(".ipynb"):
        return notebook_source(text, name)
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
