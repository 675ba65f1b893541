"""Grading gives the results.json kept before the speed work (issue 16), value for value.

The fixture (tests/fixtures/speed_identity/) holds results.json of the sample class and of
a seeded generated class; regenerate it with
``python tests/fixtures/speed_identity/regenerate.py`` when a grade is meant to change.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "speed_identity"
sys.path.insert(0, str(FIXTURE))

import regenerate  # noqa: E402


# Measured against the clock, so a machine loaded far beyond its cores can flip it (the loop
# then runs past its call limit): the one outcome these files may not hold to the byte.
TIMED_TEST = "test_pairwise_sq_dists_has_no_loop_over_samples"


def _comparable(path: Path) -> dict:
    """results.json without what differs by design: the fingerprints of the grader's code and
    of each topic's test files among its recorded inputs (the code and the tests' wording
    changed for speed, the grades must not), and the timed test."""
    data = json.loads(path.read_text())
    for topic in data.get("extra_data", {}).get("topics", {}).values():
        (topic.get("inputs") or {}).pop("grader", None)
        (topic.get("inputs") or {}).pop("topic", None)
    data["tests"] = [t for t in data.get("tests", []) if t.get("extra_data", {}).get("test") != TIMED_TEST]
    return data


def _differing_tests(old: dict, new: dict) -> list[str]:
    """The names of the tests whose entries differ (the failure message says which)."""
    pairs = zip(old.get("tests", []), new.get("tests", []))
    return [a.get("name", "?") for a, b in pairs if a != b] or ["(outside tests[])"]


def _compare(kept: Path, out: Path) -> None:
    expected = sorted(p.relative_to(kept) for p in kept.glob("*/results.json"))
    assert expected, f"no fixture in {kept}"
    graded = sorted(p.relative_to(out) for p in out.glob("*/results.json"))
    assert graded == expected
    different = {str(p): _differing_tests(_comparable(kept / p), _comparable(out / p)) for p in expected
                 if _comparable(kept / p) != _comparable(out / p)}
    assert different == {}


def test_sample_class_results_are_byte_identical(tmp_path):
    regenerate.grade(ROOT / "examples" / "class", tmp_path / "out")
    _compare(FIXTURE / "sample", tmp_path / "out")


def test_generated_class_results_are_byte_identical(tmp_path):
    regenerate.grade(regenerate.generated_class(tmp_path / "class"), tmp_path / "out")
    _compare(FIXTURE / "generated", tmp_path / "out")
