"""Shared helpers for the framework's own tests."""
import contextlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

from grader.course.topics import get_topic
from grader.sandbox.launcher import Isolation, detect_isolation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_fixture_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _command_line(pid: str) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _parent(pid: str) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]


def _ancestors(pid: str) -> set[str]:
    ancestors, current = set(), pid
    while current not in ("0", "1") and len(ancestors) < 64:
        current = _parent(current)
        ancestors.add(current)
    return ancestors


def _is_fork_server(command: str) -> bool:
    """The server's Python (or a fork of it); not the bwrap or setpriv wrapped around it."""
    program = os.path.basename(command.split(" ", 1)[0])
    return program.startswith("python") and "forkserver.py" in command


def student_processes(below: int | None = None) -> list[str]:
    """Processes forked for students that are still alive (the fork servers themselves are not).

    A forked child runs the fork server's command line and its parent does too. With
    ``below``, only descendants of that pid count (other tests may grade in parallel);
    the attackers' sleepers count anywhere, as an escaped orphan is re-parented away.
    """
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = _command_line(pid)
            forked = _is_fork_server(command) and _is_fork_server(_command_line(_parent(pid)))
            mine = below is None or str(below) in _ancestors(pid)
        except (OSError, IndexError):
            continue
        if "time.sleep(3600)" in command or (forked and mine):
            found.append(f"{pid} {command[:80]}")
    return found


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def regularization():
    return get_topic(ROOT, "regularization")


ISOLATION_MODES = ("bubblewrap", "fallback")


@contextlib.contextmanager
def grading_mode(mode: str) -> Iterator[Isolation]:
    """Grade under bubblewrap ("bubblewrap", skipped where it does not work here) or in the
    fallback ("fallback", GRADER_NO_BWRAP=1) until the block ends; yields what is in force."""
    previous = os.environ.pop("GRADER_NO_BWRAP", None)
    if mode == "fallback":
        os.environ["GRADER_NO_BWRAP"] = "1"
    detect_isolation.cache_clear()
    try:
        isolation = detect_isolation()
        if mode == "bubblewrap" and not isolation.mode.startswith("bubblewrap"):
            pytest.skip(f"bubblewrap is not available here: {isolation.summary()}")
        yield isolation
    finally:
        os.environ.pop("GRADER_NO_BWRAP", None)
        if previous is not None:
            os.environ["GRADER_NO_BWRAP"] = previous
        detect_isolation.cache_clear()
