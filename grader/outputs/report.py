"""The per-student HTML report, rendered from templates/report.html.j2.

What a student may see is decided by ``grader.outputs.visibility.student_view``, not here nor
in the template: the template only gets ``StudentView``s. Hidden tests show what was
checked, the failing call's shapes, the hint and the relative errors of gradient checks,
never expected values, gradient values, printed output or the counterexample.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2

from grader.grading.outcomes import GradientCheckRecord, TestOutcome, TopicResult
from grader.outputs.plots import ErrorChart, ValuesChart, error_chart, values_chart
from grader.outputs.results import StudentResult, write_atomically
from grader.outputs.student_ids import display_id
from grader.outputs.visibility import StudentView, student_view, visible

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class GradientView:
    against: str
    rtol: float
    errors: ErrorChart
    values: ValuesChart | None  # public tests only


@dataclass(frozen=True)
class TestView:
    outcome: StudentView
    details: str | None  # expected/got and similar
    counterexample: str | None  # hypothesis's shrunk failing input
    printed: str | None
    gradient: GradientView | None


@dataclass(frozen=True)
class TopicView:
    topic: TopicResult
    error: str | None  # why the file could not be graded, control characters shown
    failed: list[TestView]
    passed: list[TestView]


@functools.lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """One environment per template folder, so templates are compiled once per process."""
    # The course's own templates win; the package's fill in what the course does not override.
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), jinja2.FileSystemLoader(str(TEMPLATES))])
    return jinja2.Environment(loader=loader,
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _chosen_check(outcome: StudentView) -> GradientCheckRecord | None:
    """The check a student should look at: when the test failed, the last one run (the failing,
    shrunk example); when it passed, the one closest to the tolerance."""
    checks = [c for c in outcome.gradient_checks if c.parameters]
    if not checks:
        return None
    if not outcome.passed:
        return checks[-1]
    return max(checks, key=lambda c: max(p.max_rel_error / c.rtol for p in c.parameters))


def gradient_view(outcome: StudentView) -> GradientView | None:
    check = _chosen_check(outcome)
    if check is None:
        return None
    values = None if outcome.hidden else values_chart(check.parameters)
    return GradientView(check.against, check.rtol, error_chart(check.parameters, check.rtol), values)


def _stripped(text: str | None) -> str | None:
    return text.strip() or None if text else None


def outcome_view(outcome: TestOutcome) -> TestView:
    view = student_view(outcome)
    details, counterexample = (None, None) if view.passed else (_stripped(view.detail),
                                                                  _stripped(view.counterexample))
    return TestView(view, details, counterexample, view.printed or None, gradient_view(view))


def topic_view(topic: TopicResult) -> TopicView:
    views = [outcome_view(o) for o in topic.outcomes]
    return TopicView(topic, visible(topic.error) if topic.error else None,
                     [v for v in views if not v.outcome.passed], [v for v in views if v.outcome.passed])


def render_report(result: StudentResult, templates: Path = TEMPLATES) -> str:
    template = environment(templates).get_template("report.html.j2")
    return template.render(result=result, student=display_id(result.student),
                           topics=[topic_view(t) for t in result.topics])


def write_report(path: Path, result: StudentResult, templates: Path = TEMPLATES) -> None:
    write_atomically(path, render_report(result, templates))
