"""The class outputs built from OUT after grading: index.html, summary.json, canvas_grades.csv.

Students' results.json files are read one at a time and folded into counters, so
memory grows with the number of students only by one small row each (the same
as the gradebook), never by their full results. Students graded by an earlier
run (--resume) are read like any other. A topic a student did not hand in is missing, not
a 0: it counts in no score statistic or pass rate (those are over the students who handed
the topic in), and its cell in the rows is None.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from grader.course.policy import Policy
from grader.course.topics import Topic
from grader.outputs.canvas import ExportOptions, StudentGrades, TopicGrade, canvas_export
from grader.outputs.item_analysis import ItemAnalysis, item_analysis_json
from grader.outputs.plots import Histogram, histogram
from grader.outputs.report import TEMPLATES, environment
from grader.outputs.results import MISSING, test_description, topic_state, write_if_changed
from grader.outputs.similarity import class_similarity, render_similarity
from grader.outputs.student_ids import display_id, output_name, report_link
from grader.outputs.visibility import visible

INDEX_FILE = "index.html"
SUMMARY_FILE = "summary.json"
CANVAS_FILE = "canvas_grades.csv"
SIMILARITY_FILE = "similarity.html"
RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"
# Outcomes every test can have; the mistakes table is about diagnosed, topic-specific ones.
GENERIC_MISTAKES = frozenset({"raises", "not_implemented", "did_not_run"})
HISTOGRAM_BINS = 10
LISTED_FAILURES = 500  # rows of "failed to run" shown in index.html; summary.json has them all


@dataclass
class TestStats:
    topic: str
    test: str
    description: str
    hidden: bool
    max_points: float
    passed: int = 0
    graded: int = 0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class MistakeStats:
    topic: str
    mistake: str
    hint: str | None
    students: int = 0
    tests: set[str] = field(default_factory=set)


@dataclass
class TopicStats:
    name: str
    title: str
    max_score: float = 0.0
    scores: Counter = field(default_factory=Counter)  # score -> number of students: exact, and small
    failed_to_run: int = 0
    missing: int = 0  # students who did not hand the topic in (not in ``scores``)

    @property
    def count(self) -> int:
        return sum(self.scores.values())

    def mean(self) -> float:
        return sum(s * n for s, n in self.scores.items()) / self.count if self.count else 0.0

    def median(self) -> float:
        return _counter_median(self.scores) if self.count else 0.0

    def bin_counts(self) -> list[int]:
        counts = [0] * HISTOGRAM_BINS
        for score, number in self.scores.items():
            fraction = score / self.max_score if self.max_score else 0.0
            counts[min(int(fraction * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += number
        return counts


def _counter_median(scores: Counter) -> float:
    """The median of a multiset given as value -> count, without expanding it."""
    total, seen = sum(scores.values()), 0
    ordered = sorted(scores.items())
    lower = upper = None
    for value, number in ordered:
        seen += number
        if lower is None and seen >= (total + 1) // 2:
            lower = value
        if seen >= total // 2 + 1:
            upper = value
            break
    return (lower + upper) / 2 if total % 2 == 0 else lower


BIN_LABELS = [f"{10 * i}" for i in range(HISTOGRAM_BINS)]


@dataclass
class ClassSummary:
    """Everything the class outputs need, folded from one student's results at a time."""
    topics: dict[str, TopicStats]
    tests: dict[tuple[str, str, bool], TestStats] = field(default_factory=dict)
    mistakes: dict[tuple[str, str], MistakeStats] = field(default_factory=dict)
    failed_to_run: list[dict] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    items: ItemAnalysis = field(default_factory=ItemAnalysis)  # difficulty, discrimination per test

    def add(self, student: str, results: dict) -> None:
        topics = results["extra_data"]["topics"]
        missing = {name for name, topic in topics.items() if topic_state(topic) == MISSING}
        for name, topic in topics.items():
            stats = self.topics.get(name)
            if stats is None:
                continue
            stats.max_score = max(stats.max_score, float(topic["max_score"]))
            if name in missing:
                stats.missing += 1
                continue
            stats.scores[float(topic["score"])] += 1
            if topic.get("error"):
                stats.failed_to_run += 1
                self.failed_to_run.append({"student": student, "topic": name,
                                           "error": visible(topic["error"].strip().splitlines()[0][:300])})
        seen_mistakes = set()
        for test in results["tests"]:
            if test["extra_data"]["topic"] not in missing:
                self._add_test(test, seen_mistakes)
        self.items.add(results, self.topics)
        self.rows.append({"student": student, "total": float(results["score"]),
                          "max_total": float(results["max_score"]),
                          "topics": {name: None if name in missing else float(t["score"])
                                     for name, t in topics.items() if name in self.topics}})

    def _add_test(self, test: dict, seen_mistakes: set) -> None:
        extra = test["extra_data"]
        topic, name, hidden = extra["topic"], extra.get("test", test["name"]), bool(extra.get("hidden"))
        if topic not in self.topics:
            return
        key = (topic, name, hidden)  # a public and a hidden test may share a name
        stats = self.tests.get(key)
        if stats is None:
            description = test_description(test)
            stats = self.tests[key] = TestStats(topic, name, description, hidden, float(test["max_score"]))
        stats.graded += 1
        stats.passed += test["status"] == "passed"
        mistake = extra.get("mistake")
        if test["status"] == "passed" or not mistake or mistake in GENERIC_MISTAKES:
            return
        entry = self.mistakes.get((topic, mistake))
        if entry is None:
            entry = self.mistakes[(topic, mistake)] = MistakeStats(topic, mistake, extra.get("hint"))
        entry.tests.add(stats.description)
        if (topic, mistake) not in seen_mistakes:  # count students, not the tests that noticed it
            seen_mistakes.add((topic, mistake))
            entry.students += 1

    def ranked_mistakes(self) -> list[MistakeStats]:
        return sorted(self.mistakes.values(), key=lambda m: (-m.students, m.topic, m.mistake))

    def histograms(self) -> dict[str, Histogram]:
        return {name: histogram(stats.bin_counts(), BIN_LABELS) for name, stats in self.topics.items()}


