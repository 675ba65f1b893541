"""One student's topics graded in two phases: every public test first, then every hidden test.

Why: whatever a worker does can leave marks in machine-wide kernel state that no namespace
separates (which pages of a library file are cached, the counter pipe inode numbers come
from), and a later worker of the same student can read them. A hidden test's inputs and
the answers of grader functions handed out in a hidden test would then reach a later public
test, which shows what the student's code prints. Run after every public test of the
student, a hidden test's worker can only reach later hidden tests, whose messages carry
nothing the student's code wrote (``grader.grading.hidden_messages``).

Each topic is graded in two parts, each in a fresh worker, joined into one result: the
hidden part goes on from where the public part left the topic (``runner.TopicCarry``: the
functions that timed out are not called again, crashes count on, a file that could not be
loaded is not loaded again, the topic's time budget is shared).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass

from grader.course.topics import Topic
from grader.grading.outcomes import TopicResult
from grader.grading.runner import UNAVAILABLE, TopicCarry, grade_source

GRADER_FAILED = "the grader failed on this file; your instructor has been told. "


@dataclass(frozen=True)
class TopicSource:
    """A topic to grade: the student's source, or why there is none (``load_error``)."""

    topic: Topic
    source: str | None
    file: str | None
    load_error: str | None = None


@dataclass(frozen=True)
class GradedTopic:
    result: TopicResult
    failure: str | None  # the grader's own failure, for the instructor (None: none)


def grade_in_phases(topics: list[TopicSource], **options) -> list[GradedTopic]:
    """Grade ``topics`` in order, public tests of all of them before any hidden test;
    ``options`` are ``grade_source``'s (limits, seed, deadline, plans, ...)."""
    carries = [TopicCarry() for _ in topics]
    public = [_grade_part(item, carry, public=True, hidden=False, **options)
              for item, carry in zip(topics, carries)]
    hidden = [_grade_part(item, carry, public=False, hidden=True, **options)
              for item, carry in zip(topics, carries)]
    return [GradedTopic(joined(first.result, second.result), first.failure or second.failure)
            for first, second in zip(public, hidden)]


def _grade_part(item: TopicSource, carry: TopicCarry, **options) -> GradedTopic:
    if item.source is None:
        return GradedTopic(grade_source(item.topic, None, file=item.file, load_error=item.load_error,
                                        **options), None)
    try:
        result = grade_source(item.topic, item.source, file=item.file, carry=carry, **options)
    except Exception:  # a grader bug must cost neither this student's other topics nor the batch
        failure = traceback.format_exc(limit=2).splitlines()[-1]
        return GradedTopic(grade_source(item.topic, None, file=item.file,
                                        load_error=GRADER_FAILED + failure, **options), failure)
    if result.isolation == UNAVAILABLE:
        return GradedTopic(result, "the sandbox failed: " + "; ".join(result.sandbox_failures)[:500])
    return GradedTopic(result, None)


def joined(public: TopicResult, hidden: TopicResult) -> TopicResult:
    """The topic's result: the public part's tests, then the hidden part's."""
    isolation = UNAVAILABLE if UNAVAILABLE in (public.isolation, hidden.isolation) else public.isolation
    return TopicResult(public.topic, public.title, public.file, public.error or hidden.error, isolation,
                       public.outcomes + hidden.outcomes, public.seed,
                       public.sandbox_failures + hidden.sandbox_failures)
