"""Running a topic's public tests from inside a student's notebook, as ``grader check`` does.

The check cell grades the code the student has run, not the file on disk (which may be
unsaved): every cell that ran without error and is an answer cell by the rule in
``grader.course.sources`` (check, example and shell cells are not), in the order it ran, with a
cell that ran twice unchanged counted once. That source goes through the same sandboxed
``grade_source`` and the same ``format_check`` as ``grader check``, so the messages match.
"""
from __future__ import annotations

import time
from pathlib import Path

from grader.course.sources import is_answer_cell

class CellTracker:
    """The answer cells that ran without error in one kernel, in the order they ran.

    It lives with the kernel's shell, as its ``post_run_cell`` callback, not in this module."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def __call__(self, result) -> None:
        source = result.info.raw_cell
        if result.success and is_answer_cell(source) and source not in self.ran:
            self.ran.append(source)


def _shell():
    from IPython import get_ipython

    return get_ipython()


def _tracker(shell) -> CellTracker | None:
    return next((c for c in shell.events.callbacks["post_run_cell"] if isinstance(c, CellTracker)), None)


def track_cells() -> None:
    """Remember each answer cell that runs from now on (the notebook's first cell calls this)."""
    shell = _shell()
    if shell is None or _tracker(shell) is not None:
        return
    shell.events.register("post_run_cell", CellTracker())


def _history(shell) -> list[str]:
    """Without tracking, the kernel's input history: answer cells that still compile."""
    sources = []
    for source in shell.history_manager.input_hist_raw:
        try:
            compile(source, "<cell>", "exec")
        except SyntaxError:
            continue
        if is_answer_cell(source) and source not in sources:
            sources.append(source)
    return sources


def notebook_code() -> str:
    from grader.course.sources import notebook_source_from_cells

    shell = _shell()
    if shell is None:
        return notebook_source_from_cells([])
    tracker = _tracker(shell)
    return notebook_source_from_cells(tracker.ran if tracker is not None else _history(shell))


def run_checks(topic_name: str) -> None:
    """Print what ``grader check TOPIC`` prints, for the functions this notebook defined."""
    from grader.course.topics import find_course_root, get_topic
    from grader.grading.runner import grade_source
    from grader.outputs.terminal import format_check

    topic = get_topic(find_course_root(), topic_name)
    name = f"{topic.name}.ipynb"
    started = time.monotonic()
    result = grade_source(topic, notebook_code(), file=name, hidden=False, profile="check")
    print(format_check(result, Path(name), time.monotonic() - started))
