"""The result model: what grading one topic gives, as plain data every output renders.

Outputs (results.json, report.html, ``grader check``, the notebooks' check cell, the otter
adapter) import these classes, never the runner that fills them, and read typed fields: no
output parses another's text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# How a failing input is introduced wherever it is shown as text, and the most it takes there.
COUNTEREXAMPLE_HEADING = "Smallest failing input found:"
COUNTEREXAMPLE_CHARS = 2000


@dataclass(frozen=True)
class ParameterRecord:
    """One parameter of a gradient check; ``analytic``/``numerical`` are empty unless revealed."""
    name: str
    shape: tuple[int, ...]
    method: str
    max_rel_error: float
    worst: str
    analytic: tuple[float, ...] = ()
    numerical: tuple[float, ...] = ()


@dataclass(frozen=True)
class GradientCheckRecord:
    """What one ``expect_gradient`` call compared, in the order the test ran them."""
    against: str
    rtol: float
    parameters: tuple[ParameterRecord, ...]

    @classmethod
    def from_recorded(cls, entry: dict[str, Any]) -> "GradientCheckRecord":
        """From the plain entry ``grader.gradcheck.expect_gradient`` records for the running test."""
        return cls(str(entry["against"]), float(entry["rtol"]), tuple(
            ParameterRecord(str(p["name"]), tuple(p["shape"]), str(p["method"]), float(p["max_rel_error"]),
                            str(p["worst"]), tuple(p.get("analytic") or ()), tuple(p.get("numerical") or ()))
            for p in entry["parameters"]))


@dataclass
class TestOutcome:
    topic: str
    name: str
    description: str
    max_points: float
    points: float
    passed: bool
    hidden: bool
    message: str = ""
    hint: str | None = None
    mistake: str | None = None
    detail: str | None = None  # expected/got and similar, from the check
    call: str = ""
    printed: str = ""
    data: dict = field(default_factory=dict)  # what the test recorded (grader.testing.record)
    measure: str | None = None  # how far from the expected value: see grader.outputs.visibility
    counterexample: str | None = None  # hypothesis's (shrunk) failing input, public tests only
    gradient_checks: list[GradientCheckRecord] = field(default_factory=list)
    timed_out: bool = False  # a call met its time limit, or time ran out before the test
    notes: list[str] = field(default_factory=list)  # grader.testing.note: said of a test that passed
    unwritten: str | None = None  # the student function this test found still a stub


@dataclass
class TopicResult:
    topic: str
    title: str
    file: str | None
    error: str | None
    isolation: str
    outcomes: list[TestOutcome]
    seed: int | None = None
    sandbox_failures: list[str] = field(default_factory=list)  # for the instructor, not the student

    @property
    def score(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o.max_points for o in self.outcomes)

    def to_dict(self) -> dict:
        return asdict(self) | {"score": self.score, "max_score": self.max_score}
