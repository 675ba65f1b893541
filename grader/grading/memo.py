"""Reference results computed once per grading process, whoever the student.

The memos live in the process's ``grader.grading.session.GradingSession``.

Replayed examples give every student the same inputs, so the reference's answer to
them is the same for every student too. The hidden tests' ``reference`` fixture is
a ``MemoizedReference``: a call with arguments it has seen returns a copy of the
stored answer. Arguments are keyed by their plain-data encoding (the wire format),
so equal arrays hit whatever object holds them: ``plain_digest`` hashes exactly what
``wire.encode`` would carry (the same values refused, the same values told apart) without
building the frame, since keying is on every call's path. A function that changes its
arguments (a config dict filled in place, a Generator advanced) is never
memoized, since a stored answer could not repeat that effect; neither is a call
with arguments that have no plain encoding (a callable).

Memoizing costs a key (hashing every argument, twice on a miss) and a copy per hit, which
for most reference functions is more than computing the answer again (measured on the
six topics: hashing cost a cold student 0.8 s of CPU, more than it saved). So a memo made
``adaptive`` times the first ``PROBE_MISSES`` misses of each function and keeps
memoizing only the functions that take ``WORTH_KEYS`` times longer than their keys;
the others are called directly from then on. Timing decides only what is recomputed,
never an answer: a reference function gives the same answer either way.

The store is bounded in entries and in bytes (the size of each answer's plain
encoding), and holds only answers to calls the tests make themselves: a grader
function run for student code (``grader.callbacks``) is computed under
``not_remembered``, so arguments a student chooses never reach the store.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import hashlib
import time
from types import ModuleType
from typing import Any, Callable

import numpy as np

from grader.sandbox.inside import wire

MAX_ENTRIES = 200_000
# A batch's examples need a few MiB; the bound is what a grading process may spend on them.
MAX_BYTES = 64 * 2**20
ENTRY_OVERHEAD = 200  # key, dict slot and object headers, roughly
PROBE_MISSES = 16
WORTH_KEYS = 3.0  # a hit costs a key and a copy, a miss two keys and a store
_bypass: contextvars.ContextVar[bool] = contextvars.ContextVar("memo_bypass", default=False)


@contextlib.contextmanager
def not_remembered():
    """Calls in this block neither read nor fill any memo (for student-chosen arguments)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


class _NotPlain(Exception):
    """The value has no plain encoding (``wire.encode`` would refuse it)."""


def _feed(value: Any, update: Callable[[bytes], None], depth: int) -> None:
    # One tag byte per kind and a length before every variable part, so that two values
    # feed the same bytes only if wire.encode gives them the same frame.
    if value is None or isinstance(value, bool):
        update(b"N" if value is None else b"T" if value else b"F")
    elif isinstance(value, str):
        if len(value) > wire.MAX_STRING_CHARS:
            raise _NotPlain
        data = value.encode("utf-8", "surrogatepass")
        update(b"s%d:" % len(data))
        update(data)
    elif isinstance(value, int):
        if value.bit_length() > wire.MAX_INT_BITS:
            raise _NotPlain
        update(b"i%d;" % value)
    elif isinstance(value, float):
        update(b"f" + float.__repr__(value).encode() + b";")  # np.float64 travels as a float
    elif isinstance(value, (np.generic, np.ndarray)):
        array = np.asarray(value)
        if array.dtype.kind not in wire.ALLOWED_DTYPE_KINDS:
            raise _NotPlain
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        update(b"%s%s%s;" % (b"g" if isinstance(value, np.generic) else b"a",
                             array.dtype.str.encode(), repr(array.shape).encode()))
        update(array.reshape(-1).view(np.uint8))  # its bytes, read in place
    elif isinstance(value, (list, tuple, dict)):
        if depth >= wire.MAX_DEPTH:
            raise _NotPlain
        items = value.items() if isinstance(value, dict) else value
        kind = b"(" if isinstance(value, tuple) else b"[" if isinstance(value, list) else b"{"
        update(b"%s%d:" % (kind, len(value)))
        if isinstance(value, dict):
            for key, item in items:
                if not isinstance(key, str):
                    raise _NotPlain
                _feed(key, update, depth)
                _feed(item, update, depth + 1)
        else:
            for item in items:
                _feed(item, update, depth + 1)
    elif isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in wire.BIT_GENERATORS:
            raise _NotPlain
        update(b"R")
        _feed(state, update, depth)
    else:
        raise _NotPlain


def plain_digest(value: Any) -> bytes | None:
    """A hash of ``value``'s plain encoding, or None when it has none (a callable, say)."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        _feed(value, digest.update, 0)
    except _NotPlain:
        return None
    return digest.digest()


class MemoizedReference:
    """A reference module whose functions remember their answers to plain arguments."""

    def __init__(self, module: ModuleType, *, adaptive: bool = False):
        self._module = module
        self._answers: dict[bytes, Any] = {}
        self._impure: set[str] = set()
        self._direct: set[str] = set()  # cheaper to compute than to key (adaptive only)
        self._probes: dict[str, list[float]] = {}  # name -> [misses, function s, key s]
        self._adaptive = adaptive
        self._wrapped: dict[str, Callable] = {}
        self.hits = 0
        self.bytes = 0  # what the stored answers take, as counted against MAX_BYTES

    def _key(self, name: str, args: tuple, kwargs: dict) -> bytes | None:
        return plain_digest([name, list(args), kwargs])

    def _call(self, name: str, function: Callable, args: tuple, kwargs: dict) -> Any:
        if _bypass.get() or name in self._direct:
            return function(*args, **kwargs)
        started = time.perf_counter()
        key = None if name in self._impure else self._key(name, args, kwargs)
        if key is not None and key in self._answers:
            self.hits += 1
            return copy.deepcopy(self._answers[key])
        keyed = time.perf_counter()
        value = function(*args, **kwargs)
        if key is None:
            return value
        if self._adaptive:
            self._probe(name, time.perf_counter() - keyed, keyed - started)
        if self._key(name, args, kwargs) != key:
            self._impure.add(name)  # it changed its arguments: a stored answer cannot do that
            return value
        if len(self._answers) < MAX_ENTRIES:
            self._store(key, value)
        return value

    def _probe(self, name: str, function_seconds: float, key_seconds: float) -> None:
        probe = self._probes.setdefault(name, [0, 0.0, 0.0])
        probe[0] += 1
        probe[1] += function_seconds
        probe[2] += key_seconds
        if probe[0] >= PROBE_MISSES and probe[1] < WORTH_KEYS * probe[2]:
            self._direct.add(name)

    def _store(self, key: bytes, value: Any) -> None:
        try:
            size = len(wire.encode(value)) + ENTRY_OVERHEAD
        except wire.WireError:
            return  # not plain data: its size cannot be bounded, so it is not kept
        if self.bytes + size <= MAX_BYTES:
            self._answers[key] = copy.deepcopy(value)
            self.bytes += size

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not callable(value) or name.startswith("_") or isinstance(value, type):
            return value
        if name not in self._wrapped:
            self._wrapped[name] = lambda *args, **kwargs: self._call(name, value, args, kwargs)
        return self._wrapped[name]
