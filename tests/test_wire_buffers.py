"""Arrays cross the wire as their raw bytes after a small JSON header, and the memo's keys
tell values apart exactly as the wire does (without building its frames)."""
import itertools
import json
import struct
from collections import namedtuple

import numpy as np
import pytest

from grader.grading.memo import plain_digest
from grader.sandbox.inside import wire

ARRAYS = [np.arange(3.0), np.array(1.5), np.zeros((0, 3)), np.arange(12.0).reshape(3, 4).T,
          np.asfortranarray(np.ones((2, 3))), np.arange(5, dtype=">i4"), np.array([True, False]),
          np.arange(6, dtype=np.complex128).reshape(2, 3), np.arange(8, dtype=np.uint8)[::3]]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_an_array_travels_as_its_c_ordered_bytes_after_the_header(array):
    frame = wire.encode(array)
    body_length, header_length = struct.unpack_from("<QI", frame)
    header = json.loads(frame[12:12 + header_length])
    assert header == {"__ndarray__": [array.dtype.str, *array.shape]}
    assert frame[12 + header_length:] == np.ascontiguousarray(array).tobytes()
    assert body_length == len(frame) - 8


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_an_array_comes_back_equal_writeable_and_of_its_own_memory(array):
    back = wire.decode(wire.encode(array)[8:])
    assert back.dtype == array.dtype and back.shape == array.shape and np.array_equal(back, array)
    assert back.flags.writeable and back.flags.owndata


Pair = namedtuple("Pair", "a b")


class Items(list):
    pass


VALUES = [None, True, False, 0, 1, -1, 1.0, -0.0, 0.0, float("nan"), float("inf"), np.float64(1.0),
          np.float32(1.0), np.int64(1), np.bool_(True), "a", "", "1", [1], (1,), {"a": 1},
          {"a": 1.0}, [], (), {}, Pair(1, 2), Items([1, 2]), (1, 2), [1, 2], np.array(1.0),
          np.random.default_rng(1), np.random.default_rng(2), [np.arange(2.0), "x"],
          ["x", np.arange(2.0)], {"a": [1], "b": 2}, {"b": 2, "a": [1]}, 2**70, *ARRAYS]


def _frame(value):
    try:
        return wire.encode(value)
    except wire.WireError:
        return None


@pytest.mark.parametrize("a, b", list(itertools.combinations(VALUES, 2)))
def test_memo_keys_are_equal_exactly_when_the_wire_frames_are(a, b):
    assert (_frame(a) == _frame(b)) == (plain_digest(a) == plain_digest(b))


@pytest.mark.parametrize("value", [lambda: 1, np.array(["text"]), np.array([object()]), {1: 2},
                                   b"bytes", "x" * (wire.MAX_STRING_CHARS + 1), 2**2000],
                         ids=["callable", "str array", "object array", "int keys", "bytes",
                              "long string", "huge int"])
def test_a_value_the_wire_refuses_has_no_memo_key(value):
    assert _frame(value) is None
    assert plain_digest(value) is None
