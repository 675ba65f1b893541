"""The result model: what grading one topic gives, as plain data every output renders.

Outputs (results.json, report.html, ``grader check``, the notebooks' check cell, the otter
adapter) import these classes, never the runner that fills them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
    detail: str | None = None
    call: str = ""
    printed: str = ""
    data: dict = field(default_factory=dict)
    measure: str | None = None  # how far from the expected value: see grader.outputs.visibility


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
