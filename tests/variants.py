"""Wrong-variant tables: each realistic student mistake is an exact edit of a correct fixture.

tests/fixtures/<topic>/ holds correct submissions (correct_*.py, written differently)
and wrong_variants.py with:
    VARIANTS        a list of Variant
    MINIMUM         how many variants the topic's issue asks for
    ISSUE_MISTAKES  the mistake ids whose hints the issue asks for
    owner           optional: test name -> the function it tests (default: by substring)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType

from conftest import FIXTURES, ROOT, load_fixture_module
from grader.course.topics import get_topic
from grader.grading.outcomes import TopicResult
from grader.grading.runner import grade_source


@dataclass(frozen=True)
class Variant:
    name: str
    old: str                      # snippet of the base file, replaced exactly once
    new: str
    failing_test: str             # the test that must fail ...
    mistake: str                  # ... diagnosing this mistake ...
    hint_phrase: str              # ... with a hint containing this phrase
    functions: tuple[str, ...]    # only tests of these functions may fail
    base: str = "correct_vectorized"
    # Diagnosis (issue 17): tests that must pass although they call the wrong function too (the
    # function they are about is right), each with a note saying what is wrong instead ...
    keeps: tuple[str, ...] = ()
    # ... and a phrase no hint of any failing test may contain (a hint without evidence).
    unfounded_hint: str | None = None


def topics_with_tables() -> list[str]:
    return sorted(p.parent.name for p in FIXTURES.glob("*/wrong_variants.py"))


@functools.lru_cache(maxsize=None)
def table(topic: str) -> ModuleType:
    return load_fixture_module(FIXTURES / topic / "wrong_variants.py")


def correct_fixtures(topic: str) -> list[str]:
    return sorted(p.stem for p in (FIXTURES / topic).glob("correct_*.py"))


@functools.lru_cache(maxsize=None)
def fixture_source(topic: str, name: str) -> str:
    return (FIXTURES / topic / f"{name}.py").read_text()


def variant_source(topic: str, variant: Variant) -> str:
    return fixture_source(topic, variant.base).replace(variant.old, variant.new)


@functools.lru_cache(maxsize=None)
def graded(topic: str, source: str) -> TopicResult:
    return grade_source(get_topic(ROOT, topic), source, file=f"{topic}.py")


def belongs_to(topic: str, test_name: str, functions: tuple[str, ...]) -> bool:
    owner = getattr(table(topic), "owner", None)
    if owner is not None:
        return owner(test_name) in functions
    return any(function in test_name for function in functions)


def all_variants() -> list[tuple[str, Variant]]:
    return [(topic, variant) for topic in topics_with_tables() for variant in table(topic).VARIANTS]


def variant_id(case) -> str:
    return f"{case[0]}-{case[1].name}" if isinstance(case, tuple) else str(case)
