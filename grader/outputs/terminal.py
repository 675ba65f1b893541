"""What ``grader check`` and a notebook's check cell print: one topic's public tests as text."""
from __future__ import annotations

import textwrap
from pathlib import Path

from grader.grading.outcomes import TestOutcome, TopicResult
from grader.outputs.visibility import failure_lines, student_view, visible


def _indent(text: str) -> str:
    return textwrap.indent(text, "        ")


def _unwritten_line(function: str, outcomes: list[TestOutcome]) -> str:
    mine = [o for o in outcomes if o.unwritten == function and not o.passed]
    tests = "1 test" if len(mine) == 1 else f"{len(mine)} tests"
    return (f"  TODO  {function} is not written yet (it raises NotImplementedError): {tests}, "
            f"0/{sum(o.max_points for o in mine):g} points")


def format_check(result: TopicResult, path: Path, seconds: float) -> str:
    """What ``grader check`` (and a notebook's check cell) prints: only what ``student_view``
    lets through, with every control character shown as an escape, never sent to the terminal.

    A function still the stub takes one line, where its first test would be, not lines per test."""
    lines = [f"{result.topic}: public tests on {path}", ""]
    if result.error:
        lines += [_indent(result.error), ""]
    shown: set[str] = set()
    for outcome in result.outcomes:
        if outcome.unwritten and not outcome.passed and not result.error:
            if outcome.unwritten not in shown:
                shown.add(outcome.unwritten)
                lines.append(_unwritten_line(outcome.unwritten, result.outcomes))
            continue
        mark = "PASS" if outcome.passed else "FAIL"
        lines.append(f"  {mark}  {outcome.description}  [{outcome.points:g}/{outcome.max_points:g}]")
        if outcome.passed:
            lines += [_indent(f"note: {text}") for text in student_view(outcome).notes]
            continue
        if result.error:
            continue
        lines += [_indent(line) for line in failure_lines(student_view(outcome))]
    passed = sum(o.passed for o in result.outcomes)
    lines += ["", f"{passed} of {len(result.outcomes)} public tests passed, "
                  f"{result.score:g}/{result.max_score:g} points ({seconds:.1f} s). "
                  "Hidden tests check more when your work is graded."]
    return visible("\n".join(lines))
