"""What a grading run did, for the instructor: the closing summary and OUT/grading.log.

Each student's grading reports a ``StudentLog`` (small, plain data, sent back from worker
processes); ``RunLog`` adds them up. The summary says how many (student, topic) grades were
given, kept, or given again because what they depend on changed, and which scores moved.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from grader.outputs.student_ids import display_id
from grader.outputs.visibility import visible

LOG_FILE = "grading.log"
NEW, CHANGED, REQUESTED = "new", "inputs changed", "regraded on request"


@dataclass
class PairLog:
    """One (student, topic) graded in this run: why, and its score before (None: no grade)."""
    topic: str
    reason: str  # NEW, CHANGED or REQUESTED
    before: float | None
    after: float
    missing: bool
    was_missing: bool = False  # the grade before was of a topic not handed in

    def change(self) -> str:
        before = "none" if self.before is None else "missing" if self.was_missing else f"{self.before:g}"
        return f"{before} -> {'missing' if self.missing else f'{self.after:g}'}"


@dataclass
class StudentLog:
    student: str
    started: float  # time.time()
    seconds: float = 0.0
    isolation: str = ""
    graded: list[PairLog] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    restarts: int = 0  # the grader's processes or sandboxes started again under this student
    timeouts: int = 0  # calls stopped at their time limit, and tests the student's time left unrun
    grader_errors: list[str] = field(default_factory=list)


@dataclass
class RunLog:
    students: list[StudentLog] = field(default_factory=list)
    seconds: float = 0.0
    in_out: int = 0  # students OUT holds after the run

    def pairs(self, *reasons: str) -> list[tuple[str, PairLog]]:
        return [(s.student, p) for s in self.students for p in s.graded if not reasons or p.reason in reasons]

    def changed_scores(self) -> list[tuple[str, PairLog]]:
        return [(student, p) for student, p in self.pairs(CHANGED, REQUESTED)
                if p.before is not None and (p.before, p.was_missing) != (p.after, p.missing)]

    def summary(self) -> str:
        """The closing lines the command prints (and the head of grading.log)."""
        graded, kept = self.pairs(), sum(len(s.kept) for s in self.students)
        lines = [f"graded {len(graded)} (student, topic) pairs of {len(self.students)} students "
                 f"in {self.seconds:.1f} s: {len(self.pairs(NEW))} new, "
                 f"{len(self.pairs(CHANGED))} regraded because their inputs changed, "
                 f"{len(self.pairs(REQUESTED))} regraded on request; kept {kept} unchanged; "
                 f"OUT holds {self.in_out} students"]
        changed = self.changed_scores()
        if changed:
            lines.append(f"{len(changed)} scores changed: " + ", ".join(
                f"{display_id(student)}/{p.topic} {p.change()}" for student, p in changed))
        else:
            lines.append("no score changed" if self.pairs(CHANGED, REQUESTED) else "")
        errors = sum(len(s.grader_errors) for s in self.students)
        if errors:
            lines.append(f"{errors} grades the grader itself could not give (see grading.log); "
                         "--resume grades them again")
        return "\n".join(line for line in lines if line)

    def text(self) -> str:
        """grading.log: the summary, then one block per student graded or checked."""
        lines = [self.summary(), ""]
        for s in sorted(self.students, key=lambda s: s.student):
            if not s.graded:
                lines.append(f"{display_id(s.student)}: nothing graded, kept {', '.join(s.kept) or 'nothing'}")
                continue
            start = datetime.fromtimestamp(s.started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(f"{display_id(s.student)}: started {start}, {s.seconds:.1f} s, "
                         f"isolation {s.isolation or 'n/a'}, {s.restarts} restarts, {s.timeouts} timeouts")
            for p in s.graded:
                lines.append(f"  {p.topic}: graded ({p.reason}), {p.change()}")
            if s.kept:
                lines.append(f"  kept: {', '.join(s.kept)}")
            for error in s.grader_errors:
                lines.append(f"  grader error: {visible(error)}")
        return "\n".join(lines) + "\n"