def summarize(out: Path, students: Iterable[str], titles: dict[str, str]) -> ClassSummary:
    """Read OUT/<student>/results.json for each student, one at a time."""
    summary = ClassSummary({name: TopicStats(name, title) for name, title in titles.items()})
    for student in sorted(students):
        try:
            results = json.loads((out / output_name(student) / RESULTS_FILE).read_text(encoding="utf-8"))
            summary.add(student, results)
        except (OSError, ValueError, KeyError, TypeError):
            summary.unreadable.append(student)
    return summary


def summary_json(summary: ClassSummary) -> dict:
    """The JSON summary for scripts (documented in the README)."""
    return {
        "students": {display_id(row["student"]): {"total": row["total"], "max_total": row["max_total"],
                                                  "topics": row["topics"],
                                                  "report": report_link(row["student"], REPORT_FILE)}
                     for row in summary.rows},
        "topics": {name: {"title": t.title, "max_score": t.max_score, "students": t.count,
                          "mean": round(t.mean(), 4), "median": t.median(),
                          "failed_to_run": t.failed_to_run, "missing": t.missing,
                          "histogram": {"bin_percent_from": [10 * i for i in range(HISTOGRAM_BINS)],
                                        "counts": t.bin_counts()}}
                   for name, t in summary.topics.items()},
        "tests": [{"topic": t.topic, "test": t.test, "description": t.description, "hidden": t.hidden,
                   "max_points": t.max_points, "passed": t.passed, "graded": t.graded,
                   "pass_rate": round(t.pass_rate, 4)} for t in summary.tests.values()],
        "mistakes": [{"topic": m.topic, "mistake": m.mistake, "students": m.students, "hint": m.hint,
                      "tests": sorted(m.tests)} for m in summary.ranked_mistakes()],
        "failed_to_run": [failure | {"student": display_id(failure["student"])}
                          for failure in summary.failed_to_run],
        "unreadable": [display_id(student) for student in summary.unreadable],
        "item_analysis": item_analysis_json(summary.items),
    }


def render_index(summary: ClassSummary, *, similarity: bool, templates: Path = TEMPLATES) -> str:
    template = environment(templates).get_template("index.html.j2")
    tests_by_topic = {name: sorted((t for t in summary.tests.values() if t.topic == name),
                                   key=lambda t: t.pass_rate) for name in summary.topics}  # worst first
    return template.render(summary=summary, histograms=summary.histograms(), tests_by_topic=tests_by_topic,
                           mistakes=summary.ranked_mistakes(), listed_failures=LISTED_FAILURES,
                           similarity_file=SIMILARITY_FILE if similarity else None,
                           canvas_file=CANVAS_FILE, summary_file=SUMMARY_FILE, report_file=REPORT_FILE,
                           shown=display_id, report_link=report_link)


@dataclass(frozen=True)
class CanvasIdentities:
    """What collect.csv says of the students, for canvas_grades.csv without a roster."""
    names: dict[str, str] = field(default_factory=dict)  # student id -> name
    canvas_ids: frozenset[str] = frozenset()  # ids that are Canvas user ids


def canvas_grades(summary: ClassSummary, topics: list[str], policy: Policy,
                  identities: CanvasIdentities) -> str:
    """canvas_grades.csv: ``grader export canvas`` without a roster, on the raw scores (the
    late rule is applied only by that command, from the submission times)."""
    maxima = {name: summary.topics[name].max_score for name in topics}
    grades = [StudentGrades(row["student"], {
        name: TopicGrade(0.0 if score is None else score, maxima[name], score is None)
        for name, score in row["topics"].items() if name in maxima}) for row in summary.rows]
    graded = [name for name in topics if any(name in g.topics for g in grades)]
    options = ExportOptions(graded, policy=policy, times={}, names=identities.names,
                            canvas_ids=identities.canvas_ids)
    return canvas_export(grades, options).text


def write_class_report(out: Path, students: Iterable[str], titles: dict[str, str], *,
                       similarity: bool = False, templates: Path = TEMPLATES, policy: Policy = Policy(),
                       identities: CanvasIdentities = CanvasIdentities()) -> ClassSummary:
    """Write OUT/index.html, OUT/summary.json and OUT/canvas_grades.csv."""
    summary = summarize(out, students, titles)
    write_if_changed(out / SUMMARY_FILE, json.dumps(summary_json(summary), indent=1) + "\n")
    write_if_changed(out / CANVAS_FILE, canvas_grades(summary, list(titles), policy, identities))
    write_if_changed(out / INDEX_FILE, render_index(summary, similarity=similarity, templates=templates))
    return summary


def write_class_outputs(out: Path, submissions: Path, students: list[str], topics: list[Topic], *,
                        templates: Path = TEMPLATES, policy: Policy = Policy(),
                        identities: CanvasIdentities = CanvasIdentities()) -> ClassSummary:
    """Everything built from the whole class once grading is done: the similarity page
    (instructor only), then index.html (which links it), summary.json and canvas_grades.csv."""
    titles = {t.name: t.title for t in topics}
    similarity = class_similarity(submissions, students, topics)
    write_if_changed(out / SIMILARITY_FILE, render_similarity(similarity, titles, len(students),
                                                              templates=templates))
    return write_class_report(out, students, titles, similarity=True, templates=templates,
                              policy=policy, identities=identities)
