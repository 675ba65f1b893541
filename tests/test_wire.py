"""Only plain data crosses the sandbox boundary, and malformed frames are rejected."""
import json
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


def header_of(value) -> dict:
    frame = wire.encode(value)
    (header_length,) = struct.unpack_from("<I", frame, 8)
    return json.loads(frame[12:12 + header_length])


def test_a_dict_of_plain_string_keys_is_a_json_object():
    assert header_of({"op": "batch", "id": 7, "stop_on_error": True}) == {
        "op": "batch", "id": 7, "stop_on_error": True}


def test_a_dict_with_a_double_underscore_key_travels_tagged_and_comes_back():
    value = {"__tuple__": [1], "a": (2,)}
    assert header_of(value) == {"__dict__": [["__tuple__", [1]], ["a", {"__tuple__": [2]}]]}
    assert roundtrip(value) == value


def test_equal_values_give_the_same_frame_and_key_order_tells_dicts_apart():
    assert wire.encode({"a": [1.0, np.arange(2.0)], "b": None}) == wire.encode(
        {"a": [1.0, np.arange(2.0)], "b": None})
    assert wire.encode({"a": 1, "b": 2}) != wire.encode({"b": 2, "a": 1})


def test_a_nan_among_plain_floats_is_tagged_and_the_others_stay_numbers():
    assert header_of([1.5, float("nan"), {"x": -float("inf")}]) == [
        1.5, {"__float__": "nan"}, {"x": {"__float__": "-inf"}}]


def test_strings_and_ints_over_the_limits_are_refused_on_encode():
    with pytest.raises(wire.WireError, match="a string of"):
        wire.encode({"a": ["x" * (wire.MAX_STRING_CHARS + 1)]})
    with pytest.raises(wire.WireError, match="an integer of"):
        wire.encode({"a": [2**1100]})


def test_an_int_of_more_digits_than_str_writes_is_refused_as_too_large():
    with pytest.raises(wire.WireError, match="an integer of about 5000 digits"):
        wire.encode({"a": [10**5000]})


def decode_header(header: str, payload: bytes = b""):
    return wire.decode(frame_body(header.encode(), payload))


def test_an_object_with_a_tag_and_other_keys_is_malformed():
    with pytest.raises(wire.WireError, match="unexpected object"):
        decode_header('{"__tuple__": [1], "a": 2}')


def test_an_object_with_two_tags_is_malformed():
    with pytest.raises(wire.WireError, match="unexpected object"):
        decode_header('{"__tuple__": [1], "__float__": "nan"}')


def test_an_unknown_lone_double_underscore_key_is_an_unknown_tag():
    with pytest.raises(wire.WireError, match="unknown tag"):
        decode_header('{"a": {"__x": 1}}')


def test_a_tuple_tag_whose_payload_is_not_a_list_is_malformed():
    with pytest.raises(wire.WireError, match="tuple"):
        decode_header('{"__tuple__": {"a": 1}}')


@pytest.mark.parametrize("payload", ['1', '[1]', '[["a"]]', '[["a", 1, 2]]', '[[1, 2]]'])
def test_a_dict_tag_that_is_not_a_list_of_string_keyed_pairs_is_malformed(payload):
    with pytest.raises(wire.WireError, match="pairs"):
        decode_header('{"__dict__": %s}' % payload)


@pytest.mark.parametrize("payload", ['1', '"1.5"', '"Infinity"', '["nan"]'])
def test_a_float_tag_other_than_nan_inf_or_minus_inf_is_malformed(payload):
    with pytest.raises(wire.WireError, match="float"):
        decode_header('{"__float__": %s}' % payload)


@pytest.mark.parametrize("spec", ['{"dtype": "<f8", "shape": [1]}', '[]', '[1]', '"<f8"'])
def test_an_array_spec_that_is_not_a_dtype_and_dims_list_is_malformed(spec):
    with pytest.raises(wire.WireError, match="array spec"):
        decode_header('{"__ndarray__": %s}' % spec, b"\0" * 8)


@pytest.mark.parametrize("dtype", ["(2,)f8", "f8,i4", "<U4", "float64", "<f8" + " " * 100])
def test_a_dtype_that_is_not_an_allowed_dtype_str_is_malformed(dtype):
    with pytest.raises(wire.WireError, match="dtype"):
        decode_header('{"__ndarray__": ["%s", 1]}' % dtype, b"\0" * 16)


