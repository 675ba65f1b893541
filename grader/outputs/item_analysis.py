"""Item analysis of a class's tests: how hard each test is and whether it separates students.

For each test, over the students who handed that topic in (a file was found, whatever it
scored):

- difficulty: the pass rate;
- discrimination: the point-biserial correlation (Pearson's r of passing, 0 or 1) with the
  rest of the topic's score (the topic's score minus this test's points), so a test is not
  correlated with itself;
- flags: ``nobody_fails``, ``everybody_fails`` (the test tells these students apart from
  nobody), ``suspect`` (negative discrimination: students who do well on the rest of the
  topic fail it more often than those who do badly; a wrong expected value, a test of
  something the statement does not ask, or one that punishes the right answer).

Results are folded in one student at a time with running co-moments (Welford), so memory
grows with the number of tests, never with the class. With fewer than ``MIN_STUDENTS``
students, or when passing or the rest of the score is the same for everyone, there is no
correlation, and ``note`` says why instead of dividing by zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["MIN_STUDENTS", "ItemAnalysis", "ItemStats", "item_analysis_json"]

MIN_STUDENTS = 3
NOBODY_FAILS, EVERYBODY_FAILS, SUSPECT = "nobody_fails", "everybody_fails", "suspect"
_NOISE = 1e-12  # co-moments this small are rounding error, not spread
_ROUNDING = 1e-9  # a correlation this close to 0 is 0 (so an uncorrelated test is not suspect)


@dataclass
class ItemStats:
    """One test's running statistics over the students who handed its topic in."""
    topic: str
    test: str
    hidden: bool
    description: str
    students: int = 0
    passed: int = 0
    _mean_pass: float = 0.0
    _mean_rest: float = 0.0
    _m2_pass: float = 0.0
    _m2_rest: float = 0.0
    _co_moment: float = 0.0

    def add(self, passed: bool, rest: float) -> None:
        """Fold in one student: whether they passed, and the rest of their topic score."""
        self.students += 1
        self.passed += passed
        x, n = float(passed), self.students
        dx, dy = x - self._mean_pass, rest - self._mean_rest
        self._mean_pass += dx / n
        self._mean_rest += dy / n
        self._m2_pass += dx * (x - self._mean_pass)
        self._m2_rest += dy * (rest - self._mean_rest)
        self._co_moment += dx * (rest - self._mean_rest)

    @property
    def difficulty(self) -> float | None:
        """The pass rate, or None when nobody handed the topic in."""
        return self.passed / self.students if self.students else None

    @property
    def discrimination(self) -> float | None:
        """Point-biserial correlation of passing with the rest of the topic's score (see ``note``)."""
        if self.students < MIN_STUDENTS or self._m2_pass <= _NOISE or self._m2_rest <= _NOISE:
            return None
        r = self._co_moment / math.sqrt(self._m2_pass * self._m2_rest)
        return 0.0 if abs(r) < _ROUNDING else max(-1.0, min(1.0, r))

    @property
    def note(self) -> str | None:
        """Why there is no discrimination, when there is none."""
        if self.students < MIN_STUDENTS:
            return (f"{self.students} student{'' if self.students == 1 else 's'} handed this topic in: "
                    f"no correlation below {MIN_STUDENTS}")
        if self._m2_pass <= _NOISE:
            return "everyone passed" if self.passed else "everyone failed"
        if self._m2_rest <= _NOISE:
            return "the rest of the topic's score is the same for everyone"
        return None

    @property
    def flags(self) -> list[str]:
        if not self.students:
            return []
        found = []
        if self.passed == self.students:
            found.append(NOBODY_FAILS)
        if self.passed == 0:
            found.append(EVERYBODY_FAILS)
        r = self.discrimination
        if r is not None and r < 0:
            found.append(SUSPECT)
        return found


@dataclass
class ItemAnalysis:
    """Every test's ``ItemStats``, folded from one student's results.json at a time."""
    items: dict[tuple[str, str, bool], ItemStats] = field(default_factory=dict)

    def add(self, results: dict, topics: set[str] | dict) -> None:
        """Fold in one student's results.json (typed fields only) for the class's ``topics``."""
        handed_in = {name: float(t["score"]) for name, t in results["extra_data"]["topics"].items()
                     if name in topics and t.get("file") is not None}
        for test in results["tests"]:
            extra = test["extra_data"]
            topic = extra["topic"]
            if topic not in handed_in:
                continue
            name, hidden = extra.get("test", test["name"]), bool(extra.get("hidden"))
            key = (topic, name, hidden)
            if key not in self.items:
                description = extra.get("description")
                self.items[key] = ItemStats(topic, name, hidden,
                                            description if isinstance(description, str) else name)
            self.items[key].add(test["status"] == "passed", handed_in[topic] - float(test["score"]))

    def by_topic(self, topic: str) -> list[ItemStats]:
        """The topic's tests, in the order grading ran them."""
        return [item for item in self.items.values() if item.topic == topic]


def item_analysis_json(analysis: ItemAnalysis) -> list[dict]:
    """summary.json's ``item_analysis``: one entry per test (README)."""
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)
    return [{"topic": i.topic, "test": i.test, "hidden": i.hidden, "students": i.students,
             "passed": i.passed, "difficulty": rounded(i.difficulty),
             "discrimination": rounded(i.discrimination), "note": i.note, "flags": i.flags}
            for i in analysis.items.values()]
