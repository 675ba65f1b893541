"""Only plain data crosses the sandbox boundary, and malformed frames are rejected."""
import struct

import numpy as np
import pytest

from grader.sandbox.inside import wire


def roundtrip(value):
    return wire.decode(wire.encode(value)[8:])


def test_nested_plain_values_survive_a_round_trip():
    value = {"a": [1, 2.5, None, True, "text"], "b": (np.arange(6.0).reshape(2, 3), -3)}
    result = roundtrip(value)
    assert result["a"] == [1, 2.5, None, True, "text"]
    assert isinstance(result["b"], tuple)
    np.testing.assert_array_equal(result["b"][0], value["b"][0])


def test_non_finite_floats_survive():
    result = roundtrip([float("nan"), float("inf"), -float("inf")])
    assert np.isnan(result[0]) and result[1] == np.inf and result[2] == -np.inf


@pytest.mark.parametrize("value", [np.float32(2.0), np.int64(3), np.array(4.0)])
def test_numpy_scalars_and_zero_d_arrays_keep_zero_dimensions(value):
    assert np.shape(roundtrip(value)) == ()
    assert roundtrip(value).dtype == value.dtype


def test_non_contiguous_and_subclass_arrays_travel_as_plain_arrays():
    transposed = np.arange(6.0).reshape(2, 3).T
    np.testing.assert_array_equal(roundtrip(transposed), transposed)
    assert type(roundtrip(np.ma.masked_array([1.0, 2.0]))) is np.ndarray


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1: 2}, lambda: 1,
                                   np.zeros(2, dtype=[("a", "f8")])])
def test_values_that_are_not_plain_data_are_refused(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


def test_generator_state_round_trips_and_continues_the_same_stream():
    rng = np.random.default_rng(7)
    copy = roundtrip(rng)
    assert copy.integers(1000, size=5).tolist() == rng.integers(1000, size=5).tolist()


def test_frames_larger_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(wire, "MAX_FRAME_BYTES", 1000)
    with pytest.raises(wire.WireError, match="limit"):
        wire.encode(np.zeros(1000))


def frame_body(header: bytes, payload: bytes = b"") -> bytes:
    return struct.pack("<I", len(header)) + header + payload


@pytest.mark.parametrize("body, reason", [
    (b"", "too short"),
    (frame_body(b"{"), "malformed frame"),
    (struct.pack("<I", 99) + b"{}", "overruns"),
    (frame_body(b'{"__ndarray__": ["<f8", 4]}', b"\0" * 8), "truncated"),
    (frame_body(b'{"__ndarray__": ["|O", 1]}', b"\0" * 8), "dtype"),
    (frame_body(b'{"__pickle__": 1}'), "unknown tag"),
])
def test_malformed_frames_raise_wire_errors(body, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(body)


def test_non_finite_numpy_float64_scalars_survive():
    assert roundtrip(np.float64(np.inf)) == np.inf
    assert np.isnan(roundtrip([np.float64("nan")])[0])