@pytest.mark.parametrize("dims", ['1.0', 'true', '"1"', 'null'])
def test_an_array_dimension_that_is_not_an_int_is_malformed(dims):
    with pytest.raises(wire.WireError, match="array shape"):
        decode_header('{"__ndarray__": ["<f8", %s]}' % dims, b"\0" * 8)


def test_a_negative_array_dimension_is_malformed():
    with pytest.raises(wire.WireError, match="negative dimension"):
        decode_header('{"__ndarray__": ["<f8", -1, -1]}', b"\0" * 8)


def test_an_array_of_more_than_64_dimensions_is_malformed():
    with pytest.raises(wire.WireError, match="array shape"):
        decode_header('{"__ndarray__": ["<f8"%s]}' % (",1" * 65), b"\0" * 8)


def test_an_empty_array_of_a_shape_numpy_cannot_hold_is_malformed():
    with pytest.raises(wire.WireError, match="array shape"):
        decode_header('{"__ndarray__": ["<f8", 0, %d]}' % 10**30)


def test_an_array_declaring_more_bytes_than_the_frame_holds_is_truncated():
    with pytest.raises(wire.WireError, match="truncated"):
        decode_header('{"__ndarray__": ["<f8", %d, %d]}' % (10**9, 10**9), b"\0" * 8)


def test_two_arrays_read_consecutive_bytes_and_come_back_writeable():
    first, second = decode_header('[{"__ndarray__": ["<i2", 2]}, {"__ndarray__": ["|u1", 2]}]',
                                  b"\1\0\2\0\3\4")
    assert first.tolist() == [1, 2] and second.tolist() == [3, 4]
    assert first.flags.writeable and first.flags.owndata


def test_a_generator_state_numpy_refuses_is_malformed():
    state = json.dumps({"bit_generator": "PCG64", "state": {"state": 10**300, "inc": 1},
                        "has_uint32": 0, "uinteger": 0})
    with pytest.raises(wire.WireError, match="generator state"):
        decode_header('{"__generator__": %s}' % state)


def test_a_generator_of_an_unknown_bit_generator_is_malformed():
    with pytest.raises(wire.WireError, match="bit generator"):
        decode_header('{"__generator__": {"bit_generator": "Foo"}}')


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"__tuple__": [', "]}"), ('{"a": ', "}")])
def test_a_frame_nested_deeper_than_the_limit_is_refused(opening, closing):
    depth = wire.MAX_DEPTH + 2
    with pytest.raises(wire.WireError, match="levels deep"):
        decode_header(opening * depth + "1" + closing * depth)


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"__tuple__": [', "]}"), ('{"a": ', "}")])
def test_a_frame_nested_as_deep_as_the_limit_allows_is_decoded(opening, closing):
    depth = wire.MAX_DEPTH + 1
    decode_header(opening * depth + "1" + closing * depth)


def test_a_shallow_frame_with_many_brackets_is_decoded():
    value = decode_header("[" + ",".join(['{"__ndarray__": ["<f8"]}'] * 100) + "]", b"\0" * 800)
    assert len(value) == 100


def test_a_string_over_the_limit_in_a_frame_is_refused_on_decode(monkeypatch):
    monkeypatch.setattr(wire, "MAX_STRING_CHARS", 10)
    with pytest.raises(wire.WireError, match="a string of"):
        decode_header('{"a": ["%s"]}' % ("x" * 11))


def test_a_dict_key_over_the_string_limit_is_refused_on_decode(monkeypatch):
    monkeypatch.setattr(wire, "MAX_STRING_CHARS", 10)
    with pytest.raises(wire.WireError, match="a string of"):
        decode_header('{"%s": 1}' % ("x" * 11))


def test_an_int_of_more_than_309_digits_is_refused_on_decode():
    with pytest.raises(wire.WireError, match="digits"):
        decode_header('{"a": [1, %s]}' % ("9" * 310))


def test_an_int_of_309_digits_is_decoded():
    assert decode_header("[%s]" % ("9" * 309)) == [int("9" * 309)]
