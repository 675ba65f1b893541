"""What one sandboxed worker may use (``Limits``), apart from the launcher so that what only
shows them (the command line's help and defaults) need not import numpy or start anything."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed worker (one student, one topic)."""

    cpu_seconds: int = 60
    memory_bytes: int = 2 * 2**30
    processes: int = 16
    file_bytes: int = 16 * 2**20
    open_files: int = 64
    tmp_bytes: int = 64 * 2**20
    load_seconds: float = 10.0
    call_seconds: float = 5.0
    # Wall time for all of one student's topics together (grader.batch); a student whose
    # calls each stay just under call_seconds would otherwise cost minutes per topic.
    student_seconds: float = 300.0
