"""Grading is byte-identical to the outputs kept before the speed work (issue 16).

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


def _differing_tests(kept: Path, graded: Path) -> list[str]:
    """The names of the tests whose entries differ (the failure message says which)."""
    old, new = json.loads(kept.read_text()), json.loads(graded.read_text())
    pairs = zip(old.get("tests", []), new.get("tests", []))
    return [a.get("name", "?") for a, b in pairs if a != b] or ["(outside tests[])"]


def _compare(kept: Path, out: Path) -> None:
    expected = sorted(p.relative_to(kept) for p in kept.glob("*/results.json"))
    assert expected, f"no fixture in {kept}"
    graded = sorted(p.relative_to(out) for p in out.glob("*/results.json"))
    assert graded == expected
    different = {str(p): _differing_tests(kept / p, out / p) for p in expected
                 if (kept / p).read_bytes() != (out / p).read_bytes()}
    # A timing test (e.g. shapes' "about as fast as a vectorized version") can flip on a
    # machine loaded far beyond its cores; the message names the tests that differ.
    assert different == {}


def test_sample_class_results_are_byte_identical(tmp_path):
    regenerate.grade(ROOT / "examples" / "class", tmp_path / "out")
    _compare(FIXTURE / "sample", tmp_path / "out")


def test_generated_class_results_are_byte_identical(tmp_path):
    regenerate.grade(regenerate.generated_class(tmp_path / "class"), tmp_path / "out")
    _compare(FIXTURE / "generated", tmp_path / "out")
