"""Per-student variation: a course seed and a student id give that student's own data.

The same (course seed, student id) always gives the same seed, on any machine and
in any Python process (no ``hash()``, which is salted per process), so a student's
notebook examples and graded inputs can be regenerated for a regrade or an appeal.
"""
from __future__ import annotations

import hashlib

SEED_BITS = 63


def derived_seed(*parts: object) -> int:
    """A stable non-negative seed from any printable parts."""
    text = "\x1f".join(str(part) for part in parts)
    # surrogateescape: a folder name that is not UTF-8 is hashed as its bytes (same as UTF-8 otherwise)
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


def student_seed(course_seed: int, student_id: str) -> int:
    """The seed of one student's data under ``course_seed``."""
    return derived_seed("student", course_seed, student_id)


def property_test_seed(seed: int, test_name: str) -> int:
    """Each property test draws its own stream, so adding a test changes no other test's inputs."""
    return derived_seed("test", seed, test_name)
