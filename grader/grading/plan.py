"""A topic's test plan: what its tests ask of every student, computed once and kept on disk.

Recording a property test's examples (``grader.grading.replay``) runs hypothesis against
the reference, which costs most of a cold grading process (about 9 s of a student's 10 s
over six topics). None of it depends on the student, so a plan keeps every test's recorded
examples (or that it cannot be replayed) in ``<folder>/<topic>.plan``, and every later
process (``--jobs`` workers, Dask workers, ``--resume``, a Gradescope container shipping
the folder) replays them instead of recording again.

A plan is trusted only under exactly the inputs it was made from: its key hashes the
topic's files and the grader (``grader.course.fingerprint``, the one place that says what
a grade depends on), hypothesis's and numpy's versions (which decide the drawn examples),
the hypothesis profile and the seed. A plan under any other key is ignored and rebuilt.
It is a wire frame (plain data, never a pickle), written atomically, and a test whose
examples would not come back exactly as recorded (a type wire.py does not carry
faithfully) is left out of it and recorded live, as without a plan. So a plan can only
make grading faster: replaying loaded examples is replaying the examples this process
would have recorded itself.

A plan also holds, for each test, the requests it sends to the student's worker when the
student answers like the reference (``calls``), recorded on the reference in this process:
``grader.sandbox.speculation`` sends them ahead in one batch and explains why that cannot
change a grade. A test's requests are kept only as far as they do not depend on the
answers (recorded again with every float answer nudged by one part in 10^12, the longest
common prefix is kept) and never for a test that reads the clock or is marked
``grader.testing.live_calls``.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import hypothesis
import numpy as np

from grader.course.fingerprint import grader_fingerprint, topic_fingerprint
from grader.course.topics import Topic
from grader.grading.replay import DATA_SLOT, Example
from grader.sandbox.inside import wire

FORMAT = 2
SUFFIX = ".plan"
DEFAULT_FOLDER_NAME = ".grader-plans"  # beside OUT: OUT/../.grader-plans


def default_folder(out: Path) -> Path:
    """Where ``grader grade --out OUT`` keeps plans unless told otherwise."""
    return Path(out).resolve().parent / DEFAULT_FOLDER_NAME


def plan_key(topic: Topic, profile: str, seed: int | None = None) -> str:
    """The hash of everything a topic's recorded examples depend on."""
    parts = [f"format {FORMAT}", topic_fingerprint(topic), grader_fingerprint(),
             f"hypothesis {hypothesis.__version__}", f"numpy {np.__version__}",
             f"profile {profile}", f"seed {seed!r}"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def plan_path(folder: Path, topic: Topic) -> Path:
    return Path(folder) / f"{topic.name}{SUFFIX}"


def _same_types(a: Any, b: Any) -> bool:
    """True when ``b`` has the very types (and array layouts) of ``a``, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    return True


def _faithful(value: Any) -> bool:
    """Whether ``value`` comes back from the wire as the same value of the same types."""
    try:
        frame = wire.encode(value)
        back = wire.decode(frame[8:])
        return _same_types(value, back) and wire.encode(back) == frame
    except (wire.WireError, TypeError, ValueError):
        return False


def _example_to_plain(example: Example) -> dict:
    return {"arguments": [[name, None if value is DATA_SLOT else value]
                          for name, value in example.arguments.items()],
            "slots": [name for name, value in example.arguments.items() if value is DATA_SLOT],
            "draws": [[label, value] for label, value in example.draws]}


def _example_from_plain(plain: dict) -> Example:
    slots = set(plain["slots"])
    arguments = {name: DATA_SLOT if name in slots else value for name, value in plain["arguments"]}
    return Example(arguments, [(label, value) for label, value in plain["draws"]])


def _storable(examples: list[Example] | None) -> bool:
    return examples is None or all(_faithful(_example_to_plain(e)) for e in examples)


Calls = list[bytes] | None  # a test's planned requests (wire frames), or None: it runs live


def load(folder: Path, topic: Topic, key: str) -> dict[str, list[Example] | None]:
    """The recordings a plan holds for ``topic`` under ``key``, by test name (see ``read``)."""
    return read(folder, topic, key)[0]


def read(folder: Path, topic: Topic, key: str) -> tuple[dict[str, list[Example] | None], dict[str, Calls]]:
    """The recordings and planned calls a plan holds for ``topic`` under ``key``, by test name;
    empty when there is no plan, or it was made from other inputs, or it cannot be read (it is
    then rebuilt)."""
    try:
        data = plan_path(folder, topic).read_bytes()
        if len(data) < 8 or wire.frame_length(data[:8]) != len(data) - 8:
            return {}, {}
        plan = wire.decode(data[8:])
        if not isinstance(plan, dict) or plan.get("format") != FORMAT or plan.get("key") != key:
            return {}, {}
        recordings = {name: None if examples is None else [_example_from_plain(e) for e in examples]
                      for name, examples in plan["tests"].items()}
        calls = {name: None if frames is None else [bytes(frame) for frame in frames]
                 for name, frames in plan["calls"].items()}
        return recordings, calls
    except (OSError, wire.WireError, KeyError, TypeError, ValueError, AttributeError):
        return {}, {}


def save(folder: Path, topic: Topic, key: str, recordings: dict[str, list[Example] | None],
         calls: dict[str, Calls] | None = None) -> None:
    """Write the plan atomically (a killed run, or two processes at once, never leave half of
    one); tests whose examples the wire would not carry faithfully are left out."""
    tests = {name: None if examples is None else [_example_to_plain(e) for e in examples]
             for name, examples in sorted(recordings.items()) if _storable(examples)}
    frames = {name: None if requests is None else [np.frombuffer(r, dtype=np.uint8) for r in requests]
              for name, requests in sorted((calls or {}).items())}
    try:
        frame = wire.encode({"format": FORMAT, "key": key, "topic": topic.name, "tests": tests,
                             "calls": frames})
    except wire.WireError:
        return  # too large for one frame: grading records live, as without a plan
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{topic.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(frame)
        os.replace(temporary, plan_path(folder, topic))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class TopicPlan:
    """One topic's plan as a grading process uses it: loaded once, saved when it grew."""

    def __init__(self, folder: Path, topic: Topic, key: str):
        self.folder, self.topic, self.key = Path(folder), topic, key
        self.recordings, self.calls = read(self.folder, topic, key)
        self._saved = (set(self.recordings), set(self.calls))

    def seed_session(self, tests: dict[str, Callable],
                     session_recordings: dict[Callable, list[Example] | None]) -> None:
        """Hand the plan's recordings to the session's, for tests it has not recorded itself."""
        for name, function in tests.items():
            if name in self.recordings and function not in session_recordings:
                session_recordings[function] = self.recordings[name]

    def save_if_grown(self, tests: dict[str, Callable],
                      session_recordings: dict[Callable, list[Example] | None]) -> None:
        """Keep what this process recorded (or, if it is no longer current, ignore it)."""
        for name, function in tests.items():
            if function in session_recordings:
                self.recordings[name] = session_recordings[function]
        if set(self.recordings) - self._saved[0] or set(self.calls) - self._saved[1]:
            try:
                save(self.folder, self.topic, self.key, self.recordings, self.calls)
            except OSError:
                return  # a read-only folder: grading goes on, recording as without a plan
            self._saved = (set(self.recordings), set(self.calls))
