"""What a grade depends on, as hashes: the submission's bytes, the topic's files, the grader.

One place computes these, so ``--resume`` (is a recorded grade still right?), the test
plans (may a stored plan be reused?) and the Gradescope build (which plan does it ship?)
can never disagree about when something changed.
"""
from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

from grader.course.topics import Topic

_PACKAGE = Path(__file__).resolve().parents[1]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def grader_version() -> str:
    """The installed distribution's version (``grader --version``)."""
    try:
        return metadata.version("ml-exercise-grader")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


@functools.cache
def grader_fingerprint() -> str:
    """The version and a hash of the grader's own source: an edit to the grader between
    two releases (a fixed gradient check, say) still counts as a new grader."""
    digest = hashlib.sha256(grader_version().encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"{grader_version()}+{digest.hexdigest()[:16]}"


def topic_files(topic: Topic) -> list[Path]:
    """The files a topic's grade depends on: stub (signatures), tests, reference."""
    return [path for path in (topic.stub, topic.public_tests, topic.reference, topic.hidden_tests)
            if path is not None]


def topic_fingerprint(topic: Topic) -> str:
    """A hash of the topic's stub, tests and reference (names and bytes)."""
    digest = hashlib.sha256(topic.name.encode() + b"\0")
    for path in topic_files(topic):
        digest.update(path.name.encode() + b"\0")
        digest.update((path.read_bytes() if path.is_file() else b"<absent>") + b"\0")
    return digest.hexdigest()
