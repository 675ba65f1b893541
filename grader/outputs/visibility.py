"""What a student may see of a test outcome: the one rule every rendering goes through.

results.json, report.html, ``grader check``, the notebooks' check cell and the otter
adapter all render a ``StudentView``, never a ``TestOutcome`` directly. For a hidden test a
student sees what was checked, the failing call's argument shapes, the message (which
checks keep free of values), the hint and the diagnosed mistake; never the expected value,
the relative errors of gradient checks against the reference, the details quoting values, how far the answer
is from the expected one, gradient values, printed output or hypothesis's counterexample,
any of which could reveal the reference. Public tests show everything.

Every text a student may have influenced (printed output, exception messages) is also
passed through ``visible``, so a terminal or a page shows control characters as escapes
instead of obeying them (clear screen, window title, OSC 52 clipboard writes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.grading.outcomes import COUNTEREXAMPLE_HEADING, GradientCheckRecord

if TYPE_CHECKING:
    from grader.grading.outcomes import TestOutcome

# C0 controls but tab and newline, DEL, C1 controls, and the lone surrogates that stand for
# undecodable bytes (surrogateescape): none is ever written raw.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\udc80-\udcff]")


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code - 0xdc00 if code >= 0xdc80 else code:02x}"


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab shown as ``\\xNN``."""
    return _CONTROL.sub(_escape, text)


@dataclass(frozen=True)
class StudentView:
    """A test outcome as a student may see it (same field names as ``TestOutcome``)."""
    topic: str
    name: str
    description: str
    max_points: float
    points: float
    passed: bool
    hidden: bool
    message: str = ""
    call: str = ""
    hint: str | None = None
    mistake: str | None = None
    detail: str | None = None           # public tests only
    printed: str = ""                   # public tests only
    gradient_checks: list[GradientCheckRecord] = field(default_factory=list)  # public tests only
    counterexample: str | None = None   # public tests only
    notes: tuple[str, ...] = ()         # the grader's words on a test that passed anyway


def _gradient_checks(outcome: TestOutcome) -> list[GradientCheckRecord]:
    checks = outcome.gradient_checks
    if not outcome.hidden:
        return checks
    # Neither the entries nor the relative errors: with the student's own gradient, an error
    # against the reference's numerical gradient gives that gradient away. The message still
    # names the parameters that disagree.
    return []


def student_view(outcome: TestOutcome) -> StudentView:
    """The part of ``outcome`` a student may see."""
    message = outcome.message
    if outcome.measure and not outcome.hidden:
        message = f"{message} ({outcome.measure})"
    public = not outcome.hidden
    return StudentView(
        topic=outcome.topic, name=outcome.name, description=outcome.description,
        max_points=outcome.max_points, points=outcome.points, passed=outcome.passed, hidden=outcome.hidden,
        message=visible(message), call=visible(outcome.call),
        hint=visible(outcome.hint) if outcome.hint else outcome.hint, mistake=outcome.mistake,
        detail=visible(outcome.detail) if public and outcome.detail else None,
        printed=visible(outcome.printed) if public else "",
        gradient_checks=_gradient_checks(outcome),
        counterexample=visible(outcome.counterexample) if public and outcome.counterexample else None,
        notes=tuple(visible(text) for text in outcome.notes))


def detail_text(view: StudentView) -> str | None:
    """The details and, under its heading, the counterexample: the text renderings' one block."""
    counterexample = f"{COUNTEREXAMPLE_HEADING}\n{view.counterexample}" if view.counterexample else None
    return "\n".join(filter(None, [view.detail, counterexample])) or None


def failure_lines(view: StudentView) -> list[str]:
    """Why a test failed, as plain text (``grader check``, the notebooks, otter)."""
    lines = [view.message]
    if view.call:
        lines.append(f"failing call: {view.call}")
    detail = detail_text(view)
    if detail:
        lines.append(detail)
    if view.hint:
        lines.append(f"hint: {view.hint}")
    if view.printed:
        lines.append("your code printed:\n" + view.printed.rstrip())
    return lines
